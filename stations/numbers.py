"""Whole numbers as people write and read them: "1.000", "1,000", "1 000" and "1000" are one
thousand; "1.5" is not a count. Shown back as the reader's language writes them
(Vietnamese 1.000.000, English 1,000,000).

A dot or a comma followed by exactly three digits groups thousands, in both languages: the
one reading that never misreads a quantity. Anything else with a dot or comma ("1.5",
"2,50", "1.000,5") is a decimal, which no count is; the reader is told why.

No I/O and no heavy imports: the bot reads a number on every update and the CLI starts
with this module.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

from stations.enums import Language
from stations.i18n import _, normalize_language

_LOCALES: Final = {Language.VI: "vi_VN", Language.EN: "en_GB"}

#: Spaces phones and spreadsheets put between groups: space, no-break and narrow no-break.
_SPACES: Final = " \u00a0\u202f"
_MINUS: Final = "-\u2212"  # hyphen-minus and the minus sign some keyboards type
_MAX_DIGITS: Final = 30
_PLAIN: Final = re.compile(r"[0-9]+")
#: 1 to 3 digits, then groups of exactly three after one kind of separator.
_GROUPED: Final = re.compile(
    r"[0-9]{1,3}(?:(?P<sep>[.,' \u00a0\u202f])[0-9]{3})(?:(?P=sep)[0-9]{3})*"
)
#: Something meant as a number: digits with signs, separators or an exponent ("-5", "1e9",
#: "1.5", "1,000"). Words ("năm mươi") are not numbers.
_NUMBERISH: Final = re.compile(
    r"[+\-\u2212]?[0-9.,' \u00a0\u202f]*[0-9][0-9.,' \u00a0\u202f]*([eE][+\-]?[0-9]+)?"
)

NOT_A_NUMBER: Final = _("“{text}” is not a number. Please write it in digits, like 50 or 1.000.")
NOT_WHOLE: Final = _(
    "“{text}” is not a whole number: quantities are counted in whole units, and a dot or a "
    "comma only separates thousands (1.000 or 1,000 is one thousand)."
)


class NumberProblem(NamedTuple):
    """Why a text is not a whole number: ``message`` takes ``{text}``."""

    message: str
    text: str


def _normalised(text: str) -> str:
    # Full-width digits, from some phone keyboards, read as ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def looks_like_number(text: str) -> bool:
    """Meant as a number, whether or not it is a whole one ("50", "1.5", "-3", "1e9")."""
    return _NUMBERISH.fullmatch(_normalised(text)) is not None


def read_whole_number(text: str) -> int | NumberProblem:
    """The whole number ``text`` writes, sign included ("-1.500" → -1500); the caller checks
    its range. A ``NumberProblem`` says why anything else is not one."""
    raw = _normalised(text)
    sign = 1
    body = raw
    if body[:1] in _MINUS:
        sign, body = -1, body[1:]
    elif body[:1] == "+":
        body = body[1:]
    digits = None
    if _PLAIN.fullmatch(body):
        digits = body
    elif _GROUPED.fullmatch(body) and not body.startswith("0"):
        digits = "".join(ch for ch in body if ch.isdigit())
    if digits is not None:
        # Beyond any range a caller checks; int() of thousands of digits is slow and refused.
        return sign * (int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS)
    if looks_like_number(raw):
        return NumberProblem(NOT_WHOLE, text.strip())
    return NumberProblem(NOT_A_NUMBER, text.strip())


#: (thousands separator, minus sign) of each language, as Babel's CLDR data has them for
#: ``_LOCALES`` (a test compares the two): loading that data costs a fifth of a CLI start.
SYMBOLS: Final[dict[Language, tuple[str, str]]] = {
    Language.VI: (".", "-"),
    Language.EN: (",", "-"),
}


def _symbols(language: Language) -> tuple[str, str]:
    return SYMBOLS[language]


def format_number(value: int | float, language: str | Language | None) -> str:
    """600000 → "600.000" in Vietnamese, "600,000" in English (decimals keep up to three
    places: 2.5 → "2,5" / "2.5")."""
    lang = normalize_language(language)
    if isinstance(value, int):
        group, minus = _symbols(lang)
        grouped = f"{abs(value):,}".replace(",", group)
        return f"{minus}{grouped}" if value < 0 else grouped
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_LOCALES[lang])


def format_signed(value: int, language: str | Language | None) -> str:
    """A change with its sign: +1.500, -1.500, 0."""
    shown = format_number(value, language)
    return f"+{shown}" if value > 0 else shown
