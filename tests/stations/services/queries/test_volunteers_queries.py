"""Finding volunteers by name (with or without diacritics), phone and Telegram account."""

from __future__ import annotations

import pytest

from stations.services.errors import InvalidInput
from stations.services.queries.volunteers import (
    count_volunteers,
    search_volunteers,
    volunteer_by_id,
    volunteer_by_phone,
    volunteer_by_telegram_user,
)
from tests.factories import make_unit, make_volunteer


def _names(volunteers):
    return [v.full_name for v in volunteers]


async def _roster():
    await make_volunteer(full_name="Nguyễn Văn An", phone="+84912345678")
    await make_volunteer(full_name="NGUYỄN THỊ BÌNH", phone="+84987654321")
    await make_volunteer(full_name="Trần Văn Đức", phone="+84321234567")
    await make_volunteer(full_name="Lê Thị Nước", phone="+842438251234")


async def test_search_volunteers_ignores_diacritics_in_the_query(db):
    await _roster()

    assert _names(await search_volunteers("Nguyen Van An")) == ["Nguyễn Văn An"]


async def test_search_volunteers_ignores_case_and_diacritics_of_stored_names(db):
    await _roster()

    found = await search_volunteers("nguyễn")

    assert _names(found) == ["NGUYỄN THỊ BÌNH", "Nguyễn Văn An"]


async def test_search_volunteers_needs_every_word_in_any_order(db):
    await _roster()

    assert _names(await search_volunteers("van nguyen")) == ["Nguyễn Văn An"]


async def test_search_volunteers_reads_d_stroke_as_d(db):
    await _roster()

    assert _names(await search_volunteers("duc")) == ["Trần Văn Đức"]


async def test_search_volunteers_by_a_piece_of_a_local_phone_number(db):
    await _roster()

    assert _names(await search_volunteers("0912 345")) == ["Nguyễn Văn An"]


async def test_search_volunteers_by_an_international_phone_number(db):
    await _roster()

    assert _names(await search_volunteers("+84 987 654 321")) == ["NGUYỄN THỊ BÌNH"]


async def test_search_volunteers_without_a_query_lists_everyone_in_name_order(db):
    await _roster()

    assert _names(await search_volunteers()) == [
        "Lê Thị Nước",
        "NGUYỄN THỊ BÌNH",
        "Nguyễn Văn An",
        "Trần Văn Đức",
    ]


async def test_search_volunteers_ties_on_name_keep_creation_order(db):
    first = await make_volunteer(full_name="Phạm Văn Hùng")
    second = await make_volunteer(full_name="Pham Van Hung")

    assert [v.id for v in await search_volunteers("hung")] == [first.id, second.id]


async def test_search_volunteers_pages_with_limit_and_offset(db):
    await _roster()

    page = await search_volunteers(limit=2, offset=1)

    assert _names(page) == ["NGUYỄN THỊ BÌNH", "Nguyễn Văn An"]


async def test_search_volunteers_by_unit(db):
    unit = await make_unit()
    await make_volunteer(full_name="Nguyễn Văn An", unit=unit)
    await make_volunteer(full_name="Nguyễn Văn Ba")

    assert _names(await search_volunteers("nguyen", unit_id=unit.id)) == ["Nguyễn Văn An"]


async def test_search_volunteers_treats_like_wildcards_as_text(db):
    await _roster()

    assert await search_volunteers("%") == []


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [
        (0, 0, "limit"),
        (201, 0, "limit"),
        ("10", 0, "limit"),
        (10, -1, "offset"),
        (10, None, "offset"),
    ],
)
async def test_search_volunteers_rejects_a_bad_page(db, limit, offset, field):
    with pytest.raises(InvalidInput) as caught:
        await search_volunteers(limit=limit, offset=offset)

    assert caught.value.field == field


async def test_count_volunteers_counts_every_match(db):
    await _roster()

    assert (await count_volunteers("nguyen"), await count_volunteers()) == (2, 4)


async def test_volunteer_by_phone_reads_any_local_form(db):
    volunteer = await make_volunteer(phone="+84912345678")

    found = await volunteer_by_phone("0912.345.678")

    assert found is not None and found.id == volunteer.id


async def test_volunteer_by_phone_is_none_for_text_that_is_no_phone(db):
    await make_volunteer(phone="+84912345678")

    assert await volunteer_by_phone("không biết") is None


async def test_volunteer_by_telegram_user_finds_the_linked_volunteer(db):
    volunteer = await make_volunteer(telegram_user_id=123456789, telegram_chat_id=123456789)

    found = await volunteer_by_telegram_user(123456789)

    assert found is not None and found.id == volunteer.id


async def test_volunteer_by_telegram_user_is_none_for_an_unknown_account(db):
    assert await volunteer_by_telegram_user(987) is None


async def test_volunteer_by_id_is_none_for_a_missing_id(db):
    assert (await volunteer_by_id(404), await volunteer_by_id("1")) == (None, None)
