"""Error pages: a refused, missing or broken request gets a translated page, never a traceback.

Paths under ``/api/`` answer JSON in the API's error shape instead (the API's own handlers
run first for its endpoints; these cover what reaches the app's level, such as an unknown
``/api/...`` address).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stations.i18n import _, translate
from stations.services.errors import StationsError
from stations.web.rendering import page_language, render

log = logging.getLogger(__name__)

TITLES = {
    400: _("The request could not be understood"),
    403: _("Not allowed"),
    404: _("Page not found"),
    405: _("This action is not possible here"),
    409: _("This conflicts with the current state"),
    413: _("What you sent is too large"),
    422: _("Some of what you sent is not valid"),
    429: _("Too many attempts"),
    500: _("Something went wrong on our side"),
}
EXPLANATIONS = {
    400: _("The page sent something we could not read. Go back, reload it and try again."),
    403: _("Your account is not allowed to see or do this."),
    404: _("The page or the record you asked for does not exist, or no longer exists."),
    405: _("This address does not accept that kind of request."),
    413: _("Forms can send at most 2 MB, and file uploads at most 10 MB."),
    500: _(
        "The error has been logged. Please try again in a moment; if it keeps happening, "
        "tell the province's coordinators."
    ),
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    500: "server_error",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_page(request: Request, status_code: int, message: str | None = None) -> Response:
    """The translated error page for ``status_code``, with ``message`` (translated) if any."""
    language = page_language(request)
    title = translate(TITLES.get(status_code, TITLES[400]), language)
    if _is_api(request):
        body: dict[str, Any] = {
            "error": {
                "code": CODES.get(status_code, "error"),
                "message": message or title,
                "field": None,
            }
        }
        return JSONResponse(body, status_code=status_code)
    explanation = EXPLANATIONS.get(status_code)
    context = {
        "status_code": status_code,
        "title": title,
        "message": message,
        "explanation": translate(explanation, language) if explanation else None,
    }
    return render(request, "errors/error.html", context, status_code=status_code)


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code in {204, 304}:
        return Response(status_code=exc.status_code, headers=exc.headers)
    response = error_page(request, exc.status_code)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def stations_error(request: Request, exc: Exception) -> Response:
    """A service's refusal that reached the app: ``PermissionDenied`` → 403,
    ``NotFound`` → 404, the others their own 4xx, each with its translated message."""
    assert isinstance(exc, StationsError)
    if _is_api(request):
        return JSONResponse(
            {"error": exc.as_dict(page_language(request))}, status_code=exc.http_status
        )
    return error_page(request, exc.http_status, exc.translated(page_language(request)))


async def server_error(request: Request, exc: Exception) -> Response:
    """The last resort: a 500 page that cannot itself fail."""
    log.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        return error_page(request, 500)
    except Exception:  # the page itself failed (a broken template): plain text will do
        log.exception("The error page could not be rendered")
        return HTMLResponse("<!doctype html><title>500</title><h1>500</h1>", status_code=500)


class ErrorPageMiddleware:
    """A bug's 500 page as an ordinary response; a client that left, a line without a trace.

    Starlette's own last-resort handler sends the page and then raises again, so uvicorn
    logs the error a second time and closes the keep-alive connection. Here the error is
    logged once, the page sent, and nothing raised: the connection stays open. A client
    that disconnects while its request is read is nobody's error: nothing is sent back
    (there is nobody to send to) and no traceback is logged. After the response has begun,
    nothing can be sent: the error is logged and raised, and the connection dropped."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except ClientDisconnect:
            log.info("Client left during %s %s", scope["method"], scope["path"])
        except Exception as exc:
            if started:
                raise
            response = await server_error(Request(scope), exc)
            await response(scope, receive, send)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    HTTPException: http_exception,
    StationsError: stations_error,
    Exception: server_error,
}
