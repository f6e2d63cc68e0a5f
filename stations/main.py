"""The composition root: the ``waystation`` command, and the one place that wires the parts.

Each sub-command parses its arguments here and runs a function of ``stations.cli``;
``serve`` assembles the web app with what runs beside it (the bot, the scheduler).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from stations import __version__
from stations.cli import commands
from stations.cli.context import CliContext, open_database
from stations.enums import UserRole
from stations.i18n import _, translate
from stations.services.errors import StationsError
from stations.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:  # the web stack is imported by ``serve`` only, so other commands start fast
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from stations.web.app import Lifespan

log = logging.getLogger("stations")

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr rather than the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _year(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a year") from None


def _port(raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"port {port} is not between 1 and 65535")
    return port


def _scale(raw: str) -> float:
    try:
        scale = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number") from None
    if not 0 < scale <= 1:
        raise argparse.ArgumentTypeError("the scale must be more than 0 and at most 1")
    return scale


def _add_output_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
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
        help="language of the output (default: WAYSTATION_DEFAULT_LANGUAGE)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="log debug details and tracebacks",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="only warnings and errors",
    )


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    _add_output_options(common, defaults=False)

    parser = _Parser(
        prog="waystation",
        description="Waystation: volunteer holiday rest stations (Trạm dừng chân nghĩa tình).",
    )
    parser.add_argument("--version", action="version", version=f"waystation {__version__}")
    _add_output_options(parser, defaults=True)
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    serve = sub.add_parser(
        "serve", parents=[common], help="run the web app (and the bot when configured)"
    )
    serve.add_argument("--host", help="address to listen on (default: WAYSTATION_HOST)")
    serve.add_argument("--port", type=_port, help="port to listen on (default: WAYSTATION_PORT)")
    serve.add_argument(
        "--demo", action="store_true", help="load the demo province into an empty database first"
    )
    serve.set_defaults(run=_run_serve)

    migrate = sub.add_parser("migrate", parents=[common], help="apply the database migrations")
    migrate.set_defaults(run=commands.migrate)

    demo = sub.add_parser("demo", parents=[common], help="load the demo province's Tết campaign")
    demo.add_argument("--seed", type=int, default=2027, help="random seed (default: 2027)")
    demo.add_argument(
        "--scale", type=_scale, default=1.0, help="fraction of the full size, 0–1 (default: 1)"
    )
    demo.set_defaults(run=commands.demo)

    create_user = sub.add_parser(
        "create-user",
        parents=[common],
        help="create a web login (password from WAYSTATION_PASSWORD or asked twice)",
    )
    create_user.add_argument("email")
    create_user.add_argument("--role", required=True, choices=[r.value for r in UserRole])
    create_user.add_argument("--unit", metavar="CODE", help="code of the unit the user coordinates")
    create_user.add_argument("--name", default="", help="the person's full name")
    create_user.set_defaults(run=commands.create_user)

    sign_out = sub.add_parser(
        "sign-out-everywhere",
        parents=[common],
        help="end every web session of a user (a lost phone, a leaked cookie)",
    )
    sign_out.add_argument("email")
    sign_out.set_defaults(run=commands.sign_out_everywhere)

    api_token = sub.add_parser(
        "api-token", parents=[common], help="manage bearer tokens of the JSON API"
    )
    token_sub = api_token.add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=_Parser
    )
    token_create = token_sub.add_parser(
        "create", parents=[common], help="create a token and print it once"
    )
    token_create.add_argument("name")
    token_create.add_argument(
        "--role", default=UserRole.ADMIN.value, choices=[r.value for r in UserRole]
    )
    token_create.add_argument(
        "--unit", metavar="CODE", help="code of the unit the token is scoped to"
    )
    token_create.set_defaults(run=commands.create_api_token)
    token_revoke = token_sub.add_parser("revoke", parents=[common], help="revoke a token")
    token_revoke.add_argument("name")
    token_revoke.set_defaults(run=commands.revoke_api_token)
    token_list = token_sub.add_parser("list", parents=[common], help="list the tokens")
    token_list.set_defaults(run=commands.list_api_tokens)

    holidays = sub.add_parser(
        "holidays", parents=[common], help="Tết and the holiday windows of years"
    )
    holidays.add_argument("years", metavar="YEAR", nargs="+", type=_year)
    holidays.add_argument("--json", action="store_true", help="print JSON")
    holidays.set_defaults(run=commands.holidays)

    report = sub.add_parser("report", parents=[common], help="a campaign's totals and summary")
    report.add_argument("campaign", metavar="CAMPAIGN", help="the campaign's id or name")
    report.add_argument("--xlsx", metavar="FILE", help="also write the report as an Excel workbook")
    report.add_argument("--json", action="store_true", help="print JSON")
    report.set_defaults(run=commands.report)

    scheduler = sub.add_parser(
        "scheduler",
        parents=[common],
        help="run the scheduler alone: reminders, alerts and sending the outbox (until stopped)",
    )
    scheduler.set_defaults(run=_run_scheduler)
    return parser


def configure_logging(settings: Settings, *, verbose: bool, quiet: bool) -> None:
    configured = logging.getLevelNamesMapping().get(settings.log_level)
    if configured is None or settings.log_level in {"NOTSET", "WARN", "FATAL"}:
        raise SettingsError(
            "WAYSTATION_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, "
            f"got {settings.log_level!r}"
        )
    level = logging.DEBUG if verbose else logging.WARNING if quiet else configured
    logging.basicConfig(
        level=level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # Our INFO is for people; the libraries' INFO is chatter.
        for noisy in ("tortoise", "aiosqlite", "asyncio", "httpx", "httpcore", "apscheduler"):
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings, verbose=args.verbose, quiet=args.quiet)
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
        return asyncio.run(args.run(args, ctx)) or 0
    except StationsError as exc:
        # With --verbose, what lies behind the line (a driver's error) is logged too.
        log.debug("the command stopped: %s", exc, exc_info=exc.__cause__ is not None)
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
            log.exception("unexpected error")
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
        return await run_scheduler(ctx.settings)


def _browser_url(settings: Settings) -> str:
    """Where a browser on this machine finds the app."""
    shown_host = "127.0.0.1" if settings.host in {"0.0.0.0", "::", ""} else settings.host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    return f"http://{shown_host}:{settings.port}/"


async def _run_serve(args: argparse.Namespace, ctx: CliContext) -> int:

    from stations.cli.serving import AnnouncingServer, bind_listening_sockets, server_config

    overrides = {"host": args.host, "port": args.port}
    settings = dataclasses.replace(
        ctx.settings, **{name: value for name, value in overrides.items() if value is not None}
    )
    # The port first: taken, it is one clear line before any migration or demo load.
    sockets = bind_listening_sockets(settings.host, settings.port)
    try:
        # Migrate (and load the demo) before uvicorn starts, so a database that cannot be
        # reached is one clear error line rather than a lifespan traceback.
        async with open_database(settings):
            if args.demo:
                await commands.load_demo_if_empty(ctx)
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
