"""Date and time fields read dd/mm/yyyy and 24-hour hh:mm in an English-language browser too
(issue 11): a type="date" input would show mm/dd/yyyy and AM/PM there."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from stations.models import Shift
from tests.factories import make_campaign, make_station
from tests.stations.web.browser.conftest import STEP_TIMEOUT_MS, PageProblems
from tests.stations.web.helpers import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
async def english_page(browser: Browser, live_server: str) -> AsyncIterator[Page]:
    """A tab of a browser whose language is American English (dates m/d/y, 12-hour clock)."""
    context: BrowserContext = await browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    problems = PageProblems()
    tab = await context.new_page()
    problems.watch(tab)
    try:
        yield tab
    finally:
        await context.close()
    assert problems.messages == []


async def test_shift_form_in_an_english_browser_reads_and_writes_day_first_24_hour(
    english_page: Page, db: object
) -> None:
    page = english_page
    station = await make_station(await make_campaign(), code="BX01")
    user = await make_user(role="admin", email="an@example.vn")
    await page.goto("/signin?lang=en")
    await page.get_by_label("E-mail address").fill(user.email)
    await page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/campaigns$"))

    await page.goto(f"/stations/{station.id}/shifts/new?day=2027-02-05")
    start_date = page.get_by_label("Start date")
    # The browser shows what the server wrote, in the field's own text: no locale format.
    await expect(start_date).to_have_value("05/02/2027")
    assert await start_date.get_attribute("type") == "text"
    assert await start_date.get_attribute("placeholder") == "dd/mm/yyyy"
    await page.get_by_label("Start time").fill("22:00")
    await page.get_by_label("End date").fill("06/02/2027")
    await page.get_by_label("End time").fill("06:00")
    await page.locator("[name=need_volunteer]").fill("2")
    await page.get_by_role("button", name=re.compile("^(Create|Save)")).click()

    await expect(page.get_by_role("heading", level=1)).to_contain_text(
        "22:00 05/02/2027 – 06:00 06/02/2027"
    )
    shift = await Shift.get(station_id=station.id)
    assert (shift.starts_at.isoformat(), shift.ends_at.isoformat()) == (
        "2027-02-05T15:00:00+00:00",
        "2027-02-05T23:00:00+00:00",
    )


async def test_a_date_the_browser_would_take_for_month_first_is_refused_in_words(
    english_page: Page, db: object
) -> None:
    page = english_page
    station = await make_station(await make_campaign(), code="BX02")
    user = await make_user(role="admin", email="binh@example.vn")
    await page.goto("/signin?lang=en")
    await page.get_by_label("E-mail address").fill(user.email)
    await page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/campaigns$"))

    await page.goto(f"/stations/{station.id}/shifts/new")
    await page.get_by_label("Start date").fill("02/30/2027")  # month 30: no such date
    await page.get_by_label("Start time").fill("07:00")
    await page.get_by_label("End time").fill("11:00")
    await page.locator("[name=need_volunteer]").fill("2")
    await page.get_by_role("button", name=re.compile("^(Create|Save)")).click()

    await expect(page.get_by_text("This date does not exist.").first).to_be_visible()
    assert await Shift.filter(station_id=station.id).count() == 0
