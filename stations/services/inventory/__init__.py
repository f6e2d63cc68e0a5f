"""The stock ledger: every receipt, handout, transfer, count and loss is one appended line.

Each line is written in one transaction with the station × item ``StockBalance`` it moves,
so stock on hand is a read, never a number two writers overwrite: the balance moves by
``quantity = quantity + delta`` and is read back, so each writer knows the exact stock
before and after its own line. Balance rows are locked (the UPDATE takes the row lock on
PostgreSQL; SQLite runs one writer at a time) in (station, item) order, so two opposite
transfers cannot deadlock.

A handout (or loss, or transfer out) larger than the stock on record is accepted — the
field is right, the record is behind — and flagged as a discrepancy for a coordinator.

One writer writes every line (``ledger.write_lines``); counts and transfers are rules on
top of it (``counts``, ``transfers``); ``thresholds`` sets low-stock levels and ``rebuild``
recomputes balances and daily tallies from the ledger. The input checks live in
``checks``, shared with the other field reports.
"""

from stations.services.inventory.checks import (
    EARLY_TOLERANCE,
    FUTURE_TOLERANCE,
    IDEMPOTENCY_KEY_MAX,
    MAX_QUANTITY,
    MAX_THRESHOLD,
    MAX_UNIT_COST_VND,
    NOTE_MAX,
    check_actor,
    check_actor_on_record,
    check_counted,
    check_occurred_at,
    check_occurred_at_type,
    check_quantity,
    check_unit_cost,
    clean_idempotency_key,
    clean_note,
    client_key,
    effective_threshold,
    frozen_unit_cost,
    load_item,
    load_station,
)
from stations.services.inventory.counts import record_count, record_counts
from stations.services.inventory.ledger import (
    DISCREPANCY_KINDS,
    SIGNS,
    SIMPLE_KINDS,
    Line,
    LineEntry,
    StockChange,
    record_handout,
    record_lines,
    record_loss,
    record_movement,
    record_receipt,
    write_lines,
)
from stations.services.inventory.rebuild import rebuild_balances
from stations.services.inventory.thresholds import set_low_stock_threshold
from stations.services.inventory.transfers import transfer_stock

__all__ = [
    "DISCREPANCY_KINDS",
    "EARLY_TOLERANCE",
    "FUTURE_TOLERANCE",
    "IDEMPOTENCY_KEY_MAX",
    "MAX_QUANTITY",
    "MAX_THRESHOLD",
    "MAX_UNIT_COST_VND",
    "NOTE_MAX",
    "SIGNS",
    "SIMPLE_KINDS",
    "Line",
    "LineEntry",
    "StockChange",
    "check_actor",
    "check_actor_on_record",
    "check_counted",
    "check_occurred_at",
    "check_occurred_at_type",
    "check_quantity",
    "check_unit_cost",
    "clean_idempotency_key",
    "clean_note",
    "client_key",
    "effective_threshold",
    "frozen_unit_cost",
    "load_item",
    "load_station",
    "rebuild_balances",
    "record_count",
    "record_counts",
    "record_handout",
    "record_lines",
    "record_loss",
    "record_movement",
    "record_receipt",
    "set_low_stock_threshold",
    "transfer_stock",
    "write_lines",
]
