"""Numbers on pages read as in the reader's language (issue 11): "1.500 tình nguyện viên",
a budget pre-filled "5.000.000.000" that the form takes back unchanged."""

from __future__ import annotations

import re

from stations.models import Campaign, Volunteer
from stations.text import fold
from tests.factories import make_campaign
from tests.stations.web.helpers import make_user, post_form, signed_in


async def test_volunteer_list_counts_with_a_thousands_separator(app, clock):
    await Volunteer.bulk_create(
        [
            Volunteer(
                full_name=f"Tình nguyện viên {n}",
                search_name=fold(f"Tinh nguyen vien {n}"),
                phone=f"+8491{n:07d}",
            )
            for n in range(1500)
        ]
    )
    browser = await signed_in(app, await make_user(role="admin"))

    vietnamese = await browser.get("/volunteers?lang=vi")
    english = await browser.get("/volunteers?lang=en")

    assert "1.500 tình nguyện viên." in vietnamese.text
    assert "1,500 volunteers." in english.text


async def test_budget_is_pre_filled_grouped_and_saved_back_unchanged(app, clock):
    campaign = await make_campaign(budget_vnd=5_000_000_000)
    browser = await signed_in(app, await make_user(role="admin"))

    page = await browser.get(f"/campaigns/{campaign.id}/edit?lang=vi")
    [shown] = re.findall(r'name="budget_vnd" type="text" value="([^"]*)"', page.text)
    fields = dict(
        re.findall(r'<input id="f-([a-z_]+)" name="\1" type="[a-z]+" value="([^"]*)"', page.text)
    )
    saved = await post_form(browser, f"/campaigns/{campaign.id}/edit?lang=vi", fields)

    assert shown == "5.000.000.000"
    assert saved.status_code == 303
    assert (await Campaign.get(id=campaign.id)).budget_vnd == 5_000_000_000
