"""Shifts at a station: one at a time, a daily pattern at once, moved, re-sized, cancelled.

Volunteers hear about a moved or cancelled shift through the outbox, written in the same
transaction as the change, so a message is never sent for a change that did not happen.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from tortoise.transactions import in_transaction

from stations import clock
from stations.clock import VN_TZ
from stations.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    ShiftRole,
    ShiftStatus,
)
from stations.formatting import format_window
from stations.i18n import _
from stations.labels import ROLE_LABELS
from stations.models import Assignment, Shift, Station, Volunteer
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.campaigns import open_campaign_of, outside_campaign_error, shift_bounds
from stations.services.edits import audit_pairs
from stations.services.errors import (
    CapacityExceeded,
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    ShiftOverlap,
)
from stations.services.outbox import cancel_pending, notify_volunteer
from stations.services.overlaps import first_overlapping_assignment
from stations.services.validation import (
    check_aware_datetime,
    check_calendar_date,
    check_choice,
    check_optional_text,
    check_required_text,
    check_saved,
    check_whole_number,
)

MAX_SHIFT_LENGTH = dt.timedelta(hours=24)
MAX_NEED_PER_ROLE = 100
NOTE_MAX_LENGTH = 300
REASON_MAX_LENGTH = 300
MAX_PATTERN_DAYS = 62
MAX_SLOTS_PER_DAY = 12
_MINUTES_PER_DAY = 24 * 60
#: Someone has been at the shift: it cannot be cancelled and its start no longer moves.
_ON_SITE_STATUSES = frozenset({AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT})
#: The active statuses a cancelled shift takes its people out of: nobody has arrived yet.
_NOT_YET_ARRIVED_STATUSES = sorted(ACTIVE_ASSIGNMENT_STATUSES - _ON_SITE_STATUSES)

SHIFT_MOVED = _(
    "Your shift at {station} has moved to {window} (it was {old_window}). Address: {address}."
)
SHIFT_MOVED_NO_ADDRESS = _("Your shift at {station} has moved to {window} (it was {old_window}).")
SHIFT_CANCELLED = _(
    "Your shift at {station}, {window}, is cancelled: {reason}. Address: {address}."
)
SHIFT_CANCELLED_NO_ADDRESS = _("Your shift at {station}, {window}, is cancelled: {reason}.")

# One message per role, so each reads naturally in Vietnamese.
_NEEDS_BELOW_ASSIGNED = {
    ShiftRole.LEAD: _(
        "{assigned} station leads are already assigned to this shift: it cannot need fewer."
    ),
    ShiftRole.VOLUNTEER: _(
        "{assigned} volunteers are already assigned to this shift: it cannot need fewer."
    ),
    ShiftRole.MECHANIC: _(
        "{assigned} mechanics are already assigned to this shift: it cannot need fewer."
    ),
    ShiftRole.MEDIC: _(
        "{assigned} medics are already assigned to this shift: it cannot need fewer."
    ),
    ShiftRole.BROADCASTER: _(
        "{assigned} broadcasters are already assigned to this shift: it cannot need fewer."
    ),
}

Slot = tuple[dt.time, dt.time]


async def create_shift(
    station: Station,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    needs: dict[str, int],
    by: Actor,
    note: str = "",
) -> Shift:
    station_id = _station_id(station)
    starts_at, ends_at = _checked_window(starts_at, ends_at)
    checked_needs = check_needs(needs)
    note = _checked_note(note)
    async with in_transaction():
        station = await _station_taking_shifts(station_id)
        _check_within_campaign(station, starts_at, ends_at)
        if await Shift.exists(
            station_id=station.id, starts_at=starts_at, ends_at=ends_at, status=ShiftStatus.ACTIVE
        ):
            raise _duplicate_shift(station, starts_at, ends_at)
        shift = await Shift.create(
            station=station,
            starts_at=starts_at,
            ends_at=ends_at,
            needs=checked_needs,
            note=note,
            status=ShiftStatus.ACTIVE,
        )
        await record_event(
            by,
            "shift.created",
            object_type="shift",
            object_id=shift.id,
            data={
                "station_id": station.id,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "needs": checked_needs,
                "note": note,
            },
        )
    return shift


async def generate_shift_pattern(
    station: Station,
    *,
    start_date: dt.date,
    end_date: dt.date,
    slots: list[Slot],
    needs: dict[str, int],
    by: Actor,
) -> list[Shift]:
    """Create the same daily slots (Vietnam time) on every day from ``start_date`` to
    ``end_date``; a slot ending at or before its start ends the next day.

    A slot already at the station with the same start and end (even a cancelled one: the
    coordinator cancelled it on purpose) is skipped, so running a pattern again is safe.
    Returns only the shifts created.
    """
    station_id = _station_id(station)
    start_date = check_calendar_date(start_date, field="start_date")
    end_date = check_calendar_date(end_date, field="end_date")
    if end_date < start_date:
        raise InvalidInput(_("The last day cannot be before the first day."), field="end_date")
    day_count = (end_date - start_date).days + 1
    if day_count > MAX_PATTERN_DAYS:
        raise InvalidInput(
            _("A pattern can cover at most {max} days at a time."),
            field="end_date",
            max=MAX_PATTERN_DAYS,
        )
    daily_slots = check_slots(slots)
    checked_needs = check_needs(needs)
    windows = [
        _slot_window(start_date + dt.timedelta(days=offset), slot)
        for offset in range(day_count)
        for slot in daily_slots
    ]
    async with in_transaction():
        station = await _station_taking_shifts(station_id, lock=True)
        first_moment, last_moment = shift_bounds(station.campaign)
        if windows[0][0] < first_moment:
            raise outside_campaign_error(station.campaign, field="start_date")
        if max(end for _start, end in windows) > last_moment:
            raise outside_campaign_error(station.campaign, field="end_date")
        existing = set(
            await Shift.filter(
                station_id=station.id,
                starts_at__gte=windows[0][0],
                starts_at__lte=windows[-1][0],
            ).values_list("starts_at", "ends_at")
        )
        missing = [window for window in windows if window not in existing]
        if not missing:
            return []
        await Shift.bulk_create(
            [
                Shift(
                    station_id=station.id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    needs=dict(checked_needs),
                    status=ShiftStatus.ACTIVE,
                )
                for starts_at, ends_at in missing
            ]
        )
        # bulk_create does not hand back ids on every backend: read the new rows back.
        wanted = set(missing)
        created = [
            shift
            for shift in await Shift.filter(
                station_id=station.id,
                starts_at__gte=missing[0][0],
                starts_at__lte=missing[-1][0],
            ).order_by("starts_at", "id")
            if (shift.starts_at, shift.ends_at) in wanted
        ]
        await record_event(
            by,
            "shift.pattern_generated",
            object_type="station",
            object_id=station.id,
            data={
                "start_date": start_date.isoformat(),
                "end_date": end_date.isoformat(),
                "slots": [_slot_label(slot) for slot in daily_slots],
                "needs": checked_needs,
                "created": len(created),
                "skipped": len(windows) - len(missing),
                "shift_ids": [shift.id for shift in created],
            },
        )
    return created


async def update_shift(
    shift: Shift,
    *,
    by: Actor,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    needs: dict[str, int] | None = None,
    note: str | None = None,
) -> Shift:
    """Change a shift's times, needs or note.

    When the times change, every volunteer still on the shift is told through the outbox
    and their pending reminders are cancelled (the scheduler queues new ones). Needs cannot
    drop below the people already assigned to a role.
    """
    shift_id = _shift_id(shift)
    if starts_at is not None:
        check_aware_datetime(starts_at, field="starts_at")
    if ends_at is not None:
        check_aware_datetime(ends_at, field="ends_at")
    new_needs = check_needs(needs) if needs is not None else None
    new_note = _checked_note(note) if note is not None else None
    async with in_transaction():
        current = await _locked_active_shift(shift_id)
        station = await _station_taking_shifts(
            current.station_id,  # type: ignore[attr-defined]
            require_active=False,
        )
        new_starts_at, new_ends_at = _checked_window(
            starts_at if starts_at is not None else current.starts_at,
            ends_at if ends_at is not None else current.ends_at,
            blame="starts_at" if ends_at is None else "ends_at",
        )
        moved = (new_starts_at, new_ends_at) != (current.starts_at, current.ends_at)
        assignments = await _locked_active_assignments(current.id)
        if moved:
            _check_within_campaign(station, new_starts_at, new_ends_at)
            if new_starts_at != current.starts_at and _on_site(assignments):
                raise Conflict(
                    _("People have already checked in to this shift, so its start cannot move."),
                    field="starts_at",
                )
            if (
                await Shift.filter(
                    station_id=station.id,
                    starts_at=new_starts_at,
                    ends_at=new_ends_at,
                    status=ShiftStatus.ACTIVE,
                )
                .exclude(id=current.id)
                .exists()
            ):
                raise _duplicate_shift(station, new_starts_at, new_ends_at)
            await _check_crew_free(
                assignments,
                current.id,
                new_starts_at,
                new_ends_at,
                field="starts_at" if new_starts_at != current.starts_at else "ends_at",
            )
        if new_needs is not None:
            _check_needs_cover_assigned(new_needs, assignments)

        changes: dict[str, Any] = {}
        if moved:
            changes.update(starts_at=new_starts_at, ends_at=new_ends_at)
        if new_needs is not None and new_needs != current.needs:
            changes["needs"] = new_needs
        if new_note is not None and new_note != current.note:
            changes["note"] = new_note
        if not changes:
            return shift
        await Shift.filter(id=current.id).update(**changes, updated_at=clock.now())
        if moved:
            for assignment in assignments:
                await _tell_shift_moved(assignment, station, current, new_starts_at, new_ends_at)
        await record_event(
            by,
            "shift.updated",
            object_type="shift",
            object_id=current.id,
            data=audit_pairs(current, changes)
            | {"notified_assignment_ids": [a.id for a in assignments] if moved else []},
        )
    for field, value in changes.items():
        setattr(shift, field, value)
    return shift


async def cancel_shift(shift: Shift, *, reason: str, by: Actor) -> Shift:
    """Cancel a shift nobody has checked in to yet.

    Its active assignments are cancelled, each volunteer is told why through the outbox,
    and their pending reminders are withdrawn.
    """
    shift_id = _shift_id(shift)
    reason = _checked_reason(reason)
    async with in_transaction():
        current = await _locked_active_shift(shift_id)
        station = await _station_taking_shifts(
            current.station_id,  # type: ignore[attr-defined]
            require_active=False,
        )
        assignments = await _locked_active_assignments(current.id)
        if _on_site(assignments):
            raise Conflict(
                _("People have already checked in to this shift, so it cannot be cancelled."),
                field="shift",
            )
        now = clock.now()
        await Shift.filter(id=current.id).update(status=ShiftStatus.CANCELLED, updated_at=now)
        if assignments:
            # Only the statuses decided on above: the rows are locked, so a difference here
            # means a writer that skipped the lock, and the whole cancellation is undone.
            cancelled = await Assignment.filter(
                id__in=[a.id for a in assignments], status__in=_NOT_YET_ARRIVED_STATUSES
            ).update(status=AssignmentStatus.CANCELLED, updated_at=now)
            if cancelled != len(assignments):
                raise Conflict(
                    _("The people on this shift changed while it was being cancelled: try again."),
                    field="shift",
                )
        for assignment in assignments:
            await _tell_shift_cancelled(assignment, station, current, reason)
        await record_event(
            by,
            "shift.cancelled",
            object_type="shift",
            object_id=current.id,
            data={"reason": reason, "cancelled_assignment_ids": [a.id for a in assignments]},
        )
    shift.status = ShiftStatus.CANCELLED
    return shift


def check_needs(needs: object) -> dict[str, int]:
    """``{"Lead": 1, "volunteer": 4, "medic": 0}`` → ``{"lead": 1, "volunteer": 4}``.

    Roles come from ``ShiftRole``; each count is 0 to 100 and at least one person is needed.
    Zero counts are dropped: a role that is not listed needs nobody.
    """
    if not isinstance(needs, Mapping):
        raise InvalidInput(_("Say how many people the shift needs in each role."), field="needs")
    counts: dict[ShiftRole, int] = {}
    for raw_role, count in needs.items():
        role = _parse_role(raw_role)
        if role in counts:
            raise InvalidInput(
                _("The role {role} is listed twice."), field="needs", role=ROLE_LABELS[role]
            )
        counts[role] = check_whole_number(
            count,
            field="needs",
            minimum=0,
            maximum=MAX_NEED_PER_ROLE,
            message=_(
                "The number of people needed as {role} must be a whole number from 0 to {max}."
            ),
            role=ROLE_LABELS[role],
        )
    if sum(counts.values()) < 1:
        raise InvalidInput(_("A shift needs at least one person."), field="needs")
    return {role.value: counts[role] for role in ShiftRole if counts.get(role)}


def check_slots(slots: object) -> list[Slot]:
    """The daily slots of a pattern as wall-clock times, in order, none overlapping."""
    if not isinstance(slots, Sequence) or isinstance(slots, str) or not slots:
        raise InvalidInput(_("Give at least one time slot."), field="slots")
    if len(slots) > MAX_SLOTS_PER_DAY:
        raise InvalidInput(
            _("A pattern can have at most {max} slots a day."), field="slots", max=MAX_SLOTS_PER_DAY
        )
    checked: list[Slot] = []
    for slot in slots:
        if (
            not isinstance(slot, Sequence)
            or len(slot) != 2
            or not all(isinstance(moment, dt.time) for moment in slot)
        ):
            raise InvalidInput(_("Each slot is a start time and an end time."), field="slots")
        checked.append((_wall_clock(slot[0]), _wall_clock(slot[1])))
    checked.sort()
    for index, first in enumerate(checked):
        for second in checked[index + 1 :]:
            if _slots_overlap(first, second):
                raise InvalidInput(
                    _("The slots {first} and {second} overlap."),
                    field="slots",
                    first=_slot_label(first),
                    second=_slot_label(second),
                )
    return checked


def _station_id(station: object) -> int:
    return check_saved(station, Station, field="station", message=_("Choose a saved station."))


def _shift_id(shift: object) -> int:
    return check_saved(shift, Shift, field="shift", message=_("Choose a saved shift."))


async def _station_taking_shifts(
    station_id: int, *, require_active: bool = True, lock: bool = False
) -> Station:
    query = Station.filter(id=station_id)
    if lock:
        # Serialises pattern runs for one station on PostgreSQL (SQLite has one writer).
        query = query.select_for_update()
    station = await query.first()
    if station is None:
        raise NotFound(_("This station no longer exists."), field="station")
    station.campaign = await open_campaign_of(station.campaign_id)  # type: ignore[attr-defined]
    if require_active and not station.is_active:
        raise Conflict(
            _("The station {station} is not active: it takes no new shifts."),
            field="station",
            station=station.name,
        )
    return station


async def _locked_active_shift(shift_id: int) -> Shift:
    current = await Shift.filter(id=shift_id).select_for_update().first()
    if current is None:
        raise NotFound(_("This shift no longer exists."), field="shift")
    if current.status is not ShiftStatus.ACTIVE:
        raise InvalidTransition(_("This shift is already cancelled."), field="status")
    return current


async def _locked_active_assignments(shift_id: int) -> list[Assignment]:
    """The shift's active assignments as they are now, with their volunteers, every one of
    the shift's assignment rows locked until the transaction ends.

    Taken after the shift's lock, in id order. ``check_in`` and ``decline_assignment`` lock
    only the assignment (never the shift), so this order cannot deadlock with them, and a
    check-in or decline committed while this waits is read here, not overwritten later.
    All rows, not only the active ones: a volunteer marked no-show can still check in.
    """
    locked = (
        await Assignment.filter(shift_id=shift_id).select_for_update(no_key=True).order_by("id")
    )
    active = [a for a in locked if a.status in ACTIVE_ASSIGNMENT_STATUSES]
    if active:
        await Assignment.fetch_for_list(active, "volunteer")
    return active


def _on_site(assignments: list[Assignment]) -> bool:
    return any(assignment.status in _ON_SITE_STATUSES for assignment in assignments)


async def _check_crew_free(
    assignments: list[Assignment],
    shift_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    field: str,
) -> None:
    """Refuse a move that puts someone on the shift on another shift at the same time."""
    volunteer_ids = sorted({a.volunteer_id for a in assignments})  # type: ignore[attr-defined]
    if not volunteer_ids:
        return
    # Locked after the shift and its assignments, in id order, as assign_volunteer locks a
    # volunteer after the shift: an assignment to an overlapping shift, or a move of another
    # of their shifts, waits for this move and then sees its new times (and vice versa).
    await Volunteer.filter(id__in=volunteer_ids).select_for_update(no_key=True).order_by("id")
    collision = await first_overlapping_assignment(
        volunteer_ids, starts_at, ends_at, excluding_shift_id=shift_id
    )
    if collision is not None:
        other = collision.shift
        raise ShiftOverlap(
            _("Moving this shift would put {name} on two shifts at once: {station}, {window}."),
            field=field,
            name=collision.volunteer.full_name,
            station=other.station.name,
            # The window reads the same in both languages (dd/mm/yyyy, 24-hour clock).
            window=format_window(other.starts_at, other.ends_at, None),
        )


def _check_needs_cover_assigned(needs: dict[str, int], assignments: list[Assignment]) -> None:
    assigned = Counter(ShiftRole(assignment.role) for assignment in assignments)
    for role in ShiftRole:
        if assigned[role] > needs.get(role.value, 0):
            raise CapacityExceeded(
                _NEEDS_BELOW_ASSIGNED[role], field="needs", role=role.value, assigned=assigned[role]
            )


def _checked_window(
    starts_at: object, ends_at: object, *, blame: str = "ends_at"
) -> tuple[dt.datetime, dt.datetime]:
    """Both moments aware and in UTC, in order, at most a day apart. ``blame`` is the field
    to point at when they are not: the one the person just changed."""
    starts = check_aware_datetime(starts_at, field="starts_at").astimezone(dt.UTC)
    ends = check_aware_datetime(ends_at, field="ends_at").astimezone(dt.UTC)
    if ends <= starts:
        raise InvalidInput(_("A shift must end after it starts."), field=blame)
    if ends - starts > MAX_SHIFT_LENGTH:
        raise InvalidInput(
            _("A shift can last at most {hours} hours."),
            field=blame,
            hours=int(MAX_SHIFT_LENGTH.total_seconds() // 3600),
        )
    return starts, ends


def _check_within_campaign(station: Station, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    first_moment, last_moment = shift_bounds(station.campaign)
    if starts_at < first_moment:
        raise outside_campaign_error(station.campaign, field="starts_at")
    if ends_at > last_moment:
        raise outside_campaign_error(station.campaign, field="ends_at")


def _duplicate_shift(station: Station, starts_at: dt.datetime, ends_at: dt.datetime) -> Conflict:
    return Conflict(
        _("The station {station} already has a shift {window}."),
        field="starts_at",
        station=station.name,
        window=format_window(starts_at, ends_at, None),
    )


def _checked_note(note: object) -> str:
    return check_optional_text(
        note,
        field="note",
        max_length=NOTE_MAX_LENGTH,
        too_long=_("A note can be at most {max} characters."),
    )


def _checked_reason(reason: object) -> str:
    return check_required_text(
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        message=_("Give a reason of 1 to {max} characters: the volunteers will read it."),
    )


def _parse_role(raw_role: object) -> ShiftRole:
    return check_choice(
        raw_role,
        ShiftRole,
        field="needs",
        message=_("Unknown role {role}; choose from: {choices}."),
        role=str(raw_role),
    )


def _wall_clock(moment: dt.time) -> dt.time:
    # Slots are Vietnam wall-clock times: whatever zone label a time carries is dropped.
    return moment.replace(tzinfo=None)


def _slot_minutes(slot: Slot) -> tuple[int, int]:
    start = slot[0].hour * 60 + slot[0].minute
    end = slot[1].hour * 60 + slot[1].minute
    return start, end if end > start else end + _MINUTES_PER_DAY


def _slots_overlap(first: Slot, second: Slot) -> bool:
    # Slots repeat every day, so compare the second with its copies a day either side too.
    first_start, first_end = _slot_minutes(first)
    second_start, second_end = _slot_minutes(second)
    return any(
        max(first_start, second_start + shift) < min(first_end, second_end + shift)
        for shift in (-_MINUTES_PER_DAY, 0, _MINUTES_PER_DAY)
    )


def _slot_window(day: dt.date, slot: Slot) -> tuple[dt.datetime, dt.datetime]:
    starts = dt.datetime.combine(day, slot[0], tzinfo=VN_TZ)
    end_day = day if slot[1] > slot[0] else day + dt.timedelta(days=1)
    ends = dt.datetime.combine(end_day, slot[1], tzinfo=VN_TZ)
    return starts.astimezone(dt.UTC), ends.astimezone(dt.UTC)


def _slot_label(slot: Slot) -> str:
    return f"{slot[0]:%H:%M}–{slot[1]:%H:%M}"


async def _tell_shift_moved(
    assignment: Assignment,
    station: Station,
    old: Shift,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> None:
    volunteer = assignment.volunteer
    window_key = f"{starts_at.isoformat()}:{ends_at.isoformat()}"
    await notify_volunteer(
        volunteer,
        kind="shift_moved",
        message=SHIFT_MOVED if station.address else SHIFT_MOVED_NO_ADDRESS,
        # Keyed by the whole new window, so a move that keeps an earlier move's start (a
        # second change of the end) is a notice of its own, not a repeat of that one.
        dedupe_key=f"shift-moved:{old.id}:{assignment.id}:{window_key}",
        expires_at=ends_at,
        station=station.name,
        window=format_window(starts_at, ends_at, volunteer.language),
        old_window=format_window(old.starts_at, old.ends_at, volunteer.language),
        address=station.address,
    )
    await cancel_pending(dedupe_prefix=f"reminder:{assignment.id}:", reason="shift moved")


async def _tell_shift_cancelled(
    assignment: Assignment, station: Station, shift: Shift, reason: str
) -> None:
    volunteer = assignment.volunteer
    await notify_volunteer(
        volunteer,
        kind="shift_cancelled",
        message=SHIFT_CANCELLED if station.address else SHIFT_CANCELLED_NO_ADDRESS,
        dedupe_key=f"shift-cancelled:{shift.id}:{assignment.id}",
        expires_at=shift.ends_at,
        station=station.name,
        window=format_window(shift.starts_at, shift.ends_at, volunteer.language),
        reason=reason,
        address=station.address,
    )
    await cancel_pending(dedupe_prefix=f"reminder:{assignment.id}:", reason="shift cancelled")
