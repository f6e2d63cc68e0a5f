"""A roster whose phones belong to people with other names, imported in a real browser.

The per-row choices sit in the preview's table, outside the confirm form (they name it with
the ``form`` attribute): this proves a browser sends them with the confirmation.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from stations.models import AuditEvent, Volunteer
from tests.factories import make_volunteer
from tests.stations.web.browser.test_coordinator_flow import sign_in
from tests.stations.web.helpers import make_user

pytestmark = pytest.mark.e2e

ROSTER = (
    "Họ và tên,Số điện thoại\n"
    "Huỳnh Ngọc Ánh,0983 681 802\n"
    "Phạm Văn Khoa,0977 111 222\n"
    "Nguyễn Văn An,0912 345 678\n"
).encode()


async def test_a_coordinator_renames_one_conflicting_volunteer_and_skips_the_other(
    page: Page, db: object
) -> None:
    lien = await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802")
    minh = await make_volunteer(full_name="Đỗ Văn Minh", phone="+84977111222")
    await sign_in(page, await make_user(role="admin", email="admin@example.vn"))

    await page.goto("/volunteers/import")
    await page.get_by_label("Roster file (.csv or .xlsx)").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": ROSTER}]
    )
    await page.get_by_role("button", name="Preview the import").click()
    await expect(page.get_by_text("Phone numbers that belong to someone else")).to_be_visible()
    await expect(page.get_by_label("Skip this row").first).to_be_checked()
    await page.get_by_label("Rename Bùi Bích Liên to Huỳnh Ngọc Ánh").check()
    await page.get_by_role("button", name="Import 3 rows").click()

    await expect(page.get_by_text("1 rows were skipped")).to_be_visible()
    await lien.refresh_from_db()
    await minh.refresh_from_db()
    assert (lien.full_name, minh.full_name) == ("Huỳnh Ngọc Ánh", "Đỗ Văn Minh")
    assert await Volunteer.filter(full_name="Nguyễn Văn An").count() == 1
    renamed = await AuditEvent.get(action="volunteer.updated")
    assert (renamed.object_id, renamed.data["changed"]) == (
        lien.id,
        {"full_name": ["Bùi Bích Liên", "Huỳnh Ngọc Ánh"]},
    )
