"""Services given at a station: kind, amount and partner checked, recorded once."""

from __future__ import annotations

from stations.enums import ServiceKind
from stations.models import ServiceRecord
from tests.stations.web.inventory.helpers import browser, field_error, key_in


async def test_a_service_sent_twice_is_recorded_once(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    page = (await coordinator.get(f"/stations/{world.a1.id}/services?lang=en")).text
    data = {
        "kind": ServiceKind.MOTORBIKE_CHECK.value,
        "quantity": "12",
        "partner": str(world.unit_b.id),
        "note": "Gara Hòa Bình",
        "idempotency_key": key_in(page),
    }

    first = await coordinator.post(f"/stations/{world.a1.id}/services", data)
    second = await coordinator.post(f"/stations/{world.a1.id}/services", data)
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert (first.status_code, second.status_code) == (303, 303)
    records = await ServiceRecord.filter(station_id=world.a1.id)
    assert [(r.kind, r.quantity, r.partner_id) for r in records] == [
        (ServiceKind.MOTORBIKE_CHECK, 12, world.unit_b.id)
    ]
    assert "Service recorded: Motorbike safety checks (vehicles), 12." in after.text


async def test_services_check_kind_amount_and_partner(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    url = f"/stations/{world.a1.id}/services?lang=en"
    base = {"kind": "loudspeaker", "quantity": "90", "partner": "", "note": ""}

    cases = {
        "kind": [
            ({"kind": "karaoke"}, "Choose a kind of service from the list."),
            ({"kind": ""}, "Choose a kind of service from the list."),
        ],
        "quantity": [
            (
                {"quantity": "1441"},
                "Loudspeaker time must be a whole number of minutes between 1 and 1,440.",
            ),
            (
                {"kind": "first_aid", "quantity": "10001"},
                "Quantity must be a whole number between 1 and 10,000.",
            ),
            (
                {"kind": "first_aid", "quantity": "hai"},
                "Quantity must be a whole number between 1 and 10,000.",
            ),
        ],
        "partner": [
            ({"partner": "999999"}, "Choose a partner unit from the list, or none."),
            ({"partner": "x"}, "Choose a partner unit from the list, or none."),
        ],
    }
    for field_name, attempts in cases.items():
        for change, message in attempts:
            response = await coordinator.post(url, {**base, **change})
            assert response.status_code == 422, change
            assert field_error(response.text, field_name) == message
    accepted = await coordinator.post(url, base)

    assert accepted.status_code == 303
    assert [(r.kind, r.quantity) for r in await ServiceRecord.all()] == [
        (ServiceKind.LOUDSPEAKER, 90)
    ]
