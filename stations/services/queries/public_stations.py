"""The stations travellers may look for: what the public page, open data and the bot list.

Public means: active stations of open campaigns that are running or still to come, never a
closed campaign's. Only what a traveller needs is kept (name, place, hours, services, whether
an item is still there); no volunteer, no phone, no stock figure leaves this module.

Reading every station on each request would cost more than answering it, so the stations
are kept in memory per process as a *snapshot*, rebuilt when a cheap change marker (one
query of counts and latest change times) moves, and at most ``SNAPSHOT_TTL`` old in any case
(a renamed unit changes no marker). Distance and "open now" are worked out per request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import heapq
import math
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tortoise.connection import connections

from stations.clock import VN_TZ
from stations.enums import CampaignStatus, SupplyCategory
from stations.models import Station, SupplyItem
from stations.services.geo import check_coordinates, distance_between_radians
from stations.services.opening_hours import OpenState, OpenStatus, open_state
from stations.services.station_services import services_of
from stations.text import fold

#: Rebuild the snapshot at least this often, whatever the marker says.
SNAPSHOT_TTL = 60.0
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
    #: the place names a traveller chooses from, read from the address ("…, ward, province")
    province: str
    ward: str
    #: what filters and sorting compare, folded once when the snapshot is built
    province_key: str
    ward_key: str
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


@dataclass(frozen=True)
class PlaceFilter:
    """Which stations a traveller without location asked for: by province and ward or
    commune (read from the address today; an administrative-division code can take their
    place here), or by words of a road or place name, with or without diacritics."""

    province: str = ""
    ward: str = ""
    text: str = ""

    @functools.cached_property
    def _keys(self) -> tuple[str, str, tuple[str, ...]]:
        words = tuple(f" {word}" for word in _search_text(self.text).split())
        return fold(self.province), fold(self.ward), words

    def matches(self, station: PublicStation) -> bool:
        """Each word typed starts a word of the station's code, name or address: "30" finds
        "Quốc lộ 30", not "số 130"."""
        province, ward, words = self._keys
        if province and province != station.province_key:
            return False
        if ward and ward != station.ward_key:
            return False
        return all(word in station.search_text for word in words)

    @property
    def empty(self) -> bool:
        return not (self.province or self.ward or self.text.strip())


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
    provinces: list[str]
    #: the wards and communes of the chosen province (all of them when none is chosen)
    wards: list[str]


@dataclass
class _Snapshot:
    #: what the stations were read under, and what their stock was read under
    key: tuple[Any, ...]
    stock_key: tuple[Any, ...]
    built: float
    #: in the order of a list without location: province, ward or commune, name, code
    stations: tuple[PublicStation, ...]
    items: dict[str, PublicItem] = field(default_factory=dict)
    by_code: dict[str, list[PublicStation]] = field(default_factory=dict)
    provinces: list[str] = field(default_factory=list)
    #: province key → its wards and communes; "" → all of them
    wards: dict[str, list[str]] = field(default_factory=dict)


_snapshots: dict[str, _Snapshot] = {}


_NOT_A_WORD = re.compile(r"[^0-9a-z]+")


def _search_text(*parts: str) -> str:
    """Folded words separated by single spaces, with a space before the first."""
    return " " + _NOT_A_WORD.sub(" ", fold(" ".join(parts))).strip()


def _place_parts(address: str) -> tuple[str, str]:
    parts = [part.strip() for part in address.split(",") if part.strip()]
    province = parts[-1] if len(parts) >= 2 else ""
    ward = parts[-2] if len(parts) >= 3 else ""
    return province, ward


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


async def _build(key: tuple[Any, ...], stock_key: tuple[Any, ...], today: dt.date) -> _Snapshot:
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
    public = []
    for station in stations:
        campaign, unit = station.campaign, station.unit
        province, ward = _place_parts(station.address)
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
                province=province,
                ward=ward,
                province_key=fold(province),
                ward_key=fold(ward),
                search_text=_search_text(station.code, station.name, station.address),
                radians=(
                    (math.radians(station.latitude), math.radians(station.longitude))  # type: ignore[arg-type]
                    if located
                    else None
                ),
            )
        )
    public.sort(key=lambda s: (s.province_key, s.ward_key, fold(s.name), s.code))
    wards: dict[str, set[str]] = {"": set()}
    for listed in public:
        if listed.ward:
            wards.setdefault(listed.province_key, set()).add(listed.ward)
            wards[""].add(listed.ward)
    return _Snapshot(
        key=key,
        stock_key=stock_key,
        built=time.monotonic(),
        stations=tuple(public),
        items={
            item.code: PublicItem(item.code, item.name_vi, item.name_en)
            for item in sorted(items.values(), key=lambda item: item.id)
        },
        by_code=_by_code(public),
        provinces=sorted({s.province for s in public if s.province}, key=fold),
        wards={k: sorted(v, key=fold) for k, v in wards.items()},
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


async def _snapshot(today: dt.date) -> _Snapshot:
    database, marker = await _marker()
    key = (database, *marker[:STATION_MARKERS], today)
    stock_key = marker[STATION_MARKERS:]
    cached = _snapshots.get(database)
    if cached is None or cached.key != key or time.monotonic() - cached.built >= SNAPSHOT_TTL:
        snapshot = await _build(key, stock_key, today)
    elif cached.stock_key != stock_key:
        snapshot = await _restocked(cached, stock_key)
    else:
        return cached
    _snapshots[database] = snapshot
    return snapshot


async def snapshot_version(today: dt.date) -> tuple[Any, ...]:
    """What changes whenever the public stations may have: for ETags and derived caches."""
    snapshot = await _snapshot(today)
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
    snapshot = await _snapshot(today)
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
        wards=snapshot.wards.get(fold(place.province), []),
    )


async def public_station(code: str, *, now: dt.datetime) -> ListedStation | None:
    """One public station by its code; a code used by both a running and a coming campaign
    reads the running one."""
    snapshot = await _snapshot(now.astimezone(VN_TZ).date())
    found = [
        ListedStation(station, station.state_at(now), None)
        for station in snapshot.by_code.get(code, [])
    ]
    found = [row for row in found if row.state.status is not OpenStatus.CLOSED]
    found.sort(key=lambda row: row.station.first_day)
    return found[0] if found else None


async def public_items(*, now: dt.datetime) -> Mapping[str, PublicItem]:
    return (await _snapshot(now.astimezone(VN_TZ).date())).items
