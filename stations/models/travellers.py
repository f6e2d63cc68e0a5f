"""What travellers tell us: a rating left by QR code at a station."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from stations.models.campaigns import Station


class StationFeedback(Model):
    """A rating of a station by a traveller: one per browser, station and Vietnam-local day."""

    id = fields.BigIntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="feedback", on_delete=fields.CASCADE
    )
    station_id: int
    #: 1 to 5 stars
    rating = fields.SmallIntField()
    #: the station services the traveller says they received, space-separated codes
    received = fields.CharField(max_length=200, default="")
    comment = fields.TextField(default="")
    #: set by a coordinator: the comment is kept out of view, the stars still count
    comment_hidden = fields.BooleanField(default=False)
    #: the random id of the answering browser, from a signed cookie
    browser = fields.CharField(max_length=32)
    #: Vietnam-local day of the answer
    day = fields.DateField()
    #: a keyed digest of the client address, never the address itself
    address_key = fields.CharField(max_length=32, db_index=True)
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "station_feedback"
        unique_together = (("station", "browser", "day"),)
        ordering = ["-created_at", "-id"]
