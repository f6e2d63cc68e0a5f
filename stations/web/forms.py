"""Reading what a form sent: the body (bounded, read once), and typed values from its text.

Every parser raises ``InvalidInput`` naming the field, with a message to translate, so a
view re-renders the form with the person's own values and the error beside the field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from typing import TypeVar

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from stations.clock import VN_TZ
from stations.enums import Language
from stations.i18n import _
from stations.numbers import NOT_WHOLE, NumberProblem, read_whole_number
from stations.services.errors import InvalidInput, StationsError

MAX_FORM_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: A form of ours has a few dozen fields; thousands is an attack on the parser.
MAX_FIELDS = 1000
MAX_FILES = 5
#: Beyond any id a database of ours hands out (PostgreSQL's INTEGER).
MAX_ID = 2_147_483_647
#: Whole numbers people type (quantities, head-counts) stay within what the database holds.
MAX_WHOLE_NUMBER = 2_147_483_647

ALL_FIELDS = "__all__"

EnumT = TypeVar("EnumT", bound=StrEnum)

_DECIMAL = re.compile(r"[+-]?([0-9]{1,30}([.,][0-9]{0,15})?|[.,][0-9]{1,15})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_TIME = re.compile(r"([0-9]{1,2})[:hH]([0-9]{2})")


class BodyTooLarge(HTTPException):
    """A request body beyond what any of our forms sends (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413)
        self.limit = limit


def _is_upload(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


async def _read_bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise BodyTooLarge(limit)
    return bytes(received)


async def read_form_data(request: Request) -> FormData:
    """The whole parsed form (every value of a repeated field), read once per request."""
    cached = getattr(request.state, "form_data", None)
    if isinstance(cached, FormData):
        return cached
    limit = MAX_UPLOAD_BYTES if _is_upload(request) else MAX_FORM_BYTES
    body = await _read_bounded_body(request, limit)
    # Hand the bounded body back to Starlette's parser, which reads ``_body`` when present.
    request._body = body
    form = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS, max_part_size=limit)
    request.state.form_data = form
    return form


async def read_form(request: Request) -> dict[str, str | UploadFile]:
    """The form's fields by name (the first value of a repeated one), read once per request.

    Bodies over 2 MB (10 MB for file uploads) are refused with a 413 page."""
    cached = getattr(request.state, "form", None)
    if isinstance(cached, dict):
        return cached
    form = await read_form_data(request)
    values: dict[str, str | UploadFile] = {}
    for name, value in form.multi_items():
        values.setdefault(name, value)
    request.state.form = values
    return values


def text(form: dict[str, str | UploadFile], name: str) -> str:
    """A text field's value; "" when it is missing or a file was sent in its place."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def error_map(error: StationsError, language: str | Language | None) -> dict[str, str]:
    """``{field or "__all__": message}`` for showing an error beside its field."""
    return {error.field or ALL_FIELDS: error.translated(language)}


def _raw_text(raw: object) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def parse_int(
    raw: object,
    field: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    grouped: bool = True,
) -> int:
    """A whole number typed in a form, as people write it: "1000", "1.000", "1 000" and
    "1,000" are one thousand; "1.5" is refused with the reason (``stations.numbers``).

    ``grouped=False`` for a number that is a name, not an amount (a year): its bounds are
    shown as written, "2000", not "2.000", and a refusal does not explain thousands.
    """
    low = minimum if minimum is not None else -MAX_WHOLE_NUMBER
    high = maximum if maximum is not None else MAX_WHOLE_NUMBER
    value = _raw_text(raw)
    if not value:
        raise InvalidInput(_("Enter a whole number."), field=field)
    number = read_whole_number(value)
    if isinstance(number, NumberProblem):
        if not grouped:  # a year or a radius: no need to explain thousands
            raise InvalidInput(_("Enter a whole number."), field=field)
        raise InvalidInput(number.message, field=field, text=_quoted(number.text))
    if not low <= number <= high:
        bounds: dict[str, object] = {"min": low, "max": high}
        if not grouped:
            bounds = {"min": str(low), "max": str(high)}
        raise InvalidInput(_("Enter a whole number from {min} to {max}."), field=field, **bounds)
    return number


def _quoted(text: str, limit: int = 40) -> str:
    """What someone typed, cut to a length an error message can quote."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_quantity(
    raw: object, field: str, *, minimum: int, maximum: int, message: str | None = None
) -> int:
    """A quantity typed in a form (supplies, services, a count, a low-stock level): every
    form reads its quantities here. ``message``: the domain's own words for a refusal,
    formatted with ``min`` and ``max``; only a decimal ("1.5") keeps its own reason."""
    if message is None:
        return parse_int(raw, field, minimum=minimum, maximum=maximum)
    value = _raw_text(raw)
    number = read_whole_number(value) if value else None
    if isinstance(number, NumberProblem) and number.message == NOT_WHOLE:
        # "1.5": why it is no count says more than the range.
        return parse_int(raw, field, minimum=minimum, maximum=maximum)
    if not isinstance(number, int) or not minimum <= number <= maximum:
        raise InvalidInput(message, field=field, min=minimum, max=maximum)
    return number


def parse_float(
    raw: object, field: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A decimal number; a comma is taken as the decimal mark, as Vietnamese writes it."""
    value = _raw_text(raw)
    if not _DECIMAL.fullmatch(value):
        raise InvalidInput(_("Enter a number."), field=field)
    number = float(value.replace(",", "."))
    too_small = minimum is not None and number < minimum
    too_large = maximum is not None and number > maximum
    if not math.isfinite(number) or too_small or too_large:
        if minimum is not None and maximum is not None:
            raise InvalidInput(
                _("Enter a number from {min} to {max}."), field=field, min=minimum, max=maximum
            )
        if minimum is not None:
            raise InvalidInput(_("Enter a number of at least {min}."), field=field, min=minimum)
        raise InvalidInput(_("Enter a number of at most {max}."), field=field, max=maximum)
    return number


def parse_date(raw: object, field: str) -> dt.date:
    """A calendar date written YYYY-MM-DD (a date input) or DD/MM/YYYY (typed by hand)."""
    value = _raw_text(raw)
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DMY_DATE.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise InvalidInput(_("Enter a date as DD/MM/YYYY."), field=field)
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise InvalidInput(_("This date does not exist."), field=field) from None
    if not 2000 <= parsed.year <= 2100:
        raise InvalidInput(_("Enter a date between the years 2000 and 2100."), field=field)
    return parsed


def parse_time(raw: object, field: str) -> dt.time:
    """A time of day written HH:MM (or 7h30, as people write it)."""
    match = _TIME.fullmatch(_raw_text(raw))
    if not match:
        raise InvalidInput(_("Enter a time as HH:MM."), field=field)
    hour, minute = int(match.group(1)), int(match.group(2))
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise InvalidInput(_("This time does not exist."), field=field)
    return dt.time(hour, minute)


def parse_local_datetime(date_raw: object, time_raw: object, field: str) -> dt.datetime:
    """The moment a Vietnam wall-clock date and time stand for, in UTC."""
    day = parse_date(date_raw, field)
    moment = parse_time(time_raw, field)
    return dt.datetime.combine(day, moment, tzinfo=VN_TZ).astimezone(dt.UTC)


def parse_choice(raw: object, field: str, enum_cls: type[EnumT]) -> EnumT:
    """One of the values of ``enum_cls``, as a select sends it."""
    value = _raw_text(raw)
    for member in enum_cls:
        if member.value == value:
            return member
    raise InvalidInput(_("Choose an option from the list."), field=field)


def parse_id(raw: object, field: str) -> int:
    """The id of a row picked from a list."""
    value = _raw_text(raw)
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise InvalidInput(_("Choose an entry from the list."), field=field)
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise InvalidInput(_("Choose an entry from the list."), field=field)
    return number


def parse_optional(raw: object) -> str | None:
    """None for a field left empty, else its trimmed text (for optional parsers)."""
    value = _raw_text(raw)
    return value or None
