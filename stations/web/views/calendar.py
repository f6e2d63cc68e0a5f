"""A volunteer's private iCal feed of shifts: fetched by calendar apps, so no sign-in.

The key in the address is the only credential; a wrong key and an unknown volunteer both
get the same 404, so the address reveals nothing about who exists.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from stations.services.calendar_feed import calendar_key, volunteer_calendar
from stations.services.errors import NotFound
from stations.web.rendering import page_language

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def calendar_url(request: Request, volunteer_id: int) -> str:
    """The absolute address of ``volunteer_id``'s feed, key included."""
    settings = request.app.state.settings
    base = request.url_for("volunteer_calendar", volunteer_id=volunteer_id)
    key = calendar_key(settings.secret_key, volunteer_id)
    if settings.public_url:
        # Behind a proxy the request's own host is an internal address a phone cannot reach.
        return f"{settings.public_url}{base.path}?key={key}"
    return str(base.include_query_params(key=key))


async def volunteer_shifts_ics(request: Request) -> Response:
    """``GET /volunteers/{volunteer_id}/shifts.ics?key=…``: the feed, or 404."""
    settings = request.app.state.settings
    try:
        feed = await volunteer_calendar(
            request.path_params["volunteer_id"],
            key=request.query_params.get("key"),
            secret_key=settings.secret_key,
        )
    except NotFound as error:
        # Plain text, the same for every refusal: a calendar app shows no page, and an HTML
        # page would echo the address (and its key) back in its links.
        return PlainTextResponse(
            error.translated(page_language(request)),
            status_code=404,
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )
    return Response(
        feed,
        media_type=CALENDAR_TYPE,
        headers={
            # Private to whoever holds the key: no shared cache may keep it.
            "Cache-Control": "private, max-age=300",
            "Content-Disposition": 'inline; filename="shifts.ics"',
            "Referrer-Policy": "no-referrer",
        },
    )


ROUTES: list[BaseRoute] = [
    Route(
        "/volunteers/{volunteer_id:int}/shifts.ics",
        volunteer_shifts_ics,
        methods=["GET"],
        name="volunteer_calendar",
    ),
]
