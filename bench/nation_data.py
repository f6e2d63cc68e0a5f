"""The nationwide dataset of issue 13, written straight into PostgreSQL in a few minutes.

    info = await build_nation("postgres://postgres@127.0.0.1:5432/scratch")

One running Tết campaign at the scale of the whole country: a national root unit, the 34
provinces' police (official 2025 codes from ``services/divisions.py``) with a youth union, a
women's union and a partner garage each, and under each province about ten ward or commune
police units; 1,000 stations spread over those wards, 100,000 volunteers, 36,000 shifts,
160,000 assignments and 500,000 ledger lines, plus service records, three logins with API
tokens, and what the travellers' pages read (opening hours, services offered, stock).

The clock is frozen on 29 Tết Đinh Mùi (5 February 2027) at 10:30 in Vietnam, the busiest
morning: the morning shifts are under way (checked in), earlier ones are over (checked out,
a few no-shows), later ones are assigned or confirmed, and a *wave* — every station's 14:00
shift, twenty people each, 20,000 in all — starts in the same hour, so its two-hour reminders
are all due between 12:00 and 13:00. Nothing is dated after ``now``.

The rows are planned in memory from ``random.Random(seed)`` and written with PostgreSQL's
COPY (asyncpg ``copy_records_to_table``), not through the services, which take eleven
minutes for a hundredth of this. Every CHECK and UNIQUE rule of the migrations holds; the
ledger is written as its writer would have written it line by line (discrepancy flags where
a handout exceeded the stock on record, counts as ``count_adjustment`` lines of counted −
on record). The maintained ``stock_balance`` and ``daily_stock_tally`` are then derived with
two grouped ``INSERT … SELECT`` — the sums ``rebuild_balances`` computes, which
``tests/bench/test_nation_data.py`` proves by running ``rebuild_balances`` afterwards and
seeing it change nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import asyncpg
from argon2 import PasswordHasher

from stations import db
from stations.calendar import HolidayKind, holiday_window
from stations.clock import VN_TZ
from stations.enums import (
    AssignmentStatus,
    CampaignKind,
    CampaignStatus,
    Force,
    Language,
    MovementKind,
    ServiceKind,
    ShiftStatus,
    Source,
    UnitKind,
    UserRole,
)
from stations.models import Shift
from stations.services import demo_data, divisions
from stations.services.assignments import worked_minutes
from stations.services.campaigns import default_campaign_name
from stations.services.catalog import STANDARD_ITEMS
from stations.services.geo import distance_m
from stations.services.queries.local_day import local_day_sql
from stations.services.station_services import STATION_SERVICES
from stations.services.users import API_TOKEN_PREFIX
from stations.text import fold

#: 29 Tết Đinh Mùi, 10:30 in Vietnam: the morning shifts are under way, the 14:00 wave ahead.
DEFAULT_NOW: Final = dt.datetime(2027, 2, 5, 10, 30, tzinfo=VN_TZ)
DEFAULT_SEED: Final = 2027
#: (start hour, end hour), Vietnam wall clock, of the shifts a station can have each day.
SLOTS: Final = ((6, 10), (10, 14), (14, 18), (18, 22))
#: The slot of ``now``'s day every station staffs heavily: the wave whose reminders fall due
#: together.
WAVE_SLOT: Final = (14, 18)
#: Every fifth station stands on a main road: one more volunteer per shift, open past midnight.
KEY_EVERY: Final = 5
#: Every third station hands out fuel to travellers who run dry.
FUEL_EVERY: Final = 3
#: Share of volunteers whose Telegram account is linked (the others get no reminders).
LINKED_SHARE: Final = 0.8
TELEGRAM_ID_BASE: Final = 7_000_000_000

ADMIN_EMAIL: Final = "admin@nation.bench"
PROVINCE_EMAIL: Final = "province@nation.bench"
WARD_EMAIL: Final = "ward@nation.bench"
PASSWORD: Final = "nationwide benchmark password"

#: Handout lines by item: share of a station's handouts and the quantity range of one line.
HANDOUTS: Final = {
    "water": (0.36, 10, 60),
    "towel": (0.30, 10, 50),
    "food": (0.13, 5, 25),
    "noodles": (0.08, 5, 25),
    "leaflet": (0.09, 10, 40),
    "fuel": (0.04, 1, 2),
}

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


@dataclass(frozen=True)
class Login:
    """A web login and a bearer token of the same role and unit."""

    email: str
    password: str
    token: str


@dataclass(frozen=True)
class NationInfo:
    """What a benchmark needs to find its way in the dataset."""

    campaign_id: int
    now: dt.datetime
    root_unit_id: int
    province_unit_id: int
    ward_unit_id: int
    #: a station of ``ward_unit_id``, for the travellers' station page
    station_code: str
    #: a station outside ``province_unit_id``: a unit's page must not show it
    outside_station_code: str
    #: province-wide (no unit)
    admin: Login
    #: a coordinator of ``province_unit_id``
    province_coordinator: Login
    #: a coordinator of ``ward_unit_id``
    ward_coordinator: Login
    #: when the wave's shifts start (every station's, in the same hour)
    wave_starts_at: dt.datetime
    wave_assignments: int
    #: rows written per table
    counts: dict[str, int]
    seconds: float


# --- the plan: plain rows, no database ---------------------------------------------------


@dataclass
class _Unit:
    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None
    province_code: str | None = None
    ward_code: str | None = None


@dataclass
class _Station:
    id: int
    code: str
    unit: _Unit
    youth_id: int
    womens_id: int
    garage_id: int
    latitude: float
    longitude: float
    key: bool
    fuel: bool
    volunteers: list[int] = field(default_factory=list)


@dataclass
class _Plan:
    units: list[_Unit] = field(default_factory=list)
    stations: list[_Station] = field(default_factory=list)
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


def apportion(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` whole shares differing by at most one, the larger first."""
    base, extra = divmod(total, parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=VN_TZ)
    return (start + dt.timedelta(hours=hour, minutes=minute)).astimezone(dt.UTC)


def _unit_name(kind: str, place: str) -> str:
    # "Thành phố Hà Nội" → "Công an thành phố Hà Nội"; "An Giang" → "Công an tỉnh An Giang".
    if place.startswith("Thành phố "):
        return f"{kind} thành phố {place.removeprefix('Thành phố ')}"
    return f"{kind} tỉnh {place}"


def _plan_units(plan: _Plan, wards_per_province: int) -> dict[str, tuple[_Unit, ...]]:
    """The unit tree; per province code, its police, youth union, women's union and garage."""
    root = _Unit(1, "VN-TDC", "Ban chỉ đạo Trạm dừng chân toàn quốc", UnitKind.OTHER, None)
    plan.units.append(root)
    next_id = 2
    per_province: dict[str, tuple[_Unit, ...]] = {}
    provinces = sorted(divisions.provinces(), key=lambda place: place.code)
    for province in provinces:
        made = []
        for code, kind, prefix, parent in (
            (f"CA-{province.code}", UnitKind.PROVINCE_POLICE, "Công an", root.id),
            (f"DTN-{province.code}", UnitKind.YOUTH_UNION, "Đoàn Thanh niên Công an", None),
            (f"HPN-{province.code}", UnitKind.WOMENS_UNION, "Hội Phụ nữ Công an", None),
            (f"HEAD-{province.code}", UnitKind.GARAGE, "Trung tâm Head Honda", None),
        ):
            name = (
                _unit_name(prefix, province.name)
                if kind is not UnitKind.GARAGE
                else f"{prefix} {province.name.removeprefix('Thành phố ')}"
            )
            unit = _Unit(
                next_id,
                code,
                name,
                kind,
                parent if parent is not None else made[0].id,
                province.code,
            )
            if kind is UnitKind.GARAGE:
                unit.parent_id = None  # a partner outside the police, as in the demo
            next_id += 1
            made.append(unit)
        per_province[province.code] = tuple(made)
        plan.units.extend(made)
    for province in provinces:
        police = per_province[province.code][0]
        wards = divisions.wards_of(province.code)
        step = max(1, len(wards) // wards_per_province)
        for ward in wards[::step][:wards_per_province]:
            kind_word = ward.name.split(" ", 1)[0].lower()  # phường, xã, đặc khu
            plan.units.append(
                _Unit(
                    next_id,
                    f"CA-{ward.code}",
                    f"Công an {kind_word} {ward.name.split(' ', 1)[1]}"
                    if " " in ward.name
                    else f"Công an {ward.name}",
                    UnitKind.COMMUNE_POLICE,
                    police.id,
                    province.code,
                    ward.code,
                )
            )
            next_id += 1
    return per_province


def _plan_stations(
    plan: _Plan, count: int, per_province: dict[str, tuple[_Unit, ...]], rng: random.Random
) -> None:
    wards = [u for u in plan.units if u.kind is UnitKind.COMMUNE_POLICE]
    # Round-robin over provinces first, so every province has stations even at 10.
    by_province: dict[str, list[_Unit]] = {}
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
            _Station(
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


def _station_rows(plan: _Plan, campaign_id: int, now: dt.datetime, rng: random.Random) -> None:
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
                now,
                now,
            )
        )
    plan.rows["station"] = rows


def _plan_volunteers(plan: _Plan, count: int, now: dt.datetime, rng: random.Random) -> None:
    family_names = [name for name, _w in demo_data.FAMILY_NAMES]
    family_weights = [w for _name, w in demo_data.FAMILY_NAMES]
    phones: set[str] = set()
    rows = []
    next_id = 1
    for station, how_many in zip(plan.stations, apportion(count, len(plan.stations)), strict=True):
        locality = station.unit.name.removeprefix("Công an ")
        for _person in range(how_many):
            roll = rng.random()
            if roll < 0.5:
                unit_id, organisation, force = station.unit.id, station.unit.name, Force.POLICE
            elif roll < 0.75:
                unit_id, organisation, force = (
                    station.youth_id,
                    f"Đoàn Thanh niên {locality}",
                    Force.YOUTH_UNION,
                )
            elif roll < 0.87:
                unit_id, organisation, force = (
                    station.womens_id,
                    f"Hội Phụ nữ {locality}",
                    Force.WOMENS_UNION,
                )
            else:
                unit_id, organisation, force = None, f"Người dân {locality}", Force.PEOPLE
            female = force is Force.WOMENS_UNION or rng.random() < 0.45
            name = " ".join(
                (
                    rng.choices(family_names, family_weights)[0],
                    rng.choice(
                        demo_data.FEMALE_MIDDLE_NAMES if female else demo_data.MALE_MIDDLE_NAMES
                    ),
                    rng.choice(
                        demo_data.FEMALE_GIVEN_NAMES if female else demo_data.MALE_GIVEN_NAMES
                    ),
                )
            )
            while True:
                phone = f"+84{rng.choice(demo_data.MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
                if phone not in phones:
                    phones.add(phone)
                    break
            linked = rng.random() < LINKED_SHARE
            telegram = TELEGRAM_ID_BASE + next_id if linked else None
            rows.append(
                (
                    next_id,
                    name,
                    fold(name),
                    phone,
                    unit_id,
                    organisation,
                    force.value,
                    json.dumps(rng.sample(demo_data.SKILLS, rng.choice((0, 0, 1, 1, 2)))),
                    telegram,
                    telegram,
                    (Language.EN if rng.random() < 0.01 else Language.VI).value,
                    True,
                    "",
                    secrets.token_urlsafe(32),
                    now,
                    now,
                )
            )
            station.volunteers.append(next_id)
            next_id += 1
    plan.rows["volunteer"] = rows


@dataclass
class _ShiftSlot:
    id: int
    station: _Station
    starts_at: dt.datetime
    ends_at: dt.datetime
    needs: dict[str, int]
    wave: bool


def _plan_shifts(
    plan: _Plan,
    count: int,
    assignments: int,
    wave_per_station: int,
    days: Sequence[dt.date],
    now: dt.datetime,
    rng: random.Random,
) -> list[_ShiftSlot]:
    today = now.astimezone(VN_TZ).date()
    candidates = [(day, start, end) for day in days for start, end in SLOTS]
    pinned = [c for c in candidates if c[0] == today]
    if count > len(candidates) * len(plan.stations):
        raise ValueError(f"at most {len(candidates)} shifts per station fit the campaign")
    shifts: list[_ShiftSlot] = []
    for station, how_many in zip(plan.stations, apportion(count, len(plan.stations)), strict=True):
        if how_many < len(pinned):
            raise ValueError(f"each station needs at least {len(pinned)} shifts (today's)")
        others = [c for c in candidates if c not in pinned]
        chosen = sorted(pinned + rng.sample(others, how_many - len(pinned)))
        for day, start, end in chosen:
            wave = day == today and (start, end) == WAVE_SLOT
            size = min(wave_per_station, len(station.volunteers))
            shifts.append(
                _ShiftSlot(
                    id=len(shifts) + 1,
                    station=station,
                    starts_at=_local(day, start),
                    ends_at=_local(day, end),
                    needs={"lead": 1, "volunteer": size - 1} if wave else {},
                    wave=wave,
                )
            )
    # Everyone else is spread over the other shifts: a lead and as many volunteers as fill
    # about 95 % of what they need (main-road stations need one more), so a few are short.
    ordinary = [s for s in shifts if not s.wave]
    left = assignments - sum(sum(s.needs.values()) for s in shifts if s.wave)
    if left < 0 or not ordinary:
        raise ValueError("the wave takes more assignments than there are")
    helpers = max(1, math.floor(left / len(ordinary)) - 1)
    while sum(1 + helpers + s.station.key for s in ordinary) < left:
        helpers += 1
    for shift in ordinary:
        shift.needs = {"lead": 1, "volunteer": helpers + shift.station.key}
    return shifts


def _settle(
    shift: _ShiftSlot, model: Shift, now: dt.datetime, rng: random.Random
) -> tuple[Any, ...]:
    """Status and check-in columns of an assignment at ``now`` (as demo.py tells it)."""
    roll = rng.random()
    nothing = (None, None, None, None, None, None, False, None)
    if now < shift.starts_at:
        status = (
            AssignmentStatus.CONFIRMED
            if roll < 0.55
            else AssignmentStatus.ASSIGNED
            if roll < 0.95
            else AssignmentStatus.DECLINED
        )
        return (status, *nothing)
    if roll >= 0.93:
        status = (
            AssignmentStatus.NO_SHOW
            if roll < 0.97
            else AssignmentStatus.DECLINED
            if roll < 0.985
            else AssignmentStatus.CANCELLED
        )
        if now < shift.ends_at and status is AssignmentStatus.NO_SHOW:
            status = AssignmentStatus.CONFIRMED  # late, not yet a no-show
        return (status, *nothing)
    station = shift.station
    checked_in_at = min(now, shift.starts_at + dt.timedelta(minutes=rng.randint(-15, 20)))
    latitude = longitude = distance = None
    located = rng.random()
    if located < 0.04:  # no location shared: left for a coordinator to look at
        verified = False
    else:
        metres = rng.uniform(400, 900) if located < 0.07 else rng.uniform(5, 250)
        bearing = rng.uniform(0, 2 * math.pi)
        latitude = round(station.latitude + metres * math.cos(bearing) / 111_320, 6)
        longitude = round(
            station.longitude
            + metres * math.sin(bearing) / (111_320 * math.cos(math.radians(station.latitude))),
            6,
        )
        distance = round(distance_m(latitude, longitude, station.latitude, station.longitude))
        verified = distance <= 300
    auto = rng.random() < 0.06  # forgot to check out: the scheduler closed it at the end
    checked_out_at = (
        shift.ends_at if auto else shift.ends_at + dt.timedelta(minutes=rng.randint(-20, 25))
    )
    if checked_out_at > now:
        return (
            AssignmentStatus.CHECKED_IN,
            checked_in_at,
            latitude,
            longitude,
            distance,
            verified,
            None,
            False,
            None,
        )
    return (
        AssignmentStatus.CHECKED_OUT,
        checked_in_at,
        latitude,
        longitude,
        distance,
        verified,
        checked_out_at,
        auto,
        worked_minutes(model, checked_in_at, checked_out_at),
    )


def _plan_assignments(
    plan: _Plan, shifts: list[_ShiftSlot], total: int, now: dt.datetime, rng: random.Random
) -> int:
    """Assignments and shift rows; returns the wave's assignments.

    A station's volunteers take its places in turn (in time order), so one person's two
    shifts are a pool's length of places apart: never the same shift, never overlapping."""
    wave_places = [
        (s, role) for s in shifts if s.wave for role, n in s.needs.items() for _ in range(n)
    ]
    ordinary = [
        (s, role) for s in shifts if not s.wave for role, n in s.needs.items() for _ in range(n)
    ]
    chosen = set(rng.sample(range(len(ordinary)), total - len(wave_places)))
    places = sorted(
        [*wave_places, *(place for n, place in enumerate(ordinary) if n in chosen)],
        key=lambda place: (place[0].station.id, place[0].starts_at, place[1] != "lead"),
    )
    models = {s.id: Shift(starts_at=s.starts_at, ends_at=s.ends_at) for s in shifts}
    turn: dict[int, int] = {}
    rows = []
    for n, (shift, role) in enumerate(places, start=1):
        pool = shift.station.volunteers
        position = turn.get(shift.station.id, 0)
        turn[shift.station.id] = position + 1
        settled = _settle(shift, models[shift.id], now, random.Random(rng.getrandbits(64)))
        rows.append(
            (
                n,
                shift.id,
                pool[position % len(pool)],
                role,
                settled[0].value,
                *settled[1:],
                now,
                now,
            )
        )
    plan.rows["assignment"] = rows
    plan.rows["shift"] = [
        (
            s.id,
            s.station.id,
            s.starts_at,
            s.ends_at,
            json.dumps(s.needs),
            ShiftStatus.ACTIVE.value,
            "",
            now,
            now,
        )
        for s in shifts
    ]
    return len(wave_places)


def _open_moments(days: Sequence[dt.date], now: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """Daytime stretches (06:00–22:00) from the first day up to ``now``: (start, seconds)."""
    stretches = []
    for day in days:
        start, end = _local(day, 6), min(_local(day, 22), now)
        if end > start:
            stretches.append((start, int((end - start).total_seconds())))
    return stretches


def _open_seconds(days: Sequence[dt.date], start: dt.datetime, end: dt.datetime) -> float:
    """Daytime seconds (06:00–22:00) between ``start`` and ``end``; at least one."""
    seconds = sum(
        max(0.0, (min(_local(day, 22), end) - max(_local(day, 6), start)).total_seconds())
        for day in days
    )
    return max(1.0, seconds)


def _moment(
    stretches: list[tuple[dt.datetime, int]], total: int, rng: random.Random
) -> dt.datetime:
    offset = rng.randrange(total)
    for start, seconds in stretches:
        if offset < seconds:
            return start + dt.timedelta(seconds=offset)
        offset -= seconds
    raise AssertionError("offset beyond the stretches")


@dataclass
class _Line:
    station: _Station
    item: str
    kind: MovementKind
    quantity: int  # for a count: what was counted
    occurred_at: dt.datetime
    source: Source
    volunteer: int | None
    counterpart: int | None = None
    group: uuid.UUID | None = None
    note: str = ""


def _plan_ledger(
    plan: _Plan,
    total: int,
    items: dict[str, tuple[int, int, int]],
    days: Sequence[dt.date],
    now: dt.datetime,
    rng: random.Random,
) -> None:
    """``total`` ledger lines, station by station: two deliveries, daily counts, a few
    losses and transfers, and handouts for the rest, then written in time order per
    station and item as the ledger writer would (running stock, discrepancies, counts)."""
    stretches = _open_moments(days, now)
    span = sum(seconds for _start, seconds in stretches)
    # The first delivery the afternoon before opening, then one every four days at dawn.
    planned = [
        _local(days[0] - dt.timedelta(days=1), 16),
        *(_local(day, 5, 30) for day in days[4::4]),
    ]
    ends = [*planned[1:], _local(days[-1], 24)]
    deliveries = [moment for moment in planned if moment <= now]
    elapsed = [
        max(0.05, _open_seconds(days, start, min(end, now)) / _open_seconds(days, start, end))
        for start, end in zip(deliveries, ends, strict=False)
    ]
    per_station = apportion(total, len(plan.stations))
    lines_of: list[list[_Line]] = [[] for _ in plan.stations]
    for index, station in enumerate(plan.stations):
        codes = [code for code in HANDOUTS if code != "fuel" or station.fuel]
        lines = lines_of[index]
        budget = per_station[index]
        # A transfer of water to the next station, from every tenth one.
        if index % 10 == 0 and index + 1 < len(plan.stations) and budget >= 40:
            group = uuid.UUID(int=rng.getrandbits(128))
            moment = _moment(stretches, span, rng)
            quantity = rng.choice((48, 96, 120))
            other = plan.stations[index + 1]
            lines.append(
                _Line(
                    station,
                    "water",
                    MovementKind.TRANSFER_OUT,
                    quantity,
                    moment,
                    Source.WEB,
                    None,
                    counterpart=other.id,
                    group=group,
                )
            )
            lines_of[index + 1].append(
                _Line(
                    other,
                    "water",
                    MovementKind.TRANSFER_IN,
                    quantity,
                    moment,
                    Source.WEB,
                    None,
                    counterpart=station.id,
                    group=group,
                )
            )
        fixed = [
            *(
                _Line(
                    station,
                    code,
                    MovementKind.RECEIPT,
                    0,
                    moment,
                    Source.WEB,
                    None,
                    note=f"Nhận hàng đợt {n}",
                )
                for n, moment in enumerate(deliveries, start=1)
                for code in codes
            ),
            *(
                _Line(
                    station,
                    code,
                    MovementKind.COUNT_ADJUSTMENT,
                    0,
                    _local(day, 21, 45),
                    Source.BOT,
                    rng.choice(station.volunteers),
                )
                for day in days
                if _local(day, 21, 45) <= now
                for code in ("water", "towel")
            ),
            _Line(
                station,
                "water",
                MovementKind.LOSS,
                rng.randint(1, 12),
                _moment(stretches, span, rng),
                Source.WEB,
                None,
                note="Vỡ thùng",
            ),
        ]
        lines.extend(fixed[: max(0, budget - len(lines))])
        weights = [HANDOUTS[code][0] for code in codes]
        for _handout in range(max(0, budget - len(lines))):
            code = rng.choices(codes, weights)[0]
            _share, low, high = HANDOUTS[code]
            bot = rng.random() < 0.75
            lines.append(
                _Line(station, code, MovementKind.HANDOUT, rng.randint(low, high),
                      _moment(stretches, span, rng), Source.BOT if bot else Source.WEB,
                      rng.choice(station.volunteers) if bot else None)
            )  # fmt: skip
    rows = []
    for lines in lines_of:
        rows.extend(
            _ledger_rows(lines, items, deliveries, elapsed, now, rng, first_id=len(rows) + 1)
        )
    plan.rows["stock_movement"] = rows


def _ledger_rows(
    lines: list[_Line],
    items: dict[str, tuple[int, int, int]],
    deliveries: list[dt.datetime],
    elapsed: list[float],
    now: dt.datetime,
    rng: random.Random,
    *,
    first_id: int,
) -> list[tuple[Any, ...]]:
    """One station's lines as rows, each item's in time order with its running stock."""
    rows = []
    by_item: dict[str, list[_Line]] = {}
    for line in lines:
        by_item.setdefault(line.item, []).append(line)
    for code, item_lines in by_item.items():
        item_id, cost, pack = items[code]
        item_lines.sort(key=lambda line: (line.occurred_at, line.kind is not MovementKind.RECEIPT))
        # What each delivery must cover: the handouts until the next, with a margin that
        # leaves a few stations short (low stock, and now and then a discrepancy).
        # The block under way has only part of its handouts yet: the delivery covered all.
        needs = [0.0] * len(deliveries)
        for line in item_lines:
            if line.kind is MovementKind.HANDOUT:
                block = sum(1 for moment in deliveries if moment <= line.occurred_at) - 1
                needs[max(0, block)] += line.quantity / elapsed[max(0, block)]
        margin = rng.uniform(0.75, 1.3)
        stock = 0
        for line in item_lines:
            counted = None
            if line.kind is MovementKind.RECEIPT:
                block = deliveries.index(line.occurred_at)
                delta = max(pack, math.ceil(needs[block] * margin / pack) * pack)
            elif line.kind is MovementKind.COUNT_ADJUSTMENT:
                counted = max(0, stock - rng.choice((0, 0, 0, 1, 2, 5)))
                delta = counted - stock
            elif line.kind in (MovementKind.TRANSFER_IN,):
                delta = line.quantity
            else:
                delta = -line.quantity
            discrepancy = (
                line.kind
                in (
                    MovementKind.HANDOUT,
                    MovementKind.LOSS,
                    MovementKind.TRANSFER_OUT,
                )
                and abs(delta) > stock
            )
            stock += delta
            delay = rng.randint(0, 3) if line.source is Source.BOT else rng.randint(10, 90)
            rows.append(
                (
                    first_id + len(rows),
                    line.station.id,
                    item_id,
                    line.kind.value,
                    abs(delta),
                    delta,
                    cost if line.kind is MovementKind.RECEIPT else None,
                    line.counterpart,
                    line.group,
                    counted,
                    discrepancy,
                    line.volunteer,
                    line.source.value,
                    line.note,
                    line.occurred_at,
                    min(now, line.occurred_at + dt.timedelta(minutes=delay)),
                )
            )
    return rows


def _plan_services(
    plan: _Plan, total: int, days: Sequence[dt.date], now: dt.datetime, rng: random.Random
) -> None:
    stretches = _open_moments(days, now)
    span = sum(seconds for _start, seconds in stretches)
    rows = []
    for station, how_many in zip(plan.stations, apportion(total, len(plan.stations)), strict=True):
        kinds = [ServiceKind.LOUDSPEAKER, ServiceKind.DIRECTIONS, ServiceKind.FIRST_AID]
        if station.key:
            kinds.append(ServiceKind.MOTORBIKE_CHECK)
        for _record in range(how_many):
            kind = rng.choice(kinds)
            quantity = {
                ServiceKind.LOUDSPEAKER: rng.randint(15, 120),
                ServiceKind.DIRECTIONS: rng.randint(1, 12),
                ServiceKind.FIRST_AID: rng.randint(1, 2),
                ServiceKind.MOTORBIKE_CHECK: rng.randint(1, 8),
            }[kind]
            occurred_at = _moment(stretches, span, rng)
            rows.append(
                (
                    len(rows) + 1,
                    station.id,
                    kind.value,
                    quantity,
                    station.garage_id if kind is ServiceKind.MOTORBIKE_CHECK else None,
                    rng.choice(station.volunteers),
                    Source.BOT.value,
                    "",
                    occurred_at,
                    min(now, occurred_at + dt.timedelta(minutes=rng.randint(1, 30))),
                )
            )
    plan.rows["service_record"] = rows


# --- writing -----------------------------------------------------------------------------

COLUMNS: Final = {
    "unit": ("id", "code", "name", "kind", "parent_id", "province_code", "ward_code", "created_at"),
    "campaign": (
        "id", "name", "kind", "year", "starts_on", "ends_on", "budget_vnd", "status", "unit_id",
        "created_at", "updated_at",
    ),
    "supply_item": (
        "id", "code", "name_vi", "name_en", "unit_vi", "unit_en", "category", "aliases",
        "unit_cost_vnd", "default_low_stock", "is_active",
    ),
    "volunteer": (
        "id", "full_name", "search_name", "phone", "unit_id", "organisation", "force", "skills",
        "telegram_user_id", "telegram_chat_id", "language", "reachable", "notes", "calendar_key",
        "created_at", "updated_at",
    ),
    "station": (
        "id", "campaign_id", "unit_id", "code", "name", "address", "latitude", "longitude",
        "checkin_radius_m", "opens_at", "closes_at", "lead_id", "province_code", "ward_code",
        "is_active", "offers", "created_at", "updated_at",
    ),
    "shift": (
        "id", "station_id", "starts_at", "ends_at", "needs", "status", "note", "created_at",
        "updated_at",
    ),
    "assignment": (
        "id", "shift_id", "volunteer_id", "role", "status", "checked_in_at", "checkin_latitude",
        "checkin_longitude", "checkin_distance_m", "checkin_verified", "checked_out_at",
        "auto_checked_out", "worked_minutes", "created_at", "updated_at",
    ),
    "stock_movement": (
        "id", "station_id", "item_id", "kind", "quantity", "delta", "unit_cost_vnd",
        "counterpart_id", "transfer_group", "counted_quantity", "discrepancy", "by_volunteer_id",
        "source", "note", "occurred_at", "recorded_at",
    ),
    "service_record": (
        "id", "station_id", "kind", "quantity", "partner_id", "by_volunteer_id", "source", "note",
        "occurred_at", "recorded_at",
    ),
    "app_user": (
        "id", "email", "full_name", "password_hash", "role", "unit_id", "language", "is_active",
        "created_at",
    ),
    "api_token": ("id", "name", "token_hash", "role", "unit_id", "created_at"),
}  # fmt: skip

#: Written in this order (each row's references already there).
TABLES: Final = (
    "unit", "campaign", "supply_item", "volunteer", "station", "shift", "assignment",
    "stock_movement", "service_record", "app_user", "api_token",
)  # fmt: skip


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def _derive_stock(connection: asyncpg.Connection, now: dt.datetime) -> None:
    """Balances and daily tallies from the ledger: the sums ``rebuild_balances`` makes."""
    await connection.execute(
        'INSERT INTO "stock_balance" (station_id, item_id, quantity, updated_at)'
        ' SELECT station_id, item_id, SUM(delta), $1 FROM "stock_movement"'
        " GROUP BY station_id, item_id ORDER BY station_id, item_id",
        now,
    )
    await connection.execute(
        'INSERT INTO "daily_stock_tally" (station_id, item_id, kind, day, quantity, delta, lines)'
        f" SELECT station_id, item_id, kind, {local_day_sql('occurred_at', 'postgres')},"
        ' SUM(quantity), SUM(delta), COUNT(*) FROM "stock_movement" GROUP BY 1, 2, 3, 4'
        " ORDER BY 1, 2, 3, 4"
    )


async def build_nation(
    database_url: str,
    *,
    stations: int = 1000,
    volunteers: int = 100_000,
    shifts: int = 36_000,
    assignments: int = 160_000,
    ledger_lines: int = 500_000,
    service_records: int = 20_000,
    wards_per_province: int = 10,
    wave_per_station: int = 20,
    seed: int = DEFAULT_SEED,
    now: dt.datetime = DEFAULT_NOW,
    migrate: bool = True,
) -> NationInfo:
    """Fill the empty PostgreSQL database at ``database_url`` (see the module docstring).

    ``migrate=False`` when the caller has migrated it already (a test whose ORM holds it
    open: migrating closes tortoise's connections)."""
    started = time.perf_counter()
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if migrate:
        await db.migrate(database_url)
    now = now.astimezone(dt.UTC)
    window = holiday_window(HolidayKind.TET, now.astimezone(VN_TZ).year)
    days = [day for day in window.days()]
    if not window.start <= now.astimezone(VN_TZ).date() <= window.end:
        raise ValueError(f"now must fall in the Tết window {window.start}–{window.end}")
    rng = random.Random(f"waystation-nation:{seed}")
    plan = _Plan()
    per_province = _plan_units(plan, wards_per_province)
    _plan_stations(plan, stations, per_province, rng)
    _plan_volunteers(plan, volunteers, now, rng)
    slots = _plan_shifts(plan, shifts, assignments, wave_per_station, days, now, rng)
    wave = _plan_assignments(plan, slots, assignments, now, rng)
    campaign_id = 1
    _station_rows(plan, campaign_id, now, rng)
    items = {
        standard.code: (n, standard.unit_cost_vnd, demo_data.PACK_SIZES.get(standard.code, 1))
        for n, standard in enumerate(STANDARD_ITEMS, start=1)
    }
    _plan_ledger(plan, ledger_lines, items, days, now, rng)
    _plan_services(plan, service_records, days, now, rng)
    plan.rows["unit"] = [
        (u.id, u.code, u.name, u.kind.value, u.parent_id, u.province_code, u.ward_code, now)
        for u in plan.units
    ]
    plan.rows["campaign"] = [
        (
            campaign_id,
            default_campaign_name(CampaignKind.TET, window.year),
            CampaignKind.TET.value,
            window.year,
            window.start,
            window.end,
            40_000_000_000,
            CampaignStatus.OPEN.value,
            plan.units[0].id,
            now,
            now,
        )
    ]
    plan.rows["supply_item"] = [
        (
            n,
            s.code,
            s.name_vi,
            s.name_en,
            s.unit_vi,
            s.unit_en,
            s.category.value,
            json.dumps(list(s.aliases)),
            s.unit_cost_vnd,
            s.default_low_stock,
            True,
        )
        for n, s in enumerate(STANDARD_ITEMS, start=1)
    ]
    ward_station = plan.stations[0]
    province_unit = next(u for u in plan.units if u.id == ward_station.unit.parent_id)
    logins = {
        "admin": (ADMIN_EMAIL, UserRole.ADMIN, None),
        "province": (PROVINCE_EMAIL, UserRole.COORDINATOR, province_unit.id),
        "ward": (WARD_EMAIL, UserRole.COORDINATOR, ward_station.unit.id),
    }
    password_hash = PasswordHasher().hash(PASSWORD)
    tokens = {name: API_TOKEN_PREFIX + secrets.token_urlsafe(32) for name in logins}
    plan.rows["app_user"] = [
        (n, email, f"Bench {name}", password_hash, role.value, unit_id, "vi", True, now)
        for n, (name, (email, role, unit_id)) in enumerate(logins.items(), start=1)
    ]
    plan.rows["api_token"] = [
        (n, f"bench-{name}", hashlib.sha256(tokens[name].encode()).hexdigest(), role.value,
         unit_id, now)
        for n, (name, (_email, role, unit_id)) in enumerate(logins.items(), start=1)
    ]  # fmt: skip

    connection = await asyncpg.connect(_asyncpg_url(database_url))
    try:
        async with connection.transaction():
            if await connection.fetchval('SELECT EXISTS (SELECT 1 FROM "campaign")'):
                raise ValueError("build_nation fills an empty database: it holds a campaign")
            for table in TABLES:
                await connection.copy_records_to_table(
                    table, records=plan.rows[table], columns=list(COLUMNS[table])
                )
                # Ids were given: the sequences go on after them.
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                    f' (SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
                )
            await _derive_stock(connection, now)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    counts = {table: len(plan.rows[table]) for table in TABLES}
    return NationInfo(
        campaign_id=campaign_id,
        now=now,
        root_unit_id=plan.units[0].id,
        province_unit_id=province_unit.id,
        ward_unit_id=ward_station.unit.id,
        station_code=ward_station.code,
        outside_station_code=next(
            s.code for s in plan.stations if s.unit.parent_id != province_unit.id
        ),
        admin=Login(ADMIN_EMAIL, PASSWORD, tokens["admin"]),
        province_coordinator=Login(PROVINCE_EMAIL, PASSWORD, tokens["province"]),
        ward_coordinator=Login(WARD_EMAIL, PASSWORD, tokens["ward"]),
        wave_starts_at=_local(now.astimezone(VN_TZ).date(), WAVE_SLOT[0]),
        wave_assignments=wave,
        counts=counts,
        seconds=time.perf_counter() - started,
    )
