"""Travellers' satisfaction in a campaign report: how many answered, the average of their
stars, and the share who were satisfied (4 or 5 stars).

One grouped query per report (answers per station and star), whatever the number of
answers. A hidden comment hides only its words: its stars still count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from tortoise.connection import connections

from stations.services.sql import Parameters, placeholders

SATISFIED_FROM = 4
#: Below this many answers a share says more about chance than about the station.
ENOUGH_RESPONSES = 30


@dataclass(frozen=True)
class Satisfaction:
    responses: int = 0
    #: mean stars, two decimals; None without answers
    average: float | None = None
    #: satisfied answers / answers, 0 to 1, three decimals; None without answers
    satisfied_share: float | None = None

    @property
    def enough(self) -> bool:
        return self.responses >= ENOUGH_RESPONSES

    def as_dict(self) -> dict[str, int | float | None]:
        return {
            "responses": self.responses,
            "average": self.average,
            "satisfied_share": self.satisfied_share,
        }


def satisfaction_of(stars: Mapping[int, int]) -> Satisfaction:
    """The figures of a star → answers count."""
    responses = sum(stars.values())
    if not responses:
        return Satisfaction()
    total = sum(star * count for star, count in stars.items())
    satisfied = sum(count for star, count in stars.items() if star >= SATISFIED_FROM)
    return Satisfaction(
        responses=responses,
        average=round(total / responses, 2),
        satisfied_share=round(satisfied / responses, 3),
    )


def combined(per_station: Iterable[Mapping[int, int]]) -> Satisfaction:
    total: Counter[int] = Counter()
    for stars in per_station:
        total.update(stars)
    return satisfaction_of(total)


async def stars_by_station(campaign_id: int) -> dict[int, Counter[int]]:
    """station id → {stars: answers} for the campaign's stations that have answers."""
    connection = connections.get("default")
    (mark,) = placeholders(connection.capabilities.dialect, 1)
    rows = await connection.execute_query_dict(
        'SELECT f."station_id" AS station_id, f."rating" AS rating, COUNT(*) AS answers'
        ' FROM "station_feedback" f JOIN "station" s ON s."id" = f."station_id"'
        f' WHERE s."campaign_id" = {mark} GROUP BY f."station_id", f."rating"',
        [campaign_id],
    )
    found: dict[int, Counter[int]] = {}
    for row in rows:
        found.setdefault(int(row["station_id"]), Counter())[int(row["rating"])] += int(
            row["answers"]
        )
    return found


async def report_stars(
    campaign_id: int,
    *,
    unit_ids: Collection[int] | None,
    listed: Collection[int] | None,
) -> tuple[Counter[int], dict[int, Counter[int]]]:
    """The answers of a report's stations (those of ``unit_ids`` when given): {stars:
    answers} for them all, and per station for the ``listed`` ones (None: every station).

    One grouped query: the stations not listed are summed together in SQL (their station
    is NULL), so the rows read back do not grow with the stations."""
    connection = connections.get("default")
    p = Parameters(connection.capabilities.dialect)
    station = 'f."station_id"'
    if listed is not None:
        station = f'CASE WHEN f."station_id" IN ({p.ids(listed)}) THEN f."station_id" END'
    campaign = p(campaign_id)
    scope = "" if unit_ids is None else f' AND s."unit_id" IN ({p.ids(unit_ids)})'
    rows = await connection.execute_query_dict(
        f'SELECT {station} AS station_id, f."rating" AS rating, COUNT(*) AS answers'
        ' FROM "station_feedback" f JOIN "station" s ON s."id" = f."station_id"'
        f' WHERE s."campaign_id" = {campaign}{scope} GROUP BY 1, 2',
        p.values,
    )
    total: Counter[int] = Counter()
    per_station: dict[int, Counter[int]] = {}
    for row in rows:
        rating, answers = int(row["rating"]), int(row["answers"])
        total[rating] += answers
        if row["station_id"] is not None:
            per_station.setdefault(int(row["station_id"]), Counter())[rating] += answers
    return total, per_station
