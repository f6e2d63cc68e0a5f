"""Open now / opens at / closed, with hours that run past midnight."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.services.opening_hours import OpenState, OpenStatus, open_state
from tests.factories import vn

pytestmark = pytest.mark.unit

FIRST, LAST = dt.date(2027, 2, 1), dt.date(2027, 2, 10)
NIGHT = {"opens_at": dt.time(18, 0), "closes_at": dt.time(6, 0)}
DAY = {"opens_at": dt.time(6, 0), "closes_at": dt.time(22, 0)}


def state(
    now: dt.datetime, opens_at: dt.time | None = None, closes_at: dt.time | None = None
) -> OpenState:
    return open_state(now, first_day=FIRST, last_day=LAST, opens_at=opens_at, closes_at=closes_at)


def test_night_station_is_open_after_midnight_until_its_closing_time() -> None:
    result = state(vn(2027, 2, 5, 2, 30), **NIGHT)

    assert (result.status, result.closes) == (OpenStatus.OPEN, vn(2027, 2, 5, 6, 0))


def test_night_station_opens_in_the_evening_after_closing_in_the_morning() -> None:
    result = state(vn(2027, 2, 5, 6, 0), **NIGHT)

    assert (result.status, result.opens) == (OpenStatus.LATER, vn(2027, 2, 5, 18, 0))


def test_night_station_is_still_open_the_morning_after_the_campaign_s_last_day() -> None:
    assert state(vn(2027, 2, 11, 5, 59), **NIGHT).status is OpenStatus.OPEN
    assert state(vn(2027, 2, 11, 6, 0), **NIGHT).status is OpenStatus.CLOSED


def test_night_station_is_not_open_the_night_before_the_campaign_s_first_day() -> None:
    result = state(vn(2027, 2, 1, 2, 0), **NIGHT)

    assert (result.status, result.opens) == (OpenStatus.LATER, vn(2027, 2, 1, 18, 0))


def test_day_station_after_closing_opens_tomorrow_morning() -> None:
    result = state(vn(2027, 2, 5, 22, 0), **DAY)

    assert (result.status, result.opens) == (OpenStatus.LATER, vn(2027, 2, 6, 6, 0))


def test_day_station_after_its_last_evening_is_closed_for_good() -> None:
    assert state(vn(2027, 2, 10, 22, 30), **DAY).status is OpenStatus.CLOSED


def test_coming_campaign_opens_on_its_first_day() -> None:
    result = state(vn(2027, 1, 20, 9, 0), **DAY)

    assert (result.status, result.opens) == (OpenStatus.LATER, vn(2027, 2, 1, 6, 0))


def test_round_the_clock_station_is_open_every_moment_of_the_campaign() -> None:
    assert state(vn(2027, 2, 1, 0, 0)).status is OpenStatus.OPEN
    assert state(vn(2027, 2, 10, 23, 59)).status is OpenStatus.OPEN
    assert state(vn(2027, 2, 11, 0, 0)).status is OpenStatus.CLOSED
    assert state(vn(2027, 1, 31, 23, 59)).opens == vn(2027, 2, 1, 0, 0)


def test_stored_times_labelled_utc_read_as_vietnam_wall_clock() -> None:
    # The station service stores wall-clock times with a UTC label (see services/stations.py).
    labelled = {key: value.replace(tzinfo=dt.UTC) for key, value in DAY.items()}

    assert state(vn(2027, 2, 5, 6, 0), **labelled).status is OpenStatus.OPEN
