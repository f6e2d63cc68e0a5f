"""A station's low-stock level for an item, or back to the item's default."""

from __future__ import annotations

from stations.formatting import format_number
from stations.i18n import _
from stations.models import Station
from stations.services import inventory
from stations.services.permissions import Principal
from stations.web.views._shared import FormState
from stations.web.views.inventory.outcomes import Outcome
from stations.web.views.inventory.task_form import amount, chosen_item

THRESHOLD_RANGE = _("The low-stock level must be a whole number between 0 and {max}, or empty.")
THRESHOLD_SET = _("Low-stock level for {item} set to {threshold}.")
THRESHOLD_DEFAULT = _("Low-stock level for {item} set back to the item's default.")


def _level(state: FormState) -> int | None:
    if not state.text("threshold"):
        return None
    return amount(state, "threshold", THRESHOLD_RANGE, minimum=0, maximum=inventory.MAX_THRESHOLD)


async def record_threshold(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    item = await state.wait(chosen_item(state))
    level = state.take(lambda: _level(state))
    if item is None or not state.ok:
        return None
    await inventory.set_low_stock_threshold(station, item, level, by=principal.actor)
    name = item.name(principal.language.value)
    if level is None:
        return Outcome([(THRESHOLD_DEFAULT, {"item": name})])
    threshold = format_number(level, principal.language)
    return Outcome([(THRESHOLD_SET, {"item": name, "threshold": threshold})])
