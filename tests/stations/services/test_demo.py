"""The demo province: deterministic, consistent with the clock, balances matching the ledger."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import phonenumbers
import pytest
from tortoise.functions import Sum

from stations.enums import AssignmentStatus, CampaignStatus, MovementKind, ServiceKind
from stations.models import (
    Assignment,
    Campaign,
    ServiceRecord,
    Shift,
    Station,
    StockBalance,
    StockMovement,
    Unit,
    Volunteer,
)
from stations.services import demo_data
from stations.services.actor import Actor
from stations.services.demo import (
    _plan_campaign,
    _plan_volunteers,
    apportion,
    has_campaigns,
    load_demo,
    upcoming_tet_year,
)
from stations.services.errors import Conflict, InvalidInput
from tests.factories import make_unit

BY = Actor.system("test")
SCALE = 0.05
SEED = 7
#: What seed 7 at scale 0.05 gives with the clock fixture's "now" (02/02/2027 08:00).
EXPECTED_ASSIGNMENTS = 430
EXPECTED_MOVEMENTS = 1202
EXPECTED_SERVICES = 221
EXPECTED_FIRST_VOLUNTEER = ("Lê Hoàng Tài", "+84973787275")


async def _row_counts() -> dict[str, int]:
    return {
        "units": await Unit.all().count(),
        "campaigns": await Campaign.all().count(),
        "stations": await Station.all().count(),
        "shifts": await Shift.all().count(),
        "volunteers": await Volunteer.all().count(),
        "assignments": await Assignment.all().count(),
        "movements": await StockMovement.all().count(),
        "services": await ServiceRecord.all().count(),
    }


async def test_load_demo_small_scale_writes_the_same_rows_every_time(db, clock):
    result = await load_demo(seed=SEED, scale=SCALE, by=BY)

    assert (result.campaign.name, result.previous_campaign.name) == (
        "Tết Đinh Mùi 2027",
        "Tết Bính Ngọ 2026",
    )
    assert await _row_counts() == {
        "units": 12,
        "campaigns": 2,
        "stations": 4,
        "shifts": 260,
        "volunteers": 75,
        "assignments": EXPECTED_ASSIGNMENTS,
        "movements": EXPECTED_MOVEMENTS,
        "services": EXPECTED_SERVICES,
    }
    assert result.counts == {
        "units": 12,
        "stations": 4,
        "shifts": 260,
        "volunteers": 75,
        "assignments": EXPECTED_ASSIGNMENTS,
        "movements": EXPECTED_MOVEMENTS,
        "services": EXPECTED_SERVICES,
        "partners": 6,
        "donations": 14,
        "expenses": 4,
    }
    first = await Volunteer.all().order_by("id").first()
    assert (first.full_name, first.phone) == EXPECTED_FIRST_VOLUNTEER


async def test_load_demo_balances_match_the_ledger_and_never_go_negative(db, clock):
    await load_demo(seed=SEED, scale=SCALE, by=BY)

    ledger = {
        (row["station_id"], row["item_id"]): row["total"]
        for row in await StockMovement.all()
        .annotate(total=Sum("delta"))
        .group_by("station_id", "item_id")
        .values("station_id", "item_id", "total")
    }
    balances = {(b.station_id, b.item_id): b.quantity for b in await StockBalance.all()}
    assert balances == ledger
    assert min(balances.values()) >= 0


async def test_load_demo_last_years_campaign_is_closed_with_the_report_figures(db, clock):
    result = await load_demo(seed=SEED, scale=SCALE, by=BY)

    previous = await Campaign.get(id=result.previous_campaign.id)
    handed_out = {
        row["item__code"]: -row["total"]
        for row in await StockMovement.filter(
            station__campaign_id=previous.id, kind=MovementKind.HANDOUT
        )
        .annotate(total=Sum("delta"))
        .group_by("item__code")
        .values("item__code", "total")
    }
    services = {
        row["kind"]: row["total"]
        for row in await ServiceRecord.filter(station__campaign_id=previous.id)
        .annotate(total=Sum("quantity"))
        .group_by("kind")
        .values("kind", "total")
    }
    assert previous.status is CampaignStatus.CLOSED
    assert previous.budget_vnd >= 100_000_000
    assert handed_out == {
        code: round(total * SCALE) for code, total in demo_data.HANDOUT_TARGETS.items()
    }
    assert services == {
        kind.value: round(total * SCALE) for kind, total in demo_data.SERVICE_TARGETS.items()
    }
    motorbike_partners = set(
        await ServiceRecord.filter(kind=ServiceKind.MOTORBIKE_CHECK).values_list(
            "partner__code", flat=True
        )
    )
    assert motorbike_partners == {demo_data.GARAGE}


async def test_load_demo_records_nothing_after_now(db, clock):
    await load_demo(seed=SEED, scale=SCALE, by=BY)
    now = clock.now()

    latest_line = await StockMovement.all().order_by("-occurred_at").first()
    latest_service = await ServiceRecord.all().order_by("-occurred_at").first()
    latest_check_in = (
        await Assignment.filter(checked_in_at__isnull=False).order_by("-checked_in_at").first()
    )
    assert latest_line.occurred_at <= now
    assert latest_service.occurred_at <= now
    assert latest_check_in.checked_in_at <= now


async def test_load_demo_assignment_states_follow_the_clock(db, clock):
    result = await load_demo(seed=SEED, scale=SCALE, by=BY)
    now = clock.now()  # 08:00 on 02/02/2027, the fourth day of the Tết window

    async def statuses(**filters: object) -> set[AssignmentStatus]:
        return set(
            await Assignment.filter(
                shift__station__campaign_id=result.campaign.id, **filters
            ).values_list("status", flat=True)
        )

    assert await statuses(shift__ends_at__lte=now) <= {
        AssignmentStatus.CHECKED_OUT,
        AssignmentStatus.NO_SHOW,
        AssignmentStatus.DECLINED,
        AssignmentStatus.CANCELLED,
    }
    assert AssignmentStatus.CHECKED_IN in await statuses(
        shift__starts_at__lte=now, shift__ends_at__gt=now
    )
    assert await statuses(shift__starts_at__gt=now) == {
        AssignmentStatus.ASSIGNED,
        AssignmentStatus.CONFIRMED,
        AssignmentStatus.DECLINED,
    }
    checked_out = await Assignment.filter(status=AssignmentStatus.CHECKED_OUT).count()
    with_minutes = await Assignment.filter(
        status=AssignmentStatus.CHECKED_OUT, worked_minutes__gt=0
    ).count()
    assert checked_out == with_minutes > 0


async def test_load_demo_no_volunteer_is_on_two_shifts_at_once(db, clock):
    await load_demo(seed=SEED, scale=SCALE, by=BY)

    by_volunteer: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for volunteer_id, starts_at, ends_at in await Assignment.all().values_list(
        "volunteer_id", "shift__starts_at", "shift__ends_at"
    ):
        by_volunteer.setdefault(volunteer_id, []).append((starts_at, ends_at))
    overlaps = [
        volunteer_id
        for volunteer_id, windows in by_volunteer.items()
        for (a_start, a_end), (b_start, b_end) in zip(
            sorted(windows), sorted(windows)[1:], strict=False
        )
        if b_start < a_end
    ]
    assert overlaps == []


async def test_load_demo_volunteers_have_valid_vietnamese_mobile_numbers(db, clock):
    await load_demo(seed=SEED, scale=SCALE, by=BY)

    phones = await Volunteer.all().values_list("phone", flat=True)

    invalid = [
        phone
        for phone in phones
        if not phonenumbers.is_valid_number(parsed := phonenumbers.parse(phone))
        or phonenumbers.region_code_for_number(parsed) != "VN"
        or phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE
    ]
    assert invalid == []


async def test_load_demo_again_is_refused_and_writes_nothing(db, clock):
    await load_demo(seed=SEED, scale=SCALE, by=BY)
    before = await _row_counts()

    with pytest.raises(Conflict) as caught:
        await load_demo(seed=SEED, scale=SCALE, by=BY)

    assert caught.value.field == "campaign"
    assert await _row_counts() == before


async def test_load_demo_reuses_units_that_already_exist(db, clock):
    province = await make_unit(code=demo_data.PROVINCE_POLICE, name="Công an tỉnh")

    result = await load_demo(seed=SEED, scale=SCALE, by=BY)

    assert result.counts["units"] == 11
    assert (await Campaign.get(id=result.campaign.id)).unit_id == province.id


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scale": 0}, "scale"),
        ({"scale": 1.5}, "scale"),
        ({"scale": float("nan")}, "scale"),
        ({"scale": "half"}, "scale"),
        ({"scale": True}, "scale"),
        ({"seed": "seven"}, "seed"),
        ({"seed": 1.5}, "seed"),
    ],
)
async def test_load_demo_bad_input_is_rejected(db, clock, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        await load_demo(by=BY, **kwargs)

    assert caught.value.field == field
    assert not await has_campaigns()


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (dt.date(2026, 11, 28), 2027),
        (dt.date(2027, 2, 11), 2027),
        (dt.date(2027, 2, 12), 2028),
        (dt.date(2027, 1, 1), 2027),
    ],
)
def test_upcoming_tet_year_is_the_first_window_not_over(today, year):
    assert upcoming_tet_year(today) == year


def test_apportion_splits_exactly_in_proportion():
    assert apportion(10, [1, 1, 2]) == [3, 2, 5]
    assert sum(apportion(600_000, [random.Random(1).random() for _ in range(999)])) == 600_000
    assert apportion(0, [1, 2]) == [0, 0]
    assert apportion(5, []) == []


def test_demo_stations_lie_in_dong_thap_and_have_unique_codes():
    outside = [
        s.code
        for s in demo_data.STATIONS
        if not (10.2 <= s.latitude <= 10.95 and 105.2 <= s.longitude <= 106.0)
    ]
    units = {u.code for u in demo_data.UNITS}

    assert outside == []
    assert len({s.code for s in demo_data.STATIONS}) == len(demo_data.STATIONS) == 30
    assert {s.unit for s in demo_data.STATIONS} <= units
    assert len(units) == len(demo_data.UNITS) == 12


def test_full_scale_plan_of_a_past_campaign_has_the_report_figures():
    stations = list(demo_data.STATIONS)
    people = _plan_volunteers(stations, demo_data.VOLUNTEERS, random.Random(1))
    after_the_window = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

    plan = _plan_campaign(
        2026, stations, people, seed=1, scale=1.0, now=after_the_window, unit_costs={}
    )

    handed_out = Counter()
    for line in plan.lines:
        if line.kind is MovementKind.HANDOUT:
            handed_out[line.item] += line.quantity
    served = [
        a
        for a in plan.assignments
        if a.status in (AssignmentStatus.CHECKED_IN, AssignmentStatus.CHECKED_OUT)
    ]
    assert len(people) == 1_500
    assert len({p.phone for p in people}) == 1_500
    assert len(plan.shifts) == 30 * 13 * 4 + 13 * 13
    assert dict(handed_out) == demo_data.HANDOUT_TARGETS
    assert 3_800 <= len(served) <= 4_300


def test_plan_tells_the_same_story_whatever_the_moment():
    stations = list(demo_data.STATIONS[:3])
    people = _plan_volunteers(stations, 150, random.Random(1))

    def plan_at(moment: dt.datetime):
        return _plan_campaign(2027, stations, people, seed=1, scale=0.1, now=moment, unit_costs={})

    during = plan_at(dt.datetime(2027, 2, 2, 1, tzinfo=dt.UTC))
    after = plan_at(dt.datetime(2027, 3, 1, tzinfo=dt.UTC))

    def roster(plan):
        return [
            (a.shift.starts_at, a.shift.station.code, a.volunteer, a.role) for a in plan.assignments
        ]

    def ledger(plan):
        return {
            (line.station, line.item, line.kind, line.quantity, line.occurred_at, line.volunteer)
            for line in plan.lines
        }

    assert roster(during) == roster(after)
    assert ledger(during) < ledger(after)


@pytest.mark.integration
async def test_demo_login_is_an_administrator_who_can_sign_in_once_created(db):
    from stations.enums import UserRole
    from stations.services.demo import DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD, ensure_demo_login
    from stations.services.users import authenticate_user

    created = await ensure_demo_login(by=Actor.system())
    again = await ensure_demo_login(by=Actor.system())

    user = await authenticate_user(DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD)
    assert (created, again) == (True, False)
    assert user is not None
    assert user.role == UserRole.ADMIN
