"""The web logins, for administrators: who may sign in, on how many browsers they are signed
in now, and signing one of them out everywhere (a lost phone, someone who left)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from stations import clock
from stations.i18n import _
from stations.labels import USER_ROLE_LABELS
from stations.services import sessions as sessions_service
from stations.services.errors import NotFound
from stations.services.queries.user_sessions import users_with_sessions
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, render, route_url
from stations.web.views._shared import path_int
from stations.web.views.account import SIGNED_OUT_EVERYWHERE

SIGNED_OUT_USER = _("{name} is signed out on every device. Sessions ended: {count}.")


@page(admin=True)
async def user_list(request: Request) -> Response:
    """``GET /users``: every web login with its role, unit and live sessions."""
    return render(
        request,
        "users/list.html",
        {
            "users": await users_with_sessions(now=clock.now()),
            "role_labels": USER_ROLE_LABELS,
            "me": principal_of(request).user_id,
        },
    )


@page(change=True, admin=True)
async def user_signout_everywhere(request: Request) -> Response:
    """``POST /users/{user_id}/signout-everywhere``: ends every session of that user; an
    administrator doing it to themself is signed out here too."""
    principal = principal_of(request)
    user_id = path_int(request, "user_id")
    if not 1 <= user_id <= forms.MAX_ID:
        raise NotFound(sessions_service.NO_SUCH_USER)
    user = await sessions_service.user_by_id(user_id)
    ended = await sessions_service.close_all_sessions(user, by=principal)
    if user.id == principal.user_id:
        request.session.clear()
        flash(request, SIGNED_OUT_EVERYWHERE)
        return RedirectResponse(str(route_url(request, "signin")), status_code=303)
    flash(request, SIGNED_OUT_USER, name=user.full_name or user.email, count=ended)
    return RedirectResponse(str(route_url(request, "user_list")), status_code=303)


ROUTES: list[BaseRoute] = [
    Route("/users", user_list, methods=["GET"], name="user_list"),
    Route(
        "/users/{user_id:int}/signout-everywhere",
        user_signout_everywhere,
        methods=["POST"],
        name="user_signout_everywhere",
    ),
]
