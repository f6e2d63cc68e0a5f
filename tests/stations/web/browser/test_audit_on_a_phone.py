"""The audit log reads on a 390 px phone (issue 11): no sideways scrolling, no event taller
than a screen, even with a long change."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from stations.services.actor import Actor
from stations.services.campaigns import close_campaign, update_campaign
from tests.factories import make_campaign
from tests.stations.web.browser.conftest import STEP_TIMEOUT_MS, PageProblems
from tests.stations.web.helpers import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
async def phone(browser: Browser, live_server: str) -> AsyncIterator[Page]:
    context = await browser.new_context(
        base_url=live_server, locale="vi-VN", viewport={"width": 390, "height": 844}
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


async def test_audit_log_fits_a_phone(phone: Page, db: object) -> None:
    admin = await make_user(role="admin", email="mai@example.vn", full_name="Trần Thị Mai")
    by = Actor.user(admin.id, admin.email)
    campaign = await make_campaign()
    await update_campaign(
        campaign, by=by, name="Tết Đinh Mùi 2027 " + "rất_dài_không_có_khoảng_trắng" * 6
    )
    await close_campaign(campaign, by=by)
    await phone.goto("/signin")
    await phone.get_by_label("Địa chỉ email").fill(admin.email)
    await phone.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    await phone.get_by_role("button", name="Đăng nhập").click()
    await expect(phone).to_have_url(re.compile(r"/campaigns$"))

    await phone.goto("/audit")

    await expect(phone.get_by_text("Đã đóng chiến dịch Tết Đinh Mùi 2027").first).to_be_visible()
    page_width = await phone.evaluate("document.documentElement.scrollWidth")
    heights = await phone.locator(".audit-event").evaluate_all(
        "items => items.map(item => item.getBoundingClientRect().height)"
    )
    assert page_width <= 390
    assert len(heights) >= 2 and max(heights) < 844
