"""The audit trail's writers: one event, and several events in one INSERT."""

from __future__ import annotations

import pytest
from tortoise.connection import connections
from tortoise.transactions import in_transaction

from stations.enums import ActorKind
from stations.models import AuditEvent
from stations.services.actor import Actor
from stations.services.audit import AuditEntry, record_event, record_events
from tests.factories import make_volunteer


async def test_record_events_writes_every_entry_as_record_event_would(db, clock):
    volunteer = await make_volunteer(full_name="Nguyễn Văn An")
    actor = Actor.volunteer(volunteer.id, volunteer.full_name)
    single = await record_event(
        actor, "stock.handout", object_type="stock_movement", object_id=1, data={"n": 1}
    )

    async with in_transaction() as connection:
        await record_events(
            actor,
            [
                AuditEntry("stock.handout", "stock_movement", 2, {"n": 2, "note": "Khăn <lạnh>"}),
                AuditEntry("stock.loss", "stock_movement", None),
            ],
            connection=connection,
        )

    rows = await AuditEvent.all().order_by("id")
    assert [(r.action, r.object_id, r.data) for r in rows] == [
        ("stock.handout", 1, {"n": 1}),
        ("stock.handout", 2, {"n": 2, "note": "Khăn <lạnh>"}),
        ("stock.loss", None, {}),
    ]
    assert {(r.at, r.actor_kind, r.actor_id, r.actor_label, r.source) for r in rows} == {
        (single.at, ActorKind.VOLUNTEER, volunteer.id, "Nguyễn Văn An", "bot")
    }
    assert rows[1].at == clock.now()


async def test_record_events_without_entries_writes_nothing(db, clock):
    await record_events(Actor.system("test"), [], connection=connections.get("default"))

    assert await AuditEvent.all().count() == 0


async def test_record_events_rolls_back_with_its_transaction(db, clock):
    with pytest.raises(RuntimeError):
        async with in_transaction() as connection:
            await record_events(
                Actor.system("test"),
                [AuditEntry("stock.receipt", "stock_movement", 1)],
                connection=connection,
            )
            raise RuntimeError("the change failed")

    assert await AuditEvent.all().count() == 0
