"""``GET /metrics`` in Prometheus' text format, and the middleware that times every request.

The endpoint is off (404) until ``WAYSTATION_METRICS_TOKEN`` is set, and then answers only
a request bearing that token: the figures name no person, but they show how busy the
service is. Gauges of database state are read at each scrape.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Iterable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stations import clock
from stations.metrics import HTTP_LATENCY, HTTP_REQUESTS
from stations.services.metrics_gauges import refresh_state_gauges

access_log = logging.getLogger("stations.web.access")

#: The route label of a request that matched no route (a 404 by address).
UNMATCHED = "unmatched"


def route_templates(routes: Iterable[BaseRoute], prefix: str = "") -> dict[object, str]:
    """Each endpoint's path template (``/campaigns/{campaign_id:int}``): a bounded label."""
    templates: dict[object, str] = {}
    for route in routes:
        if isinstance(route, Route):
            templates.setdefault(route.endpoint, prefix + route.path)
        elif isinstance(route, Mount):
            templates.setdefault(route.app, prefix + route.path)
            templates.update(route_templates(route.routes, prefix + route.path))
    return templates


class RequestMetricsMiddleware:
    """Counts and times every HTTP request by its route template, method and status."""

    def __init__(self, app: ASGIApp, *, templates: dict[object, str]) -> None:
        self.app = app
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = self.templates.get(scope.get("endpoint"), UNMATCHED)
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            elapsed = time.perf_counter() - started
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_LATENCY.labels(route, method).observe(elapsed)
            access_log.info("%s %s %s %d ms", method, route, status, round(elapsed * 1000))


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _authorised(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


async def metrics(request: Request) -> Response:
    """The figures of this process, for a Prometheus holding the metrics token."""
    token: str = request.app.state.settings.metrics_token
    if not token:
        return PlainTextResponse("Not Found", status_code=404)
    if not _authorised(request, token):
        return PlainTextResponse(
            "Unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    await refresh_state_gauges(now=clock.now())
    return Response(
        generate_latest(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"}
    )
