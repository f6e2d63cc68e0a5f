"""Receipts, handouts, losses and transfers: the forms that move stock, each read and
handed to the ledger writer."""

from __future__ import annotations

from stations.enums import MovementKind
from stations.i18n import _
from stations.models import Station
from stations.services import inventory
from stations.services.errors import InvalidInput
from stations.services.permissions import Principal
from stations.services.queries import inventory_pages as queries
from stations.web import forms
from stations.web.views._shared import FormState
from stations.web.views.inventory.outcomes import Outcome, recorded
from stations.web.views.inventory.task_form import (
    Record,
    chosen_item,
    occurred_at,
    supplies_quantity,
)

RECORDED_RECEIPT = _("Receipt recorded: {item}, {quantity} ({unit}). Stock on record: {balance}.")
RECORDED_HANDOUT = _("Handout recorded: {item}, {quantity} ({unit}). Stock on record: {balance}.")
RECORDED_LOSS = _("Loss recorded: {item}, {quantity} ({unit}). Stock on record: {balance}.")
RECORDED_TRANSFER = _(
    "Transfer recorded: {item}, {quantity} ({unit}) to {station}. Stock on record here: {balance}."
)


def record_movement(kind: MovementKind, msgid: str) -> Record:
    """A receipt, handout or loss of ``kind``, said with ``msgid`` once recorded."""

    async def record(
        station: Station, state: FormState, principal: Principal, key: str | None
    ) -> Outcome | None:
        item = await state.wait(chosen_item(state))
        quantity = state.take(lambda: supplies_quantity(state))
        when = state.take(lambda: occurred_at(state))
        if item is None or quantity is None or not state.ok:
            return None
        change = await inventory.record_movement(
            kind,
            station,
            item,
            quantity,
            by=principal.actor,
            occurred_at=when,
            note=state.values.get("note", ""),
            idempotency_key=key,
            # Receipts and handouts: outside the campaign window, with a reason.
            outside_reason=state.values.get("outside_reason", ""),
        )
        return recorded(msgid, change, item, principal.language)

    return record


async def _target(state: FormState, principal: Principal) -> Station:
    try:
        target_id = forms.parse_id(state.text("to_station"), "to_station")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_STATION, field="to_station") from None
    return await queries.chosen_transfer_target(target_id, unit_ids=principal.unit_ids)


async def record_transfer(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    item = await state.wait(chosen_item(state))
    target = await state.wait(_target(state, principal))
    quantity = state.take(lambda: supplies_quantity(state))
    when = state.take(lambda: occurred_at(state))
    if item is None or target is None or quantity is None or not state.ok:
        return None
    out, _into = await inventory.transfer_stock(
        station,
        target,
        item,
        quantity,
        by=principal.actor,
        occurred_at=when,
        note=state.values.get("note", ""),
        idempotency_key=key,
    )
    return recorded(RECORDED_TRANSFER, out, item, principal.language, station=target.name)
