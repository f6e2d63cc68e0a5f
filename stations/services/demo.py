"""The demo province: Đồng Tháp's rest stations at the scale of a real Tết, deterministically.

``load_demo`` writes two campaigns: the **upcoming Tết** (the first whose window has not
ended yet) and **last year's Tết**, closed. Both have the same stations, shifts and rosters
at the real scale. Only what has happened by ``clock.now()`` is recorded as having
happened: past shifts are checked out, shifts under way are checked in, later ones are
assigned or confirmed, and no ledger line, service record or check-in is dated after now
(the inventory services refuse such lines, so the demo does not write them either). Before
the upcoming window opens its roster is all plans; last year's campaign is what carries the
provincial report's figures — 600.000 bottles of water, 500.000 cold towels and the rest.

Units, the catalog, the campaigns and the stations go through their services; the bulk
rows (shifts, volunteers, assignments, ledger lines, service records) are planned in
memory from ``random.Random`` seeded by ``seed`` and the campaign year, and written with
``bulk_create``, then ``rebuild_balances`` derives the stock on hand from the ledger. One
transaction: nothing is left half-loaded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from stations import clock
from stations.calendar import HolidayKind, holiday_window, tet
from stations.clock import VN_TZ
from stations.enums import (
    AssignmentStatus,
    CampaignKind,
    Language,
    MovementKind,
    ServiceKind,
    ShiftRole,
    Source,
)
from stations.i18n import _
from stations.iterables import batched
from stations.models import (
    Assignment,
    Campaign,
    ServiceRecord,
    Shift,
    Station,
    StockMovement,
    SupplyItem,
    Unit,
    User,
    Volunteer,
)
from stations.services import demo_data as data
from stations.services.actor import Actor
from stations.services.assignments import worked_minutes
from stations.services.audit import record_event
from stations.services.campaigns import close_campaign, create_campaign, default_campaign_name
from stations.services.catalog import install_standard_items
from stations.services.demo_funds import add_demo_funds
from stations.services.demo_readiness import prepare_demo_places_and_readiness
from stations.services.demo_travellers import add_traveller_demo
from stations.services.errors import Conflict, InvalidInput
from stations.services.geo import distance_m
from stations.services.inventory import rebuild_balances
from stations.services.stations import create_station, update_station
from stations.services.units import create_unit
from stations.services.users import create_user
from stations.text import fold

DEFAULT_SEED: Final = 2027
BATCH_SIZE: Final = 1_000
#: Phones per ``phone__in`` read.
PHONES_PER_QUERY: Final = 500

#: Progress stages, English message ids a caller translates for its reader.
STAGE_SETUP: Final = _("Units, campaigns and stations")
STAGE_SHIFTS: Final = _("Shifts")
STAGE_VOLUNTEERS: Final = _("Volunteers")
STAGE_ASSIGNMENTS: Final = _("Assignments")
STAGE_LEDGER: Final = _("Stock ledger")
STAGE_SERVICES: Final = _("Services")
STAGE_BALANCES: Final = _("Stock balances")

#: ``progress(stage, rows_done, rows_total)``, called as the load goes.
ProgressCallback = Callable[[str, int, int], None]

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class DemoResult:
    campaign: Campaign
    previous_campaign: Campaign
    #: rows written: units (created, not reused), stations, shifts, volunteers,
    #: assignments, movements, services
    counts: dict[str, int]


# --- the plan: plain data, no database ---------------------------------------------------


@dataclass
class _ShiftPlan:
    station: data.DemoStation
    day: dt.date
    start_hour: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    needs: dict[str, int]
    weight: float
    #: indexes of the volunteers who served (checked in), lead first
    served: list[int] = field(default_factory=list)

    @property
    def is_night(self) -> bool:
        return self.start_hour == data.NIGHT_SLOT[0]


@dataclass
class _VolunteerPlan:
    full_name: str
    phone: str
    unit: str | None
    organisation: str
    skills: list[str]
    home: str  # station code
    language: Language


@dataclass
class _AssignmentPlan:
    shift: _ShiftPlan
    volunteer: int
    role: ShiftRole
    status: AssignmentStatus
    checked_in_at: dt.datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    distance: int | None = None
    verified: bool | None = None
    checked_out_at: dt.datetime | None = None
    auto_checked_out: bool = False
    worked_minutes: int | None = None


@dataclass
class _LinePlan:
    station: str
    item: str
    kind: MovementKind
    quantity: int
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    volunteer: int | None
    source: Source
    note: str = ""


@dataclass
class _ServicePlan:
    station: str
    kind: ServiceKind
    quantity: int
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    volunteer: int | None
    source: Source
    partner: str | None = None


@dataclass
class _CampaignPlan:
    year: int
    stations: list[data.DemoStation]
    shifts: list[_ShiftPlan]
    assignments: list[_AssignmentPlan]
    lines: list[_LinePlan]
    services: list[_ServicePlan]
    #: what the campaign will have received when its window is over, at catalog cost
    planned_cost_vnd: int


def upcoming_tet_year(today: dt.date) -> int:
    """The year of the first Tết whose campaign window has not ended by ``today``."""
    window = holiday_window(HolidayKind.TET, today.year)
    return today.year if today <= window.end else today.year + 1


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in whole numbers in proportion to ``weights`` (largest remainder)."""
    if not weights or total <= 0:
        return [0] * len(weights)
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    shares = [math.floor(x) for x in exact]
    left = total - sum(shares)
    by_remainder = sorted(range(len(exact)), key=lambda i: (shares[i] - exact[i], i))
    for index in by_remainder[:left]:
        shares[index] += 1
    return shares


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` as ``parts`` positive numbers (fewer when ``total`` is small)."""
    parts = max(1, min(parts, total))
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(0, 0), tzinfo=VN_TZ)
    return (moment + dt.timedelta(hours=hour, minutes=minute)).astimezone(dt.UTC)


def _locality(station: data.DemoStation) -> str:
    # "Quốc lộ 1, xã An Hữu, Đồng Tháp" → "xã An Hữu"
    parts = station.address.split(", ")
    return parts[-2] if len(parts) >= 2 else station.name


def _plan_volunteers(
    stations: Sequence[data.DemoStation], count: int, rng: random.Random
) -> list[_VolunteerPlan]:
    unit_names = {u.code: u.name for u in data.UNITS}
    family_names = [name for name, _w in data.FAMILY_NAMES]
    family_weights = [w for _name, w in data.FAMILY_NAMES]
    per_station = apportion(count, [data.KEY_STATION_WEIGHT if s.key else 1.0 for s in stations])
    phones: set[str] = set()
    people: list[_VolunteerPlan] = []
    for station, how_many in zip(stations, per_station, strict=True):
        locality = _locality(station)
        for _person in range(how_many):
            roll = rng.random()
            if roll < 0.5:
                unit, organisation = station.unit, unit_names[station.unit]
            elif roll < 0.75:
                unit, organisation = data.YOUTH_UNION, f"Đoàn Thanh niên {locality}"
            elif roll < 0.87:
                unit, organisation = data.WOMENS_UNION, f"Hội Phụ nữ {locality}"
            else:
                unit, organisation = None, f"Người dân {locality}"
            female = unit == data.WOMENS_UNION or rng.random() < 0.45
            middle = rng.choice(data.FEMALE_MIDDLE_NAMES if female else data.MALE_MIDDLE_NAMES)
            given = rng.choice(data.FEMALE_GIVEN_NAMES if female else data.MALE_GIVEN_NAMES)
            family = rng.choices(family_names, family_weights)[0]
            while True:
                phone = f"+84{rng.choice(data.MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
                if phone not in phones:
                    phones.add(phone)
                    break
            people.append(
                _VolunteerPlan(
                    full_name=f"{family} {middle} {given}",
                    phone=phone,
                    unit=unit,
                    organisation=organisation,
                    skills=rng.sample(data.SKILLS, rng.choice((0, 0, 1, 1, 2))),
                    home=station.code,
                    language=Language.EN if rng.random() < 0.01 else Language.VI,
                )
            )
    return people


def _plan_shifts(
    stations: Sequence[data.DemoStation], year: int, rng: random.Random
) -> list[_ShiftPlan]:
    window = holiday_window(HolidayKind.TET, year)
    new_year = tet(year)
    shifts = []
    for station in stations:
        slots = [*data.DAY_SLOTS, data.NIGHT_SLOT] if station.key else list(data.DAY_SLOTS)
        for day in window.days():
            busy = data.day_weight((day - new_year).days)
            for start, end in slots:
                shifts.append(
                    _ShiftPlan(
                        station=station,
                        day=day,
                        start_hour=start,
                        starts_at=_local(day, start),
                        ends_at=_local(day, end),
                        needs=dict(data.KEY_NEEDS if station.key else data.NEEDS),
                        weight=busy
                        * data.SLOT_WEIGHTS[start]
                        * (data.KEY_STATION_WEIGHT if station.key else 1.0)
                        * rng.uniform(0.8, 1.2),
                    )
                )
    return shifts


def _check_in_details(plan: _AssignmentPlan, now: dt.datetime, rng: random.Random) -> None:
    shift, station = plan.shift, plan.shift.station
    plan.checked_in_at = min(now, shift.starts_at + dt.timedelta(minutes=rng.randint(-15, 20)))
    roll = rng.random()
    if roll < 0.04:  # no location shared: recorded, left for a coordinator to look at
        plan.verified = False
        return
    far = roll < 0.07
    metres = rng.uniform(400, 900) if far else rng.uniform(5, 250)
    bearing = rng.uniform(0, 2 * math.pi)
    plan.latitude = round(station.latitude + metres * math.cos(bearing) / 111_320, 6)
    plan.longitude = round(
        station.longitude
        + metres * math.sin(bearing) / (111_320 * math.cos(math.radians(station.latitude))),
        6,
    )
    plan.distance = round(
        distance_m(plan.latitude, plan.longitude, station.latitude, station.longitude)
    )
    plan.verified = plan.distance <= 300


def _settle(plan: _AssignmentPlan, now: dt.datetime, rng: random.Random) -> None:
    """The assignment's state at ``now``: what has happened to it so far."""
    shift = plan.shift
    roll = rng.random()
    if now < shift.starts_at:
        plan.status = (
            AssignmentStatus.CONFIRMED
            if roll < 0.55
            else AssignmentStatus.ASSIGNED
            if roll < 0.95
            else AssignmentStatus.DECLINED
        )
        return
    if roll >= 0.93:
        plan.status = (
            AssignmentStatus.NO_SHOW
            if roll < 0.97
            else AssignmentStatus.DECLINED
            if roll < 0.985
            else AssignmentStatus.CANCELLED
        )
        if now < shift.ends_at and plan.status is AssignmentStatus.NO_SHOW:
            plan.status = AssignmentStatus.CONFIRMED  # late, not yet a no-show
        return
    _check_in_details(plan, now, rng)
    plan.status = AssignmentStatus.CHECKED_IN
    if rng.random() < 0.06:
        checked_out_at, auto = shift.ends_at, True  # forgot; the scheduler closed it
    else:
        checked_out_at, auto = shift.ends_at + dt.timedelta(minutes=rng.randint(-20, 25)), False
    if checked_out_at <= now and plan.checked_in_at is not None:
        plan.status = AssignmentStatus.CHECKED_OUT
        plan.checked_out_at = checked_out_at
        plan.auto_checked_out = auto
        plan.worked_minutes = worked_minutes(
            Shift(starts_at=shift.starts_at, ends_at=shift.ends_at),
            plan.checked_in_at,
            checked_out_at,
        )


def _plan_assignments(
    shifts: Sequence[_ShiftPlan],
    people: Sequence[_VolunteerPlan],
    target: int,
    now: dt.datetime,
    rng: random.Random,
) -> list[_AssignmentPlan]:
    pools: dict[str, list[int]] = defaultdict(list)
    for index, candidate in enumerate(people):
        pools[candidate.home].append(index)
    capacity = sum(sum(s.needs.values()) for s in shifts)
    fill = min(1.0, target / capacity) if capacity else 0.0
    taken: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    per_day: Counter[tuple[int, dt.date]] = Counter()
    plans: list[_AssignmentPlan] = []
    for shift in sorted(shifts, key=lambda s: (s.starts_at, s.station.code)):
        on_shift: set[int] = set()
        for role_name, needed in shift.needs.items():
            for _slot in range(needed):
                if rng.random() >= fill:
                    continue
                free = [
                    i
                    for i in pools[shift.station.code]
                    if i not in on_shift
                    and per_day[(i, shift.day)] < data.MAX_SHIFTS_PER_DAY
                    and all(
                        end <= shift.starts_at or start >= shift.ends_at for start, end in taken[i]
                    )
                ]
                if not free:
                    continue
                person = rng.choice(free)
                on_shift.add(person)
                taken[person].append((shift.starts_at, shift.ends_at))
                per_day[(person, shift.day)] += 1
                plan = _AssignmentPlan(
                    shift=shift,
                    volunteer=person,
                    role=ShiftRole(role_name),
                    status=AssignmentStatus.ASSIGNED,
                )
                # Its own generator, so what has happened by ``now`` never changes who is
                # on which shift: a later load tells the same story, further along.
                _settle(plan, now, random.Random(rng.getrandbits(64)))
                if plan.status in (AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT):
                    shift.served.append(person)
                plans.append(plan)
    return plans


def _reporter(shift: _ShiftPlan, draw: float) -> tuple[int | None, Source]:
    """Who reported a line: a volunteer on the shift by the bot, else a coordinator on the web.

    ``draw`` (0 ≤ draw < 1) is taken whether or not anyone served, so the random stream
    does not depend on the clock.
    """
    if shift.served:
        return shift.served[int(draw * len(shift.served))], Source.BOT
    return None, Source.WEB


def _reports_in_a_shift(item: str, amount: int) -> int:
    """How many handout lines a shift's amount comes in: up to four running tallies for the
    bulk items, one per traveller's top-up of a litre or two for fuel."""
    if item == "fuel":
        return math.ceil(amount / 2)
    per_report = 150 if item in ("water", "towel") else 60
    return min(4, 1 + amount // per_report)


def _plan_handouts(
    shifts: Sequence[_ShiftPlan], scale: float, now: dt.datetime, rng: random.Random
) -> tuple[list[_LinePlan], dict[tuple[str, str, dt.date], int]]:
    """Handout lines up to ``now``, and every planned handout by station, item and day."""
    lines: list[_LinePlan] = []
    planned: dict[tuple[str, str, dt.date], int] = defaultdict(int)
    for item, full_total in data.HANDOUT_TARGETS.items():
        eligible = [
            s
            for s in shifts
            if (item != "fuel" or s.station.fuel) and (item != "leaflet" or not s.is_night)
        ]
        amounts = apportion(
            round(full_total * scale), [s.weight * rng.uniform(0.85, 1.15) for s in eligible]
        )
        for shift, amount in zip(eligible, amounts, strict=True):
            if amount <= 0:
                continue
            planned[(shift.station.code, item, shift.day)] += amount
            length = int((shift.ends_at - shift.starts_at).total_seconds() // 60)
            quantities = _split(amount, _reports_in_a_shift(item, amount), rng)
            moments = sorted(
                shift.starts_at + dt.timedelta(minutes=rng.randint(5, length - 5))
                for _line in quantities
            )
            for quantity, occurred_at in zip(quantities, moments, strict=True):
                pick, lag = rng.random(), rng.random()
                if occurred_at > now:
                    continue
                volunteer, source = _reporter(shift, pick)
                # The bot records at once; a coordinator types it in later on the web.
                delay = int(lag * 4) if source is Source.BOT else 10 + int(lag * 81)
                lines.append(
                    _LinePlan(
                        station=shift.station.code,
                        item=item,
                        kind=MovementKind.HANDOUT,
                        quantity=quantity,
                        occurred_at=occurred_at,
                        recorded_at=min(now, occurred_at + dt.timedelta(minutes=delay)),
                        volunteer=volunteer,
                        source=source,
                    )
                )
    return lines, planned


def _plan_receipts(
    planned: dict[tuple[str, str, dt.date], int],
    stations: Sequence[data.DemoStation],
    days: Sequence[dt.date],
    now: dt.datetime,
) -> tuple[list[_LinePlan], dict[str, int]]:
    """Deliveries ahead of each block of days, in whole cases: the lines up to ``now`` and
    the quantity every delivery of the campaign brings, by item."""
    lines: list[_LinePlan] = []
    delivered: dict[str, int] = defaultdict(int)
    blocks = list(batched(days, data.DELIVERY_EVERY_DAYS))
    for station in stations:
        for item, pack in data.PACK_SIZES.items():
            for number, block in enumerate(blocks, start=1):
                needed = sum(planned.get((station.code, item, day), 0) for day in block)
                if needed <= 0:
                    continue
                quantity = math.ceil(needed * data.RECEIPT_MARGIN / pack) * pack
                delivered[item] += quantity
                # The first delivery the afternoon before opening, the others before dawn.
                if number == 1:
                    occurred_at = _local(block[0] - dt.timedelta(days=1), 16)
                else:
                    occurred_at = _local(block[0], 5, 30)
                if occurred_at > now:
                    continue
                lines.append(
                    _LinePlan(
                        station=station.code,
                        item=item,
                        kind=MovementKind.RECEIPT,
                        quantity=quantity,
                        occurred_at=occurred_at,
                        recorded_at=min(now, occurred_at + dt.timedelta(minutes=20)),
                        volunteer=None,
                        source=Source.WEB,
                        note=f"Nhận hàng đợt {number}",
                    )
                )
    return lines, delivered


def _plan_services(
    shifts: Sequence[_ShiftPlan], scale: float, now: dt.datetime, rng: random.Random
) -> list[_ServicePlan]:
    services: list[_ServicePlan] = []
    daytime = [s for s in shifts if not s.is_night]
    for kind, full_total in data.SERVICE_TARGETS.items():
        eligible = [
            s
            for s in daytime
            if (kind is not ServiceKind.MOTORBIKE_CHECK or s.station.garage)
            and rng.random() < data.SERVICE_SHARE[kind]
        ]
        weights = [
            (1.3 if s.station.key else 1.0) * rng.uniform(0.7, 1.3)
            if kind is ServiceKind.LOUDSPEAKER
            else s.weight
            for s in eligible
        ]
        amounts = apportion(round(full_total * scale), weights)
        for shift, amount in zip(eligible, amounts, strict=True):
            if amount <= 0:
                continue
            occurred_at = shift.starts_at + dt.timedelta(minutes=rng.randint(20, 200))
            lag, pick = rng.randint(1, 30), rng.random()
            if occurred_at > now:
                continue
            volunteer, source = _reporter(shift, pick)
            services.append(
                _ServicePlan(
                    station=shift.station.code,
                    kind=kind,
                    quantity=amount,
                    occurred_at=occurred_at,
                    recorded_at=min(now, occurred_at + dt.timedelta(minutes=lag)),
                    volunteer=volunteer,
                    source=source,
                    partner=data.GARAGE if kind is ServiceKind.MOTORBIKE_CHECK else None,
                )
            )
    return services


def _plan_campaign(
    year: int,
    stations: Sequence[data.DemoStation],
    people: Sequence[_VolunteerPlan],
    *,
    seed: int,
    scale: float,
    now: dt.datetime,
    unit_costs: dict[str, int],
) -> _CampaignPlan:
    rng = random.Random(f"waystation-demo:{seed}:{year}")
    shifts = _plan_shifts(stations, year, rng)
    assignments = _plan_assignments(
        shifts, people, round(data.ASSIGNMENTS_PER_CAMPAIGN * scale), now, rng
    )
    handouts, planned = _plan_handouts(shifts, scale, now, rng)
    days = holiday_window(HolidayKind.TET, year).days()
    receipts, delivered = _plan_receipts(planned, stations, days, now)
    services = _plan_services(shifts, scale, now, rng)
    return _CampaignPlan(
        year=year,
        stations=list(stations),
        shifts=shifts,
        assignments=assignments,
        lines=sorted([*receipts, *handouts], key=lambda line: (line.occurred_at, line.station)),
        services=sorted(services, key=lambda s: (s.occurred_at, s.station)),
        planned_cost_vnd=sum(unit_costs.get(item, 0) * q for item, q in delivered.items()),
    )


def _budget(planned_cost_vnd: int) -> int:
    """The campaign's budget: its supplies' cost and a tenth more, in hundreds of millions."""
    step = 100_000_000
    return max(step, math.ceil(planned_cost_vnd * 1.1 / step) * step)


# --- writing ----------------------------------------------------------------------------


class _Progress:
    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback, self.total, self.done = callback, total, 0

    def advance(self, stage: str, rows: int) -> None:
        self.done += rows
        if self.callback is not None:
            self.callback(stage, self.done, self.total)


async def _bulk_create(model: type[_M], rows: Iterable[_M], progress: _Progress, stage: str) -> int:
    count = 0
    for batch in batched(rows, BATCH_SIZE):
        await model.bulk_create(batch)
        count += len(batch)
        progress.advance(stage, len(batch))
    return count


async def has_campaigns() -> bool:
    """Whether the database holds any campaign (``serve --demo`` loads into an empty one)."""
    return await Campaign.exists()


async def _ensure_units(by: Actor) -> tuple[dict[str, Unit], int]:
    """The demo's units: existing ones with the same code are reused."""
    units: dict[str, Unit] = {}
    created = 0
    for spec in data.UNITS:
        existing = await Unit.get_or_none(code=spec.code)
        if existing is None:
            existing = await create_unit(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                parent=units[spec.parent] if spec.parent else None,
                by=by,
            )
            created += 1
        units[spec.code] = existing
    return units, created


async def _refuse_existing(names: Sequence[str], phones: Sequence[str]) -> None:
    for name in names:
        if await Campaign.exists(name=name):
            raise Conflict(
                _("A campaign named “{name}” already exists: the demo is not loaded over it."),
                field="campaign",
                name=name,
            )
    for chunk in batched(phones, PHONES_PER_QUERY):
        if await Volunteer.exists(phone__in=chunk):
            raise Conflict(
                _("The demo's volunteers are already in this database: it was loaded before."),
                field="volunteers",
            )


def _check_scale(scale: object) -> float:
    if (
        isinstance(scale, bool)
        or not isinstance(scale, int | float)
        or not 0 < scale <= 1
        or not math.isfinite(scale)
    ):
        raise InvalidInput(_("The scale must be a number above 0 and at most 1."), field="scale")
    return float(scale)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidInput(_("The seed must be a whole number."), field="seed")
    return seed


async def load_demo(
    *,
    by: Actor,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    progress: ProgressCallback | None = None,
) -> DemoResult:
    """Load the demo province (see the module's docstring); ``scale`` 1.0 is full size.

    Refuses (``Conflict``) when either demo campaign's name, or its volunteers, are
    already in the database. Side effects: units (reused when their code exists), the
    standard supply items, two campaigns with stations, shifts, volunteers, assignments,
    ledger lines, service records, stock balances, and their audit events.
    """
    seed = _check_seed(seed)
    scale = _check_scale(scale)
    now = clock.now()
    year = upcoming_tet_year(clock.today_local())
    station_count = max(1, round(len(data.STATIONS) * scale))
    stations = list(data.STATIONS[:station_count])
    previous_stations = stations[: max(1, round(station_count * data.PREVIOUS_STATION_SHARE))]
    people = _plan_volunteers(
        stations, max(8, round(data.VOLUNTEERS * scale)), random.Random(f"waystation-demo:{seed}")
    )
    names = [default_campaign_name(CampaignKind.TET, y) for y in (year - 1, year)]
    await _refuse_existing(names, [p.phone for p in people])

    async with in_transaction():
        items = {item.code: item for item in await install_standard_items(by=by)}
        unit_costs = {code: item.unit_cost_vnd for code, item in items.items()}
        plans = [
            _plan_campaign(y, s, people, seed=seed, scale=scale, now=now, unit_costs=unit_costs)
            for y, s in ((year - 1, previous_stations), (year, stations))
        ]
        tracker = _Progress(
            progress,
            total=len(data.UNITS)
            + len(people)
            + sum(
                len(p.stations)
                + len(p.shifts)
                + len(p.assignments)
                + len(p.lines)
                + len(p.services)
                for p in plans
            ),
        )
        units, units_created = await _ensure_units(by)
        tracker.advance(STAGE_SETUP, len(data.UNITS))
        volunteer_ids = await _write_volunteers(people, units, tracker)
        counts: Counter[str] = Counter(units=units_created, volunteers=len(people))
        campaigns = []
        for plan in plans:
            campaign, written = await _write_campaign(
                plan, units=units, items=items, volunteer_ids=volunteer_ids, by=by, progress=tracker
            )
            counts.update(written)
            campaigns.append(campaign)
        previous, upcoming = campaigns
        await prepare_demo_places_and_readiness(previous, upcoming)
        counts.update(await add_demo_funds(previous, units, volunteer_ids, by=by))
        await close_campaign(previous, by=by)
        await add_traveller_demo(previous, upcoming, seed=seed)
        if progress is not None:
            progress(STAGE_BALANCES, tracker.done, tracker.total)
        station_ids: list[int] = await Station.filter(
            campaign_id__in=[c.id for c in campaigns]
        ).values_list("id", flat=True)  # type: ignore[assignment]
        await rebuild_balances(station_ids=station_ids)
        await record_event(
            by,
            "demo.loaded",
            object_type="campaign",
            object_id=upcoming.id,
            data={"seed": seed, "scale": scale, "previous_campaign_id": previous.id, **counts},
        )
    return DemoResult(campaign=upcoming, previous_campaign=previous, counts=dict(counts))


async def _write_volunteers(
    people: Sequence[_VolunteerPlan], units: dict[str, Unit], progress: _Progress
) -> list[int]:
    now = clock.now()
    await _bulk_create(
        Volunteer,
        (
            Volunteer(
                full_name=person.full_name,
                search_name=fold(person.full_name),
                phone=person.phone,
                unit_id=units[person.unit].id if person.unit else None,
                organisation=person.organisation,
                skills=person.skills,
                language=person.language,
                created_at=now,
                updated_at=now,
            )
            for person in people
        ),
        progress,
        STAGE_VOLUNTEERS,
    )
    ids: dict[str, int] = {}
    phones = [p.phone for p in people]
    for chunk in batched(phones, PHONES_PER_QUERY):
        ids.update(await Volunteer.filter(phone__in=chunk).values_list("phone", "id"))
    return [ids[phone] for phone in phones]


async def _write_campaign(
    plan: _CampaignPlan,
    *,
    units: dict[str, Unit],
    items: dict[str, SupplyItem],
    volunteer_ids: Sequence[int],
    by: Actor,
    progress: _Progress,
) -> tuple[Campaign, Counter[str]]:
    campaign = await create_campaign(
        kind=CampaignKind.TET,
        year=plan.year,
        budget_vnd=_budget(plan.planned_cost_vnd),
        unit=units[data.PROVINCE_POLICE],
        by=by,
    )
    stations: dict[str, Station] = {}
    for spec in plan.stations:
        stations[spec.code] = await create_station(
            campaign,
            unit=units[spec.unit],
            code=spec.code,
            name=spec.name,
            address=spec.address,
            latitude=spec.latitude,
            longitude=spec.longitude,
            opens_at=data.STATION_OPENS,
            closes_at=dt.time(1, 0) if spec.key else data.STATION_CLOSES,
            by=by,
        )
    progress.advance(STAGE_SETUP, len(stations))
    written: Counter[str] = Counter(stations=len(stations))
    now = clock.now()

    written["shifts"] = await _bulk_create(
        Shift,
        (
            Shift(
                station_id=stations[s.station.code].id,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                needs=s.needs,
                created_at=now,
                updated_at=now,
            )
            for s in plan.shifts
        ),
        progress,
        STAGE_SHIFTS,
    )
    shift_ids = {
        (station_id, starts_at.astimezone(dt.UTC)): shift_id
        for shift_id, station_id, starts_at in await Shift.filter(
            station_id__in=[s.id for s in stations.values()]
        ).values_list("id", "station_id", "starts_at")
    }

    def shift_id(shift: _ShiftPlan) -> int:
        return shift_ids[(stations[shift.station.code].id, shift.starts_at)]

    written["assignments"] = await _bulk_create(
        Assignment,
        (
            Assignment(
                shift_id=shift_id(a.shift),
                volunteer_id=volunteer_ids[a.volunteer],
                role=a.role,
                status=a.status,
                checked_in_at=a.checked_in_at,
                checkin_latitude=a.latitude,
                checkin_longitude=a.longitude,
                checkin_distance_m=a.distance,
                checkin_verified=a.verified,
                checked_out_at=a.checked_out_at,
                auto_checked_out=a.auto_checked_out,
                worked_minutes=a.worked_minutes,
                created_at=now,
                updated_at=now,
            )
            for a in plan.assignments
        ),
        progress,
        STAGE_ASSIGNMENTS,
    )
    written["movements"] = await _bulk_create(
        StockMovement,
        (
            StockMovement(
                station_id=stations[line.station].id,
                item_id=items[line.item].id,
                kind=line.kind,
                quantity=line.quantity,
                delta=line.quantity if line.kind is MovementKind.RECEIPT else -line.quantity,
                unit_cost_vnd=items[line.item].unit_cost_vnd
                if line.kind is MovementKind.RECEIPT
                else None,
                by_volunteer_id=volunteer_ids[line.volunteer]
                if line.volunteer is not None
                else None,
                source=line.source,
                note=line.note,
                occurred_at=line.occurred_at,
                recorded_at=line.recorded_at,
            )
            for line in plan.lines
        ),
        progress,
        STAGE_LEDGER,
    )
    written["services"] = await _bulk_create(
        ServiceRecord,
        (
            ServiceRecord(
                station_id=stations[record.station].id,
                kind=record.kind,
                quantity=record.quantity,
                partner_id=units[record.partner].id if record.partner else None,
                by_volunteer_id=volunteer_ids[record.volunteer]
                if record.volunteer is not None
                else None,
                source=record.source,
                occurred_at=record.occurred_at,
                recorded_at=record.recorded_at,
            )
            for record in plan.services
        ),
        progress,
        STAGE_SERVICES,
    )
    await _name_station_leads(plan, stations, volunteer_ids, by)
    return campaign, written


async def _name_station_leads(
    plan: _CampaignPlan, stations: dict[str, Station], volunteer_ids: Sequence[int], by: Actor
) -> None:
    """Each station's lead: the volunteer who led most of its shifts."""
    leads: dict[str, Counter[int]] = defaultdict(Counter)
    for a in plan.assignments:
        if a.role is ShiftRole.LEAD and a.status not in (
            AssignmentStatus.DECLINED,
            AssignmentStatus.CANCELLED,
        ):
            leads[a.shift.station.code][a.volunteer] += 1
    for code, tally in leads.items():
        # most_common keeps first-seen order among ties, so the choice is deterministic.
        person = tally.most_common(1)[0][0]
        lead = await Volunteer.get(id=volunteer_ids[person])
        await update_station(stations[code], lead=lead, by=by)


#: The demo's own sign-in, so someone trying ``waystation serve --demo`` can look at the
#: coordinators' pages at once. Development only: ``serve`` never creates it in production.
DEMO_LOGIN_EMAIL = "demo@waystation.local"
DEMO_LOGIN_PASSWORD = "waystation-demo"


async def ensure_demo_login(*, by: Actor) -> bool:
    """Create the demo administrator unless it exists; True when it was created."""
    if await User.exists(email=DEMO_LOGIN_EMAIL):
        return False
    await create_user(
        email=DEMO_LOGIN_EMAIL,
        password=DEMO_LOGIN_PASSWORD,
        role="admin",
        full_name="Demo",
        by=by,
    )
    return True
