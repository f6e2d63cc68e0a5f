"""Coordinators' pages: planning a campaign, changing its dates or budget, closing it."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations import clock
from stations.calendar import HolidayKind, holiday_window
from stations.enums import CampaignKind, CampaignStatus
from stations.formatting import format_number
from stations.i18n import _
from stations.labels import CAMPAIGN_KIND_LABELS
from stations.models import Campaign
from stations.services.campaign_copies import copy_campaign, next_holiday, next_year_of
from stations.services.campaigns import (
    MAX_BUDGET_VND,
    MAX_YEAR,
    MIN_YEAR,
    close_campaign,
    create_campaign,
    update_campaign,
)
from stations.services.errors import StationsError
from stations.services.permissions import check_can_manage_campaigns
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, render
from stations.web.views._shared import (
    FormState,
    campaign_in_path,
    optional,
    read_state,
    redirect_to,
)

#: The years whose holiday dates the form offers to fill in, around this one.
_YEARS_BACK, _YEARS_AHEAD = 1, 10
_HOLIDAY_OF_KIND = {
    CampaignKind.TET: HolidayKind.TET,
    CampaignKind.REUNIFICATION: HolidayKind.REUNIFICATION,
}


@page(change=True)
async def campaign_new(request: Request) -> Response:
    principal = principal_of(request)
    check_can_manage_campaigns(principal)
    if request.method == "GET":
        upcoming_kind, upcoming_year = next_holiday(clock.today_local())
        state = FormState(
            {"kind": upcoming_kind.value, "year": str(upcoming_year)}, request.state.language
        )
        return _campaign_form(request, None, state)
    state = await read_state(request)
    kind = state.take(lambda: forms.parse_choice(state.text("kind"), "kind", CampaignKind))
    year = state.take(
        lambda: forms.parse_int(
            state.text("year"), "year", minimum=MIN_YEAR, maximum=MAX_YEAR, grouped=False
        )
    )
    values = _parse_editable(state)
    if state.ok:
        try:
            campaign = await create_campaign(
                kind=kind,  # type: ignore[arg-type]
                year=year,  # type: ignore[arg-type]
                by=principal.actor,
                name=values["name"] or None,
                starts_on=values["starts_on"],
                ends_on=values["ends_on"],
                budget_vnd=values["budget_vnd"],
            )
        except StationsError as error:
            state.refuse(error)
        else:
            flash(request, _("Campaign {name} created."), name=campaign.name)
            return redirect_to(request, "station_list", campaign_id=campaign.id)
    return _campaign_form(request, None, state)


@page(change=True)
async def campaign_edit(request: Request) -> Response:
    principal = principal_of(request)
    check_can_manage_campaigns(principal)
    campaign = await campaign_in_path(request)
    if request.method == "GET":
        return _campaign_form(
            request,
            campaign,
            FormState(_values(campaign, request.state.language), request.state.language),
        )
    state = await read_state(request)
    values = _parse_editable(state)
    if state.ok:
        try:
            await update_campaign(campaign, by=principal.actor, **values)
        except StationsError as error:
            state.refuse(error)
        else:
            flash(request, _("Campaign {name} saved."), name=campaign.name)
            return redirect_to(request, "station_list", campaign_id=campaign.id)
    return _campaign_form(request, campaign, state)


@page(change=True)
async def campaign_close(request: Request) -> Response:
    principal = principal_of(request)
    check_can_manage_campaigns(principal)
    campaign = await campaign_in_path(request)
    await forms.read_form(request)
    try:
        await close_campaign(campaign, by=principal.actor)
    except StationsError as error:
        state = FormState(_values(campaign, request.state.language), request.state.language)
        state.status_code = error.http_status
        return _campaign_form(
            request, campaign, state, close_error=error.translated(request.state.language)
        )
    flash(request, _("Campaign {name} closed."), name=campaign.name)
    return redirect_to(request, "station_list", campaign_id=campaign.id)


@page(change=True)
async def campaign_copy(request: Request) -> Response:
    """``/campaigns/{id}/copy``: a new campaign with this one's stations, shifts and planned
    stock, moved onto the new dates."""
    principal = principal_of(request)
    check_can_manage_campaigns(principal)
    source = await campaign_in_path(request)
    if request.method == "GET":
        default_year = next_year_of(source, clock.today_local())
        return _copy_form(
            request, source, FormState({"year": str(default_year)}, request.state.language)
        )
    state = await read_state(request)
    year = state.take(
        lambda: forms.parse_int(state.text("year"), "year", minimum=MIN_YEAR, maximum=MAX_YEAR)
    )
    values = _parse_editable(state)
    if state.ok:
        try:
            copied = await copy_campaign(
                source,
                by=principal.actor,
                year=year,  # type: ignore[arg-type]
                name=values["name"] or None,
                starts_on=values["starts_on"],
                ends_on=values["ends_on"],
            )
        except StationsError as error:
            state.refuse(error)
        else:
            flash(
                request,
                _("Campaign {name} created from {source}: {stations} stations, {shifts} shifts."),
                name=copied.campaign.name,
                source=source.name,
                stations=copied.stations,
                shifts=copied.shifts,
            )
            return redirect_to(request, "campaign_overview", campaign_id=copied.campaign.id)
    return _copy_form(request, source, state)


def _copy_form(request: Request, source: Campaign, state: FormState) -> Response:
    return render(
        request,
        "campaigns/copy.html",
        {
            "source": source,
            "kind_label": CAMPAIGN_KIND_LABELS[source.kind],
            "values": state.values,
            "errors": state.errors,
        },
        status_code=state.status_code,
    )


def _parse_editable(state: FormState) -> dict[str, Any]:
    return {
        "name": state.values.get("name", "").strip(),
        "starts_on": state.take(
            lambda: optional(
                state.text("starts_on"), lambda raw: forms.parse_date(raw, "starts_on")
            )
        ),
        "ends_on": state.take(
            lambda: optional(state.text("ends_on"), lambda raw: forms.parse_date(raw, "ends_on"))
        ),
        "budget_vnd": state.take(
            lambda: optional(
                state.text("budget_vnd"),
                lambda raw: forms.parse_int(raw, "budget_vnd", minimum=0, maximum=MAX_BUDGET_VND),
            )
        ),
    }


def _values(campaign: Campaign, language: str) -> dict[str, str]:
    return {
        "kind": campaign.kind.value,
        "year": str(campaign.year),
        "name": campaign.name,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        # "5.000.000.000", as it is read and typed (the form takes either grouping back).
        "budget_vnd": ""
        if campaign.budget_vnd is None
        else format_number(campaign.budget_vnd, language),
    }


def _holiday_windows() -> dict[str, dict[str, list[str]]]:
    """``{"tet": {"2027": ["2027-01-30", "2027-02-11"]}}``: what the form's script fills in
    when a holiday and a year are picked and the dates are still empty."""
    this_year = clock.today_local().year
    windows: dict[str, dict[str, list[str]]] = {}
    for kind, holiday in _HOLIDAY_OF_KIND.items():
        windows[kind.value] = {}
        for year in range(
            max(MIN_YEAR, this_year - _YEARS_BACK), min(MAX_YEAR, this_year + _YEARS_AHEAD) + 1
        ):
            window = holiday_window(holiday, year)
            windows[kind.value][str(year)] = [
                window.start.strftime("%d/%m/%Y"),
                window.end.strftime("%d/%m/%Y"),
            ]
    return windows


def _campaign_form(
    request: Request, campaign: Campaign | None, state: FormState, *, close_error: str = ""
) -> Response:
    year = state.text("year")
    kind = state.text("kind")
    default_window = None
    if (
        campaign is None
        and kind in _HOLIDAY_OF_KIND
        and year.isascii()
        and year.isdigit()
        and MIN_YEAR <= int(year) <= MAX_YEAR
    ):
        window = holiday_window(_HOLIDAY_OF_KIND[CampaignKind(kind)], int(year))
        default_window = (window.start, window.end)
    return render(
        request,
        "campaigns/edit.html",
        {
            "campaign": campaign,
            "is_open": campaign is not None and campaign.status is CampaignStatus.OPEN,
            "kind_options": [(kind.value, label) for kind, label in CAMPAIGN_KIND_LABELS.items()],
            "kind_label": CAMPAIGN_KIND_LABELS[campaign.kind] if campaign is not None else "",
            "close_error": close_error,
            "default_window": default_window,
            "holiday_windows": json.dumps(_holiday_windows(), separators=(",", ":")),
            "values": state.values,
            "errors": state.errors,
        },
        status_code=state.status_code,
    )


ROUTES: list[BaseRoute] = [
    Route("/campaigns/new", campaign_new, methods=["GET", "POST"], name="campaign_new"),
    Route(
        "/campaigns/{campaign_id:int}/edit",
        campaign_edit,
        methods=["GET", "POST"],
        name="campaign_edit",
    ),
    Route(
        "/campaigns/{campaign_id:int}/copy",
        campaign_copy,
        methods=["GET", "POST"],
        name="campaign_copy",
    ),
    Route(
        "/campaigns/{campaign_id:int}/close",
        campaign_close,
        methods=["POST"],
        name="campaign_close",
    ),
]
