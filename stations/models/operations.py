"""What the operator's page reads about the running service: backups taken, processes seen."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class BackupRecord(Model):
    """A backup that was written completely (the newest one is shown to admins)."""

    id = fields.BigIntField(primary_key=True)
    taken_at = fields.DatetimeField(db_index=True)
    file_name = fields.CharField(max_length=255)
    size_bytes = fields.BigIntField()
    engine = fields.CharField(max_length=16)

    class Meta:
        table = "backup_record"


class ProcessHeartbeat(Model):
    """A running process (a scheduler replica, the bot) saying it is alive, once a minute."""

    name = fields.CharField(max_length=160, primary_key=True)
    role = fields.CharField(max_length=16, db_index=True)
    started_at = fields.DatetimeField()
    seen_at = fields.DatetimeField(db_index=True)
    detail: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "process_heartbeat"
