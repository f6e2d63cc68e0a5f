"""Texts Telegram accepts: escaped values, pieces under 4,096 characters, short callback data."""

from __future__ import annotations

import pytest

from bot import keyboards, texts
from bot.messages import TEXT_LIMIT, split_text
from stations.services.errors import InvalidInput
from tests.factories import make_item

pytestmark = pytest.mark.unit


def test_short_text_is_one_piece():
    assert split_text("a\nb") == ["a\nb"]


def test_long_text_is_cut_at_line_ends_under_the_limit():
    lines = [f"• line {n} " + "x" * 50 for n in range(300)]

    pieces = split_text("\n".join(lines))

    assert all(len(piece) <= TEXT_LIMIT for piece in pieces)
    assert "\n".join(pieces).splitlines() == lines
    assert len(pieces) == 5


def test_a_single_overlong_line_is_cut_at_the_limit():
    pieces = split_text("y" * (TEXT_LIMIT + 10))

    assert [len(p) for p in pieces] == [TEXT_LIMIT, 10]


def test_render_escapes_values_but_not_our_markup():
    rendered = texts.render("<b>{station}</b>", "en", station="A & <B>")

    assert rendered == "<b>A &amp; &lt;B&gt;</b>"


def test_render_error_escapes_what_the_person_typed():
    error = InvalidInput("“{value}” is wrong.", field="x", value="<script>")

    assert texts.render_error(error, "en") == "“&lt;script&gt;” is wrong."


def test_plain_reads_our_html_for_a_callback_answer():
    assert texts.plain("<b>A &lt;1&gt;</b>") == "A <1>"
    assert len(texts.plain("z" * 500)) == 200


def test_callback_data_longer_than_64_bytes_is_refused():
    assert keyboards.callback("asg", "confirm", 2**62) == f"asg:confirm:{2**62}"
    with pytest.raises(ValueError, match="64 bytes"):
        keyboards.callback("pick", "handout", "ư" * 40)


@pytest.mark.integration
async def test_item_buttons_stay_within_telegrams_limits(db):
    items = [await make_item(f"item{n}", name_vi=f"Mặt hàng {n}") for n in range(7)]

    markup = keyboards.item_buttons("handout", items, "vi")

    rows = markup.inline_keyboard
    assert [len(row) for row in rows] == [2, 2, 2, 1, 1]
    assert all(len(b.callback_data.encode()) <= 64 for row in rows for b in row)
    assert rows[-1][0].callback_data == "pick:handout:cancel"
