"""Benchmark of the travellers' pages and open data at 1,000 stations, on PostgreSQL.

    .venv/bin/python bench/public.py [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
                                     [--stations 1000] [--requests 300] [--concurrency 1,4]

In a fresh database (``bench/scratch_database.py``) it writes one running campaign with
``--stations`` stations spread over Vietnam (services, hours — some past midnight — and
stock of water, towels, food and fuel), serves the app with one uvicorn worker in a
subprocess on a frozen clock, and measures with httpx clients, against a baseline bare
endpoint of the same app reading one row:

- **find page, nearest** — ``GET /public/stations?lat=…&lon=…`` (20 nearest of all stations);
- **find page, province** — ``GET /public/stations?province=…`` (the form without JavaScript);
- **station page** — ``GET /public/stations/{code}``;
- **GeoJSON** — ``GET /public/stations.geojson`` (every station).

Each row's first request builds the in-memory snapshot; the rows measure what a traveller
gets while nothing changes. A last row, **find page after a stock change**, changes one
station's stock before every request, so each request rebuilds the snapshot (the worst case
during a busy Tết morning). Target: p95 under 50 ms for the page and the GeoJSON.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from baseline import baseline_route  # noqa: E402
from scratch_database import scratch_database  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402
from tortoise.connection import connections  # noqa: E402
from web import Timing, measure, postgres_version, server_process, table  # noqa: E402

from stations import clock, db  # noqa: E402
from stations.enums import CampaignKind, SupplyCategory  # noqa: E402
from stations.models import Campaign, Station, StockBalance, SupplyItem, Unit  # noqa: E402
from stations.services import divisions  # noqa: E402
from stations.services.actor import Actor  # noqa: E402
from stations.services.catalog import install_standard_items  # noqa: E402
from stations.services.station_services import STATION_SERVICES  # noqa: E402
from stations.settings import Settings  # noqa: E402
from stations.web.app import create_app  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
MOMENT = dt.datetime(2027, 2, 5, 10, 30, tzinfo=clock.VN_TZ)
SECRET_KEY = "bench-" + "k" * 40
ACTOR = Actor.system("bench")
TARGET_P95_MS = 50.0
#: Official codes (2025) of six provinces of the Mekong delta: a station's place comes from
#: its unit's codes, and the province page filters by code.
PROVINCES = ("82", "86", "92", "91", "80", "96")
#: A traveller on Quốc lộ 30 at Cao Lãnh.
HERE = (10.4600, 105.6330)


async def write_stations(count: int) -> tuple[int, str]:
    """The campaign and its stations; returns the campaign id and one station code."""
    await install_standard_items(by=ACTOR)
    units = []
    for n in range(20):
        province = PROVINCES[n % len(PROVINCES)]
        ward = divisions.wards_of(province)[n]
        units.append(
            await Unit.create(
                code=f"BENCH-{n}",
                name=f"Công an {ward.name}",
                kind="commune_police",
                province_code=province,
                ward_code=ward.code,
            )
        )
    campaign = await Campaign.create(
        name="Tết Đinh Mùi 2027",
        kind=CampaignKind.TET,
        year=2027,
        starts_on=dt.date(2027, 1, 30),
        ends_on=dt.date(2027, 2, 11),
    )
    pick = random.Random(2027)
    codes = list(STATION_SERVICES)
    hours = [
        (None, None),
        (dt.time(6, tzinfo=dt.UTC), dt.time(22, tzinfo=dt.UTC)),
        (dt.time(18, tzinfo=dt.UTC), dt.time(6, tzinfo=dt.UTC)),
    ]
    stations = []
    for n in range(count):
        opens, closes = hours[n % len(hours)]
        unit = units[n % len(units)]
        province = divisions.province(unit.province_code or "")
        stations.append(
            Station(
                campaign_id=campaign.id,
                unit_id=unit.id,
                code=f"B{n:04d}",
                name=f"Trạm dừng chân Quốc lộ {1 + n % 80} số {n}",
                address=f"Quốc lộ {1 + n % 80}, xã Số {n % 50}, {province.name if province else ''}",
                latitude=round(pick.uniform(8.6, 22.8), 5),
                longitude=round(pick.uniform(102.2, 109.4), 5),
                opens_at=opens,
                closes_at=closes,
                offers=" ".join(c for c in codes if pick.random() < 0.6),
            )
        )
    await Station.bulk_create(stations, batch_size=500)
    ids = await Station.filter(campaign_id=campaign.id).values_list("id", flat=True)
    items = await SupplyItem.filter(
        category__in=[
            SupplyCategory.WATER,
            SupplyCategory.TOWEL,
            SupplyCategory.FOOD,
            SupplyCategory.FUEL,
        ]
    )
    await StockBalance.bulk_create(
        [
            StockBalance(station_id=sid, item_id=item.id, quantity=pick.choice((0, 40, 300)))
            for sid in ids
            for item in items
        ],
        batch_size=1000,
    )
    return campaign.id, "B0500"


def serve(url: str, port: int, campaign_id: int) -> None:
    """The subprocess: the app and the baseline endpoint, on the frozen clock."""
    import uvicorn

    async def touch_stock(request: Request) -> Response:
        """Change one station's stock, as a handout would: the next read rebuilds."""
        await connections.get("default").execute_query(
            'UPDATE "stock_balance" SET "quantity" = 1 - LEAST("quantity", 1),'
            ' "updated_at" = clock_timestamp() WHERE "id" = (SELECT MIN("id") FROM "stock_balance")'
        )
        return JSONResponse({"ok": True})

    clock.set_clock(clock.FrozenClock(MOMENT))
    app = create_app(
        Settings(database_url=url, secret_key=SECRET_KEY),
        routes=[
            baseline_route(campaign_id),
            Route("/bench/touch", touch_stock, methods=["POST"]),
        ],
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def measure_rebuilds(client: httpx.AsyncClient, path: str, requests: int) -> Timing:
    """The find page when every request follows a stock change (the change not timed)."""
    latencies = []
    started = time.perf_counter()
    for _ in range(requests):
        await client.post("/bench/touch")
        began = time.perf_counter()
        answer = await client.get(path)
        latencies.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
    return Timing("find page after a stock change", 1, latencies, time.perf_counter() - started)


async def run(args: argparse.Namespace) -> None:
    out = sys.stderr
    clock.set_clock(clock.FrozenClock(MOMENT))
    async with scratch_database(args.postgres_url) as url:
        await db.migrate(url)
        await db.init_db(url)
        try:
            campaign_id, code = await write_stations(args.stations)
            await connections.get("default").execute_script("ANALYZE")
        finally:
            await db.close_db()
        rows = (
            ("baseline", "/bench/baseline"),
            ("find page, nearest", f"/public/stations?lat={HERE[0]}&lon={HERE[1]}"),
            ("find page, province", "/public/stations?province=92"),
            ("station page", f"/public/stations/{code}"),
            ("GeoJSON", "/public/stations.geojson"),
        )
        timings: list[Timing] = []
        sizes: dict[str, int] = {}
        load = os.getloadavg()
        async with server_process(url, campaign_id, script=__file__) as base:
            for concurrency in args.concurrency:
                async with httpx.AsyncClient(
                    base_url=base, limits=httpx.Limits(max_connections=concurrency), timeout=60
                ) as client:
                    for name, path in rows:
                        sizes[name] = len((await client.get(path)).content)
                        timing = await measure(
                            client, name, path, requests=args.requests, concurrency=concurrency
                        )
                        print(
                            f"{name} ×{concurrency}: p95 {timing.percentile(95):.1f} ms", file=out
                        )
                        timings.append(timing)
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                rebuilt = await measure_rebuilds(client, rows[1][1], max(20, args.requests // 5))
                timings.append(rebuilt)
        load_after = os.getloadavg()

    print(f"## Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    print(
        f"Machine: {os.cpu_count()} CPUs ({platform.machine()}), Python "
        f"{platform.python_version()}, PostgreSQL {await postgres_version(args.postgres_url)}; "
        f"load average {load[0]:.1f} before, {load_after[0]:.1f} after; server: one uvicorn "
        "worker in a subprocess; clients: httpx in this process.\n"
    )
    print(
        f"Data: one running campaign with {args.stations} stations, 4 stock items each. Clock "
        f"frozen at {MOMENT:%Y-%m-%d %H:%M} (Vietnam). {args.requests} measured requests per "
        "row after 20 warm-up requests.\n"
    )
    print(table(timings))
    print()
    print(
        "Response sizes: "
        + ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in sizes.items())
        + "."
    )
    for t in timings:
        if t.name != "baseline" and t.percentile(95) >= TARGET_P95_MS:
            print(
                f"- **Over target**: {t.name} at concurrency {t.concurrency}: p95 "
                f"{t.percentile(95):.1f} ms ≥ {TARGET_P95_MS:.0f} ms"
            )


def concurrency_list(raw: str) -> list[int]:
    values = [int(part) for part in raw.split(",") if part.strip()]
    if not values or any(v < 1 or v > 64 for v in values):
        raise argparse.ArgumentTypeError("give whole numbers from 1 to 64, comma-separated")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WAYSTATION_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
    )
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=concurrency_list, default=[1, 4])
    parser.add_argument("--serve", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--campaign-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.campaign_id)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
