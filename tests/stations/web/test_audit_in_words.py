"""The audit log in words (issue 11): the action and its record in a sentence, the actor's
name, changes as "field: before → after", no raw JSON; the same number of queries for 5
events as for 25."""

from __future__ import annotations

import re

from stations.services.actor import Actor
from stations.services.campaigns import close_campaign, update_campaign
from stations.services.volunteers import create_volunteer, update_volunteer
from tests.factories import make_campaign
from tests.stations.web.helpers import count_queries, make_user, signed_in


def _events(page: str) -> list[str]:
    items = re.findall(
        r'<li class="audit-event">(.*?)</li>\s*(?=<li class="audit-event">|</ol>)', page, flags=re.S
    )
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


async def test_audit_log_says_what_was_done_to_what_and_by_whom(app, clock):
    admin = await make_user(role="admin", email="mai@example.vn", full_name="Trần Thị Mai")
    by = Actor.user(admin.id, admin.email)
    campaign = await make_campaign(budget_vnd=5_000_000)
    await update_campaign(campaign, by=by, budget_vnd=6_500_000)
    await close_campaign(campaign, by=by)
    volunteer = await create_volunteer(full_name="Lê Văn Bình", phone="0901234567", by=by)
    await update_volunteer(volunteer, by=by, phone="0983 681 802")
    browser = await signed_in(app, admin)

    vietnamese = _events((await browser.get("/audit?lang=vi")).text)
    english = _events((await browser.get("/audit?lang=en")).text)

    assert vietnamese[0].startswith("Đã sửa thông tin tình nguyện viên Lê Văn Bình")
    assert "điện thoại: 0901 234 567 → 0983 681 802" in vietnamese[0]
    assert vietnamese[2].startswith("Đã đóng chiến dịch Tết Đinh Mùi 2027")
    assert "Trần Thị Mai (mai@example.vn)" in vietnamese[2]
    assert vietnamese[3].startswith("Đã sửa chiến dịch Tết Đinh Mùi 2027")
    assert "kinh phí (đồng): 5.000.000 → 6.500.000" in vietnamese[3]
    assert english[2].startswith("Closed the campaign Tết Đinh Mùi 2027")
    assert "budget (VND): 5,000,000 → 6,500,000" in english[3]
    # No raw JSON and no action codes in what people read.
    assert [e for e in vietnamese if "{" in e or "campaign.closed" in e or "#" in e] == []


async def test_audit_filter_lists_actions_in_words(app, clock):
    admin = await make_user(role="admin")
    await close_campaign(await make_campaign(), by=Actor.user(admin.id, admin.email))
    browser = await signed_in(app, admin)

    page = (await browser.get("/audit?lang=vi")).text

    assert '<option value="campaign.closed">Đã đóng chiến dịch</option>' in page


async def test_audit_page_queries_do_not_grow_with_events(app, clock):
    admin = await make_user(role="admin")
    by = Actor.user(admin.id, admin.email)
    browser = await signed_in(app, admin)

    async def queries_for_page() -> int:
        with count_queries() as statements:
            response = await browser.get("/audit?lang=vi")
        assert response.status_code == 200
        return len(statements)

    for n in range(5):
        await close_campaign(await make_campaign(name=f"Chiến dịch {n}"), by=by)
    few = await queries_for_page()
    for n in range(20):
        await close_campaign(await make_campaign(name=f"Chiến dịch thêm {n}"), by=by)
    many = await queries_for_page()

    assert few == many
