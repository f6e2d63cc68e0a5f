"""The stock ledger: every receipt, handout, transfer, count and loss is one appended line.

Each line is written in one transaction with the station × item ``StockBalance`` it moves,
so stock on hand is a read, never a number two writers overwrite: the balance moves by
``quantity = quantity + delta`` and is read back, so each writer knows the exact stock
before and after its own line. On PostgreSQL the balance row is locked first
(``SELECT … FOR UPDATE``) because a count's line depends on the stock it reads, and locks
are always taken in (station, item) order so two opposite transfers cannot deadlock. On
SQLite tortoise runs one transaction at a time.

A handout (or loss, or transfer out) larger than the stock on record is accepted — the
field is right, the record is behind — and flagged as a discrepancy for a coordinator.

A physical count always writes one ``count_adjustment`` line, of delta 0 when it agrees
with the record: the confirmation is worth seeing, and its idempotency key is kept so a
retried request is recognised.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import CampaignStatus, MovementKind
from stations.i18n import _
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
from stations.services.audit import AuditEntry, record_event, record_events
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.low_stock import alert_low_stock
from stations.services.queries.local_day import as_date, local_day, local_day_sql
from stations.services.sql import insert_rows, placeholders
from stations.services.validation import (
    check_aware_datetime,
    check_optional_text,
    check_whole_number,
    load_existing,
)

MAX_QUANTITY: Final = 1_000_000
MAX_THRESHOLD: Final = 1_000_000
#: A receipt valued past ten million đồng a unit is a typing slip (a gift pack is ~500.000).
MAX_UNIT_COST_VND: Final = 10_000_000
IDEMPOTENCY_KEY_MAX: Final = 128
NOTE_MAX: Final = 300
#: Phones' clocks run a little fast; a report "from the future" beyond this is a typo.
FUTURE_TOLERANCE: Final = dt.timedelta(minutes=5)
#: Supplies arrive before a campaign opens, but not weeks before.
EARLY_TOLERANCE: Final = dt.timedelta(days=7)

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


class _DuplicateKey(Exception):
    """Another writer committed the same idempotency key first: undo everything of ours."""


# -- writes ----------------------------------------------------------------------------


async def record_receipt(
    station: Station,
    item: SupplyItem,
    quantity: int,
    *,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
    unit_cost_vnd: int | None = None,
) -> StockChange:
    """Supplies arrived at ``station``, valued at ``unit_cost_vnd`` per unit (the item's
    current cost when not given), frozen on the line so later price changes alter nothing."""
    return await _record_simple(
        MovementKind.RECEIPT,
        station,
        item,
        quantity,
        by,
        occurred_at,
        note,
        idempotency_key,
        unit_cost_vnd=check_unit_cost(unit_cost_vnd),
    )


async def record_handout(
    station: Station,
    item: SupplyItem,
    quantity: int,
    *,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> StockChange:
    """Supplies given to travellers; more than the stock on record is accepted and flagged."""
    return await _record_simple(
        MovementKind.HANDOUT, station, item, quantity, by, occurred_at, note, idempotency_key
    )


async def record_loss(
    station: Station,
    item: SupplyItem,
    quantity: int,
    *,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> StockChange:
    """Supplies spoiled, broken or gone missing."""
    return await _record_simple(
        MovementKind.LOSS, station, item, quantity, by, occurred_at, note, idempotency_key
    )


async def record_count(
    station: Station,
    item: SupplyItem,
    counted: int,
    *,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> StockChange:
    """A physical count: one ``count_adjustment`` line of (counted − stock on record then).

    Always one line, also when the count agrees with the record (delta 0). A count reported
    late (``occurred_at`` in the past) reconciles against the stock on record at its time:
    lines that happened after it still apply on top of what was counted. If a later count
    was already recorded, that one set the stock: this count is kept with delta 0 and
    ``superseded`` set.
    """
    counted = check_whole_number(
        counted,
        field="counted",
        minimum=0,
        maximum=MAX_QUANTITY,
        message=_("The count must be a whole number between 0 and {max}."),
    )
    context = _LineContext.checked(by, occurred_at, note, idempotency_key)
    await check_actor_on_record(context.by)
    if context.key and (replayed := await _replay(context.key, station, item, counted=counted)):
        return replayed
    try:
        async with in_transaction():
            target, supply, when = await _open_line(station, item, occurred_at)
            balance = await _locked_balance(target.id, supply.id)
            later = _lines_after(target.id, supply.id, when)
            superseded = await later.filter(kind=MovementKind.COUNT_ADJUSTMENT).exists()
            if superseded:
                delta = 0
            else:
                on_record_then = balance.quantity - await _sum_of_deltas(later)
                delta = counted - on_record_then
            change = await _apply_line(
                balance,
                supply,
                MovementKind.COUNT_ADJUSTMENT,
                delta,
                context,
                when,
                counted=counted,
            )
            if superseded:
                change = replace(change, superseded=True)
            await _audit(change, context.by)
            return change
    except _DuplicateKey:
        return await _replay_or_conflict(context.key, station, item, counted=counted)


async def transfer_stock(
    from_station: Station,
    to_station: Station,
    item: SupplyItem,
    quantity: int,
    *,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    idempotency_key: str | None = None,
) -> tuple[StockChange, StockChange]:
    """Move stock between two stations of one campaign: a ``transfer_out`` and a
    ``transfer_in`` line sharing a ``transfer_group``, in one transaction.

    The idempotency key is kept on the ``transfer_out`` line.
    """
    quantity = check_quantity(quantity)
    context = _LineContext.checked(by, occurred_at, note, idempotency_key)
    await check_actor_on_record(context.by)
    if _id_of(from_station) is not None and _id_of(from_station) == _id_of(to_station):
        raise InvalidInput(_("A station cannot transfer stock to itself."), field="to_station")
    if context.key and (
        replayed := await _replay_transfer(context.key, from_station, to_station, item, quantity)
    ):
        return replayed
    try:
        async with in_transaction():
            source, supply, when = await _open_line(
                from_station, item, occurred_at, field="from_station"
            )
            target = await load_station(to_station, field="to_station", require_open=True)
            if target.campaign_id != source.campaign_id:
                raise InvalidInput(
                    _("Stock can only be transferred between stations of the same campaign."),
                    field="to_station",
                )
            # Lock both balances in one fixed order, so two opposite transfers never deadlock.
            balances = {
                station_id: await _locked_balance(station_id, supply.id)
                for station_id in sorted((source.id, target.id))
            }
            group = uuid.uuid4()
            out = await _apply_line(
                balances[source.id],
                supply,
                MovementKind.TRANSFER_OUT,
                -quantity,
                context,
                when,
                counterpart_id=target.id,
                transfer_group=group,
            )
            into = await _apply_line(
                balances[target.id],
                supply,
                MovementKind.TRANSFER_IN,
                quantity,
                context.without_key(),
                when,
                counterpart_id=source.id,
                transfer_group=group,
            )
            await record_event(
                context.by,
                "stock.transfer",
                object_type="stock_movement",
                object_id=out.movement.id,
                data={
                    "from_station_id": source.id,
                    "to_station_id": target.id,
                    "item_id": supply.id,
                    "quantity": quantity,
                    "transfer_group": str(group),
                    "transfer_in_id": into.movement.id,
                    "from_balance_after": out.balance_after,
                    "to_balance_after": into.balance_after,
                    "discrepancy": out.discrepancy,
                },
            )
            return out, into
    except _DuplicateKey:
        replayed = await _replay_transfer(
            context.key or "", from_station, to_station, item, quantity
        )
        if replayed is None:
            raise _key_conflict() from None
        return replayed


async def set_low_stock_threshold(
    station: Station, item: SupplyItem, threshold: int | None, *, by: Actor
) -> StockBalance:
    """Set the stock level under which ``station`` is short of ``item``; None: the item's default."""
    if threshold is not None:
        threshold = check_whole_number(
            threshold,
            field="threshold",
            minimum=0,
            maximum=MAX_THRESHOLD,
            message=_("The low-stock level must be a whole number between 0 and {max}, or empty."),
        )
    check_actor(by)
    async with in_transaction():
        target = await load_station(station, field="station", require_open=False)
        supply = await load_item(item, require_active=False)
        balance = await _locked_balance(target.id, supply.id)
        previous = balance.low_stock_threshold
        balance.low_stock_threshold = threshold
        await balance.save(update_fields=["low_stock_threshold", "updated_at"])
        await record_event(
            by,
            "stock.threshold_set",
            object_type="stock_balance",
            object_id=balance.id,
            data={
                "station_id": target.id,
                "item_id": supply.id,
                "before": previous,
                "after": threshold,
            },
        )
    return balance


async def rebuild_balances(*, station_ids: Sequence[int] | None = None) -> int:
    """Recompute balances (one grouped SUM; thresholds are kept) and the daily tallies from
    the ledger.

    For after a bulk load that wrote ledger lines directly, and to reconcile. Returns
    how many balance rows changed or were created.
    """
    if station_ids is not None:
        station_ids = _check_ids(station_ids)
        if not station_ids:
            return 0
    now = clock.now()
    async with in_transaction():
        # Querysets bind a connection when built: build them inside the transaction.
        balances = StockBalance.all()
        lines = StockMovement.all()
        if station_ids is not None:
            balances = balances.filter(station_id__in=station_ids)
            lines = lines.filter(station_id__in=station_ids)
        # The same (station, item) lock order as every writer: no deadlock with a transfer.
        existing = await balances.select_for_update().order_by("station_id", "item_id")
        totals = {
            (row["station_id"], row["item_id"]): int(row["total"] or 0)
            for row in await lines.annotate(total=Sum("delta"))
            .group_by("station_id", "item_id")
            .values("station_id", "item_id", "total")
        }
        changed = []
        for balance in existing:
            wanted = totals.pop((balance.station_id, balance.item_id), 0)
            if balance.quantity != wanted:
                balance.quantity = wanted
                balance.updated_at = now
                changed.append(balance)
        missing = [
            StockBalance(station_id=station_id, item_id=item_id, quantity=total, updated_at=now)
            for (station_id, item_id), total in totals.items()
        ]
        if changed:
            await StockBalance.bulk_update(changed, fields=["quantity", "updated_at"])
        if missing:
            try:
                async with in_transaction():
                    await StockBalance.bulk_create(missing)
            except IntegrityError as exc:
                raise Conflict(
                    _("Stock was recorded while balances were rebuilt. Please run it again."),
                    field=None,
                ) from exc
        tallies = await _rebuild_daily_tallies(station_ids)
        if changed or missing or tallies:
            await record_event(
                Actor.system("rebuild_balances"),
                "stock.balances_rebuilt",
                object_type="stock_balance",
                object_id=None,
                data={
                    "station_ids": list(station_ids) if station_ids is not None else None,
                    "changed": len(changed),
                    "created": len(missing),
                    "daily_tallies": tallies,
                },
            )
    return len(changed) + len(missing)


async def _rebuild_daily_tallies(station_ids: Sequence[int] | None) -> int:
    """Make the daily tallies of ``station_ids`` (None: every station) equal their ledger.

    Run under the balance locks of ``rebuild_balances``. Returns how many tally rows changed,
    were created or were removed.
    """
    connection = connections.get("default")
    dialect = connection.capabilities.dialect
    where = ""
    if station_ids is not None:
        where = f" WHERE station_id IN ({', '.join(placeholders(dialect, len(station_ids)))})"
    rows = await connection.execute_query_dict(
        f"SELECT station_id, item_id, kind, {local_day_sql('occurred_at', dialect)} AS day,"
        " SUM(quantity) AS quantity, SUM(delta) AS delta, COUNT(*) AS lines"
        f' FROM "{StockMovement._meta.db_table}"{where} GROUP BY 1, 2, 3, 4',
        list(station_ids or []),
    )
    wanted = {
        (row["station_id"], row["item_id"], MovementKind(row["kind"]), as_date(row["day"])): (
            int(row["quantity"] or 0),
            int(row["delta"] or 0),
            int(row["lines"]),
        )
        for row in rows
    }
    tallies = DailyStockTally.all()
    if station_ids is not None:
        tallies = tallies.filter(station_id__in=station_ids)
    changed, stale = [], []
    for tally in await tallies:
        sums = wanted.pop((tally.station_id, tally.item_id, tally.kind, tally.day), None)
        if sums is None:
            stale.append(tally.id)
        elif sums != (tally.quantity, tally.delta, tally.lines):
            tally.quantity, tally.delta, tally.lines = sums
            changed.append(tally)
    if stale:
        await DailyStockTally.filter(id__in=stale).delete()
    if changed:
        await DailyStockTally.bulk_update(changed, fields=["quantity", "delta", "lines"])
    if wanted:
        missing = [
            DailyStockTally(
                station_id=station_id,
                item_id=item_id,
                kind=kind,
                day=day,
                quantity=quantity,
                delta=delta,
                lines=lines,
            )
            for (station_id, item_id, kind, day), (quantity, delta, lines) in wanted.items()
        ]
        try:
            async with in_transaction():
                await DailyStockTally.bulk_create(missing, batch_size=1000)
        except IntegrityError as exc:
            # A first line of a new station × item, whose balance did not exist to be locked.
            raise Conflict(
                _("Stock was recorded while balances were rebuilt. Please run it again."),
                field=None,
            ) from exc
    return len(stale) + len(changed) + len(wanted)


def effective_threshold(balance_threshold: int | None, item_default: int) -> int | None:
    """The level under which stock is low: the station's own, else the item's; None if off."""
    level = balance_threshold if balance_threshold is not None else item_default
    return level if level > 0 else None


# -- input checks shared with the other field reports (service_records) ------------------


def check_quantity(value: object, *, maximum: int = MAX_QUANTITY) -> int:
    return check_whole_number(
        value,
        field="quantity",
        minimum=1,
        maximum=maximum,
        message=_("Quantity must be a whole number between 1 and {max}."),
    )


def check_actor(by: object) -> Actor:
    if not isinstance(by, Actor):
        raise InvalidInput(_("Who is making this change must be known."), field="by")
    return by


async def check_actor_on_record(actor: Actor) -> None:
    """The volunteer or user named as the actor still exists: a ledger line names its author."""
    if actor.volunteer_id is not None and not await Volunteer.exists(id=actor.volunteer_id):
        raise NotFound(_("The person making this change is no longer on record."), field="by")
    if actor.user_id is not None and not await User.exists(id=actor.user_id):
        raise NotFound(_("The person making this change is no longer on record."), field="by")


def check_unit_cost(value: object) -> int | None:
    """A receipt's cost per unit in đồng, or None for the item's current cost."""
    if value is None:
        return None
    return check_whole_number(
        value,
        field="unit_cost_vnd",
        minimum=0,
        maximum=MAX_UNIT_COST_VND,
        message=_("The cost per unit must be a whole number of đồng from 0 to {max}."),
        max=f"{MAX_UNIT_COST_VND:,}".replace(",", "."),
    )


def frozen_unit_cost(kind: MovementKind, item: SupplyItem, entered: int | None) -> int | None:
    """The cost per unit a new line keeps: a receipt's, entered or the item's current one."""
    if kind is not MovementKind.RECEIPT:
        return None
    return entered if entered is not None else item.unit_cost_vnd


def clean_note(note: object) -> str:
    if note is None:
        return ""
    return check_optional_text(
        note,
        field="note",
        max_length=NOTE_MAX,
        too_long=_("The note can be at most {max} characters."),
        not_text=_("The note must be text."),
    )


def clean_idempotency_key(key: object) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str):
        raise InvalidInput(_("The idempotency key must be text."), field="idempotency_key")
    key = key.strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidInput(
            _("The idempotency key can be at most {max} characters."),
            field="idempotency_key",
            max=IDEMPOTENCY_KEY_MAX,
        )
    return key or None


def check_occurred_at_type(occurred_at: object) -> None:
    if occurred_at is not None:
        check_aware_datetime(occurred_at, field="occurred_at")


def check_occurred_at(occurred_at: dt.datetime | None, campaign: Campaign) -> dt.datetime:
    """When it happened, in UTC: now if not given; not in the future, not long before the campaign."""
    now = clock.now()
    if occurred_at is None:
        return now
    check_occurred_at_type(occurred_at)
    moment = occurred_at.astimezone(dt.UTC)
    if moment > now + FUTURE_TOLERANCE:
        raise InvalidInput(_("The time cannot be in the future."), field="occurred_at")
    earliest = clock.local_midnight(campaign.starts_on) - EARLY_TOLERANCE
    if moment < earliest:
        raise InvalidInput(
            _("The time is too early for this campaign, which starts on {date}."),
            field="occurred_at",
            date=campaign.starts_on.strftime("%d/%m/%Y"),
        )
    return moment


async def load_station(station: Station, *, field: str, require_open: bool) -> Station:
    """``station`` fresh from the database with its campaign; refused if the campaign is closed."""
    found = await load_existing(
        station, Station, field=field, gone=_("The station was not found."), related=["campaign"]
    )
    if require_open and found.campaign.status is not CampaignStatus.OPEN:
        raise Conflict(
            _("The campaign {campaign} is closed: its records can no longer change."),
            field=field,
            campaign=found.campaign.name,
        )
    return found


async def load_item(item: SupplyItem, *, require_active: bool = True) -> SupplyItem:
    found = await load_existing(
        item, SupplyItem, field="item", gone=_("The supply item was not found.")
    )
    if require_active and not found.is_active:
        raise InvalidInput(
            _("The supply item {item} is no longer in use."), field="item", item=found.name_vi
        )
    return found


# -- the ledger writer ------------------------------------------------------------------


@dataclass(frozen=True)
class _LineContext:
    by: Actor
    note: str
    key: str | None

    @classmethod
    def checked(cls, by: object, occurred_at: object, note: object, key: object) -> _LineContext:
        check_occurred_at_type(occurred_at)
        return cls(check_actor(by), clean_note(note), clean_idempotency_key(key))

    def without_key(self) -> _LineContext:
        return _LineContext(self.by, self.note, None)


@dataclass(frozen=True)
class LineEntry:
    """One line of a several-item report: the item, how many, and its idempotency key."""

    item: SupplyItem
    quantity: object
    idempotency_key: str | None = None


async def record_lines(
    kind: MovementKind,
    station: Station,
    entries: Sequence[LineEntry],
    *,
    by: Actor,
) -> list[StockChange]:
    """Receipts, handouts or losses of several items at one station, in one transaction:
    every line or none, results in the order given.

    The bot's hot path ("/phat nuoc 50 khan 30"), so the station, the items and the author
    are read once for the whole report, a repeated report is found by the unique keys
    themselves rather than looked up before every line, and the writes are few statements
    of plain SQL: per line one ``UPDATE … RETURNING`` of its balance (which takes the row
    lock and gives the stock after it), then for the whole report one ``INSERT`` of the
    ledger lines, one ``UPDATE`` of the day's tallies and one ``INSERT`` of the audit events.
    """
    if kind not in SIMPLE_KINDS:
        raise ValueError(f"record_lines writes receipts, handouts and losses, not {kind}")
    amounts = [check_quantity(entry.quantity) for entry in entries]
    keys = [clean_idempotency_key(entry.idempotency_key) for entry in entries]
    context = _LineContext.checked(by, None, "", None)
    # Balance rows are locked in item order, as every ledger writer takes them, so two
    # reports naming the same items in another order cannot deadlock.
    order = sorted(range(len(entries)), key=lambda index: _id_of(entries[index].item) or 0)
    try:
        async with in_transaction() as connection:
            station_id = await _open_report(connection, station, context.by)
            now = clock.now()
            supplies = await _load_items([entry.item for entry in entries])
            moved: dict[int, tuple[int, int | None]] = {}
            for index in order:
                delta = SIGNS[kind] * amounts[index]
                moved[index] = await _move_balance(
                    connection, station_id, supplies[index].id, delta, now
                )
            lines = [
                _new_line(
                    station_id,
                    supplies[index],
                    kind,
                    SIGNS[kind] * amounts[index],
                    keys[index],
                    context.by,
                    now,
                    moved[index][0],
                )
                for index in range(len(entries))
            ]
            await _insert_lines(connection, lines, keys)
            await _count_in_daily_tallies(connection, lines)
            changes = [
                _change_of(line, supplies[index], moved[index]) for index, line in enumerate(lines)
            ]
            for index in order:
                if changes[index].low_stock_crossed:
                    # In this transaction: the alert exists exactly when the line does.
                    await alert_low_stock(
                        await Station.get(id=station_id),
                        supplies[index],
                        quantity=changes[index].balance_after,
                        threshold=changes[index].threshold,  # type: ignore[arg-type]
                        crossing_id=changes[index].movement.id,
                        now=now,
                    )
            await record_events(
                context.by, [_audit_entry(change) for change in changes], connection=connection
            )
    except _DuplicateKey:
        # The same report again (Telegram redelivers): each line answers with its original.
        return [
            await _replay_or_conflict(key, station, entry.item, kind, amount)
            for entry, key, amount in zip(entries, keys, amounts, strict=True)
        ]
    return changes


async def _open_report(connection: BaseDBAsyncClient, station: Station, by: Actor) -> int:
    """The id of ``station``, checked as ``check_actor_on_record`` and ``load_station`` (of an
    open campaign) check it, with the same errors, in one query."""
    marks = placeholders(connection.capabilities.dialect, 3)
    rows = await connection.execute_query_dict(
        f'SELECT (SELECT COUNT(*) FROM "{Volunteer._meta.db_table}" WHERE "id" = {marks[0]})'
        f' AS volunteers, (SELECT COUNT(*) FROM "{User._meta.db_table}" WHERE "id" = {marks[1]})'
        ' AS users, s."id" AS station_id, c."status" AS status, c."name" AS campaign'
        f' FROM (SELECT 1 AS one) AS report LEFT JOIN "{Station._meta.db_table}" AS s'
        f' ON s."id" = {marks[2]} LEFT JOIN "{Campaign._meta.db_table}" AS c'
        ' ON c."id" = s."campaign_id"',
        [by.volunteer_id, by.user_id, station.pk if isinstance(station, Station) else None],
    )
    found = rows[0]
    if (by.volunteer_id is not None and not found["volunteers"]) or (
        by.user_id is not None and not found["users"]
    ):
        raise NotFound(_("The person making this change is no longer on record."), field="by")
    if found["station_id"] is None:
        raise NotFound(_("The station was not found."), field="station")
    if found["status"] != CampaignStatus.OPEN.value:
        raise Conflict(
            _("The campaign {campaign} is closed: its records can no longer change."),
            field="station",
            campaign=found["campaign"],
        )
    return int(found["station_id"])


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
        await _locked_balance(station_id, item_id)
        rows = await connection.execute_query_dict(sql, values)
    return int(rows[0]["quantity"]), rows[0]["low_stock_threshold"]


def _new_line(
    station_id: int,
    item: SupplyItem,
    kind: MovementKind,
    delta: int,
    key: str | None,
    by: Actor,
    now: dt.datetime,
    after: int,
) -> StockMovement:
    quantity = abs(delta)
    return StockMovement(
        station_id=station_id,
        item_id=item.id,
        kind=kind,
        quantity=quantity,
        delta=delta,
        unit_cost_vnd=frozen_unit_cost(kind, item, None),
        discrepancy=kind in DISCREPANCY_KINDS and quantity > after - delta,
        by_volunteer_id=by.volunteer_id,
        by_user_id=by.user_id,
        source=by.source,
        idempotency_key=key,
        note="",
        occurred_at=now,
        recorded_at=now,
    )


def _change_of(line: StockMovement, item: SupplyItem, moved: tuple[int, int | None]) -> StockChange:
    after, station_threshold = moved
    threshold = effective_threshold(station_threshold, item.default_low_stock)
    return StockChange(
        movement=line,
        balance_after=after,
        low_stock_crossed=threshold is not None and after - line.delta >= threshold > after,
        threshold=threshold,
        discrepancy=line.discrepancy,
        duplicate=False,
    )


async def _insert_lines(
    connection: BaseDBAsyncClient, lines: list[StockMovement], keys: Sequence[str | None]
) -> None:
    """The ledger lines of one report in one INSERT; each line gets its id."""
    try:
        rows = await insert_rows(connection, lines, returning=("id", "item_id"))
    except IntegrityError as exc:
        if not any(keys):
            raise
        # No savepoint of its own: the duplicate key ends the transaction, and the caller
        # replays the original lines outside it.
        raise _DuplicateKey(next(key for key in keys if key)) from exc
    # Ids are drawn in the order the rows are inserted (a sequence on PostgreSQL, the rowid
    # on SQLite) while RETURNING promises no order: sorted by id, the rows are the lines.
    rows.sort(key=lambda row: row["id"])
    if [row["item_id"] for row in rows] != [line.item_id for line in lines]:
        raise RuntimeError("the ledger lines came back in an unexpected order")
    for line, row in zip(lines, rows, strict=True):
        line.id = row["id"]
        line._saved_in_db = True


async def _count_in_daily_tallies(
    connection: BaseDBAsyncClient, lines: Sequence[StockMovement]
) -> None:
    """Add the lines of one report (one station, kind and moment) to their items' tallies of
    the day in one UPDATE; an item's first tally of the day is summed from the ledger.

    The caller holds the balance locks of these items, so no other writer touches the rows.
    """
    first = lines[0]
    day = local_day(first.occurred_at)
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
    values.extend((first.station_id, first.kind.value, day))
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
            await _open_daily_tally(first.station_id, item_id, first.kind, day)


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


async def _load_items(items: Sequence[SupplyItem]) -> list[SupplyItem]:
    """``items`` fresh from the database in one query, each checked as ``load_item`` does."""
    ids = [_id_of(item) for item in items]
    found = {row.id: row for row in await SupplyItem.filter(id__in=[i for i in ids if i])}
    loaded = []
    for item_id in ids:
        supply = found.get(item_id) if item_id else None
        if supply is None:
            raise NotFound(_("The supply item was not found."), field="item")
        if not supply.is_active:
            raise InvalidInput(
                _("The supply item {item} is no longer in use."), field="item", item=supply.name_vi
            )
        loaded.append(supply)
    return loaded


async def _record_simple(
    kind: MovementKind,
    station: Station,
    item: SupplyItem,
    quantity: object,
    by: object,
    occurred_at: dt.datetime | None,
    note: object,
    idempotency_key: object,
    *,
    unit_cost_vnd: int | None = None,
) -> StockChange:
    amount = check_quantity(quantity)
    context = _LineContext.checked(by, occurred_at, note, idempotency_key)
    await check_actor_on_record(context.by)
    if context.key and (replayed := await _replay(context.key, station, item, kind, amount)):
        return replayed
    try:
        async with in_transaction():
            target, supply, when = await _open_line(station, item, occurred_at)
            balance = await _locked_balance(target.id, supply.id)
            change = await _apply_line(
                balance,
                supply,
                kind,
                SIGNS[kind] * amount,
                context,
                when,
                unit_cost_vnd=frozen_unit_cost(kind, supply, unit_cost_vnd),
            )
            await _audit(change, context.by)
            return change
    except _DuplicateKey:
        return await _replay_or_conflict(context.key, station, item, kind, amount)


async def _open_line(
    station: Station,
    item: SupplyItem,
    occurred_at: dt.datetime | None,
    *,
    field: str = "station",
) -> tuple[Station, SupplyItem, dt.datetime]:
    target = await load_station(station, field=field, require_open=True)
    when = check_occurred_at(occurred_at, target.campaign)
    supply = await load_item(item)
    return target, supply, when


async def _locked_balance(station_id: int, item_id: int) -> StockBalance:
    """The station × item balance row, created if missing, locked until the transaction ends."""
    balance = await StockBalance.select_for_update().get_or_none(
        station_id=station_id, item_id=item_id
    )
    if balance is not None:
        return balance
    # A first balance starts from whatever the ledger already holds (a bulk load may have
    # written lines directly), so the balance can never drift from its ledger.
    opening = await _ledger_total(station_id, item_id)
    try:
        async with in_transaction():
            return await StockBalance.create(
                station_id=station_id, item_id=item_id, quantity=opening
            )
    except IntegrityError:
        # Another writer created it first; its row is committed now, so wait for its lock.
        return await StockBalance.select_for_update().get(station_id=station_id, item_id=item_id)


async def _ledger_total(station_id: int, item_id: int) -> int:
    return await _sum_of_deltas(StockMovement.filter(station_id=station_id, item_id=item_id))


async def _sum_of_deltas(lines: QuerySet[StockMovement]) -> int:
    rows = await lines.annotate(total=Sum("delta")).values("total")
    return int(rows[0]["total"] or 0) if rows else 0


def _lines_after(station_id: int, item_id: int, moment: dt.datetime) -> QuerySet[StockMovement]:
    """The station × item lines that happened after ``moment``.

    A line recorded by ``moment`` happened by then, whatever time a fast phone clock put on
    it: a count at ``moment`` already saw its effect. So a count of "now" has no later lines.
    """
    return StockMovement.filter(
        station_id=station_id, item_id=item_id, occurred_at__gt=moment, recorded_at__gt=moment
    )


async def _apply_line(
    balance: StockBalance,
    item: SupplyItem,
    kind: MovementKind,
    delta: int,
    context: _LineContext,
    occurred_at: dt.datetime,
    *,
    counted: int | None = None,
    counterpart_id: int | None = None,
    transfer_group: uuid.UUID | None = None,
    unit_cost_vnd: int | None = None,
) -> StockChange:
    now = clock.now()
    # The caller holds this balance row's lock (PostgreSQL: FOR UPDATE; SQLite: one writer),
    # so the quantity it read is the one the update starts from: no read-back needed.
    before = balance.quantity
    after = before + delta
    await StockBalance.filter(id=balance.id).update(quantity=F("quantity") + delta, updated_at=now)
    balance.quantity = after
    quantity = abs(delta)
    discrepancy = kind in DISCREPANCY_KINDS and quantity > before
    threshold = effective_threshold(balance.low_stock_threshold, item.default_low_stock)
    crossed = threshold is not None and before >= threshold > after
    # No savepoint of its own: a duplicate key ends the caller's transaction (or savepoint),
    # and the caller replays the original line outside it.
    try:
        movement = await StockMovement.create(
            station_id=balance.station_id,
            item_id=item.id,
            kind=kind,
            quantity=quantity,
            delta=delta,
            unit_cost_vnd=unit_cost_vnd,
            counterpart_id=counterpart_id,
            transfer_group=transfer_group,
            counted_quantity=counted,
            discrepancy=discrepancy,
            by_volunteer_id=context.by.volunteer_id,
            by_user_id=context.by.user_id,
            source=context.by.source,
            idempotency_key=context.key,
            note=context.note,
            occurred_at=occurred_at,
            recorded_at=now,
        )
    except IntegrityError as exc:
        if context.key is None:
            raise
        raise _DuplicateKey(context.key) from exc
    await _count_in_daily_tally(movement)
    if crossed:
        # In this transaction: the alert exists exactly when the line does.
        station = await Station.get(id=balance.station_id)
        await alert_low_stock(
            station,
            item,
            quantity=after,
            threshold=threshold,  # type: ignore[arg-type]
            crossing_id=movement.id,
            now=now,
        )
    return StockChange(
        movement=movement,
        balance_after=after,
        low_stock_crossed=crossed,
        threshold=threshold,
        discrepancy=discrepancy,
        duplicate=False,
    )


async def _count_in_daily_tally(line: StockMovement) -> None:
    """Add ``line`` to its station × item × kind × Vietnam-local day tally.

    The caller holds the station × item balance lock, so no other writer touches this row
    until the transaction ends. A day's first tally is summed from the ledger (the new line
    included), like a first balance: lines loaded directly before it are not lost.
    """
    day = local_day(line.occurred_at)
    added = await DailyStockTally.filter(
        station_id=line.station_id, item_id=line.item_id, kind=line.kind, day=day
    ).update(
        quantity=F("quantity") + line.quantity,
        delta=F("delta") + line.delta,
        lines=F("lines") + 1,
    )
    if not added:
        await _open_daily_tally(line.station_id, line.item_id, line.kind, day)


async def _open_daily_tally(
    station_id: int, item_id: int, kind: MovementKind, day: dt.date
) -> None:
    """A day's first tally, summed from the ledger (its new lines included)."""
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


async def _audit(change: StockChange, by: Actor) -> None:
    entry = _audit_entry(change)
    await record_event(
        by, entry.action, object_type=entry.object_type, object_id=entry.object_id, data=entry.data
    )


# -- idempotent replays -----------------------------------------------------------------


def _key_conflict() -> Conflict:
    return Conflict(
        _("This idempotency key was already used for a different stock entry."),
        field="idempotency_key",
    )


async def _replay(
    key: str,
    station: Station,
    item: SupplyItem,
    kind: MovementKind | None = None,
    quantity: int | None = None,
    *,
    counted: int | None = None,
) -> StockChange | None:
    """The change first recorded under ``key``, or None if the key is new.

    A key reused for a different entry is a client's bug: refused, never silently merged.
    """
    original = await StockMovement.get_or_none(idempotency_key=key).select_related("item")
    if original is None:
        return None
    same = original.station_id == _id_of(station) and original.item_id == _id_of(item)
    if counted is not None:
        same = (
            same
            and original.kind is MovementKind.COUNT_ADJUSTMENT
            and original.counted_quantity == counted
        )
    else:
        same = same and original.kind is kind and original.quantity == quantity
    if not same:
        raise _key_conflict()
    return await _as_duplicate(original)


async def _replay_or_conflict(
    key: str | None,
    station: Station,
    item: SupplyItem,
    kind: MovementKind | None = None,
    quantity: int | None = None,
    *,
    counted: int | None = None,
) -> StockChange:
    replayed = await _replay(key or "", station, item, kind, quantity, counted=counted)
    if replayed is None:
        raise _key_conflict()
    return replayed


async def _replay_transfer(
    key: str, from_station: Station, to_station: Station, item: SupplyItem, quantity: int
) -> tuple[StockChange, StockChange] | None:
    original = await StockMovement.get_or_none(idempotency_key=key).select_related("item")
    if original is None:
        return None
    if (
        original.kind is not MovementKind.TRANSFER_OUT
        or original.station_id != _id_of(from_station)
        or original.counterpart_id != _id_of(to_station)
        or original.item_id != _id_of(item)
        or original.quantity != quantity
    ):
        raise _key_conflict()
    counterpart = await StockMovement.get(
        transfer_group=original.transfer_group, kind=MovementKind.TRANSFER_IN
    ).select_related("item")
    return await _as_duplicate(original), await _as_duplicate(counterpart)


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


def _check_ids(values: object) -> list[int]:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise InvalidInput(_("Choose stations from the list."), field="station_ids")
    ids: list[int] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(_("Choose stations from the list."), field="station_ids")
        ids.append(value)
    return ids


def _id_of(row: object) -> int | None:
    return getattr(row, "id", None)
