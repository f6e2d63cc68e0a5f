"""Coordinators' pages: stock on hand, the forms that add ledger lines, and the ledger itself.

Each form carries a random idempotency key made when the page is drawn and passed to the
ledger writer, so a form sent twice (a double click, a resend after a lost answer) writes
one line. A count is sent twice on purpose: first to see the adjustment it will write,
then to record it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from stations.enums import (
    CampaignPhase,
    CampaignStatus,
    Language,
    MovementKind,
    ServiceKind,
    Source,
)
from stations.formatting import format_number
from stations.i18n import _, translate
from stations.labels import MOVEMENT_KIND_LABELS, SERVICE_KIND_LABELS, SOURCE_LABELS
from stations.models import Station, SupplyItem, Unit
from stations.services import inventory
from stations.services.campaign_phases import campaign_phase
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
from stations.web.views._shared import campaign_in_path, station_in_path

T = TypeVar("T")

QUANTITY_RANGE = _("Quantity must be a whole number between 1 and {max}.")
COUNT_RANGE = _("The count must be a whole number between 0 and {max}.")
THRESHOLD_RANGE = _("The low-stock level must be a whole number between 0 and {max}, or empty.")
LOUDSPEAKER_RANGE = _("Loudspeaker time must be a whole number of minutes between 1 and {max}.")
CHOOSE_SERVICE = _("Choose a kind of service from the list.")
DAY_AND_TIME = _("Give both the day and the time it happened, or leave both empty for now.")
FORM_REUSED = _(
    "This form had already been sent with other values. Check the lines below, then send "
    "it again if it is still needed."
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

FORM_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "receipt": ("item", "quantity", "note", "day", "time", "outside_reason"),
    "handout": ("item", "quantity", "note", "day", "time", "outside_reason"),
    "loss": ("item", "quantity", "note", "day", "time"),
    "transfer": ("item", "to_station", "quantity", "note", "day", "time"),
    "count": ("item", "counted", "note"),
    "threshold": ("item", "threshold"),
    "planned": ("item", "planned"),
    "service": ("kind", "quantity", "partner", "note", "day", "time", "outside_reason"),
}
#: The day and time fields report their errors together, as when it happened.
WHEN_FIELD: Final = "occurred_at"
KEY_FIELD: Final = "idempotency_key"


@dataclass
class FormState:
    """One form of the station page: what it shows in its fields, its errors, its key."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    key: str = field(default_factory=lambda: secrets.token_urlsafe(18))


@dataclass(frozen=True)
class Outcome:
    """What a recorded form says on the next page: ``(msgid, params)`` messages."""

    messages: list[tuple[str, dict[str, object]]]


# -- helpers ------------------------------------------------------------------------------


def _whole(raw: str, field_name: str, message: str, *, minimum: int, maximum: int) -> int:
    """A whole number typed in a form, refused with the domain's own words for the field."""
    try:
        return forms.parse_int(raw, field_name, minimum=minimum, maximum=maximum)
    except InvalidInput:
        raise InvalidInput(message, field=field_name, min=minimum, max=maximum) from None


def _occurred_at(values: Mapping[str, str]) -> dt.datetime | None:
    """When a line written up later happened; None (now) when both fields are empty."""
    day, time = values.get("day", "").strip(), values.get("time", "").strip()
    if not day and not time:
        return None
    if not day or not time:
        raise InvalidInput(DAY_AND_TIME, field=WHEN_FIELD)
    return forms.parse_local_datetime(day, time, WHEN_FIELD)


async def _item(values: Mapping[str, str]) -> SupplyItem:
    try:
        item_id = forms.parse_id(values.get("item"), "item")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_ITEM, field="item") from None
    return await queries.chosen_item(item_id)


def _item_words(item: SupplyItem, quantity: int, language: Language) -> dict[str, object]:
    return {
        "quantity": format_number(quantity, language),
        "unit": item.unit_label(language.value),
        "item": item.name(language.value),
    }


def _signed(delta: int, language: Language) -> str:
    return f"+{format_number(delta, language)}" if delta > 0 else format_number(delta, language)


def _stock_notes(
    change: inventory.StockChange, item: SupplyItem, language: Language
) -> list[tuple[str, dict[str, object]]]:
    notes: list[tuple[str, dict[str, object]]] = []
    if change.duplicate:
        return notes
    if change.discrepancy:
        notes.append((DISCREPANCY_NOTE, {"item": item.name(language.value)}))
    if change.low_stock_crossed and change.threshold is not None:
        notes.append(
            (
                LOW_STOCK_NOTE,
                {
                    "item": item.name(language.value),
                    "threshold": format_number(change.threshold, language),
                },
            )
        )
    return notes


def _recorded(
    msgid: str, change: inventory.StockChange, item: SupplyItem, language: Language, **extra: object
) -> Outcome:
    if change.duplicate:
        return Outcome([(ALREADY_RECORDED, {})])
    params = _item_words(item, change.movement.quantity, language) | {
        "balance": format_number(change.balance_after, language),
        **extra,
    }
    return Outcome([(msgid, params), *_stock_notes(change, item, language)])


# -- form handlers: parse → one service → what to say -----------------------------------


class FormInvalid(Exception):
    """Some fields of a form are wrong: every one of them, not just the first."""

    def __init__(self, errors: dict[str, StationsError]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


class _Checks:
    """Runs each check of a form and keeps its error, so a person fixes all in one go."""

    def __init__(self) -> None:
        self.errors: dict[str, StationsError] = {}

    def _keep(self, error: InvalidInput) -> None:
        self.errors.setdefault(error.field or forms.ALL_FIELDS, error)

    def run(self, check: Callable[[], T]) -> T | None:
        try:
            return check()
        except InvalidInput as error:
            self._keep(error)
            return None

    async def wait(self, check: Awaitable[T]) -> T | None:
        try:
            return await check
        except InvalidInput as error:
            self._keep(error)
            return None

    def done(self) -> None:
        if self.errors:
            raise FormInvalid(self.errors)


def _present(value: T | None) -> T:
    # After ``_Checks.done()`` every required value is there; None here is a bug.
    if value is None:
        raise RuntimeError("a checked form value is missing")
    return value


def _quantity(values: Mapping[str, str], *, maximum: int = inventory.MAX_QUANTITY) -> int:
    return _whole(values["quantity"], "quantity", QUANTITY_RANGE, minimum=1, maximum=maximum)


def _simple_line(
    writer: Callable[..., Awaitable[inventory.StockChange]], msgid: str
) -> Callable[[Station, dict[str, str], Principal, str | None], Awaitable[Outcome]]:
    async def handle(
        station: Station, values: dict[str, str], principal: Principal, key: str | None
    ) -> Outcome:
        checks = _Checks()
        item = await checks.wait(_item(values))
        quantity = checks.run(lambda: _quantity(values))
        when = checks.run(lambda: _occurred_at(values))
        checks.done()
        change = await writer(
            station,
            _present(item),
            _present(quantity),
            by=principal.actor,
            occurred_at=when,
            note=values["note"],
            idempotency_key=key,
            # Receipts and handouts only: outside the campaign window, with a reason.
            **{name: values[name] for name in ("outside_reason",) if name in values},
        )
        return _recorded(msgid, change, _present(item), principal.language)

    return handle


async def _target(values: Mapping[str, str], principal: Principal) -> Station:
    try:
        target_id = forms.parse_id(values.get("to_station"), "to_station")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_STATION, field="to_station") from None
    return await queries.chosen_transfer_target(target_id, unit_ids=principal.unit_ids)


async def _transfer(
    station: Station, values: dict[str, str], principal: Principal, key: str | None
) -> Outcome:
    checks = _Checks()
    item = await checks.wait(_item(values))
    target = await checks.wait(_target(values, principal))
    quantity = checks.run(lambda: _quantity(values))
    when = checks.run(lambda: _occurred_at(values))
    checks.done()
    out, _into = await inventory.transfer_stock(
        station,
        _present(target),
        _present(item),
        _present(quantity),
        by=principal.actor,
        occurred_at=when,
        note=values["note"],
        idempotency_key=key,
    )
    return _recorded(
        RECORDED_TRANSFER, out, _present(item), principal.language, station=_present(target).name
    )


async def _count_values(values: dict[str, str]) -> tuple[SupplyItem, int]:
    checks = _Checks()
    item = await checks.wait(_item(values))
    counted = checks.run(
        lambda: _whole(
            values["counted"], "counted", COUNT_RANGE, minimum=0, maximum=inventory.MAX_QUANTITY
        )
    )
    checks.done()
    return _present(item), _present(counted)


async def _count(
    station: Station, values: dict[str, str], principal: Principal, key: str | None
) -> Outcome:
    item, counted = await _count_values(values)
    change = await inventory.record_count(
        station, item, counted, by=principal.actor, note=values["note"], idempotency_key=key
    )
    language = principal.language
    if change.duplicate:
        return Outcome([(ALREADY_RECORDED, {})])
    words = _item_words(item, counted, language)
    if change.superseded:
        return Outcome([(COUNT_SUPERSEDED, {"item": words["item"]})])
    params = {
        "counted": words["quantity"],
        "unit": words["unit"],
        "item": words["item"],
        "delta": _signed(change.movement.delta, language),
        "balance": format_number(change.balance_after, language),
    }
    msgid = RECORDED_COUNT if change.movement.delta else RECORDED_COUNT_AGREES
    return Outcome([(msgid, params), *_stock_notes(change, item, language)])


def _level(raw: str) -> int | None:
    if not raw.strip():
        return None
    return _whole(raw, "threshold", THRESHOLD_RANGE, minimum=0, maximum=inventory.MAX_THRESHOLD)


async def _threshold(
    station: Station, values: dict[str, str], principal: Principal, key: str | None
) -> Outcome:
    checks = _Checks()
    item = await checks.wait(_item(values))
    level = checks.run(lambda: _level(values["threshold"]))
    checks.done()
    await inventory.set_low_stock_threshold(station, _present(item), level, by=principal.actor)
    name = _present(item).name(principal.language.value)
    if level is None:
        return Outcome([(THRESHOLD_DEFAULT, {"item": name})])
    return Outcome(
        [(THRESHOLD_SET, {"item": name, "threshold": format_number(level, principal.language)})]
    )


async def _planned(
    station: Station, values: dict[str, str], principal: Principal, key: str | None
) -> Outcome:
    checks = _Checks()
    item = await checks.wait(_item(values))
    quantity = checks.run(
        lambda: (
            None
            if not values["planned"].strip()
            else _whole(values["planned"], "planned", PLANNED_RANGE, minimum=0, maximum=MAX_PLANNED)
        )
    )
    checks.done()
    plan = await set_planned_stock(station, _present(item), quantity, by=principal.actor)
    name = _present(item).name(principal.language.value)
    if plan is None:
        return Outcome([(PLANNED_REMOVED, {"item": name})])
    return Outcome(
        [
            (
                PLANNED_SET,
                {"item": name, "quantity": format_number(plan.quantity, principal.language)},
            )
        ]
    )


def _service_kind(raw: str) -> ServiceKind:
    try:
        return forms.parse_choice(raw, "kind", ServiceKind)
    except InvalidInput:
        raise InvalidInput(CHOOSE_SERVICE, field="kind") from None


def _service_amount(kind: ServiceKind | None, raw: str) -> int:
    if kind is ServiceKind.LOUDSPEAKER:
        return _whole(
            raw, "quantity", LOUDSPEAKER_RANGE, minimum=1, maximum=MAX_LOUDSPEAKER_MINUTES
        )
    return _whole(raw, "quantity", QUANTITY_RANGE, minimum=1, maximum=MAX_SERVICE_QUANTITY)


async def _partner(raw: str) -> Unit | None:
    if not raw.strip():
        return None
    try:
        partner_id = forms.parse_id(raw, "partner")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_PARTNER, field="partner") from None
    return await queries.chosen_partner(partner_id)


async def _service(
    station: Station, values: dict[str, str], principal: Principal, key: str | None
) -> Outcome:
    checks = _Checks()
    kind = checks.run(lambda: _service_kind(values["kind"]))
    quantity = checks.run(lambda: _service_amount(kind, values["quantity"]))
    partner = await checks.wait(_partner(values["partner"]))
    when = checks.run(lambda: _occurred_at(values))
    checks.done()
    record = await record_service(
        station,
        _present(kind),
        _present(quantity),
        by=principal.actor,
        partner=partner,
        occurred_at=when,
        note=values["note"],
        idempotency_key=key,
        outside_reason=values["outside_reason"],
    )
    language = principal.language
    label = translate(SERVICE_KIND_LABELS[_present(kind)], language)
    quantity_text = format_number(record.quantity, language)
    return Outcome([(RECORDED_SERVICE, {"kind": label, "quantity": quantity_text})])


HANDLERS: Final[
    dict[str, Callable[[Station, dict[str, str], Principal, str | None], Awaitable[Outcome]]]
] = {
    "receipt": _simple_line(inventory.record_receipt, RECORDED_RECEIPT),
    "handout": _simple_line(inventory.record_handout, RECORDED_HANDOUT),
    "loss": _simple_line(inventory.record_loss, RECORDED_LOSS),
    "transfer": _transfer,
    "count": _count,
    "threshold": _threshold,
    "service": _service,
    "planned": _planned,
}


# -- pages ----------------------------------------------------------------------------------


def _campaign_closed(station: Station) -> bool:
    return CampaignStatus(station.campaign.status) is not CampaignStatus.OPEN


async def _station_page(
    request: Request,
    station: Station,
    *,
    failed: tuple[str, FormState] | None = None,
    status_code: int = 200,
) -> Response:
    principal = principal_of(request)
    language = page_language(request)
    data = await queries.station_inventory(station, unit_ids=principal.unit_ids)
    states = {name: FormState() for name in FORM_FIELDS}
    if failed is not None:
        states[failed[0]] = failed[1]
    closed = _campaign_closed(station)
    context: dict[str, Any] = {
        "station": station,
        "campaign": station.campaign,
        # Outside the campaign's days the forms ask why a line belongs outside it.
        "outside_window": campaign_phase(station.campaign) is not CampaignPhase.RUNNING,
        "data": data,
        "forms": states,
        "can_change": principal.can_change and not closed,
        "closed_note": translate(CAMPAIGN_CLOSED, language, campaign=station.campaign.name)
        if closed
        else None,
        "kind_label": lambda kind: translate(MOVEMENT_KIND_LABELS[MovementKind(kind)], language),
        "service_label": lambda kind: translate(SERVICE_KIND_LABELS[ServiceKind(kind)], language),
        "item_options": [
            (item.id, f"{item.name(language.value)} ({item.unit_label(language.value)})")
            for item in data.items
        ],
        "target_options": [(s.id, f"{s.code} · {s.name}") for s in data.transfer_targets],
        "partner_options": [(unit.id, unit.name) for unit in data.partners],
        "service_kinds": [
            (kind.value, translate(label, language)) for kind, label in SERVICE_KIND_LABELS.items()
        ],
        "author": lambda line: _author(line, language),
        "signed": lambda delta: _signed(delta, language),
        "item_name": lambda item: item.name(language.value),
        "item_unit": lambda item: item.unit_label(language.value),
    }
    return render(request, "inventory/station.html", context, status_code=status_code)


def _author(line: Any, language: Language) -> str:
    """Who wrote a line: the person, else how it came in (an API client, an import)."""
    if line.by_user is not None:
        return str(line.by_user.full_name or line.by_user.email)
    if line.by_volunteer is not None:
        return str(line.by_volunteer.full_name)
    return translate(SOURCE_LABELS[Source(line.source)], language)


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
    """The station's stock, its recent lines and services, and the forms that add to them."""
    return await _station_page(request, await station_in_path(request))


def _form_view(name: str) -> Callable[[Request], Awaitable[Response]]:
    handler = HANDLERS[name]

    @page(change=True)
    async def view(request: Request) -> Response:
        station = await station_in_path(request, change=True)
        form = await forms.read_form(request)
        values = {field_name: forms.text(form, field_name) for field_name in FORM_FIELDS[name]}
        key = forms.text(form, KEY_FIELD)
        if name == "count" and forms.text(form, "confirm") != "yes":
            return await _count_preview(request, station, values, key)
        try:
            outcome = await handler(station, values, principal_of(request), key or None)
        except (FormInvalid, InvalidInput, Conflict, NotFound) as error:
            return await _form_failed(request, station, name, values, key, error)
        for msgid, params in outcome.messages:
            flash(request, msgid, **params)
        target = route_url(request, "station_inventory", station_id=station.id)
        return RedirectResponse(f"{target}#{name}", status_code=303)

    view.__name__ = f"stock_{name}"
    return view


async def _form_failed(
    request: Request,
    station: Station,
    name: str,
    values: dict[str, str],
    key: str,
    error: StationsError | FormInvalid,
) -> Response:
    language = page_language(request)
    state = FormState(values=values, key=key or secrets.token_urlsafe(18))
    if isinstance(error, FormInvalid):
        state.errors = {field: each.translated(language) for field, each in error.errors.items()}
        return await _station_page(
            request, station, failed=(name, state), status_code=InvalidInput.http_status
        )
    if error.field == KEY_FIELD:
        # The key belongs to a line written with other values: a fresh one lets the
        # person send this form as the new entry it is, once they have looked.
        state.key = secrets.token_urlsafe(18)
        state.errors = {forms.ALL_FIELDS: translate(FORM_REUSED, language)}
    elif error.field in FORM_FIELDS[name] or (
        error.field == WHEN_FIELD and "day" in FORM_FIELDS[name]
    ):
        state.errors = {error.field: error.translated(language)}
    else:
        state.errors = {forms.ALL_FIELDS: error.translated(language)}
    return await _station_page(
        request, station, failed=(name, state), status_code=error.http_status
    )


async def _count_preview(
    request: Request, station: Station, values: dict[str, str], key: str
) -> Response:
    """Before a count is written: the stock on record, what was counted, the adjustment."""
    language = page_language(request)
    try:
        item, counted = await _count_values(values)
    except (FormInvalid, InvalidInput, NotFound) as error:
        return await _form_failed(request, station, "count", values, key, error)
    if _campaign_closed(station):
        closed = Conflict(CAMPAIGN_CLOSED, field=None, campaign=station.campaign.name)
        return await _form_failed(request, station, "count", values, key, closed)
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
        "values": values,
        "key": key or secrets.token_urlsafe(18),
        "on_record": on_record,
        "counted": counted,
        "delta": counted - on_record,
        "signed_delta": _signed(counted - on_record, language),
    }
    return render(request, "inventory/count_confirm.html", context)


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
        "kind_label": lambda kind: translate(MOVEMENT_KIND_LABELS[MovementKind(kind)], language),
        "author": lambda line: _author(line, language),
        "signed": lambda delta: _signed(delta, language),
        "item_name": lambda item: item.name(language.value),
        "item_unit": lambda item: item.unit_label(language.value),
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
    Route(
        "/stations/{station_id:int}/receipts",
        _form_view("receipt"),
        methods=["POST"],
        name="stock_receipt",
    ),
    Route(
        "/stations/{station_id:int}/handouts",
        _form_view("handout"),
        methods=["POST"],
        name="stock_handout",
    ),
    Route(
        "/stations/{station_id:int}/transfers",
        _form_view("transfer"),
        methods=["POST"],
        name="stock_transfer",
    ),
    Route(
        "/stations/{station_id:int}/counts",
        _form_view("count"),
        methods=["POST"],
        name="stock_count",
    ),
    Route(
        "/stations/{station_id:int}/losses", _form_view("loss"), methods=["POST"], name="stock_loss"
    ),
    Route(
        "/stations/{station_id:int}/thresholds",
        _form_view("threshold"),
        methods=["POST"],
        name="stock_threshold",
    ),
    Route(
        "/stations/{station_id:int}/planned-stock",
        _form_view("planned"),
        methods=["POST"],
        name="planned_stock",
    ),
    Route(
        "/stations/{station_id:int}/services",
        _form_view("service"),
        methods=["POST"],
        name="service_record",
    ),
]
