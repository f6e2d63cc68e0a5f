"""The ledger summed per station, item, kind and Vietnam-local day: ``daily_stock_tally``.

Reports and the campaign overview read this rollup instead of every ledger line. The ledger
writer keeps it in the same transaction as each line; this migration fills it from the lines
already written, with one grouped ``INSERT … SELECT``. The local day is worked out the way the
reports did it: PostgreSQL converts the stored ``timestamptz`` with ``AT TIME ZONE``, SQLite
reads the UTC text and adds Vietnam's fixed seven hours (no daylight saving since 1975).

Reversing drops the table; the ledger is untouched either way.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from stations.enums import MovementKind

LOCAL_DAY = {
    "postgres": "CAST((occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh') AS DATE)",
    "sqlite": "date(occurred_at, '+7 hours')",
}


def _backfill_sql(dialect: str) -> str:
    day = LOCAL_DAY["postgres" if dialect == "postgres" else "sqlite"]
    return (
        'INSERT INTO "daily_stock_tally" (station_id, item_id, kind, day, quantity, delta, lines)'
        f" SELECT station_id, item_id, kind, {day}, SUM(quantity), SUM(delta), COUNT(*)"
        ' FROM "stock_movement" GROUP BY station_id, item_id, kind, 4'
    )


async def fill_daily_tallies(apps, schema_editor) -> None:
    client = schema_editor.client
    await client.execute_script(_backfill_sql(client.capabilities.dialect))


async def nothing_to_undo(apps, schema_editor) -> None:
    """The table is dropped by the reverse of its creation."""


class Migration(migrations.Migration):
    dependencies = [("stations", "0004_signin_attempts")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DailyStockTally",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "station",
                    fields.ForeignKeyField(
                        "stations.Station",
                        source_field="station_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="daily_tallies",
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
                        related_name="daily_tallies",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="RECEIPT: receipt\nHANDOUT: handout\nTRANSFER_OUT: transfer_out\nTRANSFER_IN: transfer_in\nCOUNT_ADJUSTMENT: count_adjustment\nLOSS: loss",
                        enum_type=MovementKind,
                        max_length=20,
                    ),
                ),
                (
                    "day",
                    fields.DateField(description="the Vietnam-local date of the lines occurred_at"),
                ),
                (
                    "quantity",
                    fields.BigIntField(
                        default=0, description="sum of the lines quantity, in the item unit"
                    ),
                ),
                (
                    "delta",
                    fields.BigIntField(
                        default=0, description="sum of the lines signed effect on stock"
                    ),
                ),
                (
                    "lines",
                    fields.IntField(default=0, description="how many ledger lines were summed"),
                ),
            ],
            options={
                "table": "daily_stock_tally",
                "app": "stations",
                "unique_together": (("station", "item", "kind", "day"),),
                "indexes": [Index(fields=["day"])],
                "pk_attr": "id",
                "table_description": "The ledger summed per station, item, kind and Vietnam-local day of occurred_at.",
            },
            bases=["Model"],
        ),
        ops.RunPython(fill_daily_tallies, nothing_to_undo),
    ]
