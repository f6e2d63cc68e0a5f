"""Coordinators' pages: the campaign report, on screen and as XLSX and CSV downloads.

A unit's coordinator gets the figures of their units' stations only, on the page and in
the files alike (see ``queries.inventory_pages.report_in_scope``).
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict
from typing import IO, Any, Final
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from stations.enums import Language
from stations.formatting import format_number
from stations.i18n import _, translate
from stations.models import Campaign
from stations.services.errors import InvalidInput
from stations.services.exports import (
    BAD_BREAKDOWN,
    BREAKDOWNS,
    STATION_COLUMNS,
    TOTAL_COLUMNS,
    csv_format,
    report_csv_chunks,
    write_report_xlsx,
)
from stations.services.queries import inventory_pages as queries
from stations.services.queries.reports import CampaignReport, ReportTotals, StationPage
from stations.services.report_summary import campaign_summary
from stations.web.auth import page, principal_of
from stations.web.errors import error_page
from stations.web.rendering import page_language, render
from stations.web.views._shared import campaign_in_path
from stations.web.views.report_sections import sections_context

XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE: Final = "text/csv; charset=utf-8"

REPORT_FILE = _("Report {campaign}")
REPORT_FILE_BY_STATION = _("Report {campaign} by station")
REPORT_FILE_BY_DAY = _("Report {campaign} by day")

#: Characters no file system or browser accepts in a file name.
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._ ()-]+")
MAX_NAME: Final = 150
#: Stations per page of the report page; every station is in the XLSX and CSV files.
PAGE_SIZE: Final = 50
#: A workbook smaller than this stays in memory; a larger one goes to a temporary file.
SPOOL_IN_MEMORY: Final = 2_000_000
FILE_BLOCK: Final = 64 * 1024


def download_name(text: str) -> str:
    cleaned = _UNSAFE_IN_NAME.sub(" ", unicodedata.normalize("NFC", text))
    return " ".join(cleaned.split())[:MAX_NAME] or "report"


def _ascii_name(text: str) -> str:
    """The name without diacritics, for browsers that do not read ``filename*``."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if unicodedata.category(ch) != "Mn")
    return " ".join(_NOT_PLAIN.sub("_", plain).split()) or "report"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the real (UTF-8) name per RFC 6266/5987."""
    return f"attachment; filename=\"{_ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def _figures(totals: ReportTotals, language: Language) -> dict[str, str]:
    return {name: format_number(value, language) for name, value in asdict(totals).items()}


async def _report(
    request: Request, stations: StationPage | None = None
) -> tuple[Campaign, CampaignReport]:
    principal = principal_of(request)
    campaign = await campaign_in_path(request)
    report = await queries.report_in_scope(campaign, unit_ids=principal.unit_ids, stations=stations)
    return campaign, report


def _after(request: Request) -> int | None:
    """The ``after`` of the stations' page: a station id, anything else the first page."""
    raw = request.query_params.get("after") or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _file_chunks(spool: IO[bytes]) -> Iterator[bytes]:
    """The file from its start, in blocks; closed (and so deleted) when sent."""
    try:
        spool.seek(0)
        while block := spool.read(FILE_BLOCK):
            yield block
    finally:
        spool.close()


@page()
async def campaign_report_page(request: Request) -> Response:
    """Totals in the report's categories, per station and per Vietnam-local day."""
    principal = principal_of(request)
    language = page_language(request)
    after = _after(request)
    campaign, report = await _report(request, StationPage(after=after, limit=PAGE_SIZE))
    budget = report.budget_vnd
    context: dict[str, Any] = {
        "campaign": campaign,
        "report": report,
        "summary": campaign_summary(report, language),
        "scoped": principal.unit_ids is not None,
        "headers": {column.field: translate(column.header, language) for column in TOTAL_COLUMNS},
        "station_fields": [column.field for column in STATION_COLUMNS],
        "day_fields": [column.field for column in TOTAL_COLUMNS],
        "totals": _figures(report.totals, language),
        "stations": [(s, _figures(s.totals, language)) for s in report.stations],
        "first_page": after is None,
        "page_size": PAGE_SIZE,
        "days": [(d, _figures(d.totals, language)) for d in report.days],
        "budget": format_number(budget, language) if budget is not None else None,
        "remaining": format_number(report.budget_remaining_vnd or 0, language)
        if budget is not None
        else None,
        "overspent": budget is not None and (report.budget_remaining_vnd or 0) < 0,
        **sections_context(report, language),
    }
    return render(request, "reports/campaign.html", context)


@page()
async def campaign_report_xlsx(request: Request) -> Response:
    """The report as a workbook: summary, by station, by day."""
    language = page_language(request)
    _campaign, report = await _report(request)
    # Written in write-only mode in a worker thread (the event loop keeps serving), to a
    # file that stays in memory while small, then streamed; ``_file_chunks`` closes it.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        await run_in_threadpool(write_report_xlsx, report, spool, language=language.value)
    except BaseException:
        spool.close()
        raise
    size = spool.tell()
    name = download_name(translate(REPORT_FILE, language, campaign=report.name)) + ".xlsx"
    return StreamingResponse(
        _file_chunks(spool),
        media_type=XLSX_TYPE,
        headers={
            "Content-Disposition": content_disposition(name),
            "Content-Length": str(size),
            "Cache-Control": "no-store",
        },
    )


@page()
async def campaign_report_csv(request: Request) -> Response:
    """One row per station (``?breakdown=station``, the default) or per day (``day``), for
    a Vietnamese Excel (the default) or plain RFC 4180 (``?format=rfc4180``)."""
    language = page_language(request)
    breakdown = request.query_params.get("breakdown") or "station"
    if breakdown not in BREAKDOWNS:
        error = InvalidInput(BAD_BREAKDOWN, field="breakdown", choices=", ".join(BREAKDOWNS))
        return error_page(request, 400, error.translated(language))
    try:
        fmt = csv_format(request.query_params.get("format") or "excel")
    except InvalidInput as error:
        return error_page(request, 400, error.translated(language))
    _campaign, report = await _report(request)
    chunks = report_csv_chunks(report, language=language.value, breakdown=breakdown, fmt=fmt)
    title = REPORT_FILE_BY_DAY if breakdown == "day" else REPORT_FILE_BY_STATION
    name = download_name(translate(title, language, campaign=report.name)) + ".csv"

    def encoded() -> Iterator[bytes]:
        # Excel reads Vietnamese in a CSV correctly only after a UTF-8 byte-order mark.
        yield fmt.bom.encode("utf-8")
        for chunk in chunks:
            yield chunk.encode("utf-8")

    return StreamingResponse(
        encoded(),
        media_type=CSV_TYPE,
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
    )


ROUTES: list[BaseRoute] = [
    Route(
        "/campaigns/{campaign_id:int}/report",
        campaign_report_page,
        methods=["GET"],
        name="campaign_report_page",
    ),
    Route(
        "/campaigns/{campaign_id:int}/report.xlsx",
        campaign_report_xlsx,
        methods=["GET"],
        name="campaign_report_xlsx",
    ),
    Route(
        "/campaigns/{campaign_id:int}/report.csv",
        campaign_report_csv,
        methods=["GET"],
        name="campaign_report_csv",
    ),
]
