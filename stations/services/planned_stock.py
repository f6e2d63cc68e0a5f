"""Planned opening stock: how much of each item a station should hold on the first day.

The readiness view of a campaign in planning compares it with the receipts so far."""

from __future__ import annotations

from typing import Final

from tortoise.transactions import in_transaction

from stations.i18n import _
from stations.models import PlannedStock, Station, SupplyItem
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.inventory import check_actor, load_item, load_station
from stations.services.validation import check_whole_number

MAX_PLANNED: Final = 1_000_000


async def set_planned_stock(
    station: Station, item: SupplyItem, quantity: int | None, *, by: Actor
) -> PlannedStock | None:
    """Plan ``quantity`` of ``item`` at ``station``; None or 0 removes the plan. Refused once
    the campaign is closed."""
    if quantity is not None:
        quantity = check_whole_number(
            quantity,
            field="planned",
            minimum=0,
            maximum=MAX_PLANNED,
            message=_("The planned quantity must be a whole number between 0 and {max}, or empty."),
        )
    check_actor(by)
    async with in_transaction():
        target = await load_station(station, field="station", require_open=True)
        supply = await load_item(item)
        existing = await PlannedStock.select_for_update().get_or_none(
            station_id=target.id, item_id=supply.id
        )
        before = existing.quantity if existing is not None else None
        plan: PlannedStock | None
        if not quantity:
            if existing is not None:
                await existing.delete()
            plan = None
        elif existing is None:
            plan = await PlannedStock.create(
                station_id=target.id, item_id=supply.id, quantity=quantity
            )
        else:
            existing.quantity = quantity
            await existing.save(update_fields=["quantity", "updated_at"])
            plan = existing
        await record_event(
            by,
            "stock.planned",
            object_type="station",
            object_id=target.id,
            data={"item_id": supply.id, "before": before, "after": quantity or None},
        )
    return plan
