"""One vocabulary: no Vietnamese translation in any catalog uses a variant docs/glossary.md
rejects (issue 11). Reads every .po file, so catalogs added later are held to it too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGS = sorted((ROOT / "stations" / "locale").glob("*/LC_MESSAGES/*.po"))


def rejected_variants() -> dict[str, str]:
    """Each checked rejected variant → the preferred term, from the glossary's table."""
    rejected: dict[str, str] = {}
    rows = [
        line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("| ")
    ]
    header, *body = rows
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    preferred_at, rejected_at = columns.index("Preferred (vi)"), columns.index("Rejected (checked)")
    for row in body:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for variant in cells[rejected_at].split(";"):
            if variant.strip():
                rejected[variant.strip()] = cells[preferred_at]
    return rejected


def _pattern(variant: str) -> re.Pattern[str]:
    # Whole words: "huỷ" is rejected, "hủy" is not; "dịch vụ" is, "dịch vụ…" inside a
    # longer word is not (Vietnamese words are separated by spaces and punctuation).
    return re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)", re.IGNORECASE)


def translations() -> list[tuple[str, str, str]]:
    found = []
    for path in CATALOGS:
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id:
                continue
            strings = (
                message.string if isinstance(message.string, (list, tuple)) else [message.string]
            )
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            for string in strings:
                if string:
                    found.append((path.name, str(msgid), str(string)))
    return found


def test_the_glossary_lists_rejected_variants():
    assert len(rejected_variants()) >= 10


def test_no_translation_uses_a_rejected_variant():
    patterns = {variant: _pattern(variant) for variant in rejected_variants()}
    offenders = [
        f"{catalog}: {msgid!r} uses “{variant}” (say “{rejected_variants()[variant]}”)"
        for catalog, msgid, string in translations()
        for variant, pattern in patterns.items()
        if pattern.search(string)
    ]

    assert offenders == []


@pytest.mark.parametrize(
    ("text", "variant", "found"),
    [
        ("Đã huỷ.", "huỷ", True),
        ("Đã hủy.", "huỷ", False),
        ("Địa chỉ E-mail", "e-mail", True),
        ("Đã có mặt hàng", "đã có mặt", True),
        ("Chưa có mặt hàng nào", "đã có mặt", False),
        ("xe mô tô", "xe mô tô", True),
        ("dịch vụ hôm nay", "dịch vụ", True),
    ],
)
def test_variants_are_matched_as_whole_words_in_any_case(text, variant, found):
    assert bool(_pattern(variant).search(text)) is found
