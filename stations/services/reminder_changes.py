"""What the reminders job must look at again since its last run, and the cursor that says so.

The cursor (a ``JobCursor`` row) keeps two marks:

- ``covered_until``, on the job's clock: every reminder moment up to it has been looked at.
  As time moves, the shifts whose moment for some lead time falls after it enter.
- ``changed_since``, on the writers' clock (the ``updated_at`` the services stamp): rows
  changed after it are looked at again. It follows the latest ``updated_at`` seen, not the
  job's clock, so the job's clock and the writers' need not agree. A transaction stamps its
  rows before it commits, so a row can become visible after a run has read a later stamp:
  for ``overlap`` after the latest stamp was first seen, the next runs look back ``overlap``
  before it; once ``overlap`` has passed every transaction stamped before it has committed
  (``overlap`` bounds a transaction's length plus the clocks' disagreement), and a run that
  finds nothing new reads nothing.

A row stamped ahead of the writers' clock (tortoise's ``auto_now``) is looked at again until
that clock passes it, so a writer whose clock runs fast (or a test's frozen clock, ahead of
the system's) cannot push the mark past changes still to come. The overlap's time passes on
the job's clock, which in production is the writers' one.

Every service that changes what a reminder depends on stamps ``updated_at`` (``auto_now``
on save, explicitly in a queryset ``update``): an assignment's status, shift or volunteer;
a shift's times or status; a volunteer's Telegram chat or reachability; a station's
activity; a campaign's status. A language change needs no look: reminders already queued
keep their text, as they always did. A writer that forgot the stamp waits for the next full
rescan.

The cursor moves only from the state a run read (``version``): of two replicas that ran at
once, one moves it, and both wrote what they found (the outbox's dedupe keys keep one row
each).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Max
from tortoise.models import Model
from tortoise.transactions import in_transaction

from stations.enums import AssignmentStatus
from stations.iterables import batched
from stations.models import Assignment, Campaign, JobCursor, Shift, Station, Volunteer

#: More changed rows than this in one run (a roster import, a bulk load): a full rescan
#: costs less than following each of them.
MANY_CHANGES: Final = 5000
ID_CHUNK: Final = 500
EXPECTED: Final = (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED)


@dataclass(frozen=True, slots=True)
class Watermark:
    """Where the next change check starts, and the latest stamp seen (``None``: no row)."""

    changed_since: dt.datetime | None = None
    high_water: dt.datetime | None = None
    high_water_at: dt.datetime | None = None


def writers_now() -> dt.datetime:
    """The writers' clock: what tortoise stamps ``auto_now`` fields with (the system's).
    The services' own stamps come from ``stations.clock``, the same clock in production."""
    return timezone.now()


def next_watermark(
    previous: Watermark,
    seen: dt.datetime | None,
    *,
    now: dt.datetime,
    writers_now: dt.datetime,
    overlap: dt.timedelta,
) -> Watermark:
    """The watermark after a run at ``now`` (the job's clock) that saw ``seen`` as its
    latest stamp, when the writers' clock read ``writers_now``."""
    high, high_at = previous.high_water, previous.high_water_at
    if seen is not None:
        seen = min(seen, writers_now)
        if high is None or seen > high:
            high, high_at = seen, now
    if high is None or high_at is None:
        return Watermark()
    settled = now >= high_at + overlap
    return Watermark(
        changed_since=high if settled else high - overlap, high_water=high, high_water_at=high_at
    )


@dataclass(slots=True)
class Changes:
    """Rows changed since the watermark: what they touch, and the latest stamp among them."""

    #: changed assignment → its shift
    assignments: dict[int, int] = field(default_factory=dict)
    shift_ids: set[int] = field(default_factory=set)
    volunteer_ids: set[int] = field(default_factory=set)
    station_ids: set[int] = field(default_factory=set)
    campaign_ids: set[int] = field(default_factory=set)
    latest: dt.datetime | None = None
    rows: int = 0

    @property
    def many(self) -> bool:
        return self.rows > MANY_CHANGES

    def saw(self, stamps: Iterable[dt.datetime]) -> None:
        for stamp in stamps:
            self.rows += 1
            if self.latest is None or stamp > self.latest:
                self.latest = stamp


async def changes_since(since: dt.datetime | None) -> Changes:
    """Assignments, shifts, volunteers, stations and campaigns changed after ``since``
    (every row when ``None``), each an indexed probe that reads nothing when nothing
    changed; stops early, ``many``, past ``MANY_CHANGES`` rows."""
    found = Changes()
    assignments = await _changed(Assignment, since, ("id", "shift_id"), MANY_CHANGES + 1)
    found.assignments.update((row[0], row[1]) for row in assignments)
    found.saw(row[2] for row in assignments)
    for model, into in (
        (Shift, found.shift_ids),
        (Volunteer, found.volunteer_ids),
        (Station, found.station_ids),
        (Campaign, found.campaign_ids),
    ):
        if found.many:
            break
        rows = await _changed(model, since, ("id",), MANY_CHANGES + 1 - found.rows)
        into.update(row[0] for row in rows)
        found.saw(row[1] for row in rows)
    return found


async def _changed(
    model: type[Model], since: dt.datetime | None, columns: tuple[str, ...], limit: int
) -> list[tuple[Any, ...]]:
    query = model.all() if since is None else model.filter(updated_at__gt=since)
    # In updated_at's order: the probe walks its index, whatever the model's default order.
    return await query.order_by("updated_at").limit(limit).values_list(*columns, "updated_at")


async def latest_change() -> dt.datetime | None:
    """The latest ``updated_at`` of the rows a reminder depends on: read before a full
    rescan, so what changes during it is looked at again by the next run."""
    latest: dt.datetime | None = None
    for model in (Assignment, Shift, Volunteer, Station, Campaign):
        stamp = await _latest_stamp(model)
        if stamp is not None and (latest is None or stamp > latest):
            latest = stamp
    return latest


async def _latest_stamp(model: type[Model]) -> dt.datetime | None:
    rows = await model.all().annotate(latest=Max("updated_at")).values_list("latest", flat=True)
    stamp = rows[0] if rows else None
    return stamp if isinstance(stamp, dt.datetime) else None


@dataclass(frozen=True, slots=True)
class Touched:
    """What the changes ask to look at again: whole shifts (a shift, its station or its
    campaign changed), and single assignments (they or their volunteer changed)."""

    shift_ids: set[int]
    #: assignment → its shift
    assignments: dict[int, int]


async def touched_by(
    changes: Changes, *, starts_after: dt.datetime, starts_until: dt.datetime
) -> Touched:
    """The shifts and assignments starting in the window whose reminders ``changes`` may
    alter."""
    window = Q(starts_at__gt=starts_after, starts_at__lte=starts_until)
    shift_ids = set(changes.shift_ids)
    for chunk in batched(sorted(changes.station_ids), ID_CHUNK):
        shift_ids.update(
            row[0] for row in await Shift.filter(window, station_id__in=chunk).values_list("id")
        )
    for chunk in batched(sorted(changes.campaign_ids), ID_CHUNK):
        shift_ids.update(
            row[0]
            for row in await Shift.filter(window, station__campaign_id__in=chunk).values_list("id")
        )
    assignments = dict(changes.assignments)
    for chunk in batched(sorted(changes.volunteer_ids), ID_CHUNK):
        assignments.update(
            (row[0], row[1])
            for row in await Assignment.filter(
                volunteer_id__in=chunk,
                status__in=EXPECTED,
                shift__starts_at__gt=starts_after,
                shift__starts_at__lte=starts_until,
            ).values_list("id", "shift_id")
        )
    return Touched(shift_ids, assignments)


async def read_cursor(name: str) -> JobCursor | None:
    return await JobCursor.get_or_none(name=name)


async def advance_cursor(
    previous: JobCursor | None,
    *,
    name: str,
    params: str,
    covered_until: dt.datetime,
    watermark: Watermark,
    rescanned_at: dt.datetime,
) -> bool:
    """Move the cursor from the state ``previous`` read; ``False`` when another run moved
    it first (its own marks stand: it looked at everything they claim)."""
    values: dict[str, Any] = {
        "params": params,
        "covered_until": covered_until,
        "changed_since": watermark.changed_since,
        "high_water": watermark.high_water,
        "high_water_at": watermark.high_water_at,
        "rescanned_at": rescanned_at,
    }
    if previous is None:
        try:
            async with in_transaction():  # a savepoint: a lost race leaves no broken transaction
                await JobCursor.create(name=name, version=0, **values)
        except IntegrityError:
            return False
        return True
    if all(getattr(previous, key) == value for key, value in values.items()):
        return True  # nothing moved: no write
    moved = await JobCursor.filter(id=previous.id, version=previous.version).update(
        version=previous.version + 1, **values
    )
    return moved == 1
