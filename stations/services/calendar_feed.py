"""A volunteer's private iCal feed of their shifts, for the calendar on their phone.

The feed's address carries a key instead of a sign-in, since calendar apps fetch it on
their own: a random secret per volunteer (``Volunteer.calendar_key``, 256 bits), so it
cannot be guessed, and a coordinator who fears it leaked gives the volunteer a new one,
which closes the old address at once (audited).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable

import icalendar
from tortoise.transactions import in_transaction

from stations import clock
from stations.enums import AssignmentStatus, Language, ShiftRole, ShiftStatus
from stations.i18n import _, translate
from stations.labels import ROLE_LABELS
from stations.models import Assignment, Volunteer
from stations.models.people import new_calendar_key
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.errors import NotFound

#: ``secrets.token_urlsafe(32)`` is 43 characters; a much longer key is nobody's.
MAX_KEY_LENGTH = 64
#: Calendar apps keep old events themselves; the feed need not carry years of history.
HISTORY = dt.timedelta(days=365)
MAX_EVENTS = 1000
PRODUCT_ID = "-//Waystation//Volunteer shifts//VI"
#: Assignments the volunteer is not (or no longer) expected at stay out of the calendar.
_LEFT_OUT = (AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED)
NO_SUCH_CALENDAR = _("There is no calendar at this address.")


def calendar_key_matches(volunteer: Volunteer, key: object) -> bool:
    """Whether ``key`` opens ``volunteer``'s feed, compared in constant time."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        return False
    expected = volunteer.calendar_key.encode("ascii")
    return bool(expected) and hmac.compare_digest(expected, key.encode("utf-8", errors="replace"))


async def regenerate_calendar_key(volunteer: Volunteer, *, by: Actor) -> Volunteer:
    """Give ``volunteer`` a new feed key: the old address stops working at once."""
    async with in_transaction():
        volunteer.calendar_key = new_calendar_key()
        await Volunteer.filter(id=volunteer.id).update(calendar_key=volunteer.calendar_key)
        # The key itself stays out of the audit log: it is a credential.
        await record_event(
            by,
            "volunteer.calendar_key_regenerated",
            object_type="volunteer",
            object_id=volunteer.id,
        )
    return volunteer


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


async def volunteer_calendar(volunteer_id: int, *, key: object) -> bytes:
    """The feed of ``volunteer_id`` if ``key`` is theirs.

    A wrong key and an unknown volunteer raise the same ``NotFound``, so the address tells
    nobody which volunteers exist.
    """
    volunteer = await Volunteer.get_or_none(id=volunteer_id)
    if volunteer is None or not calendar_key_matches(volunteer, key):
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
