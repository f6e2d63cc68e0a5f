"""Supply units read right before a number, in both languages."""

from __future__ import annotations

import pytest

from stations.formatting import quantity_phrase, unit_for_count

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "bottle"), (-1, "bottle"), (0, "bottles"), (50, "bottles"), (None, "bottles")],
)
def test_english_units_agree_with_the_number(count, expected):
    assert unit_for_count("chai", "bottle", "en", count) == expected


@pytest.mark.parametrize("count", [1, 50, None])
def test_vietnamese_units_never_change(count):
    assert unit_for_count("chai", "bottle", "vi", count) == "chai"


def test_irregular_and_empty_english_units():
    assert unit_for_count("hộp", "box", "en", 3) == "boxes"
    assert unit_for_count("", "", "en", 3) == ""


@pytest.mark.parametrize(
    ("quantity", "unit", "name", "language", "expected"),
    [
        ("30", "khăn", "Khăn lạnh", "vi", "30 khăn lạnh"),
        ("250", "chai", "Nước suối", "vi", "250 chai nước suối"),
        ("1.500", "tờ", "Tờ rơi an toàn giao thông", "vi", "1.500 tờ rơi an toàn giao thông"),
        ("12", "lít", "Xăng", "vi", "12 lít xăng"),
        ("30", "towels", "Cold towel", "en", "Cold towel 30 towels"),
    ],
)
def test_quantity_phrase_reads_number_unit_item_without_repeating_the_unit(
    quantity, unit, name, language, expected
):
    assert quantity_phrase(quantity, unit, name, language) == expected
