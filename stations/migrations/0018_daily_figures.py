"""Each station's report figures per Vietnam-local day, and the triggers that mark them stale.

``station_day_figures`` and ``station_day_partner`` hold what the campaign report sums, per
station and local day (``stations/services/daily_figures.py`` computes them).
``stale_station_day`` lists the days to recompute. The database itself writes those marks,
in the same transaction as every change to a source row, so no writer can forget them:

- an assignment served (checked in or out) inserted, deleted, or changed in its status,
  worked minutes, shift or volunteer: its shift's station and local start day;
- a shift moved (start or station) or deleted: its old and new station and day;
- a volunteer's force changed: the days of their served turns;
- a service inserted, deleted or changed; a receipt (its value); a daily tally of handouts
  or receipts: the station and local day;
- an item's category changed: the days it was handed out.

A mark is an upsert that bumps ``version``, so the recomputation that read a mark removes it
only if no change came after. PostgreSQL runs each trigger's statement in a PL/pgSQL
function; SQLite in the trigger's body. The days with figures today are marked stale here,
so the first report (or the scheduler's first minute) computes them.

It also adds ``ix_assignment_active_shift``: the active assignments in shift order with their
role, from which the overview counts today's people per shift without reading the table.

And it has the database refuse a shift longer than a day (``ck_shift_at_most_a_day``), which
the overview's search for today's shifts relies on.

Reversing drops the triggers, their functions, the index, the check and the three tables.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

SERVED = "('checked_in', 'checked_out')"


def _day(column: str, dialect: str) -> str:
    if dialect == "postgres":
        return f"CAST(({column} AT TIME ZONE INTERVAL '+07:00') AS DATE)"
    return f"date({column}, '+7 hours')"


def _differs(a: str, b: str, dialect: str) -> str:
    return f"{a} IS DISTINCT FROM {b}" if dialect == "postgres" else f"{a} IS NOT {b}"


def _mark(select: str) -> str:
    """Mark the (station, day) rows of ``select`` stale: new, or one version later."""
    return (
        'INSERT INTO "stale_station_day" (station_id, day, version)'
        f" SELECT DISTINCT station_id, day, 1 FROM ({select}) marked WHERE 1 = 1"
        " ON CONFLICT (station_id, day)"
        ' DO UPDATE SET version = "stale_station_day".version + 1'
    )


def _shift_day(row: str, dialect: str) -> str:
    return _mark(
        f"SELECT sh.station_id AS station_id, {_day('sh.starts_at', dialect)} AS day"
        f' FROM "shift" sh WHERE sh.id = {row}.shift_id'
    )


def _row_day(row: str, moment: str, dialect: str) -> str:
    return _mark(f"SELECT {row}.station_id AS station_id, {_day(f'{row}.{moment}', dialect)} AS day")


def _triggers(dialect: str) -> list[tuple[str, str, str, str, list[str]]]:
    """(name, event, table, condition, statements) of every trigger."""
    d = dialect

    def changed(*columns: str) -> str:
        return " OR ".join(_differs(f"OLD.{c}", f"NEW.{c}", d) for c in columns)

    handout_kinds = "('handout', 'receipt')"
    return [
        ("ws_stale_assignment_insert", "INSERT", "assignment", f"NEW.status IN {SERVED}",
         [_shift_day("NEW", d)]),
        ("ws_stale_assignment_delete", "DELETE", "assignment", f"OLD.status IN {SERVED}",
         [_shift_day("OLD", d)]),
        ("ws_stale_assignment_update", "UPDATE OF status, worked_minutes, shift_id, volunteer_id",
         "assignment",
         f"(OLD.status IN {SERVED} OR NEW.status IN {SERVED})"
         f" AND ({changed('status', 'worked_minutes', 'shift_id', 'volunteer_id')})",
         [_shift_day("OLD", d), _shift_day("NEW", d)]),
        ("ws_stale_shift_update", "UPDATE OF starts_at, station_id", "shift",
         changed("starts_at", "station_id"),
         [_row_day("OLD", "starts_at", d), _row_day("NEW", "starts_at", d)]),
        ("ws_stale_shift_delete", "DELETE", "shift", "1 = 1", [_row_day("OLD", "starts_at", d)]),
        ("ws_stale_volunteer_force", "UPDATE OF \"force\"", "volunteer", changed('"force"'),
         [_mark(
             f"SELECT sh.station_id AS station_id, {_day('sh.starts_at', d)} AS day"
             ' FROM "assignment" a JOIN "shift" sh ON sh.id = a.shift_id'
             f" WHERE a.volunteer_id = NEW.id AND a.status IN {SERVED}"
         )]),
        ("ws_stale_service_insert", "INSERT", "service_record", "1 = 1",
         [_row_day("NEW", "occurred_at", d)]),
        ("ws_stale_service_delete", "DELETE", "service_record", "1 = 1",
         [_row_day("OLD", "occurred_at", d)]),
        ("ws_stale_service_update", "UPDATE", "service_record",
         changed("station_id", "occurred_at", "kind", "quantity", "partner_id"),
         [_row_day("OLD", "occurred_at", d), _row_day("NEW", "occurred_at", d)]),
        ("ws_stale_receipt_insert", "INSERT", "stock_movement", "NEW.kind = 'receipt'",
         [_row_day("NEW", "occurred_at", d)]),
        ("ws_stale_receipt_delete", "DELETE", "stock_movement", "OLD.kind = 'receipt'",
         [_row_day("OLD", "occurred_at", d)]),
        ("ws_stale_receipt_update", "UPDATE", "stock_movement",
         "(OLD.kind = 'receipt' OR NEW.kind = 'receipt')"
         f" AND ({changed('station_id', 'occurred_at', 'kind', 'quantity', 'unit_cost_vnd')})",
         [_row_day("OLD", "occurred_at", d), _row_day("NEW", "occurred_at", d)]),
        ("ws_stale_tally_insert", "INSERT", "daily_stock_tally", f"NEW.kind IN {handout_kinds}",
         [_mark("SELECT NEW.station_id AS station_id, NEW.day AS day")]),
        ("ws_stale_tally_delete", "DELETE", "daily_stock_tally", f"OLD.kind IN {handout_kinds}",
         [_mark("SELECT OLD.station_id AS station_id, OLD.day AS day")]),
        ("ws_stale_tally_update", "UPDATE", "daily_stock_tally",
         f"(OLD.kind IN {handout_kinds} OR NEW.kind IN {handout_kinds})"
         f" AND ({changed('station_id', 'item_id', 'kind', 'day', 'delta')})",
         [_mark("SELECT OLD.station_id AS station_id, OLD.day AS day"),
          _mark("SELECT NEW.station_id AS station_id, NEW.day AS day")]),
        ("ws_stale_item_category", "UPDATE OF category", "supply_item", changed("category"),
         [_mark(
             'SELECT t.station_id AS station_id, t.day AS day FROM "daily_stock_tally" t'
             " WHERE t.item_id = NEW.id AND t.kind = 'handout'"
         )]),
    ]


def _create_sql(dialect: str) -> str:
    script = []
    for name, event, table, condition, statements in _triggers(dialect):
        body = "".join(f"{statement};\n" for statement in statements)
        if dialect == "postgres":
            script.append(
                f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$\n'
                f"BEGIN\n{body}RETURN NULL;\nEND\n$$;\n"
                f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" FOR EACH ROW'
                f' WHEN ({condition}) EXECUTE FUNCTION "{name}"();\n'
            )
        else:
            script.append(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {event} ON "{table}" FOR EACH ROW'
                f" WHEN {condition}\nBEGIN\n{body}END;\n"
            )
    return "".join(script)


def _drop_sql(dialect: str) -> str:
    script = []
    for name, _event, table, _condition, _statements in _triggers(dialect):
        if dialect == "postgres":
            script.append(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}";\n')
            script.append(f'DROP FUNCTION IF EXISTS "{name}"();\n')
        else:
            script.append(f'DROP TRIGGER IF EXISTS "{name}";\n')
    return "".join(script)


def _mark_existing_sql(dialect: str) -> str:
    """Every station and day with a source row today, stale."""
    return (
        'INSERT INTO "stale_station_day" (station_id, day, version)'
        " SELECT station_id, day, 1 FROM ("
        " SELECT station_id, day FROM \"daily_stock_tally\" WHERE kind IN ('handout', 'receipt')"
        f" UNION SELECT station_id, {_day('occurred_at', dialect)} FROM \"stock_movement\""
        " WHERE kind = 'receipt'"
        f" UNION SELECT station_id, {_day('occurred_at', dialect)} FROM \"service_record\""
        f" UNION SELECT sh.station_id, {_day('sh.starts_at', dialect)}"
        ' FROM "assignment" a JOIN "shift" sh ON sh.id = a.shift_id'
        f" WHERE a.status IN {SERVED}) days"
    )


def _dialect(schema_editor) -> str:
    return "postgres" if schema_editor.client.capabilities.dialect == "postgres" else "sqlite"


#: The overview counts today's people per shift and role from the active assignments: a
#: partial index in shift order that holds the role serves it without the table's rows.
ACTIVE_INDEX = {
    "postgres": 'CREATE INDEX IF NOT EXISTS "ix_assignment_active_shift" ON "assignment" (shift_id)'
    " INCLUDE (role) WHERE status IN ('assigned', 'confirmed', 'checked_in', 'checked_out');\n",
    "sqlite": 'CREATE INDEX IF NOT EXISTS "ix_assignment_active_shift" ON "assignment" (shift_id, role)'
    " WHERE status IN ('assigned', 'confirmed', 'checked_in', 'checked_out');\n",
}


#: The overview finds today's shifts by their start within a day of today: no shift may last
#: longer (``shifts.MAX_SHIFT_LENGTH``, which the services check first). NOT VALID: rows
#: written before are left as they are, every new or changed one is checked.
SHIFT_LENGTH_CHECK = {
    "postgres": 'ALTER TABLE "shift" ADD CONSTRAINT "ck_shift_at_most_a_day"'
    " CHECK (ends_at - starts_at <= INTERVAL '24 hours') NOT VALID;\n",
    "sqlite": "".join(
        f'CREATE TRIGGER IF NOT EXISTS "ck_shift_at_most_a_day_{event.lower()}" BEFORE {event}'
        ' ON "shift" FOR EACH ROW'
        " WHEN julianday(NEW.ends_at) - julianday(NEW.starts_at) > 1"
        " BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_shift_at_most_a_day'); END;\n"
        for event in ("INSERT", "UPDATE")
    ),
}
DROP_SHIFT_LENGTH_CHECK = {
    "postgres": 'ALTER TABLE "shift" DROP CONSTRAINT IF EXISTS "ck_shift_at_most_a_day";\n',
    "sqlite": 'DROP TRIGGER IF EXISTS "ck_shift_at_most_a_day_insert";\n'
    'DROP TRIGGER IF EXISTS "ck_shift_at_most_a_day_update";\n',
}


async def create_triggers(apps, schema_editor) -> None:
    dialect = _dialect(schema_editor)
    await schema_editor.client.execute_script(_create_sql(dialect))
    await schema_editor.client.execute_script(_mark_existing_sql(dialect))
    await schema_editor.client.execute_script(ACTIVE_INDEX[dialect])
    await schema_editor.client.execute_script(SHIFT_LENGTH_CHECK[dialect])


async def drop_triggers(apps, schema_editor) -> None:
    dialect = _dialect(schema_editor)
    await schema_editor.client.execute_script(_drop_sql(dialect))
    await schema_editor.client.execute_script('DROP INDEX IF EXISTS "ix_assignment_active_shift";\n')
    await schema_editor.client.execute_script(DROP_SHIFT_LENGTH_CHECK[dialect])


class Migration(migrations.Migration):
    dependencies = [("stations", "0017_report_indexes")]

    initial = False

    operations = [
        ops.CreateModel(
            name="StaleStationDay",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("station_id", fields.IntField(description="no foreign key: the deletion of a station marks its days on the way out")),
                ("day", fields.DateField()),
                ("version", fields.BigIntField(default=1)),
            ],
            options={"table": "stale_station_day", "app": "stations", "unique_together": (("station_id", "day"),), "pk_attr": "id", "table_description": "A station and day whose figures must be recomputed: written by triggers in the"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StationDayFigures",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("station", fields.ForeignKeyField("stations.Station", source_field="station_id", db_constraint=True, to_field="id", related_name="day_figures", on_delete=OnDelete.CASCADE)),
                ("day", fields.DateField()),
                ("handed_out", fields.SmallIntField(default=0, description="1 when the station handed something out that day (a tally row of kind handout)")),
                ("received", fields.SmallIntField(default=0, description="1 when supplies were received that day")),
                ("served_services", fields.SmallIntField(default=0, description="1 when a service was given that day")),
                ("water", fields.BigIntField(default=0)),
                ("towel", fields.BigIntField(default=0)),
                ("food", fields.BigIntField(default=0)),
                ("fuel", fields.BigIntField(default=0)),
                ("leaflet", fields.BigIntField(default=0)),
                ("other_items", fields.BigIntField(default=0)),
                ("motorbikes", fields.BigIntField(default=0)),
                ("loudspeaker_minutes", fields.BigIntField(default=0)),
                ("first_aid", fields.BigIntField(default=0)),
                ("directions", fields.BigIntField(default=0)),
                ("repairs", fields.BigIntField(default=0)),
                ("cost_vnd", fields.BigIntField(default=0, description="the value of the receipts, in đồng")),
                ("turns_police", fields.IntField(default=0)),
                ("turns_youth_union", fields.IntField(default=0)),
                ("turns_womens_union", fields.IntField(default=0)),
                ("turns_people", fields.IntField(default=0)),
                ("turns_other", fields.IntField(default=0)),
                ("minutes_police", fields.BigIntField(default=0)),
                ("minutes_youth_union", fields.BigIntField(default=0)),
                ("minutes_womens_union", fields.BigIntField(default=0)),
                ("minutes_people", fields.BigIntField(default=0)),
                ("minutes_other", fields.BigIntField(default=0)),
            ],
            options={"table": "station_day_figures", "app": "stations", "unique_together": (("station", "day"),), "indexes": [Index(fields=["day"])], "pk_attr": "id", "table_description": "The figures of a station on one Vietnam-local day, from every source of the report."},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="StationDayPartner",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("station", fields.ForeignKeyField("stations.Station", source_field="station_id", db_constraint=True, to_field="id", related_name="day_partners", on_delete=OnDelete.CASCADE)),
                ("day", fields.DateField()),
                ("partner_id", fields.IntField(description="the unit that gave the services (no foreign key: the sources decide what is here)")),
                ("kind", fields.CharField(max_length=20)),
                ("quantity", fields.BigIntField(default=0)),
            ],
            options={"table": "station_day_partner", "app": "stations", "unique_together": (("station", "day", "partner_id", "kind"),), "pk_attr": "id", "table_description": "The services a partner unit gave at a station on one Vietnam-local day, by kind."},
            bases=["Model"],
        ),
        ops.RunPython(create_triggers, drop_triggers),
    ]
