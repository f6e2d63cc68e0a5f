"""Last Tết's closed report in a real browser: funds, forces, units and partners.

The demo province is loaded (small scale) through its service, as ``waystation demo`` loads
it; the frozen clock stands in Tết 2027, so the demo's last year is Tết 2026, closed.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from stations.services.actor import Actor
from stations.services.demo import load_demo
from tests.stations.web.browser.test_coordinator_flow import sign_in
from tests.stations.web.helpers import make_user

pytestmark = pytest.mark.e2e


async def test_closed_2026_report_shows_funds_forces_units_and_partners(
    page: Page, db: object
) -> None:
    demo = await load_demo(seed=7, scale=0.05, by=Actor.system("browser tests"))
    admin = await make_user(role="admin", email="admin@example.vn")

    await sign_in(page, admin, lang="vi")
    await page.goto(f"/campaigns/{demo.previous_campaign.id}/report")

    funds = page.get_by_role("region", name="Kinh phí (đồng)")
    await expect(funds.get_by_role("row", name="Huy động bằng tiền mặt")).to_contain_text(
        "615.000.000"
    )
    forces = page.get_by_role("region", name="Theo lực lượng")
    await expect(forces.get_by_role("row", name="Cán bộ, chiến sĩ công an")).to_be_visible()
    await expect(forces.get_by_role("row", name="Nhân dân")).to_be_visible()
    units = page.get_by_role("region", name="Theo đơn vị")
    await expect(units.get_by_role("heading")).to_contain_text("đơn vị tham gia")
    await expect(units.get_by_role("row", name="Công an phường Hồng Ngự")).to_be_visible()
    partners = page.get_by_role("region", name="Đối tác")
    await expect(partners.get_by_role("row", name="Trung tâm Head Honda Đồng Tháp")).to_be_visible()
    await expect(page.locator(".report-summary")).to_contain_text(
        "phối hợp với Trung tâm Head Honda Đồng Tháp kiểm tra an toàn kỹ thuật"
    )
    await expect(page.locator(".report-summary")).to_contain_text("Tổng kinh phí huy động")
