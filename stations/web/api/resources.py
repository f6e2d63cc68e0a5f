"""What the API returns, declared once: each resource's fields carry their JSON Schema and
how to read them from a row, so the document and the answers are made from the same table.

Moments are ISO 8601 in Vietnam's time (``+07:00``); days are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stations.clock import local
from stations.enums import (
    AssignmentStatus,
    CampaignKind,
    CampaignPhase,
    CampaignStatus,
    DonationKind,
    ExpenseCategory,
    Force,
    Language,
    MovementKind,
    PartnerKind,
    ServiceKind,
    ShiftRole,
    ShiftStatus,
    Source,
    SupplyCategory,
)
from stations.models import StockMovement
from stations.services.inventory import StockChange


@dataclass(frozen=True)
class Out:
    """One field of an answer: name, schema, and how to read it."""

    name: str
    schema: dict[str, Any]
    read: Callable[[Any], Any]


@dataclass(frozen=True)
class Resource:
    name: str
    description: str
    fields: tuple[Out, ...]

    def schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "description": self.description,
            "additionalProperties": False,
            "required": [f.name for f in self.fields],
            "properties": {f.name: f.schema for f in self.fields},
        }

    def reference(self) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{self.name}"}

    def dump(self, row: Any) -> dict[str, Any]:
        return {f.name: f.read(row) for f in self.fields}


# -- schema pieces ------------------------------------------------------------------------


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema["type"]
    return {**schema, "type": [kind, "null"]}


ID = {"type": "integer", "minimum": 1}
INT = {"type": "integer"}
TEXT = {"type": "string"}
BOOL = {"type": "boolean"}
NUMBER = {"type": "number"}
DATE = {"type": "string", "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
CLOCK_TIME = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}


def _choice(choices: type[StrEnum]) -> dict[str, Any]:
    return {"type": "string", "enum": [c.value for c in choices]}


def _moment(value: dt.datetime | None) -> str | None:
    return None if value is None else local(value).isoformat()


def _day(value: dt.date) -> str:
    return value.isoformat()


def _clock_time(value: dt.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _value(enum_value: Any) -> str:
    return str(getattr(enum_value, "value", enum_value))


# -- resources ----------------------------------------------------------------------------

CAMPAIGN = Resource(
    "Campaign",
    "One holiday operation.",
    (
        Out("id", ID, lambda c: c.id),
        Out("name", TEXT, lambda c: c.name),
        Out("kind", _choice(CampaignKind), lambda c: _value(c.kind)),
        Out("year", INT, lambda c: c.year),
        Out("starts_on", DATE, lambda c: _day(c.starts_on)),
        Out("ends_on", DATE, lambda c: _day(c.ends_on)),
        Out("budget_vnd", _nullable(INT), lambda c: c.budget_vnd),
        Out("status", _choice(CampaignStatus), lambda c: _value(c.status)),
        Out("unit_id", _nullable(ID), lambda c: c.unit_id),
        Out("closed_at", _nullable(MOMENT), lambda c: _moment(c.closed_at)),
    ),
)

STATION = Resource(
    "Station",
    "A rest station of a campaign.",
    (
        Out("id", ID, lambda s: s.id),
        Out("campaign_id", ID, lambda s: s.campaign_id),
        Out("unit_id", ID, lambda s: s.unit_id),
        Out("code", TEXT, lambda s: s.code),
        Out("name", TEXT, lambda s: s.name),
        Out("address", TEXT, lambda s: s.address),
        Out("latitude", _nullable(NUMBER), lambda s: s.latitude),
        Out("longitude", _nullable(NUMBER), lambda s: s.longitude),
        Out("checkin_radius_m", INT, lambda s: s.checkin_radius_m),
        Out("opens_at", _nullable(CLOCK_TIME), lambda s: _clock_time(s.opens_at)),
        Out("closes_at", _nullable(CLOCK_TIME), lambda s: _clock_time(s.closes_at)),
        Out("lead_volunteer_id", _nullable(ID), lambda s: s.lead_id),
        Out("is_active", BOOL, lambda s: s.is_active),
    ),
)

NEEDS = {
    "type": "object",
    "description": "People needed per role.",
    "propertyNames": _choice(ShiftRole),
    "additionalProperties": {"type": "integer", "minimum": 0},
}

SHIFT = Resource(
    "Shift",
    "A time slot at a station and the people it needs per role.",
    (
        Out("id", ID, lambda s: s.id),
        Out("station_id", ID, lambda s: s.station_id),
        Out("campaign_id", ID, lambda s: s.station.campaign_id),
        Out("starts_at", MOMENT, lambda s: _moment(s.starts_at)),
        Out("ends_at", MOMENT, lambda s: _moment(s.ends_at)),
        Out("needs", NEEDS, lambda s: dict(s.needs)),
        Out("status", _choice(ShiftStatus), lambda s: _value(s.status)),
        Out("note", TEXT, lambda s: s.note),
    ),
)

VOLUNTEER = Resource(
    "Volunteer",
    "A person who serves at the stations.",
    (
        Out("id", ID, lambda v: v.id),
        Out("full_name", TEXT, lambda v: v.full_name),
        Out("phone", TEXT, lambda v: v.phone),
        Out("unit_id", _nullable(ID), lambda v: v.unit_id),
        Out("organisation", TEXT, lambda v: v.organisation),
        Out("force", _choice(Force), lambda v: _value(v.force)),
        Out("skills", {"type": "array", "items": TEXT}, lambda v: list(v.skills)),
        Out("language", _choice(Language), lambda v: _value(v.language)),
        Out("reachable", BOOL, lambda v: v.reachable),
        Out("telegram_linked", BOOL, lambda v: v.telegram_chat_id is not None),
    ),
)

ASSIGNMENT = Resource(
    "Assignment",
    "A volunteer on a shift, from assignment to check-out.",
    (
        Out("id", ID, lambda a: a.id),
        Out("shift_id", ID, lambda a: a.shift_id),
        Out("station_id", ID, lambda a: a.shift.station_id),
        Out("volunteer_id", ID, lambda a: a.volunteer_id),
        Out("role", _choice(ShiftRole), lambda a: _value(a.role)),
        Out("status", _choice(AssignmentStatus), lambda a: _value(a.status)),
        Out("checked_in_at", _nullable(MOMENT), lambda a: _moment(a.checked_in_at)),
        Out("checked_out_at", _nullable(MOMENT), lambda a: _moment(a.checked_out_at)),
        Out("checkin_verified", _nullable(BOOL), lambda a: a.checkin_verified),
        Out("checkin_distance_m", _nullable(INT), lambda a: a.checkin_distance_m),
        Out("worked_minutes", _nullable(INT), lambda a: a.worked_minutes),
    ),
)

ITEM = Resource(
    "SupplyItem",
    "A kind of supply.",
    (
        Out("id", ID, lambda i: i.id),
        Out("code", TEXT, lambda i: i.code),
        Out("name_vi", TEXT, lambda i: i.name_vi),
        Out("name_en", TEXT, lambda i: i.name_en),
        Out("unit_vi", TEXT, lambda i: i.unit_vi),
        Out("unit_en", TEXT, lambda i: i.unit_en),
        Out("category", _choice(SupplyCategory), lambda i: _value(i.category)),
        Out("unit_cost_vnd", INT, lambda i: i.unit_cost_vnd),
        Out("is_active", BOOL, lambda i: i.is_active),
    ),
)

MOVEMENT = Resource(
    "StockMovement",
    "One line of the append-only stock ledger.",
    (
        Out("id", ID, lambda m: m.id),
        Out("station_id", ID, lambda m: m.station_id),
        Out("campaign_id", ID, lambda m: m.station.campaign_id),
        Out("item", TEXT, lambda m: m.item.code),
        Out("kind", _choice(MovementKind), lambda m: _value(m.kind)),
        Out("quantity", INT, lambda m: m.quantity),
        Out("delta", INT, lambda m: m.delta),
        Out("counted_quantity", _nullable(INT), lambda m: m.counted_quantity),
        Out("counterpart_station_id", _nullable(ID), lambda m: m.counterpart_id),
        Out(
            "transfer_group",
            _nullable(TEXT),
            lambda m: None if m.transfer_group is None else str(m.transfer_group),
        ),
        Out("discrepancy", BOOL, lambda m: m.discrepancy),
        Out("source", _choice(Source), lambda m: _value(m.source)),
        Out("note", TEXT, lambda m: m.note),
        Out("outside_reason", TEXT, lambda m: m.outside_reason),
        Out("occurred_at", MOMENT, lambda m: _moment(m.occurred_at)),
        Out("recorded_at", MOMENT, lambda m: _moment(m.recorded_at)),
    ),
)

STOCK_LINE = Resource(
    "StockLine",
    "Stock on hand of one item at one station.",
    (
        Out("station_id", ID, lambda line: line.station.id),
        Out("item", TEXT, lambda line: line.item.code),
        Out("quantity", INT, lambda line: line.quantity),
        Out("threshold", _nullable(INT), lambda line: line.threshold),
        Out("low", BOOL, lambda line: line.low),
        Out("discrepancy_today", BOOL, lambda line: line.discrepancy_today),
    ),
)


@dataclass(frozen=True)
class StockEntry:
    """What one stock entry wrote: its line (two for a transfer) and the stock after it."""

    changes: tuple[StockChange, ...]
    #: the lines of ``changes`` read back with their station and item
    movements: tuple[StockMovement, ...]


STOCK_ENTRY = Resource(
    "StockEntry",
    "The ledger lines a stock entry wrote (two for a transfer), or found again for a "
    "repeated Idempotency-Key.",
    (
        Out(
            "movements",
            {"type": "array", "items": MOVEMENT.reference()},
            lambda e: [MOVEMENT.dump(movement) for movement in e.movements],
        ),
        Out(
            "balance_after",
            {**INT, "description": "Stock on record at the (first) station after the entry."},
            lambda e: e.changes[0].balance_after,
        ),
        Out("discrepancy", BOOL, lambda e: e.changes[0].discrepancy),
        Out("low_stock", BOOL, lambda e: e.changes[0].low_stock_crossed),
        Out("superseded", BOOL, lambda e: e.changes[0].superseded),
        Out("duplicate", BOOL, lambda e: e.changes[0].duplicate),
    ),
)

_TOTALS = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "stations",
        "units",
        "volunteer_turns",
        "worked_hours",
        "water_bottles",
        "cold_towels",
        "food_items",
        "fuel_litres",
        "leaflets",
        "motorbikes_checked",
        "broadcast_hours",
        "first_aid",
        "cost_vnd",
    ],
    "properties": {
        "stations": INT,
        "units": INT,
        "volunteer_turns": INT,
        "worked_hours": NUMBER,
        "water_bottles": INT,
        "cold_towels": INT,
        "food_items": INT,
        "fuel_litres": INT,
        "leaflets": INT,
        "motorbikes_checked": INT,
        "broadcast_hours": NUMBER,
        "first_aid": INT,
        "directions": INT,
        "repairs": INT,
        "cost_vnd": INT,
    },
}

_HOURS_ROW = {"turns": INT, "hours": NUMBER}
_FUNDS = {
    "type": ["object", "null"],
    "description": "Whole đồng; null in a report limited to a unit's stations.",
    "additionalProperties": False,
    "required": ["budget", "mobilised_cash", "mobilised_in_kind", "spent", "balance"],
    "properties": {
        name: INT for name in ("budget", "mobilised_cash", "mobilised_in_kind", "spent", "balance")
    },
}
_SECTIONS: dict[str, Any] = {
    "funds": _FUNDS,
    "forces": {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["force", "turns", "hours"],
            "properties": {"force": _choice(Force), **_HOURS_ROW},
        },
    },
    "units": {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["unit", "stations", "turns", "hours", "handouts", "services"],
            "properties": {
                "unit": TEXT,
                "stations": INT,
                **_HOURS_ROW,
                "handouts": INT,
                "services": INT,
            },
        },
    },
    "units_taking_part": INT,
    "units_total": INT,
    "partners": {
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "services", "donated"],
            "properties": {
                "name": TEXT,
                "services": {
                    "type": "object",
                    "description": "Quantity per service kind (loudspeaker in minutes).",
                    "propertyNames": _choice(ServiceKind),
                    "additionalProperties": INT,
                },
                "donated": INT,
            },
        },
    },
}

#: Travellers' ratings (``stations.services.queries.report_satisfaction``).
_SATISFACTION: dict[str, Any] = {
    "type": "object",
    "description": "Travellers' ratings by QR code: how many answered, their mean stars "
    "(1–5) and the share who gave 4 or 5 stars (0–1); null without answers.",
    "additionalProperties": False,
    "required": ["responses", "average", "satisfied_share"],
    "properties": {
        "responses": INT,
        "average": _nullable(NUMBER),
        "satisfied_share": _nullable(NUMBER),
    },
}

#: ``report_to_dict``'s shape (``stations.services.queries.reports``).
REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A campaign's totals in the provincial report's categories, per reporting "
    "unit (the units directly under the campaign's organising unit, or under a unit-scoped "
    "token's own unit), per Vietnam-local day, and for one page of stations. A unit-scoped "
    "token sees only its own stations' figures, totals included.",
    "additionalProperties": False,
    "required": [
        "campaign_id",
        "name",
        "kind",
        "status",
        "phase",
        "starts_on",
        "ends_on",
        "budget_vnd",
        "budget_remaining_vnd",
        "generated_at",
        "totals",
        "unit_totals",
        "stations",
        "stations_next_cursor",
        "stations_next",
        "days",
        *_SECTIONS,
        "satisfaction",
    ],
    "properties": {
        "campaign_id": ID,
        "name": TEXT,
        "kind": _choice(CampaignKind),
        "status": _choice(CampaignStatus),
        "phase": {
            **_choice(CampaignPhase),
            "description": "planning before the first day, running through the last, finished "
            "after it until the campaign is closed, closed.",
        },
        "starts_on": DATE,
        "ends_on": DATE,
        "budget_vnd": _nullable(INT),
        "budget_remaining_vnd": _nullable(INT),
        "generated_at": MOMENT,
        "totals": _TOTALS,
        "unit_totals": {
            "type": "array",
            "description": "The totals per reporting unit, most stations first: they add up "
            "to the report's totals, but for `units` (a partner may serve in several).",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["unit_id", "unit", "totals"],
                "properties": {"unit_id": ID, "unit": TEXT, "totals": _TOTALS},
            },
        },
        "stations_next_cursor": {
            "type": ["string", "null"],
            "description": "Pass as `cursor` for the next page of `stations`; null on the last.",
        },
        "stations_next": {
            "type": ["string", "null"],
            "description": "The address of the report with the next page of `stations`; "
            "null on the last.",
        },
        "stations": {
            "type": "array",
            "description": "One page of the stations (by id, `limit` of them after `cursor`): "
            "an inactive station is listed only with figures, so a page may be shorter.",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "station_id",
                    "code",
                    "name",
                    "unit_name",
                    "totals",
                    "satisfaction",
                ],
                "properties": {
                    "station_id": ID,
                    "code": TEXT,
                    "name": TEXT,
                    "unit_name": TEXT,
                    "totals": _TOTALS,
                    "satisfaction": _SATISFACTION,
                },
            },
        },
        "days": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["day", "totals"],
                "properties": {"day": DATE, "totals": _TOTALS},
            },
        },
        **_SECTIONS,
        "satisfaction": _SATISFACTION,
    },
}

PARTNER = Resource(
    "Partner",
    "Who works with a campaign from outside: a Head Honda centre, a sponsor, a radio station.",
    (
        Out("id", ID, lambda p: p.id),
        Out("campaign_id", ID, lambda p: p.campaign_id),
        Out("name", TEXT, lambda p: p.name),
        Out("kind", _choice(PartnerKind), lambda p: _value(p.kind)),
        Out("unit_id", _nullable(ID), lambda p: p.unit_id),
        Out("note", TEXT, lambda p: p.note),
    ),
)
DONATION = Resource(
    "Donation",
    "Money or supplies given to a campaign; in kind, the receipt line it came as.",
    (
        Out("id", ID, lambda d: d.id),
        Out("campaign_id", ID, lambda d: d.campaign_id),
        Out("kind", _choice(DonationKind), lambda d: _value(d.kind)),
        Out("donor", TEXT, lambda d: d.donor),
        Out("partner_id", _nullable(ID), lambda d: d.partner_id),
        Out("amount_vnd", INT, lambda d: d.amount_vnd),
        Out("received_on", DATE, lambda d: d.received_on.isoformat()),
        Out("movement_id", _nullable(ID), lambda d: d.movement_id),
        Out("note", TEXT, lambda d: d.note),
    ),
)
EXPENSE = Resource(
    "Expense",
    "Money spent on what is not stock.",
    (
        Out("id", ID, lambda e: e.id),
        Out("campaign_id", ID, lambda e: e.campaign_id),
        Out("category", _choice(ExpenseCategory), lambda e: _value(e.category)),
        Out("amount_vnd", INT, lambda e: e.amount_vnd),
        Out("spent_on", DATE, lambda e: e.spent_on.isoformat()),
        Out("receipt_number", TEXT, lambda e: e.receipt_number),
        Out("note", TEXT, lambda e: e.note),
    ),
)
RESOURCES: tuple[Resource, ...] = (
    CAMPAIGN,
    STATION,
    SHIFT,
    VOLUNTEER,
    ASSIGNMENT,
    ITEM,
    MOVEMENT,
    STOCK_LINE,
    STOCK_ENTRY,
    PARTNER,
    DONATION,
    EXPENSE,
)
