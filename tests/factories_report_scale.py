"""A busy campaign of many stations in a few statements: for tests that a report costs the
same whatever the number of stations and units.

Rows are written with ``bulk_create`` (one INSERT per table), so 300 stations with their
shifts, turns, ledger lines, services and ratings take well under a second on SQLite and on
PostgreSQL; the daily stock tallies are then rebuilt from the ledger, as after a bulk load.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from stations.enums import (
    AssignmentStatus,
    Force,
    MovementKind,
    ServiceKind,
    ShiftRole,
    Source,
    SupplyCategory,
    UnitKind,
)
from stations.models import (
    Assignment,
    Campaign,
    ServiceRecord,
    Shift,
    Station,
    StationFeedback,
    StockMovement,
    SupplyItem,
    Unit,
    Volunteer,
)
from stations.services.inventory import rebuild_balances
from tests.factories import make_campaign, make_item, make_unit, vn

_batches = itertools.count(1)
FORCES = list(Force)


@dataclass(frozen=True)
class BusyCampaign:
    campaign: Campaign
    #: the units directly under the campaign's organising unit, one row each in the report
    units: list[int]
    stations: list[int]


async def _ids(
    model: type[Station] | type[Unit] | type[Shift] | type[Volunteer], **filters: object
) -> list[int]:
    return list(await model.filter(**filters).order_by("id").values_list("id", flat=True))  # type: ignore[attr-defined]


async def make_busy_campaign(*, stations: int, units: int) -> BusyCampaign:
    """A campaign under a province unit with ``units`` ward units and ``stations`` stations
    spread over them (every third one under a sub-unit of its ward); each station received
    and handed out water and towels, served a turn, gave a service (every other one with a
    garage as partner) and has a traveller's rating."""
    batch = next(_batches)
    province = await make_unit(code=f"BP{batch}", name=f"Công an tỉnh {batch}")
    garage = await make_unit(code=f"BG{batch}", name=f"Head Honda {batch}", kind=UnitKind.GARAGE)
    await Unit.bulk_create(
        [
            Unit(code=f"B{batch}W{n}", name=f"Công an phường {batch}-{n}", parent_id=province.id)
            for n in range(units)
        ]
    )
    wards = await _ids(Unit, parent_id=province.id)
    await Unit.bulk_create(
        [
            Unit(code=f"B{batch}T{n}", name=f"Tổ {batch}-{n}", parent_id=ward)
            for n, ward in enumerate(wards)
        ]
    )
    teams = dict(zip(wards, await _ids(Unit, parent_id__in=wards), strict=True))
    campaign = await make_campaign(
        name=f"Tết {batch}",
        unit=province,
        starts_on=dt.date(2027, 2, 1),
        ends_on=dt.date(2027, 2, 3),
    )
    await Station.bulk_create(
        [
            Station(
                campaign_id=campaign.id,
                unit_id=teams[wards[n % units]] if n % 3 == 2 else wards[n % units],
                code=f"B{batch}S{n}",
                name=f"Trạm {batch}-{n}",
                address="Quốc lộ 1A",
                checkin_radius_m=300,
                is_active=n % 10 != 9 or n % 20 == 19,
            )
            for n in range(stations)
        ]
    )
    station_ids = await _ids(Station, campaign_id=campaign.id)
    water = await _item(f"bw{batch}", SupplyCategory.WATER, 4_000)
    towel = await _item(f"bt{batch}", SupplyCategory.TOWEL, 1_500)
    await Shift.bulk_create(
        [
            Shift(
                station_id=s,
                starts_at=vn(2027, 2, 1 + n % 3, 6),
                ends_at=vn(2027, 2, 1 + n % 3, 10),
                needs={ShiftRole.VOLUNTEER.value: 2},
            )
            for n, s in enumerate(station_ids)
        ]
    )
    shifts = await _ids(Shift, station_id__in=station_ids)
    await Volunteer.bulk_create(
        [
            Volunteer(
                full_name=f"Nguyễn Văn {batch}-{n}",
                search_name=f"nguyen van {batch}-{n}",
                phone=f"+8491{batch:03d}{n:04d}",
                force=FORCES[n % len(FORCES)],
            )
            for n in range(stations)
        ]
    )
    volunteers = await _ids(Volunteer, phone__startswith=f"+8491{batch:03d}")
    await Assignment.bulk_create(
        [
            Assignment(
                shift_id=shift,
                volunteer_id=volunteer,
                role=ShiftRole.VOLUNTEER,
                status=AssignmentStatus.CHECKED_OUT,
                worked_minutes=60 + n % 4 * 30,
            )
            for n, (shift, volunteer) in enumerate(zip(shifts, volunteers, strict=True))
        ]
    )
    lines = []
    for n, station in enumerate(station_ids):
        day = 1 + n % 3
        for item, received, handed in ((water, 100, 10 + n % 7), (towel, 50, 3 + n % 5)):
            for kind, quantity, delta, hour in (
                (MovementKind.RECEIPT, received, received, 7),
                (MovementKind.HANDOUT, handed, -handed, 9),
            ):
                lines.append(
                    StockMovement(
                        station_id=station,
                        item_id=item.id,
                        kind=kind,
                        quantity=quantity,
                        delta=delta,
                        unit_cost_vnd=item.unit_cost_vnd if kind is MovementKind.RECEIPT else None,
                        source=Source.IMPORT,
                        occurred_at=vn(2027, 2, day, hour),
                        recorded_at=vn(2027, 2, day, hour),
                    )
                )
    await StockMovement.bulk_create(lines)
    await rebuild_balances(station_ids=station_ids)
    await ServiceRecord.bulk_create(
        [
            ServiceRecord(
                station_id=station,
                kind=ServiceKind.MOTORBIKE_CHECK if n % 2 else ServiceKind.FIRST_AID,
                quantity=1 + n % 4,
                partner_id=garage.id if n % 2 else None,
                source=Source.BOT,
                occurred_at=vn(2027, 2, 1 + n % 3, 11),
                recorded_at=vn(2027, 2, 1 + n % 3, 11),
            )
            for n, station in enumerate(station_ids)
        ]
    )
    await StationFeedback.bulk_create(
        [
            StationFeedback(
                station_id=station,
                rating=1 + n % 5,
                browser=f"b{n}",
                day=dt.date(2027, 2, 1 + n % 3),
                address_key=f"k{n}",
                created_at=vn(2027, 2, 1 + n % 3, 12),
            )
            for n, station in enumerate(station_ids)
        ]
    )
    return BusyCampaign(campaign, wards, station_ids)


async def _item(code: str, category: SupplyCategory, cost: int) -> SupplyItem:
    return await make_item(code, name_vi=code, name_en=code, category=category, unit_cost_vnd=cost)
