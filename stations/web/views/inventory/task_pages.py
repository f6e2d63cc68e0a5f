"""A task's page: its form drawn with a fresh idempotency key, then received — recorded and
back to the summary, or drawn again with its errors. A count first shows its adjustment."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from stations.i18n import _, translate
from stations.labels import SERVICE_KIND_LABELS
from stations.models import Station
from stations.services import inventory
from stations.services.errors import Conflict, InvalidInput, NotFound, StationsError
from stations.services.queries import inventory_pages as queries
from stations.services.queries.stock import stock_for_stations
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, page_language, render
from stations.web.views._shared import FormState, read_state, redirect_to, station_in_path
from stations.web.views.inventory.counts import counted
from stations.web.views.inventory.lines import signed
from stations.web.views.inventory.task_form import Task
from stations.web.views.inventory.tasks import (
    CAMPAIGN_CLOSED,
    TASKS_BY_NAME,
    campaign_closed,
    closed_note,
)

FORM_REUSED = _(
    "This form had already been sent with other values. Check the latest lines on the "
    "station's stock page, then send it again if it is still needed."
)

KEY_FIELD: Final = "idempotency_key"
#: What a key made by ``_new_key`` looks like; anything else sent back is replaced.
_KEY_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _new_key() -> str:
    return secrets.token_urlsafe(18)


def task_view(task: Task) -> Callable[[Request], Awaitable[Response]]:
    @page(change=True)
    async def view(request: Request) -> Response:
        station = await station_in_path(request, change=True)
        if request.method == "GET":
            state = FormState({}, request.state.language)
            return await _task_page(request, station, task, state, _new_key())
        state = await read_state(request)
        sent = state.text(KEY_FIELD)
        key = sent if _KEY_SHAPE.fullmatch(sent) else _new_key()
        if campaign_closed(station):
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
        "closed_note": closed_note(station, language),
        "no_target": task.name == "transfer" and not data.transfer_targets,
    }
    return render(request, "inventory/task.html", context, status_code=state.status_code)


async def _count_preview(
    request: Request, station: Station, state: FormState, key: str
) -> Response:
    """Before a count is written: the stock on record, what was counted, the adjustment."""
    language = page_language(request)
    found = await counted(state)
    if found is None:
        return await _task_page(request, station, TASKS_BY_NAME["count"], state, key)
    item, number = found
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
        "counted": number,
        "delta": number - on_record,
        "signed_delta": signed(number - on_record, language),
    }
    return render(request, "inventory/count_confirm.html", context)
