"""A campaign's money, partners and forces.

New tables: ``partner`` (who works with a campaign from outside), ``donation`` (cash, or
supplies in kind naming their receipt line) and ``expense`` (spending that is not stock).
New columns: ``stock_movement.unit_cost_vnd``, the cost per unit frozen on a receipt when it
is recorded, and ``volunteer.force``, the force a report counts the person in.

Backfills: every existing receipt line keeps its item's current cost (the only price known
for it), and each volunteer's force is read from their unit's kind (commune, province and
traffic police → police, the Youth and Women's Unions → their members), ``other`` otherwise.
Amounts cannot be negative: CHECK rules written as 0002 writes them (PostgreSQL
``ADD CONSTRAINT``, SQLite triggers).

A partial index on the receipt lines (``ix_movement_receipts``) keeps the reports' sum of
their values to those lines. Reversing drops the tables, columns and index: the frozen costs
go with them.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from stations.enums import DonationKind, ExpenseCategory, Force, PartnerKind

CHECKS = [
    ("donation", "ck_donation_amount_nonnegative", "amount_vnd >= 0"),
    ("expense", "ck_expense_amount_nonnegative", "amount_vnd >= 0"),
    (
        "stock_movement",
        "ck_movement_cost_nonnegative",
        "unit_cost_vnd IS NULL OR unit_cost_vnd >= 0",
    ),
]

FORCE_OF_UNIT_KIND = {
    "province_police": "police",
    "commune_police": "police",
    "traffic_police": "police",
    "youth_union": "youth_union",
    "womens_union": "womens_union",
}


def _sqlite_triggers(table: str, name: str, check: str) -> str:
    qualified = check.replace("amount_vnd", "NEW.amount_vnd").replace(
        "unit_cost_vnd", "NEW.unit_cost_vnd"
    )
    return "".join(
        f'CREATE TRIGGER IF NOT EXISTS "{name}_{event.lower()}" BEFORE {event} ON "{table}" '
        f"FOR EACH ROW WHEN NOT ({qualified}) "
        f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END;\n"
        for event in ("INSERT", "UPDATE")
    )


def _backfill_sql() -> str:
    forces = " ".join(f"WHEN '{kind}' THEN '{force}'" for kind, force in FORCE_OF_UNIT_KIND.items())
    return (
        'UPDATE "stock_movement" SET unit_cost_vnd = (SELECT i.unit_cost_vnd FROM "supply_item" i'
        " WHERE i.id = stock_movement.item_id) WHERE kind = 'receipt';\n"
        'UPDATE "volunteer" SET "force" = COALESCE((SELECT CASE u.kind '
        f"{forces} END"
        " FROM \"unit\" u WHERE u.id = volunteer.unit_id), 'other');\n"
    )


#: Reports sum the value of receipts from the ledger itself (the daily tallies carry no
#: cost): a partial index keeps that to the few receipt lines among the many handouts.
RECEIPTS_INDEX = (
    'CREATE INDEX IF NOT EXISTS "ix_movement_receipts" ON "stock_movement" (station_id)'
    " WHERE kind = 'receipt';\n"
)


async def backfill_and_check(apps, schema_editor) -> None:
    client = schema_editor.client
    script = _backfill_sql() + RECEIPTS_INDEX
    if client.capabilities.dialect == "sqlite":
        script += "".join(_sqlite_triggers(t, n, c) for t, n, c in CHECKS)
    else:
        script += "".join(
            f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" CHECK ({c});\n' for t, n, c in CHECKS
        )
    await client.execute_script(script)


async def drop_checks(apps, schema_editor) -> None:
    client = schema_editor.client
    await client.execute_script('DROP INDEX IF EXISTS "ix_movement_receipts";\n')
    if client.capabilities.dialect == "sqlite":
        script = "".join(
            f'DROP TRIGGER IF EXISTS "{n}_{event}";\n'
            for _t, n, _c in CHECKS
            for event in ("insert", "update")
        )
    else:
        script = "".join(
            f'ALTER TABLE "{t}" DROP CONSTRAINT IF EXISTS "{n}";\n' for t, n, _c in CHECKS
        )
    await client.execute_script(script)


class Migration(migrations.Migration):
    dependencies = [("stations", "0009_campaign_phases")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Expense",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "campaign",
                    fields.ForeignKeyField(
                        "stations.Campaign",
                        source_field="campaign_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="expenses",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "category",
                    fields.CharEnumField(
                        description="TRANSPORT: transport\nEQUIPMENT: equipment\nPRINTING: printing\nMEALS: meals\nOTHER: other",
                        enum_type=ExpenseCategory,
                        max_length=16,
                    ),
                ),
                ("amount_vnd", fields.BigIntField()),
                ("spent_on", fields.DateField()),
                ("receipt_number", fields.CharField(default="", max_length=64)),
                ("note", fields.CharField(default="", max_length=300)),
                (
                    "by_user",
                    fields.ForeignKeyField(
                        "stations.User",
                        source_field="by_user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="expenses",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "expense",
                "app": "stations",
                "pk_attr": "id",
                "table_description": "Money spent on what is not stock: transport, tents, printing, meals.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Partner",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "campaign",
                    fields.ForeignKeyField(
                        "stations.Campaign",
                        source_field="campaign_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="partners",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=200)),
                (
                    "kind",
                    fields.CharEnumField(
                        default=PartnerKind.OTHER,
                        description="GARAGE: garage\nSPONSOR: sponsor\nMEDIA: media\nOTHER: other",
                        enum_type=PartnerKind,
                        max_length=16,
                    ),
                ),
                (
                    "unit",
                    fields.ForeignKeyField(
                        "stations.Unit",
                        source_field="unit_id",
                        null=True,
                        description="the organising unit this partner is, when services name it as their partner unit",
                        db_constraint=True,
                        to_field="id",
                        related_name="partnerships",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("note", fields.CharField(default="", max_length=300)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "partner",
                "app": "stations",
                "unique_together": (("campaign", "name"),),
                "pk_attr": "id",
                "table_description": "Who works with a campaign from outside: a Head Honda centre, a sponsor, a radio station.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Donation",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "campaign",
                    fields.ForeignKeyField(
                        "stations.Campaign",
                        source_field="campaign_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="donations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="CASH: cash\nIN_KIND: in_kind",
                        enum_type=DonationKind,
                        max_length=16,
                    ),
                ),
                ("donor", fields.CharField(max_length=200)),
                (
                    "partner",
                    fields.ForeignKeyField(
                        "stations.Partner",
                        source_field="partner_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="donations",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "amount_vnd",
                    fields.BigIntField(
                        description="whole dong, the value of the supplies when in kind"
                    ),
                ),
                ("received_on", fields.DateField()),
                (
                    "movement",
                    fields.ForeignKeyField(
                        "stations.StockMovement",
                        source_field="movement_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="donations",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("note", fields.CharField(default="", max_length=300)),
                (
                    "by_user",
                    fields.ForeignKeyField(
                        "stations.User",
                        source_field="by_user_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="donations",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "donation",
                "app": "stations",
                "pk_attr": "id",
                "table_description": "Money or supplies given to a campaign. In kind, it names the receipt line it came as.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="StockMovement",
            name="unit_cost_vnd",
            field=fields.IntField(
                null=True,
                description="a receipt line, cost per unit in dong frozen when recorded, so later prices change nothing",
            ),
        ),
        ops.AddField(
            model_name="Volunteer",
            name="force",
            field=fields.CharEnumField(
                default=Force.OTHER,
                description="POLICE: police\nYOUTH_UNION: youth_union\nWOMENS_UNION: womens_union\nPEOPLE: people\nOTHER: other",
                db_default="other",
                enum_type=Force,
                max_length=16,
            ),
        ),
        ops.RunPython(backfill_and_check, drop_checks),
    ]
