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
    # When the message is meant to have arrived (its deliver-by). The dispatcher may send
    # it up to its send-ahead window earlier, to get a wave out in time.
    due_at = fields.DatetimeField()
    #: not to be sent before this moment (a back-off after an error, a hand-back)
    not_before = fields.DatetimeField(null=True)
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


class SendBudget(Model):
    """The overall sending budget of the bot, shared by every dispatcher replica (GCRA)."""

    # ``next_free``: the moment (Unix seconds) from which the next send slot is free. A
    # replica takes a few slots at a time by moving it forward in one conditional update,
    # so replicas together keep to the rate and a dead one holds no share.

    name = fields.CharField(max_length=40, primary_key=True)
    next_free = fields.FloatField()

    class Meta:
        table = "send_budget"
