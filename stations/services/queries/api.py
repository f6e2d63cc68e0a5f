"""Reads of the JSON API: one row by id, and pages of rows by keyset.

Every list is ordered by id and continues after the last id of the previous page, so a page
costs one query (two with its related rows), however deep into the list it is, and rows added
meanwhile neither repeat nor vanish. ``unit_ids`` is a principal's scope: None reads
province-wide, a set keeps to stations (and their shifts, assignments, stock) and volunteers
of those units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tortoise.models import Model
from tortoise.queryset import QuerySet

from stations.enums import AssignmentStatus, CampaignStatus, MovementKind, ShiftStatus
from stations.i18n import _
from stations.models import (
    Assignment,
    Campaign,
    Shift,
    Station,
    StockMovement,
    SupplyItem,
    Unit,
    Volunteer,
)
from stations.services.errors import NotFound
from stations.services.permissions import NO_SUCH_STATION, NO_SUCH_VOLUNTEER

#: Ids are 32-bit on PostgreSQL (``serial``): a larger one names no row and must not
#: reach the database, where it would be an error rather than "not found".
MAX_ID = 2**31 - 1
#: Ledger lines use 64-bit ids.
MAX_BIG_ID = 2**63 - 1

RowT = TypeVar("RowT", bound=Model)


@dataclass(frozen=True)
class Page(Generic[RowT]):
    rows: list[RowT]
    #: the id to continue after, or None on the last page
    next_after: int | None


@dataclass(frozen=True)
class Window:
    """A span of time, ``since`` inclusive, ``until`` exclusive; either end may be open."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _max_id(model: type[Model]) -> int:
    return MAX_BIG_ID if model is StockMovement else MAX_ID


async def _page(query: QuerySet[RowT], *, after: int | None, limit: int) -> Page[RowT]:
    if after is not None:
        if after >= _max_id(query.model):
            # Past the last id the column can hold: nothing follows (and the database
            # would refuse the number rather than answer).
            return Page([], None)
        query = query.filter(id__gt=after)
    rows = await query.order_by("id").limit(limit + 1)
    if len(rows) > limit:
        rows = rows[:limit]
        return Page(rows, rows[-1].pk)
    return Page(rows, None)


def _in_scope(
    query: QuerySet[RowT], field: str, unit_ids: Collection[int] | None
) -> QuerySet[RowT]:
    if unit_ids is None:
        return query
    # An empty scope (a unit deleted since) sees nothing; ``__in`` with no values would be
    # refused by some dialects, so ask for an id no row has.
    return query.filter(**{f"{field}__in": list(unit_ids) or [0]})


def _overlapping(query: QuerySet[RowT], window: Window, *, start: str, end: str) -> QuerySet[RowT]:
    if window.since is not None:
        query = query.filter(**{f"{end}__gt": window.since})
    if window.until is not None:
        query = query.filter(**{f"{start}__lt": window.until})
    return query


def _within(query: QuerySet[RowT], window: Window, *, field: str) -> QuerySet[RowT]:
    if window.since is not None:
        query = query.filter(**{f"{field}__gte": window.since})
    if window.until is not None:
        query = query.filter(**{f"{field}__lt": window.until})
    return query


async def _one(model: type[RowT], row_id: int, missing: str, field: str, *related: str) -> RowT:
    found = None
    if 0 < row_id <= _max_id(model):
        query = model.get_or_none(id=row_id)
        found = await (query.select_related(*related) if related else query)
    if found is None:
        raise NotFound(missing, field=field, id=row_id)
    return found


# -- one row ----------------------------------------------------------------------------


async def campaign_by_id(campaign_id: int, *, field: str = "campaign_id") -> Campaign:
    return await _one(Campaign, campaign_id, _("There is no campaign with id {id}."), field)


NO_SUCH_SHIFT = _("There is no shift with id {id}.")
NO_SUCH_ASSIGNMENT = _("There is no assignment with id {id}.")
NO_SUCH_MOVEMENT = _("There is no stock movement with id {id}.")


def unknown(row: Station | Shift | Assignment | StockMovement, *, field: str) -> NotFound:
    """The answer to an unknown id of ``row``'s kind, for a row outside the reader's scope:
    word for word what a missing row gets (``permissions.check_can_*(missing=…)``)."""
    message = {
        Station: NO_SUCH_STATION,
        Shift: NO_SUCH_SHIFT,
        Assignment: NO_SUCH_ASSIGNMENT,
        StockMovement: NO_SUCH_MOVEMENT,
    }[type(row)]
    return NotFound(message, field=field, id=row.id)


async def station_by_id(station_id: int, *, field: str = "station_id") -> Station:
    return await _one(Station, station_id, NO_SUCH_STATION, field)


async def shift_by_id(shift_id: int, *, field: str = "shift_id") -> Shift:
    return await _one(Shift, shift_id, NO_SUCH_SHIFT, field, "station")


async def volunteer_by_id(volunteer_id: int, *, field: str = "volunteer_id") -> Volunteer:
    return await _one(Volunteer, volunteer_id, NO_SUCH_VOLUNTEER, field)


async def assignment_by_id(assignment_id: int, *, field: str = "assignment_id") -> Assignment:
    return await _one(Assignment, assignment_id, NO_SUCH_ASSIGNMENT, field, "shift__station")


async def movement_by_id(movement_id: int, *, field: str = "movement_id") -> StockMovement:
    return await _one(StockMovement, movement_id, NO_SUCH_MOVEMENT, field, "station", "item")


async def item_by_code(code: str) -> SupplyItem:
    item = await SupplyItem.get_or_none(code=code)
    if item is None:
        raise NotFound(_("There is no supply item with code “{code}”."), field="item", code=code)
    return item


# -- pages ------------------------------------------------------------------------------


async def page_campaigns(
    *, status: CampaignStatus | None = None, after: int | None = None, limit: int
) -> Page[Campaign]:
    query = Campaign.all()
    if status is not None:
        query = query.filter(status=status)
    return await _page(query, after=after, limit=limit)


async def page_stations(
    *,
    unit_ids: Collection[int] | None,
    campaign_id: int | None = None,
    after: int | None = None,
    limit: int,
) -> Page[Station]:
    query = _in_scope(Station.all(), "unit_id", unit_ids)
    if campaign_id is not None:
        query = query.filter(campaign_id=campaign_id)
    return await _page(query, after=after, limit=limit)


async def page_shifts(
    *,
    unit_ids: Collection[int] | None,
    campaign_id: int | None = None,
    station_id: int | None = None,
    status: ShiftStatus | None = None,
    window: Window = Window(),
    after: int | None = None,
    limit: int,
) -> Page[Shift]:
    """Shifts overlapping ``window``."""
    query = _in_scope(Shift.all().select_related("station"), "station__unit_id", unit_ids)
    if campaign_id is not None:
        query = query.filter(station__campaign_id=campaign_id)
    if station_id is not None:
        query = query.filter(station_id=station_id)
    if status is not None:
        query = query.filter(status=status)
    query = _overlapping(query, window, start="starts_at", end="ends_at")
    return await _page(query, after=after, limit=limit)


async def page_volunteers(
    *, unit_ids: Collection[int] | None, after: int | None = None, limit: int
) -> Page[Volunteer]:
    return await _page(_in_scope(Volunteer.all(), "unit_id", unit_ids), after=after, limit=limit)


async def page_assignments(
    *,
    unit_ids: Collection[int] | None,
    campaign_id: int | None = None,
    station_id: int | None = None,
    shift_id: int | None = None,
    volunteer_id: int | None = None,
    status: AssignmentStatus | None = None,
    window: Window = Window(),
    after: int | None = None,
    limit: int,
) -> Page[Assignment]:
    """Assignments whose shift overlaps ``window``."""
    query = _in_scope(
        Assignment.all().select_related("shift__station"), "shift__station__unit_id", unit_ids
    )
    filters: dict[str, Any] = {
        "shift__station__campaign_id": campaign_id,
        "shift__station_id": station_id,
        "shift_id": shift_id,
        "volunteer_id": volunteer_id,
        "status": status,
    }
    query = query.filter(**{name: value for name, value in filters.items() if value is not None})
    query = _overlapping(query, window, start="shift__starts_at", end="shift__ends_at")
    return await _page(query, after=after, limit=limit)


async def page_movements(
    *,
    unit_ids: Collection[int] | None,
    campaign_id: int | None = None,
    station_id: int | None = None,
    item_code: str | None = None,
    kind: MovementKind | None = None,
    window: Window = Window(),
    after: int | None = None,
    limit: int,
) -> Page[StockMovement]:
    """Ledger lines that occurred within ``window``."""
    query = _in_scope(
        StockMovement.all().select_related("station", "item"), "station__unit_id", unit_ids
    )
    filters: dict[str, Any] = {
        "station__campaign_id": campaign_id,
        "station_id": station_id,
        "item__code": item_code,
        "kind": kind,
    }
    query = query.filter(**{name: value for name, value in filters.items() if value is not None})
    query = _within(query, window, field="occurred_at")
    return await _page(query, after=after, limit=limit)


async def page_items(*, after: int | None = None, limit: int) -> Page[SupplyItem]:
    return await _page(SupplyItem.all(), after=after, limit=limit)


async def visible_station_ids(campaign_id: int, *, unit_ids: Collection[int] | None) -> list[int]:
    """The ids of a campaign's stations in scope, by code."""
    query = _in_scope(Station.filter(campaign_id=campaign_id), "unit_id", unit_ids)
    ids: list[int] = await query.order_by("code", "id").values_list("id", flat=True)  # type: ignore[assignment]
    return ids


async def movements_by_ids(movement_ids: Collection[int]) -> list[StockMovement]:
    """Ledger lines with their station and item, in the order of ``movement_ids``."""
    found = {
        row.id: row
        for row in await StockMovement.filter(id__in=list(movement_ids)).select_related(
            "station", "item"
        )
    }
    return [found[movement_id] for movement_id in movement_ids if movement_id in found]


async def unit_by_id(unit_id: int, *, field: str = "unit_id") -> Unit:
    return await _one(Unit, unit_id, _("There is no unit with id {id}."), field)
