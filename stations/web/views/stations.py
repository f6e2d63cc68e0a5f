"""Coordinators' pages: a campaign's stations, a station's page, its form and printable sheet.

Also the small form helpers the planning pages (campaigns, stations, shifts) share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from stations import clock
from stations.enums import Language
from stations.i18n import _
from stations.models import Campaign, Station, Unit
from stations.services.errors import InvalidInput, NotFound, StationsError
from stations.services.permissions import (
    Principal,
    check_can_change_station,
    check_can_use_unit,
    check_can_view_station,
)
from stations.services.queries.planner import (
    campaign_or_none,
    planner_week,
    station_or_none,
    stations_in_scope,
    units_to_choose,
)
from stations.services.stations import create_station, update_station
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.qr import qr_svg, station_checkin_link
from stations.web.rendering import flash, render

T = TypeVar("T")

CAMPAIGN_GONE = _("This campaign no longer exists.")
STATION_GONE = _("This station no longer exists.")
CHOOSE_A_UNIT = _("Choose one of the units listed.")


# --- shared by the planning pages ---------------------------------------------------------


class FormState:
    """A form as the person filled it in, and what is wrong with it, field by field."""

    def __init__(
        self,
        values: Mapping[str, Any],
        language: Language,
        *,
        field_names: Mapping[str, str] | None = None,
    ) -> None:
        self.values: dict[str, str] = {
            name: value for name, value in values.items() if isinstance(value, str)
        }
        self.language = language
        self.errors: dict[str, str] = {}
        self.status_code = 200
        #: a service's field → the form's input that shows its error ("starts_at" → "start_date")
        self.field_names = dict(field_names or {})

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def take(self, parse: Callable[[], T]) -> T | None:
        """``parse()``'s value; None, with the field's error noted, when it refuses."""
        try:
            return parse()
        except InvalidInput as error:
            self.refuse(error)
            return None

    def refuse(self, error: StationsError) -> None:
        for field, message in forms.error_map(error, self.language).items():
            self.errors.setdefault(self.field_names.get(field, field), message)
        self.status_code = max(
            self.status_code, 400 if error.http_status == 422 else error.http_status
        )

    @property
    def ok(self) -> bool:
        return not self.errors


async def read_state(
    request: Request, *, field_names: Mapping[str, str] | None = None
) -> FormState:
    return FormState(
        await forms.read_form(request), request.state.language, field_names=field_names
    )


def redirect_to(request: Request, name: str, **params: Any) -> Response:
    return RedirectResponse(request.url_for(name, **params).path, status_code=303)


def optional(raw: str, parse: Callable[[str], T]) -> T | None:
    """An empty field means "none"; anything typed must parse."""
    return parse(raw) if raw.strip() else None


async def campaign_for(campaign_id: int) -> Campaign:
    campaign = await campaign_or_none(campaign_id)
    if campaign is None:
        raise NotFound(CAMPAIGN_GONE, field="campaign")
    return campaign


async def viewable_station(request: Request, station_id: int) -> Station:
    station = await station_or_none(station_id)
    if station is None:
        raise NotFound(STATION_GONE, field="station")
    check_can_view_station(principal_of(request), station)
    return station


async def changeable_station(request: Request, station_id: int) -> Station:
    station = await station_or_none(station_id)
    if station is None:
        raise NotFound(STATION_GONE, field="station")
    check_can_change_station(principal_of(request), station)
    return station


def default_first_day(station: Station) -> dt.date:
    """Where a station's week starts when nobody chose: today while its campaign runs,
    else the campaign's first day."""
    campaign = station.campaign
    today = clock.today_local()
    if campaign.starts_on <= today <= campaign.ends_on:
        return today
    return campaign.starts_on


def path_int(request: Request, name: str) -> int:
    value: int = request.path_params[name]
    return value


# --- stations ----------------------------------------------------------------------------


@page()
async def station_list(request: Request) -> Response:
    campaign = await campaign_for(path_int(request, "campaign_id"))
    principal = principal_of(request)
    rows = await stations_in_scope(campaign, unit_ids=principal.unit_ids)
    return render(
        request,
        "stations/list.html",
        {"campaign": campaign, "rows": rows, "may_add": principal.can_change},
    )


@page(change=True)
async def station_new(request: Request) -> Response:
    campaign = await campaign_for(path_int(request, "campaign_id"))
    principal = principal_of(request)
    units = await units_to_choose(principal.unit_ids)
    if request.method == "GET":
        defaults = {"checkin_radius_m": "300"}
        if len(units) == 1:
            defaults["unit"] = str(units[0].id)
        state = FormState(defaults, request.state.language)
        return _station_form(request, campaign, None, units, state)
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
    station = await viewable_station(request, path_int(request, "station_id"))
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
    station = await changeable_station(request, path_int(request, "station_id"))
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
    station = await viewable_station(request, path_int(request, "station_id"))
    bot_username: str = request.app.state.settings.bot_username
    link = station_checkin_link(bot_username, station.code) if bot_username else None
    qr = None
    if link is not None:
        qr = qr_svg(link, title=f"{station.code} · {station.name}")
    return render(
        request,
        "stations/sheet.html",
        {
            "station": station,
            "campaign": station.campaign,
            "link": link,
            "qr": qr,
            "bot_username_set": bool(bot_username),
        },
    )


def _station_form(
    request: Request,
    campaign: Campaign,
    station: Station | None,
    units: list[Unit],
    state: FormState,
) -> Response:
    return render(
        request,
        "stations/edit.html",
        {
            "campaign": campaign,
            "station": station,
            "unit_options": [(str(unit.id), unit.name) for unit in units],
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
