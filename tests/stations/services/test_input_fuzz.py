"""What people type and upload, fuzzed: pure functions answer or refuse with a typed error.

No database: phone numbers, roster files (random bytes, damaged and real workbooks, CSV
text of Vietnamese-looking rows in the encodings offices produce), accent folding and the
lunar calendar. Hypothesis shrinks a failure to a minimal input and prints it.

No deadlines: a slow CI machine, openpyxl or the first astronomy of a lunar year must not
turn a correct answer into a flaky failure. The run stays short through ``max_examples``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import string
import unicodedata

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from stations.calendar import lunar_to_solar, solar_to_lunar
from stations.services.errors import InvalidInput, StationsError
from stations.services.phones import normalize_phone
from stations.services.roster_import import parse_roster
from stations.text import fold

pytestmark = pytest.mark.unit

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ROSTER_FILENAMES = ["a.csv", "a.xlsx", "a.txt", "a"]

# -- Vietnamese text ---------------------------------------------------------------------

_TONES = ["", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]  # sắc huyền hỏi ngã nặng
_VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
_LOWER_LETTERS = sorted(
    {unicodedata.normalize("NFC", vowel + tone) for vowel in _VOWELS for tone in _TONES}
    | set("bcdđghklmnpqrstvx")
)
#: every letter of Vietnamese, upper and lower case, precomposed (NFC)
VIETNAMESE_LETTERS = "".join(_LOWER_LETTERS + [letter.upper() for letter in _LOWER_LETTERS])

vietnamese_words = st.text(alphabet=VIETNAMESE_LETTERS, min_size=1, max_size=8)
vietnamese_text = st.lists(
    st.tuples(vietnamese_words, st.sampled_from([" ", "  ", "\t", " \n "])), max_size=5
).map(lambda parts: "".join(word + gap for word, gap in parts))

# -- phone numbers -----------------------------------------------------------------------

phone_like = st.text(alphabet="0123456789０１２３４５６７８９ +-.()/\u3000", max_size=24)
#: the first two digits of Vietnam's mobile networks (after the 0)
MOBILE_PREFIXES = (
    "32 33 34 35 36 37 38 39 56 58 59 70 76 77 78 79 "
    "81 82 83 84 85 86 88 89 90 91 93 94 96 97 98 99"
)


@st.composite
def written_phones(draw: st.DrawFn) -> str:
    """A Vietnamese number as people write it: mostly real mobiles, in every usual form."""
    prefix = draw(st.sampled_from(["0", "+84", "84", "+84 ", "(+84) ", "0084 ", "+84 (0) ", ""]))
    network = draw(
        st.one_of(
            st.sampled_from(MOBILE_PREFIXES.split()),
            st.sampled_from(MOBILE_PREFIXES.split()),
            st.text(alphabet=string.digits, min_size=2, max_size=2),
        )
    )
    rest = draw(
        st.one_of(
            st.text(alphabet=string.digits, min_size=7, max_size=7),
            st.text(alphabet=string.digits, min_size=7, max_size=7),
            st.text(alphabet=string.digits, min_size=5, max_size=10),
        )
    )
    digits = network + rest
    separator = draw(st.sampled_from(["", " ", ".", "-"]))
    return prefix + separator.join([digits[:3], digits[3:6], digits[6:]])


def check_phone_answer(raw: object) -> None:
    try:
        normalized = normalize_phone(raw)  # type: ignore[arg-type]
    except InvalidInput as error:
        event("refused")
        assert error.field == "phone"
        return
    event("normalized")
    assert E164.match(normalized), normalized
    assert normalize_phone(normalized) == normalized


@settings(deadline=None)
@given(st.text())
def test_normalize_phone_of_any_text_is_e164_or_refused(raw):
    check_phone_answer(raw)


@settings(deadline=None)
@given(st.one_of(phone_like, written_phones()))
def test_normalize_phone_of_phone_like_text_is_e164_or_refused(raw):
    check_phone_answer(raw)


@settings(deadline=None)
@given(st.one_of(st.none(), st.integers(), st.binary(max_size=12), st.floats()))
def test_normalize_phone_of_a_non_text_is_refused(raw):
    with pytest.raises(InvalidInput) as caught:
        normalize_phone(raw)

    assert caught.value.field == "phone"


# -- roster files --------------------------------------------------------------------------


def check_roster_answer(data: bytes, filename: str) -> None:
    """A preview whose rows are usable, or a refusal with a typed error; nothing else."""
    try:
        preview = parse_roster(data, filename=filename)
    except StationsError as error:
        event(f"refused: {error.message[:40]}")
        return
    event(f"read: rows kept {bool(preview.rows)}, rows rejected {bool(preview.rejected)}")
    kept_lines = [row.line for row in preview.rows]
    phones = [row.phone for row in preview.rows]
    assert len(set(phones)) == len(phones)
    assert all(E164.match(phone) for phone in phones)
    assert all(row.full_name.strip() for row in preview.rows)
    assert set(kept_lines).isdisjoint(preview.rejected_lines)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=4096), filename=st.sampled_from(ROSTER_FILENAMES))
def test_parse_roster_of_random_bytes_answers_or_refuses(data, filename):
    check_roster_answer(data, filename)


@settings(deadline=None)
@given(
    data=st.binary(max_size=2048).map(lambda tail: b"PK\x03\x04" + tail),
    filename=st.sampled_from(ROSTER_FILENAMES),
)
def test_parse_roster_of_a_damaged_zip_answers_or_refuses(data, filename):
    check_roster_answer(data, filename)


HEADERS = [
    ["STT", "Họ và tên", "Số điện thoại", "Đơn vị", "Kỹ năng", "Ngôn ngữ"],
    ["Ho ten", "SDT"],
    ["Họ và tên đệm", "Tên", "Điện thoại di động", "Tổ chức"],
    ["DANH SÁCH TÌNH NGUYỆN VIÊN"],
]
roster_cells = st.one_of(
    vietnamese_text,
    st.from_regex(r"\A0[1-9][0-9]{8}\Z"),
    st.from_regex(r"\A\+84 ?9[0-9 ]{8,10}\Z"),
    st.text(alphabet=VIETNAMESE_LETTERS + ",;\t\"'\r\n\ufeff 0123456789", max_size=12),
    st.sampled_from(["", " ", "vi", "en", "EN", "sơ cứu, sửa xe", '"', '""', "\ufeff"]),
)
#: a row under the first header of ``HEADERS``, filled in as a coordinator would
plausible_rows = st.tuples(
    st.integers(1, 999).map(str),
    vietnamese_text,
    written_phones(),
    st.sampled_from(["", "CAX-HN", "Đoàn Thanh niên"]),
    st.sampled_from(["", "sơ cứu, sửa xe", "loa; dẫn đường"]),
    st.sampled_from(["", "vi", "en", "EN", "tiếng Anh", "fr"]),
).map(list)
roster_rows = st.lists(st.one_of(plausible_rows, st.lists(roster_cells, max_size=7)), max_size=12)


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    """CSV text as a spreadsheet writes it, or mangled by hand."""
    headers = draw(st.lists(st.sampled_from(HEADERS), max_size=2))
    rows = [*headers, *draw(roster_rows)]
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    if draw(st.booleans()):
        out = io.StringIO()
        terminator = draw(st.sampled_from(["\r\n", "\n"]))
        csv.writer(out, delimiter=delimiter, lineterminator=terminator).writerows(rows)
        return out.getvalue()
    # Joined by hand: stray quotes and delimiters inside cells stay unescaped.
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(delimiter.join(row) for row in rows)


def windows_1258(text: str) -> bytes:
    """Text as Vietnamese Windows saves it: tone marks as combining characters after a
    letter the code page holds (â, ư, …). UnicodeEncodeError for what it cannot hold."""
    encoded = []
    for character in text:
        parts = unicodedata.normalize("NFD", character)
        tones = "".join(part for part in parts if part in _TONES)
        letter = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONES))
        encoded.append((letter + tones).encode("cp1258"))
    return b"".join(encoded)


def encode_as_an_office_does(text: str, encoding: str) -> bytes:
    if encoding == "utf-8-sig":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if encoding == "utf-16":
        return text.encode("utf-16")  # with its BOM
    if encoding == "cp1258":
        return windows_1258(text)
    return text.encode(encoding)


@settings(max_examples=150, deadline=None)
@given(
    text=csv_texts(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1258"]),
    filename=st.sampled_from(["a.csv", "a.csv", "a.txt", "a.xlsx", "a"]),
)
def test_parse_roster_of_vietnamese_csv_answers_or_refuses(text, encoding, filename):
    try:
        data = encode_as_an_office_does(text, encoding)
    except UnicodeEncodeError:
        assume(False)  # a BOM inside a Windows-1258 file: no office writes that
    check_roster_answer(data, filename)


def test_parse_roster_of_generated_csv_finds_volunteers():
    """The CSV strategy above reaches the rows, not only the refusals of a bad file."""
    text = "Họ và tên;Số điện thoại\nNguyễn Thị Hoa;0912 345 678\n"

    preview = parse_roster(encode_as_an_office_does(text, "cp1258"), filename="a.csv")

    assert [(row.full_name, row.phone) for row in preview.rows] == [
        ("Nguyễn Thị Hoa", "+84912345678")
    ]


xlsx_cells = st.one_of(
    st.none(),
    roster_cells,
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=st.lists(st.sampled_from(HEADERS), max_size=2),
    rows=st.lists(st.one_of(plausible_rows, st.lists(xlsx_cells, max_size=7)), max_size=8),
    filename=st.sampled_from(["a.xlsx", "a.csv"]),
)
def test_parse_roster_of_a_real_workbook_answers_or_refuses(headers, rows, filename):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [*headers, *rows]:
        # openpyxl refuses control characters a cell cannot hold; Excel never writes them.
        sheet.append(
            [
                re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", cell) if isinstance(cell, str) else cell
                for cell in row
            ]
        )
    out = io.BytesIO()
    workbook.save(out)

    check_roster_answer(out.getvalue(), filename)


# -- accent folding ------------------------------------------------------------------------


@settings(deadline=None)
@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@settings(deadline=None)
@given(vietnamese_text)
def test_fold_of_vietnamese_is_lowercase_ascii_with_single_spaces(text):
    folded = fold(text)

    assert re.fullmatch(r"([a-z]+( [a-z]+)*)?", folded), folded
    assert fold(unicodedata.normalize("NFD", text)) == folded
    assert fold(text.upper()) == folded


def test_vietnamese_alphabet_of_these_tests_is_complete():
    """89 letters (12 vowels × 6 tones, 17 consonants), each one precomposed character."""
    assert (len(_LOWER_LETTERS), len(VIETNAMESE_LETTERS)) == (89, 178)
    assert set(fold(VIETNAMESE_LETTERS)) == set(string.ascii_lowercase) - set("fjwz")


# -- the lunar calendar --------------------------------------------------------------------

supported_days = st.dates(min_value=dt.date(1900, 2, 1), max_value=dt.date(2100, 12, 31))


@settings(max_examples=200, deadline=None)
@given(supported_days)
def test_solar_to_lunar_round_trips(day):
    lunar = solar_to_lunar(day)

    assert lunar_to_solar(lunar.year, lunar.month, lunar.day, leap=lunar.leap) == day


@settings(max_examples=200, deadline=None)
@given(supported_days.filter(lambda day: day < dt.date(2100, 12, 31)))
def test_solar_to_lunar_of_the_next_day_is_the_next_lunar_day(day):
    today, tomorrow = solar_to_lunar(day), solar_to_lunar(day + dt.timedelta(days=1))

    if tomorrow.day == 1:
        assert today.day in (29, 30)
        with pytest.raises(ValueError):  # the month has no more days
            lunar_to_solar(today.year, today.month, today.day + 1, leap=today.leap)
    else:
        assert (tomorrow.year, tomorrow.month, tomorrow.leap, tomorrow.day) == (
            today.year,
            today.month,
            today.leap,
            today.day + 1,
        )


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(1900, 2100),
    month=st.integers(1, 12),
    day=st.integers(1, 30),
    leap=st.booleans(),
)
def test_lunar_to_solar_round_trips_or_says_the_day_does_not_exist(year, month, day, leap):
    try:
        solar = lunar_to_solar(year, month, day, leap=leap)
    except ValueError:
        return

    lunar = solar_to_lunar(solar)
    assert (lunar.year, lunar.month, lunar.day, lunar.leap) == (year, month, day, leap)
