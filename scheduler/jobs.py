"""The scheduler's clock jobs: each takes the moment it runs, delegates to one service, logs.

They are plain async functions: APScheduler calls them on its triggers (``scheduler.app``),
tests call them with any ``now``.
"""

from __future__ import annotations

import datetime as dt
import logging

from stations.services import alerts, heartbeats, reminders
from stations.services.daily_figures import refresh_daily_figures
from stations.services.metrics_gauges import refresh_state_gauges
from stations.settings import Settings

log = logging.getLogger(__name__)

#: How far ahead reminders are written into the outbox (coordinators see them queued).
REMINDER_HORIZON = dt.timedelta(hours=6)


async def job_materialise_reminders(
    *, now: dt.datetime, settings: Settings, started_at: dt.datetime | None = None
) -> int:
    """Queue the reminders that became due: only what changed since the last run, with a
    full rescan once after ``started_at`` (this process's start) and every hour."""
    result = await reminders.materialise_new_reminders(
        now=now,
        lead_hours=settings.reminder_hours,
        horizon=REMINDER_HORIZON,
        rescan_after=started_at,
    )
    if result.created:
        log.info(
            "queued %s shift reminder(s)%s",
            result.created,
            " (full rescan)" if result.rescanned else "",
        )
    return result.created


async def job_shift_follow_up(*, now: dt.datetime) -> int:
    """No-shows 15 minutes in, check-out reminders at the end, automatic check-out 2 h later."""
    no_shows = await alerts.alert_no_shows(now=now)
    check_out_reminders = await alerts.remind_check_out(now=now)
    checked_out = await alerts.auto_check_out(now=now)
    if no_shows or check_out_reminders or checked_out:
        log.info(
            "shift follow-up: %s no-show alert(s), %s check-out reminder(s), "
            "%s automatic check-out(s)",
            no_shows,
            check_out_reminders,
            checked_out,
        )
    return no_shows + check_out_reminders + checked_out


async def job_low_stock_sweep(*, now: dt.datetime) -> int:
    queued = await alerts.sweep_low_stock(now=now)
    if queued:
        log.info("low-stock sweep queued %s alert(s)", queued)
    return queued


async def job_daily_summary(*, now: dt.datetime) -> int:
    queued = await alerts.send_daily_summaries(now=now)
    if queued:
        log.info("queued %s daily summary message(s)", queued)
    return queued


async def job_unfilled_shifts(*, now: dt.datetime) -> int:
    queued = await alerts.send_unfilled_shifts(now=now)
    if queued:
        log.info("queued %s unfilled-shift message(s)", queued)
    return queued


async def job_closing_reports(*, now: dt.datetime) -> int:
    queued = await alerts.send_closing_reports(now=now)
    if queued:
        log.info("queued %s closing report(s)", queued)
    return queued


async def job_daily_figures(*, now: dt.datetime) -> int:
    """Recompute the report's stale daily figures, so a report finds little left to do."""
    del now  # the figures depend on what was written, not on the time
    stale = await refresh_daily_figures()
    if stale:
        log.info("recomputed the figures of %s station day(s)", stale)
    return stale


async def job_heartbeat(*, now: dt.datetime, started_at: dt.datetime) -> int:
    """Say this replica is alive (the operations page counts them) and refresh the outbox
    gauges this process exposes on its metrics port."""
    await heartbeats.beat("scheduler", now=now, started_at=started_at)
    await refresh_state_gauges(now=now)
    return 1
