"""A service given at a station (safety checks, first aid, loudspeaker minutes…), with its
partner unit."""

from __future__ import annotations

from stations.enums import ServiceKind
from stations.formatting import format_number
from stations.i18n import _, translate
from stations.labels import SERVICE_KIND_LABELS
from stations.models import Station, Unit
from stations.services.errors import InvalidInput
from stations.services.permissions import Principal
from stations.services.queries import inventory_pages as queries
from stations.services.service_records import (
    MAX_LOUDSPEAKER_MINUTES,
    MAX_SERVICE_QUANTITY,
    record_service,
)
from stations.web import forms
from stations.web.views._shared import FormState
from stations.web.views.inventory.outcomes import Outcome
from stations.web.views.inventory.task_form import QUANTITY_RANGE, amount, occurred_at

LOUDSPEAKER_RANGE = _("Loudspeaker time must be a whole number of minutes between 1 and {max}.")
CHOOSE_SERVICE = _("Choose a kind of service from the list.")
RECORDED_SERVICE = _("Service recorded: {kind}, {quantity}.")


def _service_kind(state: FormState) -> ServiceKind:
    try:
        return forms.parse_choice(state.text("kind"), "kind", ServiceKind)
    except InvalidInput:
        raise InvalidInput(CHOOSE_SERVICE, field="kind") from None


def _service_amount(state: FormState, kind: ServiceKind | None) -> int:
    if kind is ServiceKind.LOUDSPEAKER:
        return amount(
            state, "quantity", LOUDSPEAKER_RANGE, minimum=1, maximum=MAX_LOUDSPEAKER_MINUTES
        )
    return amount(state, "quantity", QUANTITY_RANGE, minimum=1, maximum=MAX_SERVICE_QUANTITY)


async def _partner(state: FormState) -> Unit | None:
    if not state.text("partner"):
        return None
    try:
        partner_id = forms.parse_id(state.text("partner"), "partner")
    except InvalidInput:
        raise InvalidInput(queries.CHOOSE_PARTNER, field="partner") from None
    return await queries.chosen_partner(partner_id)


async def record_service_given(
    station: Station, state: FormState, principal: Principal, key: str | None
) -> Outcome | None:
    kind = state.take(lambda: _service_kind(state))
    quantity = state.take(lambda: _service_amount(state, kind))
    partner = await state.wait(_partner(state))
    when = state.take(lambda: occurred_at(state))
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
