"""Assignments: a volunteer on a shift, from assignment through check-in to check-out.

Every service here locks the row it changes (``SELECT … FOR NO KEY UPDATE`` on PostgreSQL;
SQLite runs one writer at a time), re-reads its state inside the transaction, and writes
the change, its audit event and any message to the volunteer together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    ActorKind,
    AssignmentStatus,
    CampaignStatus,
    Language,
    ShiftRole,
    ShiftStatus,
)
from stations.formatting import format_date, format_time, format_window
from stations.i18n import _, translate
from stations.labels import ROLE_LABELS
from stations.models import Assignment, Shift, Volunteer
from stations.services import geo
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import (
    CapacityExceeded,
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ShiftOverlap,
)
from stations.services.outbox import cancel_pending, notify_volunteer
from stations.services.overlaps import first_overlapping_assignment
from stations.services.queries.station_leads import station_leads
from stations.text import clean

#: How long before its start a shift opens for check-in.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=60)
#: Worked time is capped at the shift's length plus this much: a forgotten check-out the
#: next morning must not count as a night's work.
WORKED_TIME_SLACK = dt.timedelta(hours=2)
MAX_REASON_LENGTH = 500

#: Statuses the scheduler and the bot read as "the volunteer is still expected".
PENDING_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED)
#: Statuses a check-in starts from: the scheduler marks no-shows 15 minutes into a shift,
#: and someone who arrives later must still be able to check in while the shift runs.
CHECKIN_FROM_STATUSES = (*PENDING_STATUSES, AssignmentStatus.NO_SHOW)
_ACTIVE_STATUSES = sorted(ACTIVE_ASSIGNMENT_STATUSES)


# Whole sentences per role rather than a translated label in a slot: an error is
# translated later, for a reader this module does not know, and only its msgid travels.
_ROLE_FULL: dict[ShiftRole, str] = {
    ShiftRole.LEAD: _("This shift already has all the station leads it needs ({needed})."),
    ShiftRole.VOLUNTEER: _("This shift already has all the volunteers it needs ({needed})."),
    ShiftRole.MECHANIC: _("This shift already has all the mechanics it needs ({needed})."),
    ShiftRole.MEDIC: _("This shift already has all the medics it needs ({needed})."),
    ShiftRole.BROADCASTER: _("This shift already has all the broadcasters it needs ({needed})."),
}
_ROLE_NOT_NEEDED: dict[ShiftRole, str] = {
    ShiftRole.LEAD: _("This shift does not need a station lead."),
    ShiftRole.VOLUNTEER: _("This shift does not need volunteers."),
    ShiftRole.MECHANIC: _("This shift does not need a mechanic."),
    ShiftRole.MEDIC: _("This shift does not need a medic."),
    ShiftRole.BROADCASTER: _("This shift does not need a broadcaster."),
}
#: Why an assignment in this status cannot make the asked-for move, in words.
_STATUS_BLOCKS: dict[AssignmentStatus, str] = {
    AssignmentStatus.ASSIGNED: _("The volunteer has not checked in yet."),
    AssignmentStatus.CONFIRMED: _("The volunteer has confirmed but has not checked in yet."),
    AssignmentStatus.CHECKED_IN: _("The volunteer has already checked in for this shift."),
    AssignmentStatus.CHECKED_OUT: _("The volunteer has already checked out of this shift."),
    AssignmentStatus.DECLINED: _("The volunteer has declined this shift."),
    AssignmentStatus.CANCELLED: _("This assignment has been cancelled."),
    AssignmentStatus.NO_SHOW: _("The volunteer was marked as a no-show for this shift."),
}
_SHIFT_CANCELLED = _("This shift has been cancelled.")
_SHIFT_ENDED = _("This shift has already ended.")


@dataclass(frozen=True, slots=True)
class CheckInResult:
    assignment: Assignment
    #: metres from the station, when both a location was sent and the station has one
    distance_m: int | None
    verified: bool
    #: the volunteer had checked in before; nothing was changed
    already: bool


def role_label(role: ShiftRole | str, language: str | Language | None) -> str:
    """A role's name for a reader: "trưởng trạm" / "station lead"."""
    return translate(ROLE_LABELS[_check_role(role)], language)


async def assign_volunteer(
    shift: Shift,
    volunteer: Volunteer,
    *,
    role: ShiftRole | str = ShiftRole.VOLUNTEER,
    by: Actor,
) -> Assignment:
    """Put ``volunteer`` on ``shift`` in ``role``.

    Refuses a shift that is cancelled or over, a shift of a closed campaign or an inactive
    station, a role the shift does not need or has filled, a volunteer already on it (or
    marked a no-show on it) or on an overlapping shift. Reactivates an earlier
    declined or cancelled assignment to the same shift instead of adding a row. Writes an
    audit event and queues an "assigned" message to the volunteer.
    """
    role = _check_role(role)
    now = clock.now()
    async with in_transaction():
        # Locks are always taken shift first, then volunteer, so two assigns cannot deadlock;
        # the shift lock serialises the head-count, the volunteer lock the overlap check.
        shift = await _lock_shift(shift.id)
        volunteer = await _lock_volunteer(volunteer.id)
        if shift.status == ShiftStatus.CANCELLED:
            raise Conflict(_SHIFT_CANCELLED, field="shift")
        _check_station_takes_assignments(shift)
        if now >= shift.ends_at:
            raise Conflict(_SHIFT_ENDED, field="shift")
        needed = _needed(shift, role)
        if needed <= 0:
            raise InvalidInput(_ROLE_NOT_NEEDED[role], field="role")

        existing = await Assignment.get_or_none(shift_id=shift.id, volunteer_id=volunteer.id)
        if existing is not None and existing.status in ACTIVE_ASSIGNMENT_STATUSES:
            raise Conflict(
                _("{name} is already on this shift."), field="volunteer", name=volunteer.full_name
            )
        if existing is not None and existing.status == AssignmentStatus.NO_SHOW:
            raise Conflict(
                _("{name} was marked as a no-show on this shift."),
                field="volunteer",
                name=volunteer.full_name,
            )

        if await _filled(shift, role) >= needed:
            raise CapacityExceeded(_ROLE_FULL[role], field="role", needed=needed)
        await _check_no_overlap(shift, volunteer)

        if existing is None:
            assignment = await _insert_assignment(shift, volunteer, role)
            action = "assignment.assigned"
        else:
            assignment = await _reactivate(existing, role)
            action = "assignment.reassigned"
        await record_event(
            by,
            action,
            object_type="assignment",
            object_id=assignment.id,
            data={"shift_id": shift.id, "volunteer_id": volunteer.id, "role": role.value},
        )
        assignment.shift = shift
        assignment.volunteer = volunteer
        await _notify_assigned(assignment, now)
    return assignment


async def confirm_assignment(assignment: Assignment, *, by: Actor) -> Assignment:
    """The volunteer says they will come. Confirming twice changes nothing."""
    now = clock.now()
    async with in_transaction():
        assignment = await _lock_assignment(assignment.id, by)
        if assignment.status == AssignmentStatus.CONFIRMED:
            return assignment
        _check_status(assignment, AssignmentStatus.ASSIGNED)
        _check_shift_not_over(assignment.shift, now)
        return await _move(assignment, AssignmentStatus.CONFIRMED, by=by)


async def decline_assignment(assignment: Assignment, *, by: Actor, reason: str = "") -> Assignment:
    """The volunteer cannot come: the slot is freed and pending reminders are cancelled."""
    reason = _check_reason(reason)
    now = clock.now()
    async with in_transaction():
        assignment = await _lock_assignment(assignment.id, by)
        if assignment.status == AssignmentStatus.DECLINED:
            return assignment
        _check_status(assignment, *PENDING_STATUSES)
        if now >= assignment.shift.starts_at:
            raise InvalidTransition(
                _("The shift has already started, so it can no longer be declined."),
                field="shift",
            )
        assignment = await _move(assignment, AssignmentStatus.DECLINED, by=by, reason=reason)
        await _cancel_reminders(assignment, reason or "declined")
        await _tell_leads_declined(assignment, now, reason)
        return assignment


async def cancel_assignment(assignment: Assignment, *, by: Actor, reason: str = "") -> Assignment:
    """A coordinator takes the volunteer off the shift.

    Frees the slot, cancels pending reminders and queues an "unassigned" message.
    """
    reason = _check_reason(reason)
    now = clock.now()
    async with in_transaction():
        assignment = await _lock_assignment(assignment.id, by)
        if assignment.status == AssignmentStatus.CANCELLED:
            return assignment
        _check_status(assignment, *PENDING_STATUSES)
        if now >= assignment.shift.ends_at:
            raise InvalidTransition(_SHIFT_ENDED, field="shift")
        assignment = await _move(assignment, AssignmentStatus.CANCELLED, by=by, reason=reason)
        await _cancel_reminders(assignment, reason or "unassigned")
        await _notify_unassigned(assignment, now, reason)
        return assignment


async def check_in(
    assignment: Assignment,
    *,
    by: Actor,
    latitude: float | None = None,
    longitude: float | None = None,
) -> CheckInResult:
    """The volunteer arrives, with or without their location.

    Within the station's check-in radius the check-in is verified; outside it, without a
    location, or at a station with no coordinates it is recorded but left unverified for a
    coordinator to look at. Checking in again changes nothing.

    A volunteer marked as a no-show can still check in until the shift ends (they came
    late); the audit event says so. Their slot was freed by the no-show, so the check-in
    is refused if they have since been put on an overlapping shift, and accepted (flagged
    ``over_need`` in the audit event) if someone else has since filled their role: the
    person is at the station. A closed campaign does not stop check-in: closing is
    bookkeeping that can come before the last records from the field.
    """
    location = _check_location(latitude, longitude)
    now = clock.now()
    async with in_transaction():
        assignment = await _lock_assignment(assignment.id, by)
        if assignment.status in (AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT):
            return CheckInResult(
                assignment=assignment,
                distance_m=assignment.checkin_distance_m,
                verified=bool(assignment.checkin_verified),
                already=True,
            )
        _check_status(assignment, *CHECKIN_FROM_STATUSES)
        was_no_show = assignment.status == AssignmentStatus.NO_SHOW
        shift = assignment.shift
        if shift.status == ShiftStatus.CANCELLED:
            raise InvalidTransition(_SHIFT_CANCELLED, field="shift")
        opens_at = shift.starts_at - CHECKIN_OPENS_BEFORE
        if now < opens_at:
            raise Conflict(
                _("Check-in opens at {opens}, {minutes} minutes before the shift starts."),
                field="shift",
                opens=_moment(opens_at),
                minutes=int(CHECKIN_OPENS_BEFORE.total_seconds() // 60),
            )
        if now >= shift.ends_at:
            raise Conflict(
                _("This shift ended at {ends}; it is too late to check in."),
                field="shift",
                ends=_moment(shift.ends_at),
            )
        reversal: dict[str, object] = {"was_no_show": was_no_show}
        if was_no_show:
            # The lock assign_volunteer takes for its overlap check, taken last as there: an
            # assign to an overlapping shift cannot slip in between this check and the save.
            volunteer = await _lock_volunteer(assignment.volunteer_id)  # type: ignore[attr-defined]
            await _check_no_overlap(shift, volunteer)
            role = ShiftRole(assignment.role)
            reversal["over_need"] = await _filled(shift, role) >= _needed(shift, role)

        station = shift.station
        distance: int | None = None
        if location is not None and station.latitude is not None and station.longitude is not None:
            distance = round(geo.distance_m(*location, station.latitude, station.longitude))
        verified = distance is not None and distance <= station.checkin_radius_m

        assignment.status = AssignmentStatus.CHECKED_IN
        assignment.checked_in_at = now
        assignment.checkin_latitude, assignment.checkin_longitude = location or (None, None)
        assignment.checkin_distance_m = distance
        assignment.checkin_verified = verified
        await assignment.save(
            update_fields=[
                "status",
                "checked_in_at",
                "checkin_latitude",
                "checkin_longitude",
                "checkin_distance_m",
                "checkin_verified",
                "updated_at",
            ]
        )
        await record_event(
            by,
            "assignment.checked_in",
            object_type="assignment",
            object_id=assignment.id,
            data={
                **_event_data(assignment),
                "located": location is not None,
                "distance_m": distance,
                "verified": verified,
                **reversal,
            },
        )
        return CheckInResult(
            assignment=assignment, distance_m=distance, verified=verified, already=False
        )


async def check_out(assignment: Assignment, *, by: Actor, auto: bool = False) -> Assignment:
    """The volunteer leaves; ``auto`` when the scheduler closes a forgotten check-in.

    An automatic check-out is dated at the shift's end, not at the moment it runs.
    Checking out again changes nothing.
    """
    now = clock.now()
    async with in_transaction():
        assignment = await _lock_assignment(assignment.id, by)
        if assignment.status == AssignmentStatus.CHECKED_OUT:
            return assignment
        _check_status(assignment, AssignmentStatus.CHECKED_IN)
        shift = assignment.shift
        checked_out_at = min(now, shift.ends_at) if auto else now
        # A row checked in without a time (an import, an old client) counts from the start.
        checked_in_at = assignment.checked_in_at or shift.starts_at
        assignment.status = AssignmentStatus.CHECKED_OUT
        assignment.checked_out_at = checked_out_at
        assignment.auto_checked_out = auto
        assignment.worked_minutes = worked_minutes(shift, checked_in_at, checked_out_at)
        await assignment.save(
            update_fields=[
                "status",
                "checked_out_at",
                "auto_checked_out",
                "worked_minutes",
                "updated_at",
            ]
        )
        await record_event(
            by,
            "assignment.checked_out",
            object_type="assignment",
            object_id=assignment.id,
            data={
                **_event_data(assignment),
                "auto": auto,
                "worked_minutes": assignment.worked_minutes,
            },
        )
        return assignment


def worked_minutes(shift: Shift, checked_in_at: dt.datetime, checked_out_at: dt.datetime) -> int:
    """Whole minutes between check-in and check-out, never negative, capped (see the slack)."""
    cap = (shift.ends_at - shift.starts_at) + WORKED_TIME_SLACK
    worked = min(max(checked_out_at - checked_in_at, dt.timedelta(0)), cap)
    return int(worked.total_seconds() // 60)


async def mark_no_show(assignment: Assignment, *, by: Actor) -> Assignment:
    """The shift started and the volunteer never checked in. Marking twice changes nothing."""
    now = clock.now()
    async with in_transaction():
        assignment = await _lock_assignment(assignment.id, by)
        if assignment.status == AssignmentStatus.NO_SHOW:
            return assignment
        _check_status(assignment, *PENDING_STATUSES)
        if now < assignment.shift.starts_at:
            raise InvalidTransition(
                _("The shift has not started yet, so no one can be marked as a no-show."),
                field="shift",
            )
        assignment = await _move(assignment, AssignmentStatus.NO_SHOW, by=by)
        await _cancel_reminders(assignment, "no_show")
        return assignment


# --- validation -------------------------------------------------------------------------


def _check_role(role: object) -> ShiftRole:
    if isinstance(role, ShiftRole):
        return role
    if isinstance(role, str):
        try:
            return ShiftRole(clean(role).lower())
        except ValueError:
            pass
    raise InvalidInput(
        _("Choose a role: station lead, volunteer, mechanic, medic or broadcaster."),
        field="role",
    )


def _check_reason(reason: object) -> str:
    if reason is None:
        return ""
    if not isinstance(reason, str):
        raise InvalidInput(_("A reason must be text."), field="reason")
    reason = clean(reason)
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(
            _("A reason can be at most {max} characters."), field="reason", max=MAX_REASON_LENGTH
        )
    return reason


def _check_location(latitude: object, longitude: object) -> tuple[float, float] | None:
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise InvalidInput(
            _("Send both latitude and longitude, or neither."),
            field="latitude" if latitude is None else "longitude",
        )
    return geo.check_coordinates(latitude, longitude)


def _check_status(assignment: Assignment, *allowed: AssignmentStatus) -> None:
    if assignment.status not in allowed:
        status = AssignmentStatus(assignment.status)
        raise InvalidTransition(_STATUS_BLOCKS[status], field="status", status=status.value)


def _check_shift_not_over(shift: Shift, now: dt.datetime) -> None:
    if shift.status == ShiftStatus.CANCELLED:
        raise InvalidTransition(_SHIFT_CANCELLED, field="shift")
    if now >= shift.ends_at:
        raise InvalidTransition(_SHIFT_ENDED, field="shift")


def _check_station_takes_assignments(shift: Shift) -> None:
    station = shift.station
    campaign = station.campaign
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict(
            _("The campaign {campaign} is closed: no new assignments."),
            field="shift",
            campaign=campaign.name,
        )
    if not station.is_active:
        raise Conflict(
            _("{station} is not active: no new assignments."),
            field="shift",
            station=station.name,
        )


def _needed(shift: Shift, role: ShiftRole) -> int:
    try:
        return int((shift.needs or {}).get(role.value, 0))
    except (TypeError, ValueError):
        return 0


async def _filled(shift: Shift, role: ShiftRole) -> int:
    return await Assignment.filter(
        shift_id=shift.id, role=role, status__in=_ACTIVE_STATUSES
    ).count()


async def _check_no_overlap(shift: Shift, volunteer: Volunteer) -> None:
    collision = await first_overlapping_assignment(
        [volunteer.id], shift.starts_at, shift.ends_at, excluding_shift_id=shift.id
    )
    if collision is not None:
        other = collision.shift
        raise ShiftOverlap(
            _("{name} is already on a shift at the same time: {station}, {window}."),
            field="shift",
            name=volunteer.full_name,
            station=other.station.name,
            # The window reads the same in both languages (dd/mm/yyyy, 24-hour clock).
            window=format_window(other.starts_at, other.ends_at, None),
        )


# --- rows -------------------------------------------------------------------------------


async def _lock_shift(shift_id: int) -> Shift:
    # FOR NO KEY UPDATE: serialises assigns to this shift but, unlike FOR UPDATE, does not
    # block other transactions inserting rows that merely reference the shift.
    shift = await Shift.filter(id=shift_id).select_for_update(no_key=True).first()
    if shift is None:
        raise NotFound(_("This shift no longer exists."), field="shift")
    # Station and campaign are read, not locked: the planning services lock a station
    # before its shifts, and taking them in the other order here could deadlock.
    await shift.fetch_related("station__campaign")
    return shift


async def _lock_volunteer(volunteer_id: int) -> Volunteer:
    volunteer = await Volunteer.filter(id=volunteer_id).select_for_update(no_key=True).first()
    if volunteer is None:
        raise NotFound(_("This volunteer no longer exists."), field="volunteer")
    return volunteer


async def _lock_assignment(assignment_id: int, by: Actor) -> Assignment:
    # One statement: the shift, station and volunteer come joined, and only the assignment's
    # row is locked (``of``), as when they were fetched one by one after the lock.
    assignment = (
        await Assignment.filter(id=assignment_id)
        .select_related("shift__station", "volunteer")
        .select_for_update(no_key=True, of=(Assignment._meta.db_table,))
        .first()
    )
    if assignment is None:
        raise NotFound(_("This assignment no longer exists."), field="assignment")
    if by.kind == ActorKind.VOLUNTEER and by.id != assignment.volunteer_id:  # type: ignore[attr-defined]
        raise PermissionDenied(_("You can only change your own shifts."), field="assignment")
    return assignment


async def _insert_assignment(shift: Shift, volunteer: Volunteer, role: ShiftRole) -> Assignment:
    try:
        # A savepoint, so a lost race leaves the outer transaction usable on PostgreSQL.
        async with in_transaction():
            return await Assignment.create(
                shift=shift, volunteer=volunteer, role=role, status=AssignmentStatus.ASSIGNED
            )
    except IntegrityError as exc:
        raise Conflict(
            _("{name} is already on this shift."), field="volunteer", name=volunteer.full_name
        ) from exc


async def _reactivate(assignment: Assignment, role: ShiftRole) -> Assignment:
    assignment.role = role
    assignment.status = AssignmentStatus.ASSIGNED
    assignment.checked_in_at = None
    assignment.checkin_latitude = None
    assignment.checkin_longitude = None
    assignment.checkin_distance_m = None
    assignment.checkin_verified = None
    assignment.checked_out_at = None
    assignment.auto_checked_out = False
    assignment.worked_minutes = None
    await assignment.save()
    return assignment


async def _move(
    assignment: Assignment, status: AssignmentStatus, *, by: Actor, reason: str = ""
) -> Assignment:
    previous = AssignmentStatus(assignment.status)
    assignment.status = status
    await assignment.save(update_fields=["status", "updated_at"])
    data: dict[str, object] = {**_event_data(assignment), "from": previous.value}
    if reason:
        data["reason"] = reason
    await record_event(
        by,
        f"assignment.{status.value}",
        object_type="assignment",
        object_id=assignment.id,
        data=data,
    )
    return assignment


def _event_data(assignment: Assignment) -> dict[str, object]:
    return {
        "shift_id": assignment.shift_id,  # type: ignore[attr-defined]
        "volunteer_id": assignment.volunteer_id,  # type: ignore[attr-defined]
        "status": AssignmentStatus(assignment.status).value,
    }


def _moment(moment: dt.datetime) -> str:
    # "05:00 02/02/2027": the same in both languages.
    return f"{format_time(moment)} {format_date(moment, None)}"


# --- messages to the volunteer ----------------------------------------------------------


async def _notify_assigned(assignment: Assignment, now: dt.datetime) -> None:
    shift, volunteer = assignment.shift, assignment.volunteer
    station = shift.station
    await notify_volunteer(
        volunteer,
        kind="assigned",
        message=_("You have a shift at {station}.\nWhen: {window}\nWhere: {address}\nRole: {role}"),
        dedupe_key=f"assigned:{assignment.id}:{int(now.timestamp())}",
        expires_at=shift.ends_at,
        station=station.name,
        address=station.address or station.name,
        window=format_window(shift.starts_at, shift.ends_at, volunteer.language),
        role=role_label(assignment.role, volunteer.language),
    )


async def _notify_unassigned(assignment: Assignment, now: dt.datetime, reason: str) -> None:
    shift, volunteer = assignment.shift, assignment.volunteer
    if reason:
        message = _("You have been taken off the shift at {station}, {window}. Reason: {reason}")
    else:
        message = _("You have been taken off the shift at {station}, {window}.")
    await notify_volunteer(
        volunteer,
        kind="unassigned",
        message=message,
        dedupe_key=f"unassigned:{assignment.id}:{int(now.timestamp())}",
        expires_at=shift.ends_at,
        station=shift.station.name,
        window=format_window(shift.starts_at, shift.ends_at, volunteer.language),
        reason=reason,
    )


async def _tell_leads_declined(assignment: Assignment, now: dt.datetime, reason: str) -> None:
    """The station lead hears at once that a slot is free again."""
    shift, volunteer = assignment.shift, assignment.volunteer
    leads = (await station_leads([shift.station_id], now=now)).get(shift.station_id, [])
    if reason:
        message = _(
            "{name} can't come to the shift at {station}, {window}, so their place is free "
            "again. Reason: {reason}"
        )
    else:
        message = _(
            "{name} can't come to the shift at {station}, {window}, so their place is free again."
        )
    for lead in leads:
        if lead.id == volunteer.id:
            continue
        await notify_volunteer(
            lead,
            kind="declined",
            message=message,
            dedupe_key=f"declined:{assignment.id}:{lead.id}:{int(now.timestamp())}",
            expires_at=shift.ends_at,
            name=volunteer.full_name,
            station=shift.station.name,
            window=format_window(shift.starts_at, shift.ends_at, lead.language),
            reason=reason,
        )


async def _cancel_reminders(assignment: Assignment, reason: str) -> None:
    await cancel_pending(dedupe_prefix=f"reminder:{assignment.id}:", reason=reason)
