"""The campaign's ledger: its lines in the reader's scope, newest first, filtered by the
address and paged; a filter that cannot be read is dropped with a note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from stations.enums import Language, MovementKind
from stations.i18n import _, translate
from stations.labels import MOVEMENT_KIND_LABELS
from stations.models import Station, SupplyItem
from stations.services.errors import InvalidInput
from stations.services.queries import inventory_pages as queries
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import page_language, render, route_url
from stations.web.views._shared import campaign_in_path
from stations.web.views.inventory.lines import line_helpers

IGNORED_STATION = _("The station filter was ignored: choose a station from the list.")
IGNORED_ITEM = _("The item filter was ignored: choose an item from the list.")
IGNORED_KIND = _("The kind filter was ignored: choose a kind from the list.")
IGNORED_FROM = _("The start date was ignored: write it as DD/MM/YYYY.")
IGNORED_TO = _("The end date was ignored: write it as DD/MM/YYYY.")
IGNORED_ORDER = _("The dates were ignored: the end date is before the start date.")
IGNORED_PAGE = _("The page number was ignored: the first page is shown.")
MAX_PAGE: Final = 100_000


@dataclass
class LedgerQuery:
    filters: queries.LedgerFilters
    page: int
    notes: list[str]
    #: the filters as the form shows them again (only the ones kept)
    shown: dict[str, str]


def _ledger_query(
    params: Mapping[str, str],
    stations: list[Station],
    items: list[SupplyItem],
    language: Language,
) -> LedgerQuery:
    """The ledger filters from the address; a bad one is dropped with a note, never a 500."""
    notes: list[str] = []
    shown: dict[str, str] = {}

    def chosen_id(name: str, allowed: set[int], note: str) -> int | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = forms.parse_id(raw, name)
        except InvalidInput:
            value = None
        if value is None or value not in allowed:
            notes.append(translate(note, language))
            return None
        shown[name] = str(value)
        return value

    def chosen_day(name: str, note: str) -> dt.date | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            day = forms.parse_date(raw, name)
        except InvalidInput:
            notes.append(translate(note, language))
            return None
        shown[name] = day.isoformat()
        return day

    station_id = chosen_id("station", {s.id for s in stations}, IGNORED_STATION)
    item_id = chosen_id("item", {i.id for i in items}, IGNORED_ITEM)
    kind = None
    raw_kind = (params.get("kind") or "").strip()
    if raw_kind:
        try:
            kind = forms.parse_choice(raw_kind, "kind", MovementKind)
            shown["kind"] = kind.value
        except InvalidInput:
            notes.append(translate(IGNORED_KIND, language))
    first_day = chosen_day("from", IGNORED_FROM)
    last_day = chosen_day("to", IGNORED_TO)
    if first_day and last_day and last_day < first_day:
        notes.append(translate(IGNORED_ORDER, language))
        first_day = last_day = None
        shown.pop("from", None)
        shown.pop("to", None)
    page_number = 1
    raw_page = (params.get("page") or "").strip()
    if raw_page:
        try:
            page_number = forms.parse_int(raw_page, "page", minimum=1, maximum=MAX_PAGE)
        except InvalidInput:
            notes.append(translate(IGNORED_PAGE, language))
    filters = queries.LedgerFilters(
        station_id=station_id,
        item_id=item_id,
        kind=kind,
        first_day=first_day,
        last_day=last_day,
    )
    return LedgerQuery(filters, page_number, notes, shown)


@page()
async def stock_ledger(request: Request) -> Response:
    """The campaign's ledger in scope, newest first, filtered and paged."""
    principal = principal_of(request)
    language = page_language(request)
    campaign = await campaign_in_path(request)
    stations, items = await queries.ledger_choices(campaign, unit_ids=principal.unit_ids)
    wanted = _ledger_query(request.query_params, stations, items, language)
    result = await queries.ledger_page(
        campaign, wanted.filters, unit_ids=principal.unit_ids, page=wanted.page
    )
    base = str(route_url(request, "stock_ledger", campaign_id=campaign.id))

    def page_url(number: int) -> str:
        return f"{base}?{urlencode(wanted.shown | {'page': str(number)})}"

    context = {
        "campaign": campaign,
        "stations": stations,
        "items": items,
        "kinds": [
            (kind.value, translate(label, language)) for kind, label in MOVEMENT_KIND_LABELS.items()
        ],
        "shown": wanted.shown,
        "notes": wanted.notes,
        "result": result,
        "previous_url": page_url(result.page - 1) if result.page > 1 else None,
        "next_url": page_url(result.page + 1) if result.has_next else None,
        "first_url": page_url(1),
        **line_helpers(language),
    }
    return render(request, "inventory/ledger.html", context)
