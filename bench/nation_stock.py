"""The nationwide dataset's stock ledger and service records, as their writers would leave them.

Plain rows planned in memory (see ``bench/nation_data.py``); nothing here touches a database.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from bench.nation_places import Plan, PlannedStation, apportion, local
from stations.enums import MovementKind, ServiceKind, Source

#: Handout lines by item: share of a station's handouts and the quantity range of one line.
HANDOUTS: Final = {
    "water": (0.36, 10, 60),
    "towel": (0.30, 10, 50),
    "food": (0.13, 5, 25),
    "noodles": (0.08, 5, 25),
    "leaflet": (0.09, 10, 40),
    "fuel": (0.04, 1, 2),
}


def _open_moments(days: Sequence[dt.date], now: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """Daytime stretches (06:00–22:00) from the first day up to ``now``: (start, seconds)."""
    stretches = []
    for day in days:
        start, end = local(day, 6), min(local(day, 22), now)
        if end > start:
            stretches.append((start, int((end - start).total_seconds())))
    return stretches


def _open_seconds(days: Sequence[dt.date], start: dt.datetime, end: dt.datetime) -> float:
    """Daytime seconds (06:00–22:00) between ``start`` and ``end``; at least one."""
    seconds = sum(
        max(0.0, (min(local(day, 22), end) - max(local(day, 6), start)).total_seconds())
        for day in days
    )
    return max(1.0, seconds)


def _moment(
    stretches: list[tuple[dt.datetime, int]], total: int, rng: random.Random
) -> dt.datetime:
    offset = rng.randrange(total)
    for start, seconds in stretches:
        if offset < seconds:
            return start + dt.timedelta(seconds=offset)
        offset -= seconds
    raise AssertionError("offset beyond the stretches")


@dataclass
class _Line:
    station: PlannedStation
    item: str
    kind: MovementKind
    quantity: int  # for a count: what was counted
    occurred_at: dt.datetime
    source: Source
    volunteer: int | None
    counterpart: int | None = None
    group: uuid.UUID | None = None
    note: str = ""


def plan_ledger(
    plan: Plan,
    total: int,
    items: dict[str, tuple[int, int, int]],
    days: Sequence[dt.date],
    now: dt.datetime,
    rng: random.Random,
) -> None:
    """``total`` ledger lines, station by station: two deliveries, daily counts, a few
    losses and transfers, and handouts for the rest, then written in time order per
    station and item as the ledger writer would (running stock, discrepancies, counts)."""
    stretches = _open_moments(days, now)
    span = sum(seconds for _start, seconds in stretches)
    # The first delivery the afternoon before opening, then one every four days at dawn.
    planned = [
        local(days[0] - dt.timedelta(days=1), 16),
        *(local(day, 5, 30) for day in days[4::4]),
    ]
    ends = [*planned[1:], local(days[-1], 24)]
    deliveries = [moment for moment in planned if moment <= now]
    elapsed = [
        max(0.05, _open_seconds(days, start, min(end, now)) / _open_seconds(days, start, end))
        for start, end in zip(deliveries, ends, strict=False)
    ]
    per_station = apportion(total, len(plan.stations))
    lines_of: list[list[_Line]] = [[] for _ in plan.stations]
    for index, station in enumerate(plan.stations):
        codes = [code for code in HANDOUTS if code != "fuel" or station.fuel]
        lines = lines_of[index]
        budget = per_station[index]
        # A transfer of water to the next station, from every tenth one.
        if index % 10 == 0 and index + 1 < len(plan.stations) and budget >= 40:
            group = uuid.UUID(int=rng.getrandbits(128))
            moment = _moment(stretches, span, rng)
            quantity = rng.choice((48, 96, 120))
            other = plan.stations[index + 1]
            lines.append(
                _Line(
                    station,
                    "water",
                    MovementKind.TRANSFER_OUT,
                    quantity,
                    moment,
                    Source.WEB,
                    None,
                    counterpart=other.id,
                    group=group,
                )
            )
            lines_of[index + 1].append(
                _Line(
                    other,
                    "water",
                    MovementKind.TRANSFER_IN,
                    quantity,
                    moment,
                    Source.WEB,
                    None,
                    counterpart=station.id,
                    group=group,
                )
            )
        fixed = [
            *(
                _Line(
                    station,
                    code,
                    MovementKind.RECEIPT,
                    0,
                    moment,
                    Source.WEB,
                    None,
                    note=f"Nhận hàng đợt {n}",
                )
                for n, moment in enumerate(deliveries, start=1)
                for code in codes
            ),
            *(
                _Line(
                    station,
                    code,
                    MovementKind.COUNT_ADJUSTMENT,
                    0,
                    local(day, 21, 45),
                    Source.BOT,
                    rng.choice(station.volunteers),
                )
                for day in days
                if local(day, 21, 45) <= now
                for code in ("water", "towel")
            ),
            _Line(
                station,
                "water",
                MovementKind.LOSS,
                rng.randint(1, 12),
                _moment(stretches, span, rng),
                Source.WEB,
                None,
                note="Vỡ thùng",
            ),
        ]
        lines.extend(fixed[: max(0, budget - len(lines))])
        weights = [HANDOUTS[code][0] for code in codes]
        for _handout in range(max(0, budget - len(lines))):
            code = rng.choices(codes, weights)[0]
            _share, low, high = HANDOUTS[code]
            bot = rng.random() < 0.75
            lines.append(
                _Line(station, code, MovementKind.HANDOUT, rng.randint(low, high),
                      _moment(stretches, span, rng), Source.BOT if bot else Source.WEB,
                      rng.choice(station.volunteers) if bot else None)
            )  # fmt: skip
    rows = []
    for lines in lines_of:
        rows.extend(
            _ledger_rows(lines, items, deliveries, elapsed, now, rng, first_id=len(rows) + 1)
        )
    plan.rows["stock_movement"] = rows


def _ledger_rows(
    lines: list[_Line],
    items: dict[str, tuple[int, int, int]],
    deliveries: list[dt.datetime],
    elapsed: list[float],
    now: dt.datetime,
    rng: random.Random,
    *,
    first_id: int,
) -> list[tuple[Any, ...]]:
    """One station's lines as rows, each item's in time order with its running stock."""
    rows = []
    by_item: dict[str, list[_Line]] = {}
    for line in lines:
        by_item.setdefault(line.item, []).append(line)
    for code, item_lines in by_item.items():
        item_id, cost, pack = items[code]
        item_lines.sort(key=lambda line: (line.occurred_at, line.kind is not MovementKind.RECEIPT))
        # What each delivery must cover: the handouts until the next, with a margin that
        # leaves a few stations short (low stock, and now and then a discrepancy).
        # The block under way has only part of its handouts yet: the delivery covered all.
        needs = [0.0] * len(deliveries)
        for line in item_lines:
            if line.kind is MovementKind.HANDOUT:
                block = sum(1 for moment in deliveries if moment <= line.occurred_at) - 1
                needs[max(0, block)] += line.quantity / elapsed[max(0, block)]
        margin = rng.uniform(0.75, 1.3)
        stock = 0
        for line in item_lines:
            counted = None
            if line.kind is MovementKind.RECEIPT:
                block = deliveries.index(line.occurred_at)
                delta = max(pack, math.ceil(needs[block] * margin / pack) * pack)
            elif line.kind is MovementKind.COUNT_ADJUSTMENT:
                counted = max(0, stock - rng.choice((0, 0, 0, 1, 2, 5)))
                delta = counted - stock
            elif line.kind in (MovementKind.TRANSFER_IN,):
                delta = line.quantity
            else:
                delta = -line.quantity
            discrepancy = (
                line.kind
                in (
                    MovementKind.HANDOUT,
                    MovementKind.LOSS,
                    MovementKind.TRANSFER_OUT,
                )
                and abs(delta) > stock
            )
            stock += delta
            delay = rng.randint(0, 3) if line.source is Source.BOT else rng.randint(10, 90)
            rows.append(
                (
                    first_id + len(rows),
                    line.station.id,
                    item_id,
                    line.kind.value,
                    abs(delta),
                    delta,
                    cost if line.kind is MovementKind.RECEIPT else None,
                    line.counterpart,
                    line.group,
                    counted,
                    discrepancy,
                    line.volunteer,
                    line.source.value,
                    line.note,
                    line.occurred_at,
                    min(now, line.occurred_at + dt.timedelta(minutes=delay)),
                )
            )
    return rows


def plan_services(
    plan: Plan, total: int, days: Sequence[dt.date], now: dt.datetime, rng: random.Random
) -> None:
    stretches = _open_moments(days, now)
    span = sum(seconds for _start, seconds in stretches)
    rows = []
    for station, how_many in zip(plan.stations, apportion(total, len(plan.stations)), strict=True):
        kinds = [ServiceKind.LOUDSPEAKER, ServiceKind.DIRECTIONS, ServiceKind.FIRST_AID]
        if station.key:
            kinds.append(ServiceKind.MOTORBIKE_CHECK)
        for _record in range(how_many):
            kind = rng.choice(kinds)
            quantity = {
                ServiceKind.LOUDSPEAKER: rng.randint(15, 120),
                ServiceKind.DIRECTIONS: rng.randint(1, 12),
                ServiceKind.FIRST_AID: rng.randint(1, 2),
                ServiceKind.MOTORBIKE_CHECK: rng.randint(1, 8),
            }[kind]
            occurred_at = _moment(stretches, span, rng)
            rows.append(
                (
                    len(rows) + 1,
                    station.id,
                    kind.value,
                    quantity,
                    station.garage_id if kind is ServiceKind.MOTORBIKE_CHECK else None,
                    rng.choice(station.volunteers),
                    Source.BOT.value,
                    "",
                    occurred_at,
                    min(now, occurred_at + dt.timedelta(minutes=rng.randint(1, 30))),
                )
            )
    plan.rows["service_record"] = rows
