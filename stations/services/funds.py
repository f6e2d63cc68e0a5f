"""A campaign's money and partners: who works with it, what it mobilised, what it spent.

- A **partner** (a Head Honda centre, a sponsor, a radio station) is named once per campaign;
  a partner that is also an organising unit names it, so the services recorded with that unit
  as their partner are credited to it in the report.
- A **cash donation** names its donor, amount and date; an **in-kind donation** is a receipt
  of supplies at a station that names its donor and value (quantity × cost per unit, frozen
  on the ledger line like every receipt's cost).
- An **expense** is money spent on what is not stock: transport, tents, printing, meals.

Money is whole đồng, never negative. A donation or an expense is dated within the campaign's
accounting window — from ``FUNDS_DAYS_BEFORE`` days before its first day (money is raised and
supplies bought beforehand) to ``FUNDS_DAYS_AFTER`` days after its last (bills are settled
afterwards) — and not in the future. A closed campaign takes none: its report is final.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import CampaignStatus, DonationKind, ExpenseCategory, PartnerKind
from stations.formatting import format_date
from stations.i18n import _
from stations.models import Campaign, Donation, Expense, Partner, Station, SupplyItem, Unit
from stations.services import inventory
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import Conflict, InvalidInput, NotFound
from stations.services.validation import (
    NAME_MAX_LENGTH,
    check_calendar_date,
    check_choice,
    check_optional_text,
    check_required_text,
    check_whole_number,
    load_existing,
)

#: A single gift or bill past a hundred billion đồng is a typing slip.
MAX_AMOUNT_VND: Final = 100_000_000_000
FUNDS_DAYS_BEFORE: Final = 90
FUNDS_DAYS_AFTER: Final = 60
NOTE_MAX: Final = 300
RECEIPT_NUMBER_MAX: Final = 64

CAMPAIGN_GONE = _("This campaign no longer exists.")
PARTNER_GONE = _("The partner was not found in this campaign.")
CLOSED = _("The campaign {name} is closed: its funds can no longer change.")


async def create_partner(
    campaign: Campaign,
    *,
    name: str,
    kind: PartnerKind | str = PartnerKind.OTHER,
    unit: Unit | None = None,
    note: str = "",
    by: Actor,
) -> Partner:
    """Add a partner to ``campaign``'s list; a name already on it is a conflict."""
    target = await _open_campaign(campaign)
    partner_name = check_required_text(
        name,
        field="name",
        max_length=NAME_MAX_LENGTH,
        message=_("A partner needs a name of 1 to {max} characters."),
    )
    partner_kind = check_choice(
        kind, PartnerKind, field="kind", message=_("The kind of partner must be one of: {choices}.")
    )
    text = _note(note)
    unit_id = None
    if unit is not None:
        found = await load_existing(unit, Unit, field="unit", gone=_("The unit was not found."))
        unit_id = found.id
    try:
        async with in_transaction():
            partner = await Partner.create(
                campaign_id=target.id,
                name=partner_name,
                kind=partner_kind,
                unit_id=unit_id,
                note=text,
            )
            await record_event(
                by,
                "partner.created",
                object_type="partner",
                object_id=partner.id,
                data={"campaign_id": target.id, "name": partner_name, "kind": partner_kind.value},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The partner {name} is already on this campaign's list."),
            field="name",
            name=partner_name,
        ) from exc
    return partner


async def record_cash_donation(
    campaign: Campaign,
    *,
    donor: str,
    amount_vnd: int,
    received_on: dt.date,
    partner: Partner | None = None,
    note: str = "",
    by: Actor,
) -> Donation:
    """Money given to ``campaign`` (see the module's rules on amounts and dates)."""
    target = await _open_campaign(campaign)
    giver, amount, day = _donation_fields(
        target, donor=donor, amount_vnd=amount_vnd, received_on=received_on
    )
    text = _note(note)
    partner_id = await _partner_id(target, partner)
    async with in_transaction():
        donation = await Donation.create(
            campaign_id=target.id,
            kind=DonationKind.CASH,
            donor=giver,
            amount_vnd=amount,
            received_on=day,
            partner_id=partner_id,
            note=text,
            by_user_id=by.user_id,
        )
        await _audit_donation(by, donation)
    return donation


async def record_in_kind_donation(
    station: Station,
    item: SupplyItem,
    quantity: int,
    *,
    donor: str,
    unit_cost_vnd: int | None = None,
    received_on: dt.date | None = None,
    partner: Partner | None = None,
    note: str = "",
    by: Actor,
) -> Donation:
    """Supplies given to a station: a receipt line valued at ``unit_cost_vnd`` (the item's
    current cost when not given) and the donation naming it, in one transaction."""
    found = await inventory.load_station(station, field="station", require_open=True)
    target = found.campaign
    supply = await inventory.load_item(item)
    amount = inventory.check_quantity(quantity)
    cost = inventory.check_unit_cost(unit_cost_vnd)
    frozen = cost if cost is not None else supply.unit_cost_vnd
    giver, value, day = _donation_fields(
        target,
        donor=donor,
        amount_vnd=amount * frozen,
        received_on=received_on if received_on is not None else clock.today_local(),
    )
    text = _note(note)
    partner_id = await _partner_id(target, partner)
    occurred_at = _receipt_moment(day)
    async with in_transaction():
        change = await inventory.record_receipt(
            found,
            supply,
            amount,
            by=by,
            occurred_at=occurred_at,
            note=text or giver,
            unit_cost_vnd=frozen,
        )
        donation = await Donation.create(
            campaign_id=target.id,
            kind=DonationKind.IN_KIND,
            donor=giver,
            amount_vnd=value,
            received_on=day,
            partner_id=partner_id,
            movement_id=change.movement.id,
            note=text,
            by_user_id=by.user_id,
        )
        await _audit_donation(by, donation)
    return donation


async def record_expense(
    campaign: Campaign,
    *,
    category: ExpenseCategory | str,
    amount_vnd: int,
    spent_on: dt.date,
    receipt_number: str = "",
    note: str = "",
    by: Actor,
) -> Expense:
    """Money spent on what is not stock (see the module's rules on amounts and dates)."""
    target = await _open_campaign(campaign)
    kind = check_choice(
        category,
        ExpenseCategory,
        field="category",
        message=_("The category must be one of: {choices}."),
    )
    amount = _amount(amount_vnd)
    day = _funds_day(target, spent_on, field="spent_on")
    number = check_optional_text(
        receipt_number,
        field="receipt_number",
        max_length=RECEIPT_NUMBER_MAX,
        too_long=_("A receipt number has at most {max} characters."),
    )
    text = _note(note)
    async with in_transaction():
        expense = await Expense.create(
            campaign_id=target.id,
            category=kind,
            amount_vnd=amount,
            spent_on=day,
            receipt_number=number,
            note=text,
            by_user_id=by.user_id,
        )
        await record_event(
            by,
            "expense.recorded",
            object_type="expense",
            object_id=expense.id,
            data={"campaign_id": target.id, "category": kind.value, "amount_vnd": amount},
        )
    return expense


# -- checks ------------------------------------------------------------------------------


async def _open_campaign(campaign: Campaign) -> Campaign:
    found = await load_existing(campaign, Campaign, field="campaign", gone=CAMPAIGN_GONE)
    if found.status is not CampaignStatus.OPEN:
        raise Conflict(CLOSED, field="campaign", name=found.name)
    return found


def _amount(value: object) -> int:
    return check_whole_number(
        value,
        field="amount_vnd",
        minimum=0,
        maximum=MAX_AMOUNT_VND,
        message=_("The amount must be a whole number of đồng from 0 to {max}."),
        max=f"{MAX_AMOUNT_VND:,}".replace(",", "."),
    )


def funds_window(campaign: Campaign) -> tuple[dt.date, dt.date]:
    """The first and last day a donation or an expense of ``campaign`` may be dated."""
    return (
        campaign.starts_on - dt.timedelta(days=FUNDS_DAYS_BEFORE),
        campaign.ends_on + dt.timedelta(days=FUNDS_DAYS_AFTER),
    )


def _funds_day(campaign: Campaign, value: object, *, field: str) -> dt.date:
    day = check_calendar_date(value, field=field)
    first, last = funds_window(campaign)
    if not first <= day <= last:
        raise InvalidInput(
            _(
                "The date must fall between {first} and {last}: from {before} days before "
                "the campaign to {after} days after it."
            ),
            field=field,
            first=format_date(first, None),
            last=format_date(last, None),
            before=FUNDS_DAYS_BEFORE,
            after=FUNDS_DAYS_AFTER,
        )
    if day > clock.today_local():
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    return day


def _donation_fields(
    campaign: Campaign, *, donor: object, amount_vnd: object, received_on: object
) -> tuple[str, int, dt.date]:
    """The donor, the amount and the day of a donation, checked."""
    giver = check_required_text(
        donor,
        field="donor",
        max_length=NAME_MAX_LENGTH,
        message=_("Name the donor in 1 to {max} characters."),
    )
    return giver, _amount(amount_vnd), _funds_day(campaign, received_on, field="received_on")


def _note(note: object) -> str:
    return check_optional_text(
        note, field="note", max_length=NOTE_MAX, too_long=_("A note has at most {max} characters.")
    )


async def _partner_id(campaign: Campaign, partner: Partner | None) -> int | None:
    if partner is None:
        return None
    found = await load_existing(partner, Partner, field="partner", gone=PARTNER_GONE)
    if found.campaign_id != campaign.id:
        raise NotFound(PARTNER_GONE, field="partner")
    return found.id


def _receipt_moment(day: dt.date) -> dt.datetime | None:
    """An in-kind gift dated today is received now; an earlier one at that day's noon."""
    if day == clock.today_local():
        return None
    return clock.local_midnight(day) + dt.timedelta(hours=12)


async def _audit_donation(by: Actor, donation: Donation) -> None:
    await record_event(
        by,
        "donation.recorded",
        object_type="donation",
        object_id=donation.id,
        data={
            "campaign_id": donation.campaign_id,
            "kind": DonationKind(donation.kind).value,
            "amount_vnd": donation.amount_vnd,
            "movement_id": donation.movement_id,
        },
    )
