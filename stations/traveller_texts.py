"""How a public station reads to a traveller, in their language: the same words on the web
page and in the bot's answer."""

from __future__ import annotations

import datetime as dt

from stations.clock import VN_TZ
from stations.enums import Language
from stations.formatting import format_date, format_number
from stations.i18n import _, translate
from stations.services.opening_hours import OpenState, OpenStatus
from stations.services.queries.public_stations import PublicStation
from stations.services.station_services import STATION_SERVICES


def distance_label(metres: float | None, language: Language) -> str:
    """ "850 m away", "1,2 km away" (Vietnamese decimal comma), "42 km away"."""
    if metres is None:
        return ""
    if metres < 1000:
        return translate(_("{distance} m away"), language, distance=int(round(metres, -1)))
    km = round(metres / 1000, 1) if metres < 10_000 else round(metres / 1000)
    return translate(_("{distance} km away"), language, distance=format_number(km, language))


def state_label(
    station: PublicStation, state: OpenState, language: Language, now: dt.datetime
) -> str:
    """ "Open now, until 22:00", "Opens at 18:00", "Opens on 05/02/2027 at 06:00"."""
    today = now.astimezone(VN_TZ).date()
    if state.status is OpenStatus.OPEN:
        if station.opens_at is None or state.closes is None:
            return translate(_("Open now, round the clock"), language)
        return translate(_("Open now, until {time}"), language, time=state.closes.strftime("%H:%M"))
    if state.status is OpenStatus.LATER and state.opens is not None:
        if state.opens.date() == today:
            return translate(_("Opens at {time}"), language, time=state.opens.strftime("%H:%M"))
        return translate(
            _("Opens on {day} at {time}"),
            language,
            day=format_date(state.opens.date(), language),
            time=state.opens.strftime("%H:%M"),
        )
    return translate(_("Closed"), language)


def hours_label(station: PublicStation, language: Language) -> str:
    if station.opens_at is None or station.closes_at is None:
        return translate(_("Open round the clock"), language)
    return translate(
        _("Open {opens}–{closes} every day"),
        language,
        opens=station.opens_at.strftime("%H:%M"),
        closes=station.closes_at.strftime("%H:%M"),
    )


def services_label(station: PublicStation, language: Language) -> list[str]:
    return [translate(STATION_SERVICES[code], language) for code in station.offers]
