"""Editing a row with ``**changes``: refuse unknown fields, write what differs, audit it.

The audit event of an edit holds ``{field: [before, after]}`` in JSON-friendly form, so a
coordinator reading the trail sees "2027-01-30" and "05:30", not Python objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Collection, Mapping
from enum import Enum
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from stations import clock
from stations.i18n import _
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import InvalidInput, NotFound


def check_editable(changes: Mapping[str, object], editable: Collection[str]) -> None:
    """Refuse the first of ``changes`` that is not one of the ``editable`` fields."""
    for name in changes:
        if name not in editable:
            raise InvalidInput(_("“{name}” cannot be changed here."), field=name, name=name)


def audit_value(value: object) -> object:
    """``value`` as the audit trail's JSON keeps it: an enum's value, an ISO date or moment,
    a wall-clock time as "HH:MM"."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    return value


def audit_pairs(row: Model, new_values: Mapping[str, object]) -> dict[str, list[object]]:
    """``{field: [value on row, new value]}``; read before the new values are set on ``row``."""
    return {
        field: [audit_value(getattr(row, field)), audit_value(value)]
        for field, value in new_values.items()
    }


async def save_changes(
    row: Model,
    new_values: Mapping[str, Any],
    *,
    by: Actor,
    object_type: str,
    gone: str,
    before_write: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    audit_data: Callable[[dict[str, list[object]]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Write the ``new_values`` that differ from ``row`` and set them on it; return them.

    In one transaction: ``before_write(changed)`` (a check that may still refuse), the
    ``UPDATE`` (``updated_at`` stamped where the row keeps one; ``NotFound(gone)`` with field
    ``object_type`` when the row was deleted meanwhile) and a ``<object_type>.updated`` audit
    event holding ``audit_pairs``, reshaped by ``audit_data`` if given. When nothing differs,
    nothing is written and ``{}`` is returned.
    """
    changed = {field: value for field, value in new_values.items() if getattr(row, field) != value}
    if not changed:
        return changed
    written = dict(changed)
    if "updated_at" in row._meta.fields_map:
        # A queryset update skips the field's auto_now, and clock.now() is the one "now".
        written["updated_at"] = clock.now()
    pairs = audit_pairs(row, changed)
    async with in_transaction():
        if before_write is not None:
            await before_write(changed)
        if not await type(row).filter(pk=row.pk).update(**written):
            raise NotFound(gone, field=object_type)
        await record_event(
            by,
            f"{object_type}.updated",
            object_type=object_type,
            object_id=row.pk,
            data=pairs if audit_data is None else audit_data(pairs),
        )
    for field, value in written.items():
        setattr(row, field, value)
    return changed
