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


class JobCursor(Model):
    """How far a clock job that works incrementally has got (the reminders job)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=60, unique=True)
    #: the settings the work was done under: other settings start again from scratch
    params = fields.CharField(max_length=200)
    #: moments up to which the job has looked at every shift (its clock)
    covered_until = fields.DatetimeField()
    #: rows changed after this updated_at are looked at again (the writers clock)
    changed_since = fields.DatetimeField(null=True)
    #: the latest updated_at seen, and when the job first saw it (its clock)
    high_water = fields.DatetimeField(null=True)
    high_water_at = fields.DatetimeField(null=True)
    #: the last full rescan (its clock)
    rescanned_at = fields.DatetimeField()
    #: bumped by every advance, so two replicas never move the cursor from the same state
    version = fields.IntField(default=0)

    class Meta:
        table = "job_cursor"
