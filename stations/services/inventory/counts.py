"""Physical counts: a rule on top of the ledger writer.

A count always writes one ``count_adjustment`` line of (counted − stock on record then),
of delta 0 when it agrees with the record: the confirmation is worth seeing, and its
idempotency key is kept so a retried request is recognised. A count reported late
(``occurred_at`` in the past) reconciles against the stock on record at its time: lines
that happened after it still apply on top of what was counted. If a later count was
already recorded, that one set the stock: this count is kept with delta 0 and
``superseded`` set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from tortoise.functions import Sum

from stations.enums import MovementKind
from stations.models import Station, StockMovement, SupplyItem
from stations.services.actor import Actor
from stations.services.inventory.checks import check_counted
from stations.services.inventory.ledger import (
    Line,
    LineEntry,
    StockChange,
    clean_options,
    write_lines,
)


async def record_count(
    station: Station,
    item: SupplyItem,
    counted: int,
    *,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> StockChange:
    """A physical count of one item (see the module's docstring)."""
    entry = LineEntry(item, counted, idempotency_key, note, occurred_at)
    return (await record_counts(station, [entry], by=by))[0]


async def record_counts(
    station: Station, entries: Sequence[LineEntry], *, by: Actor
) -> list[StockChange]:
    """Counts of several items at one station (``quantity``: what was counted), in one
    transaction: every line or none, results in the order given."""
    counts = [check_counted(entry.quantity) for entry in entries]
    lines = [
        Line(station, entry.item, MovementKind.COUNT_ADJUSTMENT, 0, counted=counted, **options)
        for entry, counted, options in zip(entries, counts, clean_options(entries, by), strict=True)
    ]
    return await write_lines(lines, by=by, settle=_reconcile)


async def _reconcile(
    line: Line, station_id: int, item_id: int, moment: dt.datetime, on_record: int
) -> Line:
    """The count's delta against the stock on record at ``moment`` (the lines that
    happened after it still apply on top), or 0 when a later count already set the stock.

    A line recorded by ``moment`` happened by then, whatever time a fast phone clock put on
    it: a count at ``moment`` already saw its effect. So a count of "now" has no later lines.
    """
    later = StockMovement.filter(
        station_id=station_id, item_id=item_id, occurred_at__gt=moment, recorded_at__gt=moment
    )
    if await later.filter(kind=MovementKind.COUNT_ADJUSTMENT).exists():
        return replace(line, delta=0, superseded=True)
    rows = await later.annotate(total=Sum("delta")).values("total")
    since = int(rows[0]["total"] or 0) if rows else 0
    assert line.counted is not None
    return replace(line, delta=line.counted - (on_record - since))
