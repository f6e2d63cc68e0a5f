"""Supplies and services: the append-only stock ledger and what it sums to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from stations.enums import MovementKind, ServiceKind, Source, SupplyCategory
from stations.formatting import unit_for_count

if TYPE_CHECKING:
    from stations.models.campaigns import Station
    from stations.models.org import Unit, User
    from stations.models.people import Volunteer


class SupplyItem(Model):
    """A kind of supply: bottled water, cold towels, food, fuel, leaflets."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name_vi = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100)
    unit_vi = fields.CharField(max_length=20)  # chai, khăn, phần, lít, tờ
    unit_en = fields.CharField(max_length=20)
    category = fields.CharEnumField(SupplyCategory, max_length=16)
    #: folded words the bot accepts for this item ("nuoc", "water", "nuoc suoi")
    aliases: fields.JSONField[list[str]] = fields.JSONField(default=list)
    unit_cost_vnd = fields.IntField(default=0)
    default_low_stock = fields.IntField(default=0)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "supply_item"
        ordering = ["id"]

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_vi

    def unit_label(self, language: str, count: int | None = 1) -> str:
        """The unit as it reads before ``count`` (plural in English; None asks "how many")."""
        return unit_for_count(self.unit_vi, self.unit_en, language, count)


class StockMovement(Model):
    """One line of the append-only ledger. Corrections are new lines, never edits."""

    id = fields.BigIntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="movements", on_delete=fields.CASCADE
    )
    station_id: int
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "stations.SupplyItem", related_name="movements", on_delete=fields.RESTRICT
    )
    item_id: int
    kind = fields.CharEnumField(MovementKind, max_length=20)
    # In the item's unit, > 0; 0 only on a count that confirmed the record.
    quantity = fields.IntField()
    delta = fields.IntField()  # the signed effect on stock: ±quantity
    #: a receipt line, cost per unit in dong frozen when recorded, so later prices change nothing
    unit_cost_vnd = fields.IntField(null=True)
    #: the other station of a transfer, both lines share ``transfer_group``
    counterpart: fields.ForeignKeyNullableRelation[Station] = fields.ForeignKeyField(
        "stations.Station",
        related_name="counterpart_movements",
        null=True,
        on_delete=fields.SET_NULL,
    )
    counterpart_id: int | None
    transfer_group = fields.UUIDField(null=True)
    counted_quantity = fields.IntField(null=True)  # what a physical count found
    discrepancy = fields.BooleanField(default=False)  # handout larger than the stock on record
    by_volunteer: fields.ForeignKeyNullableRelation[Volunteer] = fields.ForeignKeyField(
        "stations.Volunteer", related_name="movements", null=True, on_delete=fields.SET_NULL
    )
    by_volunteer_id: int | None
    by_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "stations.User", related_name="movements", null=True, on_delete=fields.SET_NULL
    )
    by_user_id: int | None
    source = fields.CharEnumField(Source, max_length=16)
    idempotency_key = fields.CharField(max_length=128, unique=True, null=True)
    note = fields.CharField(max_length=300, default="")
    #: why a coordinator recorded it outside the campaign window (empty inside it)
    outside_reason = fields.CharField(max_length=300, default="", db_default="")
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "stock_movement"
        indexes = (("station_id", "item_id"), ("occurred_at",), ("station_id", "occurred_at"))


class StockBalance(Model):
    """Stock on hand per station and item, kept by the ledger writer in one transaction with each line."""

    id = fields.IntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="balances", on_delete=fields.CASCADE
    )
    station_id: int
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "stations.SupplyItem", related_name="balances", on_delete=fields.RESTRICT
    )
    item_id: int
    quantity = fields.IntField(default=0)  # may go negative: the field's report wins
    low_stock_threshold = fields.IntField(null=True)  # None: the item's default
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "stock_balance"
        unique_together = (("station", "item"),)


class DailyStockTally(Model):
    """The ledger summed per station, item, kind and Vietnam-local day of occurred_at.

    Kept by the ledger writer in the same transaction as each line, under the lock of the
    station and item balance, so reports read a few rows per day instead of every line. The
    ledger stays the truth: rebuild_balances recomputes this table from it.
    """

    id = fields.BigIntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="daily_tallies", on_delete=fields.CASCADE
    )
    station_id: int
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "stations.SupplyItem", related_name="daily_tallies", on_delete=fields.RESTRICT
    )
    item_id: int
    kind = fields.CharEnumField(MovementKind, max_length=20)
    #: the Vietnam-local date of the lines occurred_at
    day = fields.DateField()
    #: sum of the lines quantity, in the item unit
    quantity = fields.BigIntField(default=0)
    #: sum of the lines signed effect on stock
    delta = fields.BigIntField(default=0)
    #: how many ledger lines were summed
    lines = fields.IntField(default=0)

    class Meta:
        table = "daily_stock_tally"
        unique_together = (("station", "item", "kind", "day"),)
        indexes = (("day",),)


class ServiceRecord(Model):
    """A service given at a station: motorbike checks, loudspeaker minutes, first aid."""

    id = fields.BigIntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="services", on_delete=fields.CASCADE
    )
    station_id: int
    kind = fields.CharEnumField(ServiceKind, max_length=20)
    quantity = fields.IntField()  # > 0: vehicles, people, or minutes for loudspeaker
    partner: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "stations.Unit", related_name="services", null=True, on_delete=fields.SET_NULL
    )
    partner_id: int | None
    by_volunteer: fields.ForeignKeyNullableRelation[Volunteer] = fields.ForeignKeyField(
        "stations.Volunteer", related_name="services", null=True, on_delete=fields.SET_NULL
    )
    by_volunteer_id: int | None
    by_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "stations.User", related_name="services", null=True, on_delete=fields.SET_NULL
    )
    by_user_id: int | None
    source = fields.CharEnumField(Source, max_length=16)
    idempotency_key = fields.CharField(max_length=128, unique=True, null=True)
    note = fields.CharField(max_length=300, default="")
    #: why a coordinator recorded it outside the campaign window (empty inside it)
    outside_reason = fields.CharField(max_length=300, default="", db_default="")
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "service_record"
        indexes = (("station_id", "occurred_at"),)


class PlannedStock(Model):
    """How much of an item a station should hold when the campaign opens."""

    id = fields.IntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="planned_stock", on_delete=fields.CASCADE
    )
    station_id: int
    item: fields.ForeignKeyRelation[SupplyItem] = fields.ForeignKeyField(
        "stations.SupplyItem", related_name="planned_stock", on_delete=fields.RESTRICT
    )
    item_id: int
    #: in the item unit, at least 1 (a plan of none is no row)
    quantity = fields.IntField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "planned_stock"
        unique_together = (("station", "item"),)
