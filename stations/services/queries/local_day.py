"""The Vietnam-local date of a stored moment, in SQL, for the grouped queries and rollups.

The ORM cannot group by such an expression, so the queries that need it are raw SQL with one
dialect switch: PostgreSQL shifts the stored ``timestamptz`` to Vietnam's fixed offset with
``AT TIME ZONE INTERVAL '+07:00'`` (a named zone costs several times more, which a nationwide
report pays on every row); SQLite holds the UTC text of each moment (``stations.db`` writes it
so) and adds the same seven hours. Vietnam has kept UTC+7 without daylight saving since 1975.
"""

from __future__ import annotations

import datetime as dt

from stations import clock


def local_day_sql(column: str, dialect: str) -> str:
    """SQL for the Vietnam-local date of ``column`` (a trusted column name, never input)."""
    if dialect == "postgres":
        return f"CAST(({column} AT TIME ZONE INTERVAL '+07:00') AS DATE)"
    return f"date({column}, '+7 hours')"


def as_date(value: object) -> dt.date:
    """A grouped day as a date: PostgreSQL hands back a date, SQLite the ISO text of one."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def local_day(moment: dt.datetime) -> dt.date:
    """The Vietnam-local date of an aware moment, as ``local_day_sql`` works it out."""
    return moment.astimezone(clock.VN_TZ).date()


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC moments a Vietnam-local day starts and ends (end excluded), for range filters."""
    return (
        clock.local_midnight(day).astimezone(dt.UTC),
        clock.local_midnight(day + dt.timedelta(days=1)).astimezone(dt.UTC),
    )
