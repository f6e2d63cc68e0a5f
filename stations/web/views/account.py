"""Signing in and out of the coordinators' web app."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from stations.i18n import _
from stations.services import sessions as sessions_service
from stations.services import signin as signin_service
from stations.services.errors import PermissionDenied, StationsError
from stations.web import auth, forms
from stations.web.rendering import flash, page_language, render, route_url

SIGNED_OUT = _("You are signed out.")
SIGNED_OUT_EVERYWHERE = _("You are signed out on every device.")
WELCOME = _("Welcome, {name}.")


def _home(request: Request) -> str:
    return str(route_url(request, "campaign_list"))


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


async def signin_page(request: Request) -> Response:
    """``GET /signin`` shows the form (signed-in visitors go on); ``POST`` signs in."""
    if request.method == "POST":
        return await _sign_in(request)
    next_url = auth.safe_next(request.query_params.get("next"))
    if await auth.current_user(request) is not None:
        return RedirectResponse(next_url or _home(request), status_code=303)
    return _form(request, next_url=next_url)


def _form(
    request: Request,
    *,
    next_url: str | None,
    email: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "account/signin.html",
        {"next_url": next_url, "email": email, "errors": errors or {}},
        status_code=status_code,
    )


async def _sign_in(request: Request) -> Response:
    form = await forms.read_form(request)
    email = forms.text(form, "email")
    next_url = auth.safe_next(forms.text(form, "next"))
    language = page_language(request)
    if not await auth.csrf_ok(request):
        error = PermissionDenied(auth.CSRF_FAILED)
        # A new token for the retry: the form re-renders with it.
        return _form(
            request,
            next_url=next_url,
            email=email,
            errors=forms.error_map(error, language),
            status_code=403,
        )
    try:
        user = await signin_service.sign_in(
            email, forms.text(form, "password"), address=_client_address(request)
        )
    except StationsError as error:
        # One message for the whole form: it must not say which of the two was wrong.
        return _form(
            request,
            next_url=next_url,
            email=email,
            errors={forms.ALL_FIELDS: error.translated(language)},
            status_code=error.http_status,
        )
    await auth.start_session(request, user)
    flash(request, WELCOME, name=user.full_name or user.email)
    return RedirectResponse(next_url or _home(request), status_code=303)


async def signout(request: Request) -> Response:
    """``POST /signout``: ends the session (the CSRF token keeps other sites from doing it)."""
    if not await auth.csrf_ok(request):
        raise PermissionDenied(auth.CSRF_FAILED)
    await auth.end_session(request)
    flash(request, SIGNED_OUT)
    return RedirectResponse(str(route_url(request, "signin")), status_code=303)


@auth.page()
async def signout_everywhere(request: Request) -> Response:
    """``POST /signout/everywhere``: ends every session of the signed-in user, this one too
    (a lost phone, a shared computer)."""
    principal = auth.principal_of(request)
    user = await sessions_service.user_by_id(principal.user_id)
    await sessions_service.close_all_sessions(user, by=principal)
    request.session.clear()
    flash(request, SIGNED_OUT_EVERYWHERE)
    return RedirectResponse(str(route_url(request, "signin")), status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/signin", signin_page, methods=["GET", "POST"], name="signin"),
    Route("/signout", signout, methods=["POST"], name="signout"),
    Route(
        "/signout/everywhere",
        signout_everywhere,
        methods=["POST"],
        name="signout_everywhere",
    ),
]
