"""The money of a campaign: its partners, the donations it mobilised and what it spent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from stations.enums import DonationKind, ExpenseCategory, PartnerKind

if TYPE_CHECKING:
    from stations.models.campaigns import Campaign
    from stations.models.inventory import StockMovement
    from stations.models.org import Unit, User


class Partner(Model):
    """Who works with a campaign from outside: a Head Honda centre, a sponsor, a radio station."""

    id = fields.IntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "stations.Campaign", related_name="partners", on_delete=fields.CASCADE
    )
    campaign_id: int
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(PartnerKind, max_length=16, default=PartnerKind.OTHER)
    #: the organising unit this partner is, when services name it as their partner unit
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "stations.Unit", related_name="partnerships", null=True, on_delete=fields.SET_NULL
    )
    unit_id: int | None
    note = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "partner"
        unique_together = (("campaign", "name"),)
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Donation(Model):
    """Money or supplies given to a campaign. In kind, it names the receipt line it came as."""

    id = fields.IntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "stations.Campaign", related_name="donations", on_delete=fields.CASCADE
    )
    campaign_id: int
    kind = fields.CharEnumField(DonationKind, max_length=16)
    donor = fields.CharField(max_length=200)
    partner: fields.ForeignKeyNullableRelation[Partner] = fields.ForeignKeyField(
        "stations.Partner", related_name="donations", null=True, on_delete=fields.SET_NULL
    )
    partner_id: int | None
    #: whole dong, the value of the supplies when in kind
    amount_vnd = fields.BigIntField()
    received_on = fields.DateField()
    movement: fields.ForeignKeyNullableRelation[StockMovement] = fields.ForeignKeyField(
        "stations.StockMovement", related_name="donations", null=True, on_delete=fields.SET_NULL
    )
    movement_id: int | None
    note = fields.CharField(max_length=300, default="")
    by_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "stations.User", related_name="donations", null=True, on_delete=fields.SET_NULL
    )
    by_user_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "donation"
        ordering = ["received_on", "id"]


class Expense(Model):
    """Money spent on what is not stock: transport, tents, printing, meals."""

    id = fields.IntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "stations.Campaign", related_name="expenses", on_delete=fields.CASCADE
    )
    campaign_id: int
    category = fields.CharEnumField(ExpenseCategory, max_length=16)
    amount_vnd = fields.BigIntField()
    spent_on = fields.DateField()
    receipt_number = fields.CharField(max_length=64, default="")
    note = fields.CharField(max_length=300, default="")
    by_user: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "stations.User", related_name="expenses", null=True, on_delete=fields.SET_NULL
    )
    by_user_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "expense"
        ordering = ["spent_on", "id"]
