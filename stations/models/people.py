"""Who serves: volunteers, their assignments to shifts, and the tokens that link Telegram."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from stations.enums import AssignmentStatus, Force, Language, ShiftRole

if TYPE_CHECKING:
    from stations.models.campaigns import Shift
    from stations.models.org import Unit, User


def new_calendar_key() -> str:
    """A fresh, unguessable calendar feed key (256 bits)."""
    return secrets.token_urlsafe(32)


class Volunteer(Model):
    id = fields.IntField(primary_key=True)
    full_name = fields.CharField(max_length=200)
    #: accent-folded, lower-case name for search ("nguyen van an")
    search_name = fields.CharField(max_length=200, db_index=True)
    phone = fields.CharField(max_length=20, unique=True)  # E.164, +84…
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "stations.Unit", related_name="volunteers", null=True, on_delete=fields.SET_NULL
    )
    unit_id: int | None
    organisation = fields.CharField(max_length=200, default="")
    #: the force a provincial report counts this person in
    force = fields.CharEnumField(Force, max_length=16, default=Force.OTHER, db_default="other")
    skills: fields.JSONField[list[str]] = fields.JSONField(default=list)
    telegram_user_id = fields.BigIntField(null=True, unique=True)
    telegram_chat_id = fields.BigIntField(null=True)
    language = fields.CharEnumField(Language, max_length=2, default=Language.VI)
    reachable = fields.BooleanField(default=True)
    notes = fields.TextField(default="")
    #: secret in the address of the calendar feed of this volunteer (a new one closes the old)
    calendar_key = fields.CharField(max_length=64, default=new_calendar_key)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "volunteer"
        ordering = ["search_name", "id"]

    def __str__(self) -> str:
        return self.full_name


class Assignment(Model):
    """A volunteer on a shift, from assignment through check-in to check-out."""

    id = fields.IntField(primary_key=True)
    shift: fields.ForeignKeyRelation[Shift] = fields.ForeignKeyField(
        "stations.Shift", related_name="assignments", on_delete=fields.CASCADE
    )
    shift_id: int
    volunteer: fields.ForeignKeyRelation[Volunteer] = fields.ForeignKeyField(
        "stations.Volunteer", related_name="assignments", on_delete=fields.CASCADE
    )
    volunteer_id: int
    role = fields.CharEnumField(ShiftRole, max_length=16, default=ShiftRole.VOLUNTEER)
    status = fields.CharEnumField(
        AssignmentStatus, max_length=16, default=AssignmentStatus.ASSIGNED, db_index=True
    )
    checked_in_at = fields.DatetimeField(null=True)
    checkin_latitude = fields.FloatField(null=True)
    checkin_longitude = fields.FloatField(null=True)
    checkin_distance_m = fields.IntField(null=True)
    checkin_verified = fields.BooleanField(null=True)
    checked_out_at = fields.DatetimeField(null=True)
    auto_checked_out = fields.BooleanField(default=False)
    worked_minutes = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "assignment"
        unique_together = (("shift", "volunteer"),)


class LinkToken(Model):
    """Single-use, expiring token that links a Telegram account: ``/start <token>``."""

    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=64, unique=True)
    volunteer: fields.ForeignKeyRelation[Volunteer] = fields.ForeignKeyField(
        "stations.Volunteer", related_name="link_tokens", on_delete=fields.CASCADE
    )
    volunteer_id: int
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "stations.User", related_name="link_tokens", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "link_token"
