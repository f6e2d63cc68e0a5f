"""Travellers: the services a station offers (``station.offers``) and the ratings
travellers leave by QR code (``station_feedback``).

``offers`` gets a SQL default, so existing stations read "offers nothing yet" until a
coordinator ticks their services on the station form.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("stations", "0010_campaign_funds")]

    initial = False

    operations = [
        ops.CreateModel(
            name="StationFeedback",
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
                        related_name="feedback",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("rating", fields.SmallIntField(description="1 to 5 stars")),
                (
                    "received",
                    fields.CharField(
                        default="",
                        description="the station services the traveller says they received, space-separated codes",
                        max_length=200,
                    ),
                ),
                ("comment", fields.TextField(default="", unique=False)),
                (
                    "comment_hidden",
                    fields.BooleanField(
                        default=False,
                        description="set by a coordinator: the comment is kept out of view, the stars still count",
                    ),
                ),
                (
                    "browser",
                    fields.CharField(
                        description="the random id of the answering browser, from a signed cookie",
                        max_length=32,
                    ),
                ),
                ("day", fields.DateField(description="Vietnam-local day of the answer")),
                (
                    "address_key",
                    fields.CharField(
                        db_index=True,
                        description="a keyed digest of the client address, never the address itself",
                        max_length=32,
                    ),
                ),
                (
                    "created_at",
                    fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "station_feedback",
                "app": "stations",
                "unique_together": (("station", "browser", "day"),),
                "pk_attr": "id",
                "table_description": "A rating of a station by a traveller: one per browser, station and Vietnam-local day.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Station",
            name="offers",
            field=fields.CharField(
                default="",
                description="what travellers find here: space-separated codes from services/station_services.py",
                db_default="",
                max_length=200,
            ),
        ),
    ]
