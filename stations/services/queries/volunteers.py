"""Finding volunteers: by name with or without diacritics, by phone, by Telegram account.

A name query matches the beginnings of the words of a name: "an" finds An and Anh, not Lan
or Toàn (a substring match found 844 of the demo's 1,500 volunteers for "an"). It reads the
stored ``search_name`` (folded: lower case, no diacritics, every form of đ as d), so both
databases compare plain ASCII-ish text with two ``LIKE`` patterns per word.
"""

from __future__ import annotations

import re

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from stations.i18n import _
from stations.models import Volunteer
from stations.services.phones import phone_or_none
from stations.services.validation import check_page
from stations.text import fold

MAX_LIMIT = 200
#: A query made only of these, with enough digits, is a piece of a phone number.
_PHONE_LIKE = re.compile(r"^\(?\+?[\d\s().\-]+$")
_MIN_PHONE_DIGITS = 3
#: What separates the words of a query ("Trần, Văn" is two words).
_QUERY_SEPARATORS = re.compile(r"[\s,;]+")


def _phone_digits(query: str) -> str | None:
    """The digits to look for in stored E.164 numbers, if ``query`` looks like a phone.

    A local "0912 345" has its trunk 0 dropped, so it matches "+84912345…".
    """
    if not _PHONE_LIKE.match(query):
        return None
    digits = re.sub(r"\D", "", query)
    if len(digits) < _MIN_PHONE_DIGITS:
        return None
    if digits.startswith("0") and not query.lstrip("(").startswith("+"):
        digits = digits[1:]
    return digits


def matching_volunteers(query: str, unit_id: int | None = None) -> QuerySet[Volunteer]:
    found = Volunteer.all()
    if unit_id is not None:
        found = found.filter(unit_id=unit_id)
    text = query.strip() if isinstance(query, str) else ""
    if not text:
        return found
    digits = _phone_digits(text)
    if digits is not None:
        return found.filter(phone__contains=digits)
    for word in name_query_words(text):
        found = found.filter(_name_has_word_starting(word))
    return found


def name_query_words(query: str) -> list[str]:
    """The folded words of a name query: "Ðặng  AN" → ["dang", "an"]."""
    return [word for word in _QUERY_SEPARATORS.split(fold(query)) if word]


def _name_has_word_starting(prefix: str) -> Q:
    """A stored folded name with a word that begins with ``prefix`` (words are separated by
    single spaces there)."""
    return Q(search_name__startswith=prefix) | Q(search_name__contains=f" {prefix}")


async def search_volunteers(
    query: str = "", *, unit_id: int | None = None, limit: int = 50, offset: int = 0
) -> list[Volunteer]:
    """Volunteers with a name word starting with each word of ``query`` (diacritics and
    case ignored), or whose phone holds its digits, in name order."""
    check_page(
        limit,
        offset,
        max_limit=MAX_LIMIT,
        too_many=_("Show between 1 and {max} volunteers at a time."),
    )
    return (
        await matching_volunteers(query, unit_id)
        .order_by("search_name", "id")
        .offset(offset)
        .limit(limit)
    )


async def count_volunteers(query: str = "", *, unit_id: int | None = None) -> int:
    """How many volunteers ``search_volunteers`` would find over all pages."""
    return await matching_volunteers(query, unit_id).count()


async def volunteer_by_id(volunteer_id: int) -> Volunteer | None:
    if isinstance(volunteer_id, bool) or not isinstance(volunteer_id, int):
        return None
    return await Volunteer.get_or_none(id=volunteer_id)


async def volunteer_by_phone(raw: str) -> Volunteer | None:
    """The volunteer with this phone, in any form people write it; None for no such
    volunteer or for text that is not a phone number."""
    phone = phone_or_none(raw)
    if phone is None:
        return None
    return await Volunteer.get_or_none(phone=phone)


async def volunteer_by_telegram_user(telegram_user_id: int) -> Volunteer | None:
    if isinstance(telegram_user_id, bool) or not isinstance(telegram_user_id, int):
        return None
    return await Volunteer.get_or_none(telegram_user_id=telegram_user_id)
