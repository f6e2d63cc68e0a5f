"""The reminders job's watermark: where its change check starts, whatever the clocks say."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.services.reminder_changes import Watermark, next_watermark

pytestmark = pytest.mark.unit

OVERLAP = dt.timedelta(minutes=10)
T0 = dt.datetime(2027, 2, 2, 1, 0, tzinfo=dt.UTC)


def test_nothing_ever_written_looks_at_every_row_next_time():
    assert next_watermark(Watermark(), None, now=T0, writers_now=T0, overlap=OVERLAP) == Watermark()


def test_a_new_stamp_is_looked_back_on_for_the_overlap():
    stamp = T0 - dt.timedelta(seconds=5)

    mark = next_watermark(Watermark(), stamp, now=T0, writers_now=T0, overlap=OVERLAP)

    assert mark == Watermark(changed_since=stamp - OVERLAP, high_water=stamp, high_water_at=T0)


def test_once_the_overlap_has_passed_the_check_starts_at_the_stamp():
    stamp = T0 - dt.timedelta(seconds=5)
    first = next_watermark(Watermark(), stamp, now=T0, writers_now=T0, overlap=OVERLAP)

    during = next_watermark(
        first, stamp, now=T0 + OVERLAP - dt.timedelta(seconds=1), writers_now=T0, overlap=OVERLAP
    )
    after = next_watermark(during, None, now=T0 + OVERLAP, writers_now=T0, overlap=OVERLAP)

    assert during.changed_since == stamp - OVERLAP
    assert after == Watermark(changed_since=stamp, high_water=stamp, high_water_at=T0)


def test_an_older_stamp_seen_in_the_overlap_does_not_move_the_mark():
    stamp = T0 - dt.timedelta(seconds=5)
    first = next_watermark(Watermark(), stamp, now=T0, writers_now=T0, overlap=OVERLAP)

    again = next_watermark(
        first, stamp - dt.timedelta(minutes=3), now=T0, writers_now=T0, overlap=OVERLAP
    )

    assert again == first


def test_a_stamp_ahead_of_the_writers_clock_is_kept_in_view_until_it_passes_it():
    ahead = T0 + dt.timedelta(minutes=30)

    mark = next_watermark(Watermark(), ahead, now=T0, writers_now=T0, overlap=OVERLAP)

    assert (mark.high_water, mark.changed_since) == (T0, T0 - OVERLAP)


def test_the_job_clock_ahead_of_the_writers_clock_does_not_lift_the_mark():
    # A test's frozen clock months ahead of the system's that stamps auto_now fields.
    system = T0 - dt.timedelta(days=60)

    mark = next_watermark(
        Watermark(), T0 - dt.timedelta(minutes=1), now=T0, writers_now=system, overlap=OVERLAP
    )

    assert (mark.high_water, mark.high_water_at) == (system, T0)
