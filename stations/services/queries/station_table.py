"""The table of a campaign's stations a coordinator manages, a page at a time.

A nationwide campaign has a thousand stations: the table shows 50 to a page in code order,
inactive ones too, searchable by code or name (diacritics and case ignored, as people type
them) and narrowed to the stations of one unit. Four statements however many stations:
the unit filtered on, how many match (or, when searching, every code and name in scope,
matched here because diacritics cannot be folded in SQL), one page with its active shifts,
and its units.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from stations.enums import ShiftStatus
from stations.models import Campaign, Station, Unit
from stations.services.errors import InvalidInput
from stations.services.queries.api import MAX_ID
from stations.services.queries.unit_overview import NO_SUCH_UNIT, PAGE_PAST_THE_END
from stations.text import fold

STATIONS_PER_PAGE: Final = 50
#: Longer search text is cut: no code or name is longer.
MAX_QUERY_LENGTH: Final = 100


@dataclass(frozen=True)
class StationRow:
    station: Station
    unit: Unit | None
    active_shifts: int


@dataclass(frozen=True)
class StationTable:
    #: one page, in code order
    rows: list[StationRow]
    #: how many stations match, over every page
    count: int
    page: int
    page_count: int
    #: the search text as it was used (cleaned and cut)
    query: str
    #: the unit whose stations alone are listed, if one was chosen
    unit: Unit | None


def clean_query(raw: str) -> str:
    """Search text as it is matched: printable characters only (PostgreSQL refuses a NUL,
    and no name holds a control character), trimmed, at most ``MAX_QUERY_LENGTH``."""
    return "".join(char for char in raw[:MAX_QUERY_LENGTH] if char.isprintable()).strip()


def _matches(words: list[str], code: str, name: str) -> bool:
    text = fold(f"{code} {name}")
    return all(word in text for word in words)


async def _unit_in_scope(unit_id: int, unit_ids: Collection[int] | None) -> Unit:
    """The unit to filter on; one outside the reader's scope is answered as an unknown one."""
    unit = None
    if 0 < unit_id <= MAX_ID and (unit_ids is None or unit_id in unit_ids):
        unit = await Unit.get_or_none(id=unit_id)
    if unit is None:
        raise InvalidInput(NO_SUCH_UNIT, field="station_unit", id=unit_id)
    return unit


def _with_shifts(query: QuerySet[Station]) -> QuerySet[Station]:
    return query.annotate(
        active_shift_count=Count("shifts", _filter=Q(shifts__status=ShiftStatus.ACTIVE))
    ).group_by("id")


async def station_table(
    campaign: Campaign,
    *,
    unit_ids: Collection[int] | None,
    query: str = "",
    unit_id: int | None = None,
    page: int = 1,
    per_page: int = STATIONS_PER_PAGE,
) -> StationTable:
    """Page ``page`` of the campaign's stations a reader whose scope is ``unit_ids`` sees
    (None: all), those of ``unit_id`` only when given, whose code or name holds every word
    of ``query``. An unknown unit, or a page past the last, is refused."""
    unit = None if unit_id is None else await _unit_in_scope(unit_id, unit_ids)
    stations = Station.filter(campaign_id=campaign.id)
    if unit is not None:
        stations = stations.filter(unit_id=unit.id)
    elif unit_ids is not None:
        stations = stations.filter(unit_id__in=sorted(unit_ids) or [0])
    text = clean_query(query)
    words = fold(text).split()
    shown_ids: list[int] | None = None
    if words:
        found = [
            station_id
            for station_id, code, name in await stations.order_by("code", "id").values_list(
                "id", "code", "name"
            )
            if _matches(words, code, name)
        ]
        count = len(found)
    else:
        count = await stations.count()
    page_count = max(1, math.ceil(count / per_page))
    if page > page_count:
        raise InvalidInput(PAGE_PAST_THE_END, field="p", pages=page_count)
    offset = (page - 1) * per_page
    if words:
        shown_ids = found[offset : offset + per_page]
        page_query = _with_shifts(Station.filter(id__in=shown_ids or [0]))
    else:
        page_query = _with_shifts(stations).offset(offset).limit(per_page)
    rows = await page_query.order_by("code", "id")
    units = {
        unit.id: unit
        for unit in await Unit.filter(
            id__in=sorted({station.unit_id for station in rows}) or [0]  # type: ignore[attr-defined]
        )
    }
    return StationTable(
        rows=[
            StationRow(
                station=station,
                unit=units.get(station.unit_id),  # type: ignore[attr-defined]
                active_shifts=int(station.active_shift_count or 0),  # type: ignore[attr-defined]
            )
            for station in rows
        ],
        count=count,
        page=page,
        page_count=page_count,
        query=text,
        unit=unit,
    )
