"""Supplies: the catalog, stock on hand, the ledger and its idempotent entries, and reports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from stations.enums import MovementKind
from stations.services import inventory
from stations.services.campaign_window import REASON_MAX
from stations.services.inventory import MAX_QUANTITY, NOTE_MAX, StockChange
from stations.services.permissions import check_can_change_station, check_can_view_station
from stations.services.queries import api as queries
from stations.services.queries.reports import StationPage, campaign_report, report_to_dict
from stations.services.queries.stock import stock_for_stations, stock_on_hand
from stations.web.api.fields import (
    Field,
    ObjectBody,
    VariantBody,
    const_field,
    enum_field,
    id_field,
)
from stations.web.api.operations import (
    PAGE_PARAMETERS,
    Answer,
    ApiCall,
    Operation,
    Reply,
    body_field_names,
    data_reply,
    list_reply,
    many,
    one,
    page_reply,
)
from stations.web.api.planning import CAMPAIGN_FILTER, DAY_FILTERS, STATION_FILTER, day_window
from stations.web.api.resources import (
    ITEM,
    MOVEMENT,
    STOCK_ENTRY,
    STOCK_LINE,
    StockEntry,
)

#: The service keeps the key with the line, in the token's namespace (``client_key``), so
#: two clients (or the bot, or a web form) choosing the same key never meet.
IDEMPOTENCY_KEY_MAX = inventory.IDEMPOTENCY_KEY_MAX - 28
IDEMPOTENCY_KEY = Field(
    "Idempotency-Key",
    "string",
    "A key of the client's choosing, new for each entry (a UUID). The same key with the same "
    "entry again returns the original with 200 and writes nothing; with a different entry, 409.",
    required=True,
    max_length=IDEMPOTENCY_KEY_MAX,
)

_BODY_FIELD = {
    "station": "station_id",
    "from_station": "station_id",
    "to_station": "to_station_id",
    "idempotency_key": "Idempotency-Key",
}


def _entry_fields(
    kind: str, description: str, *amount: Field, example: dict[str, Any]
) -> ObjectBody:
    return ObjectBody(
        f"{kind.capitalize()}Entry",
        description,
        (
            const_field("kind", kind, "What kind of entry this is."),
            id_field("station_id", "The station.", required=True),
            Field("item", "string", "The supply item's code (e.g. water).", True, max_length=32),
            *amount,
            Field(
                "occurred_at",
                "datetime",
                "When it happened; now if left out. Not in the future.",
                nullable=True,
            ),
            Field("note", "string", "A short note.", max_length=NOTE_MAX, default=""),
        ),
        example={"kind": kind, "station_id": 1, "item": "water", **example},
    )


QUANTITY = Field(
    "quantity", "integer", "How many, in the item's unit.", True, minimum=1, maximum=MAX_QUANTITY
)
COUNTED = Field(
    "counted",
    "integer",
    "How many were physically counted.",
    True,
    minimum=0,
    maximum=MAX_QUANTITY,
)
OUTSIDE_REASON = Field(
    "outside_reason",
    "string",
    "Why this entry lies outside the campaign's days: required for a handout outside them or a "
    "receipt after them (receipts before the first day need none), ignored inside them.",
    max_length=REASON_MAX,
    default="",
)
TO_STATION = id_field("to_station_id", "The station receiving the transfer.", required=True)

STOCK_ENTRY_BODY = VariantBody(
    "NewStockEntry",
    "A receipt, handout, loss, physical count or transfer.",
    "kind",
    {
        "receipt": _entry_fields(
            "receipt",
            "Supplies arrived.",
            QUANTITY,
            OUTSIDE_REASON,
            example={"quantity": 240, "note": "Nhà tài trợ: Công ty nước Tân Phú"},
        ),
        "handout": _entry_fields(
            "handout",
            "Supplies handed out; more than on record is flagged.",
            QUANTITY,
            OUTSIDE_REASON,
            example={"quantity": 36},
        ),
        "loss": _entry_fields(
            "loss", "Supplies spoiled or lost.", QUANTITY, example={"quantity": 2, "note": "Vỡ"}
        ),
        "count": _entry_fields(
            "count",
            "A physical count that reconciles the record.",
            COUNTED,
            example={"counted": 180},
        ),
        "transfer": _entry_fields(
            "transfer",
            "Stock moved to another station of the campaign.",
            TO_STATION,
            QUANTITY,
            example={"to_station_id": 2, "quantity": 48},
        ),
    },
)

_SIMPLE: dict[str, Callable[..., Awaitable[StockChange]]] = {
    "receipt": inventory.record_receipt,
    "handout": inventory.record_handout,
    "loss": inventory.record_loss,
}


async def list_items(call: ApiCall) -> Reply:
    return page_reply(call, ITEM, await queries.page_items(after=call.after(), limit=call.limit))


async def station_stock(call: ApiCall) -> Reply:
    station = await queries.station_by_id(call.path["station_id"])
    check_can_view_station(call.principal, station)
    return list_reply(STOCK_LINE, await stock_on_hand(station))


async def campaign_stock(call: ApiCall) -> Reply:
    campaign = await queries.campaign_by_id(call.path["campaign_id"])
    station_ids = await queries.visible_station_ids(campaign.id, unit_ids=call.principal.unit_ids)
    stock = await stock_for_stations(station_ids)
    return list_reply(STOCK_LINE, [line for lines in stock.values() for line in lines])


async def list_movements(call: ApiCall) -> Reply:
    kind = call.query["kind"]
    page = await queries.page_movements(
        unit_ids=call.principal.unit_ids,
        campaign_id=call.query["campaign_id"],
        station_id=call.query["station_id"],
        item_code=call.query["item"],
        kind=None if kind is None else MovementKind(kind),
        window=day_window(call),
        after=call.after(),
        limit=call.limit,
    )
    return page_reply(call, MOVEMENT, page)


async def get_movement(call: ApiCall) -> Reply:
    movement = await queries.movement_by_id(call.path["movement_id"])
    check_can_view_station(
        call.principal, movement.station, missing=queries.unknown(movement, field="movement_id")
    )
    return data_reply(MOVEMENT, movement)


async def create_entry(call: ApiCall) -> Reply:
    body = await call.body()
    station = await queries.station_by_id(body["station_id"], field="station_id")
    check_can_change_station(call.principal, station)
    item = await queries.item_by_code(body["item"])
    common: dict[str, Any] = {
        "by": call.principal.actor,
        "occurred_at": body["occurred_at"],
        "note": body["note"],
        "idempotency_key": inventory.client_key(
            call.principal.actor, call.headers["Idempotency-Key"]
        ),
    }
    with body_field_names(_BODY_FIELD):
        changes = await _record(body, station, item, call, common)
    movements = await queries.movements_by_ids([change.movement.id for change in changes])
    entry = StockEntry(changes, tuple(movements))
    # A repeated key is the same request again: it created nothing this time.
    status = 200 if changes[0].duplicate else 201
    return Reply(status, {"data": STOCK_ENTRY.dump(entry)})


async def _record(
    body: dict[str, Any], station: Any, item: Any, call: ApiCall, common: dict[str, Any]
) -> tuple[StockChange, ...]:
    kind = body["kind"]
    if kind == "count":
        return (await inventory.record_count(station, item, body["counted"], **common),)
    if kind == "transfer":
        target = await queries.station_by_id(body["to_station_id"], field="to_station_id")
        check_can_view_station(
            call.principal, target, missing=queries.unknown(target, field="to_station_id")
        )
        return await inventory.transfer_stock(station, target, item, body["quantity"], **common)
    if kind in ("receipt", "handout"):
        common = {**common, "outside_reason": body["outside_reason"]}
    return (await _SIMPLE[kind](station, item, body["quantity"], **common),)


async def get_report(call: ApiCall) -> Reply:
    campaign = await queries.campaign_by_id(call.path["campaign_id"])
    page = StationPage(after=call.after(), limit=call.limit)
    # A unit's token sees its own stations' figures only, totals included.
    report = await campaign_report(campaign, unit_ids=call.principal.unit_ids, stations=page)
    data = report_to_dict(report)
    next_cursor = None if report.stations_next_after is None else str(report.stations_next_after)
    next_url = None
    if next_cursor is not None:
        url = call.request.url.include_query_params(cursor=next_cursor, limit=call.limit)
        next_url = url.path + "?" + url.query
    data["stations_next_cursor"] = next_cursor
    data["stations_next"] = next_url
    return Reply(200, {"data": data})


OPERATIONS = (
    Operation(
        "GET",
        "/items",
        "listItems",
        "List the supply items",
        "stock",
        list_items,
        (many(ITEM),),
        query=PAGE_PARAMETERS,
    ),
    Operation(
        "GET",
        "/stations/{station_id}/stock",
        "getStationStock",
        "Stock on hand at a station",
        "stock",
        station_stock,
        (many(STOCK_LINE, paginated=False),),
        description="Every active item (0 where nothing was recorded), with its low-stock "
        "threshold and today's discrepancy flag.",
    ),
    Operation(
        "GET",
        "/campaigns/{campaign_id}/stock",
        "getCampaignStock",
        "Stock on hand at every station of a campaign in the token's scope",
        "stock",
        campaign_stock,
        (many(STOCK_LINE, paginated=False),),
    ),
    Operation(
        "GET",
        "/stock-movements",
        "listStockMovements",
        "The stock ledger (of stations in the token's scope)",
        "stock",
        list_movements,
        (many(MOVEMENT),),
        query=(
            CAMPAIGN_FILTER,
            STATION_FILTER,
            Field("item", "string", "Only lines of this item code.", max_length=32),
            enum_field("kind", MovementKind, "Only lines of this kind."),
            *DAY_FILTERS,
            *PAGE_PARAMETERS,
        ),
    ),
    Operation(
        "GET",
        "/stock-movements/{movement_id}",
        "getStockMovement",
        "One ledger line",
        "stock",
        get_movement,
        (one(MOVEMENT),),
    ),
    Operation(
        "POST",
        "/stock-movements",
        "createStockEntry",
        "Record a receipt, handout, loss, count or transfer",
        "stock",
        create_entry,
        (
            one(STOCK_ENTRY, status=201, description="The entry was recorded."),
            one(
                STOCK_ENTRY,
                status=200,
                description="This Idempotency-Key was seen before with the same entry: the "
                "original, nothing written.",
            ),
        ),
        description="Idempotent with the `Idempotency-Key` header, so a client may retry "
        "after a lost answer. A handout larger than the stock on record is accepted and "
        "flagged (`discrepancy`).",
        headers=(IDEMPOTENCY_KEY,),
        body=STOCK_ENTRY_BODY,
        change=True,
        errors=(400, 401, 403, 404),
    ),
    Operation(
        "GET",
        "/campaigns/{campaign_id}/report",
        "getCampaignReport",
        "A campaign's report",
        "reports",
        get_report,
        (
            Answer(
                200,
                "The report.",
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["data"],
                    "properties": {"data": {"$ref": "#/components/schemas/CampaignReport"}},
                },
            ),
        ),
        description="The totals, per reporting unit (`unit_totals`), per day and per section, "
        "whatever the number of stations; `stations` is one page of the stations' own figures, "
        "by id (`limit`, `cursor`), the next page at `stations_next`. Every station at once "
        "is in the report's XLSX and CSV files.",
        query=PAGE_PARAMETERS,
    ),
)
