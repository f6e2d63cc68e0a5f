"""A station's low-stock level: set, cleared back to the default, and checked."""

from __future__ import annotations

from stations.models import StockBalance
from tests.stations.web.inventory.helpers import browser, field_error


async def test_thresholds_are_set_cleared_and_checked(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    url = f"/stations/{world.a1.id}/thresholds?lang=en"

    set_response = await coordinator.post(url, {"item": str(world.water.id), "threshold": "25"})
    level_set = (await StockBalance.get(station_id=world.a1.id)).low_stock_threshold
    cleared = await coordinator.post(url, {"item": str(world.water.id), "threshold": " "})
    level_cleared = (await StockBalance.get(station_id=world.a1.id)).low_stock_threshold
    refused = [
        (await coordinator.post(url, {"item": str(world.water.id), "threshold": raw}))
        for raw in ["-1", "ba", "1000001", "1.000.001"]
    ]

    assert (set_response.status_code, level_set) == (303, 25)
    assert (cleared.status_code, level_cleared) == (303, None)
    assert [r.status_code for r in refused] == [422] * 4
    assert {field_error(r.text, "threshold") for r in refused} == {
        "The low-stock level must be a whole number between 0 and 1,000,000, or empty."
    }
    assert (await StockBalance.get(station_id=world.a1.id)).low_stock_threshold is None
