"""A campaign's funds page: budget, mobilised, spent and balance; partners, donations, expenses.

One page with four forms (a partner, a cash donation, supplies given in kind, an expense),
each posting to its own address. Field names carry their form's prefix so the page's ids stay
unique. A bad entry shows the page again with every error beside its field (422, nothing
written); a good one redirects back with a message. Writing money is for those who shape
campaigns (admins and province-wide coordinators); everyone signed in reads the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations.enums import CampaignStatus, DonationKind, ExpenseCategory, Language, PartnerKind
from stations.formatting import format_number
from stations.i18n import _, translate
from stations.labels import DONATION_KIND_LABELS, EXPENSE_CATEGORY_LABELS, PARTNER_KIND_LABELS
from stations.models import Campaign, Partner
from stations.services import funds
from stations.services.errors import Conflict, InvalidInput, NotFound, StationsError
from stations.services.permissions import Principal, check_can_manage_campaigns
from stations.services.queries import funds_pages
from stations.services.queries.api import item_by_code, station_by_id, unit_by_id
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, page_language, render
from stations.web.views._shared import campaign_in_path, redirect_to

FORMS: Final = {
    "partner": ("name", "kind", "unit", "note"),
    "cash": ("donor", "amount_vnd", "received_on", "partner", "note"),
    "in_kind": (
        "station",
        "item",
        "quantity",
        "unit_cost_vnd",
        "donor",
        "received_on",
        "partner",
        "note",
    ),
    "expense": ("category", "amount_vnd", "spent_on", "receipt_number", "note"),
}

SAVED: Final = {
    "partner": _("The partner {name} was added."),
    "cash": _("The donation of {amount} đồng from {donor} was recorded."),
    "in_kind": _("The gift from {donor}, worth {amount} đồng, was recorded and received."),
    "expense": _("The expense of {amount} đồng was recorded."),
}
AMOUNT_RANGE = _("Enter the amount in whole đồng, without dots or commas.")


def _blank(form: str) -> dict[str, str]:
    values = dict.fromkeys(FORMS[form], "")
    if form == "partner":
        values["kind"] = PartnerKind.OTHER.value
    if form == "expense":
        values["category"] = ExpenseCategory.OTHER.value
    return values


async def _render(
    request: Request,
    campaign: Campaign,
    *,
    failed: tuple[str, dict[str, str], dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    principal = principal_of(request)
    language = page_language(request)
    data = await funds_pages.funds_page(campaign)
    values = {name: _blank(name) for name in FORMS}
    errors: dict[str, dict[str, str]] = {name: {} for name in FORMS}
    if failed is not None:
        values[failed[0]], errors[failed[0]] = failed[1], failed[2]
    money = data.funds
    context: dict[str, Any] = {
        "campaign": campaign,
        "data": data,
        "values": values,
        "errors": errors,
        # The summary above each form links to its fields, whose ids carry the form's prefix.
        "error_links": {
            form: {
                key if key == "__all__" else f"{form}-{key}": message
                for key, message in form_errors.items()
            }
            for form, form_errors in errors.items()
        },
        "can_manage": _can_manage(principal)
        and CampaignStatus(campaign.status) is CampaignStatus.OPEN,
        "closed": CampaignStatus(campaign.status) is CampaignStatus.CLOSED,
        "money": {
            name: format_number(getattr(money, name), language)
            for name in ("budget", "mobilised_cash", "mobilised_in_kind", "mobilised", "spent")
        }
        | {"balance": format_number(money.balance, language)},
        "overspent": money.overspent,
        "vnd": lambda amount: format_number(amount, language),
        "partner_kinds": [
            (k.value, translate(v, language)) for k, v in PARTNER_KIND_LABELS.items()
        ],
        "partner_kind": lambda kind: translate(PARTNER_KIND_LABELS[PartnerKind(kind)], language),
        "donation_kind": lambda kind: translate(DONATION_KIND_LABELS[DonationKind(kind)], language),
        "categories": [
            (k.value, translate(v, language)) for k, v in EXPENSE_CATEGORY_LABELS.items()
        ],
        "category": lambda kind: translate(
            EXPENSE_CATEGORY_LABELS[ExpenseCategory(kind)], language
        ),
        "partner_options": [("", translate(_("No partner"), language))]
        + [(str(p.id), p.name) for p in data.partners],
        "unit_options": [("", translate(_("Not an organising unit"), language))]
        + [(str(u.id), u.name) for u in data.units],
        "station_options": [(str(s.id), f"{s.code} · {s.name}") for s in data.stations],
        "item_options": [
            (item.code, f"{item.name(language.value)} ({item.unit_label(language.value)})")
            for item in data.items
        ],
    }
    return render(request, "funds/campaign.html", context, status_code=status_code)


def _can_manage(principal: Principal) -> bool:
    try:
        check_can_manage_campaigns(principal)
    except StationsError:
        return False
    return True


@page()
async def campaign_funds_page(request: Request) -> Response:
    """The campaign's money, partners, donations and expenses."""
    return await _render(request, await campaign_in_path(request))


class _Checks:
    """Runs every parse of a form, so the page shows all its errors at once."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.errors: dict[str, str] = {}

    def run(self, field: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except StationsError as error:
            self.errors.setdefault(error.field or field, error.translated(self.language))
            return None


def _amount(raw: str, field: str) -> int:
    try:
        return forms.parse_int(raw, field, minimum=0, maximum=funds.MAX_AMOUNT_VND)
    except InvalidInput:
        raise InvalidInput(AMOUNT_RANGE, field=field) from None


def _optional_date(raw: str, field: str) -> dt.date | None:
    return forms.parse_date(raw, field) if raw.strip() else None


async def _partner_of(campaign: Campaign, raw: str) -> Partner | None:
    if not raw.strip():
        return None
    return await funds_pages.partner_in(campaign, forms.parse_id(raw, "partner"), field="partner")


async def _save_partner(
    campaign: Campaign, values: dict[str, str], checks: _Checks, principal: Principal
) -> dict[str, object]:
    kind = checks.run("kind", lambda: forms.parse_choice(values["kind"], "kind", PartnerKind))
    unit_id = checks.run(
        "unit", lambda: forms.parse_id(values["unit"], "unit") if values["unit"].strip() else None
    )
    unit = None
    if unit_id is not None:
        unit = await _awaited(checks, "unit", unit_by_id(unit_id, field="unit"))
    if checks.errors:
        return {}
    partner = await funds.create_partner(
        campaign, name=values["name"], kind=kind, unit=unit, note=values["note"], by=principal.actor
    )
    return {"name": partner.name}


async def _save_cash(
    campaign: Campaign, values: dict[str, str], checks: _Checks, principal: Principal
) -> dict[str, object]:
    amount = checks.run("amount_vnd", lambda: _amount(values["amount_vnd"], "amount_vnd"))
    day = checks.run("received_on", lambda: forms.parse_date(values["received_on"], "received_on"))
    partner = await _awaited(checks, "partner", _partner_of(campaign, values["partner"]))
    if checks.errors:
        return {}
    donation = await funds.record_cash_donation(
        campaign,
        donor=values["donor"],
        amount_vnd=amount,
        received_on=day,
        partner=partner,
        note=values["note"],
        by=principal.actor,
    )
    return {"amount": donation.amount_vnd, "donor": donation.donor}


async def _save_in_kind(
    campaign: Campaign, values: dict[str, str], checks: _Checks, principal: Principal
) -> dict[str, object]:
    station_id = checks.run("station", lambda: forms.parse_id(values["station"], "station"))
    quantity = checks.run(
        "quantity",
        lambda: forms.parse_int(values["quantity"], "quantity", minimum=1, maximum=1_000_000),
    )
    cost = checks.run(
        "unit_cost_vnd",
        lambda: (
            forms.parse_int(values["unit_cost_vnd"], "unit_cost_vnd", minimum=0)
            if values["unit_cost_vnd"].strip()
            else None
        ),
    )
    day = checks.run("received_on", lambda: _optional_date(values["received_on"], "received_on"))
    partner = await _awaited(checks, "partner", _partner_of(campaign, values["partner"]))
    station = None
    if station_id is not None:
        station = await _awaited(checks, "station", station_by_id(station_id, field="station"))
        if station is not None and station.campaign_id != campaign.id:
            checks.errors["station"] = translate(
                _("Choose an entry from the list."), checks.language
            )
    item = await _awaited(checks, "item", item_by_code(values["item"]))
    if checks.errors or station is None or item is None:
        return {}
    donation = await funds.record_in_kind_donation(
        station,
        item,
        quantity,
        unit_cost_vnd=cost,
        donor=values["donor"],
        received_on=day,
        partner=partner,
        note=values["note"],
        by=principal.actor,
    )
    return {"amount": donation.amount_vnd, "donor": donation.donor}


async def _save_expense(
    campaign: Campaign, values: dict[str, str], checks: _Checks, principal: Principal
) -> dict[str, object]:
    category = checks.run(
        "category", lambda: forms.parse_choice(values["category"], "category", ExpenseCategory)
    )
    amount = checks.run("amount_vnd", lambda: _amount(values["amount_vnd"], "amount_vnd"))
    day = checks.run("spent_on", lambda: forms.parse_date(values["spent_on"], "spent_on"))
    if checks.errors:
        return {}
    expense = await funds.record_expense(
        campaign,
        category=category,
        amount_vnd=amount,
        spent_on=day,
        receipt_number=values["receipt_number"],
        note=values["note"],
        by=principal.actor,
    )
    return {"amount": expense.amount_vnd}


async def _awaited(checks: _Checks, field: str, pending: Awaitable[Any]) -> Any:
    try:
        return await pending
    except (InvalidInput, NotFound) as error:
        checks.errors.setdefault(field, error.translated(checks.language))
        return None


SAVERS: Final[
    dict[
        str,
        Callable[[Campaign, dict[str, str], _Checks, Principal], Awaitable[dict[str, object]]],
    ]
] = {
    "partner": _save_partner,
    "cash": _save_cash,
    "in_kind": _save_in_kind,
    "expense": _save_expense,
}


def _form_view(form: str) -> Callable[[Request], Awaitable[Response]]:
    @page(change=True)
    async def post(request: Request) -> Response:
        return await _post(request, form)

    post.__name__ = post.__qualname__ = f"campaign_funds_{form}"
    post.__doc__ = f"The page's {form.replace('_', '-')} form."
    return post


async def _post(request: Request, form: str) -> Response:
    """One of the page's four forms: partner, cash, in_kind, expense."""
    principal = principal_of(request)
    campaign = await campaign_in_path(request)
    check_can_manage_campaigns(principal)
    posted = await forms.read_form(request)
    values = {name: forms.text(posted, f"{form}-{name}") for name in FORMS[form]}
    checks = _Checks(principal.language)
    status = InvalidInput.http_status
    try:
        params = await SAVERS[form](campaign, values, checks, principal)
    except (InvalidInput, NotFound, Conflict) as error:
        checks.errors.setdefault(error.field or "__all__", error.translated(principal.language))
        status = error.http_status
    if checks.errors:
        return await _render(
            request, campaign, failed=(form, values, checks.errors), status_code=status
        )
    language = principal.language
    shown = {
        key: format_number(value, language) if isinstance(value, int) else value
        for key, value in params.items()
    }
    flash(request, SAVED[form], **shown)
    return redirect_to(request, "campaign_funds_page", campaign_id=campaign.id)


ROUTES: list[BaseRoute] = [
    Route(
        "/campaigns/{campaign_id:int}/funds",
        campaign_funds_page,
        methods=["GET"],
        name="campaign_funds_page",
    ),
    *(
        Route(
            f"/campaigns/{{campaign_id:int}}/funds/{form.replace('_', '-')}",
            _form_view(form),
            methods=["POST"],
            name=f"campaign_funds_{form}",
        )
        for form in FORMS
    ),
]
