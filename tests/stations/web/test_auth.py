"""Signing in and out, sessions, CSRF, and the gate in front of every coordinator page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from stations.models import AuditEvent, User
from stations.services.actor import Actor
from stations.services.users import set_password
from tests.factories import make_unit
from tests.stations.web.helpers import (
    DEFAULT_PASSWORD,
    csrf_token_in,
    make_user,
    new_client,
    post_form,
    signed_in,
)


async def _signin_form(client) -> str:
    page = await client.get("/signin")
    token = csrf_token_in(page.text)
    assert token
    return token


async def _try_sign_in(client, email: str, password: str):
    token = await _signin_form(client)
    return await client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token}
    )


def _session_cookie(response) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if "waystation_session" in h)


async def test_signin_page_shows_a_form_with_a_csrf_token(client):
    response = await client.get("/signin?lang=en")

    assert response.status_code == 200
    assert csrf_token_in(response.text)
    assert '<label for="f-email">E-mail address' in response.text
    assert 'type="password"' in response.text


async def test_signin_page_is_vietnamese_by_default(client):
    response = await client.get("/signin")

    assert '<html lang="vi">' in response.text
    assert "Đăng nhập" in response.text


async def test_signin_with_right_password_starts_a_session_and_goes_to_campaigns(app, clock):
    user = await make_user(email="an@example.vn")
    client = new_client(app)

    response = await _try_sign_in(client, "  AN@example.vn ", DEFAULT_PASSWORD)

    assert response.status_code == 303
    assert response.headers["location"] == "/campaigns"
    cookie = _session_cookie(response)
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()
    assert (await client.get("/campaigns")).status_code == 200
    assert (await User.get(id=user.id)).last_login_at == clock.now()


async def test_session_cookie_is_secure_behind_https(db, clock):
    from stations.settings import Settings
    from stations.web.app import create_app

    app = create_app(
        Settings(secret_key="x" * 40, public_url="https://tram.example.vn"),
        manage_database=False,
    )
    await make_user(email="an@example.vn")
    client = new_client(app)

    response = await _try_sign_in(client, "an@example.vn", DEFAULT_PASSWORD)

    assert "; secure" in _session_cookie(response).lower()


async def test_signin_with_wrong_password_rerenders_with_a_translated_error(app, clock):
    await make_user(email="an@example.vn")
    client = new_client(app)

    response = await _try_sign_in(client, "an@example.vn", "wrong password!")

    assert response.status_code == 422
    assert "Địa chỉ email hoặc mật khẩu không đúng." in response.text
    assert 'value="an@example.vn"' in response.text
    assert (await client.get("/campaigns")).status_code == 303


async def test_signin_of_unknown_email_says_the_same_as_a_wrong_password(app, clock):
    client = new_client(app)

    response = await _try_sign_in(client, "nobody@example.vn", DEFAULT_PASSWORD)

    assert response.status_code == 422
    assert "Địa chỉ email hoặc mật khẩu không đúng." in response.text


async def test_deactivated_user_cannot_sign_in(app, clock):
    user = await make_user(email="an@example.vn")
    await User.filter(id=user.id).update(is_active=False)
    client = new_client(app)

    response = await _try_sign_in(client, "an@example.vn", DEFAULT_PASSWORD)

    assert response.status_code == 422


async def test_signin_without_csrf_token_is_refused(app, clock):
    await make_user(email="an@example.vn")
    client = new_client(app)
    await client.get("/signin")

    response = await client.post(
        "/signin", data={"email": "an@example.vn", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 403
    assert (await client.get("/campaigns")).status_code == 303


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/stations/3?from=2027-02-01", "/stations/3?from=2027-02-01"),
        ("https://evil.example/", "/campaigns"),
        ("//evil.example/", "/campaigns"),
        ("/\\evil.example", "/campaigns"),
        ("javascript:alert(1)", "/campaigns"),
        ("campaigns", "/campaigns"),
        ("/ok\r\nSet-Cookie: x=1", "/campaigns"),
    ],
)
async def test_signin_follows_next_only_to_local_paths(app, clock, target, expected):
    user = await make_user()
    client = new_client(app)
    token = await _signin_form(client)

    response = await client.post(
        "/signin",
        data={
            "email": user.email,
            "password": DEFAULT_PASSWORD,
            "csrf_token": token,
            "next": target,
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == expected


async def test_anonymous_get_of_a_page_redirects_to_signin_with_next(client):
    response = await client.get("/campaigns?lang=en")

    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/signin"
    assert parse_qs(location.query) == {"next": ["/campaigns?lang=en"]}


async def test_signin_form_keeps_next_and_signed_in_visitor_is_sent_on(app, clock):
    user = await make_user()
    anonymous = new_client(app)
    form = await anonymous.get("/signin?next=/notifications")
    browser = await signed_in(app, user)

    again = await browser.get("/signin?next=/notifications")

    assert 'name="next" value="/notifications"' in form.text
    assert again.status_code == 303
    assert again.headers["location"] == "/notifications"


async def test_anonymous_post_to_a_page_is_forbidden(client):
    response = await client.post("/signout", data={})

    assert response.status_code == 403


async def test_signout_ends_the_session(app, clock):
    browser = await signed_in(app, await make_user())

    response = await post_form(browser, "/signout")

    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    assert (await browser.get("/campaigns")).status_code == 303
    assert "Bạn đã đăng xuất." in (await browser.get("/signin")).text


async def test_a_copied_session_cookie_stops_working_after_signout(app, clock):
    browser = await signed_in(app, await make_user())
    copy = new_client(app)
    copy.cookies.update(browser.cookies)
    assert (await copy.get("/campaigns")).status_code == 200

    await post_form(browser, "/signout")
    replayed = await copy.get("/campaigns")

    assert replayed.status_code == 303
    assert urlsplit(replayed.headers["location"]).path == "/signin"


async def test_sign_out_everywhere_ends_every_browser_of_the_user(app, clock):
    user = await make_user()
    laptop, phone = await signed_in(app, user), await signed_in(app, user)
    colleague = await signed_in(app, await make_user())

    response = await post_form(phone, "/signout/everywhere")

    assert response.status_code == 303
    assert response.headers["location"] == "/signin"
    assert (await laptop.get("/campaigns")).status_code == 303
    assert (await phone.get("/campaigns")).status_code == 303
    assert (await colleague.get("/campaigns")).status_code == 200
    assert "Bạn đã đăng xuất trên mọi thiết bị." in (await phone.get("/signin")).text
    event = await AuditEvent.get(action="user.sign_out_everywhere")
    assert (event.object_id, event.data) == (user.id, {"sessions": 2})


async def test_sign_out_everywhere_needs_the_csrf_token(app, clock):
    browser = await signed_in(app, await make_user())

    response = await browser.post("/signout/everywhere", data={"csrf_token": "forged"})

    assert response.status_code == 403
    assert (await browser.get("/campaigns")).status_code == 200


async def test_every_page_offers_sign_out_everywhere(app, clock):
    browser = await signed_in(app, await make_user())

    page = await browser.get("/campaigns")

    assert 'formaction="/signout/everywhere"' in page.text


async def test_signout_without_csrf_token_is_refused_and_keeps_the_session(app, clock):
    browser = await signed_in(app, await make_user())

    response = await browser.post("/signout", data={"csrf_token": "forged"})

    assert response.status_code == 403
    assert (await browser.get("/campaigns")).status_code == 200


async def test_csrf_token_is_accepted_from_the_header(app, clock):
    browser = await signed_in(app, await make_user())
    page = await browser.get("/campaigns")
    token = csrf_token_in(page.text)

    response = await browser.post("/signout", headers={"X-CSRF-Token": token})

    assert response.status_code == 303


async def test_changed_password_signs_the_old_session_out(app, clock):
    user = await make_user()
    browser = await signed_in(app, user)

    await set_password(user, "a brand new password", by=Actor.system())
    response = await browser.get("/campaigns")

    assert response.status_code == 303
    assert "Phiên đăng nhập đã kết thúc" in (await browser.get("/signin")).text


async def test_deactivated_user_is_signed_out_on_the_next_request(app, clock):
    user = await make_user()
    browser = await signed_in(app, user)

    await User.filter(id=user.id).update(is_active=False)

    assert (await browser.get("/campaigns")).status_code == 303


async def test_deleted_user_is_signed_out_on_the_next_request(app, clock):
    user = await make_user()
    browser = await signed_in(app, user)

    await User.filter(id=user.id).delete()

    assert (await browser.get("/campaigns")).status_code == 303


async def test_changed_role_signs_the_old_session_out(app, clock):
    user = await make_user(role="admin")
    browser = await signed_in(app, user)

    await User.filter(id=user.id).update(role="viewer")

    assert (await browser.get("/campaigns")).status_code == 303


async def test_moved_unit_signs_the_old_session_out(app, clock):
    user = await make_user(unit=await make_unit(code="CAX-A"))
    browser = await signed_in(app, user)
    other = await make_unit(code="CAX-B")

    await User.filter(id=user.id).update(unit_id=other.id)

    assert (await browser.get("/campaigns")).status_code == 303


async def test_tampered_session_cookie_is_ignored(app, clock):
    browser = await signed_in(app, await make_user())
    value = browser.cookies["waystation_session"]
    browser.cookies.clear()

    response = await browser.get(
        "/campaigns", headers={"cookie": f"waystation_session={value[:-3]}abc"}
    )

    assert response.status_code == 303


async def test_session_is_renewed_at_signin(app, clock):
    """No fixation: a token planted before sign-in is not the token after it."""
    user = await make_user()
    client = new_client(app)
    before = await _signin_form(client)

    await client.post(
        "/signin", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": before}
    )
    after = csrf_token_in((await client.get("/campaigns")).text)

    assert after and after != before


async def test_user_language_is_used_and_lang_parameter_overrides_it(app, clock):
    user = await make_user(language="en")
    browser = await signed_in(app, user)

    english = await browser.get("/campaigns")
    vietnamese = await browser.get("/campaigns?lang=vi")
    remembered = await browser.get("/campaigns")

    assert '<html lang="en">' in english.text
    assert '<html lang="vi">' in vietnamese.text
    assert '<html lang="vi">' in remembered.text


async def test_pages_carry_security_headers(client):
    response = await client.get("/signin")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


async def test_signed_in_pages_are_not_cached(app, clock):
    browser = await signed_in(app, await make_user())

    response = await browser.get("/campaigns")

    assert response.headers["cache-control"] == "no-store"


async def test_too_many_failures_pause_the_account_with_a_translated_message(app, clock):
    user = await make_user(email="an@example.vn")
    client = new_client(app)
    for _ in range(5):
        await _try_sign_in(client, "an@example.vn", "wrong password!")

    refused = await _try_sign_in(client, "an@example.vn", DEFAULT_PASSWORD)
    clock.advance(dt.timedelta(minutes=15, seconds=1))
    later = await _try_sign_in(client, user.email, DEFAULT_PASSWORD)

    assert refused.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút." in refused.text
    assert later.status_code == 303


async def test_signin_with_oversized_body_is_refused_with_413(client):
    await client.get("/signin")

    response = await client.post(
        "/signin",
        content=b"email=" + b"a" * (3 * 1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 413
    assert "2 MB" in response.text


@pytest.mark.parametrize(
    "data",
    [
        {"email": "", "password": ""},
        {"email": "x" * 10_000, "password": "y" * 10_000},
        {"email": "<script>alert(1)</script>", "password": "p"},
        {"email[]": "a", "password": ["a", "b"]},
        {},
    ],
)
async def test_signin_with_bad_values_rerenders_the_form(client, data):
    token = await _signin_form(client)

    response = await client.post("/signin", data={**data, "csrf_token": token})

    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
