"""CHECK rules the database enforces whatever code writes to it.

tortoise-orm does not emit ``Meta.constraints`` when it creates a table (issue #2272), and
its SQLite ``AddConstraint`` rebuilds the table without its UNIQUE and index definitions.
So this migration writes the rules itself: ``ALTER TABLE … ADD CONSTRAINT … CHECK`` on
PostgreSQL, and on SQLite (which cannot add a CHECK to a table) a pair of triggers per
rule that abort with the same ``CHECK constraint failed: <name>`` an inline CHECK gives.
A NULL result passes in both, as SQL's CHECK does.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

CHECKS = [
    ("assignment", "ck_assignment_minutes_nonnegative", "worked_minutes IS NULL OR worked_minutes >= 0"),
    ("campaign", "ck_campaign_dates_ordered", "ends_on >= starts_on"),
    ("campaign", "ck_campaign_budget_nonnegative", "budget_vnd IS NULL OR budget_vnd >= 0"),
    ("notification", "ck_notification_attempts_nonnegative", "attempts >= 0"),
    ("service_record", "ck_service_quantity_positive", "quantity > 0"),
    ("shift", "ck_shift_ends_after_start", "ends_at > starts_at"),
    ("station", "ck_station_radius_positive", "checkin_radius_m > 0"),
    ("stock_balance", "ck_balance_threshold_nonnegative", "low_stock_threshold IS NULL OR low_stock_threshold >= 0"),
    ("stock_movement", "ck_movement_quantity_positive", "quantity > 0"),
    ("stock_movement", "ck_movement_delta_sign", "delta = quantity OR delta = -quantity"),
    ("supply_item", "ck_item_cost_nonnegative", "unit_cost_vnd >= 0 AND default_low_stock >= 0"),
]


def _sqlite_triggers(table: str, name: str, check: str) -> str:
    return "".join(
        f'CREATE TRIGGER IF NOT EXISTS "{name}_{event.lower()}" BEFORE {event} ON "{table}" '
        f"FOR EACH ROW WHEN NOT ({_qualified(check)}) "
        f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END;\n"
        for event in ("INSERT", "UPDATE")
    )


def _qualified(check: str) -> str:
    # Inside a trigger the row's columns are NEW.<column>.
    words = {
        "worked_minutes", "ends_on", "starts_on", "budget_vnd", "attempts", "quantity",
        "ends_at", "starts_at", "checkin_radius_m", "low_stock_threshold", "delta",
        "unit_cost_vnd", "default_low_stock",
    }
    out = []
    for token in check.split(" "):
        bare = token.lstrip("-")
        out.append(token.replace(bare, f"NEW.{bare}") if bare in words else token)
    return " ".join(out)


async def add_checks(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        script = "".join(_sqlite_triggers(t, n, c) for t, n, c in CHECKS)
    else:
        script = "".join(f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" CHECK ({c});\n' for t, n, c in CHECKS)
    await client.execute_script(script)


async def drop_checks(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        script = "".join(
            f'DROP TRIGGER IF EXISTS "{n}_{e}";\n' for _t, n, _c in CHECKS for e in ("insert", "update")
        )
    else:
        script = "".join(f'ALTER TABLE "{t}" DROP CONSTRAINT IF EXISTS "{n}";\n' for t, n, _c in CHECKS)
    await client.execute_script(script)


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]

    initial = False

    operations = [ops.RunPython(add_checks, drop_checks)]
