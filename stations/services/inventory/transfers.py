"""Transfers: a rule on top of the ledger writer — a ``transfer_out`` and a ``transfer_in``
line sharing a ``transfer_group``, written together (both balances locked in (station, item)
order, so two opposite transfers never deadlock)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from stations.enums import MovementKind
from stations.i18n import _
from stations.models import Station, SupplyItem
from stations.services.actor import Actor
from stations.services.audit import AuditEntry
from stations.services.errors import InvalidInput
from stations.services.inventory.checks import check_quantity
from stations.services.inventory.ledger import (
    Line,
    LineEntry,
    StockChange,
    clean_options,
    write_lines,
)


async def transfer_stock(
    from_station: Station,
    to_station: Station,
    item: SupplyItem,
    quantity: int,
    *,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[StockChange, StockChange]:
    """Move stock between two stations of one campaign; the idempotency key is kept on the
    ``transfer_out`` line."""
    amount = check_quantity(quantity)
    (options,) = clean_options([LineEntry(item, amount, idempotency_key, note, occurred_at)], by)
    source, target = getattr(from_station, "id", None), getattr(to_station, "id", None)
    if source is not None and source == target:
        raise InvalidInput(_("A station cannot transfer stock to itself."), field="to_station")
    group = uuid.uuid4()
    out = Line(
        from_station,
        item,
        MovementKind.TRANSFER_OUT,
        -amount,
        counterpart=to_station,
        transfer_group=group,
        station_field="from_station",
        **options,
    )
    into = Line(
        to_station,
        item,
        MovementKind.TRANSFER_IN,
        amount,
        counterpart=from_station,
        transfer_group=group,
        station_field="to_station",
        **(options | {"key": None}),
    )
    changes = await write_lines([out, into], by=by, audit=_transfer_event)
    return changes[0], changes[1]


def _transfer_event(changes: Sequence[StockChange]) -> list[AuditEntry]:
    out, into = changes
    return [
        AuditEntry(
            "stock.transfer",
            "stock_movement",
            out.movement.id,
            {
                "from_station_id": out.movement.station_id,
                "to_station_id": into.movement.station_id,
                "item_id": out.movement.item_id,
                "quantity": out.movement.quantity,
                "transfer_group": str(out.movement.transfer_group),
                "transfer_in_id": into.movement.id,
                "from_balance_after": out.balance_after,
                "to_balance_after": into.balance_after,
                "discrepancy": out.discrepancy,
            },
        )
    ]
