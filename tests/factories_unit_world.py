"""A campaign of many stations spread over a province's wards, written in a few multi-row
INSERTs: 300 stations with their shift, people, stock and handouts of today in about a
second on either database, for tests that a page costs the same whatever its size.

Rows are written directly, as in ``tests/factories.py``. The day is the test clock's
(2 February 2027, Vietnam time). Station ``n`` (from 0) stands in ward ``n % wards``, or
directly in the province when ``n % 7 == 6``; it has one shift 06:00–12:00 needing a lead
and a volunteer, its lead checked in, its volunteer assigned when ``n`` is even (so odd
stations are short); 10 bottles of water on hand when ``n % 3 == 0`` (low: under 100), 500
otherwise; ``n + 1`` bottles handed out today; a discrepancy today when ``n % 5 == 0``;
two people given first aid when ``n % 4 == 0``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stations.enums import (
    AssignmentStatus,
    MovementKind,
    ServiceKind,
    ShiftRole,
    Source,
    UnitKind,
)
from stations.models import (
    Assignment,
    Campaign,
    DailyStockTally,
    ServiceRecord,
    Shift,
    Station,
    StockBalance,
    StockMovement,
    SupplyItem,
    Unit,
    Volunteer,
)
from tests.factories import make_campaign, make_item, make_unit, vn

TODAY = dt.date(2027, 2, 2)


@dataclass(frozen=True)
class UnitWorld:
    campaign: Campaign
    province: Unit
    wards: list[Unit]
    water: SupplyItem
    #: station ids by code order (S000, S001, …)
    station_ids: list[int]


async def build_unit_world(*, stations: int, wards: int, tag: str = "") -> UnitWorld:
    water = await SupplyItem.get_or_none(code="water") or await make_item("water")
    campaign = await make_campaign()
    province = await make_unit(
        code=f"P{tag}{stations}x{wards}", name=f"Công an tỉnh {tag}", kind=UnitKind.PROVINCE_POLICE
    )
    await Unit.bulk_create(
        [
            Unit(code=f"W{tag}{stations}x{wards}-{n}", name=f"Công an xã {n:02d}", parent=province)
            for n in range(wards)
        ]
    )
    ward_list = await Unit.filter(parent_id=province.id).order_by("name")
    await Station.bulk_create(
        [
            Station(
                campaign=campaign,
                unit=province if n % 7 == 6 else ward_list[n % wards],
                code=f"S{n:03d}",
                name=f"Trạm {n}",
            )
            for n in range(stations)
        ]
    )
    ids: list[int] = list(
        await Station.filter(campaign_id=campaign.id).order_by("code").values_list("id", flat=True)  # type: ignore[arg-type]
    )
    await Shift.bulk_create(
        [
            Shift(
                station_id=station_id,
                starts_at=vn(2027, 2, 2, 6),
                ends_at=vn(2027, 2, 2, 12),
                needs={ShiftRole.LEAD.value: 1, ShiftRole.VOLUNTEER.value: 1},
            )
            for station_id in ids
        ]
    )
    shift_of = dict(
        await Shift.filter(station_id__in=ids).values_list("station_id", "id")  # type: ignore[arg-type]
    )
    await Volunteer.bulk_create(
        [
            Volunteer(
                full_name=f"Người {tag}{n}-{role}",
                search_name=f"nguoi {tag}{n}-{role}",
                phone=f"+849{campaign.id:04d}{n:03d}{role}",
            )
            for n in range(stations)
            for role in (0, 1)
        ]
    )
    people = dict(
        await Volunteer.filter(phone__startswith=f"+849{campaign.id:04d}").values_list(  # type: ignore[arg-type]
            "phone", "id"
        )
    )
    assignments = []
    for n, station_id in enumerate(ids):
        assignments.append(
            Assignment(
                shift_id=shift_of[station_id],
                volunteer_id=people[f"+849{campaign.id:04d}{n:03d}0"],
                role=ShiftRole.LEAD,
                status=AssignmentStatus.CHECKED_IN,
                checked_in_at=vn(2027, 2, 2, 6, 5),
            )
        )
        if n % 2 == 0:
            assignments.append(
                Assignment(
                    shift_id=shift_of[station_id],
                    volunteer_id=people[f"+849{campaign.id:04d}{n:03d}1"],
                    role=ShiftRole.VOLUNTEER,
                )
            )
    await Assignment.bulk_create(assignments)
    await StockBalance.bulk_create(
        [
            StockBalance(
                station_id=station_id, item_id=water.id, quantity=10 if n % 3 == 0 else 500
            )
            for n, station_id in enumerate(ids)
        ]
    )
    await DailyStockTally.bulk_create(
        [
            DailyStockTally(
                station_id=station_id,
                item_id=water.id,
                kind=MovementKind.HANDOUT,
                day=TODAY,
                quantity=n + 1,
                delta=-(n + 1),
                lines=1,
            )
            for n, station_id in enumerate(ids)
        ]
    )
    at = vn(2027, 2, 2, 7)
    await StockMovement.bulk_create(
        [
            StockMovement(
                station_id=station_id,
                item_id=water.id,
                kind=MovementKind.HANDOUT,
                quantity=n + 1,
                delta=-(n + 1),
                discrepancy=True,
                source=Source.WEB,
                occurred_at=at,
                recorded_at=at,
            )
            for n, station_id in enumerate(ids)
            if n % 5 == 0
        ]
    )
    await ServiceRecord.bulk_create(
        [
            ServiceRecord(
                station_id=station_id,
                kind=ServiceKind.FIRST_AID,
                quantity=2,
                source=Source.WEB,
                occurred_at=at,
                recorded_at=at,
            )
            for n, station_id in enumerate(ids)
            if n % 4 == 0
        ]
    )
    return UnitWorld(campaign, province, list(ward_list), water, ids)
