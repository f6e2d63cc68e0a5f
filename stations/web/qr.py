"""QR codes drawn as inline SVG, and the Telegram deep links they usually carry.

Inline SVG needs no image route, prints sharply at any size and works on a closed network.
"""

from __future__ import annotations

import re

import segno
from markupsafe import Markup

#: What Telegram accepts after ``?start=``: at most 64 of these characters.
DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
#: A bot's username: 5 to 32 letters, digits and underscores (it ends in "bot").
BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
STATION_PAYLOAD_PREFIX = "st_"


def qr_svg(data: str, *, title: str) -> Markup:
    """``data`` as a QR code: an ``<svg>`` element sized by CSS, named by ``title`` for
    screen readers. Medium error correction survives a creased or smudged print-out."""
    if not data:
        raise ValueError("a QR code needs something to encode")
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(
        scale=1,
        border=4,  # the quiet zone scanners need around the code
        dark="#000",
        light="#fff",  # a white ground, also under a dark colour scheme
        title=title,  # segno escapes it
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    # segno wrote it: the only text inside, the title, is escaped.
    return Markup(svg)


def bot_deep_link(bot_username: str, payload: str) -> str | None:
    """``https://t.me/<bot>?start=<payload>``, or None when either part would not work:
    Telegram drops a payload it does not accept, and the bot would not know why."""
    username = bot_username.strip().lstrip("@")
    if not BOT_USERNAME.fullmatch(username) or not DEEP_LINK_PAYLOAD.fullmatch(payload):
        return None
    return f"https://t.me/{username}?start={payload}"


def station_checkin_link(bot_username: str, station_code: str) -> str | None:
    """The link a volunteer scans at a station to check in there (``st_<code>``)."""
    return bot_deep_link(bot_username, f"{STATION_PAYLOAD_PREFIX}{station_code}")
