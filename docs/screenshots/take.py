"""Screenshots of the coordinators' main pages, for the README.

    .venv/bin/python docs/screenshots/take.py [--out DIR] [--full-page]

Loads the demo province (``waystation demo``) into a temporary SQLite database, with the
clock frozen on the morning of 29 Tết 2027 so the campaign is under way, puts a few messages
in the outbox (sent, failed, waiting) so the notifications page has something to show, serves
the app with uvicorn on a free local port and signs an administrator in through the real
sign-in form in Debian's headless Chromium (``/usr/bin/chromium``; Playwright never
downloads a browser). Desktop shots are 1280×800; the overview is also taken on a phone
(390×844). Vietnamese is the default language; the overview is taken in English too.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from playwright.async_api import Browser, Page, ViewportSize, async_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from stations import clock, db  # noqa: E402
from stations.enums import AssignmentStatus  # noqa: E402
from stations.models import Assignment, Campaign, Station, Volunteer  # noqa: E402
from stations.services import dispatch  # noqa: E402
from stations.services.actor import Actor  # noqa: E402
from stations.services.demo import load_demo  # noqa: E402
from stations.services.invites import create_invite, redeem_invite  # noqa: E402
from stations.services.reminders import materialise_reminders  # noqa: E402
from stations.services.users import create_user  # noqa: E402
from stations.settings import Settings  # noqa: E402
from stations.web.app import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
#: 29 Tết Đinh Mùi (5 February 2027), 10:30 in Vietnam: the busiest travel day of the year.
MOMENT = dt.datetime(2027, 2, 5, 10, 30, tzinfo=clock.VN_TZ)
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
ADMIN_EMAIL = "admin@dongthap.example.vn"
ADMIN_PASSWORD = "screenshots only, never deployed"
ACTOR = Actor.system("screenshots")
#: Volunteers who have linked Telegram, so the outbox has messages for them.
LINKED_VOLUNTEERS = 12


@dataclass(frozen=True)
class Subjects:
    """The rows the pages are about."""

    campaign: Campaign
    station: Station
    volunteer: Volunteer
    #: last year's Tết, closed: its report has the funds, forces, units and partners
    previous: Campaign


async def prepare(url: str) -> Subjects:
    """Migrate, load the demo, add an admin and an outbox with a little history."""
    await db.migrate(url)
    await db.init_db(url)
    started = time.perf_counter()
    demo = await load_demo(by=ACTOR)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    await create_user(
        email=ADMIN_EMAIL,
        password=ADMIN_PASSWORD,
        role="admin",
        full_name="Nguyễn Thị Hồng",
        by=ACTOR,
    )
    campaign = demo.campaign
    station = await Station.filter(campaign=campaign).order_by("code").first()
    assert station is not None, "the demo campaign has no station"
    served = (
        await Assignment.filter(shift__station=station, status=AssignmentStatus.CHECKED_OUT)
        .order_by("volunteer_id")
        .prefetch_related("volunteer")
        .first()
    )
    assert served is not None, "nobody has served at the demo's first station yet"
    await fill_outbox(campaign)
    return Subjects(campaign, station, served.volunteer, demo.previous_campaign)


async def fill_outbox(campaign: Campaign) -> None:
    """Shift reminders (the scheduler's own service writes them) for volunteers who linked
    Telegram through a real invite: the ones due by now sent, one to a volunteer who has
    blocked the bot, the later ones still waiting."""
    now = clock.now()
    upcoming = (
        await Assignment.filter(
            shift__station__campaign=campaign,
            shift__starts_at__gt=now,
            shift__starts_at__lte=now + dt.timedelta(hours=4),
            status__in=[AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED],
        )
        .order_by("shift__starts_at", "id")
        .prefetch_related("volunteer")
    )
    linked: set[int] = set()
    for assignment in upcoming:
        if len(linked) == LINKED_VOLUNTEERS:
            break
        if assignment.volunteer_id in linked:
            continue
        invite = await create_invite(assignment.volunteer, by=ACTOR)
        telegram_id = 7_000_000_000 + assignment.volunteer_id
        await redeem_invite(invite.token, telegram_user_id=telegram_id, chat_id=telegram_id)
        linked.add(assignment.volunteer_id)
    await materialise_reminders(
        now=now - dt.timedelta(hours=1), lead_hours=[4, 2], horizon=dt.timedelta(hours=5)
    )
    claimed = await dispatch.claim_due(now=now)
    for index, message in enumerate(claimed.claimed):
        if index == 0:
            await dispatch.mark_blocked(
                message,
                error="Forbidden: bot was blocked by the user",
                coordinator_chat_id=None,
                language="vi",
                now=now,
            )
        else:
            await dispatch.mark_sent(message, now=now)


@asynccontextmanager
async def serving(url: str) -> AsyncIterator[str]:
    """The app on a free local port, in this event loop; its base URL."""
    settings = Settings(
        database_url=url, secret_key="s" * 40, bot_username="waystation_dongthap_bot"
    )
    app = create_app(settings, manage_database=False)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve(sockets=[listener]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        listener.close()


async def signed_in_page(browser: Browser, base_url: str, viewport: ViewportSize) -> Page:
    context = await browser.new_context(
        base_url=base_url,
        viewport=viewport,
        locale="vi-VN",
        is_mobile=viewport["width"] < 600,
        has_touch=viewport["width"] < 600,
    )
    page = await context.new_page()
    await page.goto("/signin?lang=vi")
    await page.get_by_label("Địa chỉ e-mail").fill(ADMIN_EMAIL)
    await page.get_by_label("Mật khẩu").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url("**/campaigns")
    return page


async def shoot(page: Page, path: str, target: Path, *, full_page: bool) -> None:
    response = await page.goto(path)
    if response is None or response.status != 200:
        status = response.status if response else "no response"
        raise SystemExit(f"{path} answered {status}: no screenshot of a broken page")
    await page.screenshot(path=str(target), full_page=full_page)
    print(f"{target.name}: {path}", file=sys.stderr)


async def take(out: Path, *, full_page: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="waystation-shots-") as tmp:
        url = f"sqlite://{Path(tmp) / 'demo.sqlite3'}"
        subjects = await prepare(url)
        campaign_id, station_id = subjects.campaign.id, subjects.station.id
        monday = clock.today_local() - dt.timedelta(days=clock.today_local().weekday())
        vietnamese = [
            ("overview-vi.png", f"/campaigns/{campaign_id}"),
            ("shift-planner-vi.png", f"/stations/{station_id}/shifts?from={monday}"),
            ("station-sheet-vi.png", f"/stations/{station_id}/sheet"),
            ("volunteer-vi.png", f"/volunteers/{subjects.volunteer.id}"),
            ("inventory-vi.png", f"/stations/{station_id}/inventory"),
            ("report-vi.png", f"/campaigns/{campaign_id}/report"),
            # Last Tết's closed report, from its funds down: forces, units, partners.
            ("report-2026-vi.png", f"/campaigns/{subjects.previous.id}/report#funds-title"),
            ("funds-2026-vi.png", f"/campaigns/{subjects.previous.id}/funds"),
            ("notifications-vi.png", "/notifications"),
        ]
        try:
            async with serving(url) as base_url, async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                desktop = await signed_in_page(browser, base_url, DESKTOP)
                for name, path in vietnamese:
                    await shoot(desktop, path, out / name, full_page=full_page)
                await shoot(
                    desktop,
                    f"/campaigns/{campaign_id}?lang=en",
                    out / "overview-en.png",
                    full_page=full_page,
                )
                phone = await signed_in_page(browser, base_url, PHONE)
                await shoot(
                    phone,
                    f"/campaigns/{campaign_id}",
                    out / "overview-phone-vi.png",
                    full_page=full_page,
                )
                await browser.close()
        finally:
            await db.close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent, help="folder for the PNGs"
    )
    parser.add_argument(
        "--full-page", action="store_true", help="the whole page, not just the first screen"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    # Set before the event loop starts, so every task (uvicorn's included) reads this "now".
    clock.set_clock(clock.FrozenClock(MOMENT))
    asyncio.run(take(args.out, full_page=args.full_page))


if __name__ == "__main__":
    main()
