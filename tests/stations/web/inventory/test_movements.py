"""Receipts, handouts and transfers from their forms, and what the summary says of them."""

from __future__ import annotations

from stations.enums import MovementKind
from stations.models import StockBalance, StockMovement
from stations.services.inventory import record_receipt
from tests.factories import vn
from tests.stations.web.inventory.helpers import SYSTEM, browser, field_error, key_in, lines


async def test_receipt_form_writes_a_line_and_says_so(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    page = (await coordinator.get(f"/stations/{world.a1.id}/receipts?lang=en")).text

    response = await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {
            "item": str(world.water.id),
            "quantity": "120",
            "note": "Phiếu giao số 7",
            "idempotency_key": key_in(page),
        },
    )
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert response.status_code == 303
    assert response.headers["location"] == f"/stations/{world.a1.id}/inventory"
    assert await lines(station_id=world.a1.id) == [("receipt", 120)]
    line = await StockMovement.get(station_id=world.a1.id)
    assert (line.note, line.source.value, line.by_user_id is not None) == (
        "Phiếu giao số 7",
        "web",
        True,
    )
    assert "Receipt recorded: Bottled water, 120 (bottle). Stock on record: 120." in after.text


async def test_transfers_go_only_to_open_stations_of_the_campaign_in_scope(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    targets = {
        "itself": (str(world.a1.id), "A station cannot transfer stock to itself."),
        "other campaign": (
            str(world.elsewhere.id),
            "Stock can only be transferred between stations of the same campaign.",
        ),
        "other unit": (
            str(world.b1.id),
            "You can only move stock to stations of your own units.",
        ),
        "unknown": ("999999", "Choose a station from the list."),
        "not a number": ("A2", "Choose a station from the list."),
        "empty": ("", "Choose a station from the list."),
    }

    found = {}
    for name, (target, _message) in targets.items():
        response = await coordinator.post(
            f"/stations/{world.a1.id}/transfers?lang=en",
            {"item": str(world.water.id), "to_station": target, "quantity": "5", "note": ""},
        )
        found[name] = (response.status_code, field_error(response.text, "to_station"))

    assert found == {name: (422, message) for name, (_t, message) in targets.items()}
    assert await lines() == []


async def test_a_transfer_writes_both_lines_and_moves_the_stock(app, world) -> None:
    await record_receipt(world.a1, world.water, 50, by=SYSTEM)
    admin = await browser(app, world, role="admin")

    response = await admin.post(
        f"/stations/{world.a1.id}/transfers",
        {"item": str(world.water.id), "to_station": str(world.b1.id), "quantity": "20"},
    )

    assert response.status_code == 303
    assert await lines(kind__in=["transfer_out", "transfer_in"]) == [
        ("transfer_out", -20),
        ("transfer_in", 20),
    ]
    balances = {b.station_id: b.quantity for b in await StockBalance.all()}
    assert (balances[world.a1.id], balances[world.b1.id]) == (30, 20)


async def test_a_handout_beyond_the_stock_is_kept_and_flagged(app, world) -> None:
    await record_receipt(world.a1, world.water, 10, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.post(
        f"/stations/{world.a1.id}/handouts",
        {"item": str(world.water.id), "quantity": "25", "note": ""},
    )
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory?lang=en")

    assert response.status_code == 303
    line = await StockMovement.get(kind=MovementKind.HANDOUT)
    assert (line.delta, line.discrepancy) == (-25, True)
    assert "so it is flagged as a discrepancy" in after.text
    assert "Discrepancy today" in after.text


async def test_a_handout_crossing_the_low_stock_level_says_so(app, world) -> None:
    await record_receipt(world.a1, world.water, 150, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)
    await coordinator.get(f"/stations/{world.a1.id}/inventory?lang=en")

    await coordinator.post(
        f"/stations/{world.a1.id}/handouts", {"item": str(world.water.id), "quantity": "60"}
    )
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert "Bottled water is now below its low-stock level of 100." in after.text
    assert "Handout recorded: Bottled water, 60 (bottle). Stock on record: 90." in after.text


async def test_a_handout_before_the_campaign_needs_a_reason(app, world, clock) -> None:
    clock.set(vn(2026, 12, 7, 9))  # the campaign starts on 30/01/2027
    coordinator = await browser(app, world, unit=world.unit_a)
    form = await coordinator.get(f"/stations/{world.a1.id}/handouts?lang=en")

    refused = await coordinator.post(
        f"/stations/{world.a1.id}/handouts?lang=en",
        {"item": str(world.water.id), "quantity": "5", "note": ""},
    )
    received = await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {"item": str(world.water.id), "quantity": "50", "note": ""},
    )
    accepted = await coordinator.post(
        f"/stations/{world.a1.id}/handouts",
        {
            "item": str(world.water.id),
            "quantity": "5",
            "note": "",
            "outside_reason": "Tặng đoàn xe từ thiện",
        },
    )

    assert "Reason it is outside the campaign" in form.text
    assert refused.status_code == 422
    assert "give the reason it is outside the campaign" in refused.text
    assert (received.status_code, accepted.status_code) == (303, 303)
    assert await StockMovement.filter(kind=MovementKind.HANDOUT).values_list(
        "outside_reason", flat=True
    ) == ["Tặng đoàn xe từ thiện"]
