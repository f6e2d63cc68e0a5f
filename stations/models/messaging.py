"""The outbox of messages to send and the state of each chat's conversation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

from stations.enums import NotificationStatus

if TYPE_CHECKING:
    from stations.models.people import Volunteer


class Notification(Model):
    """One message to send. The scheduler dispatcher claims, sends and marks it."""

    id = fields.BigIntField(primary_key=True)
    chat_id = fields.BigIntField()
    volunteer: fields.ForeignKeyNullableRelation[Volunteer] = fields.ForeignKeyField(
        "stations.Volunteer", related_name="notifications", null=True, on_delete=fields.SET_NULL
    )
    volunteer_id: int | None
    kind = fields.CharField(max_length=40)
    text = fields.TextField()
    parse_mode = fields.CharField(max_length=16, null=True)
    reply_markup: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    dedupe_key = fields.CharField(max_length=200, unique=True)
    due_at = fields.DatetimeField()
    #: after this moment the message is no longer useful and is dropped as stale
    expires_at = fields.DatetimeField(null=True)
    status = fields.CharEnumField(
        NotificationStatus, max_length=16, default=NotificationStatus.PENDING
    )
    attempts = fields.SmallIntField(default=0)
    last_error = fields.TextField(default="")
    lease_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "notification"
        indexes = (("status", "due_at"),)


class ChatState(Model):
    """What a chat is in the middle of, so any bot worker can take any update."""

    id = fields.IntField(primary_key=True)
    chat_id = fields.BigIntField(unique=True)
    state = fields.CharField(max_length=64)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "chat_state"
