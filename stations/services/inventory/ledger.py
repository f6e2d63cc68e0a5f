"""The one ledger writer: receipts, handouts, losses, count adjustments and transfers, one
line or several, all written by ``write_lines``.

In one transaction it checks the author, the stations and the items (one query), moves each station × item balance with ``UPDATE … RETURNING`` in (station, item)
order — the row lock is held until the end, and the quantity returned is the stock after
the line, so the stock before is exact — then writes every ledger line in one ``INSERT``,
adds them to the day's tallies (one ``UPDATE`` per station, kind and day), queues low-stock
alerts for crossings and audits the lines in one ``INSERT``. Plain SQL on purpose: this is
the bot's hot path, where building each statement through the ORM costs more CPU than the
database spends on it.

A repeated idempotency key is not looked up before writing: the unique key itself refuses
the second line, the transaction is undone, and the original line is answered if the entry
is the same one (station, item, kind, quantity, note and time), refused if not.

Where a new rule goes: a per-line attribute (e.g. a cost) is a field of ``Line`` copied by
``_ledger_row``; a rule on the campaign before anything is written goes in
``_check_writable``, which sees every line with its station's campaign.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Final

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import CampaignStatus, MovementKind
from stations.i18n import _
from stations.metrics import LEDGER_LINES
from stations.models import (
    Campaign,
    DailyStockTally,
    Station,
    StockBalance,
    StockMovement,
    SupplyItem,
    User,
    Volunteer,
)
from stations.services.actor import Actor
from stations.services.audit import AuditEntry, record_events
from stations.services.campaign_window import check_inside_window
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.inventory.checks import (
    ACTOR_GONE,
    CAMPAIGN_CLOSED,
    STATION_NOT_FOUND,
    check_actor,
    check_occurred_at_type,
    check_quantity,
    check_unit_cost,
    clean_idempotency_key,
    clean_note,
    effective_threshold,
    frozen_unit_cost,
    moment_within,
)
from stations.services.low_stock import alert_low_stock
from stations.services.queries.local_day import as_date, local_day
from stations.services.sql import insert_rows, placeholders

SIGNS: Final[dict[MovementKind, int]] = {
    MovementKind.RECEIPT: 1,
    MovementKind.TRANSFER_IN: 1,
    MovementKind.HANDOUT: -1,
    MovementKind.TRANSFER_OUT: -1,
    MovementKind.LOSS: -1,
}
#: What ``record_lines`` writes: one line each, no counterpart, no count.
SIMPLE_KINDS: Final = frozenset({MovementKind.RECEIPT, MovementKind.HANDOUT, MovementKind.LOSS})
#: Lines taking away more than the record holds: accepted, and flagged for a coordinator.
DISCREPANCY_KINDS: Final = frozenset(
    {MovementKind.HANDOUT, MovementKind.LOSS, MovementKind.TRANSFER_OUT}
)
#: Lines recorded without a time of their own happened when they were recorded; older
#: lines were stamped by two calls of the clock, a moment apart.
_SAME_MOMENT: Final = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class StockChange:
    movement: StockMovement
    #: stock on record after this line; for a replayed duplicate, the stock on record now
    balance_after: int
    low_stock_crossed: bool
    threshold: int | None
    discrepancy: bool
    #: the idempotency key was seen before: ``movement`` is the original, nothing was written
    duplicate: bool
    #: a count reported late, after a later count had already set the stock: kept in the
    #: ledger with delta 0, it changes nothing
    superseded: bool = False


@dataclass(frozen=True)
class Line:
    """One ledger line to write, its inputs already cleaned."""

    station: Station
    item: SupplyItem
    kind: MovementKind
    #: signed; a count's is settled under the balance lock (see ``Settle``)
    delta: int
    key: str | None = None
    note: str = ""
    #: None: now
    occurred_at: dt.datetime | None = None
    counted: int | None = None
    #: a transfer's other station, and the group its two lines share
    counterpart: Station | None = None
    transfer_group: uuid.UUID | None = None
    #: the input an error about this line's station names ("from_station" in a transfer)
    station_field: str = "station"
    superseded: bool = False
    #: why a coordinator records this line outside its campaign's window (campaign_window)
    outside_reason: object = ""
    #: a receipt's cost per unit as entered (None: the item's cost when written)
    unit_cost_vnd: int | None = None


#: A rule run under the balance lock before a line is written: given the line, its station
#: and item ids, when it happened and the stock on record now, the line to write.
Settle = Callable[[Line, int, int, dt.datetime, int], Awaitable[Line]]
#: What the audit log says of the written lines (default: one event per line).
Audit = Callable[[Sequence[StockChange]], list[AuditEntry]]


@dataclass(frozen=True)
class LineEntry:
    """One line of a report: the item, how many, its idempotency key, note and time."""

    item: SupplyItem
    quantity: object
    idempotency_key: object = None
    note: object = ""
    occurred_at: object = None
    outside_reason: object = ""
    unit_cost_vnd: object = None


@dataclass(frozen=True)
class _OpenStation:
    id: int
    campaign_id: int
    starts_on: dt.date
    #: the campaign as the window rule reads it (id, name and dates)
    campaign: Campaign


class _DuplicateKey(Exception):
    """Another writer committed the same idempotency key first: undo everything of ours."""


# -- the public writes ----------------------------------------------------------------------


async def record_lines(
    kind: MovementKind,
    station: Station,
    entries: Sequence[LineEntry],
    *,
    by: Actor,
) -> list[StockChange]:
    """Receipts, handouts or losses of several items at one station, in one transaction:
    every line or none, results in the order given."""
    if kind not in SIMPLE_KINDS:
        raise ValueError(f"record_lines writes receipts, handouts and losses, not {kind}")
    lines = [
        Line(station, entry.item, kind, SIGNS[kind] * quantity, **options)
        for entry, quantity, options in zip(
            entries,
            [check_quantity(entry.quantity) for entry in entries],
            clean_options(entries, by),
            strict=True,
        )
    ]
    return await write_lines(lines, by=by)


async def record_movement(
    kind: MovementKind,
    station: Station,
    item: SupplyItem,
    quantity: object,
    *,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    note: object = "",
    idempotency_key: object = None,
    outside_reason: object = "",
    unit_cost_vnd: object = None,
) -> StockChange:
    """One receipt, handout (more than the stock on record is accepted and flagged) or loss;
    outside the campaign's window only with ``outside_reason`` (``campaign_window``)."""
    entry = LineEntry(
        item, quantity, idempotency_key, note, occurred_at, outside_reason, unit_cost_vnd
    )
    return (await record_lines(kind, station, [entry], by=by))[0]


record_receipt: Final = partial(record_movement, MovementKind.RECEIPT)
record_handout: Final = partial(record_movement, MovementKind.HANDOUT)
record_loss: Final = partial(record_movement, MovementKind.LOSS)


def clean_options(entries: Sequence[LineEntry], by: object) -> list[dict[str, Any]]:
    """Each entry's time, note and key as ``Line`` takes them (``by`` checked too)."""
    options = []
    for entry in entries:
        check_occurred_at_type(entry.occurred_at)
        check_actor(by)
        options.append(
            {
                "note": clean_note(entry.note),
                "key": clean_idempotency_key(entry.idempotency_key),
                "occurred_at": entry.occurred_at,
                "outside_reason": entry.outside_reason,
                "unit_cost_vnd": check_unit_cost(entry.unit_cost_vnd),
            }
        )
    return options


# -- the writer -------------------------------------------------------------------------------


async def write_lines(
    lines: Sequence[Line],
    *,
    by: Actor,
    settle: Settle | None = None,
    audit: Audit | None = None,
) -> list[StockChange]:
    """Write ``lines`` (inputs cleaned) in one transaction, every line or none; the changes
    in the order given, or the originals when the same entry was written before under the
    same keys (``Conflict`` when a key names another entry)."""
    lines = list(lines)
    if not lines:
        return []
    order = sorted(
        range(len(lines)),
        key=lambda index: (_id_of(lines[index].station) or 0, _id_of(lines[index].item) or 0),
    )
    try:
        async with in_transaction() as connection:
            stations, supplies = await _open_stations(connection, lines, by)
            _check_writable(lines, stations)
            now = clock.now()
            # A line given no time happened as it was recorded: the very same moment.
            moments = [
                now
                if line.occurred_at is None
                else moment_within(line.occurred_at, stations[index].starts_on)
                for index, line in enumerate(lines)
            ]
            lines = await _inside_campaigns(lines, stations, moments, by)
            moved: dict[int, tuple[int, int | None]] = {}
            for index in order:
                station_id, item_id = stations[index].id, supplies[index].id
                if settle is not None:
                    on_record, _level = await _move_balance(connection, station_id, item_id, 0, now)
                    lines[index] = await settle(
                        lines[index], station_id, item_id, moments[index], on_record
                    )
                moved[index] = await _move_balance(
                    connection, station_id, item_id, lines[index].delta, now
                )
            rows = [
                _ledger_row(
                    line,
                    stations[index].id,
                    supplies[index].id,
                    by,
                    moments[index],
                    now,
                    moved[index][0],
                    unit_cost=frozen_unit_cost(line.kind, supplies[index], line.unit_cost_vnd),
                )
                for index, line in enumerate(lines)
            ]
            await _insert_lines(connection, rows, [line.key for line in lines])
            await _count_in_daily_tallies(connection, rows)
            changes = [
                _change_of(row, supplies[index], moved[index], lines[index].superseded)
                for index, row in enumerate(rows)
            ]
            for index in order:
                change = changes[index]
                if change.low_stock_crossed and change.threshold is not None:
                    # In this transaction: the alert exists exactly when the line does.
                    await alert_low_stock(
                        await Station.get(id=stations[index].id),
                        supplies[index],
                        quantity=change.balance_after,
                        threshold=change.threshold,
                        crossing_id=change.movement.id,
                        now=now,
                    )
            entries = audit(changes) if audit else [_audit_entry(change) for change in changes]
            await record_events(by, entries, connection=connection)
    except _DuplicateKey:
        # The same entry again (a retried request, a redelivered update): the originals.
        return await _replay(lines)
    return changes


def _check_writable(lines: Sequence[Line], stations: Sequence[_OpenStation]) -> None:
    """Rules on a line's campaign before anything is written (open campaigns are checked
    with the stations): a transfer stays inside one campaign."""
    groups: dict[uuid.UUID, int] = {}
    for line, station in zip(lines, stations, strict=True):
        if line.transfer_group is None:
            continue
        campaign_id = groups.setdefault(line.transfer_group, station.campaign_id)
        if campaign_id != station.campaign_id:
            raise InvalidInput(
                _("Stock can only be transferred between stations of the same campaign."),
                field=line.station_field,
            )


async def _inside_campaigns(
    lines: list[Line],
    stations: Sequence[_OpenStation],
    moments: Sequence[dt.datetime],
    by: Actor,
) -> list[Line]:
    """Each line checked against its campaign's window (handouts inside it, receipts not
    after it, unless a coordinator gives the reason), with the reason it keeps."""
    checked = []
    for line, station, moment in zip(lines, stations, moments, strict=True):
        reason = await check_inside_window(
            station.campaign, line.kind, moment, by=by, outside_reason=line.outside_reason
        )
        checked.append(replace(line, outside_reason=reason))
    return checked


async def _open_stations(
    connection: BaseDBAsyncClient, lines: Sequence[Line], by: Actor
) -> tuple[list[_OpenStation], list[SupplyItem]]:
    """Each line's station and item, checked in one query: the author is still on record,
    the station exists and its campaign is open, the item exists and is in use (errors in
    the order of the lines, stations first). The items are read fresh, whatever copy the
    caller holds: one taken out of use a moment ago is refused."""
    ids = list(dict.fromkeys(_id_of(line.station) for line in lines))
    item_ids = list(dict.fromkeys(i for i in (_id_of(line.item) for line in lines) if i))
    marks = placeholders(connection.capabilities.dialect, 2 + len(ids) + len(item_ids))
    item_columns = list(SupplyItem._meta.fields_db_projection.values())
    selected_items = "".join(f', i."{column}" AS "item_{column}"' for column in item_columns)
    # One or two stations (a transfer) and at most a report's items: their product is a
    # few dozen rows at most.
    rows = await connection.execute_query_dict(
        f'SELECT (SELECT COUNT(*) FROM "{Volunteer._meta.db_table}" WHERE "id" = {marks[0]})'
        f' AS volunteers, (SELECT COUNT(*) FROM "{User._meta.db_table}" WHERE "id" = {marks[1]})'
        ' AS users, s."id" AS station_id, s."campaign_id" AS campaign_id, c."status" AS status,'
        ' c."name" AS campaign, c."starts_on" AS starts_on, c."ends_on" AS ends_on'
        f"{selected_items}"
        f' FROM (SELECT 1 AS one) AS report LEFT JOIN "{Station._meta.db_table}" AS s'
        f' ON s."id" IN ({", ".join(marks[2 : 2 + len(ids)])})'
        f' LEFT JOIN "{Campaign._meta.db_table}" AS c ON c."id" = s."campaign_id"'
        f' LEFT JOIN "{SupplyItem._meta.db_table}" AS i'
        f' ON i."id" IN ({", ".join(marks[2 + len(ids) :]) or "NULL"})',
        [by.volunteer_id, by.user_id, *ids, *item_ids],
    )
    first = rows[0]
    if (by.volunteer_id is not None and not first["volunteers"]) or (
        by.user_id is not None and not first["users"]
    ):
        raise NotFound(ACTOR_GONE, field="by")
    found = {row["station_id"]: row for row in rows if row["station_id"] is not None}
    opened = []
    for line in lines:
        row = found.get(_id_of(line.station))
        if row is None:
            raise NotFound(STATION_NOT_FOUND, field=line.station_field)
        if row["status"] != CampaignStatus.OPEN.value:
            raise Conflict(CAMPAIGN_CLOSED, field=line.station_field, campaign=row["campaign"])
        starts_on = as_date(row["starts_on"])
        campaign = Campaign(
            id=int(row["campaign_id"]),
            name=row["campaign"],
            starts_on=starts_on,
            ends_on=as_date(row["ends_on"]),
        )
        opened.append(_OpenStation(int(row["station_id"]), campaign.id, starts_on, campaign))
    supplies = {
        row["item_id"]: SupplyItem._init_from_db(
            **{column: row[f"item_{column}"] for column in item_columns}
        )
        for row in rows
        if row["item_id"] is not None
    }
    return opened, _checked_items(lines, supplies)


def _checked_items(lines: Sequence[Line], found: dict[int, SupplyItem]) -> list[SupplyItem]:
    """Each line's item as read, checked as ``load_item`` does."""
    loaded = []
    for line in lines:
        item_id = _id_of(line.item)
        supply = found.get(item_id) if item_id else None
        if supply is None:
            raise NotFound(_("The supply item was not found."), field="item")
        if not supply.is_active:
            raise InvalidInput(
                _("The supply item {item} is no longer in use."), field="item", item=supply.name_vi
            )
        loaded.append(supply)
    return loaded


async def _move_balance(
    connection: BaseDBAsyncClient, station_id: int, item_id: int, delta: int, now: dt.datetime
) -> tuple[int, int | None]:
    """Move the station × item balance by ``delta``: the stock after it and the station's own
    low-stock level. The UPDATE takes the row lock (held until the transaction ends) and
    returns the quantity it wrote, so the stock before is exactly ``after - delta``."""
    marks = placeholders(connection.capabilities.dialect, 4)
    sql = (
        f'UPDATE "{StockBalance._meta.db_table}" SET "quantity" = "quantity" + {marks[0]},'
        f' "updated_at" = {marks[1]} WHERE "station_id" = {marks[2]} AND "item_id" = {marks[3]}'
        ' RETURNING "quantity", "low_stock_threshold"'
    )
    values = [delta, now, station_id, item_id]
    rows = await connection.execute_query_dict(sql, values)
    if not rows:
        # A first line of this item here: the balance is created (and locked) from the ledger.
        await locked_balance(station_id, item_id)
        rows = await connection.execute_query_dict(sql, values)
    return int(rows[0]["quantity"]), rows[0]["low_stock_threshold"]


async def locked_balance(station_id: int, item_id: int) -> StockBalance:
    """The station × item balance row, created if missing, locked until the transaction ends."""
    balance = await StockBalance.select_for_update().get_or_none(
        station_id=station_id, item_id=item_id
    )
    if balance is not None:
        return balance
    # A first balance starts from whatever the ledger already holds (a bulk load may have
    # written lines directly), so the balance can never drift from its ledger.
    rows = (
        await StockMovement.filter(station_id=station_id, item_id=item_id)
        .annotate(total=Sum("delta"))
        .values("total")
    )
    opening = int(rows[0]["total"] or 0) if rows else 0
    try:
        async with in_transaction():
            return await StockBalance.create(
                station_id=station_id, item_id=item_id, quantity=opening
            )
    except IntegrityError:
        # Another writer created it first; its row is committed now, so wait for its lock.
        return await StockBalance.select_for_update().get(station_id=station_id, item_id=item_id)


def _ledger_row(
    line: Line,
    station_id: int,
    item_id: int,
    by: Actor,
    occurred_at: dt.datetime,
    now: dt.datetime,
    after: int,
    *,
    unit_cost: int | None,
) -> StockMovement:
    quantity = abs(line.delta)
    return StockMovement(
        station_id=station_id,
        item_id=item_id,
        kind=line.kind,
        quantity=quantity,
        delta=line.delta,
        unit_cost_vnd=unit_cost,
        counterpart_id=_id_of(line.counterpart),
        transfer_group=line.transfer_group,
        counted_quantity=line.counted,
        discrepancy=line.kind in DISCREPANCY_KINDS and quantity > after - line.delta,
        by_volunteer_id=by.volunteer_id,
        by_user_id=by.user_id,
        source=by.source,
        idempotency_key=line.key,
        note=line.note,
        outside_reason=str(line.outside_reason or ""),
        occurred_at=occurred_at,
        recorded_at=now,
    )


def _change_of(
    line: StockMovement, item: SupplyItem, moved: tuple[int, int | None], superseded: bool
) -> StockChange:
    after, station_threshold = moved
    threshold = effective_threshold(station_threshold, item.default_low_stock)
    line.item = item
    return StockChange(
        movement=line,
        balance_after=after,
        low_stock_crossed=threshold is not None and after - line.delta >= threshold > after,
        threshold=threshold,
        discrepancy=line.discrepancy,
        duplicate=False,
        superseded=superseded,
    )


async def _insert_lines(
    connection: BaseDBAsyncClient, lines: list[StockMovement], keys: Sequence[str | None]
) -> None:
    """The ledger lines in one INSERT; each line gets its id."""
    try:
        rows = await insert_rows(connection, lines, returning=("id", "item_id", "station_id"))
    except IntegrityError as exc:
        if not any(keys):
            raise
        # No savepoint of its own: the duplicate key ends the transaction, and the caller
        # replays the original lines outside it.
        raise _DuplicateKey(next(key for key in keys if key)) from exc
    # Ids are drawn in the order the rows are inserted (a sequence on PostgreSQL, the rowid
    # on SQLite) while RETURNING promises no order: sorted by id, the rows are the lines.
    rows.sort(key=lambda row: row["id"])
    if [(row["station_id"], row["item_id"]) for row in rows] != [
        (line.station_id, line.item_id) for line in lines
    ]:
        raise RuntimeError("the ledger lines came back in an unexpected order")
    for line, row in zip(lines, rows, strict=True):
        line.id = row["id"]
        line._saved_in_db = True
        LEDGER_LINES.labels(str(line.kind)).inc()


async def _count_in_daily_tallies(
    connection: BaseDBAsyncClient, lines: Sequence[StockMovement]
) -> None:
    """Add the lines to their station × item × kind × Vietnam-local day tallies: one UPDATE
    per station, kind and day; an item's first tally of the day is summed from the ledger.

    The caller holds the balance locks of these items, so no other writer touches the rows.
    """
    groups: dict[tuple[int, MovementKind, dt.date], list[StockMovement]] = {}
    for line in lines:
        groups.setdefault((line.station_id, line.kind, local_day(line.occurred_at)), []).append(
            line
        )
    for (station_id, kind, day), group in groups.items():
        await _count_in_daily_tally(connection, station_id, kind, day, group)


async def _count_in_daily_tally(
    connection: BaseDBAsyncClient,
    station_id: int,
    kind: MovementKind,
    day: dt.date,
    lines: Sequence[StockMovement],
) -> None:
    sums: dict[int, list[int]] = {}
    for line in lines:
        total = sums.setdefault(line.item_id, [0, 0, 0])
        total[0] += line.quantity
        total[1] += line.delta
        total[2] += 1
    marks = iter(placeholders(connection.capabilities.dialect, 3 + 7 * len(sums)))
    values: list[object] = []

    def increment(column: str, position: int) -> str:
        cases = []
        for item_id, total in sums.items():
            cases.append(f"WHEN {next(marks)} THEN CAST({next(marks)} AS INTEGER)")
            values.extend((item_id, total[position]))
        return f'"{column}" = "{column}" + CASE "item_id" {" ".join(cases)} END'

    assignments = ", ".join(
        increment(column, position)
        for position, column in enumerate(("quantity", "delta", "lines"))
    )
    where = f'"station_id" = {next(marks)} AND "kind" = {next(marks)} AND "day" = {next(marks)}'
    values.extend((station_id, kind.value, day))
    ids = ", ".join(next(marks) for _ in sums)
    values.extend(sums)
    rows = await connection.execute_query_dict(
        f'UPDATE "{DailyStockTally._meta.db_table}" SET {assignments}'
        f' WHERE {where} AND "item_id" IN ({ids}) RETURNING "item_id"',
        values,
    )
    counted = {row["item_id"] for row in rows}
    for item_id in sums:
        if item_id not in counted:
            await _open_daily_tally(station_id, item_id, kind, day)


async def _open_daily_tally(
    station_id: int, item_id: int, kind: MovementKind, day: dt.date
) -> None:
    """A day's first tally, summed from the ledger (its new lines included), so lines loaded
    directly before it are not lost."""
    start = clock.local_midnight(day).astimezone(dt.UTC)
    end = clock.local_midnight(day + dt.timedelta(days=1)).astimezone(dt.UTC)
    sums = (
        await StockMovement.filter(
            station_id=station_id,
            item_id=item_id,
            kind=kind,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .annotate(quantity_sum=Sum("quantity"), delta_sum=Sum("delta"), lines=Count("id"))
        .values("quantity_sum", "delta_sum", "lines")
    )[0]
    await DailyStockTally.create(
        station_id=station_id,
        item_id=item_id,
        kind=kind,
        day=day,
        quantity=int(sums["quantity_sum"] or 0),
        delta=int(sums["delta_sum"] or 0),
        lines=int(sums["lines"]),
    )


def _audit_entry(change: StockChange) -> AuditEntry:
    line = change.movement
    return AuditEntry(
        f"stock.{line.kind.value}",
        "stock_movement",
        line.id,
        {
            "station_id": line.station_id,
            "item_id": line.item_id,
            "quantity": line.quantity,
            "delta": line.delta,
            "counted": line.counted_quantity,
            "balance_after": change.balance_after,
            "discrepancy": change.discrepancy,
            "low_stock_crossed": change.low_stock_crossed,
            "superseded": change.superseded,
        },
    )


# -- idempotent replays -------------------------------------------------------------------------


def key_conflict() -> Conflict:
    return Conflict(
        _("This idempotency key was already used for a different stock entry."),
        field="idempotency_key",
    )


async def _replay(lines: Sequence[Line]) -> list[StockChange]:
    """The lines first written under the keys of ``lines``, each checked to be the same
    entry; a line without a key answers with its transfer partner's counterpart."""
    keys = [line.key for line in lines if line.key]
    originals = {
        row.idempotency_key: row
        for row in await StockMovement.filter(idempotency_key__in=keys).select_related("item")
    }
    groups: dict[uuid.UUID, uuid.UUID] = {}
    replayed = []
    for line in lines:
        original = originals.get(line.key) if line.key else None
        if line.key:
            if original is None or not _same_entry(original, line):
                raise key_conflict()
            if line.transfer_group is not None and original.transfer_group is not None:
                groups[line.transfer_group] = original.transfer_group
        elif line.transfer_group in groups:
            original = await StockMovement.get(
                transfer_group=groups[line.transfer_group], kind=line.kind
            ).select_related("item")
        if original is None:
            raise key_conflict()
        replayed.append(await _as_duplicate(original))
    return replayed


def _same_entry(original: StockMovement, line: Line) -> bool:
    """Whether ``line`` asks for what ``original`` recorded: the same station, item, kind,
    amount, other station, note and time (none given: recorded without one)."""
    if line.occurred_at is None:
        same_time = abs(original.occurred_at - original.recorded_at) < _SAME_MOMENT
    else:
        same_time = original.occurred_at == line.occurred_at
    amount = (
        original.counted_quantity == line.counted
        if line.kind is MovementKind.COUNT_ADJUSTMENT
        else original.quantity == abs(line.delta)
    )
    return (
        original.station_id == _id_of(line.station)
        and original.item_id == _id_of(line.item)
        and original.kind is line.kind
        and amount
        and original.counterpart_id == _id_of(line.counterpart)
        and original.note == line.note
        and same_time
    )


async def _as_duplicate(original: StockMovement) -> StockChange:
    balance = await StockBalance.get_or_none(
        station_id=original.station_id, item_id=original.item_id
    )
    return StockChange(
        movement=original,
        balance_after=balance.quantity if balance else 0,
        low_stock_crossed=False,
        threshold=effective_threshold(
            balance.low_stock_threshold if balance else None, original.item.default_low_stock
        ),
        discrepancy=original.discrepancy,
        duplicate=True,
    )


def _id_of(row: object) -> int | None:
    return getattr(row, "id", None)
