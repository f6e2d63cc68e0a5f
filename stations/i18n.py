"""Translations: English message ids, Vietnamese catalog, Vietnamese by default.

Catalogs are gettext ``.po`` files read with Babel at first use, so there is no compile
step to forget. Every ``.po`` file in ``locale/<lang>/LC_MESSAGES/`` is read and merged,
one file per topic (``inventory.po``, ``bot.po``…), so topics do not fight over one file. Mark a string for extraction with ``_()`` where it is defined and
translate it with ``translate()`` where the reader's language is known.
"""

from __future__ import annotations

import functools
import json
import os
import zlib
from pathlib import Path

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


#: Parsed catalogs are kept here as JSON, named by a fingerprint of the ``.po`` files
#: (names, sizes, modification times): parsing them with Babel costs a command-line start
#: more than everything else it does, reading the JSON a millisecond.
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "waystation"

Translations = dict[str, str | tuple[str, ...]]


def _parse_catalog(paths: list[Path], language: Language) -> Translations:
    from babel.messages.pofile import read_po

    translations: Translations = {}
    for path in paths:
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


def _cache_path(paths: list[Path], language: Language) -> Path:
    # Two 32-bit checksums rather than a cryptographic hash: nobody forges a cache name, and
    # loading OpenSSL for hashlib costs the command-line start more than the whole lookup.
    listing = "".join(
        f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
        for path, stat in ((path, path.stat()) for path in paths)
    ).encode()
    fingerprint = f"{zlib.crc32(listing):08x}{zlib.adler32(listing):08x}"
    # Named for the checkout too: two checkouts (or installs) on one machine keep a cache
    # each instead of replacing each other's at every start.
    checkout = f"{zlib.crc32(str(LOCALE_DIR).encode()):08x}"
    return CACHE_DIR / f"catalog-{language.value}-{checkout}-{fingerprint}.json"


def _read_cached(path: Path) -> Translations | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict):
        return None
    return {
        str(key): tuple(value) if isinstance(value, list) else str(value)
        for key, value in stored.items()
    }


def _write_cached(path: Path, translations: Translations) -> None:
    """Best effort: a home without a writable cache only means parsing every start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(translations, ensure_ascii=False), encoding="utf-8")
        partial.replace(path)  # atomic: a parallel reader never sees half a file
        for stale in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.json"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        return


@functools.cache
def _catalog(language: Language) -> Translations:
    paths = sorted((LOCALE_DIR / language.value / "LC_MESSAGES").glob("*.po"))
    if not paths:
        return {}
    cache = _cache_path(paths, language)
    cached = _read_cached(cache)
    if cached is not None:
        return cached
    translations = _parse_catalog(paths, language)
    _write_cached(cache, translations)
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
