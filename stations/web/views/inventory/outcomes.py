"""What a recorded task says on the station's summary: the line it wrote, and what that line
flagged (a discrepancy, stock below its low-stock level)."""

from __future__ import annotations

from dataclasses import dataclass

from stations.enums import Language
from stations.formatting import format_number, unit_and_item
from stations.i18n import _
from stations.models import SupplyItem
from stations.services import inventory

DISCREPANCY_NOTE = _(
    "This took more {item} than the stock on record, so it is flagged as a discrepancy. "
    "A physical count will reconcile the record."
)
LOW_STOCK_NOTE = _("{item} is now below its low-stock level of {threshold}.")
ALREADY_RECORDED = _("This form had already been recorded: nothing was written twice.")


@dataclass(frozen=True)
class Outcome:
    """What a recorded form says on the summary: ``(msgid, params)`` messages."""

    messages: list[tuple[str, dict[str, object]]]


def item_words(item: SupplyItem, quantity: int, language: Language) -> dict[str, object]:
    """The parts of "30 khăn lạnh" for a message: Vietnamese messages write
    "{quantity} {unit}{item}", the unit left out when the item's name says it."""
    unit, name = unit_and_item(item.unit_label(language.value), item.name(language.value), language)
    return {"quantity": format_number(quantity, language), "unit": unit, "item": name}


def recorded(
    msgid: str, change: inventory.StockChange, item: SupplyItem, language: Language, **extra: object
) -> Outcome:
    """The flash of a recorded line, and what it flagged (a discrepancy, low stock)."""
    if change.duplicate:
        return Outcome([(ALREADY_RECORDED, {})])
    words = item_words(item, change.movement.quantity, language)
    params = words | {"balance": format_number(change.balance_after, language), **extra}
    messages: list[tuple[str, dict[str, object]]] = [(msgid, params)]
    if change.discrepancy:
        messages.append((DISCREPANCY_NOTE, {"item": words["item"]}))
    if change.low_stock_crossed and change.threshold is not None:
        level = format_number(change.threshold, language)
        messages.append((LOW_STOCK_NOTE, {"item": words["item"], "threshold": level}))
    return Outcome(messages)
