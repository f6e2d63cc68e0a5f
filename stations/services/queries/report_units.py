"""The per-unit rollup of a campaign report and its "x/y đơn vị" coverage.

A province reports per *locality*: the units directly under the report's root — the
campaign's organising unit for the whole campaign (the ward and commune police, the traffic
police, the unions of the province police; the provinces of a nationwide campaign), the
coordinator's own unit for a report limited to their units. A station counts for the one of
them it descends from; a station of a unit outside that tree (or of the root itself) counts
for its own unit. Without a root, or when it has no sub-units, each station's own unit is a
row. The rollup itself is summed in SQL (``report_rollup``); this module names and orders
its rows.

- **units_total** — the rows: every reporting unit, those without a station included.
- **units_taking_part** — the reporting units with at least one counted station.
- Each row: **stations**, **turns**, **hours** (from minutes, rounded once per row),
  **handouts** (every item handed out, in its own unit) and **services** (vehicles checked or
  repaired and people given first aid or directions: loudspeaker minutes are not a count of
  services).

The unit tree is read in one query (``unit_tree``): a country has thousands of units at
most, a few bytes each.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from stations.services.queries.report_rollup import Figures
from stations.services.queries.unit_tree import UnitNode


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    unit: str
    stations: int
    turns: int
    worked_minutes: int
    handouts: int
    services: int

    @property
    def hours(self) -> float:
        return round(self.worked_minutes / 60, 1)


@dataclass(frozen=True)
class UnitsTable:
    rows: list[UnitRow] = field(default_factory=list)

    @property
    def units_total(self) -> int:
        return len(self.rows)

    @property
    def units_taking_part(self) -> int:
        return sum(1 for row in self.rows if row.stations)


def report_root(
    tree: Mapping[int, UnitNode], campaign_unit_id: int | None, unit_ids: Collection[int] | None
) -> int | None:
    """The unit whose children are the reporting units: the campaign's organising unit, or
    the top of a coordinator's scope when that scope is one branch of the tree."""
    if unit_ids is None:
        return campaign_unit_id
    tops = [u for u in unit_ids if u in tree and tree[u].parent_id not in unit_ids]
    return tops[0] if len(tops) == 1 else None


def reporting_units(
    tree: Mapping[int, UnitNode],
    root: int | None,
    by_unit: Mapping[int, Figures],
    *,
    scoped: bool,
) -> list[tuple[int, str, Figures]]:
    """(unit id, name, figures) per reporting unit, most stations first; ``scoped`` lists
    only the units with stations, since a unit coordinator sees no other unit's figures."""
    rows: dict[int, Figures] = {}
    if root is not None and not scoped:
        rows = {unit.id: Figures() for unit in tree.values() if unit.parent_id == root}
    rows.update(by_unit)
    named = [
        (unit_id, tree[unit_id].name if unit_id in tree else "", figures)
        for unit_id, figures in rows.items()
        if not scoped or figures.stations
    ]
    named.sort(key=lambda row: (-row[2].stations, row[1], row[0]))
    return named


def units_table(rows: Iterable[tuple[int, str, Figures]]) -> UnitsTable:
    return UnitsTable(
        [
            UnitRow(
                unit_id=unit_id,
                unit=name,
                stations=figures.stations,
                turns=figures["turns"],
                worked_minutes=figures["worked_minutes"],
                handouts=figures.handouts,
                services=figures.services,
            )
            for unit_id, name, figures in rows
        ]
    )
