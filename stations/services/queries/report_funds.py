"""A campaign's money for its report: budget, mobilised (cash and in kind), spent, balance.

- **budget** — the campaign's own budget (0 without one).
- **mobilised_cash** — cash donations; **mobilised_in_kind** — the value of supplies given
  (each in-kind donation's amount: its receipt's quantity × the cost per unit frozen on it).
- **spent** — supplies bought (receipt lines × their frozen cost per unit, the lines that came
  as gifts left out: nobody paid for them) and the expenses that are not stock.
- **balance** — budget + cash mobilised − spent: the money left, negative when overspent.

Every figure is whole đồng, summed in SQL with 8-byte arithmetic: none of them reads an item's
current price, so a price changed later leaves the report as it was. The report has already
summed the value of every receipt; an in-kind donation's amount is its receipt's value, so
what was bought is that sum less the gifts, and this module's one query reads the donations
and expenses only, never the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.connection import connections

from stations.enums import DonationKind, MovementKind
from stations.models import Campaign
from stations.services.sql import placeholders


@dataclass(frozen=True)
class FundsReport:
    budget: int
    mobilised_cash: int
    mobilised_in_kind: int
    spent: int
    balance: int

    @property
    def mobilised(self) -> int:
        return self.mobilised_cash + self.mobilised_in_kind

    @property
    def overspent(self) -> bool:
        return self.balance < 0


def _funds_sql(dialect: str) -> str:
    marks = placeholders(dialect, 4)
    return (
        "SELECT"
        ' (SELECT COALESCE(SUM(d.amount_vnd), 0) FROM "donation" d'
        f" WHERE d.campaign_id = {marks[0]} AND d.kind = '{DonationKind.CASH.value}') AS cash,"
        ' (SELECT COALESCE(SUM(d.amount_vnd), 0) FROM "donation" d'
        f" WHERE d.campaign_id = {marks[1]} AND d.kind = '{DonationKind.IN_KIND.value}')"
        " AS in_kind,"
        ' (SELECT COALESCE(SUM(d.amount_vnd), 0) FROM "donation" d'
        f" WHERE d.campaign_id = {marks[2]} AND d.movement_id IS NOT NULL) AS gift_receipts,"
        ' (SELECT COALESCE(SUM(e.amount_vnd), 0) FROM "expense" e'
        f" WHERE e.campaign_id = {marks[3]}) AS expenses"
    )


def _receipts_value_sql(dialect: str) -> str:
    return (
        "SELECT COALESCE(SUM(CAST(m.quantity AS BIGINT) * COALESCE(m.unit_cost_vnd, 0)), 0)"
        ' AS value_vnd FROM "stock_movement" m JOIN "station" s ON s.id = m.station_id'
        f" WHERE s.campaign_id = {placeholders(dialect, 1)[0]}"
        f" AND m.kind = '{MovementKind.RECEIPT.value}'"
    )


async def receipts_value(campaign: Campaign) -> int:
    """What every receipt of the campaign was worth, at the costs frozen on its lines (the
    report's ``cost_vnd``), for a page that has no report at hand."""
    connection = connections.get("default")
    rows = await connection.execute_query_dict(
        _receipts_value_sql(connection.capabilities.dialect), [campaign.id]
    )
    return int(rows[0]["value_vnd"] or 0)


async def campaign_funds(campaign: Campaign, *, receipts_value: int) -> FundsReport:
    """The campaign's money (see the module's definitions), in one query; ``receipts_value``
    is what all its receipts were worth (the unscoped report's ``cost_vnd``)."""
    connection = connections.get("default")
    rows = await connection.execute_query_dict(
        _funds_sql(connection.capabilities.dialect), [campaign.id] * 4
    )
    row = rows[0]
    budget = int(campaign.budget_vnd or 0)
    cash, in_kind = int(row["cash"] or 0), int(row["in_kind"] or 0)
    # An in-kind donation's amount is its receipt's value: what was bought is the rest.
    bought = receipts_value - int(row["gift_receipts"] or 0)
    spent = bought + int(row["expenses"] or 0)
    return FundsReport(
        budget=budget,
        mobilised_cash=cash,
        mobilised_in_kind=in_kind,
        spent=spent,
        balance=budget + cash - spent,
    )
