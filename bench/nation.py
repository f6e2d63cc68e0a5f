"""Nationwide benchmark (issue 13): every coordinator screen and the reminder wave at 1,000 stations.

    .venv/bin/python bench/nation.py [--postgres-url postgres://postgres@127.0.0.1:5432/postgres]
                                     [--runs 3] [--requests 30] [--scale 1.0]

1. Builds the nationwide dataset (``bench/nation_data.py``: 1,000 stations, 100,000
   volunteers, 36,000 shifts, 160,000 assignments, 500,000 ledger lines; ``--scale`` shrinks
   it) in a scratch PostgreSQL database, and prints how long that took.
2. Serves the app with one uvicorn worker in a subprocess (``bench/web.py``'s
   ``server_process``), the clock frozen on the dataset's Tết morning, with a baseline: a
   bare endpoint of the same app returning one row of the same database.
3. Measures, with sequential requests (one at a time, so the server's CPU time divides
   cleanly), each of: the baseline; the campaign overview as an admin and as a province
   coordinator; a unit's station list (a ward, and a province's page 2); the report API; the
   travellers' station page and find page. For each: wall p50/p95, **server CPU per
   request** (the server process's utime + stime from ``/proc`` before and after),
   **PostgreSQL CPU per request** (the same for the backends of the app's connections),
   bytes, and ratios to the baseline of the same run. Wall time follows the machine's load;
   CPU per request much less.
4. The 20,000-reminder wave with a compressed clock (``bench.dispatch.measure_wave``, each run
   in a fresh database of its own) when that module provides it, else "not available"; and
   the scheduler's reminders job (``scheduler.jobs``) on this dataset: it writes the
   morning's reminders once after the build, then each run times ``--job-runs`` runs of it a
   minute apart with nothing new (``bench/nation_jobs.py``). A page that answers 404, or
   ignores its unit filter (not built yet), is "not available" too.
5. The server's resident memory after all runs.

``--runs N`` repeats step 3–4 N times and prints min/median/max; a goal is judged on the
*worst* run. The last line is ``N/M goals met``; a measure not available does not meet its goal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib
import inspect
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse, Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from bench.baseline import baseline_route  # noqa: E402
from bench.nation_data import NationInfo, build_nation  # noqa: E402
from bench.nation_jobs import QuietRuns, time_quiet_runs, write_morning_reminders  # noqa: E402
from bench.scratch_database import scratch_database  # noqa: E402
from bench.web import postgres_version, server_process  # noqa: E402
from stations import clock, db  # noqa: E402
from stations.settings import Settings  # noqa: E402
from stations.web.app import create_app  # noqa: E402

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "bench-" + "k" * 40
#: The server subprocess learns the dataset's frozen moment from its environment.
NOW_VARIABLE = "WAYSTATION_BENCH_NOW"
WARMUP = 3
#: The baseline costs about a millisecond of CPU: more requests, so /proc's 10 ms ticks
#: still divide it finely.
BASELINE_REQUESTS = 300
#: One web process must fit beside PostgreSQL, a second replica, the bot and the scheduler on
#: the 2-core, 4 GB machine a province rents: 500 MB is an eighth of it.
RSS_LIMIT_MB = 500.0
TICKS = os.sysconf("SC_CLK_TCK")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- the server --------------------------------------------------------------------------


def serve(url: str, port: int, campaign_id: int) -> None:
    """The subprocess: the app, the baseline and its own pid, on the frozen clock."""
    import uvicorn

    async def pid(request: Request) -> Response:
        return JSONResponse({"pid": os.getpid()})

    clock.set_clock(clock.FrozenClock(dt.datetime.fromisoformat(os.environ[NOW_VARIABLE])))
    app = create_app(
        Settings(database_url=url, secret_key=SECRET_KEY),
        routes=[
            baseline_route(campaign_id),
            Route("/bench/pid", pid, methods=["GET"]),
        ],
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name may hold spaces: the fields that follow start after its ")".
        fields = stat.read().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / TICKS


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    values: dict[str, float] = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _colon, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def backend_cpu(database: asyncpg.Connection | None) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend on ``database``'s database but its own.

    The server's CPU leaves out what its queries cost PostgreSQL; the backends' own CPU
    (PostgreSQL runs on this host) tells that half. Backends that come and go between two
    readings (parallel workers) are missed."""
    if database is None:
        return {}
    rows = await database.fetch(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    seconds = {}
    for row in rows:
        with contextlib.suppress(OSError):  # it ended between the two reads
            seconds[row["pid"]] = cpu_seconds(row["pid"])
    return seconds


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> None:
    form = await client.get("/signin")
    token = _CSRF.search(form.text)
    if token is None:
        raise SystemExit("the sign-in form carries no CSRF token")
    answer = await client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )
    if answer.status_code != 303:
        raise SystemExit(f"signing in as {email} answered {answer.status_code}")


# --- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One measure in one run; ``problem`` set when it could not be measured."""

    latencies_ms: list[float] = field(default_factory=list)
    cpu_ms: float = 0.0  # server CPU per request
    #: CPU per request of the PostgreSQL backends serving the app (same host: /proc)
    database_cpu_ms: float = 0.0
    size: int = 0  # bytes of the answer's body
    problem: str = ""

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def sample(
    client: httpx.AsyncClient,
    path: str,
    *,
    pid: int,
    requests: int,
    headers: dict[str, str] | None = None,
    absent: str | None = None,
    database: asyncpg.Connection | None = None,
) -> Sample:
    first = await client.get(path, headers=headers)
    if first.status_code == 404:
        return Sample(problem="not available (404)")
    if first.status_code != 200:
        return Sample(problem=f"answered {first.status_code}")
    if absent is not None and absent in first.text:
        return Sample(
            problem=f"not available (the filter is ignored: {absent}, of another province, is listed)"
        )
    for _ in range(WARMUP):
        await client.get(path, headers=headers)
    latencies = []
    database_before = await backend_cpu(database)
    before = cpu_seconds(pid)
    for _ in range(requests):
        started = time.perf_counter()
        answer = await client.get(path, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            return Sample(problem=f"answered {answer.status_code} during the run")
    spent = cpu_seconds(pid) - before
    database_after = await backend_cpu(database)
    database_spent = sum(
        seconds - database_before.get(backend, 0.0) for backend, seconds in database_after.items()
    )
    return Sample(
        latencies,
        spent * 1000 / requests,
        database_spent * 1000 / requests,
        len(first.content),
    )


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    client: str  # "admin", "province", "anonymous", "bearer"
    p95_goal_ms: float | None
    size_goal_kb: float | None = None
    #: a text the answer must not hold (a station outside the unit asked for)
    absent: str | None = None


def pages(info: NationInfo) -> list[Page]:
    campaign = info.campaign_id
    return [
        Page("baseline (one row)", "/bench/baseline", "anonymous", None),
        Page("overview, admin", f"/campaigns/{campaign}", "admin", 300, 300),
        Page("overview, province coordinator", f"/campaigns/{campaign}", "province", 300, 300),
        Page(
            "station list, one ward",
            f"/campaigns/{campaign}/stations?unit={info.ward_unit_id}",
            "admin",
            300,
            300,
            absent=info.outside_station_code,
        ),
        Page(
            "station list, province, page 2",
            f"/campaigns/{campaign}/stations?unit={info.province_unit_id}&page=2",
            "admin",
            300,
            300,
            absent=info.outside_station_code,
        ),
        Page("report API", f"/api/v1/campaigns/{campaign}/report", "bearer", 200),
        Page("public station page", f"/public/stations/{info.station_code}", "anonymous", 50),
        Page("public find page, nearest", "/public/stations?lat=10.46&lon=105.63", "anonymous", 50),
    ]


def find_measure(module_name: str, names: tuple[str, ...]) -> Callable[..., Any] | None:
    """The first of ``names`` that ``module_name`` provides; None when the module or the
    function is not there (yet: other work of issue 13 adds them)."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    for name in names:
        function = getattr(module, name, None)
        if callable(function):
            return function
    return None


async def call_measure(function: Callable[..., Any], **options: Any) -> Any:
    """``function`` called with those of ``options`` its signature takes: awaited when it is
    a coroutine function, else in a thread (it may run an event loop of its own)."""
    accepted = inspect.signature(function).parameters
    chosen = {k: v for k, v in options.items() if k in accepted}
    if inspect.iscoroutinefunction(function):
        return await function(**chosen)
    return await asyncio.to_thread(function, **chosen)


def wave_text(wave: Any) -> str:
    """A wave's result in one line (the figures its goals read, and what it cost)."""
    if wave is None:
        return "not available"
    if isinstance(wave, str):
        return wave  # what went wrong
    figures = {
        "on time": ("on_time_share", "{:.1%}"),
        "lateness p99": ("lateness_p99", "{:.0f} s"),
        "429": ("count_429", "{:.0f}"),
        "sent": ("sent", "{:.0f}"),
        "replicas": ("replicas", "{:.0f}"),
        "compressed run": ("wall_seconds", "{:.0f} s"),
    }
    shown = [
        f"{label} {fmt.format(value)}"
        for label, (key, fmt) in figures.items()
        if (value := _value(wave, key)) is not None
    ]
    return ", ".join(shown) or str(wave)


def _value(result: Any, *keys: str) -> float | None:
    """The first of ``keys`` in a measure's result dict, as a number."""
    if not isinstance(result, dict):
        return None
    for key in keys:
        if isinstance(result.get(key), int | float):
            return float(result[key])
    return None


# --- the run -----------------------------------------------------------------------------


@dataclass
class Results:
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    waves: list[Any] = field(default_factory=list)
    reminders: list[QuietRuns] = field(default_factory=list)
    #: the scheduler clock of the reminders job's last run
    job_moment: dt.datetime = EPOCH
    rss_mb: tuple[float, float] | None = None


async def measure_run(
    base: str, url: str, info: NationInfo, args: argparse.Namespace, pid: int, results: Results
) -> None:
    database = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await _measure_pages(base, database, info, args, pid, results)
    finally:
        await database.close()


async def _measure_pages(
    base: str,
    database: asyncpg.Connection,
    info: NationInfo,
    args: argparse.Namespace,
    pid: int,
    results: Results,
) -> None:
    async with (
        httpx.AsyncClient(base_url=base, timeout=120) as anonymous,
        httpx.AsyncClient(base_url=base, timeout=120) as admin,
        httpx.AsyncClient(base_url=base, timeout=120) as province,
    ):
        await sign_in(admin, info.admin.email, info.admin.password)
        await sign_in(province, info.province_coordinator.email, info.province_coordinator.password)
        clients = {
            "anonymous": anonymous,
            "admin": admin,
            "province": province,
            "bearer": anonymous,
        }
        bearer = {"Authorization": f"Bearer {info.admin.token}"}
        for page in pages(info):
            result = await sample(
                clients[page.client],
                page.path,
                pid=pid,
                requests=BASELINE_REQUESTS if page.p95_goal_ms is None else args.requests,
                headers=bearer if page.client == "bearer" else None,
                absent=page.absent,
                database=database,
            )
            results.samples.setdefault(page.name, []).append(result)
            shown = result.problem or (
                f"p95 {result.percentile(95):.0f} ms, CPU {result.cpu_ms:.1f} ms/request "
                f"(PostgreSQL {result.database_cpu_ms:.1f}), {result.size / 1024:.0f} KB"
            )
            print(f"  {page.name}: {shown}", file=sys.stderr)


async def measure_wave_and_reminders(
    info: NationInfo, url: str, args: argparse.Namespace, results: Results
) -> None:
    wave: Any = None
    measure_wave = find_measure("bench.dispatch", ("measure_wave",))
    if measure_wave is not None:
        # Each run's wave in a database of its own, open here (measure_wave uses the
        # connections it finds open): the wave is about the outbox and Telegram's limits.
        async with scratch_database(args.postgres_url) as wave_url:
            await db.migrate(wave_url)
            await db.init_db(wave_url)
            try:
                wave = await call_measure(
                    measure_wave, database_url=wave_url, messages=args.wave_messages, replicas=1
                )
            except Exception as error:  # one failed measure is reported, the run goes on
                wave = f"failed: {type(error).__name__}: {error}"
            finally:
                await db.close_db()
    results.waves.append(wave)
    print(f"  wave: {wave_text(wave)}", file=sys.stderr)
    reminders, results.job_moment = await time_quiet_runs(
        url, started_at=info.now, after=results.job_moment, runs=args.job_runs
    )
    results.reminders.append(reminders)
    print(f"  reminders job: {reminders}", file=sys.stderr)


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    """min / median / max, or the one value."""
    if not values:
        return "–"
    if len(values) == 1:
        return fmt.format(values[0])
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def report(info: NationInfo, results: Results, args: argparse.Namespace, machine: str) -> None:
    runs = args.runs
    print(f"## Nationwide (issue 13): run of {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    print(machine + "\n")
    counts = info.counts
    print(
        f"Data: {counts['station']:,} stations, {counts['volunteer']:,} volunteers, "
        f"{counts['shift']:,} shifts, {counts['assignment']:,} assignments "
        f"({info.wave_assignments:,} in the wave starting "
        f"{info.wave_starts_at.astimezone(clock.VN_TZ):%H:%M}), {counts['stock_movement']:,} "
        f"ledger lines, {counts['service_record']:,} service records, {counts['unit']} units; "
        f"built in {info.seconds:.0f} s. Clock frozen at "
        f"{info.now.astimezone(clock.VN_TZ):%Y-%m-%d %H:%M} (Vietnam). {runs} run(s); "
        f"{args.requests} sequential requests per page per run ({BASELINE_REQUESTS} for the "
        f"baseline) after {WARMUP} warm-up requests. Cells: min / median / max over the runs.\n"
    )
    print(
        "| measure | p50 ms | p95 ms | server CPU ms/request | PostgreSQL CPU ms/request | KB "
        "| p95 × baseline | CPU × baseline |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    base = results.samples["baseline (one row)"]
    for name, samples in results.samples.items():
        good = [s for s in samples if not s.problem]
        if not good:
            print(f"| {name} | {samples[0].problem} | | | | | | |")
            continue
        pairs = [(s, b) for s, b in zip(samples, base, strict=True) if not s.problem]
        print(
            f"| {name} | {spread([s.percentile(50) for s in good])} "
            f"| {spread([s.percentile(95) for s in good])} "
            f"| {spread([s.cpu_ms for s in good], '{:.2f}')} "
            f"| {spread([s.database_cpu_ms for s in good], '{:.2f}')} "
            f"| {spread([s.size / 1024 for s in good], '{:.0f}')} "
            f"| {spread([s.percentile(95) / b.percentile(95) for s, b in pairs])} "
            f"| {spread([s.cpu_ms / max(b.cpu_ms, 0.01) for s, b in pairs])} |"
        )
    print()
    goals = judge(info, results)
    for text, met in goals:
        print(f"- {'met' if met else '**not met**'}: {text}")
    print()
    print(cpu_view(info, results) + "\n")
    print("Wave per run: " + "; ".join(wave_text(w) for w in results.waves) + "\n")
    print("Reminders job per run: " + "; ".join(str(r) for r in results.reminders) + "\n")
    print(f"{sum(met for _t, met in goals)}/{len(goals)} goals met")


def cpu_view(info: NationInfo, results: Results) -> str:
    """The page time goals judged on CPU per request (the server's and PostgreSQL's) instead
    of wall p95.

    Not the goal itself, but a page whose CPU alone exceeds its p95 goal cannot meet it on
    an idle machine either, and CPU hardly moves with the load that other work puts on a
    shared machine, where wall time does."""
    judged = []
    for page in pages(info):
        samples = [s for s in results.samples.get(page.name, []) if not s.problem]
        if page.p95_goal_ms is None or not samples:
            continue
        worst = max(s.cpu_ms + s.database_cpu_ms for s in samples)
        judged.append((page.name, worst, worst < page.p95_goal_ms))
    listed = ", ".join(f"{name} {cpu:.0f} ms" for name, cpu, _met in judged)
    met = sum(ok for _name, _cpu, ok in judged)
    return (
        "Server + PostgreSQL CPU per request against the same time goals (a load-independent "
        f"floor under wall time; worst run): {met}/{len(judged)} measured pages under their "
        f"goal — {listed}."
    )


def judge(info: NationInfo, results: Results) -> list[tuple[str, bool]]:
    """Each goal with whether its worst run meets it."""
    goals: list[tuple[str, bool]] = []
    for page in pages(info):
        samples = results.samples.get(page.name, [])
        missing = next((s.problem for s in samples if s.problem), "") or (
            "" if samples else "not measured"
        )
        if page.p95_goal_ms is not None:
            worst = max((s.percentile(95) for s in samples if not s.problem), default=0.0)
            goals.append(
                (
                    f"{page.name}: p95 < {page.p95_goal_ms:.0f} ms — "
                    + (missing or f"worst run {worst:.0f} ms"),
                    not missing and worst < page.p95_goal_ms,
                )
            )
        if page.size_goal_kb is not None:
            largest = max((s.size / 1024 for s in samples if not s.problem), default=0.0)
            goals.append(
                (
                    f"{page.name}: < {page.size_goal_kb:.0f} KB — "
                    + (missing or f"largest {largest:.0f} KB"),
                    not missing and largest < page.size_goal_kb,
                )
            )
    goals.extend(_wave_goals(results.waves))
    goals.extend(_reminder_goals(results.reminders))
    if results.rss_mb is None:
        goals.append((f"server RSS < {RSS_LIMIT_MB:.0f} MB — not measured", False))
    else:
        rss, peak = results.rss_mb
        goals.append(
            (
                f"server RSS < {RSS_LIMIT_MB:.0f} MB, its peak over all runs — peak "
                f"{peak:.0f} MB, {rss:.0f} MB at the end",
                peak < RSS_LIMIT_MB,
            )
        )
    return goals


def _worst(
    values: list[Any], pick: Callable[[Any], float | None], worst: Callable[..., float]
) -> float | None:
    found = [v for v in (pick(value) for value in values) if v is not None]
    return worst(found) if found and len(found) == len(values) else None


def _wave_goals(waves: list[Any]) -> list[tuple[str, bool]]:
    failed = next((w for w in waves if isinstance(w, str)), None)
    if not waves or any(w is None for w in waves) or failed:
        why = failed or "not available"
        return [
            (f"reminder wave: every one delivered before its due time — {why}", False),
            (f"reminder wave: 0 × 429 — {why}", False),
        ]
    count = _value(waves[0], "messages")
    label = f"wave of {count:,.0f} reminders" if count is not None else "reminder wave"
    # The keys of bench/dispatch.py's measure_wave.
    on_time = _worst(waves, lambda w: _value(w, "on_time_share"), min)
    refusals = _worst(waves, lambda w: _value(w, "count_429"), max)
    lateness = _worst(waves, lambda w: _value(w, "lateness_p99"), max)
    late_text = f", lateness p99 {lateness:.1f} s" if lateness is not None else ""
    return [
        (
            f"{label}: every one delivered before its due time — "
            + (
                f"worst run {on_time:.1%} on time{late_text}"
                if on_time is not None
                else "no on-time share in its result"
            ),
            on_time is not None and on_time >= 1.0,
        ),
        (
            f"{label}: 0 × 429 — "
            + (
                f"worst run {refusals:.0f}"
                if refusals is not None
                else "no 429 count in its result"
            ),
            refusals == 0,
        ),
    ]


def _reminder_goals(runs: list[QuietRuns]) -> list[tuple[str, bool]]:
    if not runs:
        return [("reminders job, nothing new: < 0.5 s per run — not measured", False)]
    worst = max(r.seconds for r in runs)
    created = sum(r.created for r in runs)
    return [
        (
            f"reminders job, nothing new: < 0.5 s per run — worst run {worst:.2f} s"
            + (f" (but it wrote {created} reminders: not a quiet run)" if created else ""),
            worst < 0.5 and created == 0,
        )
    ]


async def run(args: argparse.Namespace) -> None:
    out = sys.stderr
    load_before = os.getloadavg()
    scale = args.scale
    async with scratch_database(args.postgres_url) as url:
        print(f"building the nationwide dataset (scale {scale}) …", file=out)
        info = await build_nation(
            url,
            stations=round(1000 * scale),
            volunteers=round(100_000 * scale),
            shifts=round(36_000 * scale),
            assignments=round(160_000 * scale),
            ledger_lines=round(500_000 * scale),
            service_records=round(20_000 * scale),
        )
        print(f"dataset built in {info.seconds:.1f} s: {info.counts}", file=out)
        os.environ[NOW_VARIABLE] = info.now.isoformat()
        results = Results()
        written, results.job_moment = await write_morning_reminders(url, info.now)
        print(f"the reminders job's first runs wrote {written} reminders", file=out)
        async with server_process(url, info.campaign_id, script=__file__) as base:
            async with httpx.AsyncClient(base_url=base) as probe:
                pid = int((await probe.get("/bench/pid")).json()["pid"])
            for number in range(1, args.runs + 1):
                print(f"run {number} of {args.runs}", file=out)
                await measure_run(base, url, info, args, pid, results)
                await measure_wave_and_reminders(info, url, args, results)
            results.rss_mb = memory_mb(pid)
        load_after = os.getloadavg()
        machine = (
            f"Machine: {os.cpu_count()} CPUs ({platform.machine()}), Python "
            f"{platform.python_version()}, PostgreSQL {await postgres_version(args.postgres_url)}, "
            f"load average {load_before[0]:.1f} before and {load_after[0]:.1f} after (1 min); "
            "server: one uvicorn worker in a subprocess; clients: httpx in this process."
        )
    report(info, results, args, machine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WAYSTATION_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server and maintenance database; the scratch database is created and dropped "
        f"on it (default {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument("--runs", type=int, default=3, help="measurement runs (default 3)")
    parser.add_argument(
        "--requests", type=int, default=30, help="sequential requests per page per run"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="dataset size, 1.0 = 1,000 stations"
    )
    parser.add_argument("--wave-messages", type=int, default=20_000)
    parser.add_argument(
        "--job-runs", type=int, default=5, help="reminders job runs with nothing new, per run"
    )
    parser.add_argument("--serve", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--campaign-id", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.campaign_id)
        return
    if args.runs < 1 or args.requests < 1 or not 0 < args.scale <= 1:
        parser.error("--runs and --requests at least 1, --scale above 0 and at most 1")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
