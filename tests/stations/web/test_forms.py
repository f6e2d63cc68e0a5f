"""Form parsing: typed values from what people type, translated errors for everything else."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.requests import Request

from stations.enums import NotificationStatus
from stations.services.errors import Conflict, InvalidInput
from stations.web import forms

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("-3", -3),
        ("+5", 5),
        ("0", 0),
        ("1000", 1000),
        ("1.000", 1000),
        ("1 000", 1000),
        ("1,000", 1000),
        ("2.400", 2400),
        ("300.000.000", 300_000_000),
        ("-1.500", -1500),
    ],
)
def test_parse_int_reads_whole_numbers_as_people_write_them(raw, expected):
    assert forms.parse_int(raw, "quantity") == expected


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("", "Hãy nhập một số nguyên."),
        ("  ", "Hãy nhập một số nguyên."),
        (None, "Hãy nhập một số nguyên."),
        ("abc", "“abc” không phải là số. Bạn hãy viết bằng chữ số, ví dụ 50 hoặc 1.000."),
        ("0x10", "“0x10” không phải là số. Bạn hãy viết bằng chữ số, ví dụ 50 hoặc 1.000."),
        ("١٢", "“١٢” không phải là số. Bạn hãy viết bằng chữ số, ví dụ 50 hoặc 1.000."),
        (
            "1.5",
            "“1.5” không phải là số nguyên: số lượng chỉ tính theo đơn vị nguyên, còn dấu "
            "chấm hay dấu phẩy chỉ dùng để tách hàng nghìn (1.000 hoặc 1,000 là một nghìn).",
        ),
        (
            "1.0000",
            "“1.0000” không phải là số nguyên: số lượng chỉ tính theo đơn vị nguyên, còn dấu "
            "chấm hay dấu phẩy chỉ dùng để tách hàng nghìn (1.000 hoặc 1,000 là một nghìn).",
        ),
        ("9" * 40, "Hãy nhập một số nguyên từ -2.147.483.647 đến 2.147.483.647."),
    ],
)
def test_parse_int_refuses_what_is_not_a_whole_number_and_says_why(raw, said):
    with pytest.raises(InvalidInput) as refused:
        forms.parse_int(raw, "quantity")

    assert refused.value.field == "quantity"
    assert refused.value.translated("vi") == said


def test_parse_int_keeps_within_bounds_and_says_them_as_the_reader_writes_numbers():
    with pytest.raises(InvalidInput) as refused:
        forms.parse_int("5000000000", "quantity", minimum=1, maximum=100_000)

    assert refused.value.translated("en") == "Enter a whole number from 1 to 100,000."
    assert refused.value.translated("vi") == "Hãy nhập một số nguyên từ 1 đến 100.000."


def test_parse_int_of_a_year_shows_its_bounds_as_years():
    with pytest.raises(InvalidInput) as refused:
        forms.parse_int("1999", "year", minimum=2000, maximum=2100, grouped=False)

    assert refused.value.translated("vi") == "Hãy nhập một số nguyên từ 2000 đến 2100."


def test_parse_int_default_bounds_fit_the_database():
    with pytest.raises(InvalidInput):
        forms.parse_int(str(2**31), "quantity")


@pytest.mark.parametrize(
    ("raw", "expected"), [("10.5", 10.5), ("10,5", 10.5), ("-3", -3.0), (".5", 0.5)]
)
def test_parse_float_takes_a_comma_as_the_decimal_mark(raw, expected):
    assert forms.parse_float(raw, "latitude") == expected


@pytest.mark.parametrize("raw", ["", "inf", "nan", "1e400", "1.2.3", "abc", "1,000.5"])
def test_parse_float_refuses_what_is_not_a_plain_number(raw):
    with pytest.raises(InvalidInput):
        forms.parse_float(raw, "latitude")


def test_parse_float_keeps_within_bounds():
    with pytest.raises(InvalidInput) as refused:
        forms.parse_float("91", "latitude", minimum=-90, maximum=90)

    assert refused.value.translated("en") == "Enter a number from -90 to 90."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2027-02-02", dt.date(2027, 2, 2)),
        ("02/02/2027", dt.date(2027, 2, 2)),
        ("1/5/2027", dt.date(2027, 5, 1)),
    ],
)
def test_parse_date_reads_iso_and_vietnamese_dates(raw, expected):
    assert forms.parse_date(raw, "day") == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2027-02-30", "This date does not exist."),
        ("31/04/2027", "This date does not exist."),
        ("2027/02/02", "Enter a date as DD/MM/YYYY."),
        ("tomorrow", "Enter a date as DD/MM/YYYY."),
        ("0001-01-01", "Enter a date between the years 2000 and 2100."),
        ("99999-01-01", "Enter a date as DD/MM/YYYY."),
    ],
)
def test_parse_date_refuses_impossible_dates(raw, message):
    with pytest.raises(InvalidInput) as refused:
        forms.parse_date(raw, "day")

    assert refused.value.translated("en") == message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("06:30", dt.time(6, 30)), ("7h05", dt.time(7, 5)), ("23:59", dt.time(23, 59))],
)
def test_parse_time_reads_times_of_day(raw, expected):
    assert forms.parse_time(raw, "starts") == expected


@pytest.mark.parametrize("raw", ["24:00", "12:60", "noon", "7", "", "-1:00"])
def test_parse_time_refuses_impossible_times(raw):
    with pytest.raises(InvalidInput):
        forms.parse_time(raw, "starts")


def test_parse_local_datetime_reads_vietnam_wall_clock_into_utc():
    moment = forms.parse_local_datetime("02/02/2027", "06:00", "starts")

    assert moment == dt.datetime(2027, 2, 1, 23, 0, tzinfo=dt.UTC)


def test_parse_choice_takes_only_the_enums_values():
    assert forms.parse_choice("failed", "status", NotificationStatus) is NotificationStatus.FAILED
    with pytest.raises(InvalidInput) as refused:
        forms.parse_choice("FAILED", "status", NotificationStatus)
    assert refused.value.translated("vi") == "Hãy chọn một mục trong danh sách."


@pytest.mark.parametrize("raw", ["", "0", "-1", "abc", "1.0", "99999999999", "²", str(2**31)])
def test_parse_id_refuses_anything_but_a_row_id(raw):
    with pytest.raises(InvalidInput):
        forms.parse_id(raw, "station")


def test_parse_id_reads_a_row_id():
    assert forms.parse_id(" 17 ", "station") == 17


def test_error_map_puts_the_message_beside_its_field_or_the_whole_form():
    assert forms.error_map(InvalidInput("Enter a number.", field="lat"), "vi") == {
        "lat": "Hãy nhập một số."
    }
    assert forms.error_map(Conflict("Enter a number."), "en") == {"__all__": "Enter a number."}


def _request(body: bytes, content_type: str) -> Request:
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)] or [b""]

    async def receive():
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", content_type.encode())],
        "query_string": b"",
    }
    return Request(scope, receive)


async def test_read_form_reads_once_and_keeps_the_first_of_repeated_fields():
    request = _request(b"a=1&a=2&b=%3Cx%3E", "application/x-www-form-urlencoded")

    first = await forms.read_form(request)
    again = await forms.read_form(request)
    everything = await forms.read_form_data(request)

    assert first == {"a": "1", "b": "<x>"} and again is first
    assert everything.getlist("a") == ["1", "2"]


async def test_read_form_refuses_a_body_over_two_megabytes_even_without_a_length():
    request = _request(b"a=" + b"x" * (2 * 1024 * 1024), "application/x-www-form-urlencoded")

    with pytest.raises(forms.BodyTooLarge) as refused:
        await forms.read_form(request)

    assert refused.value.status_code == 413


def test_text_is_empty_for_missing_fields():
    assert forms.text({"a": "x"}, "b") == ""


def test_parse_float_with_one_bound_says_only_that_bound():
    with pytest.raises(InvalidInput) as too_small:
        forms.parse_float("-1", "radius", minimum=0)
    with pytest.raises(InvalidInput) as too_large:
        forms.parse_float("11", "radius", maximum=10)

    assert too_small.value.translated("en") == "Enter a number of at least 0."
    assert too_large.value.translated("vi") == "Hãy nhập một số không lớn hơn 10."
