"""Text helpers for what people type: Vietnamese with or without diacritics."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

#: Every letter people type for Vietnamese đ: the proper U+0110/U+0111, and the look-alikes
#: keyboards and copied text bring in (Icelandic eth U+00D0/U+00F0, African D U+0189/U+0256).
#: None of them decomposes under NFD, so each is mapped to d by hand.
_D_LETTERS = str.maketrans(dict.fromkeys("ĐđÐðƉɖ", "d"))


def fold(text: str) -> str:
    """Lower-case, diacritics removed, spaces collapsed: "Nước  Suối" → "nuoc suoi".

    ``đ`` is a letter of its own, not ``d`` with a mark, so NFD does not split it; its
    look-alikes (``Ð`` U+00D0, ``Ɖ`` U+0189…) fold to ``d`` too. NFKD also turns full-width
    and other compatibility forms into plain letters.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_LETTERS))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def clean(text: str | None) -> str:
    """Trimmed, NFC-normalised text with inner runs of white space collapsed."""
    if text is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
