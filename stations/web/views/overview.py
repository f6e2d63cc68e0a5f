"""The campaigns a coordinator works on, and each campaign's overview of today."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

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
from stations.services.queries.campaign_listing import list_campaigns
from stations.services.queries.campaigns import find_campaign
from stations.services.queries.coverage import ward_coverage
from stations.services.queries.overview import CampaignOverview, campaign_overview
from stations.services.queries.readiness import campaign_readiness
from stations.services.queries.reports import campaign_totals
from stations.services.report_summary import campaign_summary
from stations.web.auth import page, principal_of
from stations.web.charts import Series, stacked_bar_chart
from stations.web.rendering import optional_url, render, route_url

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


@page()
async def overview_page(request: Request) -> Response:
    """``GET /campaigns/{campaign_id}``: every station in scope today, the chart, the summary."""
    principal = principal_of(request)
    campaign = await find_campaign(request.path_params["campaign_id"])
    phase = campaign_phase(campaign)
    if phase is CampaignPhase.PLANNING:
        return await _readiness_page(request, campaign)
    overview = await campaign_overview(campaign, unit_ids=principal.unit_ids)
    # The paragraph needs the totals only: no per-station or per-day breakdown.
    report = await campaign_totals(campaign)
    language = principal.language
    context: dict[str, Any] = {
        "campaign": campaign,
        "overview": overview,
        "summary": campaign_summary(report, language),
        "kind_label": translate(CAMPAIGN_KIND_LABELS[CampaignKind(campaign.kind)], language),
        **_phase_context(campaign, phase, language),
        "role_labels": {role.value: translate(ROLE_LABELS[role], language) for role in ShiftRole},
        "service_labels": {
            kind.value: translate(label, language) for kind, label in SERVICE_LABELS.items()
        },
        "coverage": await ward_coverage(campaign, unit_ids=principal.unit_ids),
        "chart": _chart(overview, language),
        "chart_empty": translate(CHART_EMPTY, language),
        "links": _links(request, campaign.id, language),
        "card_urls": _card_urls(request),
    }
    return render(request, "overview/campaign.html", context)


async def _readiness_page(request: Request, campaign: Campaign) -> Response:
    """Before the first day: what is left to prepare, not today's alarms."""
    principal = principal_of(request)
    language = principal.language
    readiness = await campaign_readiness(campaign, unit_ids=principal.unit_ids)
    context: dict[str, Any] = {
        "campaign": campaign,
        "readiness": readiness,
        "coverage": await ward_coverage(campaign, unit_ids=principal.unit_ids),
        "kind_label": translate(CAMPAIGN_KIND_LABELS[CampaignKind(campaign.kind)], language),
        **_phase_context(campaign, CampaignPhase.PLANNING, language),
        "links": _links(request, campaign.id, language),
        "card_urls": _card_urls(request),
        "may_plan": principal.can_change,
    }
    return render(request, "overview/readiness.html", context)


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


def _chart(overview: CampaignOverview, language: Language) -> Any:
    if not overview.handouts_per_day:
        return None
    return stacked_bar_chart(
        title=translate(CHART_TITLE, language),
        description=translate(CHART_DESCRIPTION, language),
        labels=[format_date(day, language)[:5] for day in overview.days],
        series=[
            Series(
                name=f"{s.item.name(language.value)} ({s.item.unit_label(language.value)})",
                values=s.quantities,
            )
            for s in overview.handouts_per_day
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
