"""QR codes as inline SVG and the Telegram deep links they carry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from stations.services.stations import STATION_CODE_PATTERN, normalize_station_code
from stations.web.qr import (
    DEEP_LINK_PAYLOAD,
    bot_deep_link,
    qr_svg,
    station_checkin_link,
)

pytestmark = pytest.mark.unit


def test_qr_svg_is_markup_holding_one_svg_element_named_by_its_title():
    svg = qr_svg("https://t.me/waystation_bot?start=st_HN-01", title="HN-01 · Trạm")

    assert isinstance(svg, Markup)
    assert (svg.startswith("<svg"), svg.count("<svg"), "<title>HN-01 · Trạm</title>" in svg) == (
        True,
        1,
        True,
    )


def test_qr_svg_escapes_a_title_typed_by_a_person():
    svg = qr_svg("x", title='<script>alert("x")</script>')

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_qr_svg_has_no_size_of_its_own_so_css_can_scale_it():
    svg = qr_svg("data", title="t")

    opening = svg[: svg.index(">")]
    assert ("width=" in opening, "height=" in opening, "viewBox=" in opening) == (
        False,
        False,
        True,
    )


def test_qr_svg_refuses_empty_data():
    with pytest.raises(ValueError):
        qr_svg("", title="t")


def test_qr_svg_grows_with_its_data():
    short = qr_svg("a", title="t")
    long = qr_svg("https://t.me/waystation_bot?start=" + "a" * 60, title="t")

    assert len(long) > len(short)


def test_station_checkin_link_is_the_bots_start_link_with_the_station_code():
    assert station_checkin_link("waystation_bot", "HN-01") == (
        "https://t.me/waystation_bot?start=st_HN-01"
    )


def test_bot_deep_link_drops_a_leading_at_sign():
    assert bot_deep_link("@waystation_bot", "abc") == "https://t.me/waystation_bot?start=abc"


@pytest.mark.parametrize(
    "payload",
    ["", "a b", "st_HN/01", "trạm", "a" * 65, "x?y=1", "a&b"],
)
def test_bot_deep_link_refuses_a_payload_telegram_would_drop(payload):
    assert bot_deep_link("waystation_bot", payload) is None


@pytest.mark.parametrize("username", ["", "ab", "bad name", "1abcde", "a" * 33, "bot/../x"])
def test_bot_deep_link_refuses_a_username_that_is_not_telegrams(username):
    assert bot_deep_link(username, "st_A") is None


def test_a_64_character_payload_is_the_longest_accepted():
    assert bot_deep_link("waystation_bot", "a" * 64) == (
        "https://t.me/waystation_bot?start=" + "a" * 64
    )


@given(st.from_regex(STATION_CODE_PATTERN, fullmatch=True))
def test_every_station_code_the_service_accepts_fits_in_a_deep_link(code):
    normalized = normalize_station_code(code)

    link = station_checkin_link("waystation_bot", normalized)

    assert link is not None
    assert DEEP_LINK_PAYLOAD.fullmatch(link.rsplit("=", 1)[1])
