"""Coordinators read travellers' answers for a campaign and hide a comment that should not
be shown (the stars still count)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations.i18n import _, translate
from stations.services.errors import NotFound
from stations.services.feedback import set_comment_hidden
from stations.services.permissions import check_can_change_station
from stations.services.queries.feedback_pages import campaign_feedback, feedback_or_none
from stations.services.queries.report_satisfaction import ENOUGH_RESPONSES
from stations.services.station_services import STATION_SERVICES
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, page_language, render
from stations.web.views._shared import campaign_in_path, path_int, redirect_to

FEEDBACK_GONE = _("This answer no longer exists.")


@page()
async def feedback_page(request: Request) -> Response:
    campaign = await campaign_in_path(request)
    principal = principal_of(request)
    language = page_language(request)
    feedback = await campaign_feedback(campaign, unit_ids=principal.unit_ids)
    return render(
        request,
        "feedback/campaign.html",
        {
            "campaign": campaign,
            "feedback": feedback,
            "enough": ENOUGH_RESPONSES,
            "service_names": {
                code: translate(label, language) for code, label in STATION_SERVICES.items()
            },
            "may_change": principal.can_change,
        },
    )


@page(change=True)
async def feedback_hide(request: Request) -> Response:
    answer = await feedback_or_none(path_int(request, "feedback_id"))
    if answer is None:
        raise NotFound(FEEDBACK_GONE, field="feedback")
    principal = principal_of(request)
    check_can_change_station(principal, answer.station)
    form = await forms.read_form(request)
    hidden = forms.text(form, "hidden") != "0"
    await set_comment_hidden(answer, hidden=hidden, by=principal.actor)
    flash(request, _("The comment is hidden.") if hidden else _("The comment is shown again."))
    return redirect_to(request, "campaign_feedback", campaign_id=answer.station.campaign_id)


ROUTES: list[BaseRoute] = [
    Route(
        "/campaigns/{campaign_id:int}/feedback",
        feedback_page,
        methods=["GET"],
        name="campaign_feedback",
    ),
    Route(
        "/feedback/{feedback_id:int}/hide",
        feedback_hide,
        methods=["POST"],
        name="feedback_hide",
    ),
]
