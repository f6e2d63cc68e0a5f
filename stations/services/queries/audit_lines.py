"""The audit trail in words: "Đã đóng chiến dịch Tết Đinh Mùi 2027", who did it, and each
change as "field: before → after", in the reader's language.

An event stores a code (``campaign.closed``), the record's type and id, and JSON data. This
module names the record (one query per record type on the page, whatever the number of
events), says the action in a sentence and turns the data into short labelled values: dates
dd/mm/yyyy, numbers grouped, phones in national form, ids replaced by names where the page
already knows them. An action this module does not know is still shown, by its code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from stations.enums import ActorKind
from stations.formatting import format_date, format_number, format_time, format_window
from stations.i18n import Msgid, _, translate
from stations.models import (
    ApiToken,
    Assignment,
    AuditEvent,
    Campaign,
    Shift,
    Station,
    SupplyItem,
    Unit,
    User,
    Volunteer,
)
from stations.services.phones import format_phone_local

#: What an action did, with the record it did it to.
ACTIONS: Final[dict[str, str]] = {
    "api_token.create": _("Created the API token {record}"),
    "api_token.revoke": _("Revoked the API token {record}"),
    "assignment.assigned": _("Put {record} on a shift"),
    "assignment.reassigned": _("Changed the role of {record}"),
    "assignment.checked_in": _("Checked in {record}"),
    "assignment.checked_out": _("Checked out {record}"),
    "campaign.created": _("Created the campaign {record}"),
    "campaign.updated": _("Changed the campaign {record}"),
    "campaign.closed": _("Closed the campaign {record}"),
    "demo.loaded": _("Loaded the demo province"),
    "shift.created": _("Created the shift {record}"),
    "shift.updated": _("Changed the shift {record}"),
    "shift.cancelled": _("Cancelled the shift {record}"),
    "shift.pattern_generated": _("Created shifts from a pattern at {record}"),
    "station.created": _("Created the station {record}"),
    "station.updated": _("Changed the station {record}"),
    "stock.balances_rebuilt": _("Rebuilt the stock on hand from the ledger"),
    "stock.threshold_set": _("Set a low-stock threshold at {record}"),
    "stock.transfer": _("Transferred supplies from {record}"),
    "supply_item.created": _("Created the supply item {record}"),
    "supply_item.updated": _("Changed the supply item {record}"),
    "supply_item.installed": _("Added the standard supply items"),
    "unit.created": _("Created the unit {record}"),
    "unit.updated": _("Changed the unit {record}"),
    "user.create": _("Created the web login {record}"),
    "user.set_password": _("Changed the password of {record}"),
    "user.sign_out_everywhere": _("Signed {record} out on every device"),
    "volunteer.created": _("Added the volunteer {record}"),
    "volunteer.updated": _("Changed the volunteer {record}"),
    "volunteer.invite_created": _("Created a Telegram invite for {record}"),
    "volunteer.telegram_linked": _("Linked {record} to Telegram"),
    "volunteer.telegram_unlinked": _("Unlinked {record} from Telegram"),
    "volunteer.reachable": _("Marked {record} reachable again"),
    "volunteer.unreachable": _("Marked {record} unreachable on Telegram"),
    "volunteers.imported": _("Imported a roster"),
}

#: Labels of the fields events record, for "field: before → after".
FIELDS: Final[dict[str, str]] = {
    "name": _("name"),
    "code": _("code"),
    "full_name": _("full name"),
    "phone": _("phone"),
    "email": _("e-mail"),
    "role": _("role"),
    "reason": _("reason"),
    "unit_id": _("unit"),
    "station_id": _("station"),
    "from_station_id": _("from station"),
    "campaign_id": _("campaign"),
    "previous_campaign_id": _("previous campaign"),
    "item_id": _("supply item"),
    "volunteer_id": _("volunteer"),
    "shift_id": _("shift"),
    "starts_on": _("first day"),
    "ends_on": _("last day"),
    "starts_at": _("start"),
    "ends_at": _("end"),
    "start_date": _("first day"),
    "end_date": _("last day"),
    "budget_vnd": _("budget (VND)"),
    "address": _("address"),
    "latitude": _("latitude"),
    "longitude": _("longitude"),
    "radius_m": _("check-in radius (m)"),
    "opens_at": _("opens at"),
    "closes_at": _("closes at"),
    "needs": _("people needed"),
    "note": _("note"),
    "organisation": _("organisation"),
    "skills": _("skills"),
    "language": _("language"),
    "is_active": _("active"),
    "aliases": _("other names"),
    "telegram_user_id": _("Telegram account"),
    "expires_at": _("expires"),
    "filename": _("file"),
    "before": _("before"),
    "after": _("after"),
    "seed": _("seed"),
    "scale": _("scale"),
    "low_stock_threshold": _("low-stock threshold"),
    "kind": _("kind"),
    "status": _("status"),
    "sessions": _("sessions ended"),
}
#: Lists of ids shown as a count rather than the ids.
_ID_LISTS: Final = {"station_ids", "notified_assignment_ids", "cancelled_assignment_ids"}
#: Data no reader needs (a link token's id).
_HIDDEN: Final = {"link_token_id", "replaced"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_E164 = re.compile(r"\+\d{8,15}")
MAX_VALUE_CHARS: Final = 120
MAX_DETAILS: Final = 12

ACTOR_KIND_LABELS: Final[dict[ActorKind, Msgid]] = {
    ActorKind.USER: Msgid(_("web user")),
    ActorKind.VOLUNTEER: Msgid(_("volunteer (bot)")),
    ActorKind.API: Msgid(_("API token")),
    ActorKind.SYSTEM: Msgid(_("system")),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditLine:
    """One event as a person reads it."""

    event: AuditEvent
    who: str
    who_kind: str
    sentence: str
    changes: list[Change] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)


def action_label(action: str, language: str) -> str:
    """The action without its record, for the filter's list: "Closed the campaign"."""
    template = ACTIONS.get(action)
    if template is None:
        return action
    return translate(template, language, record="").replace("  ", " ").strip(" :")


async def audit_lines(events: Iterable[AuditEvent], language: str) -> list[AuditLine]:
    events = list(events)
    names = await _names(events, language)
    return [_line(event, names, language) for event in events]


# --- naming the records ------------------------------------------------------------------

Names = Mapping[tuple[str, int], str]

#: The ids an event's data may hold, and the record type each names.
_DATA_IDS: Final = {
    "station_id": "station",
    "from_station_id": "station",
    "campaign_id": "campaign",
    "previous_campaign_id": "campaign",
    "item_id": "supply_item",
    "unit_id": "unit",
    "volunteer_id": "volunteer",
    "shift_id": "shift",
}


async def _names(events: list[AuditEvent], language: str) -> dict[tuple[str, int], str]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        actor_type = _ACTOR_RECORDS.get(str(event.actor_kind))
        if actor_type is not None and event.actor_id is not None:
            wanted[actor_type].add(int(event.actor_id))
        if event.object_id is not None:
            wanted[event.object_type].add(int(event.object_id))
        data = event.data if isinstance(event.data, dict) else {}
        for key, record_type in _DATA_IDS.items():
            for value in _pair_or_value(data.get(key)):
                if isinstance(value, int) and not isinstance(value, bool):
                    wanted[record_type].add(value)
    names: dict[tuple[str, int], str] = {}
    for record_type, ids in wanted.items():
        for record_id, name in (await _names_of(record_type, sorted(ids), language)).items():
            names[(record_type, record_id)] = name
    return names


#: The record that names an actor of each kind (a person's name rather than an e-mail).
_ACTOR_RECORDS: Final = {
    ActorKind.USER.value: "user",
    ActorKind.VOLUNTEER.value: "volunteer",
}


def _pair_or_value(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


async def _names_of(record_type: str, ids: list[int], language: str) -> dict[int, str]:
    if record_type == "campaign":
        return dict(await Campaign.filter(id__in=ids).values_list("id", "name"))  # type: ignore[arg-type]
    if record_type == "station":
        rows = await Station.filter(id__in=ids).values_list("id", "code", "name")
        return {i: f"{code} · {name}" for i, code, name in rows}  # type: ignore[misc]
    if record_type == "unit":
        return dict(await Unit.filter(id__in=ids).values_list("id", "name"))  # type: ignore[arg-type]
    if record_type == "volunteer":
        return dict(await Volunteer.filter(id__in=ids).values_list("id", "full_name"))  # type: ignore[arg-type]
    if record_type == "user":
        rows = await User.filter(id__in=ids).values_list("id", "full_name", "email")
        return {i: full_name or email for i, full_name, email in rows}  # type: ignore[misc]
    if record_type == "api_token":
        return dict(await ApiToken.filter(id__in=ids).values_list("id", "name"))  # type: ignore[arg-type]
    if record_type == "supply_item":
        return {item.id: item.name(language) for item in await SupplyItem.filter(id__in=ids)}
    if record_type == "shift":
        shifts = await Shift.filter(id__in=ids).select_related("station")
        return {
            s.id: f"{s.station.name}, {format_window(s.starts_at, s.ends_at, language)}"
            for s in shifts
        }
    if record_type == "assignment":
        assignments = await Assignment.filter(id__in=ids).select_related(
            "volunteer", "shift__station"
        )
        return {
            a.id: f"{a.volunteer.full_name} ({a.shift.station.name}, "
            f"{format_window(a.shift.starts_at, a.shift.ends_at, language)})"
            for a in assignments
        }
    return {}


# --- one event -----------------------------------------------------------------------------


def _line(event: AuditEvent, names: Names, language: str) -> AuditLine:
    record = _record_name(event, names, language)
    template = ACTIONS.get(event.action)
    if template is None:
        sentence = f"{event.action} · {record}" if record else event.action
    else:
        sentence = translate(template, language, record=record or "—")
    data = event.data if isinstance(event.data, dict) else {}
    changes: list[Change] = []
    details: list[tuple[str, str]] = []
    if event.action.endswith(".updated"):
        # Some edits keep their pairs under "changed", beside other notes.
        nested = data.get("changed")
        pairs: dict[str, Any] = nested if isinstance(nested, dict) else data
        for key, pair in pairs.items():
            if isinstance(pair, list) and len(pair) == 2:
                before, after = (_value(key, side, names, language) for side in pair)
                changes.append(Change(_field_label(key, language), before, after))
            else:
                details.append((_field_label(key, language), _value(key, pair, names, language)))
    else:
        for key, value in data.items():
            if key in _HIDDEN:
                continue
            if isinstance(value, list) and len(value) == 2 and key in {"role", "before"}:
                before, after = (_value(key, side, names, language) for side in value)
                changes.append(Change(_field_label(key, language), before, after))
                continue
            details.append((_field_label(key, language), _value(key, value, names, language)))
    try:
        kind = translate(ACTOR_KIND_LABELS[ActorKind(event.actor_kind)], language)
    except ValueError:
        kind = str(event.actor_kind)
    actor_type = _ACTOR_RECORDS.get(str(event.actor_kind))
    name = (
        names.get((actor_type, int(event.actor_id)))
        if actor_type is not None and event.actor_id is not None
        else None
    )
    who = event.actor_label if not name or name == event.actor_label else name
    if name and name != event.actor_label and actor_type == "user":
        who = f"{name} ({event.actor_label})"
    return AuditLine(
        event=event,
        who=who,
        who_kind=kind,
        sentence=sentence,
        changes=changes,
        details=details[:MAX_DETAILS],
    )


def _record_name(event: AuditEvent, names: Names, language: str) -> str:
    if event.object_id is None:
        return ""
    found = names.get((event.object_type, int(event.object_id)))
    if found is not None:
        return found
    # A record since deleted, or a type without names: its kind and number.
    return f"{event.object_type.replace('_', ' ')} #{event.object_id}"


def _field_label(key: str, language: str) -> str:
    if key in _ID_LISTS:
        return translate(_("how many"), language) + f" ({key.removesuffix('_ids')})"
    label = FIELDS.get(key)
    return translate(label, language) if label else key.replace("_", " ")


def _value(key: str, value: Any, names: Names, language: str) -> str:
    text = _plain_value(key, value, names, language)
    return text if len(text) <= MAX_VALUE_CHARS else f"{text[: MAX_VALUE_CHARS - 1]}…"


def _plain_value(key: str, value: Any, names: Names, language: str) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return translate(_("yes") if value else _("no"), language)
    if key in _ID_LISTS and isinstance(value, list):
        return format_number(len(value), language)
    record_type = _DATA_IDS.get(key)
    if record_type is not None and isinstance(value, int):
        return names.get((record_type, value), f"#{value}")
    if isinstance(value, int | float):
        if key.endswith("_id") or key == "telegram_user_id":
            return str(value)
        return format_number(value, language)
    if isinstance(value, str):
        if _ISO_MOMENT.match(value):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            if moment.tzinfo is not None:
                return f"{format_time(moment)} {format_date(moment, language)}"
            return value
        if _ISO_DATE.fullmatch(value):
            return format_date(dt.date.fromisoformat(value), language)
        if _E164.fullmatch(value):
            return format_phone_local(value)
        return value
    if isinstance(value, list):
        return ", ".join(_plain_value(key, item, names, language) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(
            f"{inner}: {_plain_value(inner, item, names, language)}"
            for inner, item in value.items()
        )
    return str(value)
