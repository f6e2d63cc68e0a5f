"""Server-side web sessions (``web_session``) and a revocable calendar feed key per volunteer.

Every existing volunteer gets a fresh random key, so feed addresses handed out before this
migration (derived from the server secret, impossible to revoke one by one) stop working:
coordinators copy the new address from the volunteer's page. ``add_calendar_keys`` adds the
column with a temporary empty default, fills it row by row from ``secrets`` and, on
PostgreSQL, drops the default again (SQLite cannot drop it; the application always sets it).

Reversing drops the table and the column.
"""

import secrets

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class AddFilledCalendarKey(ops.AddField):
    """``AddField`` for a NOT NULL column on a table that may already hold rows."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None) -> None:
        if not state_editor:
            return
        client = state_editor.client
        postgres = client.capabilities.dialect == "postgres"
        await client.execute_script(
            'ALTER TABLE "volunteer" ADD COLUMN "calendar_key" VARCHAR(64) NOT NULL DEFAULT \'\''
        )
        ids = [row["id"] for row in await client.execute_query_dict('SELECT id FROM "volunteer"')]
        if ids:
            mark = ("$1", "$2") if postgres else ("?", "?")
            await client.execute_many(
                f'UPDATE "volunteer" SET "calendar_key" = {mark[0]} WHERE id = {mark[1]}',
                [[secrets.token_urlsafe(32), volunteer_id] for volunteer_id in ids],
            )
        if postgres:
            await client.execute_script(
                'ALTER TABLE "volunteer" ALTER COLUMN "calendar_key" DROP DEFAULT'
            )


class Migration(migrations.Migration):
    dependencies = [("stations", "0005_daily_tallies")]

    initial = False

    operations = [
        ops.CreateModel(
            name="WebSession",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("key_hash", fields.CharField(unique=True, max_length=64)),
                (
                    "user",
                    fields.ForeignKeyField(
                        "stations.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="web_sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "expires_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "web_session",
                "app": "stations",
                "pk_attr": "id",
                "table_description": "A signed-in browser. The cookie carries the key, this row only its SHA-256.",
            },
            bases=["Model"],
        ),
        AddFilledCalendarKey(
            model_name="Volunteer",
            name="calendar_key",
            field=fields.CharField(
                default=None,
                description="secret in the address of the calendar feed of this volunteer (a new one closes the old)",
                max_length=64,
            ),
        ),
    ]
