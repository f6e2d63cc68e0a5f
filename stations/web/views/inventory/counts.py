"""A physical count: what was counted, and the adjustment it writes (the task page shows
that adjustment before anything is written)."""

from __future__ import annotations

from stations.i18n import _
from stations.models import Station, SupplyItem
from stations.services import inventory
from stations.services.permissions import Principal
from stations.web.views._shared import FormState
from stations.web.views.inventory.lines import signed
from stations.web.views.inventory.outcomes import ALREADY_RECORDED, Outcome, item_words, recorded
from stations.web.views.inventory.task_form import amount, chosen_item

COUNT_RANGE = _("The count must be a whole number between 0 and {max}.")
RECORDED_COUNT = _(
    "Count recorded: {item}, {counted} ({unit}), an adjustment of {delta}. "
    "Stock on record: {balance}."
)
RECORDED_COUNT_AGREES = _("Count recorded: {item}, {counted} ({unit}), as on record.")
COUNT_SUPERSEDED = _(
    "Count kept in the ledger, but a later count of {item} had already set the stock: "
    "this one changes nothing."
)


async def counted(state: FormState) -> tuple[SupplyItem, int] | None:
    item = await state.wait(chosen_item(state))
    number = state.take(
        lambda: amount(state, "counted", COUNT_RANGE, minimum=0, maximum=inventory.MAX_QUANTITY)
    )
    if item is None or number is None or not state.ok:
        return None
    return item, number


async def record_count(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    found = await counted(state)
    if found is None:
        return None
    item, number = found
    change = await inventory.record_count(
        station,
        item,
        number,
        by=principal.actor,
        note=state.values.get("note", ""),
        idempotency_key=key,
    )
    language = principal.language
    if change.duplicate:
        return Outcome([(ALREADY_RECORDED, {})])
    words = item_words(item, number, language)
    if change.superseded:
        return Outcome([(COUNT_SUPERSEDED, {"item": words["item"]})])
    msgid = RECORDED_COUNT if change.movement.delta else RECORDED_COUNT_AGREES
    outcome = recorded(
        msgid,
        change,
        item,
        language,
        counted=words["quantity"],
        delta=signed(change.movement.delta, language),
    )
    return outcome
