"""What is planned: campaigns, their stations and the shifts at each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from stations.enums import CampaignKind, CampaignStatus, ShiftStatus

if TYPE_CHECKING:
    from stations.models.org import Unit
    from stations.models.people import Volunteer


class Campaign(Model):
    """One holiday operation, e.g. "Tết Đinh Mùi 2027"."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(CampaignKind, max_length=16)
    year = fields.SmallIntField()
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    budget_vnd = fields.BigIntField(null=True)
    status = fields.CharEnumField(CampaignStatus, max_length=16, default=CampaignStatus.OPEN)
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "stations.Unit", related_name="campaigns", null=True, on_delete=fields.SET_NULL
    )
    unit_id: int | None
    closed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    stations: fields.ReverseRelation[Station]

    class Meta:
        table = "campaign"
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return self.name


class Station(Model):
    """A roadside rest station of one campaign."""

    id = fields.IntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "stations.Campaign", related_name="stations", on_delete=fields.CASCADE
    )
    campaign_id: int
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "stations.Unit", related_name="stations", on_delete=fields.RESTRICT
    )
    unit_id: int
    code = fields.CharField(max_length=16)
    name = fields.CharField(max_length=200)
    address = fields.CharField(max_length=300, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    checkin_radius_m = fields.IntField(default=300)
    opens_at = fields.TimeField(null=True)
    closes_at = fields.TimeField(null=True)
    lead: fields.ForeignKeyNullableRelation[Volunteer] = fields.ForeignKeyField(
        "stations.Volunteer", related_name="led_stations", null=True, on_delete=fields.SET_NULL
    )
    lead_id: int | None
    #: official codes of the province and ward or commune it stands in (2025 divisions)
    province_code = fields.CharField(max_length=2, null=True)
    ward_code = fields.CharField(max_length=5, null=True)
    is_active = fields.BooleanField(default=True)
    #: what travellers find here: space-separated codes from services/station_services.py
    offers = fields.CharField(max_length=200, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    shifts: fields.ReverseRelation[Shift]

    class Meta:
        table = "station"
        unique_together = (("campaign", "code"),)
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Shift(Model):
    """A time slot at a station with the head-count it needs per role."""

    id = fields.IntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="shifts", on_delete=fields.CASCADE
    )
    station_id: int
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    #: {"lead": 1, "volunteer": 4}: role → people needed
    needs: fields.JSONField[dict[str, int]] = fields.JSONField(default=dict)
    status = fields.CharEnumField(ShiftStatus, max_length=16, default=ShiftStatus.ACTIVE)
    note = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "shift"
        ordering = ["starts_at", "id"]
        indexes = (("station_id", "starts_at"), ("starts_at",))
