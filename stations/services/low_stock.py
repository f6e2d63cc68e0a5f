"""The low-stock alert: once per crossing of a station's threshold, to its lead(s) and the
coordinators' chat.

A *crossing* is the ledger line that took the stock from its threshold or more to below
it; the alert's dedupe key names that line (``low-stock:{station}:{item}:{line}:…``), so the
alert written right after the movement and the one the periodic sweep would write for the
same crossing are the same row. Stock that goes up and down again crosses again, and
alerts again.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Final

from stations.formatting import format_number
from stations.i18n import _, translate
from stations.models import Station, SupplyItem
from stations.services.alert_routing import alert_routing
from stations.services.outbox import enqueue_notification
from stations.services.queries.station_leads import station_leads

KIND: Final = "low_stock"
#: A low-stock alert no one could deliver within a day is old news.
EXPIRES_AFTER: Final = dt.timedelta(hours=24)

LOW_STOCK = _(
    "📦 <b>Low stock</b> at {station}: {item} is down to {quantity} {unit} "
    "(alert level {threshold}). Please send more or move stock from another station."
)


async def alert_low_stock(
    station: Station,
    item: SupplyItem,
    *,
    quantity: int,
    threshold: int,
    crossing_id: int,
    now: dt.datetime,
) -> int:
    """Queue the alert for this crossing to the station's lead(s) and the coordinators.

    Idempotent: the same crossing alerts each recipient once. Returns how many were queued.
    """
    key = f"{KIND}:{station.id}:{item.id}:{crossing_id}"
    queued = 0
    leads = (await station_leads([station.id], now=now)).get(station.id, [])
    for lead in leads:
        if lead.telegram_chat_id is None or not lead.reachable:
            continue
        await enqueue_notification(
            chat_id=lead.telegram_chat_id,
            volunteer=lead,
            kind=KIND,
            text=_text(station, item, quantity, threshold, lead.language),
            parse_mode="HTML",
            dedupe_key=f"{key}:v{lead.id}",
            due_at=now,
            expires_at=now + EXPIRES_AFTER,
        )
        queued += 1
    routing = alert_routing()
    if routing.coordinator_chat_id is not None:
        await enqueue_notification(
            chat_id=routing.coordinator_chat_id,
            kind=KIND,
            text=_text(station, item, quantity, threshold, routing.language),
            parse_mode="HTML",
            dedupe_key=f"{key}:coordinators",
            due_at=now,
            expires_at=now + EXPIRES_AFTER,
        )
        queued += 1
    return queued


def _text(station: Station, item: SupplyItem, quantity: int, threshold: int, language: str) -> str:
    return translate(
        LOW_STOCK,
        language,
        station=html.escape(station.name, quote=False),
        item=html.escape(item.name(language), quote=False),
        quantity=format_number(quantity, language),
        unit=html.escape(item.unit_label(language, quantity), quote=False),
        threshold=format_number(threshold, language),
    )
