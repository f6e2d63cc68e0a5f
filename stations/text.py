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


_VOWELS = frozenset("aeiouy")
#: Telex keys that mark a tone (s f r x j) or clear one (z): no Vietnamese syllable has
#: these letters after its first vowel, so there they are keystrokes, not letters.
_TONE_KEYS = frozenset("sfrxjz")
_ASCII_WORD = re.compile(r"[a-z]+")


def _telex_syllable(word: str) -> str:
    first_vowel = next((i for i, ch in enumerate(word) if ch in _VOWELS), None)
    if first_vowel is None:
        # "w" alone is ư in Telex ("nhw" → như); "dd" is đ.
        return word.replace("dd", "d").replace("w", "u")
    head = word[:first_vowel].replace("dd", "d").replace("w", "u")
    out: list[str] = []
    for ch in word[first_vowel:]:
        if ch in _TONE_KEYS:
            continue
        if ch == "w":
            # aw → ă, ow → ơ, uw → ư: the mark after a vowel; alone it is ư.
            if not out or out[-1] not in _VOWELS:
                out.append("u")
            continue
        if out and ch == out[-1] and ch in "aeo":
            continue  # aa → â, ee → ê, oo → ô
        out.append(ch)
    return head + "".join(out)


def fold_telex(text: str) -> str:
    """``fold`` of what Telex keystrokes would have typed, for text whose Telex input was
    off: "nuowcs" → "nuoc" (nước), "khawn" → "khan" (khăn), "xawng" → "xang" (xăng),
    "ddaay" → "day" (đây).

    Each word is read as one syllable: marks (aa aw ee oo ow uw w dd) and tone keys
    (s f r x j z after the first vowel) are removed as the keyboard would have turned them
    into diacritics, which ``fold`` then drops. Meant as a second try after ``fold``: an
    English word ("towels") reads differently through it.
    """
    return " ".join(
        _telex_syllable(word) if _ASCII_WORD.fullmatch(word) else word
        for word in fold(text).split(" ")
    )
