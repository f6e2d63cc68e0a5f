"""Hand-written SQL's helpers: positional parameter markers for each dialect (a count of
them, or ``Parameters`` collecting values as a statement's text is written), and writing
many rows of one model in one statement (for the hot paths where building each INSERT
through the ORM costs more CPU than the database spends on it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model


def placeholders(dialect: str, count: int, *, start: int = 1) -> list[str]:
    """Positional parameter markers: ``$1, $2…`` on PostgreSQL, ``?`` on SQLite."""
    if dialect == "postgres":
        return [f"${n}" for n in range(start, start + count)]
    return ["?"] * count


class Parameters:
    """A statement's parameters, collected as its text is written: each call takes a value
    and gives its numbered marker (``$n`` on PostgreSQL, ``?n`` on SQLite), so the text may
    be put together in any order."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        if (
            self.dialect != "postgres"
            and isinstance(value, dt.date)
            and not isinstance(value, dt.datetime)
        ):
            # SQLite keeps dates as ISO text: compare text with text.
            value = value.isoformat()
        self.values.append(value)
        return f"{'$' if self.dialect == 'postgres' else '?'}{len(self.values)}"

    def typed(self, value: Any, sql_type: str) -> str:
        """A marker PostgreSQL reads as ``sql_type`` where nothing around it says (a VALUES
        list); SQLite needs no type."""
        mark = self(value)
        return f"CAST({mark} AS {sql_type})" if self.dialect == "postgres" else mark

    def date(self, value: dt.date) -> str:
        return self.typed(value, "DATE")

    def ids(self, ids: Collection[int]) -> str:
        """Markers for a non-empty IN list: ``ids``, or 0 (no row's id) when there are none."""
        return ", ".join(self(int(i)) for i in ids) or self(0)


async def insert_rows(
    connection: BaseDBAsyncClient,
    rows: Sequence[Model],
    *,
    returning: Sequence[str] = (),
    skip_conflicts: bool = False,
) -> list[dict[str, Any]]:
    """Insert unsaved ``rows`` of one model in one multi-row INSERT; the ``returning``
    columns of each inserted row (in no promised order). ``skip_conflicts``: a row that
    would break a unique rule is left out (``ON CONFLICT DO NOTHING``, PostgreSQL and
    SQLite alike), and only the rows really inserted are returned.

    Values are converted by the model's own fields, as tortoise converts them, so SQLite
    and PostgreSQL store exactly what ``Model.create`` would; the query itself is written
    here because building it through the ORM costs more CPU than the database spends on it.
    """
    model = type(rows[0])
    meta = model._meta
    names = [name for name in meta.fields_db_projection if not meta.fields_map[name].generated]
    dialect = connection.capabilities.dialect
    marks = iter(placeholders(dialect, len(names) * len(rows)))
    values: list[Any] = []
    tuples = []
    for row in rows:
        values.extend(meta.fields_map[name].to_db_value(getattr(row, name), row) for name in names)
        tuples.append(f"({', '.join(next(marks) for _ in names)})")
    columns = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in names)
    sql = f'INSERT INTO "{meta.db_table}" ({columns}) VALUES {", ".join(tuples)}'
    if skip_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if not returning:
        await connection.execute_query(sql, values)
        return []
    sql += " RETURNING " + ", ".join(f'"{column}"' for column in returning)
    return await connection.execute_query_dict(sql, values)
