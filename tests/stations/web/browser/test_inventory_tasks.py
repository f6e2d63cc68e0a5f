"""A station's inventory on a phone (390 px wide), in a real browser: the summary, one task
per page, a refused receipt and a recorded one.

The ``page`` fixture also fails a test on any 5xx answer, script error or
Content-Security-Policy violation the browser saw.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import BrowserContext, Page, expect

from stations.enums import UnitKind
from stations.models import Station, StockMovement, User
from tests.factories import make_campaign, make_item, make_station, make_unit
from tests.stations.web.browser.conftest import PageProblems
from tests.stations.web.helpers import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
async def phone(browser_context: BrowserContext) -> Page:
    """A tab 390 px wide, as on a common phone; the test fails if the page logged an error."""
    problems = PageProblems()
    tab = await browser_context.new_page()
    await tab.set_viewport_size(PHONE)
    problems.watch(tab)
    yield tab
    assert problems.messages == []


@pytest.fixture
async def station_and_lead(db: object) -> tuple[Station, User]:
    unit = await make_unit(
        code="HONGNGU", name="Công an phường An Lạc", kind=UnitKind.COMMUNE_POLICE
    )
    station = await make_station(await make_campaign(), code="BX01", name="Trạm Bến xe", unit=unit)
    await make_item("water")
    user = await make_user(role="coordinator", unit=unit, email="mai@example.vn")
    return station, user


async def fits_the_width(page: Page) -> bool:
    """Nothing on the page makes it scroll sideways."""
    return await page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


async def sign_in(page: Page, user: User) -> None:
    await page.goto("/signin?lang=en")
    await page.get_by_label("E-mail address").fill(user.email)
    await page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/campaigns$"))


async def test_a_receipt_on_a_phone_refused_then_recorded(phone: Page, station_and_lead) -> None:
    station, user = station_and_lead
    await sign_in(phone, user)
    await phone.goto(f"/stations/{station.id}/inventory")
    assert await fits_the_width(phone)

    # A task per page: the summary's button opens the receipt alone.
    await phone.get_by_role("link", name="Record a receipt").click()
    await expect(phone.get_by_role("heading", level=1)).to_have_text("Record a receipt")
    assert await fits_the_width(phone)
    await phone.get_by_label("Supply item").select_option(label="Bottled water (bottle)")
    quantity = phone.get_by_label("Quantity received")
    await quantity.fill("0")
    await phone.get_by_role("button", name="Record the receipt").click()

    # Refused: the errors are listed at the top, and beside the field with what was typed.
    summary = phone.get_by_role("alert")
    message = "Quantity must be a whole number between 1 and 1,000,000."
    await expect(summary).to_contain_text(message)
    summary_box = await summary.bounding_box()
    field_box = await quantity.bounding_box()
    assert summary_box is not None and field_box is not None
    assert summary_box["y"] + summary_box["height"] <= field_box["y"]
    assert summary_box["y"] < PHONE["height"]
    await expect(quantity).to_have_value("0")
    await expect(quantity).to_have_attribute("aria-invalid", "true")
    await expect(quantity).to_have_accessible_description(re.compile(re.escape(message)))
    await expect(phone.get_by_label("Supply item")).to_have_value(re.compile(r"\d+"))
    assert await fits_the_width(phone)
    assert await StockMovement.all().count() == 0

    # Recorded: back to the summary, whose message names what was recorded.
    await quantity.fill("240")
    await phone.get_by_role("button", name="Record the receipt").click()
    await expect(phone).to_have_url(re.compile(rf"/stations/{station.id}/inventory$"))
    await expect(phone.get_by_role("status").first).to_have_text(
        "Receipt recorded: Bottled water, 240 (bottle). Stock on record: 240."
    )
    stock = phone.get_by_role("table").first
    await expect(stock.get_by_role("row", name=re.compile("Bottled water"))).to_contain_text("240")
    assert await fits_the_width(phone)
