"""A traveller on a phone, in a real browser: nearest station first after one tap, the
province form with JavaScript off, and a rating by QR code."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from stations.models import StationFeedback, Unit
from tests.factories import make_campaign, make_station, make_unit
from tests.stations.web.browser.conftest import STEP_TIMEOUT_MS, PageProblems

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
#: On Quốc lộ 30 just outside Cao Lãnh.
TRAVELLER = {"latitude": 10.4700, "longitude": 105.6200}


async def commune_police(province: Unit, ward_code: str, name: str) -> Unit:
    return await make_unit(name=name, parent=province, province_code="82", ward_code=ward_code)


@pytest.fixture
async def stations(db: object) -> None:
    campaign = await make_campaign()
    # Where each station stands comes from its unit (official codes), not its address.
    province = await make_unit(name="Công an tỉnh Đồng Tháp", province_code="82")
    await make_station(
        campaign,
        code="HN01",
        name="Trạm Hồng Ngự",
        address="Quốc lộ 30, phường An Bình, Đồng Tháp",
        latitude=10.7891,
        longitude=105.3718,
        offers="water cold_towels rest",
        unit=await commune_police(province, "29954", "Công an phường An Bình"),
    )
    await make_station(
        campaign,
        code="CL01",
        name="Trạm Cao Lãnh",
        address="Quốc lộ 30, phường Cao Lãnh, Đồng Tháp",
        latitude=10.4812,
        longitude=105.6071,
        offers="water fuel motorbike_check",
        opens_at=dt.time(6, tzinfo=dt.UTC),
        closes_at=dt.time(22, tzinfo=dt.UTC),
        unit=await commune_police(province, "29869", "Công an phường Cao Lãnh"),
    )
    await make_station(
        campaign,
        code="SD01",
        name="Trạm Sa Đéc",
        address="Quốc lộ 80, Sa Đéc",
        latitude=10.3011,
        longitude=105.7482,
        offers="water food first_aid",
        unit=await commune_police(province, "29905", "Công an phường Sa Đéc"),
    )


async def phone_page(
    browser: Browser, live_server: str, **options: object
) -> AsyncIterator[tuple[BrowserContext, Page, PageProblems]]:
    context = await browser.new_context(
        base_url=live_server,
        viewport=PHONE,  # type: ignore[arg-type]
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        **options,  # type: ignore[arg-type]
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    problems = PageProblems()
    page = await context.new_page()
    problems.watch(page)
    try:
        yield context, page, problems
    finally:
        await context.close()


@pytest.fixture
async def located_phone(browser, live_server, stations) -> AsyncIterator[Page]:
    async for _context, page, problems in phone_page(
        browser, live_server, geolocation=TRAVELLER, permissions=["geolocation"]
    ):
        yield page
        assert problems.messages == []


@pytest.fixture
async def phone_without_javascript(browser, live_server, stations) -> AsyncIterator[Page]:
    async for _context, page, problems in phone_page(
        browser, live_server, java_script_enabled=False
    ):
        yield page
        assert problems.messages == []


async def test_one_tap_lists_the_nearest_station_first(located_phone: Page) -> None:
    page = located_phone
    await page.goto("/public/stations")

    await page.get_by_role("button", name="Trạm gần tôi").click()
    await page.wait_for_url("**lat=10.47000&lon=105.62000#results")

    names = page.locator(".station__name")
    await expect(names).to_have_text(["Trạm Cao Lãnh", "Trạm Sa Đéc", "Trạm Hồng Ngự"])
    first = page.locator(".station").first
    await expect(first.locator(".station__distance")).to_have_text("cách 1,9 km")
    await expect(first.get_by_role("link", name="Chỉ đường")).to_have_attribute(
        "href", "geo:10.481200,105.607100?q=10.481200,105.607100"
    )


async def test_without_javascript_the_province_form_finds_the_stations(
    phone_without_javascript: Page,
) -> None:
    page = phone_without_javascript
    await page.goto("/public/stations")

    await expect(page.get_by_role("button", name="Trạm gần tôi")).to_be_hidden()
    await page.get_by_label("Tỉnh, thành phố").select_option(label="Đồng Tháp")
    await page.get_by_label("Phường, xã").select_option(label="Phường Sa Đéc")
    await page.get_by_role("button", name="Xem các trạm").click()

    await expect(page.locator(".station__name")).to_have_text(["Trạm Sa Đéc"])
    await expect(page.get_by_label("Phường, xã")).to_have_value("29905")


async def test_a_traveller_rates_the_station_from_its_qr_code(located_phone: Page) -> None:
    page = located_phone
    await page.goto("/public/stations/CL01/feedback")

    await page.get_by_label("4 sao").check()
    await page.get_by_label("Xăng").check()
    await page.get_by_label("Góp ý (không bắt buộc, tối đa 500 ký tự)").fill("Cảm ơn các anh!")
    await page.get_by_role("button", name="Gửi").click()

    await expect(page.get_by_role("status")).to_contain_text("Cảm ơn bạn!")
    stored = await StationFeedback.get()
    assert (stored.rating, stored.received, stored.comment) == (4, "fuel", "Cảm ơn các anh!")
