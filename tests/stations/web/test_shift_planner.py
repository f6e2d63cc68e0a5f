"""The shift planner: the week grid, shifts one at a time and as a pattern, assigning."""

from __future__ import annotations

import html
import re

from stations.enums import AssignmentStatus, CampaignStatus, ShiftStatus
from stations.models import Assignment, AuditEvent, Shift
from tests.factories import (
    make_assignment,
    make_campaign,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)
from tests.stations.web.helpers import post_form
from tests.stations.web.planning_helpers import ESCAPED_XSS, XSS, client_for


def shift_form(**overrides: str) -> dict[str, str]:
    values = {
        "start_date": "2027-02-03",
        "start_time": "06:00",
        "end_date": "",
        "end_time": "14:00",
        "need_lead": "1",
        "need_volunteer": "3",
        "note": "",
    }
    values.update(overrides)
    return values


def pattern_form(**overrides: str) -> dict[str, str]:
    values = {
        "start_date": "2027-02-03",
        "end_date": "2027-02-05",
        "slot_1_start": "06:00",
        "slot_1_end": "14:00",
        "slot_2_start": "22:00",
        "slot_2_end": "06:00",
        "need_volunteer": "2",
        "action": "create",
    }
    values.update(overrides)
    return values


async def _own_station(**overrides):
    unit = await make_unit()
    station = await make_station(await make_campaign(), unit=unit, **overrides)
    return unit, station


# --- the grid ------------------------------------------------------------------------------


async def test_planner_shows_filled_and_needed_and_marks_unfilled_shifts_in_words(app, db, clock):
    unit, station = await _own_station()
    full = await make_shift(
        station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 14), needs={"volunteer": 1}
    )
    short = await make_shift(
        station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 14), needs={"volunteer": 2}
    )
    await make_assignment(full, await make_volunteer())
    await make_assignment(short, await make_volunteer())
    client = await client_for(app, "viewer", unit)

    response = await client.get(f"/stations/{station.id}/shifts?lang=en&from=2027-02-01")

    assert response.status_code == 200
    page = response.text
    cells = re.findall(r'<a class="shift-cell([^"]*)" href="/shifts/(\d+)"', page)
    assert cells == [("", str(full.id)), (" shift-cell--short", str(short.id))]
    assert ("1/1 filled" in page, "1/2 filled" in page, "1 missing" in page) == (True, True, True)
    assert "Shifts this week still short of people: 1." in page
    # The phone layout lists the same shifts in time order.
    assert page.count('<li class="shift-item') == 2


async def test_planner_lays_out_days_and_slots_and_navigates_by_week(app, db, clock):
    unit, station = await _own_station()
    await make_shift(station, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 14))
    await make_shift(station, starts_at=vn(2027, 2, 1, 22), ends_at=vn(2027, 2, 2, 6))
    await make_shift(station, starts_at=vn(2027, 2, 8, 6), ends_at=vn(2027, 2, 8, 14))
    client = await client_for(app, "viewer", unit)

    week = await client.get(f"/stations/{station.id}/shifts?lang=en&from=2027-02-01")
    next_week = await client.get(f"/stations/{station.id}/shifts?lang=en&from=2027-02-08")

    assert re.findall(r'<th scope="row">([^<]+)</th>', week.text) == ["06:00–14:00", "22:00–06:00"]
    assert ('href="?from=2027-01-25"' in week.text, 'href="?from=2027-02-08"' in week.text) == (
        True,
        True,
    )
    assert "01/02/2027 – 07/02/2027" in week.text
    assert next_week.text.count('class="shift-cell') == 1


async def test_planner_defaults_to_today_while_the_campaign_runs(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, "viewer", unit)

    response = await client.get(f"/stations/{station.id}/shifts?lang=en")

    assert "02/02/2027 – 08/02/2027" in response.text
    assert "No shift this week." in response.text


async def test_planner_with_an_unreadable_week_says_so_and_shows_the_default_week(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, "viewer", unit)

    statuses = []
    for bad in ("2027-02-30", "yesterday", "9999-01-01", "%00"):
        response = await client.get(f"/stations/{station.id}/shifts?lang=en&from={bad}")
        statuses.append((response.status_code, "That week could not be read" in response.text))

    assert statuses == [(400, True)] * 4


async def test_planner_marks_a_cancelled_shift_without_counting_it_short(app, db, clock):
    unit, station = await _own_station()
    await make_shift(
        station,
        starts_at=vn(2027, 2, 3, 6),
        ends_at=vn(2027, 2, 3, 14),
        status=ShiftStatus.CANCELLED,
    )
    client = await client_for(app, "viewer", unit)

    response = await client.get(f"/stations/{station.id}/shifts?lang=en&from=2027-02-01")

    assert "shift-cell--cancelled" in response.text
    assert "shift-cell--short" not in response.text
    assert "Every shift this week has the people it needs." in response.text


async def test_a_viewer_sees_no_planning_buttons(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, "viewer", unit)

    response = await client.get(f"/stations/{station.id}/shifts")

    assert f"/stations/{station.id}/shifts/pattern" not in response.text
    assert (await client.get(f"/stations/{station.id}/shifts/pattern")).status_code == 403


# --- one shift -----------------------------------------------------------------------------


async def test_shift_new_creates_a_shift_in_vietnam_time(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, unit=unit)

    form = await client.get(f"/stations/{station.id}/shifts/new?lang=en")
    response = await post_form(client, f"/stations/{station.id}/shifts/new", shift_form(note=XSS))

    shift = await Shift.get(station_id=station.id)
    assert form.status_code == 200
    assert '<label for="f-start_date">' in form.text
    assert (response.status_code, response.headers["location"]) == (303, f"/shifts/{shift.id}")
    assert (shift.starts_at, shift.ends_at, shift.needs, shift.note) == (
        vn(2027, 2, 3, 6),
        vn(2027, 2, 3, 14),
        {"lead": 1, "volunteer": 3},
        XSS,
    )
    detail = await client.get(f"/shifts/{shift.id}")
    assert (XSS in detail.text, ESCAPED_XSS in detail.text) == (False, True)


async def test_shift_new_over_midnight_takes_an_end_date(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, unit=unit)

    response = await post_form(
        client,
        f"/stations/{station.id}/shifts/new",
        shift_form(start_time="22:00", end_date="2027-02-04", end_time="06:00"),
    )

    shift = await Shift.get(station_id=station.id)
    assert response.status_code == 303
    assert (shift.starts_at, shift.ends_at) == (vn(2027, 2, 3, 22), vn(2027, 2, 4, 6))


BAD_SHIFT_FIELDS = [
    ({"start_date": "2027-02-30"}, "starts_at", "This date does not exist."),
    ({"start_date": ""}, "starts_at", "Enter a date as DD/MM/YYYY."),
    ({"start_time": "24:00"}, "starts_at", "This time does not exist."),
    ({"end_time": "abc"}, "ends_at", "Enter a time as HH:MM."),
    ({"end_time": "05:00"}, "ends_at", "A shift must end after it starts."),
    ({"end_time": "06:00"}, "ends_at", "A shift must end after it starts."),
    ({"end_date": "2027-02-05"}, "ends_at", "A shift can last at most 24 hours."),
    ({"need_volunteer": "-1"}, "need_volunteer", "Enter a whole number from 0 to 100."),
    ({"need_volunteer": "101"}, "need_volunteer", "Enter a whole number from 0 to 100."),
    ({"need_volunteer": "1e3"}, "need_volunteer", "“1e3” is not a whole number"),
    ({"need_volunteer": "1.5"}, "need_volunteer", "“1.5” is not a whole number"),
    ({"need_volunteer": "9" * 50}, "need_volunteer", "Enter a whole number from 0 to 100."),
    (
        {"need_lead": "0", "need_volunteer": "0"},
        "need_volunteer",
        "A shift needs at least one person.",
    ),
    ({"note": "x" * 301}, "note", "A note can be at most 300 characters."),
    (
        {"start_date": "2027-03-01", "end_date": ""},
        "starts_at",
        "Shifts of this campaign must fall within",
    ),
]


async def test_shift_new_refuses_each_bad_field_and_writes_nothing(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, unit=unit)

    outcomes = []
    for overrides, field, message in BAD_SHIFT_FIELDS:
        response = await post_form(
            client, f"/stations/{station.id}/shifts/new?lang=en", shift_form(**overrides)
        )
        page = html.unescape(response.text)
        outcomes.append((field, response.status_code, message in page))

    assert outcomes == [(field, 422, True) for _o, field, _m in BAD_SHIFT_FIELDS]
    assert await Shift.all().count() == 0


async def test_shift_new_twice_is_a_conflict(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, unit=unit)

    first = await post_form(client, f"/stations/{station.id}/shifts/new", shift_form())
    second = await post_form(client, f"/stations/{station.id}/shifts/new?lang=en", shift_form())

    assert (first.status_code, second.status_code) == (303, 409)
    assert "already has a shift" in html.unescape(second.text)
    assert await Shift.all().count() == 1


async def test_shift_edit_moves_the_shift_and_refuses_fewer_needs_than_people(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station, needs={"volunteer": 2})
    await make_assignment(shift, await make_volunteer())
    await make_assignment(shift, await make_volunteer())
    client = await client_for(app, unit=unit)

    form = await client.get(f"/shifts/{shift.id}/edit")
    too_few = await post_form(
        client,
        f"/shifts/{shift.id}/edit?lang=en",
        shift_form(start_date="2027-02-02", need_lead="0", need_volunteer="1"),
    )
    moved = await post_form(
        client,
        f"/shifts/{shift.id}/edit",
        shift_form(start_date="2027-02-02", start_time="07:00", need_lead="0", need_volunteer="2"),
    )

    await shift.refresh_from_db()
    assert (form.status_code, too_few.status_code, moved.status_code) == (200, 409, 303)
    assert 'value="06:00"' in form.text
    assert "2 volunteers are already assigned to this shift" in too_few.text
    assert (shift.starts_at, shift.needs) == (vn(2027, 2, 2, 7), {"volunteer": 2})


async def test_shift_cancel_needs_a_reason_then_cancels_and_unassigns(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station)
    assignment = await make_assignment(shift, await make_volunteer())
    client = await client_for(app, unit=unit)

    no_reason = await post_form(client, f"/shifts/{shift.id}/cancel?lang=en", {"reason": " "})
    await shift.refresh_from_db()
    status_after_refusal = shift.status
    cancelled = await post_form(client, f"/shifts/{shift.id}/cancel", {"reason": "Mưa bão"})
    again = await post_form(client, f"/shifts/{shift.id}/cancel?lang=en", {"reason": "x"})

    await shift.refresh_from_db()
    await assignment.refresh_from_db()
    assert (no_reason.status_code, cancelled.status_code, again.status_code) == (422, 303, 409)
    assert "Give a reason of 1 to 300 characters" in no_reason.text
    assert status_after_refusal == ShiftStatus.ACTIVE
    assert "This shift is already cancelled." in again.text
    assert (shift.status, assignment.status) == (ShiftStatus.CANCELLED, AssignmentStatus.CANCELLED)


async def test_shift_pages_of_unknown_ids_are_not_found(app, db, clock):
    client = await client_for(app, "admin")

    statuses = [
        (await client.get("/shifts/999999")).status_code,
        (await client.get("/shifts/999999/edit")).status_code,
        (await post_form(client, "/shifts/999999/cancel", {"reason": "x"})).status_code,
        (await post_form(client, "/shifts/999999/assign", {"volunteer_id": "1"})).status_code,
        (await post_form(client, "/assignments/999999/unassign")).status_code,
    ]

    assert statuses == [404] * 5


async def test_another_units_shift_is_forbidden_and_left_alone(app, db, clock):
    _unit, station = await _own_station()
    shift = await make_shift(station)
    assignment = await make_assignment(shift, await make_volunteer())
    client = await client_for(app, unit=await make_unit())

    statuses = [
        (await client.get(f"/shifts/{shift.id}")).status_code,
        (await post_form(client, f"/shifts/{shift.id}/edit", shift_form())).status_code,
        (await post_form(client, f"/shifts/{shift.id}/cancel", {"reason": "x"})).status_code,
        (await post_form(client, f"/assignments/{assignment.id}/unassign")).status_code,
        (await post_form(client, f"/stations/{station.id}/shifts/new", shift_form())).status_code,
        (
            await post_form(client, f"/stations/{station.id}/shifts/pattern", pattern_form())
        ).status_code,
    ]

    await shift.refresh_from_db()
    await assignment.refresh_from_db()
    assert statuses == [404] * 6
    assert (shift.status, assignment.status, await Shift.all().count()) == (
        ShiftStatus.ACTIVE,
        AssignmentStatus.ASSIGNED,
        1,
    )


# --- a pattern -----------------------------------------------------------------------------


async def test_pattern_preview_counts_what_it_would_create_and_writes_nothing(app, db, clock):
    unit, station = await _own_station()
    await make_shift(
        station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 14), needs={"volunteer": 1}
    )
    client = await client_for(app, unit=unit)

    form = await client.get(f"/stations/{station.id}/shifts/pattern?lang=en")
    preview = await post_form(
        client, f"/stations/{station.id}/shifts/pattern?lang=en", pattern_form(action="preview")
    )

    assert form.status_code == 200
    assert preview.status_code == 200
    assert "New shifts this pattern would create: 5. Already there, so skipped: 1." in (
        preview.text
    )
    assert await Shift.all().count() == 1


async def test_pattern_create_makes_every_slot_of_every_day_once(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, unit=unit)

    first = await post_form(client, f"/stations/{station.id}/shifts/pattern", pattern_form())
    again = await post_form(client, f"/stations/{station.id}/shifts/pattern", pattern_form())

    shifts = await Shift.filter(station_id=station.id).order_by("starts_at")
    assert (first.status_code, first.headers["location"]) == (
        303,
        f"/stations/{station.id}/shifts?from=2027-02-03",
    )
    assert again.status_code == 303
    assert [(s.starts_at, s.ends_at) for s in shifts][:2] == [
        (vn(2027, 2, 3, 6), vn(2027, 2, 3, 14)),
        (vn(2027, 2, 3, 22), vn(2027, 2, 4, 6)),
    ]
    assert (len(shifts), {tuple(s.needs.items()) for s in shifts}) == (6, {(("volunteer", 2),)})
    assert await AuditEvent.filter(action="shift.pattern_generated").count() == 1


BAD_PATTERN_FIELDS = [
    ({"start_date": "2027-02-30"}, "start_date", "This date does not exist."),
    ({"end_date": "2027-02-01"}, "end_date", "The last day cannot be before the first day."),
    (
        {"start_date": "2027-01-01", "end_date": "2027-03-31"},
        "end_date",
        "A pattern can cover at most 62 days at a time.",
    ),
    (
        {"start_date": "2027-03-01", "end_date": "2027-03-02"},
        "start_date",
        "Shifts of this campaign must fall within",
    ),
    ({"slot_1_start": "25:00"}, "slot_1_start", "This time does not exist."),
    ({"slot_1_end": ""}, "slot_1_end", "Enter a time as HH:MM."),
    ({"slot_2_end": "22:00"}, "slot_2_end", "A slot must end at a different time than it starts."),
    (
        {"slot_1_start": "", "slot_1_end": "", "slot_2_start": "", "slot_2_end": ""},
        "slot_1_start",
        "Give at least one time slot.",
    ),
    ({"slot_2_start": "12:00", "slot_2_end": "16:00"}, "slots", "overlap"),
    ({"need_volunteer": "-5"}, "need_volunteer", "Enter a whole number from 0 to 100."),
    ({"need_volunteer": "100000"}, "need_volunteer", "Enter a whole number from 0 to 100."),
    ({"need_volunteer": "0"}, "need_volunteer", "A shift needs at least one person."),
]


async def test_pattern_refuses_each_bad_field_and_writes_nothing(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, unit=unit)

    outcomes = []
    for overrides, field, message in BAD_PATTERN_FIELDS:
        response = await post_form(
            client, f"/stations/{station.id}/shifts/pattern?lang=en", pattern_form(**overrides)
        )
        page = html.unescape(response.text)
        outcomes.append((field, response.status_code, message in page))

    assert outcomes == [(field, 422, True) for _o, field, _m in BAD_PATTERN_FIELDS]
    assert await Shift.all().count() == 0


# --- assigning -----------------------------------------------------------------------------


async def test_shift_detail_finds_volunteers_in_scope_without_diacritics(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station)
    await make_volunteer(full_name="Nguyễn Văn An", unit=unit)
    await make_volunteer(full_name="Nguyễn Văn Anh Khác", unit=await make_unit())
    client = await client_for(app, unit=unit)

    response = await client.get(f"/shifts/{shift.id}?lang=en&q=nguyen+van+an")

    assert response.status_code == 200
    assert ("Nguyễn Văn An" in response.text, "Anh Khác" in response.text) == (True, False)
    assert "Assign Nguyễn Văn An" in response.text


async def test_shift_assign_puts_the_volunteer_on_and_unassign_takes_them_off(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station, needs={"volunteer": 1})
    volunteer = await make_volunteer(full_name="Trần Thị Bình", unit=unit)
    client = await client_for(app, unit=unit)

    assigned = await post_form(
        client,
        f"/shifts/{shift.id}/assign",
        {"volunteer_id": str(volunteer.id), "role": "volunteer", "q": "binh"},
    )
    assignment = await Assignment.get(shift_id=shift.id)
    detail = await client.get(f"/shifts/{shift.id}?lang=en")
    unassigned = await post_form(client, f"/assignments/{assignment.id}/unassign")

    await assignment.refresh_from_db()
    assert (assigned.status_code, unassigned.status_code) == (303, 303)
    assert unassigned.headers["location"] == f"/shifts/{shift.id}"
    assert "Trần Thị Bình" in detail.text
    assert "1/1 filled" in detail.text
    assert assignment.status == AssignmentStatus.CANCELLED


async def test_shift_assign_over_capacity_is_shown_inline_with_409(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station, needs={"volunteer": 1})
    await make_assignment(shift, await make_volunteer(unit=unit))
    latecomer = await make_volunteer(full_name="Lê Văn Cường", unit=unit)
    client = await client_for(app, unit=unit)

    response = await post_form(
        client,
        f"/shifts/{shift.id}/assign?lang=en",
        {"volunteer_id": str(latecomer.id), "role": "volunteer", "q": "cuong"},
    )

    assert response.status_code == 409
    assert "This shift already has all the volunteers it needs (1)." in response.text
    # The search the person made is still on the page, next to the message.
    assert 'value="cuong"' in response.text
    assert await Assignment.filter(volunteer_id=latecomer.id).count() == 0


async def test_shift_assign_over_an_overlapping_shift_is_shown_inline_with_409(app, db, clock):
    unit, station = await _own_station()
    other_station = await make_station(station.campaign, unit=unit, name="Trạm Bên Kia")
    busy = await make_shift(other_station, starts_at=vn(2027, 2, 2, 8), ends_at=vn(2027, 2, 2, 12))
    shift = await make_shift(station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10))
    volunteer = await make_volunteer(full_name="Phạm Thị Dung", unit=unit)
    await make_assignment(busy, volunteer)
    client = await client_for(app, unit=unit)

    response = await post_form(
        client,
        f"/shifts/{shift.id}/assign?lang=vi",
        {"volunteer_id": str(volunteer.id), "role": "volunteer"},
    )

    assert response.status_code == 409
    assert "Phạm Thị Dung" in response.text
    assert "Trạm Bên Kia" in response.text
    assert await Assignment.filter(shift_id=shift.id).count() == 0


async def test_shift_assign_refuses_bad_fields(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station, needs={"volunteer": 1})
    volunteer = await make_volunteer(unit=unit)
    client = await client_for(app, unit=unit)

    cases = [
        ({"volunteer_id": "abc", "role": "volunteer"}, 422, "Choose an entry from the list."),
        ({"volunteer_id": "-1", "role": "volunteer"}, 422, "Choose an entry from the list."),
        ({"volunteer_id": "9" * 30, "role": "volunteer"}, 422, "Choose an entry from the list."),
        ({"volunteer_id": str(volunteer.id), "role": "pilot"}, 422, "Choose an option"),
        ({"volunteer_id": str(volunteer.id), "role": "medic"}, 422, "does not need a medic"),
        ({"volunteer_id": "999999", "role": "volunteer"}, 404, ""),
    ]
    outcomes = []
    for data, _status, message in cases:
        response = await post_form(client, f"/shifts/{shift.id}/assign?lang=en", data)
        outcomes.append((response.status_code, message in html.unescape(response.text)))

    assert outcomes == [(status, True) for _d, status, _m in cases]
    assert await Assignment.all().count() == 0


async def test_shift_assign_of_a_volunteer_outside_the_scope_is_forbidden(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station)
    stranger = await make_volunteer(unit=await make_unit())
    client = await client_for(app, unit=unit)

    response = await post_form(
        client,
        f"/shifts/{shift.id}/assign",
        {"volunteer_id": str(stranger.id), "role": "volunteer"},
    )

    assert response.status_code == 404
    assert await Assignment.all().count() == 0


async def test_unassign_after_check_in_is_refused_inline(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station)
    assignment = await make_assignment(
        shift, await make_volunteer(unit=unit), status=AssignmentStatus.CHECKED_IN
    )
    client = await client_for(app, unit=unit)

    response = await post_form(client, f"/assignments/{assignment.id}/unassign?lang=en")

    await assignment.refresh_from_db()
    assert response.status_code == 409
    assert "The volunteer has already checked in for this shift." in response.text
    assert assignment.status == AssignmentStatus.CHECKED_IN


async def test_shift_detail_with_a_search_of_thousands_of_words_still_answers(app, db, clock):
    unit, station = await _own_station()
    shift = await make_shift(station)
    await make_volunteer(full_name="An", unit=unit)
    client = await client_for(app, unit=unit)

    response = await client.get(f"/shifts/{shift.id}?lang=en&q=" + "an+" * 5000)

    assert response.status_code == 200
    assert "Assign a volunteer" in response.text


async def test_pattern_preview_refuses_what_creating_would_refuse(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, unit=unit)

    cases = [
        ({"slot_2_start": "12:00", "slot_2_end": "16:00"}, "overlap"),
        ({"start_date": "2027-03-01", "end_date": "2027-03-02"}, "must fall within"),
        ({"start_date": "2027-01-01", "end_date": "2027-03-31"}, "at most 62 days"),
    ]
    outcomes = []
    for overrides, message in cases:
        response = await post_form(
            client,
            f"/stations/{station.id}/shifts/pattern?lang=en",
            pattern_form(action="preview", **overrides),
        )
        outcomes.append((response.status_code, message in html.unescape(response.text)))

    assert outcomes == [(422, True)] * 3
    assert "would create" not in response.text


async def test_planner_of_a_closed_campaign_says_so_and_offers_no_planning(app, db, clock):
    unit = await make_unit()
    station = await make_station(await make_campaign(status=CampaignStatus.CLOSED), unit=unit)
    shift = await make_shift(station)
    client = await client_for(app, unit=unit)

    planner = await client.get(f"/stations/{station.id}/shifts?lang=en")
    detail = await client.get(f"/shifts/{shift.id}?lang=en&q=an")

    for page in (planner, detail):
        assert (page.status_code, "This campaign is closed." in page.text) == (200, True)
    assert "Generate a pattern" not in planner.text
    assert "Assign a volunteer" not in detail.text


async def test_shift_new_form_starts_on_the_day_asked_for(app, db, clock):
    unit, station = await _own_station()
    client = await client_for(app, unit=unit)

    await make_shift(station)
    planner = await client.get(f"/stations/{station.id}/shifts?from=2027-02-01")
    response = await client.get(f"/stations/{station.id}/shifts/new?day=2027-02-05")

    assert f'href="/stations/{station.id}/shifts/new?day=2027-02-05"' in planner.text

    assert response.status_code == 200
    assert 'name="start_date" type="text" value="05/02/2027"' in response.text
