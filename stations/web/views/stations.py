"""Coordinators' pages: a campaign's stations, a station's page, its form and printable sheet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations import clock
from stations.i18n import _, translate
from stations.models import Campaign, Station, Unit
from stations.services.errors import InvalidInput, StationsError
from stations.services.permissions import Principal, check_can_use_unit
from stations.services.queries.api import MAX_ID
from stations.services.queries.coverage import usual_province
from stations.services.queries.outbox import MAX_PAGE
from stations.services.queries.planner import planner_week, units_to_choose
from stations.services.queries.station_table import clean_query, station_table
from stations.services.station_services import STATION_SERVICES, services_of
from stations.services.stations import create_station, update_station
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.bot_identity import bot_missing, bot_username, log_missing
from stations.web.places import place_options
from stations.web.qr import qr_svg, station_checkin_link
from stations.web.rendering import flash, render, route_url
from stations.web.views._shared import (
    FormState,
    campaign_in_path,
    optional,
    read_state,
    redirect_to,
    station_in_path,
)
from stations.web.views.notifications import PAGE_OF
from stations.web.views.overview import UNIT_LIST_PARAMS, unit_station_list

CHOOSE_A_UNIT = _("Choose one of the units listed.")


def default_first_day(station: Station) -> dt.date:
    """Where a station's week starts when nobody chose: today while its campaign runs,
    else the campaign's first day."""
    campaign = station.campaign
    today = clock.today_local()
    if campaign.starts_on <= today <= campaign.ends_on:
        return today
    return campaign.starts_on


# --- stations ----------------------------------------------------------------------------


#: The management table's own query: its page and unit are not ``page`` and ``unit``, which
#: ask this route for a unit's cards (``UNIT_LIST_PARAMS``).
TABLE_PAGE = "p"
TABLE_UNIT = "station_unit"


@page()
async def station_list(request: Request) -> Response:
    """``GET /campaigns/{campaign_id}/stations?q=&station_unit=&p=``: the table of the
    campaign's stations in scope, 50 to a page, searched by code or name and narrowed to one
    unit; with ``unit``, ``show`` or ``page``, one unit's cards of today instead."""
    if UNIT_LIST_PARAMS & request.query_params.keys():
        return await unit_station_list(request)
    campaign = await campaign_in_path(request)
    principal = principal_of(request)
    errors: dict[str, str] = {}
    query = clean_query(request.query_params.get("q", ""))
    unit_id: int | None = None
    try:
        unit_id = _parse_table_unit(request.query_params.get(TABLE_UNIT))
        number = _parse_table_page(request.query_params.get(TABLE_PAGE))
        table = await station_table(
            campaign, unit_ids=principal.unit_ids, query=query, unit_id=unit_id, page=number
        )
    except InvalidInput as error:
        # A bad unit or page: say so, and show the first page of what is still valid.
        errors = forms.error_map(error, principal.language)
        unit_id = None if error.field == TABLE_UNIT else unit_id
        table = await station_table(
            campaign, unit_ids=principal.unit_ids, query=query, unit_id=unit_id
        )
    base = route_url(request, "station_list", campaign_id=campaign.id)
    filters: dict[str, Any] = {}
    if table.query:
        filters["q"] = table.query
    if table.unit is not None:
        filters[TABLE_UNIT] = table.unit.id

    def url_for_page(number: int) -> str:
        return str(base.include_query_params(**filters, **{TABLE_PAGE: number}))

    def url_for_unit(unit_id: int) -> str:
        return str(base.include_query_params(**{TABLE_UNIT: unit_id}))

    return render(
        request,
        "stations/list.html",
        {
            "campaign": campaign,
            "table": table,
            "errors": errors,
            "may_add": principal.can_change,
            "list_url": str(base),
            "clear_search_url": str(
                base.include_query_params(
                    **({TABLE_UNIT: table.unit.id} if table.unit is not None else {})
                )
            ),
            "every_unit_url": str(
                base.include_query_params(**({"q": table.query} if table.query else {}))
            ),
            "url_for_page": url_for_page,
            "url_for_unit": url_for_unit,
            "page_label": translate(
                PAGE_OF, principal.language, page=table.page, pages=table.page_count
            ),
        },
        status_code=422 if errors else 200,
    )


def _parse_table_unit(raw: str | None) -> int | None:
    """``?station_unit=``: a unit id, digits only; missing means every unit."""
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        raise InvalidInput(CHOOSE_A_UNIT, field=TABLE_UNIT)
    return int(raw)


def _parse_table_page(raw: str | None) -> int:
    """``?p=``: a page number; missing means the first."""
    if raw is None or raw == "":
        return 1
    return forms.parse_int(raw, TABLE_PAGE, minimum=1, maximum=MAX_PAGE)


@page(change=True)
async def station_new(request: Request) -> Response:
    campaign = await campaign_in_path(request)
    principal = principal_of(request)
    units = await units_to_choose(principal.unit_ids)
    if request.method == "GET":
        defaults = {"checkin_radius_m": "300"}
        if len(units) == 1:
            defaults["unit"] = str(units[0].id)
        state = FormState(defaults, request.state.language)
        return _station_form(
            request, campaign, None, units, state, default_province=await usual_province(campaign)
        )
    state = await read_state(request)
    values = _parse_station(state, units, principal)
    if state.ok:
        try:
            station = await create_station(campaign, by=principal.actor, **values)
        except StationsError as error:
            state.refuse(error)
        else:
            flash(request, _("Station {name} added."), name=station.name)
            return redirect_to(request, "station_detail", station_id=station.id)
    return _station_form(request, campaign, None, units, state)


@page()
async def station_detail(request: Request) -> Response:
    station = await station_in_path(request)
    principal = principal_of(request)
    week = await planner_week(station, first_day=default_first_day(station))
    return render(
        request,
        "stations/detail.html",
        {
            "week": week,
            "station": station,
            "campaign": station.campaign,
            "unit": station.unit,
            "may_change": principal.can_change,
        },
    )


@page(change=True)
async def station_edit(request: Request) -> Response:
    station = await station_in_path(request, change=True)
    principal = principal_of(request)
    units = await units_to_choose(principal.unit_ids)
    if request.method == "GET":
        state = FormState(_station_values(station), request.state.language)
        return _station_form(request, station.campaign, station, units, state)
    state = await read_state(request)
    values = _parse_station(state, units, principal)
    values["is_active"] = state.text("is_active") == "on"
    if state.ok:
        try:
            await update_station(station, by=principal.actor, **values)
        except StationsError as error:
            state.refuse(error)
        else:
            flash(request, _("Station {name} saved."), name=station.name)
            return redirect_to(request, "station_detail", station_id=station.id)
    return _station_form(request, station.campaign, station, units, state)


@page()
async def station_sheet(request: Request) -> Response:
    station = await station_in_path(request)
    username = bot_username(request)
    link = station_checkin_link(username, station.code) if username else None
    qr = None
    if link is not None:
        qr = qr_svg(link, title=f"{station.code} · {station.name}")
    else:
        log_missing(request, f"check-in QR code for station {station.code}")
    feedback_link = traveller_feedback_link(request, station.code)
    return render(
        request,
        "stations/sheet.html",
        {
            "station": station,
            "campaign": station.campaign,
            "link": link,
            "qr": qr,
            "bot_missing": bot_missing(request),
            "feedback_link": feedback_link,
            "feedback_qr": qr_svg(feedback_link, title=f"{station.code} · {station.name}"),
        },
    )


def traveller_feedback_link(request: Request, code: str) -> str:
    """The full address travellers scan to rate the station: the service's public address
    when set, else the one this page was asked at."""
    base = request.app.state.settings.public_url or str(request.base_url)
    return f"{base.rstrip('/')}{request.url_for('public_feedback', code=code).path}"


def _station_form(
    request: Request,
    campaign: Campaign,
    station: Station | None,
    units: list[Unit],
    state: FormState,
    *,
    default_province: str | None = None,
) -> Response:
    return render(
        request,
        "stations/edit.html",
        {
            "campaign": campaign,
            "station": station,
            "unit_options": [(str(unit.id), unit.name) for unit in units],
            **place_options(state, default_province=default_province),
            "service_options": [
                (code, translate(label, state.language)) for code, label in STATION_SERVICES.items()
            ],
            "values": state.values,
            "errors": state.errors,
        },
        status_code=state.status_code,
    )


def _parse_station(state: FormState, units: list[Unit], principal: Principal) -> dict[str, Any]:
    """The station's fields as the service takes them; errors noted on ``state``."""
    values: dict[str, Any] = {
        "code": state.text("code"),
        "name": state.values.get("name", ""),
        "address": state.values.get("address", ""),
    }
    units_by_id = {str(unit.id): unit for unit in units}
    unit = units_by_id.get(state.text("unit"))
    if unit is None:
        state.refuse(InvalidInput(CHOOSE_A_UNIT, field="unit"))
    else:
        check_can_use_unit(principal, unit.id)
        values["unit"] = unit
    values["latitude"] = state.take(
        lambda: optional(state.text("latitude"), lambda raw: forms.parse_float(raw, "latitude"))
    )
    values["longitude"] = state.take(
        lambda: optional(state.text("longitude"), lambda raw: forms.parse_float(raw, "longitude"))
    )
    values["checkin_radius_m"] = state.take(
        lambda: forms.parse_int(state.text("checkin_radius_m"), "checkin_radius_m")
    )
    values["province_code"] = state.text("province_code") or None
    values["ward_code"] = state.text("ward_code") or None
    values["offers"] = [code for code in STATION_SERVICES if state.text(f"offer_{code}") == "on"]
    values["opens_at"] = state.take(
        lambda: optional(state.text("opens_at"), lambda raw: forms.parse_time(raw, "opens_at"))
    )
    values["closes_at"] = state.take(
        lambda: optional(state.text("closes_at"), lambda raw: forms.parse_time(raw, "closes_at"))
    )
    return values


def _station_values(station: Station) -> dict[str, str]:
    def clock_time(value: dt.time | None) -> str:
        return value.strftime("%H:%M") if value is not None else ""

    return {
        "code": station.code,
        "name": station.name,
        "unit": str(station.unit_id),  # type: ignore[attr-defined]
        "address": station.address,
        "latitude": "" if station.latitude is None else repr(station.latitude),
        "longitude": "" if station.longitude is None else repr(station.longitude),
        "checkin_radius_m": str(station.checkin_radius_m),
        "opens_at": clock_time(station.opens_at),
        "closes_at": clock_time(station.closes_at),
        "is_active": "on" if station.is_active else "",
        "province_code": station.province_code or "",
        "ward_code": station.ward_code or "",
        **{f"offer_{code}": "on" for code in services_of(station.offers)},
    }


ROUTES: list[BaseRoute] = [
    Route(
        "/campaigns/{campaign_id:int}/stations",
        station_list,
        methods=["GET"],
        name="station_list",
    ),
    Route(
        "/campaigns/{campaign_id:int}/stations/new",
        station_new,
        methods=["GET", "POST"],
        name="station_new",
    ),
    Route("/stations/{station_id:int}", station_detail, methods=["GET"], name="station_detail"),
    Route(
        "/stations/{station_id:int}/edit",
        station_edit,
        methods=["GET", "POST"],
        name="station_edit",
    ),
    Route("/stations/{station_id:int}/sheet", station_sheet, methods=["GET"], name="station_sheet"),
]
