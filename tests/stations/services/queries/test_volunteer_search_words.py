"""A name query matches the beginnings of the words of a name (issue 11): "an" finds An and
Anh, not Lan or Toàn; every form of Đ folds to d; phone queries match digits in any format."""

from __future__ import annotations

import pytest

from stations.services.queries.planner import candidates_for_shift
from stations.services.queries.volunteers import (
    count_volunteers,
    name_query_words,
    search_volunteers,
)
from tests.factories import make_volunteer


def _names(volunteers):
    return sorted(v.full_name for v in volunteers)


async def _roster():
    for name, phone in [
        ("Nguyễn Văn An", "+84983681802"),
        ("Trần Thị Anh", "+84912000001"),
        ("Lê Văn Lan", "+84912000002"),
        ("Phạm Văn Toàn", "+84912000003"),
        ("Đặng Thị Ân", "+84912000004"),
        ("Hoàng Minh Khang", "+84912000005"),
        ("Võ An Bình", "+84912000006"),
    ]:
        await make_volunteer(full_name=name, phone=phone)


async def test_an_matches_words_starting_with_an_not_lan_or_toan(db):
    await _roster()

    found = await search_volunteers("an")

    assert _names(found) == ["Nguyễn Văn An", "Trần Thị Anh", "Võ An Bình", "Đặng Thị Ân"]


async def test_word_prefixes_of_several_words_all_match_in_any_order(db):
    await _roster()

    assert _names(await search_volunteers("van ng")) == ["Nguyễn Văn An"]
    assert _names(await search_volunteers("ANH tr")) == ["Trần Thị Anh"]


@pytest.mark.parametrize(
    "query",
    [
        "Đặng",  # U+0110
        "Ðặng",  # U+00D0, Icelandic eth
        "Ɖặng",  # U+0189, African D
        "đặng",  # U+0111
        "ɖặng",  # U+0256
        "DANG",
        "dang",
        "Đa",
        "Ｄａｎｇ",  # full-width, as some phone keyboards type it
    ],
)
async def test_every_form_of_d_stroke_finds_dang(db, query):
    await _roster()

    assert _names(await search_volunteers(query)) == ["Đặng Thị Ân"]


async def test_a_word_inside_a_word_does_not_match(db):
    await _roster()

    assert await search_volunteers("ang") == []
    assert await search_volunteers("oan") == []


@pytest.mark.parametrize(
    "query",
    [
        "0983 681 802",
        "0983.681.802",
        "0983-681-802",
        "+84 983 681 802",
        "(+84) 983681802",
        "84983681802",
        "681 802",
        "0983681802",
    ],
)
async def test_phone_queries_match_digits_in_any_format(db, query):
    await _roster()

    assert _names(await search_volunteers(query)) == ["Nguyễn Văn An"]


@pytest.mark.parametrize("query", ["an%", "_n", "a_", "%", "%an"])
async def test_like_wildcards_are_text(db, query):
    await _roster()

    assert await search_volunteers(query) == []


async def test_a_query_of_separators_only_lists_everyone(db):
    await _roster()

    assert len(await search_volunteers("  ,  ")) == 7


async def test_separators_split_words(db):
    await _roster()

    assert _names(await search_volunteers("an;")) == _names(await search_volunteers("an"))
    assert _names(await search_volunteers("Trần, Anh")) == ["Trần Thị Anh"]


async def test_count_and_assignment_candidates_use_the_same_word_matching(db):
    await _roster()

    assert await count_volunteers("an") == 4
    assert _names(await candidates_for_shift("an", unit_ids=None)) == _names(
        await search_volunteers("an")
    )


def test_name_query_words_folds_and_splits():
    assert name_query_words("  Ðặng,VĂN  ân ") == ["dang", "van", "an"]
