"""Who organises: units, coordinators' logins, API tokens, the audit trail."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from stations.enums import ActorKind, Language, UnitKind, UserRole


class Unit(Model):
    """An organising unit: province or commune police, traffic police, a union, a garage."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(UnitKind, max_length=32, default=UnitKind.OTHER)
    parent: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "stations.Unit", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    parent_id: int | None
    #: where it sits in the administrative divisions of Vietnam (2025): official province code
    province_code = fields.CharField(max_length=2, null=True)
    #: the official ward or commune code, of that province (None for a province-wide unit)
    ward_code = fields.CharField(max_length=5, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "unit"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(Model):
    """A coordinator web login."""

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    full_name = fields.CharField(max_length=200, default="")
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(UserRole, max_length=16, default=UserRole.VIEWER)
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "stations.Unit", related_name="users", null=True, on_delete=fields.SET_NULL
    )
    unit_id: int | None
    language = fields.CharEnumField(Language, max_length=2, default=Language.VI)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_user"


class ApiToken(Model):
    """A bearer token for the JSON API, stored only as its SHA-256."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    role = fields.CharEnumField(UserRole, max_length=16, default=UserRole.ADMIN)
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "stations.Unit", related_name="api_tokens", null=True, on_delete=fields.SET_NULL
    )
    unit_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"


class SignInAttempt(Model):
    """A failed web sign-in, kept a short while so repeated guessing is slowed down.

    Shared by every web replica through the database, keyed by account and by address."""

    id = fields.BigIntField(primary_key=True)
    email = fields.CharField(max_length=254, db_index=True)
    address = fields.CharField(max_length=64, db_index=True)
    at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "signin_attempt"


class WebSession(Model):
    """A signed-in browser. The cookie carries the key, this row only its SHA-256.

    Signing out deletes the row, so a copied cookie stops working at once."""

    id = fields.BigIntField(primary_key=True)
    key_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "stations.User", related_name="web_sessions", on_delete=fields.CASCADE
    )
    user_id: int
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "web_session"


class AuditEvent(Model):
    """Who changed what, when. Written by services in the same transaction as the change."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    actor_kind = fields.CharEnumField(ActorKind, max_length=16)
    actor_id = fields.IntField(null=True)
    actor_label = fields.CharField(max_length=200)
    source = fields.CharField(max_length=16)
    action = fields.CharField(max_length=64, db_index=True)
    object_type = fields.CharField(max_length=32)
    object_id = fields.BigIntField(null=True)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "audit_event"
        ordering = ["-at", "-id"]
