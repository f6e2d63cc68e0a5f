"""Assignments: assign, confirm, decline, cancel, check in and out, no-shows."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
import re
from pathlib import Path

import pytest

from stations.enums import (
    AssignmentStatus,
    CampaignStatus,
    Language,
    NotificationStatus,
    ShiftStatus,
)
from stations.i18n import gettext
from stations.models import Assignment, AuditEvent, Notification, Shift, Station
from stations.services.actor import Actor
from stations.services.assignments import (
    CheckInResult,
    assign_volunteer,
    cancel_assignment,
    check_in,
    check_out,
    confirm_assignment,
    decline_assignment,
    mark_no_show,
    role_label,
    worked_minutes,
)
from stations.services.errors import (
    CapacityExceeded,
    Conflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ShiftOverlap,
)
from stations.services.outbox import enqueue_notification
from tests.factories import (
    make_assignment,
    make_campaign,
    make_shift,
    make_station,
    make_volunteer,
    vn,
)

COORDINATOR = Actor.user(1, "dieuphoi@dongthap.gov.vn")
STATION_LAT, STATION_LON = 10.8076, 105.3436  # the factory station's place
#: ~100 m and ~1.1 km north of the factory station
NEARBY = (10.8085, 105.3436)
FAR_AWAY = (10.8176, 105.3436)


async def tomorrow_shift(
    station: Station | None = None, *, start: int = 6, end: int = 10, **overrides: object
) -> Shift:
    """A shift on 03/02/2027, the day after the test clock's "now"."""
    return await make_shift(
        station, starts_at=vn(2027, 2, 3, start), ends_at=vn(2027, 2, 3, end), **overrides
    )


async def linked_volunteer(**overrides: object):
    return await make_volunteer(telegram_user_id=None, telegram_chat_id=7001, **overrides)


async def row_counts() -> tuple[int, int, int]:
    return (
        await Assignment.all().count(),
        await AuditEvent.all().count(),
        await Notification.all().count(),
    )


async def pending_reminder(assignment: Assignment) -> Notification:
    return await enqueue_notification(
        chat_id=7001,
        kind="reminder",
        text="Nhắc ca trực",
        dedupe_key=f"reminder:{assignment.id}:day_before",
        due_at=vn(2027, 2, 2, 20),
    )


# --- assign -----------------------------------------------------------------------------


async def test_assign_volunteer_creates_an_assigned_row_and_an_audit_event(db, clock):
    shift, volunteer = await tomorrow_shift(), await make_volunteer()

    assignment = await assign_volunteer(shift, volunteer, role="lead", by=COORDINATOR)

    stored = await Assignment.get(id=assignment.id)
    event = await AuditEvent.get(object_type="assignment", object_id=assignment.id)
    assert (stored.status, stored.role, stored.shift_id, stored.volunteer_id) == (
        AssignmentStatus.ASSIGNED,
        "lead",
        shift.id,
        volunteer.id,
    )
    assert (event.action, event.actor_label, event.data) == (
        "assignment.assigned",
        "dieuphoi@dongthap.gov.vn",
        {"shift_id": shift.id, "volunteer_id": volunteer.id, "role": "lead"},
    )


async def test_assign_volunteer_defaults_to_the_volunteer_role(db, clock):
    assignment = await assign_volunteer(
        await tomorrow_shift(), await make_volunteer(), by=COORDINATOR
    )

    assert assignment.role == "volunteer"


async def test_assign_volunteer_accepts_a_role_typed_with_spaces_and_capitals(db, clock):
    assignment = await assign_volunteer(
        await tomorrow_shift(), await make_volunteer(), role=" Lead ", by=COORDINATOR
    )

    assert assignment.role == "lead"


async def test_assign_volunteer_tells_the_volunteer_in_vietnamese(db, clock):
    station = await make_station(name="Trạm Cầu Mỹ Thuận", address="Quốc lộ 1, Cái Bè")
    shift = await tomorrow_shift(station)
    volunteer = await linked_volunteer()

    assignment = await assign_volunteer(shift, volunteer, by=COORDINATOR)

    notification = await Notification.get(volunteer_id=volunteer.id)
    assert (notification.kind, notification.chat_id, notification.dedupe_key) == (
        "assigned",
        7001,
        f"assigned:{assignment.id}:{int(clock.now().timestamp())}",
    )
    assert notification.text == (
        "Bạn được phân công trực tại Trạm Cầu Mỹ Thuận.\n"
        "Thời gian: 06:00–10:00 03/02/2027\n"
        "Địa điểm: Quốc lộ 1, Cái Bè\n"
        "Vai trò: tình nguyện viên"
    )


async def test_assign_volunteer_tells_an_english_reader_in_english(db, clock):
    station = await make_station(name="Trạm Cầu Mỹ Thuận", address="")
    volunteer = await linked_volunteer(language=Language.EN)

    await assign_volunteer(await tomorrow_shift(station), volunteer, role="lead", by=COORDINATOR)

    notification = await Notification.get(volunteer_id=volunteer.id)
    assert notification.text == (
        "You have a shift at Trạm Cầu Mỹ Thuận.\n"
        "When: 06:00–10:00 03/02/2027\n"
        "Where: Trạm Cầu Mỹ Thuận\n"
        "Role: station lead"
    )


async def test_assign_volunteer_without_telegram_queues_no_message(db, clock):
    await assign_volunteer(await tomorrow_shift(), await make_volunteer(), by=COORDINATOR)

    assert await Notification.all().count() == 0


async def test_assign_volunteer_to_a_shift_under_way_is_allowed(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))

    assignment = await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    assert assignment.status == AssignmentStatus.ASSIGNED


async def test_assign_volunteer_to_an_ended_shift_is_refused(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 2), ends_at=vn(2027, 2, 2, 8))
    before = await row_counts()

    with pytest.raises(Conflict) as caught:
        await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    assert (caught.value.field, str(caught.value)) == ("shift", "This shift has already ended.")
    assert await row_counts() == before


async def test_assign_volunteer_to_a_cancelled_shift_is_refused(db, clock):
    shift = await tomorrow_shift(status=ShiftStatus.CANCELLED)

    with pytest.raises(Conflict) as caught:
        await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    assert (caught.value.field, caught.value.translated("vi")) == (
        "shift",
        "Ca trực này đã bị hủy.",
    )
    assert await Assignment.all().count() == 0


@pytest.mark.parametrize("role", ["chef", "", "trưởng trạm", 3, None])
async def test_assign_volunteer_with_an_unknown_role_is_refused(db, clock, role):
    shift, volunteer = await tomorrow_shift(), await make_volunteer()
    before = await row_counts()

    with pytest.raises(InvalidInput) as caught:
        await assign_volunteer(shift, volunteer, role=role, by=COORDINATOR)

    assert caught.value.field == "role"
    assert await row_counts() == before


async def test_assign_volunteer_in_a_role_the_shift_does_not_need_is_refused(db, clock):
    shift = await tomorrow_shift(needs={"lead": 1, "volunteer": 3, "medic": 0})

    with pytest.raises(InvalidInput) as caught:
        await assign_volunteer(shift, await make_volunteer(), role="medic", by=COORDINATOR)

    assert (caught.value.field, caught.value.translated("vi")) == (
        "role",
        "Ca này không cần nhân viên y tế.",
    )
    assert await Assignment.all().count() == 0


async def test_assign_volunteer_over_the_head_count_of_a_role_is_refused(db, clock):
    shift = await tomorrow_shift(needs={"lead": 1, "volunteer": 2})
    for _ in range(2):
        await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)
    before = await row_counts()

    with pytest.raises(CapacityExceeded) as caught:
        await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    assert (caught.value.field, str(caught.value), caught.value.translated("vi")) == (
        "role",
        "This shift already has all the volunteers it needs (2).",
        "Ca này đã đủ tình nguyện viên (2 người).",
    )
    assert await row_counts() == before


async def test_assign_volunteer_counts_head_count_per_role(db, clock):
    shift = await tomorrow_shift(needs={"lead": 1, "volunteer": 1})
    await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    lead = await assign_volunteer(shift, await make_volunteer(), role="lead", by=COORDINATOR)

    with pytest.raises(CapacityExceeded) as caught:
        await assign_volunteer(shift, await make_volunteer(), role="lead", by=COORDINATOR)
    assert lead.role == "lead"
    assert (
        caught.value.translated("en")
        == "This shift already has all the station leads it needs (1)."
    )
    assert caught.value.translated("vi") == "Ca này đã đủ trưởng trạm (1 người)."


async def test_assign_volunteer_does_not_count_declined_or_cancelled_people(db, clock):
    shift = await tomorrow_shift(needs={"volunteer": 1})
    await make_assignment(shift, status=AssignmentStatus.DECLINED)
    await make_assignment(shift, status=AssignmentStatus.CANCELLED)

    assignment = await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    assert assignment.status == AssignmentStatus.ASSIGNED


async def test_assign_volunteer_counts_checked_in_people(db, clock):
    shift = await tomorrow_shift(needs={"volunteer": 1})
    await make_assignment(shift, status=AssignmentStatus.CHECKED_IN)

    with pytest.raises(CapacityExceeded):
        await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)


async def test_assign_volunteer_to_an_overlapping_shift_names_the_colliding_one(db, clock):
    volunteer = await make_volunteer(full_name="Trần Thị Bình")
    busy = await tomorrow_shift(await make_station(name="Trạm Cầu Mỹ Thuận"), start=6, end=10)
    await assign_volunteer(busy, volunteer, by=COORDINATOR)
    other = await tomorrow_shift(
        await make_station(name="Trạm Ngã ba Trung Lương"), start=8, end=12
    )
    before = await row_counts()

    with pytest.raises(ShiftOverlap) as caught:
        await assign_volunteer(other, volunteer, by=COORDINATOR)

    assert (caught.value.field, str(caught.value)) == (
        "shift",
        "Trần Thị Bình is already on a shift at the same time: "
        "Trạm Cầu Mỹ Thuận, 06:00–10:00 03/02/2027.",
    )
    assert caught.value.translated("vi") == (
        "Trần Thị Bình đã được phân công một ca trùng giờ: Trạm Cầu Mỹ Thuận, 06:00–10:00 03/02/2027."
    )
    assert await row_counts() == before


async def test_assign_volunteer_to_a_shift_inside_another_is_refused(db, clock):
    volunteer = await make_volunteer()
    await assign_volunteer(await tomorrow_shift(start=6, end=18), volunteer, by=COORDINATOR)

    with pytest.raises(ShiftOverlap):
        await assign_volunteer(await tomorrow_shift(start=9, end=10), volunteer, by=COORDINATOR)


async def test_assign_volunteer_to_touching_shifts_is_allowed(db, clock):
    volunteer = await make_volunteer()
    morning = await assign_volunteer(
        await tomorrow_shift(start=6, end=10), volunteer, by=COORDINATOR
    )

    midday = await assign_volunteer(
        await tomorrow_shift(start=10, end=14), volunteer, by=COORDINATOR
    )
    early = await assign_volunteer(await tomorrow_shift(start=2, end=6), volunteer, by=COORDINATOR)

    assert [a.status for a in (morning, midday, early)] == [AssignmentStatus.ASSIGNED] * 3


async def test_assign_volunteer_ignores_a_declined_overlapping_shift(db, clock):
    volunteer = await make_volunteer()
    await make_assignment(
        await tomorrow_shift(start=6, end=10), volunteer, status=AssignmentStatus.DECLINED
    )

    assignment = await assign_volunteer(
        await tomorrow_shift(start=8, end=12), volunteer, by=COORDINATOR
    )

    assert assignment.status == AssignmentStatus.ASSIGNED


async def test_assign_volunteer_ignores_an_overlapping_cancelled_shift(db, clock):
    volunteer = await make_volunteer()
    await make_assignment(await tomorrow_shift(status=ShiftStatus.CANCELLED), volunteer)

    assignment = await assign_volunteer(await tomorrow_shift(), volunteer, by=COORDINATOR)

    assert assignment.status == AssignmentStatus.ASSIGNED


async def test_assign_volunteer_twice_to_one_shift_is_refused(db, clock):
    shift, volunteer = await tomorrow_shift(), await make_volunteer(full_name="Lê Văn Cường")
    await assign_volunteer(shift, volunteer, by=COORDINATOR)
    before = await row_counts()

    with pytest.raises(Conflict) as caught:
        await assign_volunteer(shift, volunteer, by=COORDINATOR)

    assert type(caught.value) is Conflict
    assert (caught.value.field, caught.value.translated("vi")) == (
        "volunteer",
        "Lê Văn Cường đã có tên trong ca này.",
    )
    assert await row_counts() == before


@pytest.mark.parametrize("earlier", [AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED])
async def test_assign_volunteer_again_reactivates_the_earlier_row(db, clock, earlier):
    shift, volunteer = await tomorrow_shift(), await make_volunteer()
    old = await make_assignment(
        shift,
        volunteer,
        status=earlier,
        checked_in_at=vn(2027, 2, 3, 6),
        checkin_latitude=10.8,
        checkin_longitude=105.3,
        checkin_distance_m=900,
        checkin_verified=False,
        checked_out_at=vn(2027, 2, 3, 7),
        auto_checked_out=True,
        worked_minutes=60,
    )

    assignment = await assign_volunteer(shift, volunteer, role="lead", by=COORDINATOR)

    stored = await Assignment.get(id=old.id)
    assert assignment.id == old.id
    assert await Assignment.filter(shift_id=shift.id).count() == 1
    assert (
        stored.status,
        stored.role,
        stored.checked_in_at,
        stored.checkin_latitude,
        stored.checkin_longitude,
        stored.checkin_distance_m,
        stored.checkin_verified,
        stored.checked_out_at,
        stored.auto_checked_out,
        stored.worked_minutes,
    ) == (AssignmentStatus.ASSIGNED, "lead", None, None, None, None, None, None, False, None)
    assert await AuditEvent.filter(action="assignment.reassigned").count() == 1


async def test_assign_volunteer_after_a_no_show_is_refused(db, clock):
    shift, volunteer = await tomorrow_shift(), await make_volunteer()
    await make_assignment(shift, volunteer, status=AssignmentStatus.NO_SHOW)

    with pytest.raises(Conflict) as caught:
        await assign_volunteer(shift, volunteer, by=COORDINATOR)

    assert caught.value.field == "volunteer"


async def test_assign_volunteer_on_a_closed_campaign_is_refused(db, clock):
    campaign = await make_campaign(name="Tết Đinh Mùi 2027", status=CampaignStatus.CLOSED)
    shift = await tomorrow_shift(await make_station(campaign))
    volunteer = await linked_volunteer()
    before = await row_counts()

    with pytest.raises(Conflict) as caught:
        await assign_volunteer(shift, volunteer, by=COORDINATOR)

    assert type(caught.value) is Conflict
    assert (caught.value.field, str(caught.value), caught.value.translated("vi")) == (
        "shift",
        "The campaign Tết Đinh Mùi 2027 is closed: no new assignments.",
        "Chiến dịch Tết Đinh Mùi 2027 đã kết thúc, không thể phân công thêm.",
    )
    assert await row_counts() == before


async def test_assign_volunteer_again_on_a_closed_campaign_leaves_the_earlier_row(db, clock):
    campaign = await make_campaign(status=CampaignStatus.CLOSED)
    shift, volunteer = await tomorrow_shift(await make_station(campaign)), await make_volunteer()
    earlier = await make_assignment(shift, volunteer, status=AssignmentStatus.DECLINED)
    before = await row_counts()

    with pytest.raises(Conflict) as caught:
        await assign_volunteer(shift, volunteer, by=COORDINATOR)

    assert caught.value.field == "shift"
    assert (await Assignment.get(id=earlier.id)).status == AssignmentStatus.DECLINED
    assert await row_counts() == before


async def test_assign_volunteer_at_an_inactive_station_is_refused(db, clock):
    station = await make_station(name="Trạm Cầu Mỹ Thuận", is_active=False)
    shift = await tomorrow_shift(station)
    before = await row_counts()

    with pytest.raises(Conflict) as caught:
        await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    assert type(caught.value) is Conflict
    assert (caught.value.field, str(caught.value), caught.value.translated("vi")) == (
        "shift",
        "Trạm Cầu Mỹ Thuận is not active: no new assignments.",
        "Trạm Cầu Mỹ Thuận đã ngừng hoạt động, không thể phân công thêm.",
    )
    assert await row_counts() == before


async def test_assign_volunteer_to_a_deleted_shift_is_not_found(db, clock):
    shift = await tomorrow_shift()
    await Shift.filter(id=shift.id).delete()

    with pytest.raises(NotFound) as caught:
        await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    assert caught.value.field == "shift"


async def test_assign_volunteer_last_slot_race_has_one_winner(db, clock):
    if not db.is_postgres:
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    shift = await tomorrow_shift(needs={"volunteer": 1})
    volunteers = [await make_volunteer() for _ in range(6)]

    results = await asyncio.gather(
        *(assign_volunteer(shift, v, by=COORDINATOR) for v in volunteers),
        return_exceptions=True,
    )

    outcomes = sorted(type(result).__name__ for result in results)
    assert outcomes == ["Assignment"] + ["CapacityExceeded"] * 5
    assert await Assignment.filter(shift_id=shift.id).count() == 1


async def test_assign_volunteer_race_to_overlapping_shifts_has_one_winner(db, clock):
    if not db.is_postgres:
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    volunteer = await make_volunteer()
    shifts = [await tomorrow_shift(start=6, end=10) for _ in range(4)]

    results = await asyncio.gather(
        *(assign_volunteer(shift, volunteer, by=COORDINATOR) for shift in shifts),
        return_exceptions=True,
    )

    outcomes = sorted(type(result).__name__ for result in results)
    assert outcomes == ["Assignment"] + ["ShiftOverlap"] * 3
    assert await Assignment.filter(volunteer_id=volunteer.id).count() == 1


# --- confirm, decline, cancel -----------------------------------------------------------


async def test_confirm_assignment_moves_assigned_to_confirmed(db, clock):
    assignment = await make_assignment(await tomorrow_shift())

    confirmed = await confirm_assignment(assignment, by=COORDINATOR)

    event = await AuditEvent.get(action="assignment.confirmed")
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.CONFIRMED
    assert confirmed.status == AssignmentStatus.CONFIRMED
    assert event.data["from"] == "assigned"


async def test_confirm_assignment_twice_changes_nothing(db, clock):
    assignment = await make_assignment(await tomorrow_shift())
    await confirm_assignment(assignment, by=COORDINATOR)

    again = await confirm_assignment(assignment, by=COORDINATOR)

    assert again.status == AssignmentStatus.CONFIRMED
    assert await AuditEvent.filter(action="assignment.confirmed").count() == 1


async def test_confirm_assignment_by_the_volunteer_themselves_is_allowed(db, clock):
    volunteer = await make_volunteer()
    assignment = await make_assignment(await tomorrow_shift(), volunteer)

    confirmed = await confirm_assignment(
        assignment, by=Actor.volunteer(volunteer.id, volunteer.full_name)
    )

    assert confirmed.status == AssignmentStatus.CONFIRMED


async def test_confirm_assignment_of_someone_else_by_a_volunteer_is_refused(db, clock):
    assignment = await make_assignment(await tomorrow_shift())
    stranger = await make_volunteer()

    with pytest.raises(PermissionDenied) as caught:
        await confirm_assignment(assignment, by=Actor.volunteer(stranger.id, stranger.full_name))

    assert caught.value.field == "assignment"
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (AssignmentStatus.DECLINED, "Tình nguyện viên đã từ chối ca này."),
        (AssignmentStatus.CANCELLED, "Phân công này đã bị hủy."),
        (AssignmentStatus.CHECKED_IN, "Tình nguyện viên đã điểm danh ca này."),
        (AssignmentStatus.CHECKED_OUT, "Tình nguyện viên đã kết thúc ca này."),
        (AssignmentStatus.NO_SHOW, "Tình nguyện viên đã bị ghi vắng mặt ở ca này."),
    ],
)
async def test_confirm_assignment_from_a_closed_status_says_the_status(db, clock, status, message):
    assignment = await make_assignment(await tomorrow_shift(), status=status)

    with pytest.raises(InvalidTransition) as caught:
        await confirm_assignment(assignment, by=COORDINATOR)

    assert (caught.value.field, caught.value.params, caught.value.translated("vi")) == (
        "status",
        {"status": status.value},
        message,
    )
    assert (await Assignment.get(id=assignment.id)).status == status


async def test_confirm_assignment_after_the_shift_ended_is_refused(db, clock):
    assignment = await make_assignment(
        await make_shift(starts_at=vn(2027, 2, 2, 2), ends_at=vn(2027, 2, 2, 6))
    )

    with pytest.raises(InvalidTransition) as caught:
        await confirm_assignment(assignment, by=COORDINATOR)

    assert caught.value.field == "shift"


async def test_confirm_assignment_on_a_cancelled_shift_is_refused(db, clock):
    assignment = await make_assignment(await tomorrow_shift(status=ShiftStatus.CANCELLED))

    with pytest.raises(InvalidTransition) as caught:
        await confirm_assignment(assignment, by=COORDINATOR)

    assert caught.value.field == "shift"


async def test_confirm_assignment_deleted_meanwhile_is_not_found(db, clock):
    assignment = await make_assignment(await tomorrow_shift())
    await Assignment.filter(id=assignment.id).delete()

    with pytest.raises(NotFound) as caught:
        await confirm_assignment(assignment, by=COORDINATOR)

    assert caught.value.field == "assignment"


@pytest.mark.parametrize("status", [AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED])
async def test_decline_assignment_frees_the_slot(db, clock, status):
    shift = await tomorrow_shift(needs={"volunteer": 1})
    assignment = await make_assignment(shift, status=status)

    declined = await decline_assignment(assignment, by=COORDINATOR, reason="  Về quê  ")

    replacement = await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)
    event = await AuditEvent.get(action="assignment.declined")
    assert (declined.status, replacement.status) == (
        AssignmentStatus.DECLINED,
        AssignmentStatus.ASSIGNED,
    )
    assert (event.data["from"], event.data["reason"]) == (status.value, "Về quê")


async def test_decline_assignment_cancels_pending_reminders(db, clock):
    assignment = await make_assignment(await tomorrow_shift())
    reminder = await pending_reminder(assignment)

    await decline_assignment(assignment, by=COORDINATOR)

    assert (await Notification.get(id=reminder.id)).status == NotificationStatus.CANCELLED


async def test_decline_assignment_twice_changes_nothing(db, clock):
    assignment = await make_assignment(await tomorrow_shift())
    await decline_assignment(assignment, by=COORDINATOR)

    again = await decline_assignment(assignment, by=COORDINATOR)

    assert again.status == AssignmentStatus.DECLINED
    assert await AuditEvent.filter(action="assignment.declined").count() == 1


async def test_decline_assignment_after_the_shift_started_is_refused(db, clock):
    assignment = await make_assignment(
        await make_shift(starts_at=vn(2027, 2, 2, 8), ends_at=vn(2027, 2, 2, 12))
    )

    with pytest.raises(InvalidTransition) as caught:
        await decline_assignment(assignment, by=COORDINATOR)

    assert (caught.value.field, caught.value.translated("vi")) == (
        "shift",
        "Ca trực đã bắt đầu nên không thể từ chối nữa.",
    )
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


@pytest.mark.parametrize(
    "status", [AssignmentStatus.CHECKED_IN, AssignmentStatus.CANCELLED, AssignmentStatus.NO_SHOW]
)
async def test_decline_assignment_from_a_closed_status_is_refused(db, clock, status):
    assignment = await make_assignment(await tomorrow_shift(), status=status)

    with pytest.raises(InvalidTransition) as caught:
        await decline_assignment(assignment, by=COORDINATOR)

    assert caught.value.field == "status"


@pytest.mark.parametrize("reason", ["x" * 501, 42])
async def test_decline_assignment_with_a_bad_reason_is_refused(db, clock, reason):
    assignment = await make_assignment(await tomorrow_shift())
    before = await row_counts()

    with pytest.raises(InvalidInput) as caught:
        await decline_assignment(assignment, by=COORDINATOR, reason=reason)

    assert caught.value.field == "reason"
    assert await row_counts() == before
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


async def test_cancel_assignment_frees_the_slot_and_tells_the_volunteer(db, clock):
    station = await make_station(name="Trạm Cầu Mỹ Thuận")
    shift = await tomorrow_shift(station, needs={"volunteer": 1})
    volunteer = await linked_volunteer()
    assignment = await assign_volunteer(shift, volunteer, by=COORDINATOR)
    reminder = await pending_reminder(assignment)

    cancelled = await cancel_assignment(assignment, by=COORDINATOR, reason="Đổi người")

    message = await Notification.get(kind="unassigned")
    event = await AuditEvent.get(action="assignment.cancelled")
    assert cancelled.status == AssignmentStatus.CANCELLED
    assert (await Notification.get(id=reminder.id)).status == NotificationStatus.CANCELLED
    assert message.text == (
        "Bạn đã được rút tên khỏi ca trực tại Trạm Cầu Mỹ Thuận, 06:00–10:00 03/02/2027. "
        "Lý do: Đổi người"
    )
    assert event.data["reason"] == "Đổi người"
    assert (await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)).role == (
        "volunteer"
    )


async def test_cancel_assignment_without_a_reason_says_none(db, clock):
    volunteer = await linked_volunteer(language=Language.EN)
    assignment = await make_assignment(await tomorrow_shift(), volunteer)

    await cancel_assignment(assignment, by=COORDINATOR)

    message = await Notification.get(kind="unassigned")
    station = await Station.get(shifts__assignments__id=assignment.id)
    assert message.text == (
        f"You have been taken off the shift at {station.name}, 06:00–10:00 03/02/2027."
    )


async def test_cancel_assignment_twice_changes_nothing(db, clock):
    assignment = await make_assignment(await tomorrow_shift())
    await cancel_assignment(assignment, by=COORDINATOR)

    again = await cancel_assignment(assignment, by=COORDINATOR)

    assert again.status == AssignmentStatus.CANCELLED
    assert await AuditEvent.filter(action="assignment.cancelled").count() == 1


@pytest.mark.parametrize(
    "status",
    [AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT, AssignmentStatus.DECLINED],
)
async def test_cancel_assignment_from_a_closed_status_is_refused(db, clock, status):
    assignment = await make_assignment(await tomorrow_shift(), status=status)

    with pytest.raises(InvalidTransition) as caught:
        await cancel_assignment(assignment, by=COORDINATOR)

    assert caught.value.field == "status"
    assert (await Assignment.get(id=assignment.id)).status == status


async def test_cancel_assignment_after_the_shift_ended_is_refused(db, clock):
    assignment = await make_assignment(
        await make_shift(starts_at=vn(2027, 2, 2, 2), ends_at=vn(2027, 2, 2, 6))
    )

    with pytest.raises(InvalidTransition) as caught:
        await cancel_assignment(assignment, by=COORDINATOR)

    assert caught.value.field == "shift"


async def test_cancel_assignment_with_a_too_long_reason_is_refused(db, clock):
    assignment = await make_assignment(await tomorrow_shift())

    with pytest.raises(InvalidInput) as caught:
        await cancel_assignment(assignment, by=COORDINATOR, reason="x" * 501)

    assert caught.value.field == "reason"
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


# --- check in ---------------------------------------------------------------------------


async def under_way_assignment(**overrides: object) -> Assignment:
    """An assignment on a 06:00–10:00 shift today: under way at the test clock's 08:00."""
    station = overrides.pop("station", None) or await make_station()
    shift = await make_shift(station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))
    return await make_assignment(shift, **overrides)


async def test_check_in_inside_the_radius_is_verified(db, clock):
    assignment = await under_way_assignment()

    result = await check_in(assignment, by=COORDINATOR, latitude=NEARBY[0], longitude=NEARBY[1])

    stored = await Assignment.get(id=assignment.id)
    assert result == CheckInResult(
        assignment=result.assignment, distance_m=100, verified=True, already=False
    )
    assert (
        stored.status,
        stored.checked_in_at,
        stored.checkin_latitude,
        stored.checkin_longitude,
        stored.checkin_distance_m,
        stored.checkin_verified,
    ) == (AssignmentStatus.CHECKED_IN, clock.now(), *NEARBY, 100, True)


async def test_check_in_outside_the_radius_is_recorded_unverified(db, clock):
    assignment = await under_way_assignment()

    result = await check_in(assignment, by=COORDINATOR, latitude=FAR_AWAY[0], longitude=FAR_AWAY[1])

    stored = await Assignment.get(id=assignment.id)
    assert (result.distance_m, result.verified, result.already) == (1112, False, False)
    assert (stored.status, stored.checkin_distance_m, stored.checkin_verified) == (
        AssignmentStatus.CHECKED_IN,
        1112,
        False,
    )


async def test_check_in_at_exactly_the_radius_is_verified(db, clock):
    station = await make_station(checkin_radius_m=100)
    assignment = await under_way_assignment(station=station)

    result = await check_in(assignment, by=COORDINATOR, latitude=NEARBY[0], longitude=NEARBY[1])

    assert (result.distance_m, result.verified) == (100, True)


async def test_check_in_without_a_location_is_recorded_unverified(db, clock):
    assignment = await under_way_assignment(status=AssignmentStatus.CONFIRMED)

    result = await check_in(assignment, by=COORDINATOR)

    stored = await Assignment.get(id=assignment.id)
    event = await AuditEvent.get(action="assignment.checked_in")
    assert (result.distance_m, result.verified, result.already) == (None, False, False)
    assert (stored.status, stored.checked_in_at, stored.checkin_verified) == (
        AssignmentStatus.CHECKED_IN,
        clock.now(),
        False,
    )
    assert (event.data["located"], event.data["verified"]) == (False, False)


async def test_check_in_at_a_station_without_coordinates_is_recorded_unverified(db, clock):
    station = await make_station(latitude=None, longitude=None)
    assignment = await under_way_assignment(station=station)

    result = await check_in(assignment, by=COORDINATOR, latitude=NEARBY[0], longitude=NEARBY[1])

    stored = await Assignment.get(id=assignment.id)
    assert (result.distance_m, result.verified) == (None, False)
    assert (stored.checkin_latitude, stored.checkin_longitude, stored.checkin_verified) == (
        *NEARBY,
        False,
    )


async def test_check_in_twice_changes_nothing(db, clock):
    assignment = await under_way_assignment()
    await check_in(assignment, by=COORDINATOR, latitude=NEARBY[0], longitude=NEARBY[1])
    checked_in_at = clock.now()
    clock.advance(dt.timedelta(minutes=10))

    again = await check_in(assignment, by=COORDINATOR, latitude=FAR_AWAY[0], longitude=FAR_AWAY[1])

    stored = await Assignment.get(id=assignment.id)
    assert (again.distance_m, again.verified, again.already) == (100, True, True)
    assert (stored.checked_in_at, stored.checkin_distance_m) == (checked_in_at, 100)
    assert await AuditEvent.filter(action="assignment.checked_in").count() == 1


async def test_check_in_after_check_out_changes_nothing(db, clock):
    assignment = await under_way_assignment(
        status=AssignmentStatus.CHECKED_OUT, checkin_verified=True, checkin_distance_m=20
    )

    result = await check_in(assignment, by=COORDINATOR)

    assert (result.already, result.verified, result.assignment.status) == (
        True,
        True,
        AssignmentStatus.CHECKED_OUT,
    )


async def test_check_in_opens_an_hour_before_the_shift(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 9), ends_at=vn(2027, 2, 2, 12))
    assignment = await make_assignment(shift)

    result = await check_in(assignment, by=COORDINATOR)

    assert result.assignment.status == AssignmentStatus.CHECKED_IN


async def test_check_in_too_early_is_refused_with_the_opening_time(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 9, 30), ends_at=vn(2027, 2, 2, 12))
    assignment = await make_assignment(shift)

    with pytest.raises(Conflict) as caught:
        await check_in(assignment, by=COORDINATOR)

    assert (caught.value.field, str(caught.value), caught.value.translated("vi")) == (
        "shift",
        "Check-in opens at 08:30 02/02/2027, 60 minutes before the shift starts.",
        "Điểm danh mở từ 08:30 02/02/2027, trước giờ vào ca 60 phút.",
    )
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


async def test_check_in_after_the_shift_ended_is_refused(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 4), ends_at=vn(2027, 2, 2, 8))
    assignment = await make_assignment(shift)

    with pytest.raises(Conflict) as caught:
        await check_in(assignment, by=COORDINATOR)

    assert (caught.value.field, caught.value.translated("vi")) == (
        "shift",
        "Ca trực đã kết thúc lúc 08:00 02/02/2027, không thể điểm danh nữa.",
    )
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


@pytest.mark.parametrize("status", [AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED])
async def test_check_in_from_a_closed_status_is_refused(db, clock, status):
    assignment = await under_way_assignment(status=status)

    with pytest.raises(InvalidTransition) as caught:
        await check_in(assignment, by=COORDINATOR)

    assert caught.value.field == "status"


async def test_check_in_of_an_expected_volunteer_says_it_reversed_no_no_show(db, clock):
    assignment = await under_way_assignment()

    await check_in(assignment, by=COORDINATOR)

    event = await AuditEvent.get(action="assignment.checked_in")
    assert (event.data["was_no_show"], "over_need" in event.data) == (False, False)


async def test_check_in_after_a_no_show_while_the_shift_runs_checks_in(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 8), ends_at=vn(2027, 2, 2, 12))
    assignment = await make_assignment(shift, status=AssignmentStatus.CONFIRMED)
    clock.advance(dt.timedelta(minutes=15))
    await mark_no_show(assignment, by=Actor.system("scheduler"))
    clock.advance(dt.timedelta(minutes=5))

    result = await check_in(assignment, by=COORDINATOR, latitude=NEARBY[0], longitude=NEARBY[1])

    stored = await Assignment.get(id=assignment.id)
    event = await AuditEvent.get(action="assignment.checked_in")
    assert (result.distance_m, result.verified, result.already) == (100, True, False)
    assert (stored.status, stored.checked_in_at, stored.checkin_verified) == (
        AssignmentStatus.CHECKED_IN,
        vn(2027, 2, 2, 8, 20),
        True,
    )
    assert (event.data["was_no_show"], event.data["over_need"], event.data["status"]) == (
        True,
        False,
        "checked_in",
    )


async def test_check_in_after_a_no_show_far_from_the_station_is_unverified(db, clock):
    assignment = await under_way_assignment(status=AssignmentStatus.NO_SHOW)

    result = await check_in(assignment, by=COORDINATOR, latitude=FAR_AWAY[0], longitude=FAR_AWAY[1])

    assert (result.assignment.status, result.distance_m, result.verified) == (
        AssignmentStatus.CHECKED_IN,
        1112,
        False,
    )


async def test_check_in_after_a_no_show_once_the_shift_ended_is_refused(db, clock):
    shift = await make_shift(starts_at=vn(2027, 2, 2, 4), ends_at=vn(2027, 2, 2, 8))
    assignment = await make_assignment(shift, status=AssignmentStatus.NO_SHOW)
    before = await row_counts()

    with pytest.raises(Conflict) as caught:
        await check_in(assignment, by=COORDINATOR)

    assert (caught.value.field, caught.value.translated("vi")) == (
        "shift",
        "Ca trực đã kết thúc lúc 08:00 02/02/2027, không thể điểm danh nữa.",
    )
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.NO_SHOW
    assert await row_counts() == before


async def test_check_in_after_a_no_show_whose_slot_was_filled_is_accepted_and_flagged(db, clock):
    station = await make_station()
    shift = await make_shift(
        station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10), needs={"volunteer": 1}
    )
    late = await make_assignment(shift, status=AssignmentStatus.NO_SHOW)
    await assign_volunteer(shift, await make_volunteer(), by=COORDINATOR)

    result = await check_in(late, by=COORDINATOR)

    event = await AuditEvent.get(action="assignment.checked_in")
    assert result.assignment.status == AssignmentStatus.CHECKED_IN
    assert (event.data["was_no_show"], event.data["over_need"]) == (True, True)


async def test_check_in_after_a_no_show_while_on_an_overlapping_shift_is_refused(db, clock):
    volunteer = await make_volunteer(full_name="Trần Thị Bình")
    late = await under_way_assignment(volunteer=volunteer, status=AssignmentStatus.NO_SHOW)
    elsewhere = await make_shift(
        await make_station(name="Trạm Ngã ba Trung Lương"),
        starts_at=vn(2027, 2, 2, 7),
        ends_at=vn(2027, 2, 2, 11),
    )
    await assign_volunteer(elsewhere, volunteer, by=COORDINATOR)
    before = await row_counts()

    with pytest.raises(ShiftOverlap) as caught:
        await check_in(late, by=COORDINATOR)

    assert (caught.value.field, str(caught.value)) == (
        "shift",
        "Trần Thị Bình is already on a shift at the same time: "
        "Trạm Ngã ba Trung Lương, 07:00–11:00 02/02/2027.",
    )
    assert (await Assignment.get(id=late.id)).status == AssignmentStatus.NO_SHOW
    assert await row_counts() == before


async def test_check_in_and_out_on_a_closed_campaign_still_work(db, clock):
    campaign = await make_campaign(status=CampaignStatus.CLOSED)
    assignment = await under_way_assignment(station=await make_station(campaign))

    checked_in = await check_in(assignment, by=COORDINATOR)
    clock.advance(dt.timedelta(hours=1))
    checked_out = await check_out(assignment, by=COORDINATOR)

    assert checked_in.assignment.status == AssignmentStatus.CHECKED_IN
    assert (checked_out.status, checked_out.worked_minutes) == (AssignmentStatus.CHECKED_OUT, 60)


async def test_check_in_on_a_cancelled_shift_is_refused(db, clock):
    shift = await make_shift(status=ShiftStatus.CANCELLED)
    assignment = await make_assignment(shift)

    with pytest.raises(InvalidTransition) as caught:
        await check_in(assignment, by=COORDINATOR)

    assert caught.value.field == "shift"


async def test_check_in_for_someone_else_by_a_volunteer_is_refused(db, clock):
    assignment = await under_way_assignment()
    stranger = await make_volunteer()

    with pytest.raises(PermissionDenied):
        await check_in(assignment, by=Actor.volunteer(stranger.id, stranger.full_name))


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (91.0, 105.0, "latitude"),
        (-90.5, 105.0, "latitude"),
        (10.8, 181.0, "longitude"),
        (10.8, -180.01, "longitude"),
        (float("nan"), 105.0, "latitude"),
        ("10.8", 105.0, "latitude"),
        (True, 105.0, "latitude"),
        (10.8, None, "longitude"),
        (None, 105.3, "latitude"),
    ],
)
async def test_check_in_with_bad_coordinates_is_refused(db, clock, latitude, longitude, field):
    assignment = await under_way_assignment()
    before = await row_counts()

    with pytest.raises(InvalidInput) as caught:
        await check_in(assignment, by=COORDINATOR, latitude=latitude, longitude=longitude)

    assert caught.value.field == field
    assert await row_counts() == before
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


# --- check out --------------------------------------------------------------------------


async def test_check_out_records_the_minutes_worked(db, clock):
    assignment = await under_way_assignment()
    await check_in(assignment, by=COORDINATOR)
    clock.advance(dt.timedelta(hours=1, minutes=45, seconds=50))

    checked_out = await check_out(assignment, by=COORDINATOR)

    stored = await Assignment.get(id=assignment.id)
    event = await AuditEvent.get(action="assignment.checked_out")
    assert checked_out.worked_minutes == 105
    assert (
        stored.status,
        stored.checked_out_at,
        stored.worked_minutes,
        stored.auto_checked_out,
    ) == (
        AssignmentStatus.CHECKED_OUT,
        clock.now(),
        105,
        False,
    )
    assert (event.data["auto"], event.data["worked_minutes"]) == (False, 105)


async def test_check_out_automatic_is_dated_at_the_shift_end(db, clock):
    assignment = await under_way_assignment()
    await check_in(assignment, by=COORDINATOR)
    clock.set(vn(2027, 2, 2, 12))

    checked_out = await check_out(assignment, by=Actor.system("scheduler"), auto=True)

    assert (
        checked_out.status,
        checked_out.checked_out_at,
        checked_out.worked_minutes,
        checked_out.auto_checked_out,
    ) == (AssignmentStatus.CHECKED_OUT, vn(2027, 2, 2, 10), 120, True)


async def test_check_out_long_after_the_shift_is_capped(db, clock):
    assignment = await under_way_assignment(
        status=AssignmentStatus.CHECKED_IN, checked_in_at=vn(2027, 2, 2, 5)
    )
    clock.set(vn(2027, 2, 3, 9))

    checked_out = await check_out(assignment, by=COORDINATOR)

    assert checked_out.worked_minutes == (4 + 2) * 60


async def test_check_out_never_counts_negative_minutes(db, clock):
    assignment = await under_way_assignment(
        status=AssignmentStatus.CHECKED_IN, checked_in_at=vn(2027, 2, 2, 9)
    )

    checked_out = await check_out(assignment, by=COORDINATOR)

    assert checked_out.worked_minutes == 0


async def test_check_out_without_a_check_in_time_counts_from_the_shift_start(db, clock):
    assignment = await under_way_assignment(status=AssignmentStatus.CHECKED_IN)

    checked_out = await check_out(assignment, by=COORDINATOR)

    assert checked_out.worked_minutes == 120


async def test_check_out_twice_changes_nothing(db, clock):
    assignment = await under_way_assignment()
    await check_in(assignment, by=COORDINATOR)
    clock.advance(dt.timedelta(hours=1))
    first = await check_out(assignment, by=COORDINATOR)
    clock.advance(dt.timedelta(hours=1))

    again = await check_out(assignment, by=COORDINATOR)

    assert (again.checked_out_at, again.worked_minutes) == (first.checked_out_at, 60)
    assert await AuditEvent.filter(action="assignment.checked_out").count() == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (AssignmentStatus.ASSIGNED, "The volunteer has not checked in yet."),
        (AssignmentStatus.CONFIRMED, "The volunteer has confirmed but has not checked in yet."),
        (AssignmentStatus.DECLINED, "The volunteer has declined this shift."),
        (AssignmentStatus.NO_SHOW, "The volunteer was marked as a no-show for this shift."),
    ],
)
async def test_check_out_without_a_check_in_is_refused(db, clock, status, message):
    assignment = await under_way_assignment(status=status)

    with pytest.raises(InvalidTransition) as caught:
        await check_out(assignment, by=COORDINATOR)

    assert (caught.value.field, str(caught.value)) == ("status", message)
    assert (await Assignment.get(id=assignment.id)).status == status


def test_worked_minutes_counts_whole_minutes():
    shift = Shift(starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))

    assert worked_minutes(shift, vn(2027, 2, 2, 6, 10), vn(2027, 2, 2, 9, 59)) == 229


# --- no-shows ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED])
async def test_mark_no_show_after_the_shift_started(db, clock, status):
    assignment = await under_way_assignment(status=status)
    reminder = await pending_reminder(assignment)

    marked = await mark_no_show(assignment, by=Actor.system("scheduler"))

    event = await AuditEvent.get(action="assignment.no_show")
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.NO_SHOW
    assert marked.status == AssignmentStatus.NO_SHOW
    assert (event.actor_label, event.data["from"]) == ("scheduler", status.value)
    assert (await Notification.get(id=reminder.id)).status == NotificationStatus.CANCELLED


async def test_mark_no_show_twice_changes_nothing(db, clock):
    assignment = await under_way_assignment()
    await mark_no_show(assignment, by=COORDINATOR)

    again = await mark_no_show(assignment, by=COORDINATOR)

    assert again.status == AssignmentStatus.NO_SHOW
    assert await AuditEvent.filter(action="assignment.no_show").count() == 1


async def test_mark_no_show_before_the_shift_started_is_refused(db, clock):
    assignment = await make_assignment(await tomorrow_shift())

    with pytest.raises(InvalidTransition) as caught:
        await mark_no_show(assignment, by=COORDINATOR)

    assert caught.value.field == "shift"
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


@pytest.mark.parametrize(
    "status", [AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT, AssignmentStatus.DECLINED]
)
async def test_mark_no_show_of_someone_who_came_or_declined_is_refused(db, clock, status):
    assignment = await under_way_assignment(status=status)

    with pytest.raises(InvalidTransition):
        await mark_no_show(assignment, by=COORDINATOR)

    assert (await Assignment.get(id=assignment.id)).status == status


# --- words ------------------------------------------------------------------------------


def test_role_label_reads_in_both_languages():
    labels = {
        role: (role_label(role, "vi"), role_label(role, "en"))
        for role in ("lead", "volunteer", "mechanic", "medic", "broadcaster")
    }

    assert labels == {
        "lead": ("trưởng trạm", "station lead"),
        "volunteer": ("tình nguyện viên", "volunteer"),
        "mechanic": ("kỹ thuật viên sửa xe", "mechanic"),
        "medic": ("nhân viên y tế", "medic"),
        "broadcaster": ("người phát loa", "broadcaster"),
    }


_SOURCES = [
    Path("stations/services/assignments.py"),
    Path("stations/services/geo.py"),
    Path("stations/services/queries/assignments.py"),
]


def _marked_msgids(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


@pytest.mark.parametrize("source", _SOURCES, ids=lambda path: path.name)
def test_every_message_has_a_vietnamese_translation_with_the_same_placeholders(source):
    root = Path(__file__).resolve().parents[3]
    msgids = _marked_msgids(root / source)

    untranslated = [m for m in msgids if gettext(m, "vi") == m]
    mismatched = [
        m
        for m in msgids
        if sorted(re.findall(r"\{\w+\}", m)) != sorted(re.findall(r"\{\w+\}", gettext(m, "vi")))
    ]

    assert msgids != []
    assert (untranslated, mismatched) == ([], [])
