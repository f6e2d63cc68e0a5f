"""What a station offers travellers, as coordinators tick it on the station form.

Stored on ``Station.offers`` as space-separated codes in the order of ``STATION_SERVICES``,
so a station's list always reads the same way on the page, in the bot and in open data.
"""

from __future__ import annotations

from collections.abc import Iterable

from stations.i18n import _
from stations.services.errors import InvalidInput

#: code → label (English msgid), in the order travellers read them.
STATION_SERVICES: dict[str, str] = {
    "water": _("Drinking water"),
    "cold_towels": _("Cold face towels"),
    "food": _("Food"),
    "fuel": _("Fuel"),
    "motorbike_check": _("Motorbike safety check"),
    "first_aid": _("First aid"),
    "rest": _("Rest and toilet"),
}

UNKNOWN_SERVICE = _("Choose services from the list only.")


def check_station_services(codes: object) -> tuple[str, ...]:
    """The known service codes among ``codes`` in catalogue order, or ``InvalidInput``."""
    if isinstance(codes, str):
        codes = codes.split()
    if not isinstance(codes, Iterable):
        raise InvalidInput(UNKNOWN_SERVICE, field="offers")
    chosen = set()
    for code in codes:
        if not isinstance(code, str) or code not in STATION_SERVICES:
            raise InvalidInput(UNKNOWN_SERVICE, field="offers")
        chosen.add(code)
    return tuple(code for code in STATION_SERVICES if code in chosen)


def stored_services(codes: Iterable[str]) -> str:
    """The column value for already checked ``codes``."""
    return " ".join(codes)


def services_of(stored: str) -> tuple[str, ...]:
    """The codes stored on a station, skipping any no longer in the catalogue."""
    present = set(stored.split())
    return tuple(code for code in STATION_SERVICES if code in present)
