"""Translations: English message ids, Vietnamese catalog, Vietnamese by default.

Catalogs are gettext ``.po`` files read with Babel at first use, so there is no compile
step to forget. Every ``.po`` file in ``locale/<lang>/LC_MESSAGES/`` is read and merged,
one file per topic (``inventory.po``, ``bot.po``…), so topics do not fight over one file. Mark a string for extraction with ``_()`` where it is defined and
translate it with ``translate()`` where the reader's language is known.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.messages.pofile import read_po

from stations.enums import Language

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = Language.VI


def _(msgid: str) -> str:
    """Mark ``msgid`` for extraction; the text is translated later, for its reader."""
    return msgid


class Msgid(str):
    """A parameter value that is itself a message: ``translate`` translates it along with the
    message it fills, so an error raised before its reader is known can still name, say, a
    role in the reader's language."""

    __slots__ = ()


def N_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for extraction."""
    return singular, plural


@functools.cache
def _catalog(language: Language) -> dict[str, str | tuple[str, ...]]:
    translations: dict[str, str | tuple[str, ...]] = {}
    for path in sorted((LOCALE_DIR / language.value / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language.value)
        for message in catalog:
            if not message.id or message.fuzzy or not message.string:
                continue
            key = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
            string = message.string
            translations[str(key)] = (
                tuple(string) if isinstance(string, (tuple, list)) else str(string)
            )
    return translations


def normalize_language(code: str | Language | None) -> Language:
    """Our language for a user setting or a Telegram ``language_code`` ("en-US" → en)."""
    if isinstance(code, Language):
        return code
    if code:
        primary = code.replace("_", "-").split("-", 1)[0].lower()
        if primary == Language.EN.value:
            return Language.EN
        if primary == Language.VI.value:
            return Language.VI
    return DEFAULT_LANGUAGE


def gettext(msgid: str, language: str | Language | None) -> str:
    found = _catalog(normalize_language(language)).get(msgid)
    if isinstance(found, tuple):
        return found[0]
    return found or msgid


def ngettext(singular: str, plural: str, n: int, language: str | Language | None) -> str:
    lang = normalize_language(language)
    found = _catalog(lang).get(singular)
    if isinstance(found, tuple):
        # Vietnamese has one form; English keeps gettext's singular/plural pair.
        return found[0] if lang is Language.VI or n == 1 else found[min(1, len(found) - 1)]
    if isinstance(found, str):
        return found
    return singular if n == 1 else plural


#: Placeholders whose whole numbers are names, not amounts: a year, an id, a port, a line or
#: page number reads "2027", never "2.027".
VERBATIM_NUMBERS = frozenset(
    {"id", "ids", "chat_id", "year", "lunar_year", "first", "last", "port", "number", "line",
     "page", "pages", "version", "code"}
)  # fmt: skip


def _shown(name: str, value: object, language: Language) -> object:
    if isinstance(value, Msgid):
        return gettext(value, language)
    # An amount reads as its reader writes numbers ("1.000.000" / "1,000,000"); bool is an
    # int to Python only, and an enum member keeps its own text.
    if type(value) is int and name not in VERBATIM_NUMBERS:
        from stations.numbers import format_number  # stations.numbers imports this module

        return format_number(value, language)
    return value


def fill(text: str, language: str | Language | None, params: dict[str, object]) -> str:
    """``text`` (already translated) with its ``{placeholders}`` filled for ``language``:
    messages translated, amounts written as the reader writes numbers."""
    if not params:
        return text
    lang = normalize_language(language)
    return text.format(**{name: _shown(name, value, lang) for name, value in params.items()})


def translate(msgid: str, language: str | Language | None, /, **params: object) -> str:
    """``msgid`` in ``language`` with ``{placeholders}`` filled from ``params`` (see ``fill``)."""
    return fill(gettext(msgid, language), language, params)


def translate_plural(
    singular: str, plural: str, n: int, language: str | Language | None, /, **params: object
) -> str:
    """The form of ``singular``/``plural`` for ``n``, filled like ``translate``."""
    return fill(ngettext(singular, plural, n, language), language, params)
