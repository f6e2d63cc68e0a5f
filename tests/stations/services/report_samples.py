"""Report figures shared by the report, summary and export tests."""

from __future__ import annotations

from typing import Any

from stations.services.queries.reports import ReportTotals


def totals(**figures: Any) -> ReportTotals:
    """Totals with every figure zero but those given."""
    values: dict[str, Any] = dict.fromkeys(ReportTotals.__dataclass_fields__, 0)
    values["worked_hours"] = values["broadcast_hours"] = 0.0
    values.update(figures)
    return ReportTotals(**values)


#: Two stations over two days: the small campaign the summary and export tests describe.
TWO_STATIONS_TWO_DAYS = totals(
    stations=2,
    units=3,
    volunteer_turns=4,
    worked_hours=9.0,
    water_bottles=190,
    cold_towels=50,
    food_items=25,
    leaflets=200,
    motorbikes_checked=7,
    broadcast_hours=2.5,
    first_aid=2,
    cost_vnd=2_300_000,
)
