"""What volunteers report from the field through the bot, each in one transaction: several
handouts, receipts or counts in one message, and a check-in whose place could not be verified (the station
lead is told through the outbox).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import MovementKind
from stations.i18n import _
from stations.models import Assignment, Station, SupplyItem
from stations.services.actor import Actor
from stations.services.assignments import CheckInResult, check_in
from stations.services.errors import InvalidInput
from stations.services.inventory import LineEntry, StockChange, record_counts, record_lines
from stations.services.outbox import notify_volunteer
from stations.services.queries.bot import station_leads

MAX_LINES = 20

UNVERIFIED_WITH_DISTANCE = _(
    "{name} checked in at {station} {distance} m away from it, outside the check-in radius."
)
UNVERIFIED_WITHOUT_LOCATION = _("{name} checked in at {station} without sharing a location.")
UNVERIFIED_STATION_UNPLACED = _(
    "{name} checked in at {station}, which has no location on record, so the place could "
    "not be verified."
)


@dataclass(frozen=True)
class StockLine:
    item: SupplyItem
    quantity: int


#: What a volunteer can report for several items at once.
REPORTABLE_KINDS = frozenset(
    {MovementKind.HANDOUT, MovementKind.RECEIPT, MovementKind.COUNT_ADJUSTMENT}
)


async def record_stock_lines(
    station: Station,
    lines: Sequence[StockLine],
    *,
    kind: MovementKind,
    by: Actor,
    key_prefix: str | None = None,
) -> list[StockChange]:
    """Handouts, receipts or physical counts (``COUNT_ADJUSTMENT``: ``quantity`` is what was
    counted, 0 allowed) of several items: every line or none, results in the order given.
    With ``key_prefix`` each line's idempotency key is ``<prefix>:<item code>``, so a message
    delivered twice counts once."""
    if kind not in REPORTABLE_KINDS:
        raise InvalidInput(_("Volunteers report handouts, receipts and counts."), field="kind")
    if not lines or len(lines) > MAX_LINES:
        raise InvalidInput(_("Report 1 to {max} items at a time."), field="lines", max=MAX_LINES)
    codes = [line.item.code for line in lines]
    if len(set(codes)) != len(codes):
        raise InvalidInput(_("Name each item only once in one report."), field="lines")

    def key_of(line: StockLine) -> str | None:
        return f"{key_prefix}:{line.item.code}" if key_prefix else None

    entries = [LineEntry(line.item, line.quantity, key_of(line)) for line in lines]
    if kind is MovementKind.COUNT_ADJUSTMENT:
        return await record_counts(station, entries, by=by)
    return await record_lines(kind, station, entries, by=by)


async def check_in_and_report(
    assignment: Assignment,
    *,
    by: Actor,
    latitude: float | None = None,
    longitude: float | None = None,
) -> CheckInResult:
    """Check in (see ``check_in``); an unverified first check-in is told to the station's
    leads, once per assignment and lead, in the same transaction."""
    async with in_transaction():
        result = await check_in(assignment, by=by, latitude=latitude, longitude=longitude)
        if result.verified or result.already:
            return result
        checked = result.assignment
        station = checked.shift.station
        volunteer = checked.volunteer
        for lead in await station_leads(station, now=clock.now()):
            if lead.id == volunteer.id:
                continue
            if result.distance_m is not None:
                message = UNVERIFIED_WITH_DISTANCE
            elif latitude is None:
                message = UNVERIFIED_WITHOUT_LOCATION
            else:
                message = UNVERIFIED_STATION_UNPLACED
            await notify_volunteer(
                lead,
                kind="checkin_unverified",
                message=message,
                dedupe_key=f"checkin_unverified:{checked.id}:{lead.id}",
                expires_at=checked.shift.ends_at,
                name=volunteer.full_name,
                station=station.name,
                distance=result.distance_m,
            )
    return result
