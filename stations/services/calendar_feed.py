"""A volunteer's private iCal feed of their shifts, for the calendar on their phone.

The feed's address carries a key instead of a sign-in, since calendar apps fetch it on
their own: HMAC-SHA256 of the volunteer's id under the app's secret key, so it cannot be
guessed, needs no table, and changes for everyone when the secret key is rotated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable

import icalendar

from stations import clock
from stations.enums import AssignmentStatus, Language, ShiftRole, ShiftStatus
from stations.i18n import _, translate
from stations.labels import ROLE_LABELS
from stations.models import Assignment, Volunteer
from stations.services.errors import NotFound

KEY_LENGTH = 32
#: Calendar apps keep old events themselves; the feed need not carry years of history.
HISTORY = dt.timedelta(days=365)
MAX_EVENTS = 1000
PRODUCT_ID = "-//Waystation//Volunteer shifts//VI"
#: Assignments the volunteer is not (or no longer) expected at stay out of the calendar.
_LEFT_OUT = (AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED)
NO_SUCH_CALENDAR = _("There is no calendar at this address.")


def calendar_key(secret_key: str, volunteer_id: int) -> str:
    """The private key in a volunteer's feed address."""
    digest = hmac.new(
        secret_key.encode("utf-8"), f"ical:{volunteer_id}".encode("ascii"), hashlib.sha256
    )
    return digest.hexdigest()[:KEY_LENGTH]


def calendar_key_matches(secret_key: str, volunteer_id: int, key: object) -> bool:
    """Whether ``key`` opens ``volunteer_id``'s feed, compared in constant time."""
    if not isinstance(key, str):
        return False
    expected = calendar_key(secret_key, volunteer_id).encode("ascii")
    return hmac.compare_digest(expected, key.encode("utf-8", errors="replace"))


def _summary(assignment: Assignment, language: Language) -> str:
    station = assignment.shift.station
    role = translate(ROLE_LABELS[ShiftRole(assignment.role)], language)
    return f"{station.name} · {role}"


def _event(assignment: Assignment, language: Language, stamp: dt.datetime) -> icalendar.Event:
    shift = assignment.shift
    station = shift.station
    event = icalendar.Event()
    # Stable per assignment, so a calendar app updates the event instead of adding one.
    event.add("uid", f"assignment-{assignment.id}@waystation")
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.starts_at.astimezone(dt.UTC))
    event.add("dtend", shift.ends_at.astimezone(dt.UTC))
    event.add("summary", _summary(assignment, language))
    if station.address:
        event.add("location", station.address)
    if station.latitude is not None and station.longitude is not None:
        event.add("geo", (station.latitude, station.longitude))
    if shift.note:
        event.add("description", shift.note)
    tentative = assignment.status == AssignmentStatus.ASSIGNED
    event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    event.add("last-modified", max(assignment.updated_at, shift.updated_at).astimezone(dt.UTC))
    return event


def build_calendar(
    volunteer: Volunteer, assignments: Iterable[Assignment], *, now: dt.datetime
) -> bytes:
    """The iCalendar text of ``assignments`` (shift and station loaded), one event each."""
    language = Language(volunteer.language)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add(
        "x-wr-calname", translate(_("Shifts of {name}"), language, name=volunteer.full_name)
    )
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for assignment in assignments:
        calendar.add_component(_event(assignment, language, now))
    return calendar.to_ical()


async def volunteer_calendar(volunteer_id: int, *, key: object, secret_key: str) -> bytes:
    """The feed of ``volunteer_id`` if ``key`` is theirs.

    A wrong key and an unknown volunteer raise the same ``NotFound``, so the address tells
    nobody which volunteers exist.
    """
    if not calendar_key_matches(secret_key, volunteer_id, key):
        raise NotFound(NO_SUCH_CALENDAR)
    volunteer = await Volunteer.get_or_none(id=volunteer_id)
    if volunteer is None:
        raise NotFound(NO_SUCH_CALENDAR)
    now = clock.now()
    assignments = (
        await Assignment.filter(
            volunteer_id=volunteer.id,
            shift__status=ShiftStatus.ACTIVE,
            shift__ends_at__gte=now - HISTORY,
        )
        .exclude(status__in=_LEFT_OUT)
        .select_related("shift__station")
        .order_by("shift__starts_at", "id")
        .limit(MAX_EVENTS)
    )
    return build_calendar(volunteer, assignments, now=now)
