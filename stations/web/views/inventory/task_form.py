"""A task's form: its fields, the inputs most tasks share (the item, a quantity, when it
happened, a note, why it is outside the campaign), and how they are read from the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from stations.i18n import _
from stations.models import Station, SupplyItem
from stations.services import inventory
from stations.services.errors import InvalidInput
from stations.services.permissions import Principal
from stations.services.queries import inventory_pages as queries
from stations.web import forms
from stations.web.views._shared import FormState
from stations.web.views.inventory.outcomes import Outcome

QUANTITY_RANGE = _("Quantity must be a whole number between 1 and {max}.")
DAY_AND_TIME = _("Give both the day and the time it happened, or leave both empty for now.")

#: The day and time fields report their errors together, as when it happened.
WHEN_FIELD: Final = "occurred_at"


@dataclass(frozen=True)
class Field:
    """One input of a task's form; ``kind`` picks its macro (select, number, text, when)."""

    kind: str
    name: str
    label: str = ""
    help: str | None = None
    #: for a select: which list of choices, and the label of its empty first choice
    options: str = ""
    blank: str | None = None
    required: bool = True


#: Parse the form and call one service: what to say, or None when ``state`` holds errors.
Record = Callable[[Station, FormState, Principal, "str | None"], Awaitable[Outcome | None]]


@dataclass(frozen=True)
class Task:
    name: str
    route: str
    path: str
    title: str
    submit: str
    fields: tuple[Field, ...]
    record: Record


ITEM = Field("select", "item", _("Supply item"), options="items", blank=_("Choose an item"))
WHEN = Field("when", WHEN_FIELD, required=False)
#: Why a coordinator records a line outside the campaign's days (``campaign_window``).
OUTSIDE = Field(
    "text",
    "outside_reason",
    _("Reason it is outside the campaign"),
    _(
        "Needed for a handout or a service outside the campaign's days, or supplies received after it."
    ),
    required=False,
)


def quantity_field(label: str, help: str | None = None) -> Field:
    return Field("number", "quantity", label, help)


def note_field(label: str = _("Note (optional)"), help: str | None = None) -> Field:
    return Field("text", "note", label, help, required=False)


def occurred_at(state: FormState) -> dt.datetime | None:
    """When a line written up later happened; None (now) when both fields are empty."""
    day, time = state.text("day"), state.text("time")
    if not day and not time:
        return None
    if not day or not time:
        raise InvalidInput(DAY_AND_TIME, field=WHEN_FIELD)
    return forms.parse_local_datetime(day, time, WHEN_FIELD)


async def chosen_item(state: FormState) -> SupplyItem:
    try:
        item_id = forms.parse_id(state.text("item"), "item")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_ITEM, field="item") from None
    return await queries.chosen_item(item_id)


def amount(state: FormState, name: str, message: str, *, minimum: int, maximum: int) -> int:
    return forms.parse_quantity(
        state.text(name), name, minimum=minimum, maximum=maximum, message=message
    )


def supplies_quantity(state: FormState) -> int:
    """The ``quantity`` of supplies a line moves."""
    return amount(state, "quantity", QUANTITY_RANGE, minimum=1, maximum=inventory.MAX_QUANTITY)
