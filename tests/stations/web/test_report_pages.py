"""The campaign report page and its XLSX and CSV downloads."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from urllib.parse import unquote

import openpyxl
import pytest
from starlette.applications import Starlette

from stations.enums import AssignmentStatus, ServiceKind, SupplyCategory
from stations.models import Campaign, Station, Unit
from stations.services.actor import Actor
from stations.services.inventory import record_handout, record_receipt
from stations.services.service_records import record_service
from stations.web.views.reports import content_disposition, download_name
from tests.factories import (
    make_assignment,
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_unit,
    vn,
)
from tests.stations.web.helpers import make_user, signed_in

SYSTEM = Actor.system("tests")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class World:
    campaign: Campaign
    unit_a: Unit
    unit_b: Unit
    a1: Station
    b1: Station


@pytest.fixture
async def world(db, clock) -> World:
    unit_a, unit_b = await make_unit(code="UA"), await make_unit(code="UB")
    campaign = await make_campaign(
        name="Tết Đinh Mùi 2027", starts_on=vn(2027, 2, 1).date(), ends_on=vn(2027, 2, 3).date()
    )
    a1 = await make_station(campaign, code="A1", name="Trạm Hồng Ngự", unit=unit_a)
    b1 = await make_station(campaign, code="B1", name="Trạm Cao Lãnh", unit=unit_b)
    water = await make_item("water", category=SupplyCategory.WATER)
    await record_receipt(a1, water, 200, by=SYSTEM, occurred_at=vn(2027, 2, 1, 7))
    await record_handout(a1, water, 120, by=SYSTEM, occurred_at=vn(2027, 2, 1, 23, 30))
    await record_receipt(b1, water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 1, 7))
    await record_handout(b1, water, 45, by=SYSTEM, occurred_at=vn(2027, 2, 2, 0, 30))
    await record_service(a1, ServiceKind.LOUDSPEAKER, 90, by=SYSTEM)
    shift = await make_shift(b1, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 10))
    await make_assignment(shift, status=AssignmentStatus.CHECKED_OUT, worked_minutes=240)
    return World(campaign, unit_a, unit_b, a1, b1)


async def browser(app: Starlette, role: str = "admin", unit: Unit | None = None):
    return await signed_in(app, await make_user(role=role, unit=unit))


def table(page: str, title_id: str) -> list[list[str]]:
    section = page.split(f'id="{title_id}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


async def test_report_page_shows_totals_per_station_and_per_day(app, world) -> None:
    admin = await browser(app)

    response = await admin.get(f"/campaigns/{world.campaign.id}/report?lang=en")

    assert response.status_code == 200
    totals = dict(row for row in table(response.text, "totals-title") if len(row) == 2)
    assert (totals["Bottled water (bottles)"], totals["Loudspeaker hours"]) == ("165", "1.5")
    assert (totals["Volunteer turns"], totals["Budget (VND)"]) == ("1", "100,000,000")
    stations = table(response.text, "stations-title")
    assert [row[0][:2] for row in stations[1:]] == ["A1", "B1", "To"]
    days = table(response.text, "days-title")
    water_column = days[0].index("Bottled water (bottles)")
    assert [(row[0], row[water_column]) for row in days[1:]] == [
        ("01/02/2027", "120"),
        ("02/02/2027", "45"),
        ("03/02/2027", "0"),
        ("Total", "165"),
    ]
    assert "handed out 165 bottles of water" in response.text
    assert f"/campaigns/{world.campaign.id}/report.xlsx" in response.text


async def test_report_page_of_a_unit_coordinator_counts_its_stations_only(app, world) -> None:
    coordinator = await browser(app, "coordinator", world.unit_a)

    response = await coordinator.get(f"/campaigns/{world.campaign.id}/report?lang=en")

    assert response.status_code == 200
    totals = dict(row for row in table(response.text, "totals-title") if len(row) == 2)
    assert (totals["Bottled water (bottles)"], totals["Volunteer turns"]) == ("120", "0")
    assert "Budget (VND)" not in totals
    assert "Trạm Cao Lãnh" not in response.text
    assert "These figures count only the stations of your units." in response.text


async def test_report_page_reads_in_vietnamese_and_refuses_strangers(app, world, client) -> None:
    viewer = await browser(app, "viewer", world.unit_b)

    page = await viewer.get(f"/campaigns/{world.campaign.id}/report")
    anonymous = await client.get(f"/campaigns/{world.campaign.id}/report.xlsx")
    missing = await viewer.get("/campaigns/999999/report.csv")

    assert page.status_code == 200
    assert "Tổng hợp chiến dịch" in page.text and "Theo trạm" in page.text
    assert "cấp 45 chai nước" in page.text
    assert (anonymous.status_code, missing.status_code) == (303, 404)


async def test_xlsx_download_is_a_workbook_named_after_the_campaign(app, world) -> None:
    admin = await browser(app)

    response = await admin.get(f"/campaigns/{world.campaign.id}/report.xlsx?lang=en")

    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert disposition.isascii()
    assert 'filename="Report Tet Dinh Mui 2027.xlsx"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "Report Tết Đinh Mùi 2027.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Summary",
        "By station",
        "By day",
        "Funds",
        "Forces",
        "Units",
        "Partners",
    ]
    by_station = [list(row) for row in workbook["By station"].iter_rows(values_only=True)]
    water_column = by_station[0].index("Bottled water (bottles)")
    # The last row is the note that totals are computed from exact values.
    assert [(row[0], row[water_column]) for row in by_station[1:-1]] == [
        ("A1", 120),
        ("B1", 45),
        ("Total", 165),
    ]


async def test_xlsx_of_a_unit_coordinator_holds_its_stations_only(app, world) -> None:
    coordinator = await browser(app, "coordinator", world.unit_b)

    response = await coordinator.get(f"/campaigns/{world.campaign.id}/report.xlsx")

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    stations = [row[0] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert stations[:-1] == ["B1", "Tổng cộng"]
    assert (
        unquote(response.headers["content-disposition"].split("''", 1)[1])
        == "Báo cáo Tết Đinh Mùi 2027.xlsx"
    )


async def test_csv_downloads_by_station_and_by_day(app, world) -> None:
    admin = await browser(app)
    url = f"/campaigns/{world.campaign.id}/report.csv"

    by_station = await admin.get(f"{url}?lang=en")
    by_day = await admin.get(f"{url}?breakdown=day&lang=en")

    assert by_station.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_station.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(by_station.content.decode("utf-8-sig")), delimiter=";"))
    water = rows[0].index("Bottled water (bottles)")
    assert [(row[0], row[1], row[water]) for row in rows[1:]] == [
        ("A1", "Trạm Hồng Ngự", "120"),
        ("B1", "Trạm Cao Lãnh", "45"),
    ]
    days = list(csv.reader(io.StringIO(by_day.content.decode("utf-8-sig")), delimiter=";"))
    assert [(row[0], row[days[0].index("Bottled water (bottles)")]) for row in days[1:]] == [
        ("01/02/2027", "120"),
        ("02/02/2027", "45"),
        ("03/02/2027", "0"),
    ]
    assert unquote(by_day.headers["content-disposition"].split("''", 1)[1]) == (
        "Report Tết Đinh Mùi 2027 by day.csv"
    )


async def test_csv_with_a_bad_breakdown_is_a_translated_400(app, world) -> None:
    admin = await browser(app)

    for breakdown in ["week", "", "%00", "station;drop"]:
        response = await admin.get(
            f"/campaigns/{world.campaign.id}/report.csv?breakdown={breakdown}"
        )
        if breakdown == "":
            assert response.status_code == 200  # empty: the default, by station
            continue
        assert response.status_code == 400, breakdown
        assert "station, day" in response.text
        assert "text/html" in response.headers["content-type"]


async def test_csv_of_a_unit_coordinator_holds_its_stations_only(app, world) -> None:
    coordinator = await browser(app, "coordinator", world.unit_a)

    response = await coordinator.get(f"/campaigns/{world.campaign.id}/report.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["A1"]


async def test_report_of_a_campaign_without_stations_says_so(app, db, clock) -> None:
    campaign = await make_campaign(name="Chiến dịch trống")
    admin = await browser(app)

    page = await admin.get(f"/campaigns/{campaign.id}/report?lang=en")
    workbook = await admin.get(f"/campaigns/{campaign.id}/report.xlsx")

    assert page.status_code == 200
    assert "No station to report on yet." in page.text
    assert workbook.status_code == 200


@pytest.mark.parametrize(
    ("name", "fallback", "real"),
    [
        ("Báo cáo Tết Đinh Mùi 2027.xlsx", "Bao cao Tet Dinh Mui 2027.xlsx", None),
        ("30/4 – 1/5 2027.csv", "30 4 _ 1 5 2027.csv", "30 4 – 1 5 2027.csv"),
        ('a"b;c\r\nd.csv', "a b c d.csv", None),
        ("   .csv", ".csv", None),
    ],
)
def test_content_disposition_keeps_vietnamese_and_an_ascii_fallback(name, fallback, real):
    safe = download_name(name)
    header = content_disposition(safe)

    assert header.isascii() and "\n" not in header and "\r" not in header
    assert f'filename="{fallback}"' in header
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == (real or safe)


async def test_csv_in_plain_rfc4180_on_request(app, world) -> None:
    admin = await browser(app)
    url = f"/campaigns/{world.campaign.id}/report.csv"

    plain = await admin.get(f"{url}?breakdown=day&format=rfc4180&lang=en")

    assert plain.status_code == 200
    assert not plain.content.startswith("\ufeff".encode())
    days = list(csv.reader(io.StringIO(plain.content.decode("utf-8"))))
    assert [row[0] for row in days[1:]] == ["2027-02-01", "2027-02-02", "2027-02-03"]


async def test_csv_with_a_bad_format_is_a_translated_400(app, world) -> None:
    admin = await browser(app)

    for fmt in ["xlsx", "EXCEL", "rfc", "%00"]:
        response = await admin.get(f"/campaigns/{world.campaign.id}/report.csv?format={fmt}")

        assert response.status_code == 400, fmt
        assert "Định dạng CSV phải là một trong: excel, rfc4180." in response.text
