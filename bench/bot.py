"""Benchmark of the bot by webhook (a script, not a test): ``python bench/bot.py``.

Four kinds of process, as in production: PostgreSQL; the bot served by uvicorn as
``waystation serve`` serves it (``bench/bot_server.py``); the fake Telegram Bot API server
(``bench/fake_telegram_server.py``), which receives the bot's replies; and the load
generator (``bench/bot_load.py``), which plays Telegram's side of the webhook **open loop**:
at a fixed offered load (10, 50 and 100 updates/s by default) each update is POSTed when it
is due, whatever the bot has answered so far. An update's latency runs from the time it was
due to the time the bot's reply reached the fake server, so any queueing counts.

The load is the demo province's: 30 stations with a shift under way. Each simulated
volunteer checks in once (a location within the station's radius, on a fresh assignment:
the check-in really writes) and then reports three two-item handouts
(``/phat 50 nuoc, 30 khan``): a quarter of the updates are check-ins. Every load level and
bot gets volunteers of its own.

The baseline, measured in the same run at the same loads, alternating with ours: an echo
bot — python-telegram-bot's Application behind the same route, app and uvicorn, answering
each message with its text. Goals (issue 13): ours handles ≥ 0.8 × echo's throughput at the
same offered load, and its p99 is < 250 ms at 50 updates/s.

Reported per load and bot: updates answered per second, p50/p95/p99 latency, the bot
server's CPU time per update (and PostgreSQL's, its backends for this database), and
failures — a webhook POST not answered 200, an update with no reply, an API call the fake
answered with an error — counted, never aborting the run (``--fail-one`` makes the fake
refuse one reply of each bot to show it). Output: a Markdown table.

Runs in a fresh database created next to ``WAYSTATION_BENCH_POSTGRES_URL`` (default
``postgres://postgres@127.0.0.1:5432/test``) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg

from bench.bot_server import WEBHOOK_SECRET
from bench.scratch_database import scratch_database
from stations import db
from stations.enums import CampaignKind, ShiftRole, SupplyCategory, UnitKind
from stations.models import Assignment, Campaign, Shift, Station, SupplyItem, Unit, Volunteer
from stations.services.actor import Actor
from stations.services.inventory import record_receipt
from stations.text import fold

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
STATIONS = 30
LAT, LON = 10.8076, 105.3436
#: Updates per simulated volunteer: one check-in, then handouts.
UPDATES_PER_VOLUNTEER = 4
FIRST_USER = 100_000
WARM_UP_RATE = 10.0
WARM_UP_SECONDS = 3.0
TARGET_RATIO = 0.8
TARGET_P99_MS = 250.0
TARGET_P99_LOAD = 50.0
KINDS = ("echo", "ours")
TICKS = os.sysconf("SC_CLK_TCK")


def _pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def _seed(volunteers: int) -> None:
    """30 stations of an open campaign, each with a shift under way and ample stock, and
    ``volunteers`` linked volunteers, each assigned (not checked in) to one of them."""
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    unit = await Unit.create(code="BENCH", name="Công an tỉnh", kind=UnitKind.PROVINCE_POLICE)
    campaign = await Campaign.create(
        name="Bench",
        kind=CampaignKind.CUSTOM,
        year=today.year,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
    )
    water = await SupplyItem.create(
        code="water", name_vi="Nước suối", name_en="Bottled water", unit_vi="chai",
        unit_en="bottle", category=SupplyCategory.WATER, aliases=["nuoc", "water"],
        default_low_stock=100,
    )  # fmt: skip
    towel = await SupplyItem.create(
        code="towel", name_vi="Khăn lạnh", name_en="Cold towel", unit_vi="khăn",
        unit_en="towel", category=SupplyCategory.TOWEL, aliases=["khan", "towel"],
        default_low_stock=100,
    )  # fmt: skip
    shifts = []
    for n in range(STATIONS):
        station = await Station.create(
            campaign=campaign, unit=unit, code=f"B{n}", name=f"Trạm {n}",
            address="Quốc lộ 1A", latitude=LAT, longitude=LON, checkin_radius_m=300,
        )  # fmt: skip
        shifts.append(
            await Shift.create(
                station=station,
                starts_at=now - dt.timedelta(minutes=30),
                ends_at=now + dt.timedelta(hours=6),
                needs={ShiftRole.VOLUNTEER.value: volunteers},
            )
        )
        for item in (water, towel):
            await record_receipt(station, item, 1_000_000, by=Actor.system("bench"))
    people = [
        Volunteer(
            full_name=f"Tình nguyện viên {n}",
            search_name=fold(f"Tình nguyện viên {n}"),
            phone=f"+8491{n:07d}",
            telegram_user_id=FIRST_USER + n,
            telegram_chat_id=FIRST_USER + n,
        )
        for n in range(volunteers)
    ]
    await Volunteer.bulk_create(people, batch_size=500)
    ids = {
        v.telegram_user_id: v.id
        for v in await Volunteer.filter(telegram_user_id__gte=FIRST_USER).only(
            "id", "telegram_user_id"
        )
    }
    await Assignment.bulk_create(
        [
            Assignment(shift=shifts[n % STATIONS], volunteer_id=ids[FIRST_USER + n])
            for n in range(volunteers)
        ],
        batch_size=500,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def _database_cpu(admin_url: str, database: str) -> float:
    """CPU time of the PostgreSQL backends connected to ``database`` so far."""
    connection = await asyncpg.connect(_pg(admin_url))
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1", database
        )
    finally:
        await connection.close()
    total = 0.0
    for row in rows:
        try:
            total += _cpu_seconds(row["pid"])
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class Process:
    """A child process speaking lines: started, read until a line says it is ready."""

    def __init__(self, *args: str) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def read_line(self, prefix: str) -> str:
        assert self.popen.stdout is not None
        while True:
            line = self.popen.stdout.readline()
            if not line:
                raise SystemExit(f"{self.popen.args} stopped before saying {prefix!r}")
            if line.startswith(prefix):
                return line.strip()

    def tell(self, line: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(line + "\n")
        self.popen.stdin.flush()

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()


@dataclasses.dataclass
class Result:
    kind: str
    rate: float
    updates: int
    seconds: float
    latencies: list[float]
    server_cpu: float
    database_cpu: float
    #: webhook POSTs not answered 200
    refused: int
    #: updates without a reply
    unanswered: int
    #: replies that are not what the update asks for (ours: an error or refusal)
    unexpected: int
    failed_calls: int
    failures: list[str]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return math.nan
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)] * 1000


def _plan(
    kind: str, rate: float, seconds: float, first_user: int, first_update: int, url: str
) -> tuple[dict[str, Any], int]:
    """The updates of one run, in the order they are due, and the number of volunteers."""
    count = max(UPDATES_PER_VOLUNTEER, round(rate * seconds))
    volunteers = math.ceil(count / UPDATES_PER_VOLUNTEER)
    # Round-robin: each volunteer's updates are ``volunteers / rate`` seconds apart, the
    # first of them a check-in.
    updates = [
        {"chat": first_user + k % volunteers, "kind": "checkin" if k < volunteers else "handout"}
        for k in range(count)
    ]
    plan = {
        "webhook": f"{url}/telegram/webhook",
        "secret": WEBHOOK_SECRET,
        "rate": rate,
        "first_update_id": first_update,
        "updates": updates,
        "kind": kind,
    }
    return plan, volunteers


def _expected(kind: str, text: str) -> bool:
    if kind == "echo":
        return True
    # A check-in and a handout both answer with a tick; refusals and errors do not.
    return text.startswith("✅")


def _pairs(
    updates: list[dict[str, Any]], replies: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """One chat's updates (in the order they were due) with their replies: in order when
    every update has one; else a reply belongs to the update due last before it arrived,
    so the update whose reply is missing is the one left without."""
    if len(replies) >= len(updates):
        return list(zip(updates, replies, strict=False))
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    waiting = sorted(replies, key=lambda reply: reply["at"])
    for index, row in enumerate(updates):
        following = updates[index + 1]["due"] if index + 1 < len(updates) else math.inf
        if waiting and row["due"] <= waiting[0]["at"] < following:
            pairs.append((row, waiting.pop(0)))
        else:
            pairs.append((row, None))
    return pairs


def _result(
    kind: str,
    rate: float,
    load: dict[str, Any],
    replies: dict[str, Any],
    server_cpu: float,
    database_cpu: float,
) -> Result:
    by_chat: dict[int, list[dict[str, Any]]] = {}
    for message in replies["messages"]:
        by_chat.setdefault(message["chat_id"], []).append(message)
    updates = sorted(load["updates"], key=lambda row: row["due"])
    by_update: dict[int, list[dict[str, Any]]] = {}
    for row in updates:
        by_update.setdefault(row["chat"], []).append(row)
    failures: list[str] = []
    latencies: list[float] = []
    refused = unanswered = unexpected = 0
    last_reply = load["start"]
    for row in updates:
        if row["status"] != 200:
            refused += 1
            failures.append(f"update to {row['chat']}: HTTP {row['status']} {row.get('error', '')}")
    for chat, sent in by_update.items():
        for row, reply in _pairs(sent, by_chat.get(chat, [])):
            if reply is None:
                unanswered += 1
                failures.append(f"update to {chat}: no reply")
                continue
            if not _expected(kind, reply["text"]):
                unexpected += 1
                failures.append(f"reply to {chat}: {reply['text'][:120]!r}")
            latencies.append(reply["at"] - row["due"])
            last_reply = max(last_reply, reply["at"])
    failures.extend(
        f"API {call['method']}: {call['status']} {call['description']}"
        for call in replies["failed_calls"]
    )
    failures.extend(replies["internal_errors"])
    return Result(
        kind=kind,
        rate=rate,
        updates=len(updates),
        seconds=last_reply - load["start"],
        latencies=latencies,
        server_cpu=server_cpu,
        database_cpu=database_cpu,
        refused=refused,
        unanswered=unanswered,
        unexpected=unexpected,
        failed_calls=len(replies["failed_calls"]),
        failures=failures,
    )


class Bench:
    def __init__(self, admin_url: str, database_url: str, fake: Process, work: Path) -> None:
        self.admin_url = admin_url
        self.database_url = database_url
        self.database = database_url.rsplit("/", 1)[1]
        self.fake = fake
        self.work = work
        self.next_user = FIRST_USER
        self.next_update = 1
        self.runs = 0

    async def run(
        self, kind: str, server: Process, url: str, rate: float, seconds: float, *, fail: bool
    ) -> Result:
        plan, volunteers = _plan(kind, rate, seconds, self.next_user, self.next_update, url)
        self.next_user += volunteers
        self.next_update += len(plan["updates"])
        self.runs += 1
        plan_path = self.work / f"plan-{self.runs}.json"
        out_path = self.work / f"load-{self.runs}.json"
        replies_path = self.work / f"replies-{self.runs}.json"
        plan_path.write_text(json.dumps(plan))
        if fail:
            # One reply refused by "Telegram": the run goes on and the table counts it.
            self.fake.tell("fail sendMessage")
            self.fake.read_line("OK")
        cpu_before = _cpu_seconds(server.popen.pid)
        database_before = await _database_cpu(self.admin_url, self.database)
        await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "bench/bot_load.py",
                "--plan",
                str(plan_path),
                "--out",
                str(out_path),
            ],
            cwd=ROOT,
            check=True,
        )
        server_cpu = _cpu_seconds(server.popen.pid) - cpu_before
        database_cpu = await _database_cpu(self.admin_url, self.database) - database_before
        self.fake.tell(f"dump {replies_path}")
        self.fake.read_line("OK")
        load = json.loads(out_path.read_text())
        replies = json.loads(replies_path.read_text())
        return _result(kind, rate, load, replies, server_cpu, database_cpu)


async def _written(url: str) -> dict[str, int]:
    """What the runs wrote: check-ins really made and handout lines."""
    connection = await asyncpg.connect(_pg(url))
    try:
        row = await connection.fetchrow(
            "SELECT (SELECT COUNT(*) FROM assignment WHERE status = 'checked_in') AS checked_in,"
            " (SELECT COUNT(*) FROM assignment) AS assignments,"
            " (SELECT COUNT(*) FROM stock_movement WHERE kind = 'handout') AS handouts"
        )
    finally:
        await connection.close()
    return dict(row)


def _users_needed(loads: list[float], seconds: float) -> int:
    per_kind = sum(
        math.ceil(max(UPDATES_PER_VOLUNTEER, round(rate * s)) / UPDATES_PER_VOLUNTEER)
        for rate, s in [(WARM_UP_RATE, WARM_UP_SECONDS), *((load, seconds) for load in loads)]
    )
    return per_kind * len(KINDS)


def _table(results: list[Result], loads: list[float]) -> list[str]:
    lines = [
        "| offered load | bot | updates | answered/s | p50 ms | p95 ms | p99 ms "
        "| bot CPU ms/update | PostgreSQL CPU ms/update | failures |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        failures = result.refused + result.unanswered + result.unexpected + result.failed_calls
        lines.append(
            f"| {result.rate:g}/s | {result.kind} | {result.updates} | {result.throughput:.1f}"
            f" | {result.percentile(0.5):.0f} | {result.percentile(0.95):.0f}"
            f" | {result.percentile(0.99):.0f}"
            f" | {result.server_cpu / max(1, result.updates) * 1000:.2f}"
            f" | {result.database_cpu / max(1, result.updates) * 1000:.2f}"
            f" | {failures} |"
        )
    lines += ["", "| offered load | throughput ours/echo | p99 ours/echo | CPU ours/echo |"]
    lines.append("|---|---|---|---|")
    for load in loads:
        echo = next(r for r in results if r.kind == "echo" and r.rate == load)
        ours = next(r for r in results if r.kind == "ours" and r.rate == load)
        lines.append(
            f"| {load:g}/s | {ours.throughput / echo.throughput:.2f}"
            f" | {ours.percentile(0.99) / echo.percentile(0.99):.2f}"
            f" | {ours.server_cpu / max(echo.server_cpu, 1e-9):.2f} |"
        )
    return lines


def _goals(results: list[Result], loads: list[float]) -> list[str]:
    lines = []
    met = total = 0
    for load in loads:
        echo = next(r for r in results if r.kind == "echo" and r.rate == load)
        ours = next(r for r in results if r.kind == "ours" and r.rate == load)
        ratio = ours.throughput / echo.throughput
        total += 1
        met += ratio >= TARGET_RATIO
        lines.append(
            f"- {load:g}/s: throughput {ratio:.2f} × echo (goal ≥ {TARGET_RATIO}): "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}"
        )
        if load == TARGET_P99_LOAD:
            total += 1
            p99 = ours.percentile(0.99)
            met += p99 < TARGET_P99_MS
            lines.append(
                f"- {load:g}/s: p99 {p99:.0f} ms (goal < {TARGET_P99_MS:.0f} ms): "
                f"{'met' if p99 < TARGET_P99_MS else 'NOT met'}"
            )
    lines.append(f"{met}/{total} goals met")
    return lines


async def main(
    admin_url: str, loads: list[float], seconds: float, url_options: str, fail_one: bool
) -> int:
    users = _users_needed(loads, seconds)
    async with scratch_database(admin_url) as url:
        await db.migrate(url)
        await db.init_db(url)
        try:
            await _seed(users // len(KINDS) * len(KINDS))
        finally:
            await db.close_db()
        processes: list[Process] = []
        try:
            fake = Process(
                "bench/fake_telegram_server.py", "--users", f"{FIRST_USER}:{FIRST_USER + users}"
            )
            processes.append(fake)
            api = fake.read_line("URL ").split(" ", 1)[1] + "/bot"
            servers: dict[str, tuple[Process, str]] = {}
            for kind in KINDS:
                port = _free_port()
                server = Process(
                    "bench/bot_server.py", "--kind", kind, "--port", str(port),
                    "--database", f"{url}?{url_options}" if url_options else url,
                    "--api", api,
                )  # fmt: skip
                processes.append(server)
                server.read_line("READY")
                servers[kind] = (server, f"http://127.0.0.1:{port}")
            with tempfile.TemporaryDirectory(prefix="bench-bot-") as work:
                bench = Bench(admin_url, url, fake, Path(work))
                for kind in KINDS:
                    await bench.run(kind, *servers[kind], WARM_UP_RATE, WARM_UP_SECONDS, fail=False)
                results = []
                for load in loads:
                    for kind in KINDS:
                        fail = fail_one and load == loads[0]
                        result = await bench.run(kind, *servers[kind], load, seconds, fail=fail)
                        results.append(result)
                        print(
                            f"{kind} at {load:g}/s: p99 {result.percentile(0.99):.0f} ms",
                            file=sys.stderr,
                            flush=True,
                        )
            written = await _written(url)
        finally:
            for process in reversed(processes):
                process.stop()
    load_average = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"Bot by webhook, {STATIONS} stations, PostgreSQL, open loop, {seconds:g} s per load; "
        f"a quarter check-ins, three quarters two-item handouts; load average {load_average}"
    )
    print()
    print("\n".join(_table(results, loads)))
    print()
    print(
        f"Written by our bot (warm-up included): {written['checked_in']} check-ins"
        f" (of {written['assignments']} assignments), {written['handouts']} handout lines."
    )
    failures = [line for result in results for line in result.failures]
    if failures:
        print()
        print(f"Failures ({len(failures)}), the first ten:")
        for line in failures[:10]:
            print(f"- {line}")
    print()
    goals = _goals(results, loads)
    print("\n".join(goals))
    met, total = (int(n) for n in goals[-1].split()[0].split("/"))
    return 0 if met == total else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--loads", default="10,50,100", help="offered loads in updates/s (10,50,100)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="seconds per load (20)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WAYSTATION_BENCH_POSTGRES_URL", DEFAULT_URL),
        help="a PostgreSQL server and maintenance database to create the bench database from",
    )
    parser.add_argument(
        "--fail-one",
        action="store_true",
        help="refuse one reply of each bot at the first load, to see a failure reported",
    )
    parser.add_argument(
        "--database-options",
        default="",
        help="query options of the bot's database URL, e.g. maxsize=10 (tortoise's pool size)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = _arguments()
    loads = [float(value) for value in args.loads.split(",")]
    sys.exit(
        asyncio.run(
            main(args.postgres_url, loads, args.seconds, args.database_options, args.fail_one)
        )
    )
