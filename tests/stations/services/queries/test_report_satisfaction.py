"""Satisfaction in the campaign report: per station and campaign, and the summary's sentence."""

from __future__ import annotations

import datetime as dt

from stations.models import Station, StationFeedback
from stations.services.queries.reports import campaign_report, report_to_dict
from stations.services.report_summary import campaign_summary
from tests.factories import make_campaign, make_station, make_unit

NOW = dt.datetime(2027, 2, 2, 1, tzinfo=dt.UTC)


async def answers(station: Station, *ratings: int, hidden: bool = False) -> None:
    await StationFeedback.bulk_create(
        StationFeedback(
            station=station,
            rating=rating,
            comment="ý kiến",
            comment_hidden=hidden,
            browser=f"b-{station.id}-{n:06d}-xxxxxxxx",
            day=dt.date(2027, 2, 2),
            address_key="k",
            created_at=NOW,
        )
        for n, rating in enumerate(ratings)
    )


async def test_report_gives_responses_average_and_satisfied_share_per_station(db, clock) -> None:
    campaign = await make_campaign()
    a = await make_station(campaign, code="A")
    b = await make_station(campaign, code="B")
    await make_station(campaign, code="C")
    await answers(a, 5, 4, 3)
    await answers(b, 1, hidden=True)  # a hidden comment's stars still count

    data = report_to_dict(await campaign_report(campaign))

    assert {row["code"]: row["satisfaction"] for row in data["stations"]} == {
        "A": {"responses": 3, "average": 4.0, "satisfied_share": 0.667},
        "B": {"responses": 1, "average": 1.0, "satisfied_share": 0.0},
        "C": {"responses": 0, "average": None, "satisfied_share": None},
    }
    assert data["satisfaction"] == {"responses": 4, "average": 3.25, "satisfied_share": 0.5}


async def test_report_counts_only_its_own_campaign_and_the_scope_s_stations(db, clock) -> None:
    campaign, other = await make_campaign(), await make_campaign(name="30/4")
    mine = await make_unit()
    await answers(await make_station(campaign, code="MINE", unit=mine), 5, 5)
    await answers(await make_station(campaign, code="THEIRS"), 1)
    await answers(await make_station(other, code="ELSE"), 1, 1, 1)

    scoped = await campaign_report(campaign, unit_ids=[mine.id])

    assert scoped.satisfaction.as_dict() == {
        "responses": 2,
        "average": 5.0,
        "satisfied_share": 1.0,
    }


async def test_summary_states_satisfaction_from_thirty_answers_only(db, clock) -> None:
    campaign = await make_campaign()
    station = await make_station(campaign)
    await answers(station, *([5] * 20 + [4] * 5 + [2] * 4))

    before = campaign_summary(await campaign_report(campaign), "vi")
    await StationFeedback.create(
        station=station,
        rating=1,
        browser="b-last-000000-xxxxxxxx",
        day=dt.date(2027, 2, 2),
        address_key="k",
        created_at=NOW,
    )
    report = await campaign_report(campaign)

    assert "hài lòng" not in before
    assert campaign_summary(report, "vi").endswith(
        "83% người dân hài lòng (theo 30 lượt đánh giá)."
    )
    assert campaign_summary(report, "en").endswith(
        "83% of the people who answered were satisfied (30 ratings)."
    )
