"""The report parser and the catalog's reading of it, fuzzed with hypothesis over what
volunteers type: random mixes of numbers in every notation, units, item names and aliases
with and without diacritics, Telex leftovers, separators and junk.

Whatever comes in: no exception; a report is only ever a list of lines each with a known
item and a whole quantity that the text itself wrote; text without digits is never a
report; numbers written for either language read back as themselves.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import texts
from bot.handlers.supplies.report_items import Resolved, resolve_report
from bot.parsing import Problem, parse_count, parse_quantity, parse_report
from stations import numbers
from stations.enums import SupplyCategory
from stations.models import SupplyItem
from stations.services.catalog import STANDARD_ITEMS, CatalogIndex

pytestmark = pytest.mark.unit

EXAMPLES = 1500


def _catalog() -> CatalogIndex:
    ids = itertools.count(1)
    items = [
        SupplyItem(
            id=next(ids),
            code=standard.code,
            name_vi=standard.name_vi,
            name_en=standard.name_en,
            unit_vi=standard.unit_vi,
            unit_en=standard.unit_en,
            category=standard.category,
            aliases=list(standard.aliases),
        )
        for standard in STANDARD_ITEMS
    ]
    items.append(
        SupplyItem(
            id=next(ids),
            code="raincoat",
            name_vi="Áo mưa",
            name_en="Raincoat",
            unit_vi="cái",
            unit_en="piece",
            category=SupplyCategory.OTHER,
            aliases=["ao mua"],
        )
    )
    return CatalogIndex.of(items)


INDEX = _catalog()

ITEM_WORDS = [
    "nước", "nuoc", "Nước suối", "nuoc suoi", "NƯỚC", "nước khoáng", "chai nước", "khăn",
    "khan", "khăn lạnh", "Khăn Lạnh", "bánh mì", "banh mi", "suất ăn", "cơm", "xăng",
    "xang dau", "lít xăng", "tờ", "tai lieu", "mì gói", "water", "towels", "áo mưa",
    "nuowcs", "khawn", "xawng", "banhs mif", "suaats awn", "cowm", "taif lieeuj",
    "nuoc suoii", "khna", "bia", "xe", "năm mươi", "Đ", "đ", "ư", "ơ", "ddaay",
]  # fmt: skip
UNIT_WORDS = ["chai", "khăn", "lít", "tờ", "gói", "phần", "thùng", "bottles", "hộp", "cái"]
NUMBERS = [
    "0", "1", "5", "50", "300", "1000", "1.000", "1,000", "2.400", "1 000", "300.000.000",
    "1.5", "2,5", "-1", "-1.500", "+7", "1e9", "０５０", "0.500", "12.34.567", "99999999999",
    "1" * 40, "−3",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", ",", "; ", "\n", " và ", " and ", " + "]
JUNK = st.text(
    alphabet="abcxyzđươăâêôơưáàảãạ0123456789 .,;-+<>&/_!?😀\n\u00a0", min_size=0, max_size=12
)

_DIGIT = re.compile(r"[0-9０-９]")


@st.composite
def typed(draw: st.DrawFn) -> str:
    """A message as people might type one: pieces of reports, in any order."""
    pieces = draw(
        st.lists(
            st.one_of(
                st.sampled_from(ITEM_WORDS),
                st.sampled_from(UNIT_WORDS),
                st.sampled_from(NUMBERS),
                st.integers(min_value=-(10**7), max_value=10**9).map(str),
                JUNK,
            ),
            min_size=0,
            max_size=12,
        )
    )
    glue = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(pieces), max_size=len(pieces)))
    return "".join(piece + sep for piece, sep in zip(pieces, glue, strict=True)).strip()


def _quantities_written_in(text: str) -> set[int]:
    """Every whole number some run of the text's tokens writes."""
    tokens = text.replace(",", " , ").replace(";", " ").split()
    found: set[int] = set()
    for size in (1, 2, 3, 4):
        for start in range(len(tokens)):
            value = numbers.read_whole_number(" ".join(tokens[start : start + size]))
            if isinstance(value, int):
                found.add(value)
    for token in text.split():
        for piece in re.split(r"[;\n]|(?<![0-9]),|,(?![0-9])", token):
            value = numbers.read_whole_number(piece)
            if isinstance(value, int):
                found.add(value)
    return found


def _check(text: str, *, count: bool) -> None:
    reader = parse_count if count else parse_quantity
    parsed = parse_report(
        text, reader=reader, is_unit=INDEX.is_unit, counted_in=INDEX.names_counted_in
    )
    if isinstance(parsed, Problem):
        assert "{text}" in parsed.message
        assert len(parsed.text) <= 40
        texts.render(parsed.message, "vi", text=parsed.text)  # fills without error
        return
    if not _DIGIT.search(unicodedata.normalize("NFKC", text)):  # "²" is a 2 to a phone
        assert parsed == []
        return
    written = _quantities_written_in(text)
    for line in parsed:
        assert isinstance(line.quantity, int)
        assert line.quantity >= (0 if count else 1)
        assert line.quantity in written, (line, text)
        assert line.words.strip()
        assert not numbers.looks_like_number(line.words)
    resolved = resolve_report(INDEX, parsed, "vi")
    if isinstance(resolved, str):
        assert resolved  # a refusal in words
        return
    assert isinstance(resolved, Resolved)
    if resolved.unknown is None:
        # What would be written: every line names a catalog item, once read again.
        for (item, quantity, words), line in zip(resolved.lines, parsed, strict=True):
            assert item is not None and item in INDEX.items
            assert INDEX.read(words, line.unit).item is item
            assert quantity == line.quantity
    else:
        INDEX.suggest(resolved.lines[resolved.unknown][2])  # never fails either


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed())
def test_reports_never_fail_and_never_hold_a_line_without_item_and_quantity(text):
    _check(text, count=False)


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(typed())
def test_counts_never_fail_and_never_go_below_zero(text):
    _check(text, count=True)


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(st.text(max_size=300))
def test_any_text_at_all_is_read_or_refused(text):
    _check(text, count=False)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["vi", "en"]))
def test_a_number_written_for_either_language_reads_back_as_itself(value, language):
    assert numbers.read_whole_number(numbers.format_number(value, language)) == value
