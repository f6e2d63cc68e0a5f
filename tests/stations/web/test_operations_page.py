"""The operator's page: admins only; it shows the bot's mode and last update, the scheduler
replicas alive, the outbox backlog with its oldest due message, and the last backup."""

from __future__ import annotations

import datetime as dt

import pytest

from stations.models import BackupRecord
from stations.services import heartbeats
from stations.services.outbox import enqueue_notification
from stations.web.app import create_app
from tests.stations.web.conftest import TEST_SETTINGS
from tests.stations.web.helpers import make_user, signed_in

pytestmark = pytest.mark.integration


async def test_operations_page_is_for_admins_only(app, client):
    coordinator = await signed_in(app, await make_user(role="coordinator", email="c@example.vn"))

    anonymous = await client.get("/operations")
    refused = await coordinator.get("/operations")

    assert anonymous.status_code == 303
    assert refused.status_code == 403


async def test_operations_page_with_nothing_running_says_what_is_missing(app, clock):
    admin = await signed_in(app, await make_user(role="admin", email="a@example.vn"))

    page = await admin.get("/operations?lang=en")

    assert page.status_code == 200
    assert "the bot is off: WAYSTATION_TELEGRAM_TOKEN is not set" in page.text
    assert "none: reminders and alerts are not being sent" in page.text
    assert "no backup recorded" in page.text
    assert "none late" in page.text
    assert "0014_operations" in page.text or "Migrations applied" in page.text


async def test_operations_page_shows_replicas_bot_backlog_and_backup(db, clock):
    now = clock.now()
    settings = TEST_SETTINGS._replace(telegram_token="1:x")
    app = create_app(settings, manage_database=False)
    await heartbeats.beat("scheduler", now=now - dt.timedelta(seconds=20), started_at=now)
    await heartbeats.beat(
        "bot",
        now=now,
        started_at=now - dt.timedelta(hours=1),
        detail={"mode": "webhook", "last_update_at": (now - dt.timedelta(minutes=3)).isoformat()},
    )
    await enqueue_notification(
        chat_id=1, kind="reminder", text="a", dedupe_key="a", due_at=now - dt.timedelta(minutes=9)
    )
    await BackupRecord.create(
        taken_at=now - dt.timedelta(hours=30),
        file_name="waystation-x.dump",
        size_bytes=12345,
        engine="postgres",
    )
    admin = await signed_in(app, await make_user(role="admin", email="a@example.vn"))

    page = await admin.get("/operations?lang=en")

    text = page.text
    assert page.status_code == 200
    assert "webhook" in text
    assert "07:57 02/02/2027" in text  # the last update, Vietnam time
    assert heartbeats.process_name("scheduler") in text
    assert "9 minutes late" in text
    assert "waystation-x.dump" in text and "12,345 bytes" in text
    assert "older than a day" in text


async def test_a_replica_silent_for_over_a_minute_is_not_counted(app, clock):
    now = clock.now()
    await heartbeats.beat("scheduler", now=now - dt.timedelta(minutes=2), started_at=now)
    admin = await signed_in(app, await make_user(role="admin", email="a@example.vn"))

    page = await admin.get("/operations?lang=en")

    assert "none: reminders and alerts are not being sent" in page.text


@pytest.mark.parametrize(
    ("age", "flagged"),
    [
        (dt.timedelta(hours=25, minutes=59), False),
        (dt.timedelta(hours=26, minutes=1), True),
    ],
)
async def test_the_last_backup_is_flagged_once_more_than_26_hours_old(app, clock, age, flagged):
    await BackupRecord.create(
        taken_at=clock.now(), file_name="waystation-n.sqlite3", size_bytes=1, engine="sqlite"
    )
    admin = await signed_in(app, await make_user(role="admin", email="a@example.vn"))
    clock.advance(age)

    page = await admin.get("/operations?lang=en")

    assert page.status_code == 200
    assert "waystation-n.sqlite3" in page.text
    assert ("older than a day" in page.text) is flagged
