"""The organising tree: province police → commune police, the unions, partner garages."""

from __future__ import annotations

import re
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations.enums import UnitKind
from stations.i18n import _
from stations.models import Unit
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.divisions import check_place
from stations.services.edits import check_editable, save_changes
from stations.services.errors import Conflict, InvalidInput
from stations.services.validation import check_choice, check_name, load_existing

UNIT_CODE_PATTERN = re.compile(r"[A-Z0-9_-]{1,32}")
EDITABLE_FIELDS = frozenset({"name", "kind", "parent", "province_code", "ward_code"})


async def create_unit(
    *,
    code: str,
    name: str,
    kind: UnitKind | str,
    parent: Unit | None = None,
    by: Actor,
    province_code: str | None = None,
    ward_code: str | None = None,
) -> Unit:
    """A unit; its place is an official province and ward code (``services/divisions.py``)."""
    code = normalize_unit_code(code)
    province_code, ward_code = check_place(province_code, ward_code)
    values: dict[str, Any] = {
        "province_code": province_code,
        "ward_code": ward_code,
        "name": check_name(name),
        "kind": _checked_kind(kind),
        "parent": await _existing_parent(parent),
    }
    if await Unit.filter(code=code).exists():
        raise _duplicate_code(code)
    try:
        async with in_transaction():
            unit = await Unit.create(code=code, **values)
            await record_event(
                by,
                "unit.created",
                object_type="unit",
                object_id=unit.id,
                data={
                    "code": code,
                    "name": unit.name,
                    "kind": unit.kind.value,
                    "parent_id": unit.parent_id,  # type: ignore[attr-defined]
                },
            )
    except IntegrityError:
        # Another coordinator created the same code between our check and our insert.
        raise _duplicate_code(code) from None
    return unit


async def update_unit(unit: Unit, *, by: Actor, **changes: Any) -> Unit:
    """Change a unit's ``name``, ``kind``, ``parent`` or place; the code is its lasting
    identity."""
    check_editable(changes, EDITABLE_FIELDS)
    new_values: dict[str, Any] = {}
    if "name" in changes:
        new_values["name"] = check_name(changes["name"])
    if "kind" in changes:
        new_values["kind"] = _checked_kind(changes["kind"])
    if "province_code" in changes or "ward_code" in changes:
        new_values["province_code"], new_values["ward_code"] = check_place(
            changes.get("province_code", unit.province_code),
            changes.get("ward_code", unit.ward_code),
        )
    parent: Unit | None = None
    if "parent" in changes:
        parent = await _existing_parent(changes["parent"])
        await _refuse_cycle(unit, parent)
        new_values["parent_id"] = parent.id if parent is not None else None

    changed = await save_changes(
        unit, new_values, by=by, object_type="unit", gone=_("This unit no longer exists.")
    )
    if "parent_id" in changed:
        unit.parent = parent
    return unit


def normalize_unit_code(code: object) -> str:
    """ "  ca-dt " → "CA-DT", or ``InvalidInput`` when it is not a short code of A–Z, 0–9, - and _."""
    normalized = code.strip().upper() if isinstance(code, str) else ""
    if not UNIT_CODE_PATTERN.fullmatch(normalized):
        raise InvalidInput(
            _("A unit code is 1 to {max} characters: letters A–Z, digits, hyphen and underscore."),
            field="code",
            max=32,
        )
    return normalized


async def load_unit(unit: object) -> Unit:
    """A unit picked for a campaign or a station, fresh from the database."""
    return await load_existing(
        unit,
        Unit,
        field="unit",
        unsaved=_("Choose a saved unit."),
        gone=_("This unit no longer exists."),
    )


def _duplicate_code(code: str) -> Conflict:
    return Conflict(_("The unit code {code} is already in use."), field="code", code=code)


def _checked_kind(kind: object) -> UnitKind:
    return check_choice(
        kind, UnitKind, field="kind", message=_("Unknown unit kind; choose one of: {choices}.")
    )


async def _existing_parent(parent: object) -> Unit | None:
    if parent is None:
        return None
    return await load_existing(
        parent,
        Unit,
        field="parent",
        unsaved=_("The parent unit must be a saved unit."),
        gone=_("The parent unit no longer exists."),
    )


async def _refuse_cycle(unit: Unit, parent: Unit | None) -> None:
    """Walk up from the new parent: meeting ``unit`` on the way would close a loop."""
    seen: set[int] = set()
    ancestor = parent
    while ancestor is not None and ancestor.id not in seen:
        if ancestor.id == unit.id:
            raise InvalidInput(
                _("A unit cannot be placed under itself or under one of its own sub-units."),
                field="parent",
            )
        seen.add(ancestor.id)
        parent_id: int | None = ancestor.parent_id  # type: ignore[attr-defined]
        ancestor = await Unit.get_or_none(id=parent_id) if parent_id else None
