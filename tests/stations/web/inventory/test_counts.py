"""A physical count: its adjustment shown before it is written, bad counts refused."""

from __future__ import annotations

import re

from stations.services.inventory import record_receipt
from tests.stations.web.inventory.helpers import SYSTEM, browser, field_error, lines


async def test_a_count_shows_the_adjustment_before_writing_it(app, world) -> None:
    await record_receipt(world.a1, world.water, 50, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)
    data = {"item": str(world.water.id), "counted": "42", "note": "Đếm cuối ca"}

    preview = await coordinator.post(
        f"/stations/{world.a1.id}/counts?lang=en", {**data, "idempotency_key": "count-1"}
    )
    written_after_preview = await lines(kind="count_adjustment")
    confirm = await coordinator.post(
        f"/stations/{world.a1.id}/counts",
        {**data, "idempotency_key": "count-1", "confirm": "yes"},
    )
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert preview.status_code == 200
    assert re.search(r'id="count-delta">-8 bottle<', preview.text)
    assert 'name="idempotency_key" value="count-1"' in preview.text
    assert written_after_preview == []
    assert confirm.status_code == 303
    assert await lines(kind="count_adjustment") == [("count_adjustment", -8)]
    assert "Count recorded: Bottled water, 42 (bottle), an adjustment of -8." in after.text


async def test_bad_counts_are_refused(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    expected = "The count must be a whole number between 0 and 1,000,000."

    for raw in ["-1", "", "mười", "99999999999", "1000001", "1.000.001"]:
        for confirm in ("", "yes"):
            response = await coordinator.post(
                f"/stations/{world.a1.id}/counts?lang=en",
                {"item": str(world.water.id), "counted": raw, "confirm": confirm},
            )
            assert response.status_code == 422
            assert field_error(response.text, "counted") == expected
    assert await lines() == []


async def test_a_count_that_agrees_confirms_the_record(app, world) -> None:
    await record_receipt(world.a1, world.towel, 40, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)
    data = {"item": str(world.towel.id), "counted": "40", "note": ""}

    preview = await coordinator.post(f"/stations/{world.a1.id}/counts?lang=en", data)
    confirm = await coordinator.post(f"/stations/{world.a1.id}/counts", {**data, "confirm": "yes"})
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert "The count agrees with the record" in preview.text
    assert confirm.status_code == 303
    assert await lines(kind="count_adjustment") == [("count_adjustment", 0)]
    assert "Count recorded: Cold towel, 40 (towel), as on record." in after.text
