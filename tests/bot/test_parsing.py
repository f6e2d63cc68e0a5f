"""Reading quantities and reports as volunteers type them."""

from __future__ import annotations

import pytest

from bot import texts
from bot.parsing import Problem, ReportLine, parse_count, parse_quantity, parse_report
from stations import numbers
from stations.text import fold

pytestmark = pytest.mark.unit

#: The units of the standard catalog, as ``CatalogIndex.is_unit`` knows them.
UNITS = {"chai", "khan", "phan", "goi", "lit", "to", "thung"}


#: How the items named below are counted, as ``CatalogIndex.names_counted_in`` knows it.
UNIT_OF = {"nuoc": "chai", "nuoc suoi": "chai", "khan": "khan", "khan lanh": "khan"}


def is_unit(word: str) -> bool:
    folded = fold(word)
    return folded in UNITS or folded.removesuffix("s") in UNITS


def counted_in(words: str, unit: str) -> bool:
    return UNIT_OF.get(fold(words)) == fold(unit)


def read(text: str):
    return parse_report(text, is_unit=is_unit, counted_in=counted_in)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50", 50),
        (" 7 ", 7),
        ("０５０", 50),  # full-width digits from some phone keyboards
        ("1.000", 1000),
        ("1,000", 1000),
        ("2.400", 2400),
        ("1 000", 1000),
        ("99999999999", 99999999999),  # the upper bound is the service's to check
        ("-5", Problem(texts.NOT_POSITIVE, "-5")),
        ("0", Problem(texts.NOT_POSITIVE, "0")),
        ("1.5", Problem(numbers.NOT_WHOLE, "1.5")),
        ("1e9", Problem(numbers.NOT_WHOLE, "1e9")),
        ("2,5", Problem(numbers.NOT_WHOLE, "2,5")),
        ("năm mươi", Problem(numbers.NOT_A_NUMBER, "năm mươi")),
        ("", Problem(numbers.NOT_A_NUMBER, "")),
    ],
)
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


def test_parse_count_takes_zero_and_refuses_negatives_with_the_counting_rule():
    assert (parse_count("0"), parse_count("1.500"), parse_count("-1")) == (
        0,
        1500,
        Problem(texts.NOT_NEGATIVE, "-1"),
    )


@pytest.mark.parametrize(
    "text",
    ["50 nuoc", "nuoc 50", "nuoc 50 chai", "50 chai nuoc", "nuoc chai 50", "nuoc 50 chai"],
)
def test_one_item_in_any_order_reads_the_same(text):
    (line,) = read(text)

    assert (line.quantity, fold(f"{line.words} {line.unit}").split()) in (
        (50, ["nuoc"]),
        (50, ["nuoc", "chai"]),
        (50, ["chai", "nuoc"]),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nuoc suoi 50 khăn 30", [ReportLine("nuoc suoi", 50), ReportLine("khăn", 30)]),
        ("50 chai nuoc, 30 khan", [ReportLine("chai nuoc", 50), ReportLine("khan", 30)]),
        ("nuoc 50 khăn lạnh 30", [ReportLine("nuoc", 50), ReportLine("khăn lạnh", 30)]),
        ("nuoc 50 thung", [ReportLine("nuoc", 50, "thung")]),
        ("nước 50, khăn 30", [ReportLine("nước", 50), ReportLine("khăn", 30)]),
        ("nước 50 chai khăn 30", [ReportLine("nước", 50, "chai"), ReportLine("khăn", 30)]),
        ("nước 50\nkhăn 30", [ReportLine("nước", 50), ReportLine("khăn", 30)]),
        ("nước 50 và khăn 30", [ReportLine("nước", 50), ReportLine("khăn", 30)]),
        ("nước 1.000; khăn 2 400", [ReportLine("nước", 1000), ReportLine("khăn", 2400)]),
        ("300.000.000 to", [ReportLine("to", 300_000_000)]),
        ("", []),
    ],
)
def test_parse_report_reads_several_items(text, expected):
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50", Problem(texts.MISSING_ITEM, "50")),
        ("nuoc", Problem(texts.MISSING_QUANTITY, "nuoc")),
        ("nuoc -5", Problem(texts.NOT_POSITIVE, "-5")),
        ("nuoc 50 khan", Problem(texts.MISSING_QUANTITY, "khan")),
        ("nuoc 50 30", Problem(texts.MISSING_ITEM, "30")),
        ("nuoc 1,5", Problem(numbers.NOT_WHOLE, "1,5")),
        ("nuoc 1.5", Problem(numbers.NOT_WHOLE, "1.5")),
    ],
)
def test_parse_report_problems(text, expected):
    # Without units known, "khan" after a number is an item still waiting for its number.
    assert parse_report(text) == expected


def test_a_unit_word_after_the_last_number_belongs_to_it_for_the_catalog_to_check():
    assert read("nuoc 50 khan") == [ReportLine("nuoc", 50, "khan")]


def test_long_input_is_shortened_in_answers():
    problem = parse_quantity("x" * 500)

    assert isinstance(problem, Problem) and len(problem.text) == 40
