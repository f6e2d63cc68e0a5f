"""Plain-text tables for a terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: combining marks take none, wide letters two."""
    width = 0
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1
    return width


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, right_aligned: Collection[int] = ()
) -> str:
    """Columns padded to their widest cell, a rule under the header, numbers on the right."""
    widths = [display_width(h) for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], display_width(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            _pad(cell, widths[i], right=i in right_aligned) for i, cell in enumerate(cells)
        ).rstrip()

    rule = "  ".join("─" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])
