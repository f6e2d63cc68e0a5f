"""The campaigns a coordinator works on, and each campaign's overview of today."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Coroutine
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations import clock
from stations.enums import (
    CampaignKind,
    CampaignPhase,
    CampaignStatus,
    Language,
    ServiceKind,
    ShiftRole,
)
from stations.formatting import format_date, format_number
from stations.i18n import Msgid, _, translate
from stations.labels import (
    CAMPAIGN_KIND_LABELS,
    CAMPAIGN_PHASE_LABELS,
    CAMPAIGN_STATUS_LABELS,
    ROLE_LABELS,
)
from stations.models import Campaign
from stations.services.campaign_phases import campaign_phase
from stations.services.errors import InvalidInput
from stations.services.queries.campaign_listing import list_campaigns
from stations.services.queries.campaigns import find_campaign
from stations.services.queries.coverage import ward_coverage
from stations.services.queries.overview import HandoutSeries
from stations.services.queries.readiness import campaign_readiness
from stations.services.queries.reports import campaign_totals
from stations.services.queries.unit_overview import (
    Place,
    StationFilter,
    unit_overview,
    unit_stations,
)
from stations.services.queries.unit_tree import unit_tree
from stations.services.report_summary import campaign_summary
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.charts import Series, stacked_bar_chart
from stations.web.rendering import optional_url, render, route_url
from stations.web.views._shared import campaign_in_path
from stations.web.views.notifications import PAGE_OF, parse_page

SERVICE_LABELS: dict[ServiceKind, Msgid] = {
    ServiceKind.MOTORBIKE_CHECK: Msgid(_("motorbikes checked")),
    ServiceKind.LOUDSPEAKER: Msgid(_("minutes of loudspeaker messages")),
    ServiceKind.FIRST_AID: Msgid(_("people given first aid")),
    ServiceKind.DIRECTIONS: Msgid(_("travellers given directions")),
    ServiceKind.REPAIR: Msgid(_("roadside repairs")),
}
CHART_TITLE = _("Handouts per day")
CHART_DESCRIPTION = _(
    "A bar for each day of the campaign, stacked by supply item, in the item's own unit."
)
CHART_EMPTY = _("Nothing has been handed out yet in this campaign.")


@page()
async def campaign_list(request: Request) -> Response:
    """``GET /campaigns``: every campaign, newest first, linking to its overview."""
    language = principal_of(request).language
    cards = [
        {
            "campaign": listing.campaign,
            "kind": translate(CAMPAIGN_KIND_LABELS[CampaignKind(listing.campaign.kind)], language),
            "status": CampaignStatus(listing.campaign.status).value,
            "status_label": translate(
                CAMPAIGN_STATUS_LABELS[CampaignStatus(listing.campaign.status)], language
            ),
            "station_count": listing.station_count,
        }
        for listing in await list_campaigns()
    ]
    return render(request, "overview/campaigns.html", {"cards": cards})


async def _together(*reads: Coroutine[Any, Any, Any]) -> list[Any]:
    """Await ``reads`` at once and give their results in order; the first that failed is
    raised as it is (a 404 stays a 404), once every read has ended: none is cancelled
    half-way through its statements."""
    results = await asyncio.gather(*reads, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


@page()
async def overview_page(request: Request) -> Response:
    """``GET /campaigns/{campaign_id}?unit=``: one row per child unit of the unit looked at
    (where the reader lands by default), today's figures summed over each, the chart, the
    summary."""
    principal = principal_of(request)
    campaign = await find_campaign(request.path_params["campaign_id"])
    phase = campaign_phase(campaign)
    if phase is CampaignPhase.PLANNING:
        return await _readiness_page(request, campaign)
    language = principal.language
    errors: dict[str, str] = {}
    try:
        unit_id = parse_unit(request.query_params.get("unit"))
    except InvalidInput as error:
        errors, unit_id = forms.error_map(error, language), None
    tree = await unit_tree()
    # Three independent reads, each on a connection of its own: the page waits for the
    # slowest, not for their sum (a nationwide campaign's totals and unit figures each take
    # tens of milliseconds of the database's time).
    overview, report, coverage = await _together(
        unit_overview(campaign, scope=principal.unit_ids, unit_id=unit_id, tree=tree),
        # The paragraph needs the totals only: no per-station or per-day breakdown.
        campaign_totals(campaign, tree=tree),
        ward_coverage(campaign, unit_ids=principal.unit_ids),
    )
    context: dict[str, Any] = {
        "campaign": campaign,
        "overview": overview,
        "errors": errors,
        "summary": campaign_summary(report, language),
        "kind_label": translate(CAMPAIGN_KIND_LABELS[CampaignKind(campaign.kind)], language),
        **_phase_context(campaign, phase, language),
        "service_labels": {
            kind.value: translate(label, language) for kind, label in SERVICE_LABELS.items()
        },
        "coverage": coverage,
        "chart": _chart(overview.days, overview.handouts_per_day, language),
        "chart_empty": translate(CHART_EMPTY, language),
        "links": _links(request, campaign.id, language),
        "crumbs": _crumbs(request, campaign.id, overview.place, "campaign_overview", language),
        "urls": _unit_urls(request, campaign.id),
        # The station list's query for the unit looked at: at least one parameter, or the
        # route would answer with its plain table of every station.
        "here": {"unit": overview.place.unit.id} if overview.place.unit else {"page": 1},
    }
    return render(request, "overview/campaign.html", context, status_code=422 if errors else 200)


#: The query of ``GET /campaigns/{campaign_id}/stations`` that asks for a unit's cards.
UNIT_LIST_PARAMS = frozenset({"unit", "show", "page"})


async def unit_station_list(request: Request) -> Response:
    """``GET /campaigns/{campaign_id}/stations?unit=&show=short|low|discrepancy&page=``: the
    cards of today of the active stations under one unit, a page at a time. Served by the
    station list's route (``views/stations.py``) whenever one of these is in its query;
    without them that route stays the plain table of every station, inactive ones too."""
    principal = principal_of(request)
    language = principal.language
    campaign = await campaign_in_path(request)
    phase = campaign_phase(campaign)
    errors: dict[str, str] = {}
    unit_id: int | None = None
    show: StationFilter | None = None
    page_number = 1
    try:
        unit_id = parse_unit(request.query_params.get("unit"))
        raw_show = request.query_params.get("show") or ""
        show = forms.parse_choice(raw_show, "show", StationFilter) if raw_show else None
        page_number = parse_page(request.query_params.get("page"))
        result = await unit_stations(
            campaign, scope=principal.unit_ids, unit_id=unit_id, show=show, page=page_number
        )
    except InvalidInput as error:
        # A bad filter or page: say so, and show the first page of the same unit unfiltered.
        errors = forms.error_map(error, language)
        show, page_number = None, 1
        unit_id = unit_id if error.field != "unit" else None
        result = await unit_stations(campaign, scope=principal.unit_ids, unit_id=unit_id)
    base = route_url(request, "station_list", campaign_id=campaign.id)
    unit_param = {"unit": result.place.unit.id} if result.place.unit else {}

    def url_for_page(number: int) -> str:
        params: dict[str, Any] = {**unit_param, "page": number}
        if result.show is not None:
            params["show"] = result.show.value
        return str(base.include_query_params(**params))

    context: dict[str, Any] = {
        "campaign": campaign,
        "result": result,
        "errors": errors,
        "today": result.now.astimezone(clock.VN_TZ).date(),
        "kind_label": translate(CAMPAIGN_KIND_LABELS[CampaignKind(campaign.kind)], language),
        **_phase_context(campaign, phase, language),
        "role_labels": {role.value: translate(ROLE_LABELS[role], language) for role in ShiftRole},
        "service_labels": {
            kind.value: translate(label, language) for kind, label in SERVICE_LABELS.items()
        },
        "links": _links(request, campaign.id, language),
        "card_urls": _card_urls(request),
        "crumbs": _crumbs(request, campaign.id, result.place, "station_list", language),
        "filters": [
            {
                "label": translate(label, language),
                "url": str(
                    base.include_query_params(
                        **unit_param, **({"show": value.value} if value else {})
                    )
                ),
                "current": value is result.show,
            }
            for value, label in FILTER_LABELS.items()
        ],
        "overview_url": str(
            route_url(request, "campaign_overview", campaign_id=campaign.id).include_query_params(
                **unit_param
            )
        ),
        "url_for_page": url_for_page,
        "page_label": translate(PAGE_OF, language, page=result.page, pages=result.page_count),
    }
    return render(request, "overview/stations.html", context, status_code=422 if errors else 200)


def parse_unit(raw: str | None) -> int | None:
    """A ``?unit=`` id; missing means where the reader lands. Digits only: an id is not an
    amount ("1.000" is no unit). An unknown id is left to the query to answer 404."""
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidInput(CHOOSE_A_UNIT, field="unit")
    return int(raw)


#: ``?show=`` choices of a unit's station list, "all" first
FILTER_LABELS: dict[StationFilter | None, str] = {
    None: _("All"),
    StationFilter.SHORT: _("Short of staff"),
    StationFilter.LOW: _("Low stock"),
    StationFilter.DISCREPANCY: _("Stock discrepancy"),
}
CHOOSE_A_UNIT = _("Choose a unit from the list.")
WHOLE_CAMPAIGN = _("All units")


def _crumbs(
    request: Request, campaign_id: int, place: Place, route: str, language: Language
) -> list[dict[str, Any]]:
    """The way back up: the whole campaign (province-wide readers), the units above, then
    the unit looked at (no link)."""
    base = route_url(request, route, campaign_id=campaign_id)
    crumbs: list[dict[str, Any]] = []
    if place.whole_campaign_above and place.unit is not None:
        crumbs.append({"label": translate(WHOLE_CAMPAIGN, language), "url": str(base)})
    for node in place.above:
        crumbs.append({"label": node.name, "url": str(base.include_query_params(unit=node.id))})
    if place.unit is not None:
        crumbs.append({"label": place.unit.name, "url": None})
    elif crumbs or route == "station_list":
        crumbs.append({"label": translate(WHOLE_CAMPAIGN, language), "url": None})
    return crumbs


def _unit_urls(request: Request, campaign_id: int) -> dict[str, str]:
    """The overview's and the station list's paths, to which each row adds its query."""
    return {
        "overview": str(route_url(request, "campaign_overview", campaign_id=campaign_id)),
        "stations": str(route_url(request, "station_list", campaign_id=campaign_id)),
    }


async def _readiness_page(request: Request, campaign: Campaign) -> Response:
    """Before the first day: what is left to prepare, not today's alarms; ``?page=`` of the
    stations not ready yet."""
    principal = principal_of(request)
    language = principal.language
    errors: dict[str, str] = {}
    try:
        page_number = parse_page(request.query_params.get("page"))
        readiness = await campaign_readiness(
            campaign, unit_ids=principal.unit_ids, page=page_number
        )
    except InvalidInput as error:
        # A bad page: say so, and show the first one.
        errors = forms.error_map(error, language)
        readiness = await campaign_readiness(campaign, unit_ids=principal.unit_ids)
    base = route_url(request, "campaign_overview", campaign_id=campaign.id)
    context: dict[str, Any] = {
        "campaign": campaign,
        "readiness": readiness,
        "errors": errors,
        "url_for_page": lambda number: str(base.include_query_params(page=number)),
        "page_label": translate(PAGE_OF, language, page=readiness.page, pages=readiness.page_count),
        "coverage": await ward_coverage(campaign, unit_ids=principal.unit_ids),
        "kind_label": translate(CAMPAIGN_KIND_LABELS[CampaignKind(campaign.kind)], language),
        **_phase_context(campaign, CampaignPhase.PLANNING, language),
        "links": _links(request, campaign.id, language),
        "card_urls": _card_urls(request),
        "may_plan": principal.can_change,
    }
    return render(request, "overview/readiness.html", context, status_code=422 if errors else 200)


def _phase_context(campaign: Campaign, phase: CampaignPhase, language: Language) -> dict[str, Any]:
    return {
        "phase": phase.value,
        "phase_label": translate(CAMPAIGN_PHASE_LABELS[phase], language),
        # Today's coverage, who is on duty and low stock mean something only while it runs.
        "running": phase is CampaignPhase.RUNNING,
        "closed": phase is CampaignPhase.CLOSED,
    }


#: Pages of the campaign the overview links to when the app has them.
CAMPAIGN_LINKS = (
    ("campaign_report_page", _("Report")),
    ("stock_ledger", _("Stock ledger")),
)


def _links(request: Request, campaign_id: int, language: Language) -> list[dict[str, Any]]:
    links = []
    for name, label in CAMPAIGN_LINKS:
        url = optional_url(request, name, campaign_id=campaign_id)
        if url is not None:
            links.append({"url": url, "label": translate(label, language)})
    return links


#: The links of every station card: route name → its one path parameter.
CARD_LINKS = {
    "station": ("station_detail", "station_id"),
    "inventory": ("station_inventory", "station_id"),
    "planner": ("shift_planner", "station_id"),
    "shift": ("shift_detail", "shift_id"),
    "volunteer": ("volunteer_detail", "volunteer_id"),
}
#: Stands in for the id while a card link's path is built; no literal part of a path holds it.
_ID_MARKER = 987_654_321_987


def _card_urls(request: Request) -> dict[str, str]:
    """Each card link as a path with ``{}`` for the id, e.g. ``/shifts/{}``.

    Thirty cards carry a few hundred links, and every ``url_for`` scans the app's routes: one
    lookup per kind of link instead keeps that out of the page's time."""
    return {
        key: str(route_url(request, name, **{param: _ID_MARKER})).replace(str(_ID_MARKER), "{}")
        for key, (name, param) in CARD_LINKS.items()
    }


def _chart(days: list[dt.date], handouts: list[HandoutSeries], language: Language) -> Any:
    if not handouts:
        return None
    return stacked_bar_chart(
        title=translate(CHART_TITLE, language),
        description=translate(CHART_DESCRIPTION, language),
        labels=[format_date(day, language)[:5] for day in days],
        series=[
            Series(
                name=f"{s.item.name(language.value)} ({s.item.unit_label(language.value)})",
                values=s.quantities,
            )
            for s in handouts
        ],
        format_value=lambda n: format_number(n, language),
        chart_id="handouts-chart",
    )


ROUTES: list[BaseRoute] = [
    Route("/campaigns", campaign_list, methods=["GET"], name="campaign_list"),
    Route(
        "/campaigns/{campaign_id:int}",
        overview_page,
        methods=["GET"],
        name="campaign_overview",
    ),
]
