"""Coordinators' pages: a station's stock, one short page per task that adds to it, and the
ledger.

The station's inventory page is a summary — stock on hand with its flags, the latest lines
and services — with a button per task. Each task (receive, hand out, transfer, count, loss,
service, low-stock level) is its own page: a refused form comes back with the errors listed
at the top and beside their fields, keeping what was typed; a recorded one goes back to the
summary with a message naming what was recorded.

Each form carries a random idempotency key made when the page is drawn; the server keeps it
in the signed-in user's namespace (``client_key``), so a form sent twice (a double click, a
resend after a lost answer) writes one line and no form can name another client's entry. A
count is sent twice on purpose: first to see the adjustment it will write, then to record it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations.enums import CampaignStatus, Language, MovementKind, ServiceKind, Source
from stations.formatting import format_number, unit_and_item
from stations.i18n import _, translate
from stations.labels import MOVEMENT_KIND_LABELS, SERVICE_KIND_LABELS, SOURCE_LABELS
from stations.models import Station, SupplyItem, Unit
from stations.services import inventory
from stations.services.errors import Conflict, InvalidInput, NotFound, StationsError
from stations.services.permissions import Principal
from stations.services.planned_stock import MAX_PLANNED, set_planned_stock
from stations.services.queries import inventory_pages as queries
from stations.services.queries.stock import stock_for_stations
from stations.services.service_records import (
    MAX_LOUDSPEAKER_MINUTES,
    MAX_SERVICE_QUANTITY,
    record_service,
)
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, page_language, render, route_url
from stations.web.views._shared import (
    FormState,
    campaign_in_path,
    read_state,
    redirect_to,
    station_in_path,
)

QUANTITY_RANGE = _("Quantity must be a whole number between 1 and {max}.")
COUNT_RANGE = _("The count must be a whole number between 0 and {max}.")
THRESHOLD_RANGE = _("The low-stock level must be a whole number between 0 and {max}, or empty.")
LOUDSPEAKER_RANGE = _("Loudspeaker time must be a whole number of minutes between 1 and {max}.")
CHOOSE_SERVICE = _("Choose a kind of service from the list.")
DAY_AND_TIME = _("Give both the day and the time it happened, or leave both empty for now.")
FORM_REUSED = _(
    "This form had already been sent with other values. Check the latest lines on the "
    "station's stock page, then send it again if it is still needed."
)
CAMPAIGN_CLOSED = _("The campaign {campaign} is closed: its records can no longer change.")

RECORDED_RECEIPT = _("Receipt recorded: {item}, {quantity} ({unit}). Stock on record: {balance}.")
RECORDED_HANDOUT = _("Handout recorded: {item}, {quantity} ({unit}). Stock on record: {balance}.")
RECORDED_LOSS = _("Loss recorded: {item}, {quantity} ({unit}). Stock on record: {balance}.")
RECORDED_TRANSFER = _(
    "Transfer recorded: {item}, {quantity} ({unit}) to {station}. Stock on record here: {balance}."
)
RECORDED_COUNT = _(
    "Count recorded: {item}, {counted} ({unit}), an adjustment of {delta}. "
    "Stock on record: {balance}."
)
RECORDED_COUNT_AGREES = _("Count recorded: {item}, {counted} ({unit}), as on record.")
COUNT_SUPERSEDED = _(
    "Count kept in the ledger, but a later count of {item} had already set the stock: "
    "this one changes nothing."
)
DISCREPANCY_NOTE = _(
    "This took more {item} than the stock on record, so it is flagged as a discrepancy. "
    "A physical count will reconcile the record."
)
LOW_STOCK_NOTE = _("{item} is now below its low-stock level of {threshold}.")
ALREADY_RECORDED = _("This form had already been recorded: nothing was written twice.")
THRESHOLD_SET = _("Low-stock level for {item} set to {threshold}.")
THRESHOLD_DEFAULT = _("Low-stock level for {item} set back to the item's default.")
RECORDED_SERVICE = _("Service recorded: {kind}, {quantity}.")
PLANNED_SET = _("Planned opening stock of {item} set to {quantity}.")
PLANNED_REMOVED = _("Planned opening stock of {item} removed.")
PLANNED_RANGE = _("The planned quantity must be a whole number between 0 and {max}, or empty.")

IGNORED_STATION = _("The station filter was ignored: choose a station from the list.")
IGNORED_ITEM = _("The item filter was ignored: choose an item from the list.")
IGNORED_KIND = _("The kind filter was ignored: choose a kind from the list.")
IGNORED_FROM = _("The start date was ignored: write it as DD/MM/YYYY.")
IGNORED_TO = _("The end date was ignored: write it as DD/MM/YYYY.")
IGNORED_ORDER = _("The dates were ignored: the end date is before the start date.")
IGNORED_PAGE = _("The page number was ignored: the first page is shown.")
MAX_PAGE: Final = 100_000

#: The day and time fields report their errors together, as when it happened.
WHEN_FIELD: Final = "occurred_at"
KEY_FIELD: Final = "idempotency_key"
#: What a key made by ``_new_key`` looks like; anything else sent back is replaced.
_KEY_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")

# -- the tasks ------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Outcome:
    """What a recorded form says on the summary: ``(msgid, params)`` messages."""

    messages: list[tuple[str, dict[str, object]]]


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


def _quantity(label: str, help: str | None = None) -> Field:
    return Field("number", "quantity", label, help)


# -- parsing --------------------------------------------------------------------------------


def _occurred_at(state: FormState) -> dt.datetime | None:
    """When a line written up later happened; None (now) when both fields are empty."""
    day, time = state.text("day"), state.text("time")
    if not day and not time:
        return None
    if not day or not time:
        raise InvalidInput(DAY_AND_TIME, field=WHEN_FIELD)
    return forms.parse_local_datetime(day, time, WHEN_FIELD)


async def _item(state: FormState) -> SupplyItem:
    try:
        item_id = forms.parse_id(state.text("item"), "item")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_ITEM, field="item") from None
    return await queries.chosen_item(item_id)


async def _target(state: FormState, principal: Principal) -> Station:
    try:
        target_id = forms.parse_id(state.text("to_station"), "to_station")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_STATION, field="to_station") from None
    return await queries.chosen_transfer_target(target_id, unit_ids=principal.unit_ids)


def _amount(state: FormState, name: str, message: str, *, minimum: int, maximum: int) -> int:
    return forms.parse_quantity(
        state.text(name), name, minimum=minimum, maximum=maximum, message=message
    )


def _supplies(state: FormState) -> int:
    return _amount(state, "quantity", QUANTITY_RANGE, minimum=1, maximum=inventory.MAX_QUANTITY)


def _item_words(item: SupplyItem, quantity: int, language: Language) -> dict[str, object]:
    """The parts of "30 khăn lạnh" for a message: Vietnamese messages write
    "{quantity} {unit}{item}", the unit left out when the item's name says it."""
    unit, name = unit_and_item(item.unit_label(language.value), item.name(language.value), language)
    return {"quantity": format_number(quantity, language), "unit": unit, "item": name}


def _signed(delta: int, language: Language) -> str:
    return f"+{format_number(delta, language)}" if delta > 0 else format_number(delta, language)


def _recorded(
    msgid: str, change: inventory.StockChange, item: SupplyItem, language: Language, **extra: object
) -> Outcome:
    """The flash of a recorded line, and what it flagged (a discrepancy, low stock)."""
    if change.duplicate:
        return Outcome([(ALREADY_RECORDED, {})])
    words = _item_words(item, change.movement.quantity, language)
    params = words | {"balance": format_number(change.balance_after, language), **extra}
    messages: list[tuple[str, dict[str, object]]] = [(msgid, params)]
    if change.discrepancy:
        messages.append((DISCREPANCY_NOTE, {"item": words["item"]}))
    if change.low_stock_crossed and change.threshold is not None:
        level = format_number(change.threshold, language)
        messages.append((LOW_STOCK_NOTE, {"item": words["item"], "threshold": level}))
    return Outcome(messages)


# -- recording: parse → one service → what to say -------------------------------------------


def _movement(kind: MovementKind, msgid: str) -> Record:
    async def record(
        station: Station, state: FormState, principal: Principal, key: str | None
    ) -> Outcome | None:
        item = await state.wait(_item(state))
        quantity = state.take(lambda: _supplies(state))
        when = state.take(lambda: _occurred_at(state))
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
        return _recorded(msgid, change, item, principal.language)

    return record


async def _transfer(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    item = await state.wait(_item(state))
    target = await state.wait(_target(state, principal))
    quantity = state.take(lambda: _supplies(state))
    when = state.take(lambda: _occurred_at(state))
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
    return _recorded(RECORDED_TRANSFER, out, item, principal.language, station=target.name)


async def _counted(state: FormState) -> tuple[SupplyItem, int] | None:
    item = await state.wait(_item(state))
    counted = state.take(
        lambda: _amount(state, "counted", COUNT_RANGE, minimum=0, maximum=inventory.MAX_QUANTITY)
    )
    if item is None or counted is None or not state.ok:
        return None
    return item, counted


async def _count(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    found = await _counted(state)
    if found is None:
        return None
    item, counted = found
    change = await inventory.record_count(
        station,
        item,
        counted,
        by=principal.actor,
        note=state.values.get("note", ""),
        idempotency_key=key,
    )
    language = principal.language
    if change.duplicate:
        return Outcome([(ALREADY_RECORDED, {})])
    words = _item_words(item, counted, language)
    if change.superseded:
        return Outcome([(COUNT_SUPERSEDED, {"item": words["item"]})])
    msgid = RECORDED_COUNT if change.movement.delta else RECORDED_COUNT_AGREES
    outcome = _recorded(
        msgid,
        change,
        item,
        language,
        counted=words["quantity"],
        delta=_signed(change.movement.delta, language),
    )
    return outcome


def _level(state: FormState) -> int | None:
    if not state.text("threshold"):
        return None
    return _amount(state, "threshold", THRESHOLD_RANGE, minimum=0, maximum=inventory.MAX_THRESHOLD)


async def _threshold(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    item = await state.wait(_item(state))
    level = state.take(lambda: _level(state))
    if item is None or not state.ok:
        return None
    await inventory.set_low_stock_threshold(station, item, level, by=principal.actor)
    name = item.name(principal.language.value)
    if level is None:
        return Outcome([(THRESHOLD_DEFAULT, {"item": name})])
    threshold = format_number(level, principal.language)
    return Outcome([(THRESHOLD_SET, {"item": name, "threshold": threshold})])


def _planned_quantity(state: FormState) -> int | None:
    if not state.text("planned"):
        return None
    return _amount(state, "planned", PLANNED_RANGE, minimum=0, maximum=MAX_PLANNED)


async def _planned(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    item = await state.wait(_item(state))
    quantity = state.take(lambda: _planned_quantity(state))
    if item is None or not state.ok:
        return None
    plan = await set_planned_stock(station, item, quantity, by=principal.actor)
    name = item.name(principal.language.value)
    if plan is None:
        return Outcome([(PLANNED_REMOVED, {"item": name})])
    planned = format_number(plan.quantity, principal.language)
    return Outcome([(PLANNED_SET, {"item": name, "quantity": planned})])


def _service_kind(state: FormState) -> ServiceKind:
    try:
        return forms.parse_choice(state.text("kind"), "kind", ServiceKind)
    except InvalidInput:
        raise InvalidInput(CHOOSE_SERVICE, field="kind") from None


def _service_amount(state: FormState, kind: ServiceKind | None) -> int:
    if kind is ServiceKind.LOUDSPEAKER:
        return _amount(
            state, "quantity", LOUDSPEAKER_RANGE, minimum=1, maximum=MAX_LOUDSPEAKER_MINUTES
        )
    return _amount(state, "quantity", QUANTITY_RANGE, minimum=1, maximum=MAX_SERVICE_QUANTITY)


async def _partner(state: FormState) -> Unit | None:
    if not state.text("partner"):
        return None
    try:
        partner_id = forms.parse_id(state.text("partner"), "partner")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_PARTNER, field="partner") from None
    return await queries.chosen_partner(partner_id)


async def _service(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    kind = state.take(lambda: _service_kind(state))
    quantity = state.take(lambda: _service_amount(state, kind))
    partner = await state.wait(_partner(state))
    when = state.take(lambda: _occurred_at(state))
    if kind is None or quantity is None or not state.ok:
        return None
    record = await record_service(
        station,
        kind,
        quantity,
        by=principal.actor,
        partner=partner,
        occurred_at=when,
        note=state.values.get("note", ""),
        idempotency_key=key,
        outside_reason=state.values.get("outside_reason", ""),
    )
    language = principal.language
    label = translate(SERVICE_KIND_LABELS[kind], language)
    quantity_text = format_number(record.quantity, language)
    return Outcome([(RECORDED_SERVICE, {"kind": label, "quantity": quantity_text})])


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


def _note(label: str = _("Note (optional)"), help: str | None = None) -> Field:
    return Field("text", "note", label, help, required=False)


def _movement_task(
    kind: MovementKind, path: str, words: tuple[str, str, str], quantity: Field, note: Field
) -> Task:
    """A receipt, handout or loss: ``words`` are its title, its button and what it says."""
    title, submit, recorded = words
    fields: tuple[Field, ...] = (ITEM, quantity, note, WHEN)
    if kind in (MovementKind.RECEIPT, MovementKind.HANDOUT):
        fields = (*fields, OUTSIDE)
    return Task(
        kind.value, f"stock_{kind.value}", path, title, submit, fields, _movement(kind, recorded)
    )


TASKS: Final[tuple[Task, ...]] = (
    _movement_task(
        MovementKind.RECEIPT,
        "receipts",
        (_("Record a receipt"), _("Record the receipt"), RECORDED_RECEIPT),
        _quantity(_("Quantity received")),
        _note(help=_("Who delivered it, a delivery note number…")),
    ),
    _movement_task(
        MovementKind.HANDOUT,
        "handouts",
        (_("Record a handout"), _("Record the handout"), RECORDED_HANDOUT),
        _quantity(
            _("Quantity handed out"),
            _("More than the stock on record is accepted and flagged as a discrepancy."),
        ),
        _note(),
    ),
    Task(
        "transfer",
        "stock_transfer",
        "transfers",
        _("Transfer to another station"),
        _("Record the transfer"),
        (
            ITEM,
            Field(
                "select",
                "to_station",
                _("To station"),
                options="targets",
                blank=_("Choose a station"),
            ),
            _quantity(_("Quantity to transfer")),
            _note(),
            WHEN,
        ),
        _transfer,
    ),
    Task(
        "count",
        "stock_count",
        "counts",
        _("Record a physical count"),
        _("Check the adjustment"),
        (
            ITEM,
            Field(
                "number",
                "counted",
                _("Quantity counted"),
                _(
                    "The next step shows the adjustment to the stock on record before anything is written."
                ),
            ),
            _note(),
        ),
        _count,
    ),
    _movement_task(
        MovementKind.LOSS,
        "losses",
        (_("Record a loss"), _("Record the loss"), RECORDED_LOSS),
        _quantity(_("Quantity lost")),
        _note(_("Reason (optional)"), _("Spoiled, broken, missing…")),
    ),
    Task(
        "service",
        "service_record",
        "services",
        _("Record a service given"),
        _("Record the service"),
        (
            Field("select", "kind", _("Service"), options="services", blank=_("Choose a service")),
            Field(
                "number",
                "quantity",
                _("How many"),
                _("Vehicles or people; minutes for the loudspeaker."),
            ),
            Field(
                "select",
                "partner",
                _("Partner unit (optional)"),
                options="partners",
                blank=_("No partner"),
                required=False,
            ),
            _note(),
            WHEN,
            OUTSIDE,
        ),
        _service,
    ),
    Task(
        "threshold",
        "stock_threshold",
        "thresholds",
        _("Set a low-stock level"),
        _("Save the level"),
        (
            ITEM,
            Field(
                "number",
                "threshold",
                _("Low-stock level"),
                _("Empty: the item's default level. 0: no alert."),
                required=False,
            ),
        ),
        _threshold,
    ),
    Task(
        "planned",
        "planned_stock",
        "planned-stock",
        _("Plan the opening stock"),
        _("Save the plan"),
        (
            ITEM,
            Field(
                "number",
                "planned",
                _("Planned quantity on the first day"),
                _(
                    "Empty or 0 removes the plan. Before the campaign, the overview compares it "
                    "with what was received."
                ),
                required=False,
            ),
        ),
        _planned,
    ),
)


# -- pages ----------------------------------------------------------------------------------


def _campaign_closed(station: Station) -> bool:
    return CampaignStatus(station.campaign.status) is not CampaignStatus.OPEN


def _closed_note(station: Station, language: Language) -> str | None:
    if not _campaign_closed(station):
        return None
    return translate(CAMPAIGN_CLOSED, language, campaign=station.campaign.name)


def _new_key() -> str:
    return secrets.token_urlsafe(18)


def _author(line: Any, language: Language) -> str:
    """Who wrote a line: the person, else how it came in (an API client, an import)."""
    if line.by_user is not None:
        return str(line.by_user.full_name or line.by_user.email)
    if line.by_volunteer is not None:
        return str(line.by_volunteer.full_name)
    return translate(SOURCE_LABELS[Source(line.source)], language)


def _line_helpers(language: Language) -> dict[str, Any]:
    """What the pages listing ledger lines use to show one."""
    return {
        "kind_label": lambda kind: translate(MOVEMENT_KIND_LABELS[MovementKind(kind)], language),
        "author": lambda line: _author(line, language),
        "signed": lambda delta: _signed(delta, language),
        "item_name": lambda item: item.name(language.value),
        "item_unit": lambda item: item.unit_label(language.value),
    }


@page()
async def campaign_inventory(request: Request) -> Response:
    """Stock on hand at every station of the campaign in the reader's scope."""
    principal = principal_of(request)
    language = page_language(request)
    campaign = await campaign_in_path(request)
    stock = await queries.campaign_stock(campaign, unit_ids=principal.unit_ids)
    context = {
        "campaign": campaign,
        "stock": stock,
        "item_name": lambda item: item.name(language.value),
        "item_unit": lambda item: item.unit_label(language.value),
    }
    return render(request, "inventory/campaign.html", context)


@page()
async def station_inventory(request: Request) -> Response:
    """The station's stock, its latest lines and services, and a button per task."""
    principal = principal_of(request)
    language = page_language(request)
    station = await station_in_path(request)
    data = await queries.station_inventory(station, unit_ids=principal.unit_ids)
    context: dict[str, Any] = {
        "station": station,
        "campaign": station.campaign,
        "data": data,
        "tasks": TASKS,
        "can_change": principal.can_change and not _campaign_closed(station),
        "closed_note": _closed_note(station, language),
        "service_label": lambda kind: translate(SERVICE_KIND_LABELS[ServiceKind(kind)], language),
        **_line_helpers(language),
    }
    return render(request, "inventory/station.html", context)


def _task_view(task: Task) -> Callable[[Request], Awaitable[Response]]:
    @page(change=True)
    async def view(request: Request) -> Response:
        station = await station_in_path(request, change=True)
        if request.method == "GET":
            state = FormState({}, request.state.language)
            return await _task_page(request, station, task, state, _new_key())
        state = await read_state(request)
        sent = state.text(KEY_FIELD)
        key = sent if _KEY_SHAPE.fullmatch(sent) else _new_key()
        if _campaign_closed(station):
            state.refuse(Conflict(CAMPAIGN_CLOSED, field=None, campaign=station.campaign.name))
            return await _task_page(request, station, task, state, key)
        if task.name == "count" and state.text("confirm") != "yes":
            return await _count_preview(request, station, state, key)
        principal = principal_of(request)
        try:
            outcome = await task.record(
                station, state, principal, inventory.client_key(principal.actor, key)
            )
        except (InvalidInput, Conflict, NotFound) as error:
            key = _refuse(state, task, error) or key
            outcome = None
        if outcome is None:
            return await _task_page(request, station, task, state, key)
        for msgid, params in outcome.messages:
            flash(request, msgid, **params)
        return redirect_to(request, "station_inventory", station_id=station.id)

    view.__name__ = f"stock_{task.name}"
    return view


def _refuse(state: FormState, task: Task, error: StationsError) -> str | None:
    """Note a service's refusal on the form, beside its field when the form has one; a
    new key when the old one belongs to another entry."""
    if error.field == KEY_FIELD:
        # The key belongs to a line written with other values: a fresh one lets the
        # person send this form as the new entry it is, once they have looked.
        state.refuse(Conflict(FORM_REUSED, field=None))
        return _new_key()
    if error.field not in {field.name for field in task.fields}:
        # The station, the author…: nothing on this form to put it beside.
        state.field_names[str(error.field)] = forms.ALL_FIELDS
    state.refuse(error)
    return None


async def _task_page(
    request: Request, station: Station, task: Task, state: FormState, key: str
) -> Response:
    principal = principal_of(request)
    language = page_language(request)
    data = await queries.station_inventory(station, unit_ids=principal.unit_ids)
    options = {
        "items": [
            (item.id, f"{item.name(language.value)} ({item.unit_label(language.value)})")
            for item in data.items
        ],
        "targets": [(s.id, f"{s.code} · {s.name}") for s in data.transfer_targets],
        "partners": [(unit.id, unit.name) for unit in data.partners],
        "services": [
            (kind.value, translate(label, language)) for kind, label in SERVICE_KIND_LABELS.items()
        ],
    }
    context = {
        "station": station,
        "campaign": station.campaign,
        "task": task,
        "values": state.values,
        "errors": state.errors,
        "key": key,
        "options": options,
        "closed_note": _closed_note(station, language),
        "no_target": task.name == "transfer" and not data.transfer_targets,
    }
    return render(request, "inventory/task.html", context, status_code=state.status_code)


async def _count_preview(
    request: Request, station: Station, state: FormState, key: str
) -> Response:
    """Before a count is written: the stock on record, what was counted, the adjustment."""
    language = page_language(request)
    found = await _counted(state)
    if found is None:
        return await _task_page(request, station, TASKS_BY_NAME["count"], state, key)
    item, counted = found
    stock = await stock_for_stations([station.id])
    on_record = next(
        (line.quantity for line in stock.get(station.id, []) if line.item.id == item.id), 0
    )
    context = {
        "station": station,
        "campaign": station.campaign,
        "item": item,
        "item_label": item.name(language.value),
        "unit_label": item.unit_label(language.value),
        "values": state.values,
        "key": key,
        "on_record": on_record,
        "counted": counted,
        "delta": counted - on_record,
        "signed_delta": _signed(counted - on_record, language),
    }
    return render(request, "inventory/count_confirm.html", context)


TASKS_BY_NAME: Final = {task.name: task for task in TASKS}


# -- the ledger -----------------------------------------------------------------------------


@dataclass
class LedgerQuery:
    filters: queries.LedgerFilters
    page: int
    notes: list[str]
    #: the filters as the form shows them again (only the ones kept)
    shown: dict[str, str]


def _ledger_query(
    params: Mapping[str, str],
    stations: list[Station],
    items: list[SupplyItem],
    language: Language,
) -> LedgerQuery:
    """The ledger filters from the address; a bad one is dropped with a note, never a 500."""
    notes: list[str] = []
    shown: dict[str, str] = {}

    def chosen_id(name: str, allowed: set[int], note: str) -> int | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = forms.parse_id(raw, name)
        except InvalidInput:
            value = None
        if value is None or value not in allowed:
            notes.append(translate(note, language))
            return None
        shown[name] = str(value)
        return value

    def chosen_day(name: str, note: str) -> dt.date | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            day = forms.parse_date(raw, name)
        except InvalidInput:
            notes.append(translate(note, language))
            return None
        shown[name] = day.isoformat()
        return day

    station_id = chosen_id("station", {s.id for s in stations}, IGNORED_STATION)
    item_id = chosen_id("item", {i.id for i in items}, IGNORED_ITEM)
    kind = None
    raw_kind = (params.get("kind") or "").strip()
    if raw_kind:
        try:
            kind = forms.parse_choice(raw_kind, "kind", MovementKind)
            shown["kind"] = kind.value
        except InvalidInput:
            notes.append(translate(IGNORED_KIND, language))
    first_day = chosen_day("from", IGNORED_FROM)
    last_day = chosen_day("to", IGNORED_TO)
    if first_day and last_day and last_day < first_day:
        notes.append(translate(IGNORED_ORDER, language))
        first_day = last_day = None
        shown.pop("from", None)
        shown.pop("to", None)
    page_number = 1
    raw_page = (params.get("page") or "").strip()
    if raw_page:
        try:
            page_number = forms.parse_int(raw_page, "page", minimum=1, maximum=MAX_PAGE)
        except InvalidInput:
            notes.append(translate(IGNORED_PAGE, language))
    filters = queries.LedgerFilters(
        station_id=station_id,
        item_id=item_id,
        kind=kind,
        first_day=first_day,
        last_day=last_day,
    )
    return LedgerQuery(filters, page_number, notes, shown)


@page()
async def stock_ledger(request: Request) -> Response:
    """The campaign's ledger in scope, newest first, filtered and paged."""
    principal = principal_of(request)
    language = page_language(request)
    campaign = await campaign_in_path(request)
    stations, items = await queries.ledger_choices(campaign, unit_ids=principal.unit_ids)
    wanted = _ledger_query(request.query_params, stations, items, language)
    result = await queries.ledger_page(
        campaign, wanted.filters, unit_ids=principal.unit_ids, page=wanted.page
    )
    base = str(route_url(request, "stock_ledger", campaign_id=campaign.id))

    def page_url(number: int) -> str:
        return f"{base}?{urlencode(wanted.shown | {'page': str(number)})}"

    context = {
        "campaign": campaign,
        "stations": stations,
        "items": items,
        "kinds": [
            (kind.value, translate(label, language)) for kind, label in MOVEMENT_KIND_LABELS.items()
        ],
        "shown": wanted.shown,
        "notes": wanted.notes,
        "result": result,
        "previous_url": page_url(result.page - 1) if result.page > 1 else None,
        "next_url": page_url(result.page + 1) if result.has_next else None,
        "first_url": page_url(1),
        **_line_helpers(language),
    }
    return render(request, "inventory/ledger.html", context)


ROUTES: list[BaseRoute] = [
    Route(
        "/campaigns/{campaign_id:int}/inventory",
        campaign_inventory,
        methods=["GET"],
        name="campaign_inventory",
    ),
    Route(
        "/campaigns/{campaign_id:int}/ledger",
        stock_ledger,
        methods=["GET"],
        name="stock_ledger",
    ),
    Route(
        "/stations/{station_id:int}/inventory",
        station_inventory,
        methods=["GET"],
        name="station_inventory",
    ),
    *(
        Route(
            f"/stations/{{station_id:int}}/{task.path}",
            _task_view(task),
            methods=["GET", "POST"],
            name=task.route,
        )
        for task in TASKS
    ),
]
