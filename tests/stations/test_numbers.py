"""The separators numbers are written with are Babel's CLDR data for our locales, kept as
constants so that writing a number does not load the locale data."""

from __future__ import annotations

import pytest
from babel.numbers import get_group_symbol, get_minus_sign_symbol

from stations.enums import Language
from stations.numbers import _LOCALES, SYMBOLS, format_number

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("language", list(Language))
def test_number_symbols_are_the_cldr_symbols_of_the_language(language):
    locale = _LOCALES[language]

    assert SYMBOLS[language] == (get_group_symbol(locale), get_minus_sign_symbol(locale))


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (1_000_000, "vi", "1.000.000"),
        (1_000_000, "en", "1,000,000"),
        (-1_500, "vi", "-1.500"),
        (999, "en", "999"),
    ],
)
def test_whole_numbers_are_grouped_for_the_reader(value, language, expected):
    assert format_number(value, language) == expected
