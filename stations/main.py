"""The composition root: the ``waystation`` command, and the one place that wires the parts.

Each sub-command parses its arguments here and runs a function of ``stations.cli``;
``serve`` assembles the web app with what runs beside it (the bot, the scheduler).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from stations import __version__
from stations.cli.argparse_language import argparse_speaking, language_from_argv
from stations.cli.context import CliContext, open_database
from stations.enums import UserRole
from stations.i18n import DEFAULT_LANGUAGE, _, translate
from stations.services.errors import StationsError
from stations.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:  # the web stack is imported by ``serve`` only, so other commands start fast
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from stations.web.app import Lifespan

if TYPE_CHECKING:
    import logging

#: The level names WAYSTATION_LOG_LEVEL may hold (checked without importing logging).
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log() -> logging.Logger:
    # Imported when something is logged: ``holidays`` never logs, and importing logging is a
    # tenth of its start.
    import logging

    return logging.getLogger("stations")


EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr rather than the whole usage text, in
    the reader's language."""

    language: str = DEFAULT_LANGUAGE.value

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse asks for a formatter on every add_argument (to check the metavar), and
        # without a width its formatter imports shutil (and with it lzma and bz2): a fifth of
        # a light command's start. The width is measured here the way shutil measures it.
        factory: Callable[..., argparse.HelpFormatter] = self.formatter_class
        return factory(prog=self.prog, width=_terminal_columns() - 2)

    def error(self, message: str) -> NoReturn:
        line = translate(
            _("{prog}: error: {message} (see {prog} --help)"),
            self.language,
            prog=self.prog,
            message=message,
        )
        self.exit(EXIT_USAGE, line + "\n")


def _terminal_columns() -> int:
    """``COLUMNS``, else the width of the terminal on stdout, else 80 (as ``shutil`` does)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    if sys.__stdout__ is None:
        return 80
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _parser_class(language: str) -> type[_Parser]:
    """``_Parser`` speaking ``language``: argparse builds sub-parsers from the class alone."""
    return type("_Parser", (_Parser,), {"language": language})


def _year(language: str) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            return int(raw)
        except ValueError:
            message = translate(_("{value} is not a year"), language, value=repr(raw))
            raise argparse.ArgumentTypeError(message) from None

    return parse


def _port(language: str) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            port = int(raw)
        except ValueError:
            message = translate(_("{value} is not a port number"), language, value=repr(raw))
            raise argparse.ArgumentTypeError(message) from None
        if not 0 < port < 65536:
            message = translate(_("port {port} is not between 1 and 65535"), language, port=port)
            raise argparse.ArgumentTypeError(message)
        return port

    return parse


def _time_of_day(language: str) -> Callable[[str], dt.time]:
    """Hours and minutes, Vietnam time: no seconds, and no offset that would be ignored."""

    def parse(raw: str) -> dt.time:
        hours, colon, minutes = raw.strip().partition(":")
        shaped = (
            colon
            and 1 <= len(hours) <= 2
            and len(minutes) == 2
            and (hours + minutes).isascii()
            and (hours + minutes).isdigit()
        )
        if shaped and int(hours) < 24 and int(minutes) < 60:
            return dt.time(int(hours), int(minutes))
        message = translate(_("{value} is not a time of day (HH:MM)"), language, value=repr(raw))
        raise argparse.ArgumentTypeError(message)

    return parse


def _scale(language: str) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            scale = float(raw)
        except ValueError:
            message = translate(_("{value} is not a number"), language, value=repr(raw))
            raise argparse.ArgumentTypeError(message) from None
        if not 0 < scale <= 1:
            message = translate(_("the scale must be more than 0 and at most 1"), language)
            raise argparse.ArgumentTypeError(message)
        return scale

    return parse


def _add_output_options(parser: argparse.ArgumentParser, *, defaults: bool, language: str) -> None:
    """--lang, --verbose and --quiet, taken before the sub-command and after it.

    Only the main parser sets their defaults: a sub-command's parser writes its defaults
    over what the main parser read, so ``waystation --lang en holidays`` would lose "en".
    """

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--lang",
        choices=["vi", "en"],
        default=default(None),
        help=translate(
            _("language of the output (default: WAYSTATION_DEFAULT_LANGUAGE)"), language
        ),
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help=translate(_("log debug details and tracebacks"), language),
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help=translate(_("only warnings and errors"), language),
    )


Command = Callable[[argparse.Namespace, CliContext], "int | Awaitable[int]"]


def _command(name: str, module: str = "stations.cli.commands") -> Command:
    """``<module>.<name>``, imported when the command runs, not at startup."""

    def run(args: argparse.Namespace, ctx: CliContext) -> int | Awaitable[int]:
        import importlib

        found: Command = getattr(importlib.import_module(module), name)
        return found(args, ctx)

    run.__name__ = name
    return run


def build_parser(language: str = DEFAULT_LANGUAGE.value) -> argparse.ArgumentParser:
    """The ``waystation`` command line, its help and its errors in ``language``.

    Build it (and parse with it) inside ``argparse_speaking(language)`` for argparse's own
    words to be translated too.
    """

    def t(msgid: str) -> str:
        return translate(msgid, language)

    parser_class = _parser_class(language)
    common = parser_class(add_help=False)
    _add_output_options(common, defaults=False, language=language)

    parser = parser_class(
        prog="waystation",
        description=t(
            _("Waystation: volunteer holiday rest stations (Trạm dừng chân nghĩa tình).")
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"waystation {__version__}",
        help=t(_("show the version and exit")),
    )
    _add_output_options(parser, defaults=True, language=language)
    parser.set_defaults(logs=True)  # a command that never logs says logs=False
    sub = parser.add_subparsers(
        dest="command", required=True, metavar=t(_("COMMAND")), parser_class=parser_class
    )

    serve = sub.add_parser(
        "serve", parents=[common], help=t(_("run the web app (and the bot when configured)"))
    )
    serve.add_argument("--host", help=t(_("address to listen on (default: WAYSTATION_HOST)")))
    serve.add_argument(
        "--port", type=_port(language), help=t(_("port to listen on (default: WAYSTATION_PORT)"))
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help=t(_("load the demo province into an empty database first")),
    )
    serve.set_defaults(run=_run_serve)

    migrate = sub.add_parser(
        "migrate", parents=[common], help=t(_("apply the database migrations"))
    )
    migrate.set_defaults(run=_command("migrate"))

    demo = sub.add_parser(
        "demo", parents=[common], help=t(_("load the demo province's Tết campaign"))
    )
    demo.add_argument("--seed", type=int, default=2027, help=t(_("random seed (default: 2027)")))
    demo.add_argument(
        "--scale",
        type=_scale(language),
        default=1.0,
        help=t(_("fraction of the full size, 0–1 (default: 1)")),
    )
    demo.set_defaults(run=_command("demo"))

    create_user = sub.add_parser(
        "create-user",
        parents=[common],
        help=t(_("create a web login (password from WAYSTATION_PASSWORD or asked twice)")),
    )
    create_user.add_argument("email", metavar="EMAIL")
    create_user.add_argument("--role", required=True, choices=[r.value for r in UserRole])
    create_user.add_argument(
        "--unit", metavar=t(_("CODE")), help=t(_("code of the unit the user coordinates"))
    )
    create_user.add_argument("--name", default="", help=t(_("the person's full name")))
    create_user.set_defaults(run=_command("create_user"))

    sign_out = sub.add_parser(
        "sign-out-everywhere",
        parents=[common],
        help=t(_("end every web session of a user (a lost phone, a leaked cookie)")),
    )
    sign_out.add_argument("email", metavar="EMAIL")
    sign_out.set_defaults(run=_command("sign_out_everywhere"))

    api_token = sub.add_parser(
        "api-token", parents=[common], help=t(_("manage bearer tokens of the JSON API"))
    )
    token_sub = api_token.add_subparsers(
        dest="action", required=True, metavar=t(_("ACTION")), parser_class=parser_class
    )
    token_create = token_sub.add_parser(
        "create", parents=[common], help=t(_("create a token and print it once"))
    )
    token_create.add_argument("name", metavar=t(_("NAME")))
    token_create.add_argument(
        "--role", default=UserRole.ADMIN.value, choices=[r.value for r in UserRole]
    )
    token_create.add_argument(
        "--unit", metavar=t(_("CODE")), help=t(_("code of the unit the token is scoped to"))
    )
    token_create.set_defaults(run=_command("create_api_token"))
    token_revoke = token_sub.add_parser("revoke", parents=[common], help=t(_("revoke a token")))
    token_revoke.add_argument("name", metavar=t(_("NAME")))
    token_revoke.set_defaults(run=_command("revoke_api_token"))
    token_list = token_sub.add_parser("list", parents=[common], help=t(_("list the tokens")))
    token_list.set_defaults(run=_command("list_api_tokens"))

    holidays = sub.add_parser(
        "holidays", parents=[common], help=t(_("Tết and the holiday windows of years"))
    )
    holidays.add_argument("years", metavar=t(_("YEAR")), nargs="+", type=_year(language))
    holidays.add_argument("--json", action="store_true", help=t(_("print JSON")))
    # Nothing to log (no database, no network): logging is left unconfigured, unimported.
    holidays.set_defaults(run=_command("holidays", "stations.cli.holidays"), logs=False)

    report = sub.add_parser(
        "report", parents=[common], help=t(_("a campaign's totals and summary"))
    )
    report.add_argument(
        "campaign", metavar=t(_("CAMPAIGN")), help=t(_("the campaign's id or name"))
    )
    report.add_argument(
        "--xlsx",
        metavar=t(_("FILE")),
        help=t(_("also write the report as an Excel workbook")),
    )
    report.add_argument("--json", action="store_true", help=t(_("print JSON")))
    report.set_defaults(run=_command("report"))

    backup = sub.add_parser(
        "backup",
        parents=[common],
        help=t(_("write a consistent copy of the database to a file, or a dated file in a folder")),
    )
    backup.add_argument("target", metavar=t(_("FILE_OR_FOLDER")))
    backup.add_argument(
        "--keep",
        type=int,
        metavar="N",
        help=t(_("with a folder: keep only the newest N backups there")),
    )
    backup.add_argument(
        "--daily-at",
        type=_time_of_day(language),
        metavar="HH:MM",
        help=t(_("keep running and back up every day at this Vietnam time")),
    )
    backup.set_defaults(run=_command("backup"))

    restore = sub.add_parser(
        "restore",
        parents=[common],
        help=t(
            _("replace the database with a backup (an empty database unless --force), then migrate")
        ),
    )
    restore.add_argument("source", metavar=t(_("FILE")))
    restore.add_argument(
        "--force", action="store_true", help=t(_("replace a database that already holds data"))
    )
    restore.set_defaults(run=_command("restore"))

    scheduler = sub.add_parser(
        "scheduler",
        parents=[common],
        help=t(
            _("run the scheduler alone: reminders, alerts and sending the outbox (until stopped)")
        ),
    )
    scheduler.set_defaults(run=_run_scheduler)
    return parser


def _startup_language() -> str:
    """The language help and usage errors speak before ``--lang`` is read: the configured
    default, or Vietnamese when the settings themselves are wrong (said later, in words)."""
    try:
        return str(load_settings().default_language)
    except SettingsError:
        return DEFAULT_LANGUAGE.value


def check_log_level(settings: Settings) -> None:
    """Refuse an unknown WAYSTATION_LOG_LEVEL, whether or not the command logs."""
    if settings.log_level not in LOG_LEVELS:
        raise SettingsError(
            f"WAYSTATION_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
            f"got {settings.log_level!r}"
        )


def configure_logging(settings: Settings, *, verbose: bool, quiet: bool) -> None:
    import logging

    from stations import logs

    check_log_level(settings)
    configured = logging.getLevelNamesMapping()[settings.log_level]
    level = logging.DEBUG if verbose else logging.WARNING if quiet else configured
    secrets = (
        settings.secret_key,
        settings.telegram_token,
        settings.webhook_secret,
        settings.metrics_token,
    )
    logs.install(level, settings.log_format, secrets)
    if not verbose:
        # Our INFO is for people; the libraries' INFO is chatter.
        for noisy in ("tortoise", "aiosqlite", "asyncio", "httpx", "httpcore", "apscheduler"):
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def _finish(outcome: int | Awaitable[int]) -> int:
    """A command's exit code: what it returned, or what its coroutine returns when run.

    A command with nothing to wait for (``holidays``) is a plain function, so it starts
    without asyncio, which costs a fifth of a fast command's start.
    """
    if not isinstance(outcome, Awaitable):
        return outcome
    import asyncio

    async def wait() -> int:
        return await outcome

    return asyncio.run(wait())


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    language = language_from_argv(arguments, _startup_language())
    with argparse_speaking(language):
        args = build_parser(language).parse_args(arguments)
    try:
        settings = load_settings()
        if args.logs:
            configure_logging(settings, verbose=args.verbose, quiet=args.quiet)
        else:
            check_log_level(settings)
    except SettingsError as exc:
        print(f"waystation: settings error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    ctx = CliContext(
        settings=settings,
        language=args.lang or settings.default_language,
        quiet=args.quiet,
        verbose=args.verbose,
    )
    try:
        return _finish(args.run(args, ctx)) or 0
    except StationsError as exc:
        # With --verbose, what lies behind the line (a driver's error) is logged too.
        _log().debug("the command stopped: %s", exc, exc_info=exc.__cause__ is not None)
        print(f"waystation: {exc.translated(ctx.language)}", file=sys.stderr)
        return EXIT_ERROR
    except SettingsError as exc:
        print(f"waystation: settings error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("waystation: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``waystation report … | head``): nothing left to tell it.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        if args.verbose:
            _log().exception("unexpected error")
        # One line, whatever the exception's text: a driver's message may span several.
        print(f"error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_ERROR


# ---------------------------------------------------------------------------------------
# serve: the web app, and beside it what this build has of the bot.


def _bot_lifespans(settings: Settings) -> list[Lifespan]:
    """What runs the Telegram bot inside ``serve`` (nothing, said once, without a token)."""
    from bot.runtime import bot_lifespans

    return bot_lifespans(settings)


def _bot_routes(settings: Settings) -> list[BaseRoute]:
    """The bot's webhook route, when it takes updates by webhook."""
    from bot.runtime import bot_routes

    return bot_routes(settings)


def build_app(settings: Settings) -> Starlette:
    """The web app with everything that runs beside it in ``serve``."""
    from stations.web.app import create_app

    return create_app(
        settings,
        lifespans=[*_bot_lifespans(settings), *_scheduler_lifespans(settings)],
        routes=_bot_routes(settings),
    )


def _scheduler_lifespans(settings: Settings) -> list[Lifespan]:
    """The scheduler inside ``serve``, when WAYSTATION_SCHEDULER is on."""
    from scheduler.runtime import scheduler_lifespans

    return scheduler_lifespans(settings)


async def _run_scheduler(args: argparse.Namespace, ctx: CliContext) -> int:
    """``waystation scheduler``: the clock jobs and the dispatcher, until SIGTERM or Ctrl+C."""
    from scheduler.runtime import run_scheduler

    async with open_database(ctx.settings):
        start_metrics_listener(ctx.settings, ctx.settings.host)
        return await run_scheduler(ctx.settings)


def start_metrics_listener(settings: Settings, host: str) -> Any:
    """With ``WAYSTATION_METRICS_PORT``: this process's figures on a port of their own (a
    thread of prometheus_client's), for a Prometheus on a private network; the server, or
    None when off."""
    if settings.metrics_port is None:
        return None
    from prometheus_client import start_http_server

    try:
        server, _thread = start_http_server(settings.metrics_port, addr=host)
    except OSError as exc:
        raise SettingsError(
            f"WAYSTATION_METRICS_PORT {settings.metrics_port} cannot be used on {host}: "
            f"{exc.strerror}"
        ) from None
    _log().info("Metrics for Prometheus on http://%s:%s/metrics", host, settings.metrics_port)
    return server


def _browser_url(settings: Settings) -> str:
    """Where a browser on this machine finds the app."""
    shown_host = "127.0.0.1" if settings.host in {"0.0.0.0", "::", ""} else settings.host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    return f"http://{shown_host}:{settings.port}/"


async def _run_serve(args: argparse.Namespace, ctx: CliContext) -> int:

    from stations.cli.serving import AnnouncingServer, bind_listening_sockets, server_config

    overrides = {"host": args.host, "port": args.port}
    settings = ctx.settings._replace(
        **{name: value for name, value in overrides.items() if value is not None}
    )
    # The port first: taken, it is one clear line before any migration or demo load.
    sockets = bind_listening_sockets(settings.host, settings.port)
    try:
        # Migrate (and load the demo) before uvicorn starts, so a database that cannot be
        # reached is one clear error line rather than a lifespan traceback.
        async with open_database(settings):
            if args.demo:
                from stations.cli.commands import load_demo_if_empty

                await load_demo_if_empty(ctx)
        start_metrics_listener(settings, settings.host)
        import logging

        config = server_config(
            build_app(settings), settings, log_level=logging.getLogger().getEffectiveLevel()
        )

        def announce() -> None:
            running = _("Waystation is running: open {url} (Ctrl+C stops it)")
            url = _browser_url(settings)
            print(translate(running, ctx.language, url=url), file=sys.stderr, flush=True)

        await AnnouncingServer(config, announce=announce).serve(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
