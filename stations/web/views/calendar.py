"""A volunteer's private iCal feed of shifts: fetched by calendar apps, so no sign-in.

The key in the address is the only credential; a wrong key and an unknown volunteer both
get the same 404, so the address reveals nothing about who exists. Coordinators who may
change the volunteer see the address and can replace its key; viewers see neither.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from stations.i18n import _
from stations.models import Volunteer
from stations.services.calendar_feed import regenerate_calendar_key, volunteer_calendar
from stations.services.errors import NotFound
from stations.services.permissions import check_can_change_volunteer
from stations.services.queries.volunteer_pages import volunteer_missing, volunteer_with_unit
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, page_language, route_url

NEW_CALENDAR_KEY = _(
    "The calendar address is new: the old one no longer works. Send the new one to {name}."
)

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def calendar_url(request: Request, volunteer: Volunteer) -> str:
    """The absolute address of ``volunteer``'s feed, key included."""
    settings = request.app.state.settings
    base = request.url_for("volunteer_calendar", volunteer_id=volunteer.id)
    key = volunteer.calendar_key
    if settings.public_url:
        # Behind a proxy the request's own host is an internal address a phone cannot reach.
        return f"{settings.public_url}{base.path}?key={key}"
    return str(base.include_query_params(key=key))


async def volunteer_shifts_ics(request: Request) -> Response:
    """``GET /volunteers/{volunteer_id}/shifts.ics?key=…``: the feed, or 404."""
    try:
        feed = await volunteer_calendar(
            request.path_params["volunteer_id"], key=request.query_params.get("key")
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


@page(change=True)
async def volunteer_calendar_key(request: Request) -> Response:
    """``POST /volunteers/{volunteer_id}/calendar-key``: a new feed key, closing the old
    address (a lost phone, a link shared too widely)."""
    principal = principal_of(request)
    volunteer = await volunteer_with_unit(request.path_params["volunteer_id"])
    check_can_change_volunteer(principal, volunteer, missing=volunteer_missing())
    await regenerate_calendar_key(volunteer, by=principal.actor)
    flash(request, NEW_CALENDAR_KEY, name=volunteer.full_name)
    target = route_url(request, "volunteer_detail", volunteer_id=volunteer.id)
    return RedirectResponse(f"{target}#calendar-title", status_code=303)


ROUTES: list[BaseRoute] = [
    Route(
        "/volunteers/{volunteer_id:int}/calendar-key",
        volunteer_calendar_key,
        methods=["POST"],
        name="volunteer_calendar_key",
    ),
    Route(
        "/volunteers/{volunteer_id:int}/shifts.ics",
        volunteer_shifts_ics,
        methods=["GET"],
        name="volunteer_calendar",
    ),
]
