"""Bearer tokens: who gets in, who is turned away, and in which language they are told."""

from __future__ import annotations

from stations.enums import UserRole
from stations.models import ApiToken, Assignment
from stations.services.actor import Actor
from stations.services.users import create_api_token, revoke_api_token
from tests.factories import make_assignment, make_shift, make_station, make_unit, make_volunteer

CAMPAIGNS = "/api/v1/campaigns"


async def test_request_without_token_is_refused_with_bearer_challenge(client):
    response = await client.get(CAMPAIGNS)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == "unauthorized"


INVALID_AUTHORIZATIONS = [
    "Bearer ws_not-a-real-token",
    "Bearer " + "ws_" + "x" * 500,
    "Bearer",
    "Basic dXNlcjpwYXNz",
    "ws_without_scheme",
    "Bearer ws_ünïcödé".encode(),
]


async def test_request_with_invalid_token_is_refused(client):
    answers = [
        await client.get(CAMPAIGNS, headers={"Authorization": header})
        for header in INVALID_AUTHORIZATIONS
    ]

    assert [
        (r.status_code, r.headers["www-authenticate"][:6], r.json()["error"]["code"])
        for r in answers
    ] == [(401, "Bearer", "unauthorized")] * len(INVALID_AUTHORIZATIONS)


async def test_revoked_token_is_refused(client):
    _token, plaintext = await create_api_token("sync", by=Actor.system("tests"))
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert (await client.get(CAMPAIGNS, headers=headers)).status_code == 200

    await revoke_api_token("sync", by=Actor.system("tests"))
    response = await client.get(CAMPAIGNS, headers=headers)

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_token_is_stored_only_as_its_hash(client):
    token, plaintext = await create_api_token("hashed", by=Actor.system("tests"))

    stored = await ApiToken.get(id=token.id)

    assert plaintext.startswith("ws_")
    assert plaintext not in (stored.token_hash, stored.name)


async def test_unauthorised_message_follows_accept_language(client):
    english = await client.get(CAMPAIGNS, headers={"Accept-Language": "en-US,en;q=0.9"})
    vietnamese = await client.get(CAMPAIGNS, headers={"Accept-Language": "vi"})
    default = await client.get(CAMPAIGNS)

    assert english.json()["error"]["message"] == (
        "Send an API token in the header “Authorization: Bearer <token>”."
    )
    assert vietnamese.json()["error"]["message"] == (
        "Hãy gửi mã API trong tiêu đề “Authorization: Bearer <token>”."
    )
    assert default.json() == vietnamese.json()
    assert (english.headers["content-language"], vietnamese.headers["content-language"]) == (
        "en",
        "vi",
    )


async def test_viewer_token_reads_but_cannot_write(token_client, clock):
    station = await make_station()
    shift = await make_shift(station)
    volunteer = await make_volunteer(unit_id=station.unit_id)
    viewer = await token_client(UserRole.VIEWER, language="en")

    read = await viewer.get(f"/api/v1/stations/{station.id}")
    write = await viewer.post(
        "/api/v1/assignments", json={"shift_id": shift.id, "volunteer_id": volunteer.id}
    )

    assert read.status_code == 200
    assert write.status_code == 403
    assert write.json()["error"] == {
        "code": "forbidden",
        "message": "Your account can only look, not change anything.",
        "field": None,
    }
    assert await Assignment.all().count() == 0


async def test_viewer_token_is_refused_before_its_body_is_read(token_client):
    viewer = await token_client(UserRole.VIEWER)

    response = await viewer.post(
        "/api/v1/stock-movements", content=b"{not json", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 403


async def test_unit_token_cannot_cancel_another_units_assignment(token_client, clock):
    own_unit, other_unit = await make_unit(), await make_unit()
    assignment = await make_assignment(await make_shift(await make_station(unit=other_unit)))
    coordinator = await token_client(UserRole.COORDINATOR, own_unit, language="en")

    response = await coordinator.post(f"/api/v1/assignments/{assignment.id}/cancel")

    # Answered as an unknown id is: nothing says the assignment exists.
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": f"There is no assignment with id {assignment.id}.",
        "field": "assignment_id",
    }
    assert (await Assignment.get(id=assignment.id)).status == "assigned"


async def test_unit_token_reaches_stations_of_units_below_its_own(token_client):
    ward = await make_unit()
    hamlet = await make_unit(parent=ward)
    station = await make_station(unit=hamlet)
    coordinator = await token_client(UserRole.COORDINATOR, ward)

    response = await coordinator.get(f"/api/v1/stations/{station.id}")

    assert response.status_code == 200
