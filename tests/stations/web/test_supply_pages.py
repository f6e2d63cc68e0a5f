"""The supply catalog page: coordinators see and edit the words the bot accepts per item."""

from __future__ import annotations

import html

import pytest

from stations.models import SupplyItem
from stations.services.actor import Actor
from stations.services.catalog import find_item, install_standard_items
from tests.factories import make_unit
from tests.stations.web.helpers import make_user, post_form, signed_in

pytestmark = pytest.mark.integration


async def test_catalog_lists_items_with_their_words(app, db):
    await install_standard_items(by=Actor.system("tests"))
    viewer = await signed_in(app, await make_user("viewer"))

    page = await viewer.get("/supplies")

    assert page.status_code == 200
    assert "Danh mục hàng hóa" in page.text
    assert "nuoc khoang" in page.text
    assert "<textarea" not in page.text  # a viewer reads, does not edit


async def test_a_coordinator_adds_words_the_bot_then_accepts(app, db):
    water, *_ = await install_standard_items(by=Actor.system("tests"))
    coordinator = await signed_in(app, await make_user("coordinator"))

    response = await post_form(
        coordinator, f"/supplies/{water.id}/aliases", {"aliases": "nuoc, Nước đóng chai\nh2o"}
    )
    after = await coordinator.get("/supplies")

    assert response.status_code == 303
    assert (await SupplyItem.get(id=water.id)).aliases == ["nuoc", "nuoc dong chai", "h2o"]
    assert await find_item("nước đóng chai") == water
    assert "Đã lưu các từ cho Nước suối." in after.text


async def test_a_word_another_item_has_is_refused_beside_the_item(app, db):
    water, *_ = await install_standard_items(by=Actor.system("tests"))
    coordinator = await signed_in(app, await make_user("coordinator"))

    response = await post_form(coordinator, f"/supplies/{water.id}/aliases", {"aliases": "khan"})

    assert response.status_code == 409
    assert 'Từ "khan" đã được dùng để gọi mặt hàng Khăn lạnh.' in html.unescape(response.text)
    assert 'aria-invalid="true"' in response.text
    assert "nuoc khoang" in (await SupplyItem.get(id=water.id)).aliases


async def test_only_province_wide_coordinators_edit_the_catalog(app, db):
    water, *_ = await install_standard_items(by=Actor.system("tests"))
    local = await signed_in(app, await make_user("coordinator", unit=await make_unit()))

    page = await local.get("/supplies")
    response = await post_form(local, f"/supplies/{water.id}/aliases", {"aliases": "h2o"})

    assert "<textarea" not in page.text
    assert response.status_code == 403
    assert "h2o" not in (await SupplyItem.get(id=water.id)).aliases
