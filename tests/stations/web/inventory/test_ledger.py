"""The campaign's ledger: newest first, filtered, paged, in scope; bad filters dropped with
a note."""

from __future__ import annotations

import html
import re

from stations.services.inventory import record_handout, record_receipt
from tests.factories import vn
from tests.stations.web.inventory.helpers import SYSTEM, World, browser


async def ledger_lines(world: World) -> None:
    await record_receipt(world.a1, world.water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 1, 23, 30))
    await record_receipt(world.a1, world.towel, 40, by=SYSTEM, occurred_at=vn(2027, 2, 2, 0, 30))
    await record_handout(world.a1, world.water, 10, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    await record_receipt(world.b1, world.water, 70, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))


def ledger_rows(page: str) -> list[tuple[str, str, str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    result = []
    for row in rows:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        result.append((cells[1], cells[3], cells[4]))
    return result


async def test_ledger_lists_lines_newest_first_and_filters_them(app, world) -> None:
    await ledger_lines(world)
    admin = await browser(app, world, role="admin")
    url = f"/campaigns/{world.campaign.id}/ledger?lang=en"

    everything = await admin.get(url)
    one_day = await admin.get(f"{url}&from=01/02/2027&to=2027-02-01")
    handouts = await admin.get(f"{url}&kind=handout&station={world.a1.id}")
    towels = await admin.get(f"{url}&item={world.towel.id}")

    assert everything.status_code == 200
    assert ledger_rows(everything.text) == [
        ("B1", "Receipt", "+70 bottle"),
        ("A1", "Handout", "-10 bottle"),
        ("A1", "Receipt", "+40 towel"),
        ("A1", "Receipt", "+100 bottle"),
    ]
    assert everything.text.count("<td>System</td>") == 4  # written by no person
    assert ledger_rows(one_day.text) == [("A1", "Receipt", "+100 bottle")]
    assert 'value="01/02/2027"' in one_day.text
    assert ledger_rows(handouts.text) == [("A1", "Handout", "-10 bottle")]
    assert ledger_rows(towels.text) == [("A1", "Receipt", "+40 towel")]


async def test_ledger_ignores_bad_filters_with_a_note(app, world) -> None:
    await ledger_lines(world)
    coordinator = await browser(app, world, unit=world.unit_a)
    url = f"/campaigns/{world.campaign.id}/ledger?lang=en"
    bad = {
        f"station={world.b1.id}": "The station filter was ignored",
        "station=abc": "The station filter was ignored",
        "item=99999999999999": "The item filter was ignored",
        "kind=theft": "The kind filter was ignored",
        "from=31/02/2027": "The start date was ignored",
        "to=yesterday": "The end date was ignored",
        "from=2027-02-05&to=2027-02-01": "The dates were ignored",
        "page=0": "The page number was ignored",
        "page=-3": "The page number was ignored",
        "page=%00": "The page number was ignored",
        "page=99999999999999999999": "The page number was ignored",
    }

    for query, note in bad.items():
        response = await coordinator.get(f"{url}&{query}")
        assert response.status_code == 200, query
        assert note in html.unescape(response.text), query
        assert [row[0] for row in ledger_rows(response.text)] == ["A1", "A1", "A1"], query


async def test_ledger_pages_through_the_lines(app, world) -> None:
    for n in range(55):
        await record_receipt(world.a1, world.water, n + 1, by=SYSTEM)
    admin = await browser(app, world, role="admin")
    url = f"/campaigns/{world.campaign.id}/ledger?lang=en&station={world.a1.id}"

    first = await admin.get(url)
    second = await admin.get(f"{url}&page=2")
    beyond = await admin.get(f"{url}&page=9")

    assert len(ledger_rows(first.text)) == 50
    assert f"station={world.a1.id}&amp;page=2" in first.text
    assert len(ledger_rows(second.text)) == 5
    assert 'rel="next"' not in second.text and 'rel="prev"' in second.text
    assert "There are no lines on this page." in beyond.text


async def test_ledger_of_a_viewer_shows_the_scope_only(app, world) -> None:
    await ledger_lines(world)
    viewer = await browser(app, world, role="viewer", unit=world.unit_b)

    response = await viewer.get(f"/campaigns/{world.campaign.id}/ledger?lang=en")

    assert ledger_rows(response.text) == [("B1", "Receipt", "+70 bottle")]
