"""Screenshots of the travellers' pages, and of what coordinators see of them.

    .venv/bin/python docs/screenshots/take_travellers.py [--out DIR]

Loads the demo province into a temporary SQLite database like ``take.py`` (whose helpers it
uses), on the same frozen morning of 29 Tết 2027, and drives Debian's headless Chromium: on a
phone (390×844) whose location is on Quốc lộ 30 at Cao Lãnh, the find page after the
"Stations near me" tap, a station's page and its rating form; on a desktop, signed in, the
closed 2026 campaign's travellers' feedback and the station sheet with both QR codes.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))

from take import (
    CHROMIUM,
    DESKTOP,
    MOMENT,
    PHONE,
    prepare,
    serving,
    shoot,
    signed_in_page,
)

from stations import clock, db
from stations.enums import CampaignStatus
from stations.models import Campaign, Station

#: A traveller on Quốc lộ 30, a few kilometres before Cao Lãnh.
TRAVELLER = {"latitude": 10.4600, "longitude": 105.6330}


async def take(out: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="waystation-shots-") as tmp:
        url = f"sqlite://{Path(tmp) / 'demo.sqlite3'}"
        subjects = await prepare(url)
        closed = await Campaign.get(status=CampaignStatus.CLOSED)
        station = await Station.get(campaign_id=subjects.campaign.id, code="CL01")
        try:
            async with serving(url) as base_url, async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                context = await browser.new_context(
                    base_url=base_url,
                    viewport=PHONE,
                    is_mobile=True,
                    has_touch=True,
                    locale="vi-VN",
                    geolocation=TRAVELLER,
                    permissions=["geolocation"],
                )
                phone = await context.new_page()
                await phone.goto("/public/stations")
                await phone.get_by_role("button", name="Trạm gần tôi").click()
                await phone.wait_for_url("**lat=*")
                await phone.screenshot(path=str(out / "travellers-find-phone-vi.png"))
                print("travellers-find-phone-vi.png: after the tap", file=sys.stderr)
                await shoot(
                    phone,
                    f"/public/stations/{station.code}?lang=en",
                    out / "travellers-station-phone-en.png",
                    full_page=False,
                )
                await shoot(
                    phone,
                    f"/public/stations/{station.code}/feedback?lang=vi",
                    out / "travellers-feedback-phone-vi.png",
                    full_page=True,
                )
                desktop = await signed_in_page(browser, base_url, DESKTOP)
                await shoot(
                    desktop,
                    f"/campaigns/{closed.id}/feedback",
                    out / "travellers-feedback-coordinators-vi.png",
                    full_page=False,
                )
                await shoot(
                    desktop,
                    f"/stations/{station.id}/sheet",
                    out / "station-sheet-vi.png",
                    full_page=True,
                )
                await browser.close()
        finally:
            await db.close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent, help="folder for the PNGs"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    clock.set_clock(clock.FrozenClock(MOMENT))
    asyncio.run(take(args.out))


if __name__ == "__main__":
    main()
