"""The inputs the task forms share: the item, a quantity as people write it, when it
happened, a note."""

from __future__ import annotations

import html
import re

import pytest

from stations.enums import MovementKind
from stations.i18n import translate
from stations.models import StockMovement
from tests.factories import make_item, vn
from tests.stations.web.inventory.helpers import browser, field_error, form_of, key_in, lines

QUANTITY_RANGE = "Quantity must be a whole number between 1 and {max}."


BAD_QUANTITIES = ["0", "-5", "năm mươi", "99999999999", "", "2000000", "2.000.000"]


async def test_bad_quantities_are_refused_in_vietnamese_with_the_value_kept(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    expected = translate(QUANTITY_RANGE, "vi", max=1_000_000)

    for raw in BAD_QUANTITIES:
        response = await coordinator.post(
            f"/stations/{world.a1.id}/receipts",
            {"item": str(world.water.id), "quantity": raw, "note": "", "idempotency_key": "k"},
        )

        assert response.status_code == 422, raw
        assert field_error(response.text, "quantity") == expected
        assert 'id="f-quantity" name="quantity" type="text"' in response.text
        assert f'value="{html.escape(raw)}"' in form_of(response.text)
    assert await lines() == []
    assert expected != QUANTITY_RANGE.format(max=1_000_000)


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("receipts", {"quantity": "5"}),
        ("handouts", {"quantity": "5"}),
        ("losses", {"quantity": "5"}),
        ("counts", {"counted": "5"}),
        ("thresholds", {"threshold": "5"}),
        ("transfers", {"quantity": "5", "to_station": "A2"}),
    ],
)
async def test_unknown_items_are_refused_beside_the_item_field(app, world, path, extra) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    retired = await make_item("lantern", is_active=False)
    data = {k: str(world.a2.id) if v == "A2" else v for k, v in extra.items()}

    errors = []
    for item in ["", "abc", "999999", "-1", "1" * 30]:
        response = await coordinator.post(
            f"/stations/{world.a1.id}/{path}?lang=en",
            {**data, "item": item, "note": "", "idempotency_key": ""},
        )
        errors.append((response.status_code, re.findall(r'id="e-item">([^<]*)<', response.text)))
    retired_response = await coordinator.post(
        f"/stations/{world.a1.id}/{path}?lang=en",
        {**data, "item": str(retired.id), "confirm": "yes"},
    )

    assert errors == [(422, ["Choose a supply item from the list."])] * 5
    if path != "thresholds":  # a retired item's level can still be set
        assert retired_response.status_code == 422
        assert "The supply item lantern is no longer in use." in retired_response.text
    assert await lines() == []


async def test_a_note_is_stored_as_typed_and_escaped_on_the_page(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    payload = '<script>alert("x")</script>'

    await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {"item": str(world.water.id), "quantity": "3", "note": payload},
    )
    too_long = await coordinator.post(
        f"/stations/{world.a1.id}/losses?lang=en",
        {"item": str(world.water.id), "quantity": "1", "note": "x" * 301},
    )
    page = await coordinator.get(f"/stations/{world.a1.id}/inventory")
    ledger = await coordinator.get(f"/campaigns/{world.campaign.id}/ledger")

    assert (await StockMovement.get(kind=MovementKind.RECEIPT)).note == payload
    assert payload not in page.text and payload not in ledger.text
    assert html.escape(payload, quote=False) in page.text.replace("&#34;", '"')
    assert too_long.status_code == 422
    assert field_error(too_long.text, "note") == "The note can be at most 300 characters."
    assert await lines(kind="loss") == []


async def test_an_earlier_entry_is_written_at_its_day_and_time(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    url = f"/stations/{world.a1.id}/receipts?lang=en"
    base = {"item": str(world.water.id), "quantity": "30", "note": ""}
    refused = {
        (
            "2027-02-01",
            "",
        ): "Give both the day and the time it happened, or leave both empty for now.",
        ("", "10:00"): "Give both the day and the time it happened, or leave both empty for now.",
        ("31/02/2027", "10:00"): "This date does not exist.",
        ("2027-02-01", "25:00"): "This time does not exist.",
        ("hôm qua", "10:00"): "Enter a date as DD/MM/YYYY.",
        ("2027-02-03", "10:00"): "The time cannot be in the future.",
        ("2027-01-01", "10:00"): (
            "The time is too early for this campaign, which starts on 30/01/2027."
        ),
    }

    found = {}
    for (day, time), _message in refused.items():
        response = await coordinator.post(url, {**base, "day": day, "time": time})
        found[(day, time)] = (
            response.status_code,
            field_error(response.text, "occurred_at"),
        )
    accepted = await coordinator.post(url, {**base, "day": "01/02/2027", "time": "21:15"})

    assert found == {when: (422, message) for when, message in refused.items()}
    assert accepted.status_code == 303
    line = await StockMovement.get(station_id=world.a1.id)
    assert (line.delta, line.occurred_at) == (30, vn(2027, 2, 1, 21, 15))


@pytest.mark.parametrize("raw", ["1000", "1.000", "1 000", "1,000"])
async def test_quantities_are_read_as_people_write_thousands(app, world, raw) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    page = (await coordinator.get(f"/stations/{world.a1.id}/receipts")).text

    response = await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {
            "item": str(world.water.id),
            "quantity": raw,
            "note": "",
            "idempotency_key": key_in(page),
        },
    )

    assert response.status_code == 303
    assert await lines(station_id=world.a1.id) == [("receipt", 1000)]


@pytest.mark.parametrize("raw", ["1.5", "2,5", "1e9"])
async def test_a_decimal_quantity_is_refused_with_the_reason(app, world, raw) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {"item": str(world.water.id), "quantity": raw, "note": "", "idempotency_key": "k"},
    )

    assert response.status_code == 422
    assert field_error(response.text, "quantity") == (
        f"“{raw}” không phải là số nguyên: số lượng chỉ tính theo đơn vị nguyên, còn dấu "
        "chấm hay dấu phẩy chỉ dùng để tách hàng nghìn (1.000 hoặc 1,000 là một nghìn)."
    )
    assert await lines() == []
