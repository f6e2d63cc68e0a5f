"""Turns and hours per force (police, Youth Union, Women's Union, local people, other).

A turn is a served assignment (checked in or out) that the report counts (its shift runs
into the campaign window, as for ``volunteer_turns``, so the forces add up to the report's
turns), credited to the volunteer's force as it stands when the report is made; hours are
the checked-out ``worked_minutes``, kept in minutes until the one rounding of each row. Every force is listed, zeros included, in the order of
``Force``, so the rows read like the report's sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from stations.enums import Force
from stations.services.queries.report_rollup import Figures

FORCE_VALUES = frozenset(force.value for force in Force)


@dataclass(frozen=True)
class ForceRow:
    force: str
    turns: int
    worked_minutes: int

    @property
    def hours(self) -> float:
        return round(self.worked_minutes / 60, 1)


def force_rows(by_force: Mapping[str, Figures]) -> list[ForceRow]:
    """One row per force, in the order of ``Force``, from the turns and minutes summed per
    stored force (``report_rollup``); a force no longer known counts as other."""
    turns: Counter[str] = Counter()
    minutes: Counter[str] = Counter()
    for stored, figures in by_force.items():
        force = stored if stored in FORCE_VALUES else Force.OTHER.value
        turns[force] += figures["turns"]
        minutes[force] += figures["worked_minutes"]
    return [ForceRow(force.value, turns[force.value], minutes[force.value]) for force in Force]
