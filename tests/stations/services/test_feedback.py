"""Travellers' ratings: what is stored, and every abuse refused with nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.models import AuditEvent, StationFeedback
from stations.services.actor import Actor
from stations.services.errors import InvalidInput, NotFound
from stations.services.feedback import (
    MAX_PER_ADDRESS,
    AlreadyRated,
    TooManyAnswers,
    address_digest,
    record_feedback,
    set_comment_hidden,
)
from tests.factories import make_station

BROWSER = "b" * 22
ADDRESS = address_digest("203.0.113.7", secret="s" * 40)


async def rate(station_id: int, **overrides: object) -> StationFeedback:
    values: dict[str, object] = {
        "rating": 5,
        "received": ["water"],
        "comment": "Nước mát, cảm ơn các anh!",
        "browser": BROWSER,
        "address_key": ADDRESS,
        "honeypot": "",
    } | overrides
    now = values.pop("now", None)
    return await record_feedback(
        station_id, now=now or dt.datetime(2027, 2, 2, 1, tzinfo=dt.UTC), **values
    )  # type: ignore[arg-type]


async def test_an_answer_is_stored_with_its_stars_services_and_comment(db, clock) -> None:
    station = await make_station(offers="water cold_towels")

    await rate(station.id, received=["cold_towels", "water"])

    stored = await StationFeedback.get(station_id=station.id)
    assert (stored.rating, stored.received, stored.comment, stored.day) == (
        5,
        "water cold_towels",
        "Nước mát, cảm ơn các anh!",
        dt.date(2027, 2, 2),
    )
    assert stored.address_key != "203.0.113.7"


async def test_the_same_browser_is_refused_a_second_answer_the_same_day(db, clock) -> None:
    station = await make_station(offers="water")
    await rate(station.id)

    with pytest.raises(AlreadyRated):
        await rate(station.id, rating=1)

    assert await StationFeedback.all().values_list("rating", flat=True) == [5]


async def test_the_same_browser_may_answer_again_the_next_day(db, clock) -> None:
    station = await make_station(offers="water")
    await rate(station.id)

    await rate(station.id, now=dt.datetime(2027, 2, 2, 17, 0, tzinfo=dt.UTC))  # 00:00 in Vietnam

    assert await StationFeedback.all().count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"rating": True}, "rating"),
        ({"comment": "x" * 501}, "comment"),
        ({"comment": "<script>alert(1)</script>"}, "comment"),
        ({"comment": "hay < img src=x onerror=alert(1)>"}, "comment"),
        ({"received": ["fuel"]}, "received"),
        ({"received": ["teleport"]}, "received"),
        ({"honeypot": "http://spam.example"}, None),
        ({"browser": "short"}, None),
    ],
)
async def test_bad_answers_are_refused_and_nothing_is_stored(db, clock, overrides, field) -> None:
    station = await make_station(offers="water")

    with pytest.raises(InvalidInput) as refused:
        await rate(station.id, **overrides)

    assert refused.value.field == field
    assert await StationFeedback.all().count() == 0


async def test_a_comment_of_exactly_500_characters_and_a_heart_are_fine(db, clock) -> None:
    station = await make_station(offers="water")

    await rate(station.id, comment="<3 " + "x" * 497)

    assert len((await StationFeedback.get()).comment) == 500


async def test_an_unknown_station_is_refused(db, clock) -> None:
    with pytest.raises(NotFound):
        await rate(999_999)


async def test_one_address_is_stopped_after_its_hourly_allowance(db, clock) -> None:
    station = await make_station(offers="water")
    for n in range(MAX_PER_ADDRESS):
        await rate(station.id, browser=f"browser-{n:010d}")

    with pytest.raises(TooManyAnswers):
        await rate(station.id, browser="browser-new-000000")

    assert await StationFeedback.all().count() == MAX_PER_ADDRESS


async def test_hiding_a_comment_keeps_its_stars_and_is_audited(db, clock) -> None:
    station = await make_station(offers="water")
    answer = await rate(station.id)

    await set_comment_hidden(answer, hidden=True, by=Actor.system("test"))

    stored = await StationFeedback.get(id=answer.id)
    assert (stored.comment_hidden, stored.rating) == (True, 5)
    assert await AuditEvent.filter(action="feedback.comment_hidden").count() == 1
