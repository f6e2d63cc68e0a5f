"""The nationwide dataset's places: the unit tree of the 34 provinces and the stations.

Plain rows planned in memory (see ``bench/nation_data.py``); nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, Final

from stations.clock import VN_TZ
from stations.enums import UnitKind
from stations.services import divisions
from stations.services.station_services import STATION_SERVICES

#: Every fifth station stands on a main road: one more volunteer per shift, open past midnight.
KEY_EVERY: Final = 5
#: Every third station hands out fuel to travellers who run dry.
FUEL_EVERY: Final = 3

#: Approximate coordinates of each province's seat (2025 provinces), for station places.
PROVINCE_SEATS: Final = {
    "01": (21.03, 105.85), "04": (22.67, 106.26), "08": (21.82, 105.21), "11": (21.39, 103.02),
    "12": (22.40, 103.46), "14": (21.33, 103.91), "15": (21.72, 104.90), "19": (21.59, 105.85),
    "20": (21.85, 106.76), "22": (20.95, 107.08), "24": (21.27, 106.19), "25": (21.32, 105.40),
    "31": (20.86, 106.68), "33": (20.65, 106.05), "37": (20.25, 105.97), "38": (19.81, 105.78),
    "40": (18.68, 105.68), "42": (18.34, 105.90), "44": (17.47, 106.62), "46": (16.46, 107.59),
    "48": (16.05, 108.20), "51": (15.12, 108.80), "52": (13.78, 109.22), "56": (12.24, 109.19),
    "66": (12.67, 108.04), "68": (11.94, 108.44), "75": (10.95, 106.82), "79": (10.78, 106.70),
    "80": (10.54, 106.41), "82": (10.36, 106.36), "86": (10.25, 105.97), "91": (10.01, 105.08),
    "92": (10.03, 105.78), "96": (9.18, 105.15),
}  # fmt: skip


@dataclass
class PlannedUnit:
    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None
    province_code: str | None = None
    ward_code: str | None = None


@dataclass
class PlannedStation:
    id: int
    code: str
    unit: PlannedUnit
    youth_id: int
    womens_id: int
    garage_id: int
    latitude: float
    longitude: float
    key: bool
    fuel: bool
    volunteers: list[int] = field(default_factory=list)


@dataclass
class Plan:
    """What the dataset holds: the places, and the rows of each table as they are written."""

    units: list[PlannedUnit] = field(default_factory=list)
    stations: list[PlannedStation] = field(default_factory=list)
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


def apportion(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` whole shares differing by at most one, the larger first."""
    base, extra = divmod(total, parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """The UTC moment of a Vietnam wall-clock time of ``day`` (hour 24: the next midnight)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=VN_TZ)
    return (start + dt.timedelta(hours=hour, minutes=minute)).astimezone(dt.UTC)


def _unit_name(kind: str, place: str) -> str:
    # "Thành phố Hà Nội" → "Công an thành phố Hà Nội"; "An Giang" → "Công an tỉnh An Giang".
    if place.startswith("Thành phố "):
        return f"{kind} thành phố {place.removeprefix('Thành phố ')}"
    return f"{kind} tỉnh {place}"


def plan_units(plan: Plan, wards_per_province: int) -> dict[str, tuple[PlannedUnit, ...]]:
    """The unit tree; per province code, its police, youth union, women's union and garage.

    The national root holds the 34 provinces' police; each holds its youth and women's
    unions and about ``wards_per_province`` ward or commune police units, picked evenly
    through its official list. The garage is a partner outside the tree, as in the demo."""
    root = PlannedUnit(1, "VN-TDC", "Ban chỉ đạo Trạm dừng chân toàn quốc", UnitKind.OTHER, None)
    plan.units.append(root)
    per_province: dict[str, tuple[PlannedUnit, ...]] = {}
    provinces = sorted(divisions.provinces(), key=lambda place: place.code)
    for province in provinces:
        code, name = province.code, province.name
        police_id = len(plan.units) + 1
        made = (
            PlannedUnit(police_id, f"CA-{code}", _unit_name("Công an", name),
                        UnitKind.PROVINCE_POLICE, root.id, code),
            PlannedUnit(police_id + 1, f"DTN-{code}", _unit_name("Đoàn Thanh niên Công an", name),
                        UnitKind.YOUTH_UNION, police_id, code),
            PlannedUnit(police_id + 2, f"HPN-{code}", _unit_name("Hội Phụ nữ Công an", name),
                        UnitKind.WOMENS_UNION, police_id, code),
            PlannedUnit(police_id + 3, f"HEAD-{code}",
                        f"Trung tâm Head Honda {name.removeprefix('Thành phố ')}",
                        UnitKind.GARAGE, None, code),
        )  # fmt: skip
        per_province[code] = made
        plan.units.extend(made)
    for province in provinces:
        police = per_province[province.code][0]
        wards = divisions.wards_of(province.code)
        step = max(1, len(wards) // wards_per_province)
        for ward in wards[::step][:wards_per_province]:
            plan.units.append(
                PlannedUnit(
                    len(plan.units) + 1,
                    f"CA-{ward.code}",
                    # "Phường Ba Đình" → "Công an phường Ba Đình"
                    f"Công an {ward.name[:1].lower()}{ward.name[1:]}",
                    UnitKind.COMMUNE_POLICE,
                    police.id,
                    province.code,
                    ward.code,
                )
            )
    return per_province


def plan_stations(
    plan: Plan, count: int, per_province: dict[str, tuple[PlannedUnit, ...]], rng: random.Random
) -> None:
    wards = [u for u in plan.units if u.kind is UnitKind.COMMUNE_POLICE]
    # Round-robin over provinces first, so every province has stations even at 10.
    by_province: dict[str, list[PlannedUnit]] = {}
    for unit in wards:
        by_province.setdefault(unit.province_code or "", []).append(unit)
    order = [
        ward
        for rank in range(max(len(v) for v in by_province.values()))
        for ward in (v[rank] for v in by_province.values() if rank < len(v))
    ]
    for n in range(count):
        ward = order[n % len(order)]
        province_code = ward.province_code or ""
        seat_lat, seat_lon = PROVINCE_SEATS.get(province_code, (16.0, 107.0))
        _police, youth, womens, garage = per_province[province_code]
        plan.stations.append(
            PlannedStation(
                id=n + 1,
                code=f"T{province_code}{n:04d}",
                unit=ward,
                youth_id=youth.id,
                womens_id=womens.id,
                garage_id=garage.id,
                latitude=round(seat_lat + rng.uniform(-0.3, 0.3), 5),
                longitude=round(seat_lon + rng.uniform(-0.3, 0.3), 5),
                key=n % KEY_EVERY == 0,
                fuel=n % FUEL_EVERY == 0,
            )
        )


def station_rows(plan: Plan, campaign_id: int, stamp: dt.datetime, rng: random.Random) -> None:
    services = list(STATION_SERVICES)
    rows = []
    for station in plan.stations:
        ward = divisions.ward(station.unit.ward_code or "")
        province = divisions.province(station.unit.province_code or "")
        road = rng.choice(("1", "1A", "14", "20", "27", "30", "51", "80", "91", "N2"))
        locality = ward.name if ward else station.unit.name
        if station.key:
            opens, closes = dt.time(6, tzinfo=dt.UTC), dt.time(1, tzinfo=dt.UTC)
        elif station.id % 7 == 0:
            opens, closes = None, None  # open round the clock
        else:
            opens, closes = dt.time(6, tzinfo=dt.UTC), dt.time(22, tzinfo=dt.UTC)
        offers = ["water", "cold_towels", "rest"]
        offers += [code for code in ("food", "first_aid") if rng.random() < 0.7]
        if station.fuel:
            offers.append("fuel")
        if station.key:
            offers.append("motorbike_check")
        rows.append(
            (
                station.id,
                campaign_id,
                station.unit.id,
                station.code,
                f"Quốc lộ {road} – {locality}",
                f"Quốc lộ {road}, {locality}, {province.name if province else ''}",
                station.latitude,
                station.longitude,
                300,
                opens,
                closes,
                station.volunteers[0] if station.volunteers else None,
                station.unit.province_code,
                station.unit.ward_code,
                True,
                " ".join(code for code in services if code in offers),
                stamp,
                stamp,
            )
        )
    plan.rows["station"] = rows
