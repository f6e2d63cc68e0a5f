"""The demo's Tết 2027 seven weeks before it starts, in a real browser: the overview is a
readiness view (what is left to prepare), not today's alarms."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from stations.clock import FrozenClock
from stations.services.actor import Actor
from stations.services.demo import load_demo
from tests.factories import vn
from tests.stations.web.browser.test_coordinator_flow import sign_in
from tests.stations.web.helpers import make_user

pytestmark = pytest.mark.e2e


async def test_demo_tet_2027_overview_shows_readiness_not_alarms(
    page: Page, clock: FrozenClock, db: object
) -> None:
    clock.set(vn(2026, 12, 7, 9))
    result = await load_demo(seed=7, scale=0.3, by=Actor.system("browser tests"))
    user = await make_user(role="admin", email="dieuphoi@example.vn")
    await sign_in(page, user, lang=None)

    await page.goto(f"/campaigns/{result.campaign.id}")

    await expect(page.get_by_role("heading", name="Tết Đinh Mùi 2027")).to_be_visible()
    await expect(page.get_by_role("heading", name="Mức sẵn sàng")).to_be_visible()
    await expect(page.get_by_text("Đang chuẩn bị", exact=True)).to_be_visible()
    await expect(
        page.get_by_text("Còn 54 ngày nữa chiến dịch bắt đầu, vào ngày 30/01/2027.")
    ).to_be_visible()
    figures = page.locator(".figures")
    await expect(figures.get_by_text("Trạm chưa có ca trực")).to_be_visible()
    await expect(figures.get_by_text("Tình nguyện viên chưa liên kết Telegram")).to_be_visible()
    await expect(page.get_by_text("Trạm đặt tại")).to_be_visible()
    # Planning, not alarms: no low-stock or short-shift alarms, no "today" cards.
    assert await page.locator(".figure--alert, .tag--alert, .station-card").count() == 0
    await expect(page.get_by_text("Sắp hết")).to_have_count(0)
