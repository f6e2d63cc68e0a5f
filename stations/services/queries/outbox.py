"""The outbox as coordinators read it: what was sent, what is waiting, what did not arrive.

Scope: a coordinator sees the messages to volunteers of their units; messages to a group
chat (no volunteer, such as the coordinators' group) and to volunteers without a unit are
seen only province-wide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.functions import Count
from tortoise.queryset import QuerySet

from stations.enums import NotificationStatus
from stations.i18n import _
from stations.models import Notification
from stations.services.errors import InvalidInput

PAGE_SIZE = 50
#: Past this page there is nothing a person would page through to; it bounds the offset.
MAX_PAGE = 10_000


@dataclass(frozen=True)
class NotificationPage:
    rows: list[Notification]
    #: how many rows match the filter, over all pages
    total: int
    page: int
    page_size: int
    #: status value → how many messages in scope have it (for the filter's counts)
    status_counts: dict[str, int]

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _scoped(unit_ids: Iterable[int] | None) -> QuerySet[Notification]:
    if unit_ids is None:
        return Notification.all()
    return Notification.filter(volunteer__unit_id__in=sorted(unit_ids) or [0])


async def outbox_page(
    *,
    unit_ids: Iterable[int] | None,
    status: NotificationStatus | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> NotificationPage:
    """One page of the outbox in scope, newest due first, volunteers loaded."""
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise InvalidInput(
            _("The page must be a whole number from 1 to {max}."), field="page", max=MAX_PAGE
        )
    scope = list(unit_ids) if unit_ids is not None else None
    query = _scoped(scope)
    if status is not None:
        query = query.filter(status=NotificationStatus(status))
    total = await query.count()
    rows = (
        await query.select_related("volunteer")
        .order_by("-due_at", "-id")
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    counted = await _scoped(scope).annotate(n=Count("id")).group_by("status").values("status", "n")
    counts = {NotificationStatus(row["status"]).value: int(row["n"]) for row in counted}
    return NotificationPage(
        rows=list(rows),
        total=total,
        page=page,
        page_size=page_size,
        status_counts={s.value: counts.get(s.value, 0) for s in NotificationStatus},
    )
