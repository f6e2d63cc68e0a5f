"""The audit log, for administrators: who changed what, and when."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations.i18n import _, translate
from stations.services.errors import InvalidInput
from stations.services.queries.audit import audit_actions, audit_page
from stations.services.queries.audit_lines import action_label, audit_lines
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import render, route_url
from stations.web.views.notifications import PAGE_OF, parse_page


@page(admin=True)
async def audit_log(request: Request) -> Response:
    """``GET /audit?action=&actor=&page=``: the trail, newest first."""
    language = principal_of(request).language
    errors: dict[str, str] = {}
    action = (request.query_params.get("action") or "").strip()
    actor = (request.query_params.get("actor") or "").strip()
    actions = await audit_actions()
    try:
        if action and action not in actions:
            raise InvalidInput(_("Choose an action from the list."), field="action")
        page_number = parse_page(request.query_params.get("page"))
        result = await audit_page(action=action or None, actor=actor or None, page=page_number)
    except InvalidInput as error:
        errors = forms.error_map(error, language)
        result = await audit_page()
    base = route_url(request, "audit_log")

    def url_for_page(number: int) -> str:
        params: dict[str, Any] = {"page": number}
        if action:
            params["action"] = action
        if actor:
            params["actor"] = actor
        return str(base.include_query_params(**params))

    context = {
        "result": result,
        "lines": await audit_lines(result.rows, language),
        "action": action,
        "actor": actor,
        "actions": [
            ("", translate(_("Any action"), language)),
            *sorted(((a, action_label(a, language)) for a in actions), key=lambda p: p[1]),
        ],
        "errors": errors,
        "url_for_page": url_for_page,
        "page_label": translate(PAGE_OF, language, page=result.page, pages=result.page_count),
    }
    return render(request, "audit/list.html", context, status_code=422 if errors else 200)


ROUTES: list[BaseRoute] = [
    Route("/audit", audit_log, methods=["GET"], name="audit_log"),
]
