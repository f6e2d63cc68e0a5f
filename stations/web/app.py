"""The Starlette application factory."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from starlette.applications import Starlette
from starlette.convertors import CONVERTOR_TYPES, IntegerConvertor
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute, compile_path
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stations import db
from stations.services.sessions import SESSION_LIFETIME
from stations.settings import Settings
from stations.web import api, pages, views
from stations.web.errors import EXCEPTION_HANDLERS, ErrorPageMiddleware
from stations.web.health import healthz
from stations.web.metrics import RequestMetricsMiddleware, metrics, route_templates
from stations.web.request_context import RequestIdMiddleware

log = logging.getLogger(__name__)

#: Our own stylesheet, served by the app itself: the pages must work on a closed network.
STATIC_DIR = Path(__file__).parent / "static"

#: Something that runs beside the web app for as long as it serves (the bot, the
#: scheduler): entered after the database is ready, left before it closes.
Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]

SESSION_COOKIE = "waystation_session"
#: The cookie lives as long as the server keeps its session.
SESSION_MAX_AGE = int(SESSION_LIFETIME.total_seconds())

#: Scripts and styles only from our own /static (no inline script can run, so injected
#: markup cannot act); inline SVG images and QR codes are ``data:`` or markup, both allowed.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class DatabaseIdConvertor(IntegerConvertor):
    """``{x_id:int}`` as a row id: at most nine digits, so an absurd id in an address is a
    plain 404 at routing rather than a number the database's INTEGER cannot hold."""

    regex = "[0-9]{1,9}"


def _bound_ids(routes: Iterable[BaseRoute]) -> None:
    """Recompile every ``:int`` path parameter with ``DatabaseIdConvertor``, whichever
    module built the route and whenever it was imported."""
    standard = CONVERTOR_TYPES["int"]
    CONVERTOR_TYPES["int"] = DatabaseIdConvertor()
    try:
        for route in routes:
            if isinstance(route, Route | WebSocketRoute):
                if "{" in route.path:
                    route.path_regex, route.path_format, route.param_convertors = compile_path(
                        route.path
                    )
            elif isinstance(route, Mount):
                route.path_regex, route.path_format, route.param_convertors = compile_path(
                    route.path + "/{path:path}"
                )
                _bound_ids(route.routes)
    finally:
        CONVERTOR_TYPES["int"] = standard


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    settings: Settings,
    *,
    manage_database: bool = True,
    lifespans: Sequence[Lifespan] = (),
    routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The web app. With ``manage_database`` it opens and closes the database itself (the
    caller has migrated it: ``serve`` does so before the port opens); tests pass False and
    bring their own. ``lifespans`` and ``routes`` are how
    ``stations.main`` plugs in the parts that live in the same process."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if manage_database:
                await db.init_db(settings.database_url)
                stack.push_async_callback(db.close_db)
            for part in lifespans:
                await stack.enter_async_context(part(app))
            yield

    templates: dict[object, str] = {}
    app = Starlette(
        debug=False,
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            *pages.ROUTES,
            *views.ROUTES,
            *api.ROUTES,
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            *routes,
        ],
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(RequestMetricsMiddleware, templates=templates),
            Middleware(SecurityHeadersMiddleware),
            # Inside the security headers, so the 500 page carries them too.
            Middleware(ErrorPageMiddleware),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    _bound_ids(app.routes)
    # Filled after the app exists: the middleware reads it per request.
    templates.update(route_templates(app.routes))
    app.state.settings = settings
    return app
