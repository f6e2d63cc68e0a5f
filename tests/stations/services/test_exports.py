from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from stations.services.errors import InvalidInput
from stations.services.exports import CSV_BOM, csv_format, write_report_csv, write_report_xlsx
from stations.services.queries.reports import (
    CampaignReport,
    DayReport,
    ReportTotals,
    StationReport,
)
from stations.services.report_summary import campaign_summary
from tests.stations.services.report_samples import TWO_STATIONS_TWO_DAYS, totals

pytestmark = pytest.mark.unit


FIRST = totals(
    stations=1,
    units=2,
    volunteer_turns=2,
    worked_hours=4.0,
    water_bottles=150,
    cold_towels=50,
    motorbikes_checked=7,
    broadcast_hours=1.5,
    cost_vnd=2_300_000,
)
SECOND = totals(
    stations=1,
    units=1,
    volunteer_turns=2,
    worked_hours=5.0,
    water_bottles=40,
    food_items=25,
    leaflets=200,
    broadcast_hours=1.0,
    first_aid=2,
)
DAY_ONE = totals(
    stations=2,
    units=3,
    volunteer_turns=3,
    worked_hours=5.5,
    water_bottles=150,
    motorbikes_checked=7,
    broadcast_hours=1.5,
    cost_vnd=2_300_000,
)
DAY_TWO = totals(
    stations=2,
    units=2,
    volunteer_turns=1,
    worked_hours=3.5,
    water_bottles=40,
    cold_towels=50,
    food_items=25,
    leaflets=200,
    broadcast_hours=1.0,
    first_aid=2,
)
ALL = TWO_STATIONS_TWO_DAYS
#: Under a table whose hours are rounded per row, the total says it is from exact values.
VI_EXACT_NOTE = (
    "Dòng tổng cộng được tính từ số liệu chính xác; mỗi dòng được làm tròn một lần, đến 0,1 giờ."
)
EN_EXACT_NOTE = (
    "Totals are computed from exact values; each row is rounded once, to a tenth of an hour."
)


def make_report(*, budget_vnd: int | None = 10_000_000) -> CampaignReport:
    return CampaignReport(
        campaign_id=7,
        name="Tết Đinh Mùi 2027",
        kind="tet",
        status="open",
        starts_on=dt.date(2027, 2, 1),
        ends_on=dt.date(2027, 2, 2),
        budget_vnd=budget_vnd,
        generated_at=dt.datetime(2027, 2, 2, 1, 0, tzinfo=dt.UTC),
        totals=ALL,
        stations=[
            StationReport(1, "HN01", "Trạm Hồng Ngự", "Công an TP. Hồng Ngự", FIRST),
            StationReport(2, "HN02", "Trạm Thường Thới", "Công an xã Thường Thới", SECOND),
        ],
        days=[DayReport(dt.date(2027, 2, 1), DAY_ONE), DayReport(dt.date(2027, 2, 2), DAY_TWO)],
    )


VI_FIGURE_HEADERS = [
    "Số trạm",
    "Số đơn vị (kể cả đơn vị phối hợp)",
    "Lượt tình nguyện viên",
    "Giờ trực",
    "Nước suối (chai)",
    "Khăn lạnh (khăn)",
    "Thực phẩm (phần)",
    "Xăng (lít)",
    "Tờ rơi (tờ)",
    "Kiểm tra an toàn xe máy (xe)",
    "Phát loa (giờ)",
    "Sơ cứu (lượt người)",
    "Chỉ đường (lượt người)",
    "Sửa xe dọc đường (xe)",
    "Kinh phí (đồng)",
]
EN_FIGURE_HEADERS = [
    "Stations open",
    "Units taking part (incl. partners)",
    "Volunteer turns",
    "Hours on duty",
    "Bottled water (bottles)",
    "Cold towels",
    "Food (items)",
    "Fuel (litres)",
    "Leaflets",
    "Motorbikes checked",
    "Loudspeaker hours",
    "First aid (people)",
    "Directions given (people)",
    "Roadside repairs (vehicles)",
    "Cost (VND)",
]


def figures(t: ReportTotals) -> list[Any]:
    return [getattr(t, name) for name in ReportTotals.__dataclass_fields__]


def station_figures(t: ReportTotals) -> list[Any]:
    """A station's row leaves out the count of stations, always 1."""
    return figures(t)[1:]


def xlsx_rows(destination: Any, sheet: str) -> list[list[Any]]:
    workbook = load_workbook(destination)
    return [list(row) for row in workbook[sheet].iter_rows(values_only=True)]


def test_write_report_xlsx_has_three_sheets_named_in_the_language(tmp_path: Path) -> None:
    vi_path, en_path = tmp_path / "vi.xlsx", tmp_path / "en.xlsx"

    write_report_xlsx(make_report(), vi_path)
    write_report_xlsx(make_report(), en_path, language="en")

    assert [load_workbook(p).sheetnames for p in (vi_path, en_path)] == [
        ["Tổng hợp", "Theo trạm", "Theo ngày", "Kinh phí", "Lực lượng", "Đơn vị", "Đối tác"],
        ["Summary", "By station", "By day", "Funds", "Forces", "Units", "Partners"],
    ]


def test_write_report_xlsx_summary_sheet_has_the_paragraph_and_figures() -> None:
    buffer = io.BytesIO()
    report = make_report()

    write_report_xlsx(report, buffer)

    rows = xlsx_rows(io.BytesIO(buffer.getvalue()), "Tổng hợp")
    assert [row[:2] for row in rows[:3]] == [
        ["Tết Đinh Mùi 2027", None],
        ["Thời gian", "01/02/2027 – 02/02/2027"],
        ["Lập lúc", "02/02/2027 08:00"],
    ]
    assert rows[4][0] == campaign_summary(report, "vi")
    assert [row[:2] for row in rows[6:]] == [
        ["Chỉ tiêu", "Số liệu"],
        *[[header, value] for header, value in zip(VI_FIGURE_HEADERS, figures(ALL), strict=True)],
        ["Dự toán kinh phí (đồng)", 10_000_000],
        ["Kinh phí còn lại (đồng)", 7_700_000],
    ]


def test_write_report_xlsx_summary_without_budget_leaves_budget_rows_out() -> None:
    buffer = io.BytesIO()

    write_report_xlsx(make_report(budget_vnd=None), buffer, language="en")

    rows = xlsx_rows(io.BytesIO(buffer.getvalue()), "Summary")
    assert rows[-1][:2] == ["Cost (VND)", 2_300_000]


def test_write_report_xlsx_station_sheet_round_trips() -> None:
    buffer = io.BytesIO()

    write_report_xlsx(make_report(), buffer)

    assert xlsx_rows(io.BytesIO(buffer.getvalue()), "Theo trạm") == [
        ["Mã trạm", "Trạm", "Đơn vị", *VI_FIGURE_HEADERS[1:]],
        ["HN01", "Trạm Hồng Ngự", "Công an TP. Hồng Ngự", *station_figures(FIRST)],
        ["HN02", "Trạm Thường Thới", "Công an xã Thường Thới", *station_figures(SECOND)],
        ["Tổng cộng", None, None, *station_figures(ALL)],
        [VI_EXACT_NOTE, *[None] * (len(VI_FIGURE_HEADERS) + 1)],
    ]


def test_write_report_xlsx_station_sheet_in_english_has_no_stations_column() -> None:
    buffer = io.BytesIO()

    write_report_xlsx(make_report(), buffer, language="en")

    assert xlsx_rows(io.BytesIO(buffer.getvalue()), "By station")[0][:5] == [
        "Station code",
        "Station",
        "Unit",
        "Units taking part (incl. partners)",
        "Volunteer turns",
    ]


def test_write_report_xlsx_day_sheet_round_trips_with_real_dates() -> None:
    buffer = io.BytesIO()

    write_report_xlsx(make_report(), buffer, language="en")

    assert xlsx_rows(io.BytesIO(buffer.getvalue()), "By day") == [
        ["Date", *EN_FIGURE_HEADERS],
        [dt.datetime(2027, 2, 1), *figures(DAY_ONE)],
        [dt.datetime(2027, 2, 2), *figures(DAY_TWO)],
        ["Total", *figures(ALL)],
        [EN_EXACT_NOTE, *[None] * len(EN_FIGURE_HEADERS)],
    ]


def test_write_report_xlsx_formats_headers_numbers_and_panes() -> None:
    buffer = io.BytesIO()

    write_report_xlsx(make_report(), buffer)

    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    stations, days = workbook["Theo trạm"], workbook["Theo ngày"]
    assert (
        stations.freeze_panes,
        days.freeze_panes,
        all(cell.font.bold for cell in stations[1]),
        all(cell.font.bold for cell in stations[4]),
        stations["G2"].number_format,  # bottles of water
        stations["F2"].number_format,  # hours on duty
        days["A2"].number_format,
        stations.column_dimensions["B"].width,
        stations.column_dimensions["D"].width,  # the long units header wraps
        stations.column_dimensions["K"].width,  # "Tờ rơi (tờ)"
    ) == ("D2", "B2", True, True, "#,##0", "#,##0.0", "DD/MM/YYYY", 34, 22, 13)


def test_write_report_csv_by_station_in_vietnamese() -> None:
    out = io.StringIO()

    write_report_csv(make_report(), out)

    # Vietnamese Excel's own CSV: ";" between fields, decimal comma.
    assert out.getvalue().splitlines() == [
        "Mã trạm;Trạm;Đơn vị;" + ";".join(VI_FIGURE_HEADERS[1:]),
        "HN01;Trạm Hồng Ngự;Công an TP. Hồng Ngự;2;2;4;150;50;0;0;0;7;1,5;0;0;0;2300000",
        "HN02;Trạm Thường Thới;Công an xã Thường Thới;1;2;5;40;0;25;0;200;0;1;2;0;0;0",
    ]


#: No directions and no repairs in the sample report.
NO_MORE = ["0", "0"]


def test_write_report_csv_by_day_in_english() -> None:
    out = io.StringIO()

    write_report_csv(make_report(), out, language="en", breakdown="day")

    assert list(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [
        ["Date", *EN_FIGURE_HEADERS],
        [
            "01/02/2027",
            *("2", "3", "3", "5,5", "150", "0", "0", "0", "0", "7", "1,5", "0", "0", "0"),
            "2300000",
        ],
        [
            "02/02/2027",
            *("2", "2", "1", "3,5", "40", "50", "25", "0", "200", "0", "1", "2"),
            "0",
            "0",
            "0",
        ],
    ]


def test_write_report_csv_in_rfc4180_has_commas_iso_dates_and_decimal_points() -> None:
    out = io.StringIO()

    write_report_csv(make_report(), out, language="en", breakdown="day", fmt=csv_format("rfc4180"))

    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["Date", *EN_FIGURE_HEADERS],
        [
            "2027-02-01",
            "2",
            "3",
            "3",
            "5.5",
            "150",
            "0",
            "0",
            "0",
            "0",
            "7",
            "1.5",
            "0",
            *NO_MORE,
            "2300000",
        ],
        [
            "2027-02-02",
            "2",
            "2",
            "1",
            "3.5",
            "40",
            "50",
            "25",
            "0",
            "200",
            "0",
            "1",
            "2",
            *NO_MORE,
            "0",
        ],
    ]


@pytest.mark.parametrize("name", ["xlsx", "", "Excel", "rfc 4180"])
def test_csv_format_refuses_an_unknown_name_naming_the_choices(name) -> None:
    with pytest.raises(InvalidInput) as raised:
        csv_format(name)

    assert (raised.value.field, raised.value.translated("vi")) == (
        "format",
        "Định dạng CSV phải là một trong: excel, rfc4180.",
    )


def test_write_report_csv_rejects_an_unknown_breakdown() -> None:
    out = io.StringIO()

    with pytest.raises(InvalidInput) as raised:
        write_report_csv(make_report(), out, breakdown="week")

    assert (raised.value.field, raised.value.translated("vi"), out.getvalue()) == (
        "breakdown",
        "Cách chia số liệu phải là một trong: station, day, unit, force, partner, funds.",
        "",
    )


def test_write_report_csv_file_for_excel_starts_with_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "report.csv"

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        write_report_csv(make_report(), handle)

    assert path.read_bytes().decode("utf-8").startswith(CSV_BOM + "Mã trạm;")
