"""Benchmark of the coordinators' web app on PostgreSQL at the scale of a real Tết.

    .venv/bin/python bench/web.py [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
                                  [--requests 200] [--concurrency 1,4] [--ledger-lines 100000]

What it does, in a fresh database it creates and drops again (the URL names the server and
the maintenance database to connect to):

1. Counts the SQL statements of one campaign overview page (and one report API call) at 3
   stations (the demo at scale 0.1, in a database of its own) and at 30 (the full demo):
   the count must not grow with the stations.
2. Loads the demo province (30 stations, 2,000+ shifts per campaign) with the clock frozen
   on 29 Tết 2027, 10:30, and brings the stock ledger up to ``--ledger-lines`` lines
   (bulk insert, then ``rebuild_balances``, which also rebuilds the daily tallies the report
   and the overview read).
3. Serves the app with uvicorn in a subprocess (one worker, same frozen clock), plus a
   baseline: a bare Starlette endpoint returning one row from the same database.
4. Measures with concurrent httpx clients p50/p95/p99 of the baseline, of the campaign
   overview page (a signed-in admin's session) and of ``GET /api/v1/campaigns/{id}/report``
   (a bearer token), and prints them as a Markdown table with the ratios to the baseline.

The target is p95 under 150 ms for the overview and the report API.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import platform
import random
import re
import secrets
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tortoise.connection import connections  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from bench.baseline import baseline_route  # noqa: E402
from stations import clock, db  # noqa: E402
from stations.enums import MovementKind, Source  # noqa: E402
from stations.models import Campaign, Shift, Station, StockMovement, SupplyItem  # noqa: E402
from stations.services.actor import Actor  # noqa: E402
from stations.services.demo import load_demo  # noqa: E402
from stations.services.inventory import rebuild_balances  # noqa: E402
from stations.services.users import create_api_token, create_user  # noqa: E402
from stations.settings import Settings  # noqa: E402
from stations.web.app import create_app  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
#: 29 Tết Đinh Mùi (5 February 2027), 10:30 in Vietnam: the campaign is a week under way.
MOMENT = dt.datetime(2027, 2, 5, 10, 30, tzinfo=clock.VN_TZ)
SECRET_KEY = "bench-" + "k" * 40
ADMIN_EMAIL = "bench@example.vn"
ADMIN_PASSWORD = "benchmark password, not deployed"
ACTOR = Actor.system("bench")
TARGET_P95_MS = 150.0
WARMUP_REQUESTS = 20
BATCH = 5_000
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- databases ---------------------------------------------------------------------------


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _with_database(url: str, name: str) -> str:
    return f"{url.rpartition('/')[0]}/{name}"


@contextlib.asynccontextmanager
async def fresh_database(server_url: str, label: str) -> AsyncIterator[str]:
    """A new, migrated, open database on the server of ``server_url``; dropped afterwards."""
    name = f"waystation_bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(_asyncpg_url(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_database(server_url, name)
    try:
        await db.migrate(url)
        await db.init_db(url)
        try:
            yield url
        finally:
            await db.close_db()
    finally:
        admin = await asyncpg.connect(_asyncpg_url(server_url))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def fill_ledger(campaign: Campaign, target: int) -> int:
    """Ledger lines at the campaign's stations until the whole ledger holds ``target``;
    receipts and handouts spread from the campaign's first day to now. Returns lines added."""
    existing = await StockMovement.all().count()
    missing = target - existing
    if missing <= 0:
        return 0
    stations = await Station.filter(campaign=campaign).order_by("id")
    items = await SupplyItem.all().order_by("id")
    start = clock.local_midnight(campaign.starts_on)
    span = int((clock.now() - start).total_seconds()) - 60
    pick = random.Random(2027)
    lines = []
    for n in range(missing):
        receipt = n % 10 == 0
        quantity = 200 if receipt else pick.randint(5, 15)
        moment = start + dt.timedelta(seconds=pick.randrange(span))
        lines.append(
            StockMovement(
                station_id=stations[n % len(stations)].id,
                item_id=items[(n // len(stations)) % len(items)].id,
                kind=MovementKind.RECEIPT if receipt else MovementKind.HANDOUT,
                quantity=quantity,
                delta=quantity if receipt else -quantity,
                source=Source.IMPORT,
                occurred_at=moment,
                recorded_at=moment,
            )
        )
    async with in_transaction():
        for first in range(0, len(lines), BATCH):
            await StockMovement.bulk_create(lines[first : first + BATCH])
    await rebuild_balances()
    return missing


# --- counting SQL statements -------------------------------------------------------------


@contextlib.contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Every statement the default connection runs inside the block."""
    connection = connections.get("default")
    seen: list[str] = []
    names = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")
    originals = {name: getattr(connection, name) for name in names}

    def recording(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        def record(query: str, *args: Any, **kwargs: Any) -> Awaitable[Any]:
            seen.append(query)
            return original(query, *args, **kwargs)

        return record

    for name, original in originals.items():
        setattr(connection, name, recording(original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(connection, name, original)


async def sign_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/signin")
    token = _CSRF.search(form.text)
    if token is None:
        raise SystemExit("the sign-in form carries no CSRF token")
    answer = await client.post(
        "/signin",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token.group(1)},
    )
    if answer.status_code != 303:
        raise SystemExit(f"signing in answered {answer.status_code}")


async def make_users() -> str:
    """The admin who signs in, and an API token; the token's plaintext."""
    await create_user(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, role="admin", by=ACTOR)
    _token, plaintext = await create_api_token("bench", role="admin", by=ACTOR)
    return plaintext


async def statements_per_request(url: str, campaign: Campaign, token: str) -> tuple[int, int]:
    """SQL statements of one overview page and of one report API call, in process."""
    app = create_app(Settings(database_url=url, secret_key=SECRET_KEY), manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        await sign_in(client)
        await client.get(f"/campaigns/{campaign.id}")  # session and caches settle first
        with counting_statements() as page:
            answer = await client.get(f"/campaigns/{campaign.id}")
        if answer.status_code != 200:
            raise SystemExit(f"the overview answered {answer.status_code}")
        headers = {"Authorization": f"Bearer {token}"}
        with counting_statements() as api:
            answer = await client.get(f"/api/v1/campaigns/{campaign.id}/report", headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"the report API answered {answer.status_code}")
    return len(page), len(api)


# --- the server --------------------------------------------------------------------------


def serve(url: str, port: int, campaign_id: int) -> None:
    """The subprocess: the app and the baseline endpoint, on the frozen clock."""
    import uvicorn

    clock.set_clock(clock.FrozenClock(MOMENT))
    app = create_app(
        Settings(database_url=url, secret_key=SECRET_KEY),
        routes=[baseline_route(campaign_id)],
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def server_process(
    url: str, campaign_id: int, *, script: str = __file__
) -> AsyncIterator[str]:
    """``script --serve`` (this file's ``serve``, or another benchmark's) on a free port."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        script,
        *("--serve", url, "--port", str(port), "--campaign-id", str(campaign_id)),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base) as probe:
            for _attempt in range(300):
                if process.returncode is not None:
                    raise SystemExit(f"the server stopped with code {process.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    if (await probe.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise SystemExit("the server did not answer /healthz within 30 s")
        yield base
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    name: str
    concurrency: int
    latencies_ms: list[float]
    seconds: float

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds


async def measure(
    client: httpx.AsyncClient,
    name: str,
    path: str,
    *,
    requests: int,
    concurrency: int,
    headers: dict[str, str] | None = None,
) -> Timing:
    async def one() -> float:
        started = time.perf_counter()
        answer = await client.get(path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
        return elapsed

    for _ in range(WARMUP_REQUESTS):
        await one()
    queue = iter(range(requests))
    latencies: list[float] = []

    async def worker() -> None:
        for _ in queue:
            latencies.append(await one())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Timing(name, concurrency, latencies, time.perf_counter() - started)


# --- the run -----------------------------------------------------------------------------


async def postgres_version(url: str) -> str:
    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def table(timings: list[Timing]) -> str:
    baselines = {t.concurrency: t for t in timings if t.name == "baseline"}
    lines = [
        "| endpoint | concurrency | requests | p50 ms | p95 ms | p99 ms | req/s "
        "| p50 × baseline | p95 × baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        base = baselines[t.concurrency]
        lines.append(
            f"| {t.name} | {t.concurrency} | {len(t.latencies_ms)} | {t.percentile(50):.1f} "
            f"| {t.percentile(95):.1f} | {t.percentile(99):.1f} | {t.throughput:.0f} "
            f"| {t.percentile(50) / base.percentile(50):.1f} "
            f"| {t.percentile(95) / base.percentile(95):.1f} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> None:
    clock.set_clock(clock.FrozenClock(MOMENT))
    out = sys.stderr
    print(f"PostgreSQL {await postgres_version(args.postgres_url)}", file=out)

    async with fresh_database(args.postgres_url, "small") as url:
        small = (await load_demo(by=ACTOR, scale=0.1)).campaign
        token = await make_users()
        small_stations = await Station.filter(campaign=small).count()
        small_counts = await statements_per_request(url, small, token)

    async with fresh_database(args.postgres_url, "full") as url:
        started = time.perf_counter()
        campaign = (await load_demo(by=ACTOR)).campaign
        print(f"demo loaded in {time.perf_counter() - started:.1f} s", file=out)
        started = time.perf_counter()
        added = await fill_ledger(campaign, args.ledger_lines)
        print(f"{added} ledger lines added in {time.perf_counter() - started:.1f} s", file=out)
        token = await make_users()
        stations = await Station.filter(campaign=campaign).count()
        shifts = await Shift.filter(station__campaign=campaign).count()
        ledger = await StockMovement.all().count()
        full_counts = await statements_per_request(url, campaign, token)
        await connections.get("default").execute_script("ANALYZE")

        timings: list[Timing] = []
        async with server_process(url, campaign.id) as base:
            for concurrency in args.concurrency:
                async with httpx.AsyncClient(
                    base_url=base,
                    limits=httpx.Limits(max_connections=concurrency),
                    timeout=60,
                ) as client:
                    await sign_in(client)
                    bearer = {"Authorization": f"Bearer {token}"}
                    for name, path, headers in (
                        ("baseline", "/bench/baseline", None),
                        ("overview page", f"/campaigns/{campaign.id}", None),
                        ("report API", f"/api/v1/campaigns/{campaign.id}/report", bearer),
                    ):
                        timing = await measure(
                            client,
                            name,
                            path,
                            requests=args.requests,
                            concurrency=concurrency,
                            headers=headers,
                        )
                        print(
                            f"{name} ×{concurrency}: p95 {timing.percentile(95):.1f} ms",
                            file=out,
                        )
                        timings.append(timing)

    print(f"## Run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    print(
        f"Machine: {os.cpu_count()} CPUs ({platform.machine()}), Python "
        f"{platform.python_version()}, PostgreSQL {await postgres_version(args.postgres_url)}; "
        "server: one uvicorn worker in a subprocess; clients: httpx in this process.\n"
    )
    print(
        f"Data: the demo campaign with {stations} stations, "
        f"{shifts} shifts; the ledger holds {ledger} lines "
        f"(all campaigns). Clock frozen at {MOMENT:%Y-%m-%d %H:%M} (Vietnam). "
        f"{args.requests} measured requests per row after {WARMUP_REQUESTS} warm-up requests.\n"
    )
    print(table(timings))
    print()
    for t in timings:
        if t.name != "baseline" and t.percentile(95) >= TARGET_P95_MS:
            print(
                f"- **Over target**: {t.name} at concurrency {t.concurrency}: p95 "
                f"{t.percentile(95):.1f} ms ≥ {TARGET_P95_MS:.0f} ms"
            )
    print(
        f"\nSQL statements per request: overview page {small_counts[0]} at {small_stations} "
        f"stations, {full_counts[0]} at {stations}; report API {small_counts[1]} at "
        f"{small_stations} stations, {full_counts[1]} at {stations}."
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
        help="server and maintenance database; the benchmark's own databases are created "
        f"and dropped on it (default {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument("--requests", type=int, default=200, help="measured requests per row")
    parser.add_argument(
        "--concurrency",
        type=concurrency_list,
        default=[1, 4],
        help="clients in flight at once, comma-separated runs (default 1,4)",
    )
    parser.add_argument("--ledger-lines", type=int, default=100_000)
    parser.add_argument("--serve", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--campaign-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.campaign_id)
        return
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
