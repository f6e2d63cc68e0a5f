"""Which catalog item each line of a typed report names, or why the report is refused (a
unit that is not how its item is counted)."""

from __future__ import annotations

from dataclasses import dataclass

from bot import texts
from bot.parsing import ReportLine
from stations.models import SupplyItem
from stations.services.catalog import CatalogIndex


@dataclass(frozen=True)
class Resolved:
    """A report's lines with their items; ``unknown`` is the first line naming none."""

    lines: list[tuple[SupplyItem | None, int, str]]

    @property
    def unknown(self) -> int | None:
        return next((i for i, (item, _q, _w) in enumerate(self.lines) if item is None), None)

    def known(self) -> list[tuple[SupplyItem, int]]:
        return [(item, quantity) for item, quantity, _words in self.lines if item is not None]


def resolve_report(index: CatalogIndex, lines: list[ReportLine], lang: str) -> Resolved | str:
    """Each line's item (None when no item has its words), or the refusal of a unit that
    is not how its item is counted."""
    resolved: list[tuple[SupplyItem | None, int, str]] = []
    for line in lines:
        match = index.read(line.words, line.unit)
        if match.item is not None and match.wrong_unit:
            if index.find(match.wrong_unit) is not None:
                # "nước 50 khăn": khăn is an item too, whose number is missing.
                return texts.render(
                    texts.MISSING_QUANTITY, lang, text=texts.shorten(match.wrong_unit)
                )
            return texts.render(
                texts.WRONG_UNIT,
                lang,
                item=match.item.name(lang),
                unit=match.item.unit_label(lang, None),
                text=texts.shorten(match.wrong_unit),
            )
        resolved.append((match.item, line.quantity, line.words))
    return Resolved(resolved)
