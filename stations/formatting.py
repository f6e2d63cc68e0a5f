"""How numbers, money, dates and times read in Vietnamese and English (shown in Vietnam time)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from stations.clock import VN_TZ
from stations.enums import Language
from stations.i18n import normalize_language
from stations.numbers import format_number, format_signed

if TYPE_CHECKING:
    from inflect import engine as InflectEngine

_LOCALES = {Language.VI: "vi_VN", Language.EN: "en_GB"}

__all__ = ["format_number", "format_signed"]  # re-exported: numbers are formatted here too


def _locale(language: str | Language | None) -> str:
    return _LOCALES[normalize_language(language)]


def format_vnd(amount: int, language: str | Language | None) -> str:
    return f"{format_number(amount, language)} ₫"


def format_date(day: dt.date | dt.datetime, language: str | Language | None) -> str:
    """02/02/2027 in both languages: the day-first form both audiences read."""
    if isinstance(day, dt.datetime):
        day = day.astimezone(VN_TZ).date()
    return day.strftime("%d/%m/%Y")


def format_day_name(day: dt.date, language: str | Language | None) -> str:
    """ "Thứ Ba, 02/02/2027" / "Tue 02/02/2027"."""
    from babel.dates import format_date as babel_format_date  # a tenth of a CLI start

    weekday = babel_format_date(
        day,
        "EEEE" if normalize_language(language) is Language.VI else "EEE",
        locale=_locale(language),
    )
    return f"{weekday[:1].upper()}{weekday[1:]}, {format_date(day, language)}"


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%H:%M")


def format_window(
    starts_at: dt.datetime, ends_at: dt.datetime, language: str | Language | None
) -> str:
    """ "06:00–10:00 02/02/2027", with the end's date too when the window crosses midnight."""
    start, end = starts_at.astimezone(VN_TZ), ends_at.astimezone(VN_TZ)
    if start.date() == end.date():
        return f"{format_time(start)}–{format_time(end)} {format_date(start, language)}"
    return (
        f"{format_time(start)} {format_date(start, language)} – "
        f"{format_time(end)} {format_date(end, language)}"
    )


def format_minutes(minutes: int, language: str | Language | None) -> str:
    """135 → "2 giờ 15 phút" / "2 h 15 min"."""
    hours, rest = divmod(max(0, minutes), 60)
    if normalize_language(language) is Language.VI:
        return f"{hours} giờ {rest:02d} phút" if hours else f"{rest} phút"
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


@functools.cache
def _english() -> InflectEngine:
    # inflect takes seconds to import (4 s and more on a busy machine): only the first
    # English plural pays for it, never a CLI command or a Vietnamese reply.
    from inflect import engine

    return engine()


def unit_for_count(
    unit_vi: str, unit_en: str, language: str | Language | None, count: int | None
) -> str:
    """A supply unit as it reads before ``count`` ("50 bottles", "1 towel"); ``None`` for a
    question ("How many bottles…"). Vietnamese nouns do not change with the number."""
    if normalize_language(language) is not Language.EN:
        return unit_vi
    if count is not None and abs(count) == 1:
        return unit_en
    return str(_english().plural_noun(unit_en)) if unit_en else unit_en


def unit_and_item(unit: str, name: str, language: str | Language | None) -> tuple[str, str]:
    """``{unit}`` and ``{item}`` for a message that writes "{quantity} {unit}{item}" in
    Vietnamese: the unit with its own trailing space, or nothing when the item's name begins
    with it, and the name in lower case ("chai ", "nước suối"; "", "khăn lạnh"). English
    keeps them as they are."""
    if normalize_language(language) is not Language.VI:
        return unit, name
    phrase = quantity_phrase("", unit, name, language)
    item = name[:1].lower() + name[1:]
    return phrase.removesuffix(item), item


def quantity_phrase(quantity: str, unit: str, name: str, language: str | Language | None) -> str:
    """A quantity of an item as a Vietnamese sentence says it: number, unit, item in lower
    case, the unit left out when the item's name begins with it ("30 khăn lạnh", "250 chai
    nước suối"), never "30 khăn Khăn lạnh". English keeps "Cold towel 30 towels".

    ``quantity`` is already formatted for the reader; empty, the phrase names what is
    counted ("bao nhiêu khăn lạnh").
    """
    if normalize_language(language) is not Language.VI:
        return f"{name} {quantity} {unit}".strip()
    item = name[:1].lower() + name[1:]
    first_word = item.split(" ", 1)[0]
    if unit and first_word.casefold() == unit.casefold():
        return f"{quantity} {item}".strip()
    return f"{quantity} {unit} {item}".replace("  ", " ").strip()
