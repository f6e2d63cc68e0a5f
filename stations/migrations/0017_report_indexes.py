"""Indexes that let the campaign report read its served turns without the tables' rows.

The report's one statement (``services/queries/report_rollup.py``) sums the served turns
(checked in or out) per station, day and volunteer force. At a nationwide campaign that is
tens of thousands of assignments joined to a hundred thousand volunteers, and reading those
rows (a volunteer's ``force`` is stored after their name, notes and skills) cost more than
summing them. Two covering indexes serve it from the index alone:

- ``ix_assignment_served``: the served assignments only (a partial index, so the many
  assigned, confirmed and declined ones cost nothing), in volunteer order, with the shift,
  status and worked minutes;
- ``ix_volunteer_force``: each volunteer's id with their force.

Both in volunteer order, PostgreSQL merges the two indexes instead of hashing every
volunteer (at 1,000 stations the turns' part of the statement went from 132 to 76 ms of
server CPU).

PostgreSQL carries the extra columns with ``INCLUDE``; SQLite has no ``INCLUDE``, so they
are trailing key columns there. The report reads them with an index-only scan once the
table's visibility map is set (autovacuum does it). Reversing drops both.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

INDEXES = {
    "postgres": (
        'CREATE INDEX IF NOT EXISTS "ix_assignment_served" ON "assignment" (volunteer_id)'
        " INCLUDE (shift_id, status, worked_minutes)"
        " WHERE status IN ('checked_in', 'checked_out');\n"
        'CREATE INDEX IF NOT EXISTS "ix_volunteer_force" ON "volunteer" (id) INCLUDE ("force");\n'
    ),
    "sqlite": (
        'CREATE INDEX IF NOT EXISTS "ix_assignment_served" ON "assignment"'
        " (volunteer_id, shift_id, status, worked_minutes)"
        " WHERE status IN ('checked_in', 'checked_out');\n"
        'CREATE INDEX IF NOT EXISTS "ix_volunteer_force" ON "volunteer" (id, "force");\n'
    ),
}


async def create_indexes(apps, schema_editor) -> None:
    client = schema_editor.client
    dialect = "postgres" if client.capabilities.dialect == "postgres" else "sqlite"
    await client.execute_script(INDEXES[dialect])


async def drop_indexes(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        'DROP INDEX IF EXISTS "ix_assignment_served";\nDROP INDEX IF EXISTS "ix_volunteer_force";\n'
    )


class Migration(migrations.Migration):
    dependencies = [("stations", "0016_reminder_cursor")]

    initial = False

    operations = [ops.RunPython(create_indexes, drop_indexes)]
