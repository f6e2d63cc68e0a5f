"""The operator's page, for administrators: what to check first when "the bot is silent"."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations import __version__, clock
from stations.enums import NotificationStatus
from stations.i18n import _
from stations.services.queries.operations import operations_status
from stations.web.auth import page
from stations.web.rendering import render

#: Bot modes as the page names them.
BOT_MODES = {
    "webhook": _("webhook"),
    "polling": _("long polling"),
    "off": _("off"),
}
#: A pending message older than this past its due time means the sending has stalled.
STALLED_AFTER = dt.timedelta(minutes=5)


@page(admin=True)
async def operations(request: Request) -> Response:
    """``GET /operations``: version, database, bot, scheduler replicas, outbox, last backup."""
    now = clock.now()
    status = await operations_status(now=now)
    settings = request.app.state.settings
    bot = status.bots[0] if status.bots else None
    if not settings.bot_enabled:
        bot_mode = "off"
    elif bot is not None:
        bot_mode = str(bot.detail.get("mode") or "off")
    else:
        bot_mode = "webhook" if settings.webhook_enabled else "polling"
    last_update = bot.detail.get("last_update_at") if bot else None
    context = {
        "version": __version__,
        "status": status,
        "bot_mode": BOT_MODES.get(bot_mode, BOT_MODES["off"]),
        "bot_on": settings.bot_enabled,
        "bot_seen": bot,
        "bot_last_update": dt.datetime.fromisoformat(last_update) if last_update else None,
        "pending": status.backlog.total(NotificationStatus.PENDING),
        "sending": status.backlog.total(NotificationStatus.SENDING),
        "failed": status.backlog.total(NotificationStatus.FAILED),
        "oldest_minutes": int(status.backlog.oldest_due_seconds // 60),
        "stalled": status.backlog.oldest_due_seconds >= STALLED_AFTER.total_seconds(),
        "backup_stale": status.backup_stale,
        "scheduler_in_web": settings.scheduler_enabled,
    }
    return render(request, "operations/status.html", context)


ROUTES: list[BaseRoute] = [
    Route("/operations", operations, methods=["GET"], name="operations"),
]
