"""Stock on hand, the ledger, discrepancies and shortages: reads for the web, the bot, reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from tortoise.expressions import Q
from tortoise.functions import Sum

from stations import clock
from stations.enums import MovementKind
from stations.i18n import _
from stations.models import Station, StockBalance, StockMovement, SupplyItem
from stations.services.errors import InvalidInput, NotFound
from stations.services.inventory import effective_threshold
from stations.services.validation import check_aware_datetime, check_choice, check_page

LEDGER_PAGE_MAX: Final = 500


@dataclass(frozen=True)
class StockLine:
    station: Station
    item: SupplyItem
    quantity: int
    #: the level under which stock is low (the station's own, else the item's); None: no alert
    threshold: int | None
    low: bool
    #: a handout, loss or transfer today took more than the record held
    discrepancy_today: bool


@dataclass(frozen=True)
class BalanceMismatch:
    station_id: int
    item_id: int
    balance: int
    ledger: int


async def stock_on_hand(station: Station) -> list[StockLine]:
    """Every active item at ``station`` (0 where nothing was ever recorded), in catalog order."""
    station_id = getattr(station, "id", None)
    lines = await stock_for_stations([station_id] if isinstance(station_id, int) else [])
    if station_id not in lines:
        raise NotFound(_("The station was not found."), field="station")
    return lines[station_id]


async def stock_for_stations(station_ids: Iterable[int]) -> dict[int, list[StockLine]]:
    """Stock on hand for many stations in four queries, however many stations there are.

    Items shown: every active item, plus an inactive one a station still holds. Unknown
    station ids are left out.
    """
    ids = list(dict.fromkeys(_check_ids(station_ids)))
    if not ids:
        return {}
    stations = {s.id: s for s in await Station.filter(id__in=ids)}
    balances = {(b.station_id, b.item_id): b for b in await StockBalance.filter(station_id__in=ids)}
    still_held = {item_id for (_s, item_id), b in balances.items() if b.quantity != 0}
    items = await SupplyItem.filter(Q(is_active=True) | Q(id__in=list(still_held) or [0])).order_by(
        "id"
    )
    flagged = await _discrepancies_today(ids)
    result: dict[int, list[StockLine]] = {}
    for station_id in ids:
        station = stations.get(station_id)
        if station is None:
            continue
        lines = []
        for item in items:
            balance = balances.get((station_id, item.id))
            quantity = balance.quantity if balance else 0
            if not item.is_active and quantity == 0:
                continue
            threshold = effective_threshold(
                balance.low_stock_threshold if balance else None, item.default_low_stock
            )
            lines.append(
                StockLine(
                    station=station,
                    item=item,
                    quantity=quantity,
                    threshold=threshold,
                    low=threshold is not None and quantity < threshold,
                    discrepancy_today=(station_id, item.id) in flagged,
                )
            )
        result[station_id] = lines
    return result


async def ledger(
    *,
    station_id: int | None = None,
    item_id: int | None = None,
    kind: MovementKind | str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[StockMovement]:
    """Ledger lines, newest first; ``since`` inclusive, ``until`` exclusive."""
    query = StockMovement.all()
    if station_id is not None:
        query = query.filter(station_id=_check_id(station_id, field="station_id"))
    if item_id is not None:
        query = query.filter(item_id=_check_id(item_id, field="item_id"))
    if kind is not None:
        movement_kind = check_choice(
            kind,
            MovementKind,
            field="kind",
            message=_("Choose a kind of movement from the list."),
            exact=True,
        )
        query = query.filter(kind=movement_kind)
    if since is not None:
        query = query.filter(occurred_at__gte=check_aware_datetime(since, field="since"))
    if until is not None:
        query = query.filter(occurred_at__lt=check_aware_datetime(until, field="until"))
    check_page(
        limit,
        offset,
        max_limit=LEDGER_PAGE_MAX,
        too_many=_("Show between 1 and {max} lines at a time."),
    )
    return (
        await query.select_related("station", "item")
        .order_by("-occurred_at", "-id")
        .offset(offset)
        .limit(limit)
    )


async def discrepancies(
    *, campaign_id: int, since: dt.datetime | None = None
) -> list[StockMovement]:
    """Lines of a campaign that took more than the record held, newest first."""
    query = StockMovement.filter(
        station__campaign_id=_check_id(campaign_id, field="campaign_id"), discrepancy=True
    )
    if since is not None:
        query = query.filter(occurred_at__gte=check_aware_datetime(since, field="since"))
    return await query.select_related("station", "item").order_by("-occurred_at", "-id")


async def low_stock(*, campaign_id: int) -> list[StockLine]:
    """Every station × item of a campaign's active stations that is under its threshold."""
    station_ids: list[int] = await (  # type: ignore[assignment]
        Station.filter(campaign_id=_check_id(campaign_id, field="campaign_id"), is_active=True)
        .order_by("code")
        .values_list("id", flat=True)
    )
    stock = await stock_for_stations(station_ids)
    return [line for lines in stock.values() for line in lines if line.low]


async def balance_mismatches(station_id: int | None = None) -> list[BalanceMismatch]:
    """Where a maintained balance differs from its ledger's sum (should be never)."""
    balances = StockBalance.all()
    lines = StockMovement.all()
    if station_id is not None:
        station_id = _check_id(station_id, field="station_id")
        balances = balances.filter(station_id=station_id)
        lines = lines.filter(station_id=station_id)
    kept = {
        (row["station_id"], row["item_id"]): row["quantity"]
        for row in await balances.values("station_id", "item_id", "quantity")
    }
    summed = {
        (row["station_id"], row["item_id"]): int(row["total"] or 0)
        for row in await lines.annotate(total=Sum("delta"))
        .group_by("station_id", "item_id")
        .values("station_id", "item_id", "total")
    }
    return [
        BalanceMismatch(key[0], key[1], kept.get(key, 0), summed.get(key, 0))
        for key in sorted(kept.keys() | summed.keys())
        if kept.get(key, 0) != summed.get(key, 0)
    ]


async def balance_matches_ledger(station_id: int | None = None) -> bool:
    """The reconciliation check: every balance equals the sum of its ledger lines."""
    return not await balance_mismatches(station_id)


async def _discrepancies_today(station_ids: list[int]) -> set[tuple[int, int]]:
    today = clock.today_local()
    rows = (
        await StockMovement.filter(
            station_id__in=station_ids,
            discrepancy=True,
            occurred_at__gte=clock.local_midnight(today).astimezone(dt.UTC),
            occurred_at__lt=clock.local_midnight(today + dt.timedelta(days=1)).astimezone(dt.UTC),
        )
        .distinct()
        .values_list("station_id", "item_id")
    )
    return {(station_id, item_id) for station_id, item_id in rows}


def _check_id(value: object, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("Choose an entry from the list."), field=field)
    return value


def _check_ids(values: object) -> list[int]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInput(_("Choose stations from the list."), field="station_ids")
    return [_check_id(value, field="station_ids") for value in values]
