"""What the bot says about stock: a written line and what it flagged, a line of stock."""

from __future__ import annotations

from bot import texts
from bot.handlers.supplies.actions import COUNT, HANDOUT
from stations.formatting import format_number, format_signed, unit_and_item
from stations.i18n import _
from stations.models import SupplyItem
from stations.services.inventory import StockChange

HANDED_OUT = _("✅ Handed out {quantity} {unit} of {item}. Stock now: {stock} {stock_unit}.")
COUNTED = _(
    "✅ Counted {quantity} {unit} of {item}; the stock on record is now {stock} {stock_unit}."
)
COUNT_CHANGED = _("The record was {before} {unit}: adjusted by {delta}.")
RECEIVED = _("✅ Received {quantity} {unit} of {item}. Stock now: {stock} {stock_unit}.")
DISCREPANCY = _("This is more than the stock on record; a coordinator will check it.")
STOCK_LINE = _("• {item}: {quantity} {unit}")
NO_ITEMS = _("No supply items are set up yet. Ask your coordinator.")


def amount(value: int, lang: str) -> str:
    return format_number(value, lang)


def item_words(item: SupplyItem, count: int | None, lang: str) -> dict[str, str]:
    """``unit`` and ``item`` for "{quantity} {unit}{item}": "30 khăn lạnh", "50 chai nước
    suối" in Vietnamese, never "30 khăn Khăn lạnh" (docs/glossary.md)."""
    unit, name = unit_and_item(item.unit_label(lang, count), item.name(lang), lang)
    return {"unit": unit, "item": name}


def change_text(action: str, item: SupplyItem, change: StockChange, lang: str) -> str:
    line = change.movement
    common = {
        "stock": amount(change.balance_after, lang),
        "stock_unit": item.unit_label(lang, change.balance_after),
    }
    if action == COUNT:
        counted = line.counted_quantity or 0
        parts = [
            texts.render(
                COUNTED,
                lang,
                quantity=amount(counted, lang),
                **item_words(item, counted, lang),
                **common,
            )
        ]
        if line.delta:
            parts.append(
                texts.render(
                    COUNT_CHANGED,
                    lang,
                    before=amount(change.balance_after - line.delta, lang),
                    delta=format_signed(line.delta, lang),
                    unit=item.unit_label(lang, change.balance_after - line.delta),
                )
            )
    else:
        message = HANDED_OUT if action == HANDOUT else RECEIVED
        parts = [
            texts.render(
                message,
                lang,
                quantity=amount(line.quantity, lang),
                **item_words(item, line.quantity, lang),
                **common,
            )
        ]
    if change.discrepancy:
        parts.append(texts.render(DISCREPANCY, lang))
    if change.threshold is not None and change.balance_after < change.threshold:
        parts.append(
            texts.render(
                texts.LOW_STOCK,
                lang,
                threshold=amount(change.threshold, lang),
                unit=item.unit_label(lang, change.threshold),
            )
        )
    return "\n".join(parts)


def changes_text(
    action: str, lines: list[tuple[SupplyItem, int]], changes: list[StockChange], lang: str
) -> str:
    return "\n\n".join(
        change_text(action, item, change, lang)
        for (item, _quantity), change in zip(lines, changes, strict=True)
    )
