"""The stock pages: a campaign's stock at every station in scope, a station's summary."""

from __future__ import annotations

import datetime as dt
import re

from stations.services.inventory import record_handout, record_receipt
from tests.stations.web.inventory.helpers import SYSTEM, TASK_PAGES, browser


async def test_campaign_inventory_shows_stock_with_flags_in_words(app, world) -> None:
    await record_receipt(world.a1, world.water, 150, by=SYSTEM)
    await record_receipt(world.b1, world.water, 20, by=SYSTEM)
    await record_handout(world.b1, world.water, 30, by=SYSTEM)
    admin = await browser(app, world, role="admin")

    response = await admin.get(f"/campaigns/{world.campaign.id}/inventory?lang=en")

    assert response.status_code == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", response.text, re.S)
    assert [re.search(r">(\w+) ·", row).group(1) for row in rows] == ["A1", "A2", "B1"]
    water_cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0] for row in rows]
    assert "Low stock" not in water_cells[0]
    assert "Low stock" in water_cells[2] and "Discrepancy today" in water_cells[2]
    assert f'href="/stations/{world.a1.id}/inventory"' in rows[0]
    assert 'href="/static/inventory.css' in response.text


async def test_campaign_inventory_of_a_unit_coordinator_lists_only_its_stations(app, world) -> None:
    await record_receipt(world.b1, world.water, 20, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.get(f"/campaigns/{world.campaign.id}/inventory?lang=en")

    assert response.status_code == 200
    # (B1's name, not "B1" alone, which a random CSRF token may contain)
    assert ("A1 · Trạm Hồng Ngự" in response.text, "Trạm Cao Lãnh" in response.text) == (
        True,
        False,
    )
    assert "Only the stations of your units are shown." in response.text


async def test_station_inventory_is_a_summary_with_a_button_per_task(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.get(f"/stations/{world.a1.id}/inventory?lang=en")

    assert response.status_code == 200
    assert "<form" not in response.text.split("<main", 1)[1]
    links = re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', response.text)
    assert links == [
        (f"/stations/{world.a1.id}/{path}", title) for path, (title, _s) in TASK_PAGES.items()
    ]


async def test_the_station_page_reads_in_vietnamese_by_default(app, world) -> None:
    await record_receipt(world.a1, world.water, 5, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert response.status_code == 200
    assert "Tồn kho của Trạm Hồng Ngự" in response.text
    assert "Sắp hết" in response.text
    assert dt.date(2027, 2, 2).strftime("%d/%m/%Y") in response.text
