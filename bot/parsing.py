"""Reading what volunteers type: quantities, and reports as people say them —
``nuoc 50 khan 30``, ``50 nuoc``, ``50 chai nuoc, 30 khan``, ``nước 50 chai``.

Parsing only: which item a word means, and whether a unit word is that item's unit, is the
catalog's call (``CatalogIndex``). The parser asks which words are units, and whose, to
tell "nước 50 chai khăn 30" (50 bottles of water, 30 towels) from "nước 50 khăn lạnh 30".

The rules, for each part of a message (parts are split at a comma, a semicolon, a new line,
"và", "and", "+" or "&"):

- starting with a number: each number begins an item, ``50 chai nước 30 khăn`` (the
  catalog tells the unit "chai" from an item's name "khăn lạnh");
- starting with words: each number ends an item, and the word right after a number is its
  unit when it is that item's unit (``nước 50 chai khăn 30``) or a unit that ends the part
  (``nước 50 thùng``, refused by the catalog), else it begins the next item
  (``nước 50 khăn lạnh 30``);
- "1 000" is one number; a part with words and no number, or a number with no words, is
  refused with what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot import texts
from stations.numbers import NumberProblem, looks_like_number, read_whole_number
from stations.text import fold

#: Where one item of a report ends: ; or a new line, or a comma not between two digits (a
#: comma between digits is the number's: "1,000", or "1,5", refused as not whole).
_PART_BREAK = re.compile(r"[;\n]|(?<![0-9]),|,(?![0-9])")
_JOINERS = frozenset({"va", "and", "+", "&"})
_SHORT_GROUP = re.compile(r"[+\-−]?[0-9]{1,3}")
_THREE_DIGITS = re.compile(r"[0-9]{3}")


@dataclass(frozen=True)
class Problem:
    """Why a text could not be read; ``message`` has a ``{text}`` placeholder."""

    message: str
    text: str


@dataclass(frozen=True)
class ReportLine:
    #: the item as typed ("nuoc suoi")
    words: str
    quantity: int
    #: a unit word typed beside the number ("chai"), for the catalog to check; "" if none
    unit: str = ""


def _problem(problem: NumberProblem) -> Problem:
    return Problem(problem.message, texts.shorten(problem.text))


def parse_quantity(text: str) -> int | Problem:
    """A whole number of at least 1, written as people write it ("1.000" is one thousand);
    its upper bound is the service's to check."""
    value = read_whole_number(text)
    if isinstance(value, NumberProblem):
        return _problem(value)
    if value < 1:
        return Problem(texts.NOT_POSITIVE, texts.shorten(text))
    return value


def parse_count(text: str) -> int | Problem:
    """A physical count: a whole number of at least 0 (0 when none are left)."""
    value = read_whole_number(text)
    if isinstance(value, NumberProblem):
        return _problem(value)
    if value < 0:
        return Problem(texts.NOT_NEGATIVE, texts.shorten(text))
    return value


def _tokens(part: str) -> list[str]:
    """The words and numbers of ``part``, "1 000" joined into one number."""
    raw = part.split()
    tokens: list[str] = []
    index = 0
    while index < len(raw):
        token = raw[index]
        index += 1
        if _SHORT_GROUP.fullmatch(token):
            while index < len(raw) and _THREE_DIGITS.fullmatch(raw[index]):
                token = f"{token} {raw[index]}"
                index += 1
        tokens.append(token)
    return tokens


def _parts(text: str) -> list[list[str]]:
    parts: list[list[str]] = []
    for piece in _PART_BREAK.split(text):
        current: list[str] = []
        for token in _tokens(piece):
            if fold(token) in _JOINERS:
                parts.append(current)
                current = []
            else:
                current.append(token)
        parts.append(current)
    return [part for part in parts if part]


def parse_report(
    text: str,
    *,
    reader: Callable[[str], int | Problem] = parse_quantity,
    is_unit: Callable[[str], bool] = lambda word: False,
    counted_in: Callable[[str, str], bool] = lambda item, word: False,
) -> list[ReportLine] | Problem:
    """The items and quantities of ``text`` (see the module's rules), numbers read by
    ``reader``; an empty list for empty text. ``is_unit(word)``: ``word`` is some item's
    unit; ``counted_in(item words, word)``: ``word`` is the unit of the item so named."""
    lines: list[ReportLine] = []
    for part in _parts(text):
        read = _read_part(part, reader, is_unit, counted_in)
        if isinstance(read, Problem):
            return read
        lines.extend(read)
    return lines


def _read_part(
    tokens: list[str],
    reader: Callable[[str], int | Problem],
    is_unit: Callable[[str], bool],
    counted_in: Callable[[str, str], bool],
) -> list[ReportLine] | Problem:
    numeric = [looks_like_number(token) for token in tokens]
    if not any(numeric):
        return Problem(texts.MISSING_QUANTITY, texts.shorten(" ".join(tokens)))
    if numeric[0]:
        return _numbers_first(tokens, numeric, reader)
    return _words_first(tokens, numeric, reader, is_unit, counted_in)


def _numbers_first(
    tokens: list[str], numeric: list[bool], reader: Callable[[str], int | Problem]
) -> list[ReportLine] | Problem:
    """``50 chai nước 30 khăn``: each number begins an item, a unit word may follow it."""
    lines: list[ReportLine] = []
    index = 0
    while index < len(tokens):
        number = tokens[index]
        index += 1
        words: list[str] = []
        while index < len(tokens) and not numeric[index]:
            words.append(tokens[index])
            index += 1
        if not words:
            return Problem(texts.MISSING_ITEM, texts.shorten(number))
        quantity = reader(number)
        if isinstance(quantity, Problem):
            return quantity
        # "chai nước" or "khăn lạnh": whether the first word is a unit is the catalog's
        # call, which knows both the items and their units.
        lines.append(ReportLine(" ".join(words), quantity))
    return lines


def _words_first(
    tokens: list[str],
    numeric: list[bool],
    reader: Callable[[str], int | Problem],
    is_unit: Callable[[str], bool],
    counted_in: Callable[[str, str], bool],
) -> list[ReportLine] | Problem:
    """``nước 50 chai khăn 30``: each number ends an item, and the word after a number is
    its unit when it is that item's unit ("chai" for water), or any unit ending the part
    (for the catalog to refuse: "nước 50 thùng")."""
    lines: list[ReportLine] = []
    words: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if not numeric[index - 1]:
            words.append(token)
            continue
        if not words:
            return Problem(texts.MISSING_ITEM, texts.shorten(token))
        quantity = reader(token)
        if isinstance(quantity, Problem):
            return quantity
        unit = ""
        if index < len(tokens) and not numeric[index]:
            follower = tokens[index]
            part_ends = index + 1 == len(tokens)
            if (part_ends and is_unit(follower)) or counted_in(" ".join(words), follower):
                unit = follower
                index += 1
        lines.append(ReportLine(" ".join(words), quantity, unit))
        words = []
    if words:
        return Problem(texts.MISSING_QUANTITY, texts.shorten(" ".join(words)))
    return lines
