"""A campaign's money and partners: partners, cash and in-kind donations, expenses.

Money belongs to the whole campaign, so writing it is for those who shape campaigns (admins
and province-wide coordinators); anyone with a token reads a campaign's partners.
"""

from __future__ import annotations

from typing import Any

from stations.enums import ExpenseCategory, PartnerKind
from stations.services import funds
from stations.services.inventory import MAX_QUANTITY, MAX_UNIT_COST_VND
from stations.services.permissions import check_can_manage_campaigns
from stations.services.queries import api as queries
from stations.services.queries import funds_pages
from stations.services.validation import NAME_MAX_LENGTH
from stations.web.api.fields import (
    Field,
    ObjectBody,
    VariantBody,
    const_field,
    enum_field,
    id_field,
)
from stations.web.api.operations import (
    ApiCall,
    Operation,
    Reply,
    body_field_names,
    data_reply,
    list_reply,
    many,
    one,
)
from stations.web.api.resources import DONATION, EXPENSE, PARTNER

AMOUNT = Field(
    "amount_vnd", "integer", "Whole đồng.", True, minimum=0, maximum=funds.MAX_AMOUNT_VND
)
NOTE = Field("note", "string", "A short note.", max_length=funds.NOTE_MAX, default="")
PARTNER_ID = Field(
    "partner_id",
    "integer",
    "The partner giving it.",
    minimum=1,
    maximum=queries.MAX_ID,
    nullable=True,
)
DONOR = Field("donor", "string", "Who gave it.", True, max_length=NAME_MAX_LENGTH)

NEW_PARTNER = ObjectBody(
    "NewPartner",
    "A partner of a campaign.",
    (
        id_field("campaign_id", "The campaign.", required=True),
        Field("name", "string", "The partner's name.", True, max_length=NAME_MAX_LENGTH),
        enum_field("kind", PartnerKind, "What kind of partner.", default=PartnerKind.OTHER.value),
        Field(
            "unit_id",
            "integer",
            "The organising unit this partner is, when services name it as their partner.",
            minimum=1,
            maximum=queries.MAX_ID,
            nullable=True,
        ),
        NOTE,
    ),
    example={"campaign_id": 1, "name": "Trung tâm Head Honda Đồng Tháp", "kind": "garage"},
)

NEW_DONATION = VariantBody(
    "NewDonation",
    "Cash given to a campaign, or supplies given to one of its stations.",
    "kind",
    {
        "cash": ObjectBody(
            "CashDonation",
            "Money given to the campaign.",
            (
                const_field("kind", "cash", "A cash donation."),
                id_field("campaign_id", "The campaign.", required=True),
                DONOR,
                AMOUNT,
                Field("received_on", "date", "The day it was received.", True),
                PARTNER_ID,
                NOTE,
            ),
            example={
                "kind": "cash",
                "campaign_id": 1,
                "donor": "Công ty TNHH Nước suối Tân Phú",
                "amount_vnd": 50_000_000,
                "received_on": "2027-01-20",
            },
        ),
        "in_kind": ObjectBody(
            "InKindDonation",
            "Supplies given to a station: a receipt that names its donor and value.",
            (
                const_field("kind", "in_kind", "Supplies given."),
                id_field("station_id", "The station receiving them.", required=True),
                Field(
                    "item", "string", "The supply item's code (e.g. water).", True, max_length=32
                ),
                Field(
                    "quantity",
                    "integer",
                    "How many, in the item's unit.",
                    True,
                    minimum=1,
                    maximum=MAX_QUANTITY,
                ),
                Field(
                    "unit_cost_vnd",
                    "integer",
                    "The value of one unit in đồng; the item's current cost if left out.",
                    minimum=0,
                    maximum=MAX_UNIT_COST_VND,
                    nullable=True,
                ),
                DONOR,
                Field(
                    "received_on",
                    "date",
                    "The day it was received; today if left out.",
                    nullable=True,
                ),
                PARTNER_ID,
                NOTE,
            ),
            example={
                "kind": "in_kind",
                "station_id": 1,
                "item": "water",
                "quantity": 2400,
                "donor": "Công ty TNHH Nước suối Tân Phú",
            },
        ),
    },
)

NEW_EXPENSE = ObjectBody(
    "NewExpense",
    "Money spent on what is not stock.",
    (
        id_field("campaign_id", "The campaign.", required=True),
        enum_field("category", ExpenseCategory, "What it paid for.", required=True),
        AMOUNT,
        Field("spent_on", "date", "The day it was paid.", True),
        Field(
            "receipt_number",
            "string",
            "The number on the bill or receipt.",
            max_length=funds.RECEIPT_NUMBER_MAX,
            default="",
        ),
        NOTE,
    ),
    example={
        "campaign_id": 1,
        "category": "equipment",
        "amount_vnd": 12_000_000,
        "spent_on": "2027-01-28",
        "receipt_number": "HĐ 0001234",
    },
)


async def list_partners(call: ApiCall) -> Reply:
    campaign_id = call.query["campaign_id"]
    if campaign_id is None:
        return list_reply(PARTNER, await funds_pages.all_partners())
    campaign = await queries.campaign_by_id(campaign_id)
    return list_reply(PARTNER, await funds_pages.partners_of(campaign))


async def create_partner(call: ApiCall) -> Reply:
    check_can_manage_campaigns(call.principal)
    body = await call.body()
    campaign = await queries.campaign_by_id(body["campaign_id"])
    unit = None if body["unit_id"] is None else await queries.unit_by_id(body["unit_id"])
    with body_field_names({"campaign": "campaign_id", "unit": "unit_id"}):
        partner = await funds.create_partner(
            campaign,
            name=body["name"],
            kind=body["kind"],
            unit=unit,
            note=body["note"],
            by=call.principal.actor,
        )
    return data_reply(PARTNER, partner, status=201)


async def create_donation(call: ApiCall) -> Reply:
    check_can_manage_campaigns(call.principal)
    body = await call.body()
    common: dict[str, Any] = {
        "donor": body["donor"],
        "note": body["note"],
        "by": call.principal.actor,
    }
    names = {"campaign": "campaign_id", "partner": "partner_id", "station": "station_id"}
    if body["kind"] == "cash":
        campaign = await queries.campaign_by_id(body["campaign_id"])
        partner = await _partner(campaign, body["partner_id"])
        with body_field_names(names):
            donation = await funds.record_cash_donation(
                campaign,
                amount_vnd=body["amount_vnd"],
                received_on=body["received_on"],
                partner=partner,
                **common,
            )
    else:
        station = await queries.station_by_id(body["station_id"])
        campaign = await queries.campaign_by_id(station.campaign_id, field="station_id")
        partner = await _partner(campaign, body["partner_id"])
        item = await queries.item_by_code(body["item"])
        with body_field_names(names):
            donation = await funds.record_in_kind_donation(
                station,
                item,
                body["quantity"],
                unit_cost_vnd=body["unit_cost_vnd"],
                received_on=body["received_on"],
                partner=partner,
                **common,
            )
    return data_reply(DONATION, donation, status=201)


async def create_expense(call: ApiCall) -> Reply:
    check_can_manage_campaigns(call.principal)
    body = await call.body()
    campaign = await queries.campaign_by_id(body["campaign_id"])
    with body_field_names({"campaign": "campaign_id"}):
        expense = await funds.record_expense(
            campaign,
            category=body["category"],
            amount_vnd=body["amount_vnd"],
            spent_on=body["spent_on"],
            receipt_number=body["receipt_number"],
            note=body["note"],
            by=call.principal.actor,
        )
    return data_reply(EXPENSE, expense, status=201)


async def _partner(campaign: Any, partner_id: int | None) -> Any:
    if partner_id is None:
        return None
    return await funds_pages.partner_in(campaign, partner_id)


MANAGERS_ONLY = "Admins and province-wide coordinators only: money belongs to the whole campaign."

OPERATIONS = (
    Operation(
        "GET",
        "/partners",
        "listPartners",
        "Partners, of one campaign or of all",
        "funds",
        list_partners,
        (many(PARTNER, paginated=False),),
        query=(id_field("campaign_id", "Only the partners of this campaign."),),
        errors=(400, 401, 403, 404),
    ),
    Operation(
        "POST",
        "/partners",
        "createPartner",
        "Add a partner to a campaign",
        "funds",
        create_partner,
        (one(PARTNER, status=201, description="The new partner."),),
        description=MANAGERS_ONLY,
        body=NEW_PARTNER,
        change=True,
        errors=(400, 401, 403, 404, 409),
    ),
    Operation(
        "POST",
        "/donations",
        "createDonation",
        "Record a cash or in-kind donation",
        "funds",
        create_donation,
        (one(DONATION, status=201, description="The donation was recorded."),),
        description=MANAGERS_ONLY + " Dated from 90 days before the campaign to 60 days "
        "after it, never in the future; a closed campaign takes none.",
        body=NEW_DONATION,
        change=True,
        errors=(400, 401, 403, 404, 409),
    ),
    Operation(
        "POST",
        "/expenses",
        "createExpense",
        "Record money spent on what is not stock",
        "funds",
        create_expense,
        (one(EXPENSE, status=201, description="The expense was recorded."),),
        description=MANAGERS_ONLY,
        body=NEW_EXPENSE,
        change=True,
        errors=(400, 401, 403, 404, 409),
    ),
)
