"""Campaign phases: planned opening stock, reasons for lines outside the window, places.

- ``planned_stock``: how much of each item a station should hold when the campaign opens
  (the readiness view compares it with what was received). Its quantity is positive: a
  CHECK rule written the way 0002 writes its rules (PostgreSQL ``ALTER TABLE``, SQLite a
  pair of triggers), since tortoise does not emit CHECK constraints.
- ``outside_reason`` on ledger lines and service records: why a coordinator recorded a
  handout or a service outside the campaign window (empty for every line inside it).
- ``province_code`` / ``ward_code`` on units and stations: their place in the 2025
  administrative divisions of Vietnam (official codes).
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

TABLE = "planned_stock"
RULE = "ck_planned_stock_quantity_positive"


async def require_positive_plans(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        await client.execute_script(
            "".join(
                f'CREATE TRIGGER "{RULE}_{event.lower()}" BEFORE {event} ON "{TABLE}" '
                "FOR EACH ROW WHEN NOT (NEW.quantity > 0) "
                f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {RULE}'); END;\n"
                for event in ("INSERT", "UPDATE")
            )
        )
    else:
        await client.execute_script(
            f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{RULE}" CHECK (quantity > 0);\n'
        )


async def drop_positive_plans(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        await client.execute_script(
            "".join(f'DROP TRIGGER IF EXISTS "{RULE}_{event}";\n' for event in ("insert", "update"))
        )
    else:
        await client.execute_script(f'ALTER TABLE "{TABLE}" DROP CONSTRAINT IF EXISTS "{RULE}";\n')


class Migration(migrations.Migration):
    dependencies = [("stations", "0006_sessions_and_feed_keys")]

    initial = False

    operations = [
        ops.CreateModel(
            name="PlannedStock",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "station",
                    fields.ForeignKeyField(
                        "stations.Station",
                        source_field="station_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="planned_stock",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "item",
                    fields.ForeignKeyField(
                        "stations.SupplyItem",
                        source_field="item_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="planned_stock",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "quantity",
                    fields.IntField(
                        description="in the item unit, at least 1 (a plan of none is no row)"
                    ),
                ),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "planned_stock",
                "app": "stations",
                "unique_together": (("station", "item"),),
                "pk_attr": "id",
                "table_description": "How much of an item a station should hold when the campaign opens.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="ServiceRecord",
            name="outside_reason",
            field=fields.CharField(
                default="",
                db_default="",
                description="why a coordinator recorded it outside the campaign window (empty inside it)",
                max_length=300,
            ),
        ),
        ops.AddField(
            model_name="Station",
            name="province_code",
            field=fields.CharField(
                null=True,
                description="official codes of the province and ward or commune it stands in (2025 divisions)",
                max_length=2,
            ),
        ),
        ops.AddField(
            model_name="Station",
            name="ward_code",
            field=fields.CharField(null=True, max_length=5),
        ),
        ops.AddField(
            model_name="StockMovement",
            name="outside_reason",
            field=fields.CharField(
                default="",
                db_default="",
                description="why a coordinator recorded it outside the campaign window (empty inside it)",
                max_length=300,
            ),
        ),
        ops.AddField(
            model_name="Unit",
            name="province_code",
            field=fields.CharField(
                null=True,
                description="where it sits in the administrative divisions of Vietnam (2025): official province code",
                max_length=2,
            ),
        ),
        ops.AddField(
            model_name="Unit",
            name="ward_code",
            field=fields.CharField(
                null=True,
                description="the official ward or commune code, of that province (None for a province-wide unit)",
                max_length=5,
            ),
        ),
        ops.RunPython(require_positive_plans, drop_positive_plans),
    ]
