"""The ways between the pages of a campaign and of a station: the same trail and the same
links on each page, the page itself marked as the current one."""

from __future__ import annotations

import re

from tests.factories import make_campaign, make_station, make_unit
from tests.stations.web.planning_helpers import client_for

_PAGE_LINKS = re.compile(r'<nav class="page-links"[^>]*>(.*?)</nav>', re.S)
_CRUMBS = re.compile(r'<nav class="crumbs"[^>]*>(.*?)</nav>', re.S)
_LINK = re.compile(r'<a href="([^"]*)"( aria-current="page")?>')


def _links(pattern: re.Pattern[str], page: str) -> list[tuple[str, bool]]:
    found = pattern.search(page)
    assert found is not None, "the page has no such navigation"
    return [
        (href.replace("&amp;", "&"), bool(current))
        for href, current in _LINK.findall(found.group(1))
    ]


async def test_station_pages_share_one_row_of_links_marking_the_current_page(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    station = await make_station(campaign, unit=unit, code="HN-01")
    client = await client_for(app, "viewer", unit)
    pages = {
        "detail": f"/stations/{station.id}",
        "planner": f"/stations/{station.id}/shifts",
        "inventory": f"/stations/{station.id}/inventory",
    }
    expected = [
        f"/stations/{station.id}",
        f"/stations/{station.id}/shifts",
        f"/stations/{station.id}/inventory",
        f"/campaigns/{campaign.id}/ledger?station={station.id}",
        f"/stations/{station.id}/sheet",
    ]

    seen = {}
    for name, path in pages.items():
        response = await client.get(path)
        assert response.status_code == 200, path
        seen[name] = _links(_PAGE_LINKS, response.text)

    for name, links in seen.items():
        assert [href for href, _current in links] == expected
        assert [href for href, current in links if current] == [pages[name]]


async def test_campaign_pages_share_one_row_of_links_marking_the_current_page(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    await make_station(campaign, unit=unit, code="HN-01")
    client = await client_for(app, "viewer", unit)
    base = f"/campaigns/{campaign.id}"
    pages = {
        "stations": f"{base}/stations",
        "inventory": f"{base}/inventory",
        "ledger": f"{base}/ledger",
        "funds": f"{base}/funds",
        "report": f"{base}/report",
        "feedback": f"{base}/feedback",
    }

    for path in pages.values():
        response = await client.get(path)

        assert response.status_code == 200, path
        links = _links(_PAGE_LINKS, response.text)
        assert [href for href, _current in links] == [base, *pages.values()]
        assert [href for href, current in links if current] == [path]


async def test_station_pages_lead_back_to_the_campaign_and_station_in_their_trail(app, db, clock):
    unit = await make_unit()
    campaign = await make_campaign()
    station = await make_station(campaign, unit=unit, code="HN-01")
    client = await client_for(app, "coordinator", unit)

    trails = {}
    for path in (
        f"/stations/{station.id}/shifts",
        f"/stations/{station.id}/shifts/new",
        f"/stations/{station.id}/shifts/pattern",
        f"/stations/{station.id}/inventory",
        f"/stations/{station.id}/edit",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        trails[path] = [href for href, _current in _links(_CRUMBS, response.text)][:3]

    assert set(map(tuple, trails.values())) == {
        ("/campaigns", f"/campaigns/{campaign.id}", f"/stations/{station.id}")
    }
