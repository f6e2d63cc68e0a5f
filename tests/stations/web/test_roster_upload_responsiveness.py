"""Other people's requests stay quick while a worst-case roster is read (issue 12).

A 5 MB roster of 19,000 valid rows used to be parsed inside the request, blocking every other
request for seconds. This test uploads one and confirms it through the real app while, on the
same event loop, a heartbeat task measures how long the loop is kept from running (the largest
gap between its ticks) and a probe keeps asking ``/healthz``. The machine may be busy with
other work, so the limits are set against a baseline measured in this same test just before.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

import httpx

from stations.models import Volunteer
from tests.stations.web.helpers import csrf_token_in, make_user, new_client, signed_in

TICK = 0.005
#: What the issue asks for other users' requests while an upload is processed.
P95_LIMIT = 0.2
#: The loop may stall this much longer than it did at rest: a full garbage collection
#: (which stops every thread), the parsing thread holding the GIL, a batch of 500 rows
#: built, the preview rendered. Parsing the file on the loop stalled it for the whole parse:
#: 3 s of a 4 s preview on the machine where this was written.
GAP_LIMIT = 0.6
#: ... or this share of the whole step, on a machine so busy that everything is slower.
GAP_SHARE = 0.2
ROWS = 19_000


@dataclass
class Load:
    gaps: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    @property
    def largest_gap(self) -> float:
        return max(self.gaps)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[-1]


async def _heartbeat(load: Load, stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(TICK)
        load.gaps.append(time.perf_counter() - started - TICK)


async def _probe(client: httpx.AsyncClient, load: Load, stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        response = await client.get("/healthz")
        load.latencies.append(time.perf_counter() - started)
        assert response.status_code == 200
        await asyncio.sleep(0.02)


async def _measured(client: httpx.AsyncClient, work: Awaitable[object]) -> tuple[Load, object]:
    load, stop = Load(), asyncio.Event()
    watchers = [
        asyncio.create_task(_heartbeat(load, stop)),
        asyncio.create_task(_probe(client, load, stop)),
    ]
    try:
        result = await work
    finally:
        stop.set()
        await asyncio.gather(*watchers)
    return load, result


def _worst_case_roster() -> bytes:
    """19,000 valid rows padded to just under 5 MB: every row parsed, checked and kept."""
    header = "Họ và tên,Số điện thoại,Tổ chức,Kỹ năng\n"
    organisation = "Đoàn Thanh niên Cộng sản Hồ Chí Minh xã Thường Thới Tiền, huyện Hồng Ngự"
    lines = [
        f"Nguyễn Thị Tình Nguyện {n},09{n:08d},{organisation} {n},"
        f"sơ cứu; hướng dẫn đường; phát nước; kiểm tra xe máy; phát loa {n % 7}\n"
        for n in range(1, ROWS + 1)
    ]
    data = (header + "".join(lines)).encode()
    assert 4 * 1024 * 1024 < len(data) <= 5 * 1024 * 1024
    return data


async def _sleep_baseline(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def test_other_requests_stay_quick_while_a_5_mb_roster_is_previewed_and_imported(app, db):
    admin = await signed_in(app, await make_user("admin"))
    visitor = new_client(app)
    content = _worst_case_roster()
    token = csrf_token_in((await admin.get("/volunteers/import")).text)

    baseline, _ = await _measured(visitor, _sleep_baseline(1.0))
    started = time.perf_counter()
    during_preview, preview = await _measured(
        visitor,
        admin.post(
            "/volunteers/import?lang=en",
            data={"action": "preview", "csrf_token": token},
            files={"file": ("roster.csv", content)},
        ),
    )
    preview_seconds = time.perf_counter() - started
    assert isinstance(preview, httpx.Response) and preview.status_code == 200
    upload = re.search(r'name="upload" value="([^"]+)"', preview.text)
    assert upload is not None and "New volunteers: 19,000" in preview.text
    started = time.perf_counter()
    during_import, confirmed = await _measured(
        visitor,
        admin.post(
            "/volunteers/import?lang=en",
            data={
                "action": "confirm",
                "upload": upload.group(1),
                "only_valid": "0",
                "csrf_token": token,
            },
            files={"unused": ("", b"")},
        ),
    )
    import_seconds = time.perf_counter() - started
    assert isinstance(confirmed, httpx.Response) and confirmed.status_code == 303
    assert await Volunteer.all().count() == ROWS
    report = (
        f"baseline p95 {baseline.p95:.3f}s gap {baseline.largest_gap:.3f}s; "
        f"preview {preview_seconds:.1f}s p95 {during_preview.p95:.3f}s "
        f"gap {during_preview.largest_gap:.3f}s; "
        f"import {import_seconds:.1f}s p95 {during_import.p95:.3f}s "
        f"gap {during_import.largest_gap:.3f}s"
    )
    print(report)
    assert during_preview.p95 < P95_LIMIT + baseline.p95, report
    for during, seconds in ((during_preview, preview_seconds), (during_import, import_seconds)):
        allowed = max(GAP_LIMIT + baseline.largest_gap, GAP_SHARE * seconds)
        assert during.largest_gap < allowed, report
    if db.backend == "postgres":
        # SQLite has one connection, which the import's transaction holds until it commits:
        # there other requests wait for the database, not for the event loop.
        assert during_import.p95 < P95_LIMIT + baseline.p95, report
