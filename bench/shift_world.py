"""One campaign of shifts with 20 volunteers assigned to each, written in bulk: the data of
the reminder benches (``bench/reminders.py``, ``bench/dispatch.py``'s materialise run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from tortoise.connection import connections

from stations.enums import AssignmentStatus, CampaignKind, ShiftRole, UnitKind
from stations.iterables import batched
from stations.models import Assignment, Campaign, Shift, Station, Unit, Volunteer

PER_SHIFT = 20


async def bulk_insert(rows: Sequence[Any], size: int = 5000) -> None:
    """Unsaved rows of one model, written a few thousand to a statement."""
    for batch in batched(list(rows), size):
        await type(batch[0]).bulk_create(batch)


def on_the_hour(now: dt.datetime) -> Callable[[int], dt.datetime]:
    """The n-th shift starts on the hour, from 2 to 23 hours after ``now``'s hour."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return lambda n: hour + dt.timedelta(hours=2 + n % 22)


async def build_assignments(
    assignments: int,
    volunteers: int,
    now: dt.datetime,
    *,
    start_of: Callable[[int], dt.datetime] | None = None,
) -> None:
    """Shifts of ``PER_SHIFT`` people (``assignments`` of them in all, assigned from
    ``volunteers`` volunteers on Telegram) at stations of 22 shifts each, the n-th starting at
    ``start_of(n)`` (default ``on_the_hour(now)``); then ANALYZE."""
    start_of = start_of or on_the_hour(now)
    today = now.date()
    unit = await Unit.create(code="BENCH", name="Bench unit", kind=UnitKind.COMMUNE_POLICE)
    campaign = await Campaign.create(
        name="Bench",
        kind=CampaignKind.CUSTOM,
        year=today.year,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=3),
    )
    shift_count = assignments // PER_SHIFT
    await bulk_insert(
        [
            Station(campaign=campaign, unit=unit, code=f"B{n}", name=f"Trạm {n}")
            for n in range(max(1, shift_count // 22))
        ]
    )
    stations = await Station.filter(campaign_id=campaign.id).order_by("id")
    await bulk_insert(
        [
            Shift(
                station=stations[n // 22 % len(stations)],
                starts_at=start_of(n),
                ends_at=start_of(n) + dt.timedelta(hours=4),
                needs={ShiftRole.VOLUNTEER.value: PER_SHIFT},
            )
            for n in range(shift_count)
        ]
    )
    shift_ids = await Shift.all().order_by("id").values_list("id", flat=True)
    await bulk_insert(
        [
            Volunteer(
                full_name=f"Tình nguyện viên {n}",
                search_name=f"tinh nguyen vien {n}",
                phone=f"+8491{n:07d}",
                telegram_user_id=2_000_000 + n,
                telegram_chat_id=2_000_000 + n,
            )
            for n in range(volunteers)
        ]
    )
    volunteer_ids = await Volunteer.all().order_by("id").values_list("id", flat=True)
    await bulk_insert(
        [
            Assignment(
                shift_id=shift_id,
                volunteer_id=volunteer_ids[(s * PER_SHIFT + k) % volunteers],
                role=ShiftRole.VOLUNTEER,
                status=AssignmentStatus.ASSIGNED,
            )
            for s, shift_id in enumerate(shift_ids)
            for k in range(PER_SHIFT)
        ]
    )
    await connections.get("default").execute_script("ANALYZE")
