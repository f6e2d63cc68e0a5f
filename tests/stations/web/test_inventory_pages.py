"""The inventory pages: the station's summary, one page per task that writes ledger lines,
the ledger."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from stations.enums import CampaignStatus, MovementKind, ServiceKind
from stations.i18n import translate
from stations.models import (
    Campaign,
    ServiceRecord,
    Station,
    StockBalance,
    StockMovement,
    SupplyItem,
    Unit,
)
from stations.services.actor import Actor
from stations.services.inventory import record_handout, record_receipt
from tests.factories import make_campaign, make_item, make_station, make_unit, vn
from tests.sql import count_queries as count_statements
from tests.stations.web.helpers import csrf_token_in, make_user, signed_in

SYSTEM = Actor.system("tests")
QUANTITY_RANGE = "Quantity must be a whole number between 1 and {max}."


@dataclass
class World:
    campaign: Campaign
    unit_a: Unit
    unit_b: Unit
    a1: Station
    a2: Station
    b1: Station
    elsewhere: Station
    water: SupplyItem
    towel: SupplyItem


@pytest.fixture
async def world(db, clock) -> World:
    unit_a, unit_b = await make_unit(code="UA"), await make_unit(code="UB")
    campaign = await make_campaign()
    a1 = await make_station(campaign, code="A1", name="Trạm Hồng Ngự", unit=unit_a)
    a2 = await make_station(campaign, code="A2", name="Trạm Tân Hồng", unit=unit_a)
    b1 = await make_station(campaign, code="B1", name="Trạm Cao Lãnh", unit=unit_b)
    other_campaign = await make_campaign(name="30/4 – 1/5 2027")
    elsewhere = await make_station(other_campaign, code="X1", unit=unit_a)
    water, towel = await make_item("water"), await make_item("towel")
    return World(campaign, unit_a, unit_b, a1, a2, b1, elsewhere, water, towel)


class Browser:
    """A signed-in client that knows its session's CSRF token."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token

    async def get(self, url: str) -> httpx.Response:
        return await self.client.get(url)

    async def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return await self.client.post(url, data={**data, "csrf_token": self.token})


async def browser(
    app: Starlette, world: World, role: str = "coordinator", unit: Unit | None = None
) -> Browser:
    user = await make_user(role=role, unit=unit)
    client = await signed_in(app, user)
    page = await client.get(f"/campaigns/{world.campaign.id}/inventory")
    token = csrf_token_in(page.text)
    assert token, page.text
    return Browser(client, token)


def form_of(page: str) -> str:
    """The HTML of a task page's form."""
    match = re.search(r'<form method="post"(.*?)</form>', page, re.S)
    assert match, "no form"
    return match.group(1)


def key_in(page: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', form_of(page))
    assert found
    return found.group(1)


def summary_of(page: str) -> str:
    """The errors listed at the top of a task page."""
    match = re.search(r'<div class="notice notice--error errors-summary"(.*?)</div>', page, re.S)
    assert match, "no error summary"
    return html.unescape(match.group(1))


async def lines(**filters: Any) -> list[tuple[str, int]]:
    found = await StockMovement.filter(**filters).order_by("id")
    return [(line.kind.value, line.delta) for line in found]


def field_error(page: str, field: str) -> str:
    """The error shown beside ``field``, also listed in the summary at the top."""
    match = re.search(rf'id="e-{field}">([^<]*)<', page)
    assert match, f"no error on {field}"
    message = html.unescape(match.group(1))
    assert message in summary_of(page)
    return message


# -- reading ---------------------------------------------------------------------------------


async def test_campaign_inventory_shows_stock_with_flags_in_words(app, world) -> None:
    await record_receipt(world.a1, world.water, 150, by=SYSTEM)
    await record_receipt(world.b1, world.water, 20, by=SYSTEM)
    await record_handout(world.b1, world.water, 30, by=SYSTEM)
    admin = await browser(app, world, role="admin")

    response = await admin.get(f"/campaigns/{world.campaign.id}/inventory?lang=en")

    assert response.status_code == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", response.text, re.S)
    assert [re.search(r">(\w+) ·", row).group(1) for row in rows] == ["A1", "A2", "B1"]
    water_cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0] for row in rows]
    assert "Low stock" not in water_cells[0]
    assert "Low stock" in water_cells[2] and "Discrepancy today" in water_cells[2]
    assert f'href="/stations/{world.a1.id}/inventory"' in rows[0]
    assert 'href="/static/inventory.css' in response.text


async def test_campaign_inventory_of_a_unit_coordinator_lists_only_its_stations(app, world) -> None:
    await record_receipt(world.b1, world.water, 20, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.get(f"/campaigns/{world.campaign.id}/inventory?lang=en")

    assert response.status_code == 200
    # (B1's name, not "B1" alone, which a random CSRF token may contain)
    assert ("A1 · Trạm Hồng Ngự" in response.text, "Trạm Cao Lãnh" in response.text) == (
        True,
        False,
    )
    assert "Only the stations of your units are shown." in response.text


TASK_PAGES = {
    "receipts": ("Record a receipt", "Record the receipt"),
    "handouts": ("Record a handout", "Record the handout"),
    "transfers": ("Transfer to another station", "Record the transfer"),
    "counts": ("Record a physical count", "Check the adjustment"),
    "losses": ("Record a loss", "Record the loss"),
    "services": ("Record a service given", "Record the service"),
    "thresholds": ("Set a low-stock level", "Save the level"),
    "planned-stock": ("Plan the opening stock", "Save the plan"),
}


async def test_station_inventory_is_a_summary_with_a_button_per_task(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.get(f"/stations/{world.a1.id}/inventory?lang=en")

    assert response.status_code == 200
    assert "<form" not in response.text.split("<main", 1)[1]
    links = re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', response.text)
    assert links == [
        (f"/stations/{world.a1.id}/{path}", title) for path, (title, _s) in TASK_PAGES.items()
    ]


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


async def test_pages_refuse_strangers_and_unknown_ids(app, world, client) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    anonymous = await client.get(f"/stations/{world.a1.id}/inventory")
    foreign = await coordinator.get(f"/stations/{world.b1.id}/inventory")
    missing_station = await coordinator.get("/stations/999999/inventory")
    missing_campaign = await coordinator.get("/campaigns/999999/inventory")
    missing_ledger = await coordinator.get("/campaigns/999999/ledger")
    huge = [
        (await coordinator.get(url)).status_code
        for url in ("/stations/99999999999999999999/inventory", "/campaigns/2147483648/ledger")
    ]

    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/signin?next=")
    assert [foreign.status_code, missing_station.status_code] == [404, 404]
    assert foreign.text.replace(f"/stations/{world.b1.id}/", "/stations/?/") == (
        missing_station.text.replace("/stations/999999/", "/stations/?/")
    )
    assert [missing_campaign.status_code, missing_ledger.status_code, *huge] == [404] * 4


# -- writing -----------------------------------------------------------------------------------


async def test_receipt_form_writes_a_line_and_says_so(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    page = (await coordinator.get(f"/stations/{world.a1.id}/receipts?lang=en")).text

    response = await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {
            "item": str(world.water.id),
            "quantity": "120",
            "note": "Phiếu giao số 7",
            "idempotency_key": key_in(page),
        },
    )
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert response.status_code == 303
    assert response.headers["location"] == f"/stations/{world.a1.id}/inventory"
    assert await lines(station_id=world.a1.id) == [("receipt", 120)]
    line = await StockMovement.get(station_id=world.a1.id)
    assert (line.note, line.source.value, line.by_user_id is not None) == (
        "Phiếu giao số 7",
        "web",
        True,
    )
    assert "Receipt recorded: Bottled water, 120 (bottle). Stock on record: 120." in after.text


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


async def test_a_service_sent_twice_is_recorded_once(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    page = (await coordinator.get(f"/stations/{world.a1.id}/services?lang=en")).text
    data = {
        "kind": ServiceKind.MOTORBIKE_CHECK.value,
        "quantity": "12",
        "partner": str(world.unit_b.id),
        "note": "Gara Hòa Bình",
        "idempotency_key": key_in(page),
    }

    first = await coordinator.post(f"/stations/{world.a1.id}/services", data)
    second = await coordinator.post(f"/stations/{world.a1.id}/services", data)
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert (first.status_code, second.status_code) == (303, 303)
    records = await ServiceRecord.filter(station_id=world.a1.id)
    assert [(r.kind, r.quantity, r.partner_id) for r in records] == [
        (ServiceKind.MOTORBIKE_CHECK, 12, world.unit_b.id)
    ]
    assert "Service recorded: Motorbike safety checks (vehicles), 12." in after.text


BAD_QUANTITIES = ["0", "-5", "năm mươi", "99999999999", "", "2000000", "2.000.000"]


async def test_bad_quantities_are_refused_in_vietnamese_with_the_value_kept(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    expected = translate(QUANTITY_RANGE, "vi", max=1_000_000)

    for raw in BAD_QUANTITIES:
        response = await coordinator.post(
            f"/stations/{world.a1.id}/receipts",
            {"item": str(world.water.id), "quantity": raw, "note": "", "idempotency_key": "k"},
        )

        assert response.status_code == 422, raw
        assert field_error(response.text, "quantity") == expected
        assert 'id="f-quantity" name="quantity" type="text"' in response.text
        assert f'value="{html.escape(raw)}"' in form_of(response.text)
    assert await lines() == []
    assert expected != QUANTITY_RANGE.format(max=1_000_000)


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("receipts", {"quantity": "5"}),
        ("handouts", {"quantity": "5"}),
        ("losses", {"quantity": "5"}),
        ("counts", {"counted": "5"}),
        ("thresholds", {"threshold": "5"}),
        ("transfers", {"quantity": "5", "to_station": "A2"}),
    ],
)
async def test_unknown_items_are_refused_beside_the_item_field(app, world, path, extra) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    retired = await make_item("lantern", is_active=False)
    data = {k: str(world.a2.id) if v == "A2" else v for k, v in extra.items()}

    errors = []
    for item in ["", "abc", "999999", "-1", "1" * 30]:
        response = await coordinator.post(
            f"/stations/{world.a1.id}/{path}?lang=en",
            {**data, "item": item, "note": "", "idempotency_key": ""},
        )
        errors.append((response.status_code, re.findall(r'id="e-item">([^<]*)<', response.text)))
    retired_response = await coordinator.post(
        f"/stations/{world.a1.id}/{path}?lang=en",
        {**data, "item": str(retired.id), "confirm": "yes"},
    )

    assert errors == [(422, ["Choose a supply item from the list."])] * 5
    if path != "thresholds":  # a retired item's level can still be set
        assert retired_response.status_code == 422
        assert "The supply item lantern is no longer in use." in retired_response.text
    assert await lines() == []


async def test_transfers_go_only_to_open_stations_of_the_campaign_in_scope(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    targets = {
        "itself": (str(world.a1.id), "A station cannot transfer stock to itself."),
        "other campaign": (
            str(world.elsewhere.id),
            "Stock can only be transferred between stations of the same campaign.",
        ),
        "other unit": (
            str(world.b1.id),
            "You can only move stock to stations of your own units.",
        ),
        "unknown": ("999999", "Choose a station from the list."),
        "not a number": ("A2", "Choose a station from the list."),
        "empty": ("", "Choose a station from the list."),
    }

    found = {}
    for name, (target, _message) in targets.items():
        response = await coordinator.post(
            f"/stations/{world.a1.id}/transfers?lang=en",
            {"item": str(world.water.id), "to_station": target, "quantity": "5", "note": ""},
        )
        found[name] = (response.status_code, field_error(response.text, "to_station"))

    assert found == {name: (422, message) for name, (_t, message) in targets.items()}
    assert await lines() == []


async def test_a_transfer_writes_both_lines_and_moves_the_stock(app, world) -> None:
    await record_receipt(world.a1, world.water, 50, by=SYSTEM)
    admin = await browser(app, world, role="admin")

    response = await admin.post(
        f"/stations/{world.a1.id}/transfers",
        {"item": str(world.water.id), "to_station": str(world.b1.id), "quantity": "20"},
    )

    assert response.status_code == 303
    assert await lines(kind__in=["transfer_out", "transfer_in"]) == [
        ("transfer_out", -20),
        ("transfer_in", 20),
    ]
    balances = {b.station_id: b.quantity for b in await StockBalance.all()}
    assert (balances[world.a1.id], balances[world.b1.id]) == (30, 20)


async def test_a_count_shows_the_adjustment_before_writing_it(app, world) -> None:
    await record_receipt(world.a1, world.water, 50, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)
    data = {"item": str(world.water.id), "counted": "42", "note": "Đếm cuối ca"}

    preview = await coordinator.post(
        f"/stations/{world.a1.id}/counts?lang=en", {**data, "idempotency_key": "count-1"}
    )
    written_after_preview = await lines(kind="count_adjustment")
    confirm = await coordinator.post(
        f"/stations/{world.a1.id}/counts",
        {**data, "idempotency_key": "count-1", "confirm": "yes"},
    )
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert preview.status_code == 200
    assert re.search(r'id="count-delta">-8 bottle<', preview.text)
    assert 'name="idempotency_key" value="count-1"' in preview.text
    assert written_after_preview == []
    assert confirm.status_code == 303
    assert await lines(kind="count_adjustment") == [("count_adjustment", -8)]
    assert "Count recorded: Bottled water, 42 (bottle), an adjustment of -8." in after.text


async def test_bad_counts_are_refused(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    expected = "The count must be a whole number between 0 and 1,000,000."

    for raw in ["-1", "", "mười", "99999999999", "1000001", "1.000.001"]:
        for confirm in ("", "yes"):
            response = await coordinator.post(
                f"/stations/{world.a1.id}/counts?lang=en",
                {"item": str(world.water.id), "counted": raw, "confirm": confirm},
            )
            assert response.status_code == 422
            assert field_error(response.text, "counted") == expected
    assert await lines() == []


async def test_a_handout_beyond_the_stock_is_kept_and_flagged(app, world) -> None:
    await record_receipt(world.a1, world.water, 10, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.post(
        f"/stations/{world.a1.id}/handouts",
        {"item": str(world.water.id), "quantity": "25", "note": ""},
    )
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory?lang=en")

    assert response.status_code == 303
    line = await StockMovement.get(kind=MovementKind.HANDOUT)
    assert (line.delta, line.discrepancy) == (-25, True)
    assert "so it is flagged as a discrepancy" in after.text
    assert "Discrepancy today" in after.text


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


async def test_thresholds_are_set_cleared_and_checked(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    url = f"/stations/{world.a1.id}/thresholds?lang=en"

    set_response = await coordinator.post(url, {"item": str(world.water.id), "threshold": "25"})
    level_set = (await StockBalance.get(station_id=world.a1.id)).low_stock_threshold
    cleared = await coordinator.post(url, {"item": str(world.water.id), "threshold": " "})
    level_cleared = (await StockBalance.get(station_id=world.a1.id)).low_stock_threshold
    refused = [
        (await coordinator.post(url, {"item": str(world.water.id), "threshold": raw}))
        for raw in ["-1", "ba", "1000001", "1.000.001"]
    ]

    assert (set_response.status_code, level_set) == (303, 25)
    assert (cleared.status_code, level_cleared) == (303, None)
    assert [r.status_code for r in refused] == [422] * 4
    assert {field_error(r.text, "threshold") for r in refused} == {
        "The low-stock level must be a whole number between 0 and 1,000,000, or empty."
    }
    assert (await StockBalance.get(station_id=world.a1.id)).low_stock_threshold is None


async def test_services_check_kind_amount_and_partner(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    url = f"/stations/{world.a1.id}/services?lang=en"
    base = {"kind": "loudspeaker", "quantity": "90", "partner": "", "note": ""}

    cases = {
        "kind": [
            ({"kind": "karaoke"}, "Choose a kind of service from the list."),
            ({"kind": ""}, "Choose a kind of service from the list."),
        ],
        "quantity": [
            (
                {"quantity": "1441"},
                "Loudspeaker time must be a whole number of minutes between 1 and 1,440.",
            ),
            (
                {"kind": "first_aid", "quantity": "10001"},
                "Quantity must be a whole number between 1 and 10,000.",
            ),
            (
                {"kind": "first_aid", "quantity": "hai"},
                "Quantity must be a whole number between 1 and 10,000.",
            ),
        ],
        "partner": [
            ({"partner": "999999"}, "Choose a partner unit from the list, or none."),
            ({"partner": "x"}, "Choose a partner unit from the list, or none."),
        ],
    }
    for field_name, attempts in cases.items():
        for change, message in attempts:
            response = await coordinator.post(url, {**base, **change})
            assert response.status_code == 422, change
            assert field_error(response.text, field_name) == message
    accepted = await coordinator.post(url, base)

    assert accepted.status_code == 303
    assert [(r.kind, r.quantity) for r in await ServiceRecord.all()] == [
        (ServiceKind.LOUDSPEAKER, 90)
    ]


async def test_a_note_is_stored_as_typed_and_escaped_on_the_page(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    payload = '<script>alert("x")</script>'

    await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {"item": str(world.water.id), "quantity": "3", "note": payload},
    )
    too_long = await coordinator.post(
        f"/stations/{world.a1.id}/losses?lang=en",
        {"item": str(world.water.id), "quantity": "1", "note": "x" * 301},
    )
    page = await coordinator.get(f"/stations/{world.a1.id}/inventory")
    ledger = await coordinator.get(f"/campaigns/{world.campaign.id}/ledger")

    assert (await StockMovement.get(kind=MovementKind.RECEIPT)).note == payload
    assert payload not in page.text and payload not in ledger.text
    assert html.escape(payload, quote=False) in page.text.replace("&#34;", '"')
    assert too_long.status_code == 422
    assert field_error(too_long.text, "note") == "The note can be at most 300 characters."
    assert await lines(kind="loss") == []


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


# -- the ledger --------------------------------------------------------------------------------


async def ledger_lines(world: World) -> None:
    await record_receipt(world.a1, world.water, 100, by=SYSTEM, occurred_at=vn(2027, 2, 1, 23, 30))
    await record_receipt(world.a1, world.towel, 40, by=SYSTEM, occurred_at=vn(2027, 2, 2, 0, 30))
    await record_handout(world.a1, world.water, 10, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))
    await record_receipt(world.b1, world.water, 70, by=SYSTEM, occurred_at=vn(2027, 2, 2, 7))


def ledger_rows(page: str) -> list[tuple[str, str, str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    result = []
    for row in rows:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        result.append((cells[1], cells[3], cells[4]))
    return result


async def test_ledger_lists_lines_newest_first_and_filters_them(app, world) -> None:
    await ledger_lines(world)
    admin = await browser(app, world, role="admin")
    url = f"/campaigns/{world.campaign.id}/ledger?lang=en"

    everything = await admin.get(url)
    one_day = await admin.get(f"{url}&from=01/02/2027&to=2027-02-01")
    handouts = await admin.get(f"{url}&kind=handout&station={world.a1.id}")
    towels = await admin.get(f"{url}&item={world.towel.id}")

    assert everything.status_code == 200
    assert ledger_rows(everything.text) == [
        ("B1", "Receipt", "+70 bottle"),
        ("A1", "Handout", "-10 bottle"),
        ("A1", "Receipt", "+40 towel"),
        ("A1", "Receipt", "+100 bottle"),
    ]
    assert everything.text.count("<td>System</td>") == 4  # written by no person
    assert ledger_rows(one_day.text) == [("A1", "Receipt", "+100 bottle")]
    assert 'value="01/02/2027"' in one_day.text
    assert ledger_rows(handouts.text) == [("A1", "Handout", "-10 bottle")]
    assert ledger_rows(towels.text) == [("A1", "Receipt", "+40 towel")]


async def test_ledger_ignores_bad_filters_with_a_note(app, world) -> None:
    await ledger_lines(world)
    coordinator = await browser(app, world, unit=world.unit_a)
    url = f"/campaigns/{world.campaign.id}/ledger?lang=en"
    bad = {
        f"station={world.b1.id}": "The station filter was ignored",
        "station=abc": "The station filter was ignored",
        "item=99999999999999": "The item filter was ignored",
        "kind=theft": "The kind filter was ignored",
        "from=31/02/2027": "The start date was ignored",
        "to=yesterday": "The end date was ignored",
        "from=2027-02-05&to=2027-02-01": "The dates were ignored",
        "page=0": "The page number was ignored",
        "page=-3": "The page number was ignored",
        "page=%00": "The page number was ignored",
        "page=99999999999999999999": "The page number was ignored",
    }

    for query, note in bad.items():
        response = await coordinator.get(f"{url}&{query}")
        assert response.status_code == 200, query
        assert note in html.unescape(response.text), query
        assert [row[0] for row in ledger_rows(response.text)] == ["A1", "A1", "A1"], query


async def test_ledger_pages_through_the_lines(app, world) -> None:
    for n in range(55):
        await record_receipt(world.a1, world.water, n + 1, by=SYSTEM)
    admin = await browser(app, world, role="admin")
    url = f"/campaigns/{world.campaign.id}/ledger?lang=en&station={world.a1.id}"

    first = await admin.get(url)
    second = await admin.get(f"{url}&page=2")
    beyond = await admin.get(f"{url}&page=9")

    assert len(ledger_rows(first.text)) == 50
    assert f"station={world.a1.id}&amp;page=2" in first.text
    assert len(ledger_rows(second.text)) == 5
    assert 'rel="next"' not in second.text and 'rel="prev"' in second.text
    assert "There are no lines on this page." in beyond.text


async def test_ledger_of_a_viewer_shows_the_scope_only(app, world) -> None:
    await ledger_lines(world)
    viewer = await browser(app, world, role="viewer", unit=world.unit_b)

    response = await viewer.get(f"/campaigns/{world.campaign.id}/ledger?lang=en")

    assert ledger_rows(response.text) == [("B1", "Receipt", "+70 bottle")]


async def test_forms_answer_anonymous_posts_with_403(app, world, client) -> None:
    response = await client.post(
        f"/stations/{world.a1.id}/receipts", data={"item": str(world.water.id), "quantity": "5"}
    )

    assert response.status_code == 403
    assert await lines() == []


async def test_the_station_page_reads_in_vietnamese_by_default(app, world) -> None:
    await record_receipt(world.a1, world.water, 5, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert response.status_code == 200
    assert "Tồn kho của Trạm Hồng Ngự" in response.text
    assert "Sắp hết" in response.text
    assert dt.date(2027, 2, 2).strftime("%d/%m/%Y") in response.text


async def test_an_earlier_entry_is_written_at_its_day_and_time(app, world) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    url = f"/stations/{world.a1.id}/receipts?lang=en"
    base = {"item": str(world.water.id), "quantity": "30", "note": ""}
    refused = {
        (
            "2027-02-01",
            "",
        ): "Give both the day and the time it happened, or leave both empty for now.",
        ("", "10:00"): "Give both the day and the time it happened, or leave both empty for now.",
        ("31/02/2027", "10:00"): "This date does not exist.",
        ("2027-02-01", "25:00"): "This time does not exist.",
        ("hôm qua", "10:00"): "Enter a date as DD/MM/YYYY.",
        ("2027-02-03", "10:00"): "The time cannot be in the future.",
        ("2027-01-01", "10:00"): (
            "The time is too early for this campaign, which starts on 30/01/2027."
        ),
    }

    found = {}
    for (day, time), _message in refused.items():
        response = await coordinator.post(url, {**base, "day": day, "time": time})
        found[(day, time)] = (
            response.status_code,
            field_error(response.text, "occurred_at"),
        )
    accepted = await coordinator.post(url, {**base, "day": "01/02/2027", "time": "21:15"})

    assert found == {when: (422, message) for when, message in refused.items()}
    assert accepted.status_code == 303
    line = await StockMovement.get(station_id=world.a1.id)
    assert (line.delta, line.occurred_at) == (30, vn(2027, 2, 1, 21, 15))


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


async def test_pages_cost_the_same_queries_for_few_or_many_stations(
    app, world, monkeypatch
) -> None:
    many = await make_campaign(name="Nhiều trạm")
    for n in range(8):
        station = await make_station(many, code=f"M{n}", unit=world.unit_a)
        await record_receipt(station, world.water, 5, by=SYSTEM)
        await record_handout(station, world.towel, 1, by=SYSTEM)
    await record_receipt(world.a1, world.water, 5, by=SYSTEM)
    admin = await browser(app, world, role="admin")
    statements = count_statements(monkeypatch)

    counts = {}
    for page in ("inventory", "ledger", "report"):
        for campaign in (world.campaign, many):
            statements.clear()
            response = await admin.get(f"/campaigns/{campaign.id}/{page}")
            assert response.status_code == 200
            counts[(page, campaign.name)] = len(statements)

    for page in ("inventory", "ledger", "report"):
        assert counts[(page, world.campaign.name)] == counts[(page, many.name)], page


async def test_a_count_that_agrees_confirms_the_record(app, world) -> None:
    await record_receipt(world.a1, world.towel, 40, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)
    data = {"item": str(world.towel.id), "counted": "40", "note": ""}

    preview = await coordinator.post(f"/stations/{world.a1.id}/counts?lang=en", data)
    confirm = await coordinator.post(f"/stations/{world.a1.id}/counts", {**data, "confirm": "yes"})
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert "The count agrees with the record" in preview.text
    assert confirm.status_code == 303
    assert await lines(kind="count_adjustment") == [("count_adjustment", 0)]
    assert "Count recorded: Cold towel, 40 (towel), as on record." in after.text


async def test_a_handout_crossing_the_low_stock_level_says_so(app, world) -> None:
    await record_receipt(world.a1, world.water, 150, by=SYSTEM)
    coordinator = await browser(app, world, unit=world.unit_a)
    await coordinator.get(f"/stations/{world.a1.id}/inventory?lang=en")

    await coordinator.post(
        f"/stations/{world.a1.id}/handouts", {"item": str(world.water.id), "quantity": "60"}
    )
    after = await coordinator.get(f"/stations/{world.a1.id}/inventory")

    assert "Bottled water is now below its low-stock level of 100." in after.text
    assert "Handout recorded: Bottled water, 60 (bottle). Stock on record: 90." in after.text


@pytest.mark.parametrize("raw", ["1000", "1.000", "1 000", "1,000"])
async def test_quantities_are_read_as_people_write_thousands(app, world, raw) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)
    page = (await coordinator.get(f"/stations/{world.a1.id}/receipts")).text

    response = await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {
            "item": str(world.water.id),
            "quantity": raw,
            "note": "",
            "idempotency_key": key_in(page),
        },
    )

    assert response.status_code == 303
    assert await lines(station_id=world.a1.id) == [("receipt", 1000)]


@pytest.mark.parametrize("raw", ["1.5", "2,5", "1e9"])
async def test_a_decimal_quantity_is_refused_with_the_reason(app, world, raw) -> None:
    coordinator = await browser(app, world, unit=world.unit_a)

    response = await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {"item": str(world.water.id), "quantity": raw, "note": "", "idempotency_key": "k"},
    )

    assert response.status_code == 422
    assert field_error(response.text, "quantity") == (
        f"“{raw}” không phải là số nguyên: số lượng chỉ tính theo đơn vị nguyên, còn dấu "
        "chấm hay dấu phẩy chỉ dùng để tách hàng nghìn (1.000 hoặc 1,000 là một nghìn)."
    )
    assert await lines() == []


async def test_a_handout_before_the_campaign_needs_a_reason(app, world, clock) -> None:
    clock.set(vn(2026, 12, 7, 9))  # the campaign starts on 30/01/2027
    coordinator = await browser(app, world, unit=world.unit_a)
    form = await coordinator.get(f"/stations/{world.a1.id}/handouts?lang=en")

    refused = await coordinator.post(
        f"/stations/{world.a1.id}/handouts?lang=en",
        {"item": str(world.water.id), "quantity": "5", "note": ""},
    )
    received = await coordinator.post(
        f"/stations/{world.a1.id}/receipts",
        {"item": str(world.water.id), "quantity": "50", "note": ""},
    )
    accepted = await coordinator.post(
        f"/stations/{world.a1.id}/handouts",
        {
            "item": str(world.water.id),
            "quantity": "5",
            "note": "",
            "outside_reason": "Tặng đoàn xe từ thiện",
        },
    )

    assert "Reason it is outside the campaign" in form.text
    assert refused.status_code == 422
    assert "give the reason it is outside the campaign" in refused.text
    assert (received.status_code, accepted.status_code) == (303, 303)
    assert await StockMovement.filter(kind=MovementKind.HANDOUT).values_list(
        "outside_reason", flat=True
    ) == ["Tặng đoàn xe từ thiện"]
