"""Alerts the scheduler raises: no-shows, check-out follow-ups, low stock, the day's summary,
a campaign's closing report and the shifts still short of people.

Each function takes ``now``, writes outbox rows under dedupe keys (running it twice, or on
two schedulers at once, queues each message once) and returns how many messages are due
from it (one already queued by an earlier run counts again). Alerts for coordinators go to
the chat set by ``alert_routing``; without one they are skipped.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Final

from stations import clock
from stations.enums import ServiceKind
from stations.formatting import (
    format_date,
    format_minutes,
    format_number,
    format_time,
    format_window,
    quantity_phrase,
)
from stations.i18n import N_, _, translate, translate_plural
from stations.models import Assignment, SupplyItem
from stations.services import low_stock
from stations.services.actor import Actor
from stations.services.alert_routing import alert_routing
from stations.services.assignments import check_out, mark_no_show, role_label
from stations.services.errors import StationsError
from stations.services.outbox import TELEGRAM_TEXT_LIMIT, enqueue_notification, notify_volunteer
from stations.services.phones import format_phone_local
from stations.services.queries import alerts as queries
from stations.services.queries.assignments import find_no_shows
from stations.services.queries.reports import campaign_totals
from stations.services.queries.station_leads import station_leads
from stations.services.report_summary import campaign_summary

log = logging.getLogger(__name__)

SCHEDULER: Final = Actor.system("scheduler")
NO_SHOW_GRACE: Final = dt.timedelta(minutes=15)
AUTO_CHECK_OUT_AFTER: Final = dt.timedelta(hours=2)
#: The day's figures so far go out at 20:00; the whole day, once it is over, at 06:00 the
#: next morning (issue 11: 12 % of the demo's handouts happen after 20:00).
DAILY_SO_FAR_AT: Final = dt.time(20, 0)
DAILY_COMPLETE_AT: Final = dt.time(6, 0)
UNFILLED_AT: Final = dt.time(7, 0)
#: The morning list is for planning the day: not sent after noon (a late start skips it).
UNFILLED_UNTIL: Final = dt.time(12, 0)
UNFILLED_DAYS: Final = 3
CLOSING_LOOKBACK: Final = dt.timedelta(days=2)

NOT_CHECKED_IN = _(
    "⚠️ <b>Not checked in</b> {minutes} minutes into the shift at {station}, {window}:"
)
CHECK_OUT_REMINDER = _(
    "Your shift at {station} ended at {ends}. Please send /checkout so that your hours are counted."
)
AUTO_CHECKED_OUT = _(
    "You were checked out automatically at the end of your shift at {station} ({ends}), as "
    "no check-out came. If you stayed longer, please tell your coordinator."
)
DAILY_TITLE = _("📊 <b>Daily summary, {date}</b>: {campaign}")
DAILY_SO_FAR_TITLE = _("📊 <b>The day so far, {date}</b> (until {time}): {campaign}")
DAILY_NOTHING = _("No activity recorded today.")
DAILY_NOTHING_THAT_DAY = _("No activity recorded that day.")
DAILY_PEOPLE = N_("{count} volunteer, {hours} worked", "{count} volunteers, {hours} worked")
DAILY_HANDOUTS = _("Handed out: {items}")
DAILY_SERVICES = _("Services: {services}")
DAILY_LOW = _("Low stock: {items}")
CLOSING_TITLE = _("🏁 <b>Closing report</b>: {campaign}")
UNFILLED_TITLE = _("🧩 <b>Shifts still short of people</b> in the next {days} days:")
#: A service with its count, as a sentence says it ("kiểm tra 4 xe máy", "phát loa 60 phút").
SERVICE_COUNTS: Final = {
    ServiceKind.MOTORBIKE_CHECK: N_("{count} motorbike checked", "{count} motorbikes checked"),
    ServiceKind.LOUDSPEAKER: N_(
        "{count} minute of loudspeaker messages", "{count} minutes of loudspeaker messages"
    ),
    ServiceKind.FIRST_AID: N_("{count} first aid case", "{count} first aid cases"),
    ServiceKind.DIRECTIONS: N_(
        "{count} traveller given directions", "{count} travellers given directions"
    ),
    ServiceKind.REPAIR: N_("{count} repair", "{count} repairs"),
}


# -- shifts: no-shows and check-out ------------------------------------------------------


async def alert_no_shows(*, now: dt.datetime) -> int:
    """Mark who has not checked in 15 minutes into their shift as a no-show, and tell the
    station's lead(s) and the coordinators, one message per shift."""
    now = now.astimezone(dt.UTC)
    by_shift: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in await find_no_shows(now=now, grace=NO_SHOW_GRACE):
        try:
            marked = await mark_no_show(assignment, by=SCHEDULER)
        except StationsError as exc:
            # Checked in or declined a moment ago: nothing to report.
            log.info("assignment %s not marked as a no-show: %s", assignment.id, exc)
            continue
        marked.shift, marked.volunteer = assignment.shift, assignment.volunteer
        by_shift[assignment.shift_id].append(marked)
    queued = 0
    for missing in by_shift.values():
        shift = missing[0].shift
        station = shift.station
        first = min(a.id for a in missing)
        absent = {a.volunteer_id for a in missing}

        def text(language: str, shift=shift, station=station, missing=missing) -> str:
            title = translate(
                NOT_CHECKED_IN,
                language,
                minutes=int(NO_SHOW_GRACE.total_seconds() // 60),
                station=_h(station.name),
                window=format_window(shift.starts_at, shift.ends_at, language),
            )
            lines = [
                f"• {_h(a.volunteer.full_name)} · {_h(role_label(a.role, language))} · "
                f"{format_phone_local(a.volunteer.phone)}"
                for a in missing
            ]
            return "\n".join([title, *lines])[:TELEGRAM_TEXT_LIMIT]

        leads = (await station_leads([station.id], now=now)).get(station.id, [])
        for lead in leads:
            if lead.id in absent or lead.telegram_chat_id is None or not lead.reachable:
                continue
            await enqueue_notification(
                chat_id=lead.telegram_chat_id,
                volunteer=lead,
                kind="no_show",
                text=text(lead.language),
                parse_mode="HTML",
                dedupe_key=f"no-show:{shift.id}:{first}:v{lead.id}",
                due_at=now,
                expires_at=shift.ends_at,
            )
            queued += 1
        queued += await _to_coordinators(
            "no_show",
            text,
            key=f"no-show:{shift.id}:{first}:coordinators",
            now=now,
            expires_at=shift.ends_at,
        )
    return queued


async def remind_check_out(*, now: dt.datetime) -> int:
    """Ask whoever is still checked in on a shift that has ended to check out."""
    now = now.astimezone(dt.UTC)
    queued = 0
    for assignment in await queries.checked_in_after_end(
        now=now, ended_before=now, ended_after=now - AUTO_CHECK_OUT_AFTER
    ):
        shift = assignment.shift
        note = await notify_volunteer(
            assignment.volunteer,
            kind="check_out_reminder",
            message=CHECK_OUT_REMINDER,
            dedupe_key=f"check-out:{assignment.id}",
            due_at=now,
            expires_at=shift.ends_at + AUTO_CHECK_OUT_AFTER,
            station=shift.station.name,
            ends=format_time(shift.ends_at),
        )
        queued += note is not None
    return queued


async def auto_check_out(*, now: dt.datetime) -> int:
    """Check out, flagged, whoever is still checked in 2 hours after their shift's end;
    tell them. Returns how many were checked out."""
    now = now.astimezone(dt.UTC)
    done = 0
    for assignment in await queries.checked_in_after_end(
        now=now,
        ended_before=now - AUTO_CHECK_OUT_AFTER,
        ended_after=now - queries.FOLLOW_UP_LOOKBACK,
    ):
        try:
            await check_out(assignment, by=SCHEDULER, auto=True)
        except StationsError as exc:
            log.info("assignment %s not checked out automatically: %s", assignment.id, exc)
            continue
        done += 1
        shift = assignment.shift
        await notify_volunteer(
            assignment.volunteer,
            kind="auto_checked_out",
            message=AUTO_CHECKED_OUT,
            dedupe_key=f"auto-check-out:{assignment.id}",
            due_at=now,
            expires_at=now + dt.timedelta(days=1),
            station=shift.station.name,
            ends=format_time(shift.ends_at),
        )
    return done


# -- stock -------------------------------------------------------------------------------


async def sweep_low_stock(*, now: dt.datetime) -> int:
    """Alert every station × item under its threshold whose crossing was not alerted yet
    (a threshold raised above the stock, an alert lost to a crash). An item a station has
    never had is not "low": supplies that have not arrived yet are not an alert."""
    now = now.astimezone(dt.UTC)
    queued = 0
    for line in await queries.low_stock_now():
        assert line.threshold is not None
        crossing = await queries.last_crossing(line.station.id, line.item.id, line.threshold)
        if crossing is None:
            continue
        queued += await low_stock.alert_low_stock(
            line.station,
            line.item,
            quantity=line.quantity,
            threshold=line.threshold,
            crossing_id=crossing,
            now=now,
        )
    return queued


# -- for coordinators: the day's summary, the closing report, gaps ahead ----------------


async def send_daily_summaries(*, now: dt.datetime) -> int:
    """Per running campaign, each station's Vietnam-local day to the coordinators, twice:
    from 20:00 the day so far (titled with the time it covers to), and from 06:00 the next
    morning the whole day, 00:00 to 24:00, that it names."""
    now = now.astimezone(dt.UTC)
    if alert_routing().coordinator_chat_id is None:
        return 0
    local = clock.local(now)
    queued = 0
    if local.time() >= DAILY_COMPLETE_AT:
        queued += await _send_day(local.date() - dt.timedelta(days=1), now=now, so_far=False)
    if local.time() >= DAILY_SO_FAR_AT:
        queued += await _send_day(local.date(), now=now, so_far=True)
    return queued


async def _send_day(day: dt.date, *, now: dt.datetime, so_far: bool) -> int:
    language = alert_routing().language
    if so_far:
        expires = clock.local_midnight(day + dt.timedelta(days=1))
        key_kind = "daily-so-far"
        empty = DAILY_NOTHING
    else:
        expires = clock.local_midnight(day + dt.timedelta(days=1)) + dt.timedelta(hours=18)
        key_kind = "daily"
        empty = DAILY_NOTHING_THAT_DAY
    queued = 0
    for campaign in await queries.campaigns_running_on(day):
        stations = await queries.station_days(campaign, day)
        date = format_date(day, language)
        title = (
            translate(
                DAILY_SO_FAR_TITLE,
                language,
                date=date,
                time=format_time(now),
                campaign=_h(campaign.name),
            )
            if so_far
            else translate(DAILY_TITLE, language, date=date, campaign=_h(campaign.name))
        )
        blocks = [_station_block(s, language) for s in stations] or [translate(empty, language)]
        for index, part in enumerate(_split_message(title, blocks)):
            queued += await _to_coordinators(
                "daily_summary",
                part,
                key=f"{key_kind}:{campaign.id}:{day.isoformat()}:{index}",
                now=now,
                expires_at=expires,
            )
    return queued


async def send_closing_reports(*, now: dt.datetime) -> int:
    """The closing report of each campaign that ended (closed, or past its last day) lately."""
    now = now.astimezone(dt.UTC)
    if alert_routing().coordinator_chat_id is None:
        return 0
    queued = 0
    language = alert_routing().language
    for campaign in await queries.campaigns_ended_since(now=now, since=now - CLOSING_LOOKBACK):
        report = await campaign_totals(campaign)
        text = "\n\n".join(
            [
                translate(CLOSING_TITLE, language, campaign=_h(campaign.name)),
                _h(campaign_summary(report, language)),
            ]
        )
        queued += await _to_coordinators(
            "closing_report",
            text[:TELEGRAM_TEXT_LIMIT],
            key=f"closing:{campaign.id}",
            now=now,
            expires_at=now + dt.timedelta(days=3),
        )
    return queued


async def send_unfilled_shifts(*, now: dt.datetime) -> int:
    """In the morning (07:00–12:00 Vietnam): the shifts of the next 3 days short of people."""
    now = now.astimezone(dt.UTC)
    local = clock.local(now)
    if alert_routing().coordinator_chat_id is None or not (
        UNFILLED_AT <= local.time() < UNFILLED_UNTIL
    ):
        return 0
    language = alert_routing().language
    gaps = await queries.unfilled_shifts(start=now, end=now + dt.timedelta(days=UNFILLED_DAYS))
    if not gaps:
        return 0
    title = translate(UNFILLED_TITLE, language, days=UNFILLED_DAYS)
    lines = [
        f"• {format_window(g.shift.starts_at, g.shift.ends_at, language)} · "
        f"{_h(g.shift.station.name)}: "
        + ", ".join(
            f"{_h(role_label(role, language))} {filled}/{needed}"
            for role, (filled, needed) in g.short.items()
        )
        for g in gaps
    ]
    day = local.date().isoformat()
    queued = 0
    for index, part in enumerate(_split_message(title, lines)):
        queued += await _to_coordinators(
            "unfilled_shifts",
            part,
            key=f"unfilled:{day}:{index}",
            now=now,
            expires_at=clock.local_midnight(local.date() + dt.timedelta(days=1)),
        )
    return queued


# -- helpers -----------------------------------------------------------------------------


async def _to_coordinators(
    kind: str,
    text: Callable[[str], str] | str,
    *,
    key: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> int:
    routing = alert_routing()
    if routing.coordinator_chat_id is None:
        return 0
    await enqueue_notification(
        chat_id=routing.coordinator_chat_id,
        kind=kind,
        text=text if isinstance(text, str) else text(routing.language),
        parse_mode="HTML",
        dedupe_key=key,
        due_at=now,
        expires_at=expires_at,
    )
    return 1


def _station_block(day: queries.StationDay, language: str) -> str:
    station = day.station
    lines = [
        f"<b>{_h(station.code)} · {_h(station.name)}</b>: "
        + translate_plural(
            *DAILY_PEOPLE,
            day.volunteers,
            language,
            count=day.volunteers,
            hours=format_minutes(day.worked_minutes, language),
        )
    ]
    if day.handouts:
        lines.append(translate(DAILY_HANDOUTS, language, items=_quantities(day.handouts, language)))
    if day.services:
        services = ", ".join(
            translate_plural(*SERVICE_COUNTS[kind], n, language, count=n)
            for kind, n in sorted(day.services.items())
        )
        lines.append(translate(DAILY_SERVICES, language, services=services))
    if day.low_stock:
        low = _quantities([(line.item, line.quantity) for line in day.low_stock], language)
        lines.append(translate(DAILY_LOW, language, items=low))
    return "\n".join(lines)


def _quantities(pairs: Iterable[tuple[SupplyItem, int]], language: str) -> str:
    return ", ".join(
        _h(
            quantity_phrase(
                format_number(quantity, language),
                item.unit_label(language, quantity),
                item.name(language),
                language,
            )
        )
        for item, quantity in pairs
    )


def _split_message(title: str, blocks: list[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """The title and blocks joined into messages under ``limit``, breaking between blocks."""
    parts: list[str] = []
    current = title
    for block in blocks:
        block = block[: limit - len(title) - 2]
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = f"{title}\n\n{block}"
    parts.append(current)
    return parts


def _h(value: str) -> str:
    return html.escape(value, quote=False)


__all__ = [
    "alert_no_shows",
    "auto_check_out",
    "remind_check_out",
    "send_closing_reports",
    "send_daily_summaries",
    "send_unfilled_shifts",
    "sweep_low_stock",
]
