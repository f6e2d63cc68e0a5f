"""Volunteers and assignments: reading them in scope, assigning and taking people off shifts."""

from __future__ import annotations

from stations.enums import AssignmentStatus, UserRole
from stations.models import Assignment, AuditEvent, Notification
from tests.factories import (
    make_assignment,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)

ASSIGNMENTS = "/api/v1/assignments"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["data"]]


async def test_volunteer_list_keeps_to_token_scope(token_client):
    ward, other = await make_unit(), await make_unit()
    own = await make_volunteer(unit=ward)
    foreign = await make_volunteer(unit=other)
    unattached = await make_volunteer()
    coordinator = await token_client(UserRole.COORDINATOR, ward)
    admin = await token_client(UserRole.ADMIN)

    assert ids(await coordinator.get("/api/v1/volunteers")) == [own.id]
    assert ids(await admin.get("/api/v1/volunteers")) == [own.id, foreign.id, unattached.id]
    assert (await coordinator.get(f"/api/v1/volunteers/{foreign.id}")).status_code == 404
    assert (await coordinator.get(f"/api/v1/volunteers/{unattached.id}")).status_code == 404


async def test_volunteer_is_returned_without_private_telegram_ids(api):
    volunteer = await make_volunteer(
        full_name="<script>alert('x')</script> Lê Thị Hoa",
        skills=["sơ cứu"],
        telegram_user_id=777,
        telegram_chat_id=777,
    )

    response = await api.get(f"/api/v1/volunteers/{volunteer.id}")

    assert response.json()["data"] == {
        "id": volunteer.id,
        "full_name": "<script>alert('x')</script> Lê Thị Hoa",
        "phone": volunteer.phone,
        "unit_id": None,
        "organisation": "",
        "force": "other",
        "skills": ["sơ cứu"],
        "language": "vi",
        "reachable": True,
        "telegram_linked": True,
    }


async def test_assigning_creates_the_assignment_and_tells_the_volunteer(api, clock):
    shift = await make_shift()
    volunteer = await make_volunteer(telegram_chat_id=555)

    response = await api.post(
        ASSIGNMENTS, json={"shift_id": shift.id, "volunteer_id": volunteer.id, "role": "lead"}
    )

    assert response.status_code == 201
    assignment = await Assignment.get(shift_id=shift.id, volunteer_id=volunteer.id)
    assert response.json()["data"] == {
        "id": assignment.id,
        "shift_id": shift.id,
        "station_id": shift.station_id,
        "volunteer_id": volunteer.id,
        "role": "lead",
        "status": "assigned",
        "checked_in_at": None,
        "checked_out_at": None,
        "checkin_verified": None,
        "checkin_distance_m": None,
        "worked_minutes": None,
    }
    event = await AuditEvent.get(action="assignment.assigned")
    assert (event.actor_kind, event.source, event.actor_label) == ("api", "api", "token 1")
    assert await Notification.filter(volunteer_id=volunteer.id).count() == 1


async def test_assigning_is_refused_with_the_services_reasons(api, clock):
    shift = await make_shift(needs={"volunteer": 1})
    overlapping = await make_shift(
        await make_station(), starts_at=vn(2027, 2, 2, 8), ends_at=vn(2027, 2, 2, 12)
    )
    roomy = await make_shift()
    busy, late = await make_volunteer(), await make_volunteer()
    await make_assignment(overlapping, busy)
    await make_assignment(shift, await make_volunteer())

    def assign(shift_id: int, volunteer_id: int, role: str = "volunteer"):
        body = {"shift_id": shift_id, "volunteer_id": volunteer_id, "role": role}
        return api.post(ASSIGNMENTS, json=body)

    answers = {
        "full": await assign(shift.id, late.id),
        "not needed": await assign(shift.id, late.id, "medic"),
        "overlap": await assign(roomy.id, busy.id),
        "no shift": await assign(99_999, late.id),
        "no volunteer": await assign(shift.id, 99_999),
    }

    assert {
        name: (r.status_code, r.json()["error"]["code"], r.json()["error"]["field"])
        for name, r in answers.items()
    } == {
        "full": (409, "capacity_exceeded", "role"),
        "not needed": (422, "invalid", "role"),
        "overlap": (409, "shift_overlap", "shift_id"),
        "no shift": (404, "not_found", "shift_id"),
        "no volunteer": (404, "not_found", "volunteer_id"),
    }
    assert await Assignment.filter(volunteer_id=late.id).count() == 0


async def test_unit_token_assigns_only_at_its_stations_and_its_volunteers(token_client, clock):
    ward, other = await make_unit(), await make_unit()
    own_shift = await make_shift(await make_station(unit=ward))
    foreign_shift = await make_shift(await make_station(unit=other))
    own_volunteer = await make_volunteer(unit=ward)
    foreign_volunteer = await make_volunteer(unit=other)
    coordinator = await token_client(UserRole.COORDINATOR, ward)

    at_foreign_station = await coordinator.post(
        ASSIGNMENTS, json={"shift_id": foreign_shift.id, "volunteer_id": own_volunteer.id}
    )
    foreign_person = await coordinator.post(
        ASSIGNMENTS, json={"shift_id": own_shift.id, "volunteer_id": foreign_volunteer.id}
    )
    allowed = await coordinator.post(
        ASSIGNMENTS, json={"shift_id": own_shift.id, "volunteer_id": own_volunteer.id}
    )

    assert (at_foreign_station.status_code, foreign_person.status_code) == (404, 404)
    assert at_foreign_station.json()["error"]["field"] == "shift_id"
    assert foreign_person.json()["error"]["field"] == "volunteer_id"
    assert allowed.status_code == 201
    assert await Assignment.all().count() == 1


async def test_cancelling_takes_the_volunteer_off_once(api, clock):
    assignment = await make_assignment()
    path = f"{ASSIGNMENTS}/{assignment.id}/cancel"

    first = await api.post(path, json={"reason": "Bận việc gia đình"})
    again = await api.post(path)

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["data"]["status"] == again.json()["data"]["status"] == "cancelled"
    assert await AuditEvent.filter(action="assignment.cancelled").count() == 1


async def test_cancelling_after_check_in_is_a_conflict(api, clock):
    assignment = await make_assignment(status=AssignmentStatus.CHECKED_IN)

    response = await api.post(f"{ASSIGNMENTS}/{assignment.id}/cancel", json={})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.CHECKED_IN


async def test_cancelling_with_bad_reason_or_unknown_id_is_refused(api, clock):
    assignment = await make_assignment()

    too_long = await api.post(f"{ASSIGNMENTS}/{assignment.id}/cancel", json={"reason": "x" * 501})
    not_text = await api.post(f"{ASSIGNMENTS}/{assignment.id}/cancel", json={"reason": 5})
    unknown = await api.post(f"{ASSIGNMENTS}/{assignment.id + 1}/cancel")

    assert [too_long.status_code, not_text.status_code, unknown.status_code] == [400, 400, 404]
    assert (await Assignment.get(id=assignment.id)).status == AssignmentStatus.ASSIGNED


async def test_assignment_list_filters(api):
    station = await make_station()
    morning = await make_shift(station)
    next_day = await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10))
    an, binh = await make_volunteer(), await make_volunteer()
    a1 = await make_assignment(morning, an)
    a2 = await make_assignment(next_day, an, status=AssignmentStatus.CONFIRMED)
    a3 = await make_assignment(next_day, binh)

    assert ids(await api.get(f"{ASSIGNMENTS}?volunteer_id={an.id}")) == [a1.id, a2.id]
    assert ids(await api.get(f"{ASSIGNMENTS}?shift_id={next_day.id}")) == [a2.id, a3.id]
    assert ids(await api.get(f"{ASSIGNMENTS}?status=confirmed")) == [a2.id]
    assert ids(await api.get(f"{ASSIGNMENTS}?date=2027-02-02")) == [a1.id]
    assert ids(await api.get(f"{ASSIGNMENTS}?station_id={station.id}&limit=1")) == [a1.id]
    assert (await api.get(f"{ASSIGNMENTS}/{a3.id}")).json()["data"]["volunteer_id"] == binh.id
