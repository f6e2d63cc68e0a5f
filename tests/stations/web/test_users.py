"""The web logins page: an administrator sees who is signed in where, and signs someone out
everywhere; nobody else may."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import httpx

from stations.models import AuditEvent, WebSession
from tests.factories import make_unit
from tests.stations.web.helpers import make_user, new_client, post_form, signed_in


async def can_open_pages(client: httpx.AsyncClient) -> bool:
    response = await client.get("/campaigns")
    assert response.status_code in {200, 303}
    return response.status_code == 200


def sessions_shown(page: httpx.Response, user_id: int) -> int:
    row = re.search(rf'<tr id="user-{user_id}">.*?</tr>', page.text, re.S)
    assert row is not None, f"no row for user {user_id}"
    found = re.search(r'data-sessions="(\d+)"', row.group(0))
    assert found is not None
    return int(found.group(1))


async def test_admin_sees_each_users_live_sessions_and_last_sign_in(app, clock) -> None:
    user = await make_user(full_name="Nguyễn Thị Lan", unit=await make_unit(name="Công an xã A"))
    await signed_in(app, user)  # a laptop, expired after a week
    clock.advance(dt.timedelta(days=8))
    await signed_in(app, user)
    await signed_in(app, user)
    admin = await signed_in(app, await make_user(role="admin", full_name="Quản trị"))
    idle = await make_user(full_name="Trần Văn Bình")

    page = await admin.get("/users")

    assert page.status_code == 200
    assert (sessions_shown(page, user.id), sessions_shown(page, idle.id)) == (2, 0)
    assert "Nguyễn Thị Lan" in page.text and "Công an xã A" in page.text
    assert "2 trình duyệt" in page.text
    assert "chưa bao giờ" in page.text  # Trần Văn Bình has never signed in
    assert f'action="/users/{user.id}/signout-everywhere"' in page.text
    assert f'action="/users/{idle.id}/signout-everywhere"' not in page.text
    assert 'href="/users"' in page.text  # the administrators' navigation


async def test_admin_signs_a_user_out_everywhere_and_their_browsers_stop_working(
    app, clock
) -> None:
    admin_user = await make_user(role="admin")
    admin = await signed_in(app, admin_user)
    user = await make_user(full_name="Nguyễn Thị Lan")
    laptop, phone = await signed_in(app, user), await signed_in(app, user)
    colleague = await signed_in(app, await make_user())

    response = await post_form(admin, f"/users/{user.id}/signout-everywhere")

    assert response.status_code == 303
    assert response.headers["location"] == "/users"
    after = await admin.get("/users")
    assert "Nguyễn Thị Lan đã bị đăng xuất trên mọi thiết bị. Số phiên đã kết thúc: 2." in (
        after.text
    )
    assert sessions_shown(after, user.id) == 0
    assert (await can_open_pages(laptop), await can_open_pages(phone)) == (False, False)
    assert (await can_open_pages(admin), await can_open_pages(colleague)) == (True, True)
    revoked = await laptop.get("/campaigns")
    assert urlsplit(revoked.headers["location"]).path == "/signin"
    event = await AuditEvent.get(action="user.sign_out_everywhere")
    assert (event.actor_id, event.object_type, event.object_id, event.data) == (
        admin_user.id,
        "user",
        user.id,
        {"sessions": 2},
    )
    audit = await admin.get("/audit", params={"lang": "en"})
    assert "Signed Nguyễn Thị Lan out on every device" in audit.text


async def test_an_admin_signing_themself_out_everywhere_is_signed_out_here_too(app, clock) -> None:
    user = await make_user(role="admin")
    here, elsewhere = await signed_in(app, user), await signed_in(app, user)

    response = await post_form(here, f"/users/{user.id}/signout-everywhere")

    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    assert (await can_open_pages(here), await can_open_pages(elsewhere)) == (False, False)
    assert "Bạn đã đăng xuất trên mọi thiết bị." in (await here.get("/signin")).text
    assert await WebSession.filter(user_id=user.id).count() == 0


async def test_a_coordinator_may_not_sign_others_out_nor_see_the_logins(app, clock) -> None:
    unit = await make_unit()
    coordinator = await signed_in(app, await make_user(role="coordinator", unit=unit))
    viewer = await signed_in(app, await make_user(role="viewer", unit=unit))
    user = await make_user(unit=unit)
    browser = await signed_in(app, user)

    by_coordinator = await post_form(coordinator, f"/users/{user.id}/signout-everywhere")
    by_viewer = await post_form(viewer, f"/users/{user.id}/signout-everywhere")
    page = await coordinator.get("/users")

    assert (by_coordinator.status_code, by_viewer.status_code, page.status_code) == (403, 403, 403)
    assert await can_open_pages(browser)
    assert await AuditEvent.filter(action="user.sign_out_everywhere").count() == 0
    assert 'href="/users"' not in (await coordinator.get("/campaigns")).text


async def test_signing_out_an_unknown_user_answers_404(app, clock) -> None:
    admin = await signed_in(app, await make_user(role="admin"))

    statuses = [
        (await post_form(admin, f"/users/{user_id}/signout-everywhere")).status_code
        for user_id in ("999999", "99999999999999999999", "0", "abc")
    ]

    assert statuses == [404, 404, 404, 404]
    assert (
        "Không có người dùng này."
        in (await post_form(admin, "/users/999999/signout-everywhere")).text
    )


async def test_signing_a_user_out_needs_the_forms_token(app, clock) -> None:
    admin = await signed_in(app, await make_user(role="admin"))
    user = await make_user()
    browser = await signed_in(app, user)

    forged = await admin.post(f"/users/{user.id}/signout-everywhere", data={"csrf_token": "x"})
    anonymous = await new_client(app).post(f"/users/{user.id}/signout-everywhere")

    assert (forged.status_code, anonymous.status_code) == (403, 403)
    assert await can_open_pages(browser)


async def test_the_logins_page_speaks_english(app, clock) -> None:
    admin = await signed_in(app, await make_user(role="admin", full_name="Quản trị"))

    page = await admin.get("/users", params={"lang": "en"})

    assert "<h1>Web logins</h1>" in page.text
    assert "1 browser" in page.text and "(you)" in page.text
