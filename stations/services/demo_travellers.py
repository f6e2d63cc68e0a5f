"""The demo province for travellers: what each station offers, and last year's ratings.

Services follow each demo station's role (every station has water, cold towels and a place
to rest; main-road ones also food and first aid; fuel and the partner garage's motorbike
check where the station hands those out). The closed campaign gets travellers' answers at
the scale of a province's QR codes — some tens per station, mostly pleased, a few not — so
its report shows a satisfaction figure.
"""

from __future__ import annotations

import datetime as dt
import random

from stations.clock import VN_TZ
from stations.models import Campaign, Station, StationFeedback
from stations.services import demo_data as data
from stations.services.station_services import stored_services

#: Stars drawn with these weights, 1 to 5: about nine travellers in ten are satisfied.
STAR_WEIGHTS = (2, 2, 6, 30, 60)
ANSWERS_PER_STATION = (12, 40)
COMMENTS = (
    "Nước mát, các anh công an rất nhiệt tình. Cảm ơn!",
    "Khăn lạnh rất dễ chịu giữa trưa nắng.",
    "Được kiểm tra xe miễn phí, yên tâm chạy tiếp về quê.",
    "Trạm sạch sẽ, có chỗ nghỉ cho các cháu nhỏ.",
    "Đông người quá, phải chờ hơi lâu.",
    "Thanks for the water and the smiles!",
    "Nên có thêm mái che khi trời mưa.",
)


def services_for(station: data.DemoStation) -> tuple[str, ...]:
    offers = ["water", "cold_towels"]
    if station.key:
        offers.append("food")
    if station.fuel:
        offers.append("fuel")
    if station.garage:
        offers.append("motorbike_check")
    if station.key:
        offers.append("first_aid")
    offers.append("rest")
    return tuple(offers)


async def add_traveller_demo(previous: Campaign, upcoming: Campaign, *, seed: int) -> int:
    """Set the demo stations' services and write the closed campaign's answers; returns how
    many answers were written."""
    by_code = {station.code: station for station in data.STATIONS}
    stations = await Station.filter(campaign_id__in=[previous.id, upcoming.id])
    for station in stations:
        plan = by_code.get(station.code)
        if plan is not None:
            station.offers = stored_services(services_for(plan))
    await Station.bulk_update(stations, fields=["offers"])
    rng = random.Random(f"waystation-demo-travellers:{seed}")
    days = (previous.ends_on - previous.starts_on).days + 1
    answers = []
    for station in sorted(stations, key=lambda s: s.id):
        if station.campaign_id != previous.id:
            continue
        offers = station.offers.split()
        for n in range(rng.randint(*ANSWERS_PER_STATION)):
            day = previous.starts_on + dt.timedelta(days=rng.randrange(days))
            moment = dt.datetime.combine(day, dt.time(rng.randint(6, 21), rng.randint(0, 59)))
            rating = rng.choices(range(1, 6), weights=STAR_WEIGHTS)[0]
            received = [code for code in offers if rng.random() < 0.6]
            comment = rng.choice(COMMENTS) if rng.random() < 0.15 else ""
            answers.append(
                StationFeedback(
                    station_id=station.id,
                    rating=rating,
                    received=" ".join(received),
                    comment=comment,
                    browser=f"demo-{station.id:05d}-{n:05d}-{seed:06d}"[:32],
                    day=day,
                    address_key="demo",
                    created_at=moment.replace(tzinfo=VN_TZ),
                )
            )
    await StationFeedback.bulk_create(answers, batch_size=500)
    return len(answers)
