"""The outbox page: what was sent to whom, what is waiting, and what did not arrive."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations.enums import NotificationStatus
from stations.i18n import Msgid, _, translate
from stations.services.errors import InvalidInput
from stations.services.queries.outbox import MAX_PAGE, outbox_page
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import render, route_url

STATUS_LABELS: dict[NotificationStatus, Msgid] = {
    NotificationStatus.PENDING: Msgid(_("waiting")),
    NotificationStatus.SENDING: Msgid(_("sending")),
    NotificationStatus.SENT: Msgid(_("sent")),
    NotificationStatus.FAILED: Msgid(_("failed")),
    NotificationStatus.CANCELLED: Msgid(_("cancelled")),
}
#: What each kind of message is about; a kind not listed is shown as stored.
KIND_LABELS: dict[str, Msgid] = {
    "assigned": Msgid(_("assigned to a shift")),
    "unassigned": Msgid(_("taken off a shift")),
    "shift_moved": Msgid(_("shift moved")),
    "shift_cancelled": Msgid(_("shift cancelled")),
    "declined": Msgid(_("shift declined")),
    "reminder": Msgid(_("shift reminder")),
    "no_show": Msgid(_("no-show alert")),
    "low_stock": Msgid(_("low stock alert")),
    "daily_summary": Msgid(_("daily summary")),
    "volunteer_blocked": Msgid(_("volunteer unreachable")),
    "checkin_unverified": Msgid(_("check-in away from the station")),
}
PAGE_OF = _("Page {page} of {pages}")


def parse_page(raw: str | None) -> int:
    """A ``?page=`` value; missing means the first page."""
    if raw is None or raw == "":
        return 1
    return forms.parse_int(raw, "page", minimum=1, maximum=MAX_PAGE)


@page()
async def notifications_page(request: Request) -> Response:
    """``GET /notifications?status=&page=``: the outbox in the reader's scope."""
    principal = principal_of(request)
    language = principal.language
    errors: dict[str, str] = {}
    status: NotificationStatus | None = None
    page_number = 1
    raw_status = request.query_params.get("status") or ""
    try:
        if raw_status:
            status = forms.parse_choice(raw_status, "status", NotificationStatus)
        page_number = parse_page(request.query_params.get("page"))
    except InvalidInput as error:
        errors = forms.error_map(error, language)
        status, page_number = None, 1
    result = await outbox_page(unit_ids=principal.unit_ids, status=status, page=page_number)
    base = route_url(request, "notifications")

    def url_for_page(number: int) -> str:
        params: dict[str, Any] = {"page": number}
        if status is not None:
            params["status"] = status.value
        return str(base.include_query_params(**params))

    context = {
        "result": result,
        "status": status.value if status else "",
        "errors": errors,
        "status_labels": {
            s.value: translate(label, language) for s, label in STATUS_LABELS.items()
        },
        "kind_labels": {kind: translate(label, language) for kind, label in KIND_LABELS.items()},
        "filters": [
            {
                "value": s.value,
                "label": translate(STATUS_LABELS[s], language),
                "count": result.status_counts.get(s.value, 0),
                "url": str(base.include_query_params(status=s.value)),
                "current": s is status,
            }
            for s in NotificationStatus
        ],
        "all_url": str(base),
        "url_for_page": url_for_page,
        "page_label": translate(PAGE_OF, language, page=result.page, pages=result.page_count),
    }
    return render(request, "notifications/list.html", context, status_code=422 if errors else 200)


ROUTES: list[BaseRoute] = [
    Route("/notifications", notifications_page, methods=["GET"], name="notifications"),
]
