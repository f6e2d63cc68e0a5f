"""Who is signed in, and the gate every coordinator page goes through.

The session cookie (signed by Starlette's ``SessionMiddleware``, HttpOnly, SameSite=Lax,
Secure behind HTTPS) holds the key of a server-side session, a version of what the sign-in
vouched for (see ``services/sessions.py``), the CSRF token and one-time messages: nothing
else. Signing out deletes the server's record, so a copy of the cookie is worthless after.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from stations import logs
from stations.enums import Language
from stations.i18n import _
from stations.models import User
from stations.services import sessions
from stations.services.errors import PermissionDenied
from stations.services.permissions import (
    ADMINS_ONLY,
    READ_ONLY,
    Principal,
    principal_for_user,
)
from stations.web import forms
from stations.web.i18n import LANGUAGE_COOKIE, chosen_language, supported_language
from stations.web.rendering import SESSION_CSRF, csrf_token, flash

SESSION_KEY = "sid"
SESSION_VERSION = "ver"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_NEXT_LENGTH = 2000

CSRF_FAILED = _(
    "This form has expired or did not come from this site. Reload the page and try again."
)
SIGN_IN_FIRST = _("Sign in to continue.")
SESSION_ENDED = _("Your session has ended. Please sign in again.")

View = Callable[[Request], Awaitable[Response]]


def safe_next(target: object) -> str | None:
    """``target`` when it is a path on this site (``?next=`` must never lead elsewhere)."""
    if not isinstance(target, str) or not target or len(target) > MAX_NEXT_LENGTH:
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def sign_in_url(request: Request) -> str:
    """The sign-in page, coming back to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{request.url_for('signin').path}?{urlencode({'next': here})}"


async def start_session(request: Request, user: User) -> None:
    """A fresh session for ``user``: nothing from before sign-in survives (no fixation)."""
    await sessions.close_session(request.session.get(SESSION_KEY))
    request.session.clear()
    request.session[SESSION_KEY] = await sessions.open_session(user)
    request.session[SESSION_VERSION] = sessions.session_version(user)
    csrf_token(request)


async def end_session(request: Request) -> None:
    """Sign this browser out: the server forgets the session, the cookie is emptied."""
    await sessions.close_session(request.session.get(SESSION_KEY))
    request.session.clear()


async def current_user(request: Request) -> User | None:
    """The signed-in user; a session that was ended, or whose user changed or left, is
    cleared here."""
    key = request.session.get(SESSION_KEY)
    if key is None:
        return None
    user = await sessions.user_for_session(key, request.session.get(SESSION_VERSION))
    if user is None:
        await end_session(request)
        flash(request, SESSION_ENDED)
    return user


def _language_for(request: Request, principal: Principal) -> Language:
    # A choice made on this request, then one remembered in the cookie, then the account's.
    return (
        chosen_language(request)
        or supported_language(request.cookies.get(LANGUAGE_COOKIE))
        or principal.language
    )


async def csrf_ok(request: Request) -> bool:
    """Whether this unsafe request carries the session's CSRF token."""
    expected = request.session.get(SESSION_CSRF)
    if not isinstance(expected, str) or not expected:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = forms.text(await forms.read_form(request), CSRF_FIELD)
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def page(*, change: bool = False, admin: bool = False) -> Callable[[View], View]:
    """Guard a coordinator page: signed in, CSRF on every unsafe method, role checks.

    Anonymous GET/HEAD go to the sign-in page (303), anything else anonymous gets 403.
    ``change``: viewers are refused; ``admin``: everyone but administrators is."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        async def guarded(request: Request) -> Response:
            user = await current_user(request)
            if user is None:
                if request.method in SAFE_METHODS:
                    return RedirectResponse(sign_in_url(request), status_code=303)
                raise PermissionDenied(SIGN_IN_FIRST)
            logs.bind(user_id=user.id)
            principal = await principal_for_user(user)
            language = _language_for(request, principal)
            principal = dataclasses.replace(principal, language=language)
            request.state.principal = principal
            request.state.language = language
            if request.method not in SAFE_METHODS and not await csrf_ok(request):
                raise PermissionDenied(CSRF_FAILED)
            if change and not principal.can_change:
                raise PermissionDenied(READ_ONLY)
            if admin and not principal.is_admin:
                raise PermissionDenied(ADMINS_ONLY)
            return await view(request)

        return guarded

    return decorate


def principal_of(request: Request) -> Principal:
    """The principal ``page`` put on the request."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        raise RuntimeError("principal_of() is for views wrapped in @page")
    return principal
