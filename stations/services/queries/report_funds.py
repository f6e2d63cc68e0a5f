"""A campaign's money for its report: budget, mobilised (cash and in kind), spent, balance.

- **budget** — the campaign's own budget (0 without one).
- **mobilised_cash** — cash donations; **mobilised_in_kind** — the value of supplies given
  (each in-kind donation's amount: its receipt's quantity × the cost per unit frozen on it).
- **spent** — supplies bought (receipt lines × their frozen cost per unit, the lines that came
  as gifts left out: nobody paid for them) and the expenses that are not stock.
- **balance** — budget + cash mobilised − spent: the money left, negative when overspent.

Every figure is whole đồng, summed in SQL with 8-byte arithmetic, in one query: none of them
reads an item's current price, so a price changed later leaves the report as it was.
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
        " (SELECT COALESCE(SUM(CAST(m.quantity AS BIGINT) * COALESCE(m.unit_cost_vnd, 0)), 0)"
        ' FROM "stock_movement" m JOIN "station" s ON s.id = m.station_id'
        f" WHERE s.campaign_id = {marks[2]} AND m.kind = '{MovementKind.RECEIPT.value}'"
        ' AND NOT EXISTS (SELECT 1 FROM "donation" g WHERE g.movement_id = m.id)) AS bought,'
        ' (SELECT COALESCE(SUM(e.amount_vnd), 0) FROM "expense" e'
        f" WHERE e.campaign_id = {marks[3]}) AS expenses"
    )


async def campaign_funds(campaign: Campaign) -> FundsReport:
    """The campaign's money (see the module's definitions), in one query."""
    connection = connections.get("default")
    rows = await connection.execute_query_dict(
        _funds_sql(connection.capabilities.dialect), [campaign.id] * 4
    )
    row = rows[0]
    budget = int(campaign.budget_vnd or 0)
    cash, in_kind = int(row["cash"] or 0), int(row["in_kind"] or 0)
    spent = int(row["bought"] or 0) + int(row["expenses"] or 0)
    return FundsReport(
        budget=budget,
        mobilised_cash=cash,
        mobilised_in_kind=in_kind,
        spent=spent,
        balance=budget + cash - spent,
    )
