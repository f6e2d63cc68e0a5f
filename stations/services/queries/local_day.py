"""The Vietnam-local date of a stored moment, in SQL, for the grouped queries and rollups.

The ORM cannot group by such an expression, so the queries that need it are raw SQL with one
dialect switch: PostgreSQL converts the stored ``timestamptz`` with ``AT TIME ZONE``; SQLite
holds the UTC text of each moment (``stations.db`` writes it so) and adds Vietnam's fixed
seven hours (no daylight saving since 1975).
"""

from __future__ import annotations

import datetime as dt

from stations import clock


def local_day_sql(column: str, dialect: str) -> str:
    """SQL for the Vietnam-local date of ``column`` (a trusted column name, never input)."""
    if dialect == "postgres":
        return f"CAST(({column} AT TIME ZONE '{clock.VN_TZ.key}') AS DATE)"
    return f"date({column}, '+7 hours')"


def as_date(value: object) -> dt.date:
    """A grouped day as a date: PostgreSQL hands back a date, SQLite the ISO text of one."""
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def local_day(moment: dt.datetime) -> dt.date:
    """The Vietnam-local date of an aware moment, as ``local_day_sql`` works it out."""
    return moment.astimezone(clock.VN_TZ).date()
