"""Every inventory page: closed to strangers, 404 for an unknown id, and as many statements
for a campaign of many stations as for one of few."""

from __future__ import annotations

from stations.services.inventory import record_handout, record_receipt
from tests.factories import make_campaign, make_station
from tests.sql import count_queries as count_statements
from tests.stations.web.inventory.helpers import SYSTEM, browser


async def test_pages_refuse_strangers_and_unknown_ids(app, world, client) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    anonymous = await client.get(f"/stations/{world.a1.id}/inventory")
    foreign = await coordinator.get(f"/stations/{world.b1.id}/inventory")
    missing_station = await coordinator.get("/stations/999999/inventory")
    missing_campaign = await coordinator.get("/campaigns/999999/inventory")
    missing_ledger = await coordinator.get("/campaigns/999999/ledger")
    huge = [
        (await coordinator.get(url)).status_code
        for url in ("/stations/99999999999999999999/inventory", "/campaigns/2147483648/ledger")
    ]

    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/signin?next=")
    assert [foreign.status_code, missing_station.status_code] == [404, 404]
    assert foreign.text.replace(f"/stations/{world.b1.id}/", "/stations/?/") == (
        missing_station.text.replace("/stations/999999/", "/stations/?/")
    )
    assert [missing_campaign.status_code, missing_ledger.status_code, *huge] == [404] * 4


async def test_pages_cost_the_same_queries_for_few_or_many_stations(
    app, world, monkeypatch
) -> None:
    many = await make_campaign(name="Nhiều trạm")
    for n in range(8):
        station = await make_station(many, code=f"M{n}", unit=world.unit_a)
        await record_receipt(station, world.water, 5, by=SYSTEM)
        await record_handout(station, world.towel, 1, by=SYSTEM)
    await record_receipt(world.a1, world.water, 5, by=SYSTEM)
    admin = await browser(app, world, role="admin")
    statements = count_statements(monkeypatch)

    counts = {}
    for page in ("inventory", "ledger", "report"):
        for campaign in (world.campaign, many):
            statements.clear()
            response = await admin.get(f"/campaigns/{campaign.id}/{page}")
            assert response.status_code == 200
            counts[(page, campaign.name)] = len(statements)

    for page in ("inventory", "ledger", "report"):
        assert counts[(page, world.campaign.name)] == counts[(page, many.name)], page
