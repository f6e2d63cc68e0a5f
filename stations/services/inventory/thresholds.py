"""Low-stock levels per station × item (the item's default when none is set)."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from stations.i18n import _
from stations.models import Station, StockBalance, SupplyItem
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.inventory.checks import MAX_THRESHOLD, check_actor, load_item, load_station
from stations.services.inventory.ledger import locked_balance
from stations.services.validation import check_whole_number


async def set_low_stock_threshold(
    station: Station, item: SupplyItem, threshold: int | None, *, by: Actor
) -> StockBalance:
    """Set the stock level under which ``station`` is short of ``item``; None: the item's default."""
    if threshold is not None:
        threshold = check_whole_number(
            threshold,
            field="threshold",
            minimum=0,
            maximum=MAX_THRESHOLD,
            message=_("The low-stock level must be a whole number between 0 and {max}, or empty."),
        )
    check_actor(by)
    async with in_transaction():
        target = await load_station(station, field="station", require_open=False)
        supply = await load_item(item, require_active=False)
        balance = await locked_balance(target.id, supply.id)
        previous = balance.low_stock_threshold
        balance.low_stock_threshold = threshold
        await balance.save(update_fields=["low_stock_threshold", "updated_at"])
        await record_event(
            by,
            "stock.threshold_set",
            object_type="stock_balance",
            object_id=balance.id,
            data={
                "station_id": target.id,
                "item_id": supply.id,
                "before": previous,
                "after": threshold,
            },
        )
    return balance
