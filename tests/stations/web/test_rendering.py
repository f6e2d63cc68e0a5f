"""What every page shares: navigation by role, the language switch, one-time messages."""

from __future__ import annotations

import re

from starlette.requests import Request

from stations.web.rendering import MAX_FLASHES, _take_flashes, flash, path_with_lang
from tests.stations.web.helpers import make_user, signed_in


def _request(query: str = "") -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/notifications",
        "query_string": query.encode(),
        "headers": [(b"host", b"testserver")],
        "scheme": "http",
        "server": ("testserver", 80),
        "session": {},
    }
    return Request(scope)


def test_language_switch_keeps_the_pages_other_parameters():
    request = _request("status=failed&lang=vi&page=2")

    assert path_with_lang(request, "en") == "/notifications?status=failed&page=2&lang=en"


def test_flashes_are_shown_once_and_bounded():
    request = _request()
    for n in range(MAX_FLASHES + 3):
        flash(request, "Welcome, {name}.", name=f"An {n}")

    shown = _take_flashes(request, "en")  # type: ignore[arg-type]

    assert shown == [f"Welcome, An {n}." for n in range(3, MAX_FLASHES + 3)]
    assert _take_flashes(request, "en") == []  # type: ignore[arg-type]


def test_a_damaged_flash_is_shown_without_its_placeholders_filled():
    request = _request()
    request.session["flashes"] = [{"msgid": "Welcome, {name}.", "params": {}}, "junk", {"x": 1}]

    assert _take_flashes(request, "en") == ["Welcome, {name}."]  # type: ignore[arg-type]


async def test_navigation_offers_the_audit_log_only_to_admins(app, clock):
    admin = await signed_in(app, await make_user(role="admin"))
    coordinator = await signed_in(app, await make_user(role="coordinator"))

    admin_nav = re.findall(r'<li><a href="([^"]+)"', (await admin.get("/notifications")).text)
    ward_nav = re.findall(r'<li><a href="([^"]+)"', (await coordinator.get("/notifications")).text)

    assert "/audit" in admin_nav and "/audit" not in ward_nav
    assert {"/campaigns", "/volunteers", "/notifications"} <= set(ward_nav)


async def test_current_section_is_marked_in_the_navigation(app, clock):
    browser = await signed_in(app, await make_user(role="admin"))

    page = (await browser.get("/notifications")).text

    assert '<a href="/notifications" aria-current="page">' in page
