"""Factories: rows with plain, unsurprising defaults; every test says what matters to it.

They write rows directly, so a test can set up any state, including ones the services
would refuse, and then watch the service under test handle it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from stations.clock import VN_TZ
from stations.enums import CampaignKind, ShiftRole, SupplyCategory, UnitKind
from stations.models import (
    Assignment,
    Campaign,
    Shift,
    Station,
    SupplyItem,
    Unit,
    Volunteer,
)

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


async def make_unit(**overrides: Any) -> Unit:
    n = _next()
    values: dict[str, Any] = {
        "code": f"U{n}",
        "name": f"Công an xã {n}",
        "kind": UnitKind.COMMUNE_POLICE,
    }
    values.update(overrides)
    return await Unit.create(**values)


async def make_campaign(**overrides: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "Tết Đinh Mùi 2027",
        "kind": CampaignKind.TET,
        "year": 2027,
        "starts_on": dt.date(2027, 1, 30),
        "ends_on": dt.date(2027, 2, 11),
        "budget_vnd": 100_000_000,
    }
    values.update(overrides)
    return await Campaign.create(**values)


async def make_station(campaign: Campaign | None = None, **overrides: Any) -> Station:
    n = _next()
    if campaign is None:
        campaign = await make_campaign()
    if "unit" not in overrides:
        overrides["unit"] = await make_unit()
    values: dict[str, Any] = {
        "campaign": campaign,
        "code": f"S{n}",
        "name": f"Trạm dừng chân số {n}",
        "address": "Quốc lộ 30, Hồng Ngự, Đồng Tháp",
        "latitude": 10.8076,
        "longitude": 105.3436,
        "checkin_radius_m": 300,
    }
    values.update(overrides)
    return await Station.create(**values)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware datetime, given in Vietnam's local time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


async def make_shift(station: Station | None = None, **overrides: Any) -> Shift:
    if station is None:
        station = await make_station()
    values: dict[str, Any] = {
        "station": station,
        "starts_at": vn(2027, 2, 2, 6),
        "ends_at": vn(2027, 2, 2, 10),
        "needs": {ShiftRole.LEAD.value: 1, ShiftRole.VOLUNTEER.value: 3},
    }
    values.update(overrides)
    return await Shift.create(**values)


async def make_volunteer(**overrides: Any) -> Volunteer:
    n = _next()
    name = overrides.pop("full_name", f"Nguyễn Văn An {n}")
    from stations.text import fold

    values: dict[str, Any] = {
        "full_name": name,
        "search_name": fold(name),
        "phone": f"+8490{n:07d}",
    }
    values.update(overrides)
    return await Volunteer.create(**values)


async def make_assignment(
    shift: Shift | None = None, volunteer: Volunteer | None = None, **overrides: Any
) -> Assignment:
    values: dict[str, Any] = {
        "shift": shift or await make_shift(),
        "volunteer": volunteer or await make_volunteer(),
        "role": ShiftRole.VOLUNTEER,
    }
    values.update(overrides)
    return await Assignment.create(**values)


STANDARD_ITEMS: dict[str, dict[str, Any]] = {
    "water": {
        "name_vi": "Nước suối",
        "name_en": "Bottled water",
        "unit_vi": "chai",
        "unit_en": "bottle",
        "category": SupplyCategory.WATER,
        "aliases": ["nuoc", "nuoc suoi", "water"],
        "unit_cost_vnd": 4000,
        "default_low_stock": 100,
    },
    "towel": {
        "name_vi": "Khăn lạnh",
        "name_en": "Cold towel",
        "unit_vi": "khăn",
        "unit_en": "towel",
        "category": SupplyCategory.TOWEL,
        "aliases": ["khan", "khan lanh", "towel"],
        "unit_cost_vnd": 1500,
        "default_low_stock": 100,
    },
}


async def make_item(code: str = "water", **overrides: Any) -> SupplyItem:
    values: dict[str, Any] = {
        "code": code,
        **STANDARD_ITEMS.get(
            code,
            {
                "name_vi": code,
                "name_en": code,
                "unit_vi": "cái",
                "unit_en": "piece",
                "category": SupplyCategory.OTHER,
                "aliases": [code],
            },
        ),
    }
    values.update(overrides)
    return await SupplyItem.create(**values)
