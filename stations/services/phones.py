"""Phone numbers as people write them, normalised to E.164 ("+84912345678").

Bare numbers are read as Vietnamese; a number written with "+<country code>" may be
foreign (foreign volunteers serve too). The ``phonenumbers`` metadata knows Vietnam's 2018
renumbering, so the retired 11-digit mobiles (0168…, 0169…) are refused, not guessed at.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberType

from stations.i18n import _
from stations.services.errors import InvalidInput

DEFAULT_REGION = "VN"
#: Longer than any real number written with generous spacing; beyond it we do not try.
MAX_RAW_LENGTH = 40

# What may appear around the digits. Letters are refused outright: phonenumbers would read
# "O912…" as "0912…" or "0912… ext 5" as an extension, and neither is a number to call.
_ALLOWED = re.compile(r"^\(?\+?[\d\s().\-/]*$")
# Numbers that reach a person; hotlines (1800/1900) and the like do not.
_PERSONAL_TYPES = frozenset(
    {
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.VOIP,
    }
)

PHONE_REQUIRED = _("Enter a phone number, e.g. 0912 345 678.")
PHONE_INVALID = _(
    "“{value}” is not a phone number we can use. Write a Vietnamese number like "
    "0912 345 678 or 024 3825 1234, or a foreign number with its country code, like +65 …"
)


def normalize_phone(raw: str) -> str:
    """The E.164 form of ``raw``: "0912.345.678", "+84 912 345 678", "84912345678" → "+84912345678".

    Raises ``InvalidInput`` (field "phone") for anything that is not a valid number of a
    person: empty, letters, too short or long, retired, or a hotline.
    """
    if not isinstance(raw, str):
        raise InvalidInput(PHONE_REQUIRED, field="phone")
    # NFKC turns full-width digits and spaces ("０９１２") into ASCII.
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise InvalidInput(PHONE_REQUIRED, field="phone")
    shown = text if len(text) <= MAX_RAW_LENGTH else text[:MAX_RAW_LENGTH] + "…"
    if len(text) > MAX_RAW_LENGTH or not _ALLOWED.match(text):
        raise InvalidInput(PHONE_INVALID, field="phone", value=shown)
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput(PHONE_INVALID, field="phone", value=shown) from None
    # A number of a known type is a valid one: number_type checks what is_valid_number does.
    if number.extension or phonenumbers.number_type(number) not in _PERSONAL_TYPES:
        raise InvalidInput(PHONE_INVALID, field="phone", value=shown)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_or_none(raw: str) -> str | None:
    """``normalize_phone(raw)``, or None where ``raw`` is not a usable number."""
    try:
        return normalize_phone(raw)
    except InvalidInput:
        return None


def format_phone_local(e164: str) -> str:
    """How a Vietnamese reader writes the number: "+84912345678" → "0912 345 678"."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
