"""The nationwide dataset's people: volunteers, shifts and who is on which, at ``now``.

Plain rows planned in memory (see ``bench/nation_data.py``); nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from bench.nation_places import Plan, PlannedStation, apportion, local
from stations.clock import VN_TZ
from stations.enums import AssignmentStatus, Force, Language, ShiftStatus
from stations.models import Shift
from stations.services import demo_data
from stations.services.assignments import worked_minutes
from stations.services.geo import distance_m
from stations.text import fold

#: (start hour, end hour), Vietnam wall clock, of the shifts a station can have each day.
SLOTS: Final = ((6, 10), (10, 14), (14, 18), (18, 22))
#: The slot of ``now``'s day every station staffs heavily: the wave whose reminders fall due
#: together.
WAVE_SLOT: Final = (14, 18)
#: Share of volunteers whose Telegram account is linked (the others get no reminders).
LINKED_SHARE: Final = 0.8
TELEGRAM_ID_BASE: Final = 7_000_000_000


def plan_volunteers(plan: Plan, count: int, stamp: dt.datetime, rng: random.Random) -> None:
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
                    stamp,
                    stamp,
                )
            )
            station.volunteers.append(next_id)
            next_id += 1
    plan.rows["volunteer"] = rows


@dataclass
class PlannedShift:
    id: int
    station: PlannedStation
    starts_at: dt.datetime
    ends_at: dt.datetime
    needs: dict[str, int]
    wave: bool


def plan_shifts(
    plan: Plan,
    count: int,
    assignments: int,
    wave_per_station: int,
    days: Sequence[dt.date],
    now: dt.datetime,
    rng: random.Random,
) -> list[PlannedShift]:
    today = now.astimezone(VN_TZ).date()
    candidates = [(day, start, end) for day in days for start, end in SLOTS]
    pinned = [c for c in candidates if c[0] == today]
    if count > len(candidates) * len(plan.stations):
        raise ValueError(f"at most {len(candidates)} shifts per station fit the campaign")
    shifts: list[PlannedShift] = []
    for station, how_many in zip(plan.stations, apportion(count, len(plan.stations)), strict=True):
        if how_many < len(pinned):
            raise ValueError(f"each station needs at least {len(pinned)} shifts (today's)")
        others = [c for c in candidates if c not in pinned]
        chosen = sorted(pinned + rng.sample(others, how_many - len(pinned)))
        for day, start, end in chosen:
            wave = day == today and (start, end) == WAVE_SLOT
            size = min(wave_per_station, len(station.volunteers))
            shifts.append(
                PlannedShift(
                    id=len(shifts) + 1,
                    station=station,
                    starts_at=local(day, start),
                    ends_at=local(day, end),
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
    shift: PlannedShift, model: Shift, now: dt.datetime, rng: random.Random
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


def plan_assignments(
    plan: Plan,
    shifts: list[PlannedShift],
    total: int,
    now: dt.datetime,
    stamp: dt.datetime,
    rng: random.Random,
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
                stamp,
                stamp,
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
            stamp,
            stamp,
        )
        for s in shifts
    ]
    return len(wave_places)
