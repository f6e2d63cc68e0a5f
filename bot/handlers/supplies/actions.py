"""What a volunteer reports about supplies — a handout, a count, a receipt: the station each
is for, and how its lines are written."""

from __future__ import annotations

from bot import texts
from bot.session import Speaker
from stations import clock
from stations.enums import MovementKind
from stations.models import Station, SupplyItem
from stations.services.field_reports import StockLine, record_stock_lines
from stations.services.inventory import StockChange
from stations.services.queries.bot import led_station, working_station

HANDOUT, COUNT, RECEIVE = "handout", "count", "receive"
ACTIONS = (HANDOUT, COUNT, RECEIVE)

_KINDS = {
    HANDOUT: MovementKind.HANDOUT,
    COUNT: MovementKind.COUNT_ADJUSTMENT,
    RECEIVE: MovementKind.RECEIPT,
}


async def station_for(action: str, speaker: Speaker) -> Station | None:
    assert speaker.volunteer is not None
    if action == RECEIVE:
        return await led_station(speaker.volunteer, now=clock.now())
    return await working_station(speaker.volunteer, now=clock.now())


def no_station_text(action: str, lang: str) -> str:
    return texts.render(texts.LEADS_ONLY if action == RECEIVE else texts.NO_STATION_NOW, lang)


async def write_lines(
    action: str,
    station: Station,
    lines: list[tuple[SupplyItem, int]],
    speaker: Speaker,
    *,
    key: str,
) -> list[StockChange]:
    """Every line or none, each keyed ``<key>:<item code>``: a report sent, pressed or
    delivered twice counts once."""
    return await record_stock_lines(
        station,
        [StockLine(item, quantity) for item, quantity in lines],
        kind=_KINDS[action],
        by=speaker.actor,
        key_prefix=key,
    )
