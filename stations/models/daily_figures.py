"""Each station's report figures per Vietnam-local day, kept for the campaign report.

A nationwide report would otherwise sum every served turn, service and receipt of the
campaign on each request. The source rows stay the truth: the database marks a station and
day stale whenever one of its source rows changes (triggers, ``0018_daily_figures``), and
``stations.services.daily_figures`` recomputes the stale days from the sources before a
report reads them.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from stations.models.campaigns import Station


class StationDayFigures(Model):
    """The figures of a station on one Vietnam-local day, from every source of the report.

    Handouts come from the daily stock tallies by the category of the item, services by
    kind, the value of receipts from the ledger, turns (served assignments, by the local day
    their shift starts) and worked minutes (checked out only) by the force of the volunteer.
    """

    id = fields.BigIntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="day_figures", on_delete=fields.CASCADE
    )
    station_id: int
    day = fields.DateField()
    #: 1 when the station handed something out that day (a tally row of kind handout)
    handed_out = fields.SmallIntField(default=0)
    #: 1 when supplies were received that day
    received = fields.SmallIntField(default=0)
    #: 1 when a service was given that day
    served_services = fields.SmallIntField(default=0)
    water = fields.BigIntField(default=0)
    towel = fields.BigIntField(default=0)
    food = fields.BigIntField(default=0)
    fuel = fields.BigIntField(default=0)
    leaflet = fields.BigIntField(default=0)
    other_items = fields.BigIntField(default=0)
    motorbikes = fields.BigIntField(default=0)
    loudspeaker_minutes = fields.BigIntField(default=0)
    first_aid = fields.BigIntField(default=0)
    directions = fields.BigIntField(default=0)
    repairs = fields.BigIntField(default=0)
    #: the value of the receipts, in đồng
    cost_vnd = fields.BigIntField(default=0)
    turns_police = fields.IntField(default=0)
    turns_youth_union = fields.IntField(default=0)
    turns_womens_union = fields.IntField(default=0)
    turns_people = fields.IntField(default=0)
    turns_other = fields.IntField(default=0)
    minutes_police = fields.BigIntField(default=0)
    minutes_youth_union = fields.BigIntField(default=0)
    minutes_womens_union = fields.BigIntField(default=0)
    minutes_people = fields.BigIntField(default=0)
    minutes_other = fields.BigIntField(default=0)

    class Meta:
        table = "station_day_figures"
        unique_together = (("station", "day"),)
        indexes = (("day",),)


class StationDayPartner(Model):
    """The services a partner unit gave at a station on one Vietnam-local day, by kind."""

    id = fields.BigIntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "stations.Station", related_name="day_partners", on_delete=fields.CASCADE
    )
    station_id: int
    day = fields.DateField()
    #: the unit that gave the services (no foreign key: the sources decide what is here)
    partner_id = fields.IntField()
    kind = fields.CharField(max_length=20)
    quantity = fields.BigIntField(default=0)

    class Meta:
        table = "station_day_partner"
        unique_together = (("station", "day", "partner_id", "kind"),)


class StaleStationDay(Model):
    """A station and day whose figures must be recomputed: written by triggers in the
    database when a source row changes, removed by the recomputation that saw it.

    A later change to the same day bumps ``version``, so a recomputation that read an
    older version leaves the mark for the next one.
    """

    id = fields.BigIntField(primary_key=True)
    #: no foreign key: the deletion of a station marks its days on the way out
    station_id = fields.IntField()
    day = fields.DateField()
    version = fields.BigIntField(default=1)

    class Meta:
        table = "stale_station_day"
        unique_together = (("station_id", "day"),)
