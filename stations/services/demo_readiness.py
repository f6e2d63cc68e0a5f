"""The demo's places and its upcoming Tết in planning: what ``load_demo`` adds with one call.

- **Places**: every demo unit and station gets its real Đồng Tháp ward or commune code (the
  2025 divisions), found by the ward named in its name or address ("Công an phường Sa Đéc",
  "Quốc lộ 30, xã An Long"); province-wide units get the province alone.
- **Planned opening stock** for every station of the upcoming campaign: busier stations plan
  more, fuel only where fuel is handed out.
- **While the upcoming campaign is in planning**, a readiness view with something to do:
  the first stations have received part of their supplies already (supplies arrive early;
  lines dated in the days before "now"), one station in eight has no shift yet, and one has
  its last days' shifts not yet filled. Its volunteers have not linked Telegram (the demo
  never invents Telegram accounts). Deterministic: no randomness here.

Writes rows directly, inside the demo's transaction, before ``load_demo`` rebuilds the
balances and daily tallies from the ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from stations import clock
from stations.enums import CampaignPhase, MovementKind, Source
from stations.models import (
    Assignment,
    Campaign,
    PlannedStock,
    Shift,
    Station,
    StockMovement,
    SupplyItem,
    Unit,
)
from stations.services import demo_data as data
from stations.services import divisions
from stations.services.campaign_phases import campaign_phase

DONG_THAP: Final = "82"
#: "phường An Bình", "xã An Hữu": the ward or commune a name or an address names.
_WARD_IN_TEXT = re.compile(r"\b((?:phường|xã) [^,]+)", re.IGNORECASE)
#: item code → (planned at a main-road station, at another)
PLANNED: Final[dict[str, tuple[int, int]]] = {
    "water": (24_000, 9_000),
    "towel": (20_000, 7_500),
    "food": (4_000, 1_500),
    "leaflet": (1_500, 600),
    "fuel": (40, 0),
}
#: Of the planned stock, what the stations that already received something have received.
RECEIVED_SHARE: Final = (1.0, 0.6, 0.35)
#: One station in this many has no shift yet.
WITHOUT_SHIFTS_EVERY: Final = 8
#: The station whose last days are not filled yet loses its assignments on these last days.
UNFILLED_DAYS: Final = 3


#: Communes two demo addresses still name, merged in 2025 into these (Nghị quyết of the
#: Standing Committee on Đồng Tháp's wards and communes, as the vietnam-address-converter
#: package maps them).
MERGED_2025: Final[dict[str, str]] = {
    "xã Hòa Khánh": "Xã Cái Bè",
    "xã An Thái Trung": "Xã Thanh Hưng",
}


def ward_in(text: str) -> divisions.Ward | None:
    """The Đồng Tháp ward or commune ``text`` names, if it names exactly one."""
    found = _WARD_IN_TEXT.search(text)
    if found is None:
        return None
    name = MERGED_2025.get(found.group(1).strip(), found.group(1))
    return divisions.match_ward(name, province_code=DONG_THAP)


async def prepare_demo_places_and_readiness(previous: Campaign, upcoming: Campaign) -> None:
    """See the module's docstring."""
    await _place_units()
    for campaign in (previous, upcoming):
        await _place_stations(campaign)
    stations = {s.code: s for s in await Station.filter(campaign_id=upcoming.id).order_by("code")}
    items = {item.code: item for item in await SupplyItem.filter(code__in=list(PLANNED))}
    by_code = {s.code: s for s in data.STATIONS}
    plans = [
        PlannedStock(station_id=station.id, item_id=items[code].id, quantity=quantity)
        for station_code, station in stations.items()
        for code, quantity in _planned(by_code[station_code]).items()
        if code in items and quantity
    ]
    await PlannedStock.bulk_create(plans)
    if campaign_phase(upcoming) is CampaignPhase.PLANNING:
        ordered = [stations[s.code] for s in data.STATIONS if s.code in stations]
        await _early_receipts(ordered, items, by_code)
        await _gaps(ordered, upcoming)


def _planned(station: data.DemoStation) -> dict[str, int]:
    return {
        code: (main if station.key else other) if code != "fuel" or station.fuel else 0
        for code, (main, other) in PLANNED.items()
    }


async def _place_units() -> None:
    for unit in data.UNITS:
        ward = ward_in(unit.name)
        if ward is not None:
            await Unit.filter(code=unit.code).update(province_code=DONG_THAP, ward_code=ward.code)
        elif unit.parent is None or unit.code in (data.YOUTH_UNION, data.WOMENS_UNION, "PC08"):
            await Unit.filter(code=unit.code).update(province_code=DONG_THAP)


async def _place_stations(campaign: Campaign) -> None:
    wards: dict[str, list[str]] = {}
    for station in data.STATIONS:
        ward = ward_in(station.address)
        if ward is not None:
            wards.setdefault(ward.code, []).append(station.code)
    for ward_code, codes in wards.items():
        await Station.filter(campaign_id=campaign.id, code__in=codes).update(
            province_code=DONG_THAP, ward_code=ward_code
        )


async def _early_receipts(
    stations: list[Station], items: dict[str, SupplyItem], by_code: dict[str, data.DemoStation]
) -> None:
    now = clock.now()
    lines = []
    for number, (station, share) in enumerate(zip(stations, RECEIVED_SHARE, strict=False)):
        when = now - dt.timedelta(days=len(RECEIVED_SHARE) - number, hours=2)
        for code, quantity in _planned(by_code[station.code]).items():
            received = int(quantity * share)
            if code in items and received:
                lines.append(
                    StockMovement(
                        station_id=station.id,
                        item_id=items[code].id,
                        kind=MovementKind.RECEIPT,
                        quantity=received,
                        delta=received,
                        source=Source.WEB,
                        note="Nhận hàng trước chiến dịch",
                        occurred_at=when,
                        recorded_at=when,
                    )
                )
    await StockMovement.bulk_create(lines)


async def _gaps(stations: list[Station], campaign: Campaign) -> None:
    """Some stations without shifts, and one with its last days not yet filled."""
    if len(stations) < 2:
        return
    bare = [s.id for s in stations[WITHOUT_SHIFTS_EVERY - 1 :: WITHOUT_SHIFTS_EVERY]] or [
        stations[-1].id
    ]
    # Assignments go with their shifts (on delete cascade).
    await Shift.filter(station_id__in=bare).delete()
    last_days = clock.local_midnight(
        campaign.ends_on - dt.timedelta(days=UNFILLED_DAYS - 1)
    ).astimezone(dt.UTC)
    late_shifts = await Shift.filter(
        station_id=stations[1].id, starts_at__gte=last_days
    ).values_list("id", flat=True)
    await Assignment.filter(shift_id__in=list(late_shifts) or [0]).delete()
