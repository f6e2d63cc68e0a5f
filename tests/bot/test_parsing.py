"""Reading quantities and "item quantity" lists as volunteers type them."""

from __future__ import annotations

import pytest

from bot import texts
from bot.parsing import Problem, ReportLine, parse_count, parse_quantity, parse_report

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50", 50),
        (" 7 ", 7),
        ("０５０", 50),  # full-width digits from some phone keyboards
        ("99999999999", 99999999999),  # the upper bound is the service's to check
        ("-5", Problem(texts.NOT_POSITIVE, "-5")),
        ("0", Problem(texts.NOT_POSITIVE, "0")),
        ("1e9", Problem(texts.NOT_A_WHOLE_NUMBER, "1e9")),
        ("2,5", Problem(texts.NOT_A_WHOLE_NUMBER, "2,5")),
        ("năm mươi", Problem(texts.NOT_A_NUMBER, "năm mươi")),
        ("", Problem(texts.NOT_A_NUMBER, "")),
    ],
)
def test_parse_quantity(text, expected):
    assert parse_quantity(text) == expected


def test_parse_count_takes_zero():
    assert (parse_count("0"), parse_count("12")) == (0, 12)


def test_parse_report_groups_words_before_each_number():
    assert parse_report(["nuoc", "suoi", "50", "khăn", "30"]) == [
        ReportLine("nuoc suoi", 50),
        ReportLine("khăn", 30),
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["50"], Problem(texts.MISSING_ITEM, "50")),
        (["nuoc"], Problem(texts.MISSING_QUANTITY, "nuoc")),
        (["nuoc", "-5"], Problem(texts.NOT_POSITIVE, "-5")),
        (["nuoc", "50", "khan"], Problem(texts.MISSING_QUANTITY, "khan")),
    ],
)
def test_parse_report_problems(args, expected):
    assert parse_report(args) == expected


def test_long_input_is_shortened_in_answers():
    problem = parse_quantity("x" * 500)

    assert isinstance(problem, Problem) and len(problem.text) == 40
