"""A coordinator's morning, in a real browser: from signing in to the overview's figures.

Everything the test arranges goes through the services (or the factories), everything it
checks is text a person reads on the page. Selectors are labels and roles, in English for
the flow (``?lang=en`` is remembered in a cookie) and in Vietnamese where the default
language is the point. The ``page`` fixture also fails a test on any 5xx answer, script
error or Content-Security-Policy violation the browser saw.

Both backends run it: about 30 s for the two, browser start and databases included.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Locator, Page, expect

from stations.enums import UnitKind
from stations.models import Campaign, Station, SupplyItem, Unit, User, Volunteer
from stations.services.actor import Actor
from stations.services.volunteers import create_volunteer
from tests.factories import make_campaign, make_item, make_unit
from tests.stations.web.helpers import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.e2e

ARRANGER = Actor.system("browser tests")


class World:
    """What the coordinator finds when they first sign in."""

    def __init__(
        self, unit: Unit, campaign: Campaign, water: SupplyItem, user: User, volunteer: Volunteer
    ) -> None:
        self.unit = unit
        self.campaign = campaign
        self.water = water
        self.user = user
        self.volunteer = volunteer


@pytest.fixture
async def world(db: object) -> World:
    unit = await make_unit(
        code="HONGNGU", name="Công an phường An Lạc", kind=UnitKind.COMMUNE_POLICE
    )
    # The campaign runs 30/01–11/02/2027 and the frozen clock says 02/02/2027 08:00.
    campaign = await make_campaign()
    water = await make_item("water")
    user = await make_user(
        role="coordinator", unit=unit, email="mai@example.vn", full_name="Trần Thị Mai"
    )
    volunteer = await create_volunteer(
        full_name="Lê Văn Bình", phone="0901234567", unit=unit, by=ARRANGER
    )
    return World(unit, campaign, water, user, volunteer)


async def sign_in(page: Page, user: User, *, lang: str | None = "en") -> None:
    await page.goto("/signin" + (f"?lang={lang}" if lang else ""))
    email, password, button = (
        ("E-mail address", "Password", "Sign in")
        if lang == "en"
        else ("Địa chỉ email", "Mật khẩu", "Đăng nhập")
    )
    await page.get_by_label(email).fill(user.email)
    await page.get_by_label(password).fill(DEFAULT_PASSWORD)
    await page.get_by_role("button", name=button).click()
    await expect(page).to_have_url(re.compile(r"/campaigns$"))


def form_named(page: Page, name: str) -> Locator:
    return page.get_by_role("form", name=name)


async def test_coordinator_flow_changes_the_overview(page: Page, world: World) -> None:
    # Sign in, open the campaign, add a station.
    await sign_in(page, world.user)
    await page.get_by_role("link", name=world.campaign.name).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(world.campaign.name)
    await page.get_by_role("link", name="All stations").click()
    await page.get_by_role("link", name="Add a station").click()
    await page.get_by_label("Code").fill("BX01")
    await page.get_by_label("Name").fill("Trạm Bến xe Hồng Ngự")
    await page.get_by_label("Address").fill("Quốc lộ 30, Hồng Ngự, Đồng Tháp")
    await page.get_by_label("Latitude").fill("10.8076")
    await page.get_by_label("Longitude").fill("105.3436")
    await page.get_by_role("button", name="Create station").click()
    await expect(page.get_by_role("status")).to_contain_text("Station Trạm Bến xe Hồng Ngự added.")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Trạm Bến xe Hồng Ngự")

    # Two days of two shifts each, one lead and three volunteers per shift.
    await page.get_by_role("link", name="Shift planner").click()
    await page.get_by_role("link", name="Generate a pattern").first.click()
    await page.get_by_label("First day").fill("2027-02-02")
    await page.get_by_label("Last day").fill("2027-02-03")
    await page.get_by_role("button", name="Create shifts").click()
    await expect(page.get_by_role("status")).to_contain_text("Shifts created: 4.")
    await expect(page.get_by_text("Shifts this week still short of people: 4.")).to_be_visible()

    # Put Lê Văn Bình on this morning's shift, found without typing the accents.
    morning = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="06:00–14:00"))
    await morning.get_by_role("link").first.click()
    await expect(page.get_by_text("Nobody is on this shift yet.")).to_be_visible()
    await page.get_by_label("Find a volunteer by name or phone").fill("le van binh")
    await page.get_by_role("button", name="Search").click()
    await page.get_by_role("button", name="Assign Lê Văn Bình").click()
    await expect(page.get_by_role("status")).to_contain_text("Lê Văn Bình is now on this shift.")
    people = page.get_by_role("table")
    await expect(people.get_by_role("row", name=re.compile("Lê Văn Bình"))).to_contain_text(
        "0901 234 567"
    )
    await expect(page.get_by_text("1/4 filled").first).to_be_visible()

    # 500 bottles arrive, 120 go to travellers (after a mistyped, refused, negative count).
    # The overview lands on the coordinator's ward; its own stations are a click away.
    await page.goto(f"/campaigns/{world.campaign.id}")
    await page.get_by_role("link", name="Stations of Công an phường An Lạc itself").click()
    station_card = page.get_by_role("article", name=re.compile("BX01"))
    await station_card.get_by_role("link", name="Record supplies").click()
    await page.get_by_role("link", name="Record a receipt").click()
    receipt = form_named(page, "Record a receipt")
    await receipt.get_by_label("Supply item").select_option(label="Bottled water (bottle)")
    await receipt.get_by_label("Quantity received").fill("500")
    await receipt.get_by_role("button", name="Record the receipt").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Receipt recorded: Bottled water, 500 (bottle). Stock on record: 500."
    )
    await page.get_by_role("link", name="Record a handout").click()
    handout = form_named(page, "Record a handout")
    await handout.get_by_label("Supply item").select_option(label="Bottled water (bottle)")
    await handout.get_by_label("Quantity handed out").fill("-120")
    await handout.get_by_role("button", name="Record the handout").click()
    handout = form_named(page, "Record a handout")
    quantity = handout.get_by_label("Quantity handed out")
    await expect(quantity).to_have_attribute("aria-invalid", "true")
    await expect(quantity).to_have_value("-120")
    await expect(quantity).to_have_accessible_description(
        re.compile(re.escape("Quantity must be a whole number between 1 and"))
    )
    await quantity.fill("120")
    await handout.get_by_role("button", name="Record the handout").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Handout recorded: Bottled water, 120 (bottle). Stock on record: 380."
    )
    stock = page.get_by_role("table").first
    await expect(stock.get_by_role("row", name=re.compile("Bottled water"))).to_contain_text("380")

    # The overview now shows today's handouts in the ward's row, the card the stock on hand.
    await page.goto(f"/campaigns/{world.campaign.id}")
    await expect(page.get_by_text("Today is 02/02/2027")).to_be_visible()
    own = page.get_by_role("row", name=re.compile("Stations of Công an phường An Lạc itself"))
    await expect(own).to_contain_text("Bottled water: 120 bottles")
    await expect(own.get_by_role("cell").nth(1)).to_have_text("1/8")  # two shifts today
    await own.get_by_role("link").first.click()
    station_card = page.get_by_role("article", name=re.compile("BX01"))
    water_row = station_card.get_by_role("row", name=re.compile("Bottled water"))
    await expect(water_row.get_by_role("cell").nth(0)).to_contain_text("380")
    await expect(water_row.get_by_role("cell").nth(1)).to_have_text("120")
    await expect(station_card).to_contain_text("1 of 4 filled")


async def test_station_form_bad_latitude_shows_translated_error_beside_field(
    page: Page, world: World
) -> None:
    await sign_in(page, world.user, lang=None)
    await page.goto(f"/campaigns/{world.campaign.id}/stations/new")
    await page.get_by_label("Mã").fill("BX02")
    await page.get_by_label("Tên").fill("Trạm Cầu Cao Lãnh")
    await page.get_by_label("Vĩ độ").fill("95")
    await page.get_by_label("Kinh độ").fill("105.6")

    await page.get_by_role("button", name="Tạo trạm").click()

    latitude = page.get_by_label("Vĩ độ")
    await expect(latitude).to_have_attribute("aria-invalid", "true")
    await expect(latitude).to_have_value("95")
    await expect(latitude).to_have_accessible_description(
        re.compile(re.escape("Vĩ độ phải là số độ từ -90 đến 90."))
    )
    await expect(page.get_by_label("Tên")).to_have_value("Trạm Cầu Cao Lãnh")
    await expect(page.get_by_role("alert")).to_contain_text("Vĩ độ phải là số độ từ -90 đến 90.")
    assert await Station.filter(code="BX02").count() == 0


async def test_language_switch_shows_english(page: Page, world: World) -> None:
    await sign_in(page, world.user, lang=None)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Các chiến dịch")

    await (
        page.get_by_role("navigation", name="Ngôn ngữ").get_by_role("link", name="English").click()
    )

    await expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.get_by_role("link", name=world.campaign.name).click()
    await expect(page.get_by_role("link", name="All stations")).to_be_visible()
