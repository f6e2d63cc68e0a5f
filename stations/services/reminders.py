"""Shift reminders: written into the outbox ahead of time, one per assignment and lead time.

Each reminder's dedupe key is ``reminder:{assignment_id}:{lead}:{shift_start_ts}``: running
the job again writes nothing new, and a shift that moved gets reminders under new keys
(the shift and assignment services cancel the old ones, by the ``reminder:{id}:`` prefix,
in the transaction that moves or cancels the shift or frees the volunteer). A reminder
expires when its shift starts: one that could not be sent by then is dropped as stale.

A lead time whose moment has already passed is skipped, except the latest one of them when
no other reminder is still to come (a scheduler that was down sends it on its return, if the
shift has not begun), and except when the volunteer was assigned after that moment: the
"you have a shift" message they got then says it all.

Written in bulk — a few queries per thousand assignments — so a large campaign's
reminders are materialised in seconds. The scheduler's minute job does not rescan them all
each time: ``materialise_new_reminders`` looks only at the shifts entering the horizon and
at what changed since its last run (``reminder_changes``), with a full rescan when a
scheduler starts and every hour as a safety net; it writes exactly what a rescan would.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from stations.enums import (
    AssignmentStatus,
    CampaignStatus,
    Language,
    NotificationStatus,
    ShiftStatus,
)
from stations.formatting import format_window
from stations.i18n import N_, _, normalize_language, translate, translate_plural
from stations.iterables import batched
from stations.models import Assignment, JobCursor, Notification, Shift, Volunteer
from stations.services import reminder_changes
from stations.services.assignments import role_label
from stations.services.errors import InvalidInput
from stations.services.sql import insert_rows

KIND: Final = "reminder"
CHUNK: Final = 2000
#: Rows per INSERT: 500 × the outbox's columns stays well under either database's limit
#: on a statement's parameters.
INSERT_BATCH: Final = 500
MAX_HORIZON: Final = dt.timedelta(days=14)
CURSOR: Final = "reminders"
#: Longer than any transaction that writes shifts, assignments or volunteers, plus the
#: disagreement between the servers' clocks (see ``reminder_changes``).
OVERLAP: Final = dt.timedelta(minutes=10)
#: The safety net under the incremental runs: a full rescan at least this often, so a
#: change no run could see (a writer that did not stamp ``updated_at``, a transaction
#: longer than ``OVERLAP``) costs at most this much delay.
RESCAN_EVERY: Final = dt.timedelta(hours=1)

REMINDER = _(
    "⏰ <b>Shift reminder</b>: {when_phrase}.\n"
    "Station: <b>{station}</b>\nWhen: {window}\nWhere: {address}\nRole: {role}\n\n"
    "Please confirm that you will come, or tell us if you can't."
)
STARTS_IN = N_("your shift starts in {hours} hour", "your shift starts in {hours} hours")
STARTS_IN_MINUTES = _("your shift starts in {minutes} minutes")
CONFIRM = _("✅ Confirm")
CANT_COME = _("❌ Can't come")


@dataclass(frozen=True, slots=True)
class MaterialiseResult:
    #: assignments looked at
    assignments: int
    #: reminders written now
    created: int
    #: whether every shift in the horizon was looked at (not only what changed)
    rescanned: bool = False


def reminder_key(assignment_id: int, lead_hours: float, starts_at: dt.datetime) -> str:
    return f"{KIND}:{assignment_id}:{lead_hours:g}:{int(starts_at.timestamp())}"


def assignment_buttons(assignment_id: int, language: str | Language | None) -> dict[str, Any]:
    """The Confirm / Can't come buttons the bot answers (``asg:confirm:<id>``)."""
    return {
        "inline_keyboard": [
            [
                {
                    "text": translate(CONFIRM, language),
                    "callback_data": f"asg:confirm:{assignment_id}",
                },
                {
                    "text": translate(CANT_COME, language),
                    "callback_data": f"asg:decline:{assignment_id}",
                },
            ]
        ]
    }


@dataclass(frozen=True, slots=True)
class _Expected:
    """What a reminder needs of one assignment, read without building ORM objects."""

    id: int
    created_at: dt.datetime | None
    role: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    station: str
    address: str
    volunteer_id: int
    chat_id: int
    language: Language


SHIFTS_PER_PAGE: Final = 200


async def materialise_reminders(
    *, now: dt.datetime, lead_hours: Sequence[float], horizon: dt.timedelta
) -> MaterialiseResult:
    """Write the reminders falling due before ``now + horizon`` for every assignment still
    expected (assigned or confirmed) on an active shift of an open campaign that has not
    started, to a volunteer reachable on Telegram. Returns how many were written.

    A full rescan: ``materialise_new_reminders`` does the same work for what changed."""
    leads, now, until = _checked_window(lead_hours, horizon, now=now)
    return await _scan(leads, now=now, until=until)


def _checked_window(
    lead_hours: Sequence[float], horizon: dt.timedelta, *, now: dt.datetime
) -> tuple[tuple[float, ...], dt.datetime, dt.datetime]:
    """The lead times, latest first, and the window (``now``, ``until``] reminders fall
    due in, in UTC (SQLite compares stored UTC text)."""
    leads = _checked_leads(lead_hours)
    _check_horizon(horizon)
    now = now.astimezone(dt.UTC)
    return leads, now, now + horizon


async def _scan(
    leads: tuple[float, ...], *, now: dt.datetime, until: dt.datetime
) -> MaterialiseResult:
    """Every shift in the window: the full rescan."""
    shifts = await _window_shifts(now=now, until=until, leads=leads)
    return await _materialise(shifts, leads, now=now, until=until)


async def materialise_new_reminders(
    *,
    now: dt.datetime,
    lead_hours: Sequence[float],
    horizon: dt.timedelta,
    rescan_after: dt.datetime | None = None,
    overlap: dt.timedelta = OVERLAP,
    rescan_every: dt.timedelta = RESCAN_EVERY,
) -> MaterialiseResult:
    """The reminders ``materialise_reminders`` would write at ``now``, looking only at the
    shifts that can have new ones since the last run: those whose reminder moments entered
    the horizon, and those touched by a changed shift, assignment, volunteer, station or
    campaign (see ``reminder_changes``). A full rescan instead on the first run, when none
    ran since ``rescan_after`` (a scheduler process passes its start), ``rescan_every``
    after the last, when the lead times or horizon changed, when the clock went back, or
    after many changes.

    Side effects: writes reminders into the outbox; moves the job's cursor."""
    leads, now, until = _checked_window(lead_hours, horizon, now=now)
    params = f"{','.join(f'{lead:g}' for lead in leads)}/{int(horizon.total_seconds())}"
    cursor = await reminder_changes.read_cursor(CURSOR)
    previous = (
        reminder_changes.Watermark(cursor.changed_since, cursor.high_water, cursor.high_water_at)
        if cursor is not None
        else reminder_changes.Watermark()
    )
    if (
        cursor is None
        or (rescan_after is not None and cursor.rescanned_at < rescan_after)
        or cursor.params != params
        or now >= cursor.rescanned_at + rescan_every
        or now + overlap < cursor.covered_until - horizon  # the clock went back
    ):
        return await _rescan(cursor, previous, params, leads, now=now, until=until, overlap=overlap)
    writers_now = reminder_changes.writers_now()  # before the probes: a cap, never ahead
    changes = await reminder_changes.changes_since(cursor.changed_since)
    if changes.many:
        return await _rescan(cursor, previous, params, leads, now=now, until=until, overlap=overlap)
    result = await _look_again(changes, cursor.covered_until, leads, now=now, until=until)
    await reminder_changes.advance_cursor(
        cursor,
        name=CURSOR,
        params=params,
        covered_until=max(until, cursor.covered_until),
        watermark=reminder_changes.next_watermark(
            previous, changes.latest, now=now, writers_now=writers_now, overlap=overlap
        ),
        rescanned_at=cursor.rescanned_at,
    )
    return result


async def _look_again(
    changes: reminder_changes.Changes,
    covered_until: dt.datetime,
    leads: tuple[float, ...],
    *,
    now: dt.datetime,
    until: dt.datetime,
) -> MaterialiseResult:
    touched = await reminder_changes.touched_by(
        changes, starts_after=now, starts_until=until + dt.timedelta(hours=max(leads))
    )
    whole: dict[int, dict[str, Any]] = {}
    for chunk in batched(sorted(touched.shift_ids), SHIFTS_PER_PAGE):
        whole.update(await _window_shifts(Q(id__in=chunk), now=now, until=until, leads=leads))
    if covered_until < until:
        # Shifts one of whose reminder moments entered (covered_until, until] since then.
        entering = Q(
            *(
                Q(
                    starts_at__gt=covered_until + dt.timedelta(hours=lead),
                    starts_at__lte=until + dt.timedelta(hours=lead),
                )
                for lead in leads
            ),
            join_type=Q.OR,
        )
        whole.update(await _window_shifts(entering, now=now, until=until, leads=leads))
    # A changed assignment (or its volunteer) alters only its own reminders: the others
    # on its shift are not read.
    single = {a: s for a, s in touched.assignments.items() if s not in whole}
    theirs: dict[int, dict[str, Any]] = {}
    for chunk in batched(sorted(set(single.values())), SHIFTS_PER_PAGE):
        theirs.update(await _window_shifts(Q(id__in=chunk), now=now, until=until, leads=leads))
    first = await _materialise(whole, leads, now=now, until=until)
    second = await _materialise(theirs, leads, now=now, until=until, only=set(single))
    return MaterialiseResult(
        assignments=first.assignments + second.assignments,
        created=first.created + second.created,
    )


async def _rescan(
    cursor: JobCursor | None,
    previous: reminder_changes.Watermark,
    params: str,
    leads: tuple[float, ...],
    *,
    now: dt.datetime,
    until: dt.datetime,
    overlap: dt.timedelta,
) -> MaterialiseResult:
    # The stamp is read before the scan: what commits during it is looked at again.
    writers_now = reminder_changes.writers_now()
    latest = await reminder_changes.latest_change()
    result = await _scan(leads, now=now, until=until)
    await reminder_changes.advance_cursor(
        cursor,
        name=CURSOR,
        params=params,
        covered_until=until,
        # From the previous mark: a rescan that finds no newer stamp does not restart the
        # overlap (rows inside it are read again until it has passed, whoever reads them).
        watermark=reminder_changes.next_watermark(
            previous, latest, now=now, writers_now=writers_now, overlap=overlap
        ),
        rescanned_at=now,
    )
    return MaterialiseResult(assignments=result.assignments, created=result.created, rescanned=True)


def _check_horizon(horizon: dt.timedelta) -> None:
    if not isinstance(horizon, dt.timedelta) or not dt.timedelta(0) <= horizon <= MAX_HORIZON:
        raise InvalidInput(
            _("The reminder horizon must be between 0 and {days} days."),
            field="horizon",
            days=MAX_HORIZON.days,
        )


async def _window_shifts(
    *conditions: Q, now: dt.datetime, until: dt.datetime, leads: tuple[float, ...]
) -> dict[int, dict[str, Any]]:
    """Active shifts of active stations of open campaigns that start after ``now`` and
    early enough to have a reminder moment before ``until``, narrowed by ``conditions``."""
    return {
        row["id"]: row
        for row in await Shift.filter(
            *conditions,
            status=ShiftStatus.ACTIVE,
            starts_at__gt=now,
            starts_at__lte=until + dt.timedelta(hours=max(leads)),
            station__is_active=True,
            station__campaign__status=CampaignStatus.OPEN,
        ).values("id", "starts_at", "ends_at", "station__name", "station__address")
    }


async def _materialise(
    shifts: dict[int, dict[str, Any]],
    leads: tuple[float, ...],
    *,
    now: dt.datetime,
    until: dt.datetime,
    only: set[int] | None = None,
) -> MaterialiseResult:
    """The reminders of the expected assignments on ``shifts`` (of those in ``only``)."""
    if not shifts:
        return MaterialiseResult(assignments=0, created=0)
    # Shifts first, then their assignments and volunteers by id: simple indexed reads
    # (a single five-table join is at the planner's mercy on a large, fresh table).
    pages = (
        (Q(shift_id__in=page) for page in batched(sorted(shifts), SHIFTS_PER_PAGE))
        if only is None
        else (Q(id__in=page) for page in batched(sorted(only), SHIFTS_PER_PAGE))
    )
    reachable: dict[int, tuple[int, Language] | None] = {}
    looked_at = created = 0
    for condition in pages:
        rows = [
            row
            for row in await Assignment.filter(
                condition,
                status__in=[AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED],
            )
            .order_by("id")
            .values("id", "created_at", "role", "shift_id", "volunteer_id")
            if row["shift_id"] in shifts
        ]
        unknown = {row["volunteer_id"] for row in rows} - reachable.keys()
        if unknown:
            reachable.update(dict.fromkeys(unknown))
            for found in await Volunteer.filter(
                id__in=sorted(unknown), telegram_chat_id__not_isnull=True, reachable=True
            ).values("id", "telegram_chat_id", "language"):
                reachable[found["id"]] = (found["telegram_chat_id"], found["language"])
        page = []
        for row in rows:
            person = reachable[row["volunteer_id"]]
            if person is None:
                continue
            shift = shifts[row["shift_id"]]
            page.append(
                _Expected(
                    id=row["id"],
                    created_at=row["created_at"],
                    role=row["role"],
                    starts_at=shift["starts_at"],
                    ends_at=shift["ends_at"],
                    station=shift["station__name"],
                    address=shift["station__address"],
                    volunteer_id=row["volunteer_id"],
                    chat_id=person[0],
                    language=normalize_language(person[1]),
                )
            )
        looked_at += len(page)
        for part in batched(page, CHUNK):
            created += await _write_page(part, leads, now=now, until=until)
    return MaterialiseResult(assignments=looked_at, created=created)


async def _write_page(
    page: list[_Expected],
    leads: tuple[float, ...],
    *,
    now: dt.datetime,
    until: dt.datetime,
) -> int:
    wanted: dict[str, tuple[_Expected, float]] = {}
    for expected in page:
        for lead in _leads_due(expected, leads, now=now, until=until):
            wanted[reminder_key(expected.id, lead, expected.starts_at)] = (expected, lead)
    if not wanted:
        return 0
    existing = {
        row["dedupe_key"]: row["status"]
        for row in await Notification.filter(dedupe_key__in=list(wanted)).values(
            "dedupe_key", "status"
        )
    }
    # Rows are built only for what is missing: a run that finds everything written is cheap.
    windows: dict[tuple[dt.datetime, dt.datetime, Language], str] = {}
    new = [
        _reminder(*wanted[key], now=now, windows=windows) for key in wanted if key not in existing
    ]
    revived = [
        _reminder(*wanted[key], now=now, windows=windows)
        for key, status in existing.items()
        if status == NotificationStatus.CANCELLED
    ]
    written = 0
    async with in_transaction() as connection:
        for batch in batched(new, INSERT_BATCH):
            # Another scheduler may write the same keys at the same moment: the unique key
            # keeps one row, the loser skips it, and only rows really written are counted.
            inserted = await insert_rows(
                connection,
                batch,
                returning=("id",),
                skip_conflicts=True,
            )
            written += len(inserted)
        for row in revived:
            # The volunteer is expected again (re-assigned) at the same start: the reminder
            # cancelled with the old assignment comes back.
            written += await Notification.filter(
                dedupe_key=row.dedupe_key, status=NotificationStatus.CANCELLED
            ).update(
                status=NotificationStatus.PENDING,
                text=row.text,
                reply_markup=row.reply_markup,
                due_at=row.due_at,
                expires_at=row.expires_at,
                attempts=0,
                last_error="",
                lease_until=None,
                # A retry's hold-back belonged to the cancelled send, not to this one.
                not_before=None,
            )
    return written


def _leads_due(
    expected: _Expected,
    leads: tuple[float, ...],
    *,
    now: dt.datetime,
    until: dt.datetime,
) -> list[float]:
    starts_at = expected.starts_at
    due = []
    passed: list[float] = []
    upcoming = False
    for lead in leads:  # longest first
        moment = starts_at - dt.timedelta(hours=lead)
        if moment > now:
            upcoming = True
            if moment <= until:
                due.append(lead)
        else:
            passed.append(lead)
    # A reminder missed while the scheduler was down is sent late only if no later one
    # is still to come.
    if passed and not upcoming:
        latest = min(passed)
        moment = starts_at - dt.timedelta(hours=latest)
        if expected.created_at is None or expected.created_at <= moment:
            due.append(latest)
    return due


def _reminder(
    expected: _Expected,
    lead: float,
    *,
    now: dt.datetime,
    windows: dict[tuple[dt.datetime, dt.datetime, Language], str],
) -> Notification:
    language = normalize_language(expected.language)
    starts_at = expected.starts_at
    due_at = max(now, starts_at - dt.timedelta(hours=lead))
    window_key = (starts_at, expected.ends_at, language)
    if window_key not in windows:
        windows[window_key] = format_window(starts_at, expected.ends_at, language)
    return Notification(
        chat_id=expected.chat_id,
        volunteer_id=expected.volunteer_id,
        kind=KIND,
        text=translate(
            REMINDER,
            language,
            when_phrase=_when_phrase(starts_at - due_at, language),
            station=html.escape(expected.station, quote=False),
            window=windows[window_key],
            address=html.escape(expected.address or expected.station, quote=False),
            role=html.escape(role_label(expected.role, language), quote=False),
        ),
        parse_mode="HTML",
        reply_markup=assignment_buttons(expected.id, language),
        dedupe_key=reminder_key(expected.id, lead, starts_at),
        due_at=due_at,
        expires_at=starts_at,
        status=NotificationStatus.PENDING,
        attempts=0,
        last_error="",
        created_at=now,
    )


def _when_phrase(before_start: dt.timedelta, language: Language) -> str:
    minutes = max(1, round(before_start.total_seconds() / 60))
    if minutes < 90:
        return translate(STARTS_IN_MINUTES, language, minutes=minutes)
    hours = round(minutes / 60)
    return translate_plural(*STARTS_IN, hours, language, hours=hours)


def _checked_leads(lead_hours: Sequence[float]) -> tuple[float, ...]:
    try:
        leads = tuple(sorted({float(hours) for hours in lead_hours}, reverse=True))
    except (TypeError, ValueError):
        leads = ()
    if not leads or any(not 0 < hours <= 24 * 7 for hours in leads):
        raise InvalidInput(
            _("Reminder lead times must be numbers of hours between 0 and 168."),
            field="lead_hours",
        )
    return leads
