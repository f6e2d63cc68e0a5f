"""A physical count that agrees with the record is a ledger line too: quantity 0, delta 0.

Every count writes a ``count_adjustment`` line, so its idempotency key is kept and a
coordinator sees that the stock was confirmed. The quantity rule of 0002 becomes "positive,
or zero on a count"; zero stays refused for every other kind and a negative quantity for all.

Written the way 0002 writes its rules: ``ALTER TABLE`` on PostgreSQL, and on SQLite the
rule's pair of triggers dropped and created again with the new condition.

Reversing restores "quantity > 0". On PostgreSQL that fails while zero-quantity counts exist
(the database will not take back a rule its rows break); on SQLite the triggers only guard
new writes.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

TABLE = "stock_movement"
RULE = "ck_movement_quantity_positive"
CONFIRMING = "quantity > 0 OR (kind = 'count_adjustment' AND quantity = 0)"
POSITIVE = "quantity > 0"
# Inside a trigger the row's columns are NEW.<column>.
CONFIRMING_IN_TRIGGER = "NEW.quantity > 0 OR (NEW.kind = 'count_adjustment' AND NEW.quantity = 0)"
POSITIVE_IN_TRIGGER = "NEW.quantity > 0"


def _sqlite_rule(check: str) -> str:
    script = "".join(
        f'DROP TRIGGER IF EXISTS "{RULE}_{event}";\n' for event in ("insert", "update")
    )
    script += "".join(
        f'CREATE TRIGGER "{RULE}_{event.lower()}" BEFORE {event} ON "{TABLE}" '
        f"FOR EACH ROW WHEN NOT ({check}) "
        f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {RULE}'); END;\n"
        for event in ("INSERT", "UPDATE")
    )
    return script


def _postgres_rule(check: str) -> str:
    return (
        f'ALTER TABLE "{TABLE}" DROP CONSTRAINT IF EXISTS "{RULE}", '
        f'ADD CONSTRAINT "{RULE}" CHECK ({check});\n'
    )


async def allow_count_confirmations(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        await client.execute_script(_sqlite_rule(CONFIRMING_IN_TRIGGER))
    else:
        await client.execute_script(_postgres_rule(CONFIRMING))


async def require_positive_quantities(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        await client.execute_script(_sqlite_rule(POSITIVE_IN_TRIGGER))
    else:
        await client.execute_script(_postgres_rule(POSITIVE))


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_check_constraints")]

    initial = False

    operations = [ops.RunPython(allow_count_confirmations, require_positive_quantities)]
