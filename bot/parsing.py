"""Reading what volunteers type: quantities and "item quantity" lists like
``nuoc 50 khan lanh 30``. Parsing only: which item a word means is the catalog's call."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot import texts

# Something meant as a number: digits with signs, separators or an exponent ("-5", "1e9",
# "1.5", "1,000"). Words ("năm mươi") are not numbers: they read as item names.
_NUMBERISH = re.compile(r"^[+\-−]?[\d.,]*\d[\d.,]*([eE][+\-]?\d+)?$")
_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Problem:
    """Why a text could not be read; ``message`` has a ``{text}`` placeholder."""

    message: str
    text: str


@dataclass(frozen=True)
class ReportLine:
    words: str
    quantity: int


def _normalised(text: str) -> str:
    # Full-width digits and the like, from some phone keyboards, read as ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def looks_like_number(token: str) -> bool:
    return bool(_NUMBERISH.match(_normalised(token)))


def parse_quantity(text: str) -> int | Problem:
    """A whole number of at least 1 (its upper bound is the service's to check)."""
    raw = _normalised(text)
    shown = texts.shorten(text)
    if _DIGITS.match(raw):
        value = int(raw)
        if value == 0:
            return Problem(texts.NOT_POSITIVE, shown)
        return value
    if looks_like_number(raw):
        if raw[:1] in "-−":
            return Problem(texts.NOT_POSITIVE, shown)
        return Problem(texts.NOT_A_WHOLE_NUMBER, shown)
    return Problem(texts.NOT_A_NUMBER, shown)


def parse_count(text: str) -> int | Problem:
    """A physical count: a whole number of at least 0."""
    raw = _normalised(text)
    if raw == "0":
        return 0
    return parse_quantity(text)


def parse_report(
    args: list[str], *, reader: Callable[[str], int | Problem] = parse_quantity
) -> list[ReportLine] | Problem:
    """``["nuoc", "suoi", "50", "khan", "30"]`` → water 50, towel 30; numbers read by ``reader``."""
    lines: list[ReportLine] = []
    words: list[str] = []
    for token in args:
        if looks_like_number(token):
            if not words:
                return Problem(texts.MISSING_ITEM, texts.shorten(token))
            quantity = reader(token)
            if isinstance(quantity, Problem):
                return quantity
            lines.append(ReportLine(" ".join(words), quantity))
            words = []
        else:
            words.append(token)
    if words:
        return Problem(texts.MISSING_QUANTITY, texts.shorten(" ".join(words)))
    return lines
