"""Travellers rate a station from its QR code: stars, what they received, a short comment.

Nobody signs in, so abuse is held off by what the answer carries: the web adapter's CSRF
token and signed browser cookie, and here one answer per browser, station and Vietnam-local
day (also a unique key, so two tabs racing store one), at most ``MAX_PER_ADDRESS`` answers
per client address in ``ADDRESS_WINDOW`` (mobile networks put many phones behind one
address, hence a generous number), a honeypot field people never see, and plain-text
comments of at most ``MAX_COMMENT_LENGTH`` characters. A refused answer stores nothing.

The address is kept only as a keyed digest (``address_digest``), enough to count answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations.clock import VN_TZ
from stations.i18n import _
from stations.models import Station, StationFeedback
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import Conflict, InvalidInput, NotFound, StationsError
from stations.services.station_services import (
    check_station_services,
    services_of,
    stored_services,
)
from stations.services.validation import check_whole_number
from stations.text import clean

MAX_COMMENT_LENGTH = 500
ADDRESS_WINDOW = dt.timedelta(hours=1)
MAX_PER_ADDRESS = 30
BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")
#: Something that a browser would read as a tag: "<b", "</", "<!--", "<script".
_MARKUP = re.compile(r"<\s*[/!?A-Za-z]")

RATING_RANGE = _("Choose from {min} to {max} stars.")
COMMENT_TOO_LONG = _("A comment can be at most {max} characters.")
COMMENT_MARKUP = _("Write your comment as plain text, without < > tags.")
NOT_OFFERED = _("Tick only services this station offers.")
NOT_ACCEPTED = _("This answer could not be accepted. Reload the page and try again.")
STATION_GONE = _("This station is not taking answers.")
FEEDBACK_GONE = _("This answer no longer exists.")


class AlreadyRated(Conflict):
    code = "already_rated"

    def __init__(self) -> None:
        super().__init__(
            _("You have already rated this station today. Thank you — come back tomorrow!")
        )


class TooManyAnswers(StationsError):
    code = "rate_limited"
    http_status = 429

    def __init__(self) -> None:
        super().__init__(
            _("Too many answers have come from your connection. Please try again in an hour.")
        )


def address_digest(address: str | None, *, secret: str) -> str:
    """A keyed digest of the client address: counts answers without keeping the address."""
    digest = hmac.new(secret.encode(), (address or "unknown").encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _checked_comment(comment: object) -> str:
    text = clean(comment) if isinstance(comment, str) else ""
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidInput(COMMENT_TOO_LONG, field="comment", max=MAX_COMMENT_LENGTH)
    if _MARKUP.search(text):
        raise InvalidInput(COMMENT_MARKUP, field="comment")
    return text


async def record_feedback(
    station_id: int,
    *,
    rating: object,
    received: object,
    comment: object,
    browser: str,
    address_key: str,
    honeypot: str,
    now: dt.datetime,
) -> StationFeedback:
    """Store one traveller's answer for the station, or refuse it and store nothing."""
    if honeypot or not BROWSER_ID.fullmatch(browser):
        raise InvalidInput(NOT_ACCEPTED)
    stars = check_whole_number(rating, field="rating", minimum=1, maximum=5, message=RATING_RANGE)
    station = await Station.get_or_none(id=station_id)
    if station is None:
        raise NotFound(STATION_GONE, field="station")
    try:
        services = check_station_services(received)
    except InvalidInput:
        raise InvalidInput(NOT_OFFERED, field="received") from None
    if not set(services) <= set(services_of(station.offers)):
        raise InvalidInput(NOT_OFFERED, field="received")
    text = _checked_comment(comment)
    day = now.astimezone(VN_TZ).date()
    if await StationFeedback.exists(station_id=station.id, browser=browser, day=day):
        raise AlreadyRated()
    recent = await StationFeedback.filter(
        address_key=address_key, created_at__gt=now - ADDRESS_WINDOW
    ).count()
    if recent >= MAX_PER_ADDRESS:
        raise TooManyAnswers()
    try:
        return await StationFeedback.create(
            station_id=station.id,
            rating=stars,
            received=stored_services(services),
            comment=text,
            browser=browser,
            day=day,
            address_key=address_key,
            created_at=now,
        )
    except IntegrityError:
        # The same browser's other tab got there between our check and our insert.
        raise AlreadyRated() from None


async def already_rated(station_id: int, *, browser: str, now: dt.datetime) -> bool:
    """Whether this browser has answered for the station today."""
    if not BROWSER_ID.fullmatch(browser):
        return False
    day = now.astimezone(VN_TZ).date()
    return await StationFeedback.exists(station_id=station_id, browser=browser, day=day)


async def set_comment_hidden(feedback: StationFeedback, *, hidden: bool, by: Actor) -> None:
    """Hide a comment from coordinators' view (or show it again). The stars still count, so
    hiding a comment can never polish a station's figure."""
    async with in_transaction():
        updated = await StationFeedback.filter(id=feedback.id).update(comment_hidden=hidden)
        if not updated:
            raise NotFound(FEEDBACK_GONE, field="feedback")
        await record_event(
            by,
            "feedback.comment_hidden" if hidden else "feedback.comment_shown",
            object_type="station_feedback",
            object_id=feedback.id,
            data={"station_id": feedback.station_id},
        )
    feedback.comment_hidden = hidden
