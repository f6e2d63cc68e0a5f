"""A task's page: one form with real labels, sent twice written once, every error at once,
and refused to viewers, other units, forged or anonymous posts and closed campaigns."""

from __future__ import annotations

import html
import re

import pytest

from stations.enums import CampaignStatus
from stations.models import Campaign, ServiceRecord
from tests.stations.web.inventory.helpers import (
    TASK_PAGES,
    browser,
    field_error,
    form_of,
    key_in,
    lines,
    summary_of,
)


@pytest.mark.parametrize("path", sorted(TASK_PAGES))
async def test_each_task_page_has_one_form_with_real_labels(app, world, path) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.get(f"/stations/{world.a1.id}/{path}?lang=en")

    assert response.status_code == 200
    title, submit = TASK_PAGES[path]
    assert f'<h1 id="task-title">{title}</h1>' in response.text
    assert response.text.count('<form method="post"') == 1
    form = form_of(response.text)
    for field_id in re.findall(r'<(?:input|select) id="([^"]+)"', form):
        assert f'<label for="{field_id}">' in form
    assert submit in form
    if path == "transfers":
        assert (f'value="{world.a2.id}"' in form, f'value="{world.b1.id}"' in form) == (
            True,
            False,
        )


FORMS_SENT_TWICE = {
    "receipt": ("receipts", {"quantity": "10"}),
    "handout": ("handouts", {"quantity": "10"}),
    "loss": ("losses", {"quantity": "10"}),
    "transfer": ("transfers", {"quantity": "10", "to_station": "A2"}),
    "count": ("counts", {"counted": "10", "confirm": "yes"}),
}


@pytest.mark.parametrize("form", sorted(FORMS_SENT_TWICE))
async def test_a_form_sent_twice_writes_one_line(app, world, form) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    path, values = FORMS_SENT_TWICE[form]
    page = (await coordinator.get(f"/stations/{world.a1.id}/{path}")).text
    data = {"item": str(world.water.id), "note": "", "idempotency_key": key_in(page)}
    data |= {k: str(world.a2.id) if v == "A2" else v for k, v in values.items()}

    first = await coordinator.post(f"/stations/{world.a1.id}/{path}", data)
    second = await coordinator.post(f"/stations/{world.a1.id}/{path}", data)
    shown = await coordinator.get(f"/stations/{world.a1.id}/inventory?lang=en")

    assert (first.status_code, second.status_code) == (303, 303)
    assert len(await lines(station_id=world.a1.id)) == 1
    assert "This form had already been recorded: nothing was written twice." in shown.text


async def test_a_key_used_for_other_values_asks_to_check_and_gives_a_new_key(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    sent = {"item": str(world.water.id), "quantity": "10", "note": "", "idempotency_key": "k1"}
    await coordinator.post(f"/stations/{world.a1.id}/receipts", sent)

    response = await coordinator.post(
        f"/stations/{world.a1.id}/receipts?lang=en", {**sent, "quantity": "11"}
    )

    assert response.status_code == 409
    assert "This form had already been sent with other values." in response.text
    assert key_in(response.text) != "k1"
    assert "This form had already been sent with other values." in summary_of(response.text)
    assert await lines() == [("receipt", 10)]


async def test_viewers_see_no_forms_and_cannot_post(app, world) -> None:
    viewer = await browser(app, world, role="viewer", unit=world.unit_a)

    page = await viewer.get(f"/stations/{world.a1.id}/inventory?lang=en")
    refused = await viewer.post(
        f"/stations/{world.a1.id}/receipts",
        {"item": str(world.water.id), "quantity": "5"},
    )

    assert page.status_code == 200
    assert 'class="inv-tasks"' not in page.text
    assert "Your account can look at this page but not record anything." in page.text
    assert refused.status_code == 403
    assert await lines() == []


async def test_coordinators_cannot_write_to_another_units_station(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    refused = [
        await coordinator.post(f"/stations/{world.b1.id}/{path}", data)
        for path, data in [
            ("receipts", {"item": str(world.water.id), "quantity": "5"}),
            ("counts", {"item": str(world.water.id), "counted": "5"}),
            ("thresholds", {"item": str(world.water.id), "threshold": "5"}),
            ("services", {"kind": "first_aid", "quantity": "1"}),
        ]
    ]

    assert [r.status_code for r in refused] == [404] * 4
    assert (await lines(), await ServiceRecord.all().count()) == ([], 0)


async def test_a_post_without_csrf_token_is_refused(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.client.post(
        f"/stations/{world.a1.id}/receipts", data={"item": str(world.water.id), "quantity": "5"}
    )

    assert response.status_code == 403
    assert await lines() == []


async def test_a_closed_campaign_offers_no_forms_and_refuses_lines(app, world) -> None:
    await Campaign.filter(id=world.campaign.id).update(status=CampaignStatus.CLOSED)
    coordinator = await browser(app, world, unit=world.unit_a)

    page = await coordinator.get(f"/stations/{world.a1.id}/inventory?lang=en")
    refused = await coordinator.post(
        f"/stations/{world.a1.id}/receipts?lang=en",
        {"item": str(world.water.id), "quantity": "5"},
    )
    preview = await coordinator.post(
        f"/stations/{world.a1.id}/counts?lang=en", {"item": str(world.water.id), "counted": "5"}
    )

    closed = f"The campaign {world.campaign.name} is closed: its records can no longer change."
    assert (page.status_code, 'class="inv-tasks"' in page.text) == (200, False)
    assert closed in html.unescape(page.text)
    assert (refused.status_code, preview.status_code) == (409, 409)
    assert closed in html.unescape(refused.text)
    assert await lines() == []


async def test_forms_answer_anonymous_posts_with_403(app, world, client) -> None:
    response = await client.post(
        f"/stations/{world.a1.id}/receipts", data={"item": str(world.water.id), "quantity": "5"}
    )

    assert response.status_code == 403
    assert await lines() == []


async def test_every_wrong_field_of_a_form_is_reported_at_once(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.post(
        f"/stations/{world.a1.id}/services?lang=en",
        {"kind": "nap", "quantity": "0", "partner": "?", "day": "x", "time": "10:00"},
    )

    assert response.status_code == 422
    assert [
        field_error(response.text, name) for name in ("kind", "quantity", "partner", "occurred_at")
    ] == [
        "Choose a kind of service from the list.",
        "Quantity must be a whole number between 1 and 10,000.",
        "Choose a partner unit from the list, or none.",
        "Enter a date as DD/MM/YYYY.",
    ]
    assert 'value="nap"' not in response.text  # a select shows its choices, not the junk
    assert await ServiceRecord.all().count() == 0
