"""What coordinators read of travellers' answers: per station, for a campaign."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from stations.models import Campaign, Station, StationFeedback
from stations.services.queries.report_satisfaction import (
    Satisfaction,
    combined,
    satisfaction_of,
    stars_by_station,
)
from stations.services.station_services import services_of

#: Comments shown on the page, newest first: enough to read a holiday's worth at a station.
MAX_COMMENTS = 300


@dataclass(frozen=True)
class StationSatisfaction:
    station: Station
    satisfaction: Satisfaction
    #: answers per star, 1 to 5
    distribution: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class FeedbackComment:
    id: int
    station: Station
    rating: int
    received: tuple[str, ...]
    comment: str
    hidden: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class CampaignFeedback:
    satisfaction: Satisfaction
    distribution: tuple[int, int, int, int, int]
    stations: list[StationSatisfaction]
    comments: list[FeedbackComment]


def _distribution(stars: Counter[int]) -> tuple[int, int, int, int, int]:
    return (stars[1], stars[2], stars[3], stars[4], stars[5])


async def campaign_feedback(
    campaign: Campaign, *, unit_ids: Collection[int] | None = None
) -> CampaignFeedback:
    """The campaign's answers: figures per station (stations of ``unit_ids`` only, when
    given) and the latest comments, hidden ones marked."""
    query = Station.filter(campaign_id=campaign.id)
    if unit_ids is not None:
        query = query.filter(unit_id__in=list(unit_ids) or [0])
    stations = {station.id: station for station in await query.order_by("code")}
    stars = {k: v for k, v in (await stars_by_station(campaign.id)).items() if k in stations}
    total: Counter[int] = Counter()
    for counts in stars.values():
        total.update(counts)
    rows = [
        StationSatisfaction(
            station,
            satisfaction_of(stars.get(station.id, Counter())),
            _distribution(stars.get(station.id, Counter())),
        )
        for station in stations.values()
    ]
    answers = (
        await StationFeedback.filter(station_id__in=list(stations) or [0])
        .exclude(comment="")
        .order_by("-created_at", "-id")
        .limit(MAX_COMMENTS)
    )
    comments = [
        FeedbackComment(
            id=answer.id,
            station=stations[answer.station_id],
            rating=answer.rating,
            received=services_of(answer.received),
            comment=answer.comment,
            hidden=answer.comment_hidden,
            created_at=answer.created_at,
        )
        for answer in answers
    ]
    return CampaignFeedback(
        satisfaction=combined(stars.values()),
        distribution=_distribution(total),
        stations=rows,
        comments=comments,
    )


async def feedback_or_none(feedback_id: int) -> StationFeedback | None:
    return await StationFeedback.get_or_none(id=feedback_id).select_related("station")
