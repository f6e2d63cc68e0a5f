"""Phone numbers in the forms Vietnamese people write them, and the ones we refuse."""

from __future__ import annotations

import pytest

from stations.i18n import translate
from stations.services.errors import InvalidInput
from stations.services.phones import format_phone_local, normalize_phone, phone_or_none

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0912-345-678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("(+84) 912345678", "+84912345678"),
        ("+840912345678", "+84912345678"),
        ("+84 (0) 912 345 678", "+84912345678"),
        ("0084 912 345 678", "+84912345678"),
        ("０９１２ ３４５ ６７８", "+84912345678"),  # full-width digits and space
        ("  0912345678 \t", "+84912345678"),
        ("912345678", "+84912345678"),  # the 0 Excel drops
        ("0321234567", "+84321234567"),  # 03x: the old 0162… Viettel range
        ("0561234567", "+84561234567"),
        ("0701234567", "+84701234567"),  # 07x: the old 0120… MobiFone range
        ("0812345678", "+84812345678"),
        ("0841234567", "+84841234567"),
        ("0961234567", "+84961234567"),
        ("024 3825 1234", "+842438251234"),  # a Hà Nội landline
        ("028 3823 4567", "+842838234567"),  # a Sài Gòn landline
        ("+65 9123 4567", "+6591234567"),  # a foreign volunteer, with a country code
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_normalize_phone_accepts_common_forms(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "01689123456",  # retired 11-digit mobile (renumbered in 2018)
        "0168 912 3456",
        "+841689123456",
        "0123",
        "091234567",  # one digit short
        "09123456789",  # one digit long
        "0912345678999",
        "abc",
        "O912345678",  # a letter O, not a zero
        "0912345678 ext 5",
        "0912345678;0987654321",  # two numbers in one cell
        "tel:+84912345678",
        "9.12346E+08",  # Excel's rounded scientific notation
        "1900 1234",  # a hotline reaches no one person
        "1900123456",
        "+999 12345",
        "+84 123",
        "0" * 50,
    ],
)
def test_normalize_phone_rejects_what_is_not_a_personal_number(raw):
    with pytest.raises(InvalidInput) as caught:
        normalize_phone(raw)

    assert caught.value.field == "phone"


@pytest.mark.parametrize("raw", [None, 912345678, b"0912345678"])
def test_normalize_phone_rejects_non_text(raw):
    with pytest.raises(InvalidInput) as caught:
        normalize_phone(raw)

    assert caught.value.field == "phone"


def test_normalize_phone_message_shows_the_value_and_a_valid_form_in_vietnamese():
    with pytest.raises(InvalidInput) as caught:
        normalize_phone("0168 912 3456")

    assert caught.value.params == {"value": "0168 912 3456"}
    assert caught.value.translated("vi") == (
        "“0168 912 3456” không phải là số điện thoại dùng được. Vui lòng ghi số Việt Nam dạng "
        "0912 345 678 hoặc 024 3825 1234, hoặc số nước ngoài kèm mã quốc gia, dạng +65 …"
    )


def test_normalize_phone_empty_asks_for_a_number():
    with pytest.raises(InvalidInput) as caught:
        normalize_phone("")

    assert (
        translate(caught.value.message, "vi") == "Vui lòng nhập số điện thoại, ví dụ 0912 345 678."
    )


def test_phone_or_none_returns_none_for_invalid_text():
    assert phone_or_none("not a phone") is None


def test_phone_or_none_returns_e164_for_a_valid_number():
    assert phone_or_none("0912 345 678") == "+84912345678"


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+84912345678", "0912 345 678"),
        ("+842438251234", "024 3825 1234"),
        ("+6591234567", "+65 9123 4567"),
    ],
)
def test_format_phone_local_writes_vietnamese_numbers_the_local_way(e164, shown):
    assert format_phone_local(e164) == shown
