"""The audit trail as administrators read it: newest first, filtered by action or actor."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.queryset import QuerySet

from stations.i18n import _
from stations.models import AuditEvent
from stations.services.errors import InvalidInput

PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_FILTER_LENGTH = 200


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


async def audit_actions() -> list[str]:
    """Every action the trail holds, for the filter's list."""
    actions: list[str] = await (  # type: ignore[assignment]
        AuditEvent.all().distinct().order_by("action").values_list("action", flat=True)
    )
    return actions


async def audit_page(
    *,
    action: str | None = None,
    actor: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of events, newest first. ``action`` matches exactly; ``actor`` is any part
    of who acted (an e-mail, a token's name, a volunteer's name), in any case."""
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise InvalidInput(
            _("The page must be a whole number from 1 to {max}."), field="page", max=MAX_PAGE
        )
    query: QuerySet[AuditEvent] = AuditEvent.all()
    if action:
        if len(action) > 64:
            raise InvalidInput(_("Choose an action from the list."), field="action")
        query = query.filter(action=action)
    if actor:
        if len(actor) > MAX_FILTER_LENGTH:
            raise InvalidInput(
                _("Search for at most {max} characters."), field="actor", max=MAX_FILTER_LENGTH
            )
        query = query.filter(actor_label__icontains=actor)
    total = await query.count()
    rows = await query.order_by("-at", "-id").offset((page - 1) * page_size).limit(page_size)
    return AuditPage(rows=list(rows), total=total, page=page, page_size=page_size)
