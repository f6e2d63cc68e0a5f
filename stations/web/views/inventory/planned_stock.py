"""The planned opening stock of an item at a station, or no plan."""

from __future__ import annotations

from stations.formatting import format_number
from stations.i18n import _
from stations.models import Station
from stations.services.permissions import Principal
from stations.services.planned_stock import MAX_PLANNED, set_planned_stock
from stations.web.views._shared import FormState
from stations.web.views.inventory.outcomes import Outcome
from stations.web.views.inventory.task_form import amount, chosen_item

PLANNED_SET = _("Planned opening stock of {item} set to {quantity}.")
PLANNED_REMOVED = _("Planned opening stock of {item} removed.")
PLANNED_RANGE = _("The planned quantity must be a whole number between 0 and {max}, or empty.")


def _planned_quantity(state: FormState) -> int | None:
    if not state.text("planned"):
        return None
    return amount(state, "planned", PLANNED_RANGE, minimum=0, maximum=MAX_PLANNED)


async def record_planned_stock(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    item = await state.wait(chosen_item(state))
    quantity = state.take(lambda: _planned_quantity(state))
    if item is None or not state.ok:
        return None
    plan = await set_planned_stock(station, item, quantity, by=principal.actor)
    name = item.name(principal.language.value)
    if plan is None:
        return Outcome([(PLANNED_REMOVED, {"item": name})])
    planned = format_number(plan.quantity, principal.language)
    return Outcome([(PLANNED_SET, {"item": name, "quantity": planned})])
