"""Text helpers for what people type: Vietnamese with or without diacritics."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, diacritics removed, spaces collapsed: "Nước  Suối" → "nuoc suoi".

    ``đ`` is a letter of its own, not ``d`` with a mark, so NFD does not split it.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def clean(text: str | None) -> str:
    """Trimmed, NFC-normalised text with inner runs of white space collapsed."""
    if text is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
