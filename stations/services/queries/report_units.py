"""The per-unit table of a campaign report and its "x/y đơn vị" coverage.

A province reports per *locality*: the units directly under the campaign's organising unit
(the ward and commune police, the traffic police, the unions of the province police). A
station counts for the one of them it descends from; a station of a unit outside that tree
(or of the organising unit itself) counts for its own unit. Without an organising unit, or
when it has no sub-units, each station's own unit is a row.

- **units_total** — the rows: every reporting unit, those without a station included.
- **units_taking_part** — the reporting units with at least one counted station.
- Each row: **stations**, **turns**, **hours** (from minutes, rounded once per row),
  **handouts** (every item handed out, in its own unit) and **services** (vehicles checked or
  repaired and people given first aid or directions: loudspeaker minutes are not a count of
  services).

The unit tree is read in one query: a province has tens of units, not thousands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from stations.models import Campaign, Station, Unit


@dataclass(frozen=True)
class StationFigures:
    """What one station adds to its unit's row, in unrounded units."""

    turns: int = 0
    worked_minutes: int = 0
    handouts: int = 0
    services: int = 0


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


@dataclass
class _Sum:
    stations: int = 0
    turns: int = 0
    worked_minutes: int = 0
    handouts: int = 0
    services: int = 0

    def add(self, figures: StationFigures) -> None:
        self.stations += 1
        self.turns += figures.turns
        self.worked_minutes += figures.worked_minutes
        self.handouts += figures.handouts
        self.services += figures.services


async def campaign_units(
    campaign: Campaign,
    stations: Iterable[Station],
    figures: Mapping[int, StationFigures],
    *,
    scoped: bool = False,
) -> UnitsTable:
    """One row per reporting unit (see the module); ``scoped`` lists only the units with
    stations among ``stations``, since a unit coordinator sees no other unit's figures."""
    units = {unit.id: unit for unit in await Unit.all()}
    reporting = [
        unit
        for unit in units.values()
        if campaign.unit_id is not None and unit.parent_id == campaign.unit_id
    ]
    reporting_ids = {unit.id for unit in reporting}
    sums: dict[int, _Sum] = {unit.id: _Sum() for unit in reporting}
    for station in stations:
        owner = _reporting_unit(station.unit_id, units, reporting_ids)
        sums.setdefault(owner, _Sum()).add(figures.get(station.id, StationFigures()))
    rows = [
        UnitRow(
            unit_id=unit_id,
            unit=units[unit_id].name if unit_id in units else "",
            stations=total.stations,
            turns=total.turns,
            worked_minutes=total.worked_minutes,
            handouts=total.handouts,
            services=total.services,
        )
        for unit_id, total in sums.items()
        if not scoped or total.stations
    ]
    rows.sort(key=lambda row: (-row.stations, row.unit, row.unit_id))
    return UnitsTable(rows)


def _reporting_unit(unit_id: int, units: Mapping[int, Unit], reporting: set[int]) -> int:
    """The reporting unit ``unit_id`` descends from, or itself outside the tree."""
    seen: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in seen:
        if current in reporting:
            return current
        seen.add(current)
        unit = units.get(current)
        current = unit.parent_id if unit is not None else None
    return unit_id
