"""The stations travellers may look for: what the public page, open data and the bot list.

Public means: active stations of open campaigns that are running or still to come, never a
closed campaign's. Only what a traveller needs is kept (name, place, hours, services, whether
an item is still there); no volunteer, no phone, no stock figure leaves this module.

A station's place (its province and its ward or commune, by official code and Vietnamese
name) comes from the administrative-division codes the coordinators record, never from
reading the address: the station's own codes first, then its unit's and that unit's
ancestors' in the unit tree (see ``_place_of``).

Reading every station on each request would cost more than answering it, so the stations
are kept in memory per process as a *snapshot*, rebuilt when a cheap change marker (one
query of counts and latest change times) moves, and at most ``SNAPSHOT_TTL`` old in any case
by the service's clock (a renamed or moved unit changes no marker, nor does an edit stamped
by a replica whose clock is a little behind). Distance and "open now" are worked out per
request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import heapq
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tortoise.connection import connections

from stations.clock import VN_TZ
from stations.enums import CampaignStatus, SupplyCategory
from stations.i18n import _
from stations.models import Station, SupplyItem, Unit
from stations.services import divisions
from stations.services.divisions import Place, Ward
from stations.services.errors import InvalidInput
from stations.services.geo import check_coordinates, distance_between_radians
from stations.services.opening_hours import OpenState, OpenStatus, open_state
from stations.services.station_services import services_of
from stations.text import fold

#: Rebuild the snapshot at least this often, whatever the marker says.
SNAPSHOT_TTL = dt.timedelta(seconds=60)
#: What a traveller cares to find still there; leaflets and the rest are not offered to them.
TRAVELLER_CATEGORIES = (
    SupplyCategory.WATER,
    SupplyCategory.TOWEL,
    SupplyCategory.FOOD,
    SupplyCategory.FUEL,
)

#: The marker's first columns describe campaigns and stations, the rest the stock.
STATION_MARKERS = 6
_MARKER_SQL = (
    "SELECT"
    ' (SELECT COUNT(*) FROM "campaign") AS campaigns,'
    ' (SELECT MAX("updated_at") FROM "campaign") AS campaign_changed,'
    ' (SELECT COUNT(*) FROM "campaign" WHERE "status" = \'closed\') AS closed,'
    ' (SELECT COUNT(*) FROM "station") AS stations,'
    ' (SELECT MAX("created_at") FROM "station") AS station_created,'
    ' (SELECT MAX("updated_at") FROM "station") AS station_changed,'
    ' (SELECT MAX("updated_at") FROM "stock_balance") AS stock_changed,'
    ' (SELECT COUNT(*) FROM "stock_balance" WHERE "quantity" > 0) AS stocked,'
    ' (SELECT COALESCE(SUM("id"), 0) FROM "stock_balance" WHERE "quantity" > 0) AS stocked_ids'
)


@dataclass(frozen=True)
class PublicItem:
    code: str
    name_vi: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi


@dataclass(frozen=True)
class PublicStation:
    id: int
    code: str
    name: str
    campaign_id: int
    campaign_name: str
    first_day: dt.date
    last_day: dt.date
    unit_name: str
    address: str
    latitude: float | None
    longitude: float | None
    opens_at: dt.time | None
    closes_at: dt.time | None
    offers: tuple[str, ...]
    #: item code → whether some is left: a yes or no, never the figure
    has_stock: Mapping[str, bool]
    #: where it stands (see ``_place_of``): official codes, "" when nobody recorded one
    province_code: str
    ward_code: str
    #: their Vietnamese names, as the traveller chooses them
    province: str
    ward: str
    #: folded once when the snapshot is built: code, name, address and place names
    search_text: str
    #: (latitude, longitude) in radians, for measuring distances without converting
    radians: tuple[float, float] | None

    def state_at(self, now: dt.datetime) -> OpenState:
        return open_state(
            now,
            first_day=self.first_day,
            last_day=self.last_day,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
        )


UNKNOWN_PROVINCE = _("There is no province or city “{name}”: choose one from the list.")
UNKNOWN_WARD = _("There is no ward or commune “{name}”: choose one from the list.")


@dataclass(frozen=True)
class PlaceFilter:
    """Which stations a traveller without location asked for: by province and ward or
    commune (official codes, see ``place_filter``), or by words of a road or place name,
    with or without diacritics."""

    #: a province's two-digit code, or ""
    province: str = ""
    #: a ward's or commune's five-digit code, or ""
    ward: str = ""
    text: str = ""

    @functools.cached_property
    def _words(self) -> tuple[str, ...]:
        return tuple(f" {word}" for word in _search_text(self.text).split())

    def matches(self, station: PublicStation) -> bool:
        """Each word typed starts a word of the station's code, name, address or place:
        "30" finds "Quốc lộ 30", not "số 130"."""
        if self.province and self.province != station.province_code:
            return False
        if self.ward and self.ward != station.ward_code:
            return False
        return all(word in station.search_text for word in self._words)

    @property
    def empty(self) -> bool:
        return not (self.province or self.ward or self.text.strip())


def place_filter(*, province: str = "", ward: str = "", text: str = "") -> PlaceFilter:
    """The filter a traveller's link asks for. ``province`` and ``ward`` are official codes
    (what the page's choices send) or, as links bookmarked before the codes still say, names
    ("Đồng Tháp", "phường Cao Lãnh"), accents and case aside. A ward alone implies its
    province; a ward outside the province chosen is left out (the traveller changed the
    province and kept the old ward). A value naming no place of Vietnam raises
    ``InvalidInput`` on ``province`` or ``ward``."""
    province, ward = province.strip(), ward.strip()
    found_province: Place | None = None
    if province:
        found_province = (
            divisions.province(province.zfill(2))
            if province.isdigit() and len(province) <= 2
            else divisions.match_province(province)
        )
        if found_province is None:
            raise InvalidInput(UNKNOWN_PROVINCE, field="province", name=province)
    found_ward: Ward | None = None
    if ward:
        if ward.isdigit() and len(ward) <= 5:
            found_ward = divisions.ward(ward.zfill(5))
        else:
            found_ward = divisions.match_ward(
                ward, province_code=found_province.code if found_province else None
            )
        if found_ward is None:
            raise InvalidInput(UNKNOWN_WARD, field="ward", name=ward)
        if found_province is None:
            return PlaceFilter(province=found_ward.province_code, ward=found_ward.code, text=text)
        if found_ward.province_code != found_province.code:
            found_ward = None
    return PlaceFilter(
        province=found_province.code if found_province else "",
        ward=found_ward.code if found_ward else "",
        text=text,
    )


@dataclass(frozen=True)
class ListedStation:
    station: PublicStation
    state: OpenState
    distance_m: float | None


@dataclass(frozen=True)
class PublicListing:
    stations: list[ListedStation]
    #: how many stations matched before ``limit`` cut the list
    matched: int
    items: Mapping[str, PublicItem]
    #: the provinces that have public stations, by name
    provinces: list[Place]
    #: the wards and communes of the chosen province that have public stations (those of
    #: every province when none is chosen)
    wards: list[Ward]


@dataclass
class _Snapshot:
    #: what the stations were read under, and what their stock was read under
    key: tuple[Any, ...]
    stock_key: tuple[Any, ...]
    #: when it was built, by the service's clock
    built: dt.datetime
    #: in the order of a list without location: province, ward or commune, name, code
    stations: tuple[PublicStation, ...]
    items: dict[str, PublicItem] = field(default_factory=dict)
    by_code: dict[str, list[PublicStation]] = field(default_factory=dict)
    provinces: list[Place] = field(default_factory=list)
    #: province code → its wards and communes; "" → all of them
    wards: dict[str, list[Ward]] = field(default_factory=dict)


_snapshots: dict[str, _Snapshot] = {}


_NOT_A_WORD = re.compile(r"[^0-9a-z]+")


def _search_text(*parts: str) -> str:
    """Folded words separated by single spaces, with a space before the first."""
    return " " + _NOT_A_WORD.sub(" ", fold(" ".join(parts))).strip()


@dataclass(frozen=True)
class _UnitPlace:
    parent_id: int | None
    province_code: str | None
    ward_code: str | None


def _province_of(province_code: str | None, ward_code: str | None) -> Place | None:
    """The province a record names, or the one its ward implies."""
    if province_code:
        return divisions.province(province_code)
    found = divisions.ward(ward_code) if ward_code else None
    return divisions.province(found.province_code) if found else None


def _place_of(
    station: Station, units: Mapping[int, _UnitPlace]
) -> tuple[Place | None, Ward | None]:
    """Where a station stands: the province and ward or commune it records itself, and
    what it leaves out from the unit tree: the province of its unit or of the nearest
    ancestor that has one; the ward or commune of its unit or of an ancestor below the
    province level (a unit with a province and no ward), inside that province."""
    province = _province_of(station.province_code, station.ward_code)
    ward = divisions.ward(station.ward_code) if station.ward_code else None
    unit_id: int | None = station.unit_id
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen and (province is None or ward is None):
        seen.add(unit_id)
        unit = units.get(unit_id)
        if unit is None:
            break
        unit_province = _province_of(unit.province_code, unit.ward_code)
        unit_ward = divisions.ward(unit.ward_code) if unit.ward_code else None
        if province is None:
            province = unit_province
        if ward is None and unit_ward is not None:
            ward = unit_ward
        if unit_province is not None and unit_ward is None:
            break  # the province level: no unit above it names a ward or commune
        unit_id = unit.parent_id
    if province is None or (ward is not None and ward.province_code != province.code):
        ward = None
    return province, ward


async def _unit_places() -> dict[int, _UnitPlace]:
    """Every unit's parent and place: the unit tree, a few hundred rows even nationwide."""
    rows = await Unit.all().values_list("id", "parent_id", "province_code", "ward_code")
    return {row[0]: _UnitPlace(row[1], row[2], row[3]) for row in rows}


async def _marker() -> tuple[str, tuple[Any, ...]]:
    connection = connections.get("default")
    (row,) = await connection.execute_query_dict(_MARKER_SQL)
    where = str(
        getattr(connection, "filename", None) or getattr(connection, "database", None) or ""
    )
    return f"{type(connection).__name__}:{where}", tuple(str(value) for value in row.values())


_STOCK_SQL = (
    'SELECT b."station_id" AS station_id, i."code" AS code, b."quantity" AS quantity'
    ' FROM "stock_balance" b JOIN "supply_item" i ON i."id" = b."item_id"'
    ' WHERE i."category" IN ({categories})'
)


async def _stock() -> dict[int, dict[str, bool]]:
    """Station id → {item code: whether some is left}, for the items travellers look for."""
    categories = ", ".join(f"'{category.value}'" for category in TRAVELLER_CATEGORIES)
    rows = await connections.get("default").execute_query_dict(
        _STOCK_SQL.format(categories=categories)
    )
    stock: dict[int, dict[str, bool]] = {}
    for row in rows:
        stock.setdefault(int(row["station_id"]), {})[row["code"]] = int(row["quantity"]) > 0
    return {station_id: dict(sorted(left.items())) for station_id, left in stock.items()}


async def _build(
    key: tuple[Any, ...], stock_key: tuple[Any, ...], today: dt.date, *, now: dt.datetime
) -> _Snapshot:
    stations = await Station.filter(
        is_active=True,
        campaign__status=CampaignStatus.OPEN,
        # Yesterday's last day may still be open past midnight.
        campaign__ends_on__gte=today - dt.timedelta(days=1),
    ).select_related("campaign", "unit")
    items = {
        item.id: item for item in await SupplyItem.filter(category__in=list(TRAVELLER_CATEGORIES))
    }
    stock = await _stock() if stations else {}
    units = await _unit_places() if stations else {}
    public = []
    provinces: dict[str, Place] = {}
    #: province code → its wards and communes by code; "" → all of them
    wards: dict[str, dict[str, Ward]] = {"": {}}
    for station in stations:
        campaign, unit = station.campaign, station.unit
        province, ward = _place_of(station, units)
        if province is not None:
            provinces[province.code] = province
            if ward is not None:
                wards.setdefault(province.code, {})[ward.code] = ward
                wards[""][ward.code] = ward
        province_name = province.name if province else ""
        ward_name = ward.name if ward else ""
        located = station.latitude is not None and station.longitude is not None
        public.append(
            PublicStation(
                id=station.id,
                code=station.code,
                name=station.name,
                campaign_id=campaign.id,
                campaign_name=campaign.name,
                first_day=campaign.starts_on,
                last_day=campaign.ends_on,
                unit_name=unit.name,
                address=station.address,
                latitude=station.latitude,
                longitude=station.longitude,
                opens_at=station.opens_at,
                closes_at=station.closes_at,
                offers=services_of(station.offers),
                has_stock=stock.get(station.id, {}),
                province_code=province.code if province else "",
                ward_code=ward.code if ward else "",
                province=province_name,
                ward=ward_name,
                search_text=_search_text(
                    station.code, station.name, station.address, ward_name, province_name
                ),
                radians=(
                    (math.radians(station.latitude), math.radians(station.longitude))  # type: ignore[arg-type]
                    if located
                    else None
                ),
            )
        )
    public.sort(key=lambda s: (fold(s.province), fold(s.ward), fold(s.name), s.code))
    return _Snapshot(
        key=key,
        stock_key=stock_key,
        built=now,
        stations=tuple(public),
        items={
            item.code: PublicItem(item.code, item.name_vi, item.name_en)
            for item in sorted(items.values(), key=lambda item: item.id)
        },
        by_code=_by_code(public),
        provinces=sorted(provinces.values(), key=lambda place: fold(place.name)),
        wards={
            code: sorted(found.values(), key=lambda ward: (fold(ward.name), ward.code))
            for code, found in wards.items()
        },
    )


def _by_code(stations: Iterable[PublicStation]) -> dict[str, list[PublicStation]]:
    by_code: dict[str, list[PublicStation]] = {}
    for station in stations:
        by_code.setdefault(station.code, []).append(station)
    return by_code


async def _restocked(snapshot: _Snapshot, stock_key: tuple[Any, ...]) -> _Snapshot:
    """The same stations with their stock read again: what a handout usually changes, at
    the cost of one query rather than a rebuild."""
    stock = await _stock()
    stations = tuple(
        dataclasses.replace(station, has_stock=stock.get(station.id, {}))
        for station in snapshot.stations
    )
    return dataclasses.replace(
        snapshot, stock_key=stock_key, stations=stations, by_code=_by_code(stations)
    )


def _expired(snapshot: _Snapshot, now: dt.datetime) -> bool:
    """Built ``SNAPSHOT_TTL`` ago or more, or "after" ``now`` (a clock set back): rebuilding
    is never wrong, only dearer."""
    return not dt.timedelta(0) <= now - snapshot.built < SNAPSHOT_TTL


async def _snapshot(now: dt.datetime) -> _Snapshot:
    today = now.astimezone(VN_TZ).date()
    database, marker = await _marker()
    key = (database, *marker[:STATION_MARKERS], today)
    stock_key = marker[STATION_MARKERS:]
    cached = _snapshots.get(database)
    if cached is None or cached.key != key or _expired(cached, now):
        snapshot = await _build(key, stock_key, today, now=now)
    elif cached.stock_key != stock_key:
        snapshot = await _restocked(cached, stock_key)
    else:
        return cached
    _snapshots[database] = snapshot
    return snapshot


async def snapshot_version(*, now: dt.datetime) -> tuple[Any, ...]:
    """What changes whenever the public stations may have: for ETags and derived caches."""
    snapshot = await _snapshot(now)
    return (*snapshot.key, *snapshot.stock_key, snapshot.built)


async def public_stations(
    *,
    now: dt.datetime,
    near: tuple[float, float] | None = None,
    place: PlaceFilter | None = None,
    open_only: bool = False,
    limit: int | None = None,
) -> PublicListing:
    """The public stations at ``now``: nearest first from ``near`` (latitude, longitude),
    those without coordinates last; without ``near``, running campaigns before coming ones,
    then by province, ward and name. A station whose campaign is over is never listed."""
    place = place or PlaceFilter()
    today = now.astimezone(VN_TZ).date()
    snapshot = await _snapshot(now)
    # Stations share a few campaigns and opening hours: each state is worked out once.
    states: dict[tuple[Any, ...], OpenState] = {}
    origin = None
    if near is not None:
        latitude, longitude = check_coordinates(*near)
        origin = (math.radians(latitude), math.radians(longitude))
    filtering = not place.empty
    kept: list[tuple[PublicStation, OpenState]] = []
    for station in snapshot.stations:
        if filtering and not place.matches(station):
            continue
        hours = (station.first_day, station.last_day, station.opens_at, station.closes_at)
        state = states.get(hours)
        if state is None:
            state = states[hours] = station.state_at(now)
        if state.status is OpenStatus.CLOSED or (open_only and not state.is_open):
            continue
        kept.append((station, state))
    listed: list[ListedStation]
    if origin is not None:
        # (no coordinates last, distance, code, index): only the rows kept become results.
        keys = [
            (
                station.radians is None,
                distance_between_radians(*origin, *station.radians)
                if station.radians is not None
                else 0.0,
                station.code,
                index,
            )
            for index, (station, _state) in enumerate(kept)
        ]
        nearest = heapq.nsmallest(limit, keys) if limit is not None else sorted(keys)
        listed = [
            ListedStation(kept[index][0], kept[index][1], None if unlocated else distance)
            for unlocated, distance, _code, index in nearest
        ]
    else:
        # Stable: the snapshot's place order holds within running and within coming.
        listed = [ListedStation(station, state, None) for station, state in kept]
        listed.sort(key=lambda row: row.station.first_day > today)
        if limit is not None:
            listed = listed[:limit]
    return PublicListing(
        stations=listed,
        matched=len(kept),
        items=snapshot.items,
        provinces=snapshot.provinces,
        wards=snapshot.wards.get(place.province, []),
    )


async def public_station(code: str, *, now: dt.datetime) -> ListedStation | None:
    """One public station by its code; a code used by both a running and a coming campaign
    reads the running one."""
    snapshot = await _snapshot(now)
    found = [
        ListedStation(station, station.state_at(now), None)
        for station in snapshot.by_code.get(code, [])
    ]
    found = [row for row in found if row.state.status is not OpenStatus.CLOSED]
    found.sort(key=lambda row: row.station.first_day)
    return found[0] if found else None


async def public_items(*, now: dt.datetime) -> Mapping[str, PublicItem]:
    return (await _snapshot(now)).items
