"""argparse's own words (``usage:``, ``options``, its error messages) in the reader's language.

argparse looks its messages up through the module-level ``_`` and ``ngettext`` it took from
:mod:`gettext`, which only read compiled ``.mo`` files chosen by environment variables. Our
catalogs are ``.po`` files and the language is a command-line option, so while a parser is
built and parses, those two names point at our catalog instead. The msgids are argparse's
own format strings (``%s`` placeholders), translated in ``vocabulary.po``.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from collections.abc import Iterator, Sequence

from stations.enums import Language
from stations.i18n import gettext, ngettext, normalize_language

_LANGUAGES = {language.value for language in Language}
# Two threads parsing at once would otherwise restore each other's names.
_SWAP = threading.Lock()


def language_from_argv(argv: Sequence[str], default: str) -> str:
    """The language ``--lang`` asks for, before the parser exists: the last one given wins,
    as it does when argparse reads it; ``default`` when none (or no valid one) is given."""
    chosen = default
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif word.startswith("--lang="):
            value = word.removeprefix("--lang=")
        else:
            continue
        if value in _LANGUAGES:
            chosen = value
    return chosen


@contextlib.contextmanager
def argparse_speaking(language: str | Language) -> Iterator[None]:
    """Build parsers and parse inside this block for argparse to speak ``language``."""
    lang = normalize_language(language)

    def translated(message: str) -> str:
        return gettext(message, lang)

    def translated_plural(singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n, lang)

    with _SWAP:
        saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
        argparse._ = translated  # type: ignore[attr-defined]
        argparse.ngettext = translated_plural  # type: ignore[attr-defined]
        try:
            yield
        finally:
            argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
