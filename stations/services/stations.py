"""Rest stations of a campaign: where they are, who runs them, when they are open."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations.i18n import _
from stations.models import Campaign, Station, Unit, Volunteer
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.campaigns import open_campaign_of
from stations.services.divisions import check_place
from stations.services.edits import audit_value, check_editable, save_changes
from stations.services.errors import Conflict, InvalidInput
from stations.services.geo import check_coordinates
from stations.services.station_services import check_station_services, stored_services
from stations.services.units import load_unit
from stations.services.validation import (
    check_name,
    check_optional_text,
    check_saved,
    check_whole_number,
    load_existing,
)

#: Station codes travel in QR codes and Telegram deep links (``st_<code>``).
STATION_CODE_PATTERN = re.compile(r"[A-Z0-9_-]{1,16}")
ADDRESS_MAX_LENGTH = 300
DEFAULT_CHECKIN_RADIUS_M = 300
MIN_CHECKIN_RADIUS_M, MAX_CHECKIN_RADIUS_M = 10, 5000
EDITABLE_FIELDS = frozenset(
    {
        "unit",
        "code",
        "name",
        "address",
        "latitude",
        "longitude",
        "checkin_radius_m",
        "opens_at",
        "closes_at",
        "lead",
        "is_active",
        "province_code",
        "ward_code",
        "offers",
    }
)


async def create_station(
    campaign: Campaign,
    *,
    unit: Unit,
    code: str,
    name: str,
    by: Actor,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    checkin_radius_m: int = DEFAULT_CHECKIN_RADIUS_M,
    opens_at: dt.time | None = None,
    closes_at: dt.time | None = None,
    lead: Volunteer | None = None,
    province_code: str | None = None,
    ward_code: str | None = None,
    offers: object = (),
) -> Station:
    """Add a station to an open campaign; its code must be new to the campaign. Its place is
    an official province and ward code (``services/divisions.py``)."""
    campaign_id = check_saved(
        campaign, Campaign, field="campaign", message=_("Choose a saved campaign.")
    )
    code = normalize_station_code(code)
    latitude, longitude = _checked_position(latitude, longitude)
    opens_at, closes_at = _checked_hours(opens_at, closes_at)
    province_code, ward_code = check_place(province_code, ward_code)
    values: dict[str, Any] = {
        "province_code": province_code,
        "ward_code": ward_code,
        "code": code,
        "name": check_name(name),
        "address": _checked_address(address),
        "latitude": latitude,
        "longitude": longitude,
        "checkin_radius_m": _checked_radius(checkin_radius_m),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "unit": await load_unit(unit),
        "lead": await _existing_lead(lead),
        "offers": stored_services(check_station_services(offers)),
    }
    campaign = await open_campaign_of(campaign_id)
    if await Station.exists(campaign_id=campaign.id, code=code):
        raise _duplicate_code(code)
    try:
        async with in_transaction():
            station = await Station.create(campaign=campaign, **values)
            await record_event(
                by,
                "station.created",
                object_type="station",
                object_id=station.id,
                data={"campaign_id": campaign.id, **_audit_values(values)},
            )
    except IntegrityError:
        # Someone else took the code between our check and our insert.
        raise _duplicate_code(code) from None
    return station


async def update_station(station: Station, *, by: Actor, **changes: Any) -> Station:
    """Change any of the station's own fields; a closed campaign's stations may still be
    corrected (address, coordinates) for its records."""
    check_editable(changes, EDITABLE_FIELDS)
    new_values: dict[str, Any] = {}
    if "code" in changes:
        new_values["code"] = normalize_station_code(changes["code"])
    if "name" in changes:
        new_values["name"] = check_name(changes["name"])
    if "address" in changes:
        new_values["address"] = _checked_address(changes["address"])
    if "checkin_radius_m" in changes:
        new_values["checkin_radius_m"] = _checked_radius(changes["checkin_radius_m"])
    if "is_active" in changes:
        if not isinstance(changes["is_active"], bool):
            raise InvalidInput(
                _("Say whether the station is active: yes or no."), field="is_active"
            )
        new_values["is_active"] = changes["is_active"]
    if "offers" in changes:
        new_values["offers"] = stored_services(check_station_services(changes["offers"]))
    if "latitude" in changes or "longitude" in changes:
        new_values["latitude"], new_values["longitude"] = _checked_position(
            changes.get("latitude", station.latitude), changes.get("longitude", station.longitude)
        )
    if "province_code" in changes or "ward_code" in changes:
        new_values["province_code"], new_values["ward_code"] = check_place(
            changes.get("province_code", station.province_code),
            changes.get("ward_code", station.ward_code),
        )
    if "opens_at" in changes or "closes_at" in changes:
        new_values["opens_at"], new_values["closes_at"] = _checked_hours(
            changes.get("opens_at", station.opens_at), changes.get("closes_at", station.closes_at)
        )
    related: dict[str, Any] = {}
    if "unit" in changes:
        related["unit"] = await load_unit(changes["unit"])
        new_values["unit_id"] = related["unit"].id
    if "lead" in changes:
        related["lead"] = await _existing_lead(changes["lead"])
        new_values["lead_id"] = related["lead"].id if related["lead"] is not None else None

    async def refuse_taken_code(changed: dict[str, Any]) -> None:
        code = changed.get("code")
        if (
            code is not None
            and await Station.filter(campaign_id=station.campaign_id, code=code)  # type: ignore[attr-defined]
            .exclude(id=station.id)
            .exists()
        ):
            raise _duplicate_code(code)

    try:
        changed = await save_changes(
            station,
            new_values,
            by=by,
            object_type="station",
            gone=_("This station no longer exists."),
            before_write=refuse_taken_code,
        )
    except IntegrityError:
        # Someone else took the code between our check and our write.
        raise _duplicate_code(new_values.get("code", station.code)) from None
    for field, value in related.items():
        if f"{field}_id" in changed:
            setattr(station, field, value)
    return station


def normalize_station_code(code: object) -> str:
    """ " hn-01 " → "HN-01", or ``InvalidInput``: the code must fit in a deep link."""
    normalized = code.strip().upper() if isinstance(code, str) else ""
    if not STATION_CODE_PATTERN.fullmatch(normalized):
        raise InvalidInput(
            _(
                "A station code is 1 to {max} characters: letters A–Z, digits, hyphen "
                "and underscore."
            ),
            field="code",
            max=16,
        )
    return normalized


def _duplicate_code(code: str) -> Conflict:
    return Conflict(
        _("The station code {code} is already used in this campaign."), field="code", code=code
    )


def _checked_address(address: object) -> str:
    if address is None:
        return ""
    return check_optional_text(
        address,
        field="address",
        max_length=ADDRESS_MAX_LENGTH,
        too_long=_("An address can be at most {max} characters."),
    )


def _checked_position(latitude: object, longitude: object) -> tuple[float | None, float | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise InvalidInput(
            _("Give both latitude and longitude, or neither."),
            field="latitude" if latitude is None else "longitude",
        )
    return check_coordinates(latitude, longitude)


def _checked_radius(radius: object) -> int:
    return check_whole_number(
        radius,
        field="checkin_radius_m",
        minimum=MIN_CHECKIN_RADIUS_M,
        maximum=MAX_CHECKIN_RADIUS_M,
        message=_("The check-in radius must be a whole number of metres from {min} to {max}."),
    )


def _checked_hours(opens_at: object, closes_at: object) -> tuple[dt.time | None, dt.time | None]:
    """Opening hours as Vietnam wall-clock times, closing after midnight allowed.

    With the ORM's time-zone support on, a stored time comes back labelled UTC whatever it
    means; we store that label on purpose so every stored time compares like with like.
    """
    if opens_at is None and closes_at is None:
        return None, None
    message = _("Give both opening and closing times (hours and minutes), or neither.")
    if not isinstance(opens_at, dt.time):
        raise InvalidInput(message, field="opens_at")
    if not isinstance(closes_at, dt.time):
        raise InvalidInput(message, field="closes_at")
    opens, closes = _wall_clock(opens_at), _wall_clock(closes_at)
    if opens == closes:
        raise InvalidInput(
            _(
                "Opening and closing times must differ; leave both empty for a station "
                "open round the clock."
            ),
            field="closes_at",
        )
    return opens, closes


def _wall_clock(value: dt.time) -> dt.time:
    return value.replace(tzinfo=dt.UTC)


async def _existing_lead(lead: object) -> Volunteer | None:
    if lead is None:
        return None
    return await load_existing(
        lead,
        Volunteer,
        field="lead",
        unsaved=_("Choose a saved volunteer as the station lead."),
        gone=_("This volunteer no longer exists."),
    )


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    audited = {k: audit_value(v) for k, v in values.items() if k not in {"unit", "lead"}}
    audited["unit_id"] = values["unit"].id
    audited["lead_id"] = values["lead"].id if values["lead"] is not None else None
    return audited
