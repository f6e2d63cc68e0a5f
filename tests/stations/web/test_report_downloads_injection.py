"""The report downloads carry names people typed: none of them runs as a formula."""

from __future__ import annotations

import csv
import io

import openpyxl

from tests.factories import make_campaign, make_station, make_unit, vn
from tests.stations.services.test_spreadsheet_cells import HYPERLINK, PAYLOADS
from tests.stations.web.helpers import make_user, signed_in


async def _hostile_campaign():
    unit = await make_unit(code="UA", name="@SUM(1)")
    campaign = await make_campaign(
        name="=1+2", starts_on=vn(2027, 2, 1).date(), ends_on=vn(2027, 2, 1).date()
    )
    for n, payload in enumerate(PAYLOADS, start=1):
        await make_station(campaign, code=f"X{n}", name=payload, unit=unit)
    return campaign


async def test_report_xlsx_download_holds_the_names_as_quoted_text(app):
    campaign = await _hostile_campaign()
    admin = await signed_in(app, await make_user("admin"))

    response = await admin.get(f"/campaigns/{campaign.id}/report.xlsx?lang=en")

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    names = {row[1] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert {"'" + payload for payload in PAYLOADS} <= names
    assert "'" + HYPERLINK in names
    assert workbook.worksheets[0]["A1"].value == "'=1+2"


async def test_report_csv_download_holds_the_names_as_quoted_text(app):
    campaign = await _hostile_campaign()
    admin = await signed_in(app, await make_user("admin"))

    response = await admin.get(f"/campaigns/{campaign.id}/report.csv?lang=en")

    assert response.status_code == 200
    # Vietnamese Excel's CSV by default: fields separated by ";".
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[1] for row in rows[1:]) == sorted("'" + payload for payload in PAYLOADS)
    assert {row[2] for row in rows[1:]} == {"'@SUM(1)"}
