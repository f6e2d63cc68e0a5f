"""The report API and page at scale: the same statements and a bounded answer whatever the
number of stations and units; every station still in the streamed files."""

from __future__ import annotations

import csv
import io

import openpyxl
from starlette.applications import Starlette

from stations.services.actor import Actor
from stations.services.exports import CSV_CHUNK_ROWS
from stations.services.users import create_api_token
from tests.factories_report_scale import make_busy_campaign
from tests.sql import count_queries
from tests.stations.web.helpers import make_user, new_client, signed_in

SIZES = ((3, 1), (30, 5), (300, 20))


async def test_report_api_and_page_statements_do_not_grow_with_stations_or_units(
    app: Starlette, db, clock, monkeypatch
) -> None:
    _token, plaintext = await create_api_token("scale", role="admin", by=Actor.system("tests"))
    api = new_client(app)
    api.headers["Authorization"] = f"Bearer {plaintext}"
    browser = await signed_in(app, await make_user(role="admin"))
    # A token's first use records when it was used: settle it before counting.
    assert (await api.get("/api/v1/campaigns")).status_code == 200
    counts, sizes = [], []
    for stations, units in SIZES:
        busy = await make_busy_campaign(stations=stations, units=units)
        statements = count_queries(monkeypatch)
        answer = await api.get(f"/api/v1/campaigns/{busy.campaign.id}/report")
        from_api = len(statements)
        statements.clear()
        page = await browser.get(f"/campaigns/{busy.campaign.id}/report")
        counts.append((from_api, len(statements)))
        sizes.append((len(answer.content), len(page.content)))
        assert (answer.status_code, page.status_code) == (200, 200)
        data = answer.json()["data"]
        assert (len(data["unit_totals"]), data["totals"]["stations"]) == (units, stations)
        assert len(data["stations"]) == min(stations, 50)

    assert counts[0] == counts[1] == counts[2]
    # A page of stations, one row per unit and day: ten times the stations is not ten
    # times the bytes.
    assert sizes[2][0] < 2 * sizes[1][0]
    assert sizes[2][1] < 2 * sizes[1][1]


async def test_xlsx_and_csv_of_many_stations_hold_every_station(app: Starlette, db, clock) -> None:
    busy = await make_busy_campaign(stations=2 * CSV_CHUNK_ROWS + 1, units=3)
    browser = await signed_in(app, await make_user(role="admin"))

    workbook = await browser.get(f"/campaigns/{busy.campaign.id}/report.xlsx?lang=en")
    table = await browser.get(f"/campaigns/{busy.campaign.id}/report.csv?format=rfc4180")

    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["By station"]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)][:-2]  # total, note
    assert int(workbook.headers["content-length"]) == len(workbook.content)
    rows = list(csv.reader(io.StringIO(table.text)))
    assert len(codes) == len(rows) - 1 == 2 * CSV_CHUNK_ROWS + 1
    assert sorted(codes) == sorted(row[0] for row in rows[1:])
