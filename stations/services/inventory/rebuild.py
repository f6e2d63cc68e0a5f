"""Rebuilding the balances and daily tallies from the ledger, which stays the truth."""

from __future__ import annotations

from collections.abc import Sequence

from tortoise.connection import connections
from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import MovementKind
from stations.i18n import _
from stations.models import DailyStockTally, StockBalance, StockMovement
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import Conflict, InvalidInput
from stations.services.queries.local_day import as_date, local_day_sql
from stations.services.sql import placeholders


async def rebuild_balances(*, station_ids: Sequence[int] | None = None) -> int:
    """Recompute balances (one grouped SUM; thresholds are kept) and the daily tallies from
    the ledger.

    For after a bulk load that wrote ledger lines directly, and to reconcile. Returns
    how many balance rows changed or were created.
    """
    if station_ids is not None:
        station_ids = _check_ids(station_ids)
        if not station_ids:
            return 0
    now = clock.now()
    async with in_transaction():
        # Querysets bind a connection when built: build them inside the transaction.
        balances = StockBalance.all()
        lines = StockMovement.all()
        if station_ids is not None:
            balances = balances.filter(station_id__in=station_ids)
            lines = lines.filter(station_id__in=station_ids)
        # The same (station, item) lock order as every writer: no deadlock with a transfer.
        existing = await balances.select_for_update().order_by("station_id", "item_id")
        totals = {
            (row["station_id"], row["item_id"]): int(row["total"] or 0)
            for row in await lines.annotate(total=Sum("delta"))
            .group_by("station_id", "item_id")
            .values("station_id", "item_id", "total")
        }
        changed = []
        for balance in existing:
            wanted = totals.pop((balance.station_id, balance.item_id), 0)
            if balance.quantity != wanted:
                balance.quantity = wanted
                balance.updated_at = now
                changed.append(balance)
        missing = [
            StockBalance(station_id=station_id, item_id=item_id, quantity=total, updated_at=now)
            for (station_id, item_id), total in totals.items()
        ]
        if changed:
            await StockBalance.bulk_update(changed, fields=["quantity", "updated_at"])
        if missing:
            try:
                async with in_transaction():
                    await StockBalance.bulk_create(missing)
            except IntegrityError as exc:
                raise Conflict(
                    _("Stock was recorded while balances were rebuilt. Please run it again."),
                    field=None,
                ) from exc
        tallies = await _rebuild_daily_tallies(station_ids)
        if changed or missing or tallies:
            await record_event(
                Actor.system("rebuild_balances"),
                "stock.balances_rebuilt",
                object_type="stock_balance",
                object_id=None,
                data={
                    "station_ids": list(station_ids) if station_ids is not None else None,
                    "changed": len(changed),
                    "created": len(missing),
                    "daily_tallies": tallies,
                },
            )
    return len(changed) + len(missing)


async def _rebuild_daily_tallies(station_ids: Sequence[int] | None) -> int:
    """Make the daily tallies of ``station_ids`` (None: every station) equal their ledger.

    Run under the balance locks of ``rebuild_balances``. Returns how many tally rows changed,
    were created or were removed.
    """
    connection = connections.get("default")
    dialect = connection.capabilities.dialect
    where = ""
    if station_ids is not None:
        where = f" WHERE station_id IN ({', '.join(placeholders(dialect, len(station_ids)))})"
    rows = await connection.execute_query_dict(
        f"SELECT station_id, item_id, kind, {local_day_sql('occurred_at', dialect)} AS day,"
        " SUM(quantity) AS quantity, SUM(delta) AS delta, COUNT(*) AS lines"
        f' FROM "{StockMovement._meta.db_table}"{where} GROUP BY 1, 2, 3, 4',
        list(station_ids or []),
    )
    wanted = {
        (row["station_id"], row["item_id"], MovementKind(row["kind"]), as_date(row["day"])): (
            int(row["quantity"] or 0),
            int(row["delta"] or 0),
            int(row["lines"]),
        )
        for row in rows
    }
    tallies = DailyStockTally.all()
    if station_ids is not None:
        tallies = tallies.filter(station_id__in=station_ids)
    changed, stale = [], []
    for tally in await tallies:
        sums = wanted.pop((tally.station_id, tally.item_id, tally.kind, tally.day), None)
        if sums is None:
            stale.append(tally.id)
        elif sums != (tally.quantity, tally.delta, tally.lines):
            tally.quantity, tally.delta, tally.lines = sums
            changed.append(tally)
    if stale:
        await DailyStockTally.filter(id__in=stale).delete()
    if changed:
        await DailyStockTally.bulk_update(changed, fields=["quantity", "delta", "lines"])
    if wanted:
        missing = [
            DailyStockTally(
                station_id=station_id,
                item_id=item_id,
                kind=kind,
                day=day,
                quantity=quantity,
                delta=delta,
                lines=lines,
            )
            for (station_id, item_id, kind, day), (quantity, delta, lines) in wanted.items()
        ]
        try:
            async with in_transaction():
                await DailyStockTally.bulk_create(missing, batch_size=1000)
        except IntegrityError as exc:
            # A first line of a new station × item, whose balance did not exist to be locked.
            raise Conflict(
                _("Stock was recorded while balances were rebuilt. Please run it again."),
                field=None,
            ) from exc
    return len(stale) + len(changed) + len(wanted)


def _check_ids(values: object) -> list[int]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidInput(_("Choose stations from the list."), field="station_ids")
    ids: list[int] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(_("Choose stations from the list."), field="station_ids")
        ids.append(value)
    return ids
