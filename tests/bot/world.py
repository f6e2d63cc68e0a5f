"""A small world for bot tests: a station with a shift under way, stock, volunteers."""

from __future__ import annotations

from dataclasses import dataclass

from stations.enums import ShiftRole
from stations.models import Assignment, Shift, Station, SupplyItem, Volunteer
from stations.services.actor import Actor
from stations.services.inventory import record_receipt
from tests.factories import make_assignment, make_item, make_shift, make_station, make_volunteer

#: Where the station stands (the factories' default): Quốc lộ 30, Hồng Ngự.
STATION_LAT, STATION_LON = 10.8076, 105.3436
#: About 1.1 km north of it, outside its 300 m radius.
FAR_LAT, FAR_LON = 10.8176, 105.3436


@dataclass
class World:
    station: Station
    shift: Shift
    water: SupplyItem
    towel: SupplyItem
    volunteer: Volunteer
    assignment: Assignment
    lead: Volunteer
    lead_assignment: Assignment


async def make_world(*, volunteer_tg: int = 1001, lead_tg: int = 2001, stock: int = 200) -> World:
    station = await make_station(code="HN01", name="Trạm Hồng Ngự <1>")
    shift = await make_shift(station)
    water = await make_item("water")
    towel = await make_item("towel")
    volunteer = await make_volunteer(
        full_name="Nguyễn Văn An", telegram_user_id=volunteer_tg, telegram_chat_id=volunteer_tg
    )
    lead = await make_volunteer(
        full_name="Trần Thị Bình", telegram_user_id=lead_tg, telegram_chat_id=lead_tg
    )
    assignment = await make_assignment(shift, volunteer)
    lead_assignment = await make_assignment(shift, lead, role=ShiftRole.LEAD)
    admin = Actor.system("test")
    for item in (water, towel):
        await record_receipt(station, item, stock, by=admin)
    return World(station, shift, water, towel, volunteer, assignment, lead, lead_assignment)
