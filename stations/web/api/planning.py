"""Campaigns, their stations and the stations' shifts."""

from __future__ import annotations

import datetime as dt

from stations.clock import local_midnight
from stations.enums import CampaignKind, CampaignStatus, ShiftRole, ShiftStatus
from stations.i18n import _
from stations.services import campaigns, shifts, stations
from stations.services.permissions import (
    check_can_change_station,
    check_can_manage_campaigns,
    check_can_use_unit,
    check_can_view_station,
)
from stations.services.queries import api as queries
from stations.services.validation import NAME_MAX_LENGTH
from stations.web.api.errors import bad_request
from stations.web.api.fields import Field, ObjectBody, enum_field, id_field
from stations.web.api.operations import (
    PAGE_PARAMETERS,
    ApiCall,
    Operation,
    Reply,
    body_field_names,
    data_reply,
    many,
    one,
    page_reply,
)
from stations.web.api.resources import CAMPAIGN, SHIFT, STATION

FROM_AFTER_TO = _("“from” cannot be after “to”.")

CAMPAIGN_FILTER = id_field("campaign_id", "Only rows of this campaign.")
STATION_FILTER = id_field("station_id", "Only rows of this station.")
DAY_FILTERS = (
    Field("date", "date", "Only rows on this Vietnam-local day (YYYY-MM-DD)."),
    Field("from", "date", "Only rows on or after this Vietnam-local day."),
    Field("to", "date", "Only rows on or before this Vietnam-local day."),
)


NAME = Field("name", "string", "The name.", True, max_length=NAME_MAX_LENGTH)

NEW_CAMPAIGN = ObjectBody(
    "NewCampaign",
    "A campaign; a holiday's name and dates default from the Vietnamese lunar calendar.",
    (
        enum_field("kind", CampaignKind, "Tết, 30/4–1/5, or another occasion.", required=True),
        Field(
            "year",
            "integer",
            "The holiday's year.",
            True,
            minimum=campaigns.MIN_YEAR,
            maximum=campaigns.MAX_YEAR,
        ),
        Field(
            "name",
            "string",
            "The name; for Tết and 30/4 it defaults to the usual one.",
            max_length=NAME_MAX_LENGTH,
            nullable=True,
        ),
        Field("starts_on", "date", "The first day (default: the holiday's).", nullable=True),
        Field("ends_on", "date", "The last day (default: the holiday's).", nullable=True),
        Field(
            "budget_vnd",
            "integer",
            "The budget in đồng.",
            minimum=0,
            maximum=campaigns.MAX_BUDGET_VND,
            nullable=True,
        ),
        Field(
            "unit_id",
            "integer",
            "The organising unit.",
            minimum=1,
            maximum=queries.MAX_ID,
            nullable=True,
        ),
    ),
    example={"kind": "tet", "year": 2028, "budget_vnd": 150_000_000},
)

NEW_STATION = ObjectBody(
    "NewStation",
    "A rest station of an open campaign.",
    (
        id_field("campaign_id", "The campaign.", required=True),
        id_field("unit_id", "The unit that runs it (within the token's scope).", required=True),
        Field(
            "code", "string", "A short code, A–Z 0–9 _ -, new to the campaign.", True, max_length=16
        ),
        NAME,
        Field(
            "address", "string", "Where it is.", max_length=stations.ADDRESS_MAX_LENGTH, default=""
        ),
        Field("latitude", "number", "Degrees north.", minimum=-90, maximum=90, nullable=True),
        Field("longitude", "number", "Degrees east.", minimum=-180, maximum=180, nullable=True),
        Field(
            "checkin_radius_m",
            "integer",
            "How near volunteers must be to check in, in metres.",
            minimum=stations.MIN_CHECKIN_RADIUS_M,
            maximum=stations.MAX_CHECKIN_RADIUS_M,
            default=stations.DEFAULT_CHECKIN_RADIUS_M,
        ),
        Field("opens_at", "time", "Opening time, HH:MM, Vietnam time.", nullable=True),
        Field("closes_at", "time", "Closing time, HH:MM, Vietnam time.", nullable=True),
    ),
    example={
        "campaign_id": 1,
        "unit_id": 1,
        "code": "QL1-1890",
        "name": "Trạm dừng chân Quốc lộ 1A, Km 1890",
        "address": "Quốc lộ 1A, Km 1890, Cai Lậy, Tiền Giang",
        "latitude": 10.4075,
        "longitude": 106.1178,
        "checkin_radius_m": 300,
        "opens_at": "06:00",
        "closes_at": "22:00",
    },
)

NEW_SHIFT = ObjectBody(
    "NewShift",
    "A time slot at a station.",
    (
        id_field("station_id", "The station.", required=True),
        Field("starts_at", "datetime", "When it starts.", True),
        Field("ends_at", "datetime", "When it ends (at most 24 hours later).", True),
        Field(
            "needs",
            "counts",
            "People needed per role; at least one in all.",
            True,
            minimum=0,
            maximum=shifts.MAX_NEED_PER_ROLE,
            choices=tuple(role.value for role in ShiftRole),
        ),
        Field(
            "note",
            "string",
            "A note for the volunteers.",
            max_length=shifts.NOTE_MAX_LENGTH,
            default="",
        ),
    ),
    example={
        "station_id": 1,
        "starts_at": "2027-02-05T06:00:00+07:00",
        "ends_at": "2027-02-05T10:00:00+07:00",
        "needs": {"lead": 1, "volunteer": 4},
        "note": "Mang áo phản quang",
    },
)

SHIFT_CANCELLATION = ObjectBody(
    "ShiftCancellation",
    "Why the shift is cancelled (its volunteers are told).",
    (Field("reason", "string", "Why, in a few words.", True, max_length=shifts.REASON_MAX_LENGTH),),
    example={"reason": "Trạm tạm đóng vì mưa lớn"},
)


def day_window(call: ApiCall) -> queries.Window:
    """The Vietnam-local days of ``date``, ``from`` and ``to``, as one span of time."""
    first: dt.date | None = call.query["from"]
    last: dt.date | None = call.query["to"]
    day: dt.date | None = call.query["date"]
    if day is not None:
        first = day if first is None else max(first, day)
        last = day if last is None else min(last, day)
    if first is not None and last is not None and first > last:
        raise bad_request(FROM_AFTER_TO, field="from")
    # In UTC: SQLite compares the stored moments as text.
    return queries.Window(
        since=None if first is None else local_midnight(first).astimezone(dt.UTC),
        until=None
        if last is None
        else local_midnight(last + dt.timedelta(days=1)).astimezone(dt.UTC),
    )


async def list_campaigns(call: ApiCall) -> Reply:
    status = call.query["status"]
    page = await queries.page_campaigns(
        status=None if status is None else CampaignStatus(status),
        after=call.after(),
        limit=call.limit,
    )
    return page_reply(call, CAMPAIGN, page)


async def get_campaign(call: ApiCall) -> Reply:
    return data_reply(CAMPAIGN, await queries.campaign_by_id(call.path["campaign_id"]))


async def create_campaign(call: ApiCall) -> Reply:
    check_can_manage_campaigns(call.principal)
    body = await call.body()
    unit = None if body["unit_id"] is None else await queries.unit_by_id(body["unit_id"])
    with body_field_names({"unit": "unit_id"}):
        campaign = await campaigns.create_campaign(
            kind=body["kind"],
            year=body["year"],
            name=body["name"],
            starts_on=body["starts_on"],
            ends_on=body["ends_on"],
            budget_vnd=body["budget_vnd"],
            unit=unit,
            by=call.principal.actor,
        )
    return data_reply(CAMPAIGN, campaign, status=201)


async def close_campaign(call: ApiCall) -> Reply:
    check_can_manage_campaigns(call.principal)
    campaign = await queries.campaign_by_id(call.path["campaign_id"])
    closed = await campaigns.close_campaign(campaign, by=call.principal.actor)
    return data_reply(CAMPAIGN, closed)


async def create_station(call: ApiCall) -> Reply:
    body = await call.body()
    campaign = await queries.campaign_by_id(body["campaign_id"])
    with body_field_names({"unit": "unit_id"}):
        check_can_use_unit(call.principal, body["unit_id"])
    unit = await queries.unit_by_id(body["unit_id"])
    with body_field_names({"campaign": "campaign_id", "unit": "unit_id"}):
        station = await stations.create_station(
            campaign,
            unit=unit,
            code=body["code"],
            name=body["name"],
            address=body["address"],
            latitude=body["latitude"],
            longitude=body["longitude"],
            checkin_radius_m=body["checkin_radius_m"],
            opens_at=body["opens_at"],
            closes_at=body["closes_at"],
            by=call.principal.actor,
        )
    return data_reply(STATION, station, status=201)


async def list_stations(call: ApiCall) -> Reply:
    page = await queries.page_stations(
        unit_ids=call.principal.unit_ids,
        campaign_id=call.query["campaign_id"],
        after=call.after(),
        limit=call.limit,
    )
    return page_reply(call, STATION, page)


async def get_station(call: ApiCall) -> Reply:
    station = await queries.station_by_id(call.path["station_id"])
    check_can_view_station(call.principal, station)
    return data_reply(STATION, station)


async def list_shifts(call: ApiCall) -> Reply:
    status = call.query["status"]
    page = await queries.page_shifts(
        unit_ids=call.principal.unit_ids,
        campaign_id=call.query["campaign_id"],
        station_id=call.query["station_id"],
        status=None if status is None else ShiftStatus(status),
        window=day_window(call),
        after=call.after(),
        limit=call.limit,
    )
    return page_reply(call, SHIFT, page)


async def get_shift(call: ApiCall) -> Reply:
    shift = await queries.shift_by_id(call.path["shift_id"])
    check_can_view_station(
        call.principal, shift.station, missing=queries.unknown(shift, field="shift_id")
    )
    return data_reply(SHIFT, shift)


async def create_shift(call: ApiCall) -> Reply:
    body = await call.body()
    station = await queries.station_by_id(body["station_id"])
    check_can_change_station(call.principal, station)
    with body_field_names({"station": "station_id"}):
        shift = await shifts.create_shift(
            station,
            starts_at=body["starts_at"],
            ends_at=body["ends_at"],
            needs=body["needs"],
            note=body["note"],
            by=call.principal.actor,
        )
    return data_reply(SHIFT, await queries.shift_by_id(shift.id), status=201)


async def cancel_shift(call: ApiCall) -> Reply:
    shift = await queries.shift_by_id(call.path["shift_id"])
    check_can_change_station(
        call.principal, shift.station, missing=queries.unknown(shift, field="shift_id")
    )
    body = await call.body()
    await shifts.cancel_shift(shift, reason=body["reason"], by=call.principal.actor)
    return data_reply(SHIFT, await queries.shift_by_id(shift.id))


OPERATIONS = (
    Operation(
        "GET",
        "/campaigns",
        "listCampaigns",
        "List campaigns",
        "campaigns",
        list_campaigns,
        (many(CAMPAIGN),),
        query=(
            enum_field("status", CampaignStatus, "Only open or only closed campaigns."),
            *PAGE_PARAMETERS,
        ),
    ),
    Operation(
        "POST",
        "/campaigns",
        "createCampaign",
        "Plan a campaign",
        "campaigns",
        create_campaign,
        (one(CAMPAIGN, status=201, description="The new campaign."),),
        description="Admins and province-wide coordinators only.",
        body=NEW_CAMPAIGN,
        change=True,
        errors=(400, 401, 403, 404),
    ),
    Operation(
        "GET",
        "/campaigns/{campaign_id}",
        "getCampaign",
        "One campaign",
        "campaigns",
        get_campaign,
        (one(CAMPAIGN),),
    ),
    Operation(
        "POST",
        "/campaigns/{campaign_id}/close",
        "closeCampaign",
        "Close a campaign",
        "campaigns",
        close_campaign,
        (one(CAMPAIGN, description="The closed campaign."),),
        description="From then on it takes no new stations, shifts or stock entries. Admins "
        "and province-wide coordinators only; closing a closed campaign is a conflict (409).",
        errors=(401, 403, 409),
        change=True,
    ),
    Operation(
        "GET",
        "/stations",
        "listStations",
        "List the stations in the token's scope",
        "stations",
        list_stations,
        (many(STATION),),
        query=(CAMPAIGN_FILTER, *PAGE_PARAMETERS),
    ),
    Operation(
        "POST",
        "/stations",
        "createStation",
        "Add a station to an open campaign",
        "stations",
        create_station,
        (one(STATION, status=201, description="The new station."),),
        body=NEW_STATION,
        change=True,
        errors=(400, 401, 403, 404),
    ),
    Operation(
        "GET",
        "/stations/{station_id}",
        "getStation",
        "One station",
        "stations",
        get_station,
        (one(STATION),),
    ),
    Operation(
        "GET",
        "/shifts",
        "listShifts",
        "List shifts (of stations in the token's scope)",
        "shifts",
        list_shifts,
        (many(SHIFT),),
        description="With `date`, `from` or `to`: the shifts that overlap those days.",
        query=(
            CAMPAIGN_FILTER,
            STATION_FILTER,
            enum_field("status", ShiftStatus, "Only active or only cancelled shifts."),
            *DAY_FILTERS,
            *PAGE_PARAMETERS,
        ),
    ),
    Operation(
        "POST",
        "/shifts",
        "createShift",
        "Add a shift at a station",
        "shifts",
        create_shift,
        (one(SHIFT, status=201, description="The new shift."),),
        description="Refused with 409 when the same window already exists at the station, "
        "with 422 when it falls outside the campaign's days.",
        body=NEW_SHIFT,
        change=True,
        errors=(400, 401, 403, 404),
    ),
    Operation(
        "GET",
        "/shifts/{shift_id}",
        "getShift",
        "One shift",
        "shifts",
        get_shift,
        (one(SHIFT),),
    ),
    Operation(
        "POST",
        "/shifts/{shift_id}/cancel",
        "cancelShift",
        "Cancel a shift",
        "shifts",
        cancel_shift,
        (one(SHIFT, description="The cancelled shift."),),
        description="Its assigned volunteers are taken off and told why. A shift someone "
        "has checked in to cannot be cancelled (409).",
        body=SHIFT_CANCELLATION,
        change=True,
    ),
)
