"""The sub-commands of ``waystation``: each takes the parsed arguments, calls services, prints.

Whatever reaches the database (tortoise and the models), the demo data and the report's
workbook writer are imported inside the command that needs them, so ``waystation --help``
and ``waystation holidays`` start fast (tests/stations/cli/test_startup.py keeps them so).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from stations.cli.context import (
    CliContext,
    describe_database,
    open_database,
    reporting_connection_errors,
)
from stations.cli.files import check_report_path, report_workbook, write_whole
from stations.cli.output import render_table
from stations.formatting import format_date, format_number, format_time
from stations.i18n import _, ngettext, translate
from stations.services.actor import Actor
from stations.services.errors import InvalidInput, StationsError

log = logging.getLogger(__name__)

#: Who the audit trail names for changes made from the command line.
CLI_ACTOR = Actor.system("cli")


def _say(ctx: CliContext, msgid: str, **params: object) -> None:
    """A line for the person at the terminal (stdout stays for what scripts read)."""
    if not ctx.quiet:
        print(translate(msgid, ctx.language, **params), file=sys.stderr)


# --- migrate -----------------------------------------------------------------------------


async def migrate(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations import db

    url = ctx.settings.database_url
    with reporting_connection_errors(url):
        applied = await db.migrate(url)
    where = describe_database(url)
    if not applied:
        print(
            translate(
                _("Database {database} is up to date: no migration to apply."),
                ctx.language,
                database=where,
            )
        )
        return 0
    for name in applied:
        print(translate(_("Applied migration {name}"), ctx.language, name=name))
    print(
        translate(
            _("Database {database}: {count} migration(s) applied."),
            ctx.language,
            database=where,
            count=len(applied),
        )
    )
    return 0


# --- users and API tokens --------------------------------------------------------------


def _read_password(ctx: CliContext) -> str:
    from_environment = os.environ.get("WAYSTATION_PASSWORD", "")
    if from_environment:
        return from_environment
    if not sys.stdin.isatty():
        raise InvalidInput(
            _("Set WAYSTATION_PASSWORD, or run the command in a terminal to type the password."),
            field="password",
        )
    first = getpass.getpass(translate(_("Password: "), ctx.language))
    second = getpass.getpass(translate(_("Password (again): "), ctx.language))
    if first != second:
        raise InvalidInput(_("The two passwords are not the same."), field="password")
    return first


async def create_user(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations.services import users

    # Mistakes are caught before the prompt and before the database is opened.
    email = users.normalize_email(args.email)
    password = users.check_password(_read_password(ctx))
    async with open_database(ctx.settings):
        user = await users.create_user(
            email=email,
            password=password,
            role=args.role,
            unit=args.unit,
            full_name=args.name,
            by=CLI_ACTOR,
        )
        await user.fetch_related("unit")
    role = users.user_role_label(user.role, ctx.language)
    if user.unit is not None:
        # The stored code (upper case), not the one typed.
        message = _("Created user {email} with role {role} for unit {unit}.")
        print(translate(message, ctx.language, email=user.email, role=role, unit=user.unit.code))
    else:
        message = _("Created user {email} with role {role}.")
        print(translate(message, ctx.language, email=user.email, role=role))
    return 0


async def sign_out_everywhere(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations.services import sessions

    async with open_database(ctx.settings):
        user = await sessions.user_by_email(args.email)
        ended = await sessions.close_all_sessions(user, by=CLI_ACTOR)
    message = ngettext(
        "{email} is signed out everywhere: {count} session ended.",
        "{email} is signed out everywhere: {count} sessions ended.",
        ended,
        ctx.language,
    )
    print(message.format(email=user.email, count=ended))
    return 0


async def create_api_token(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations.services import users

    async with open_database(ctx.settings):
        token, plaintext = await users.create_api_token(
            args.name, role=args.role, unit=args.unit, by=CLI_ACTOR
        )
    _say(
        ctx,
        _("API token “{name}” ({role}) created. It is shown only this once:"),
        name=token.name,
        role=users.user_role_label(token.role, ctx.language),
    )
    # The token alone on stdout, so a script can capture it.
    print(plaintext)
    _say(ctx, _("Send it as the header: Authorization: Bearer <token>"))
    return 0


async def revoke_api_token(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations.services import users

    async with open_database(ctx.settings):
        revocation = await users.revoke_api_token(args.name, by=CLI_ACTOR)
    token = revocation.token
    if revocation.already_revoked:
        message = _("API token “{name}” was already revoked at {when}: nothing changed.")
        when = _moment(token.revoked_at, ctx.language)
        print(translate(message, ctx.language, name=token.name, when=when))
    else:
        print(translate(_("API token “{name}” is revoked."), ctx.language, name=token.name))
    return 0


def _moment(value: Any, language: str) -> str:
    if value is None:
        return "—"
    return f"{format_date(value, language)} {format_time(value)}"


async def list_api_tokens(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations.services import users

    async with open_database(ctx.settings):
        tokens = await users.list_api_tokens()
    if not tokens:
        print(translate(_("There are no API tokens."), ctx.language))
        return 0
    lang = ctx.language
    headers = [
        translate(h, lang)
        for h in (_("Name"), _("Role"), _("Unit"), _("Created"), _("Last used"), _("State"))
    ]
    rows = [
        [
            token.name,
            users.user_role_label(token.role, lang),
            token.unit.code if token.unit else "—",
            _moment(token.created_at, lang),
            _moment(token.last_used_at, lang),
            translate(_("revoked"), lang) if token.revoked_at else translate(_("active"), lang),
        ]
        for token in tokens
    ]
    print(render_table(headers, rows))
    return 0


# --- demo --------------------------------------------------------------------------------


@contextmanager
def _progress_bar(ctx: CliContext) -> Iterator[Callable[[str, int, int], None]]:
    from tqdm import tqdm

    bar = tqdm(
        total=0,
        unit=" rows",
        file=sys.stderr,
        disable=ctx.quiet or not sys.stderr.isatty(),
        dynamic_ncols=True,
    )

    def update(stage: str, done: int, total: int) -> None:
        bar.total = total
        bar.set_description(translate(stage, ctx.language), refresh=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


async def _load_demo(ctx: CliContext, seed: int, scale: float) -> None:
    from stations.services.demo import load_demo

    started = time.perf_counter()
    with _progress_bar(ctx) as progress:
        result = await load_demo(seed=seed, scale=scale, by=CLI_ACTOR, progress=progress)
    elapsed = time.perf_counter() - started
    lang = ctx.language
    counts = {name: format_number(count, lang) for name, count in result.counts.items()}
    print(
        translate(
            _(
                "Loaded the demo in {seconds} s: the campaign “{campaign}” (id {id}) and last "
                "year's “{previous}” (id {previous_id}), closed. Written: {units} new units, "
                "{stations} stations, {shifts} shifts, {volunteers} volunteers, {assignments} "
                "assignments, {movements} ledger lines, {services} service records."
            ),
            lang,
            campaign=result.campaign.name,
            id=result.campaign.id,
            previous=result.previous_campaign.name,
            previous_id=result.previous_campaign.id,
            seconds=format_number(round(elapsed, 1), lang),
            **counts,
        )
    )


async def demo(args: argparse.Namespace, ctx: CliContext) -> int:
    async with open_database(ctx.settings):
        await _load_demo(ctx, args.seed, args.scale)
    return 0


async def load_demo_if_empty(ctx: CliContext) -> None:
    """``serve --demo``: the demo goes into an empty database only. The database is open."""
    from stations.services.demo import has_campaigns

    if await has_campaigns():
        log.info("Demo not loaded: the database already has campaigns")
    else:
        await _load_demo(ctx, seed=2027, scale=1.0)
    await _offer_demo_login(ctx)


async def _offer_demo_login(ctx: CliContext) -> None:
    from stations.services.demo import DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD, ensure_demo_login

    if ctx.settings.is_production:
        print(
            translate(
                _("No demo sign-in in production: create one with {command}."),
                ctx.language,
                command="waystation create-user",
            ),
            file=sys.stderr,
        )
        return
    await ensure_demo_login(by=CLI_ACTOR)
    print(
        translate(
            _("Coordinators' pages: sign in as {email} with the password {password}."),
            ctx.language,
            email=DEMO_LOGIN_EMAIL,
            password=DEMO_LOGIN_PASSWORD,
        ),
        file=sys.stderr,
    )


# --- report ------------------------------------------------------------------------------


async def report(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations.services.queries.campaigns import find_campaign
    from stations.services.queries.reports import campaign_report, report_to_dict
    from stations.services.report_summary import campaign_summary

    lang = ctx.language
    # A path that cannot be written is said before the database is even opened.
    workbook_path = None if args.xlsx is None else check_report_path(args.xlsx, lang)
    async with open_database(ctx.settings):
        campaign = await find_campaign(args.campaign)
        found = await campaign_report(campaign)
    if workbook_path is not None:
        workbook = report_workbook(found, path=workbook_path, language=lang)
        write_whole(workbook_path, workbook, lang)
    if args.json:
        print(json.dumps(report_to_dict(found), ensure_ascii=False, indent=2, default=str))
    else:
        print(_render_report(found, lang))
        print()
        print(campaign_summary(found, lang))
    if workbook_path is not None:
        _say(ctx, _("Report written to “{path}”."), path=workbook_path)
    return 0


def _render_report(found: Any, language: str) -> str:
    """The report's totals, then the main figures of each station, as tables."""
    from stations.services import exports

    def number(value: int | float | None) -> str:
        if value is None:
            return "—"
        return format_number(round(value, 1) if isinstance(value, float) else value, language)

    title = f"{found.name} ({format_date(found.starts_on, language)} – {format_date(found.ends_on, language)})"
    rows = [
        [translate(column.header, language), number(getattr(found.totals, column.field))]
        for column in exports.TOTAL_COLUMNS
    ]
    rows.append([translate(exports.BUDGET, language), number(found.budget_vnd)])
    rows.append([translate(exports.BUDGET_REMAINING, language), number(found.budget_remaining_vnd)])
    totals = render_table(
        [translate(exports.INDICATOR, language), translate(exports.VALUE, language)],
        rows,
        right_aligned=[1],
    )
    station_fields = ("volunteer_turns", "water_bottles", "cold_towels", "food_items")
    headers = {column.field: column.header for column in exports.TOTAL_COLUMNS}
    by_station = render_table(
        [
            translate(exports.STATION_CODE, language),
            translate(exports.STATION, language),
            *(translate(headers[name], language) for name in station_fields),
        ],
        [
            [s.code, s.name, *(number(getattr(s.totals, name)) for name in station_fields)]
            for s in found.stations
        ],
        right_aligned=range(2, 2 + len(station_fields)),
    )
    return "\n\n".join([title, totals, by_station, *_section_tables(found, language)])


def _section_tables(found: Any, language: str) -> list[str]:
    """The funds, forces, units and partners of the report, a table each."""
    from stations.i18n import normalize_language
    from stations.services.report_sections_export import SECTION_BREAKDOWNS, section_rows

    lang = normalize_language(language)
    tables = []
    for breakdown in SECTION_BREAKDOWNS:
        headers, rows = section_rows(found, breakdown, lang)
        if not rows:
            continue
        cells = [
            [cell if isinstance(cell, str) else format_number(cell, language) for cell in row]
            for row in rows
        ]
        tables.append(render_table(headers, cells, right_aligned=range(1, len(headers))))
    return tables


# --- backup and restore ----------------------------------------------------------------


async def backup(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations.services.backup import check_backup_target

    # A target that cannot be is said now, not at 02:30 in a log line, every night.
    check_backup_target(args.target, keep=args.keep)
    if args.daily_at is not None:
        return await _nightly_backups(args, ctx)
    async with open_database(ctx.settings):
        await _back_up_once(args, ctx)
    return 0


async def _back_up_once(args: argparse.Namespace, ctx: CliContext) -> None:
    from stations.clock import now as clock_now
    from stations.services.backup import back_up_database

    result = await back_up_database(
        ctx.settings.database_url, args.target, now=clock_now(), keep=args.keep
    )
    print(
        translate(
            _("Backup written: {path} ({size} bytes)."),
            ctx.language,
            path=str(result.path),
            size=format_number(result.size_bytes, ctx.language),
        )
    )
    for removed in result.removed:
        _say(ctx, _("Removed the older backup {path}."), path=str(removed))


async def _nightly_backups(args: argparse.Namespace, ctx: CliContext) -> int:
    """``--daily-at HH:MM``: a backup every day at that Vietnam time until SIGTERM or Ctrl+C.
    A failed night is logged (the operations page then shows the last backup growing old)
    and the next night tries again."""
    import asyncio
    import signal

    from stations.clock import now as clock_now
    from stations.services.backup import next_daily_run

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with open_database(ctx.settings):
        while not stop.is_set():
            due = next_daily_run(clock_now(), args.daily_at)
            log.info("next backup at %s", due.isoformat())
            try:
                await asyncio.wait_for(stop.wait(), (due - clock_now()).total_seconds())
            except TimeoutError:
                try:
                    await _back_up_once(args, ctx)
                except StationsError as exc:
                    log.error("backup failed: %s", exc.translated("en"))
    return 0


async def restore(args: argparse.Namespace, ctx: CliContext) -> int:
    from stations.services.backup import restore_database

    url = ctx.settings.database_url
    with reporting_connection_errors(url):
        applied = await restore_database(url, args.source, force=args.force)
    print(
        translate(
            _("Restored {path} into {database}."),
            ctx.language,
            path=args.source,
            database=describe_database(url),
        )
    )
    for name in applied:
        _say(ctx, _("Applied migration {name}"), name=name)
    return 0
