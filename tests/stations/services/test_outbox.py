from __future__ import annotations

import datetime as dt

import pytest

from stations.enums import Language, NotificationStatus
from stations.models import Notification
from stations.services.errors import InvalidInput
from stations.services.outbox import cancel_pending, enqueue_notification, notify_volunteer
from tests.factories import make_volunteer


async def test_enqueue_twice_with_one_dedupe_key_keeps_one_row(db, clock):
    first = await enqueue_notification(chat_id=1, kind="reminder", text="Hi", dedupe_key="r:1")
    second = await enqueue_notification(
        chat_id=1, kind="reminder", text="Hi again", dedupe_key="r:1"
    )

    assert (first.id, second.text, await Notification.all().count()) == (first.id, "Hi", 1)


async def test_enqueue_defaults_due_at_to_now(db, clock):
    note = await enqueue_notification(chat_id=1, kind="k", text="x", dedupe_key="k:1")

    assert (note.due_at, note.status) == (clock.now(), NotificationStatus.PENDING)


@pytest.mark.parametrize(
    ("text", "dedupe_key", "field"),
    [
        ("", "k", "text"),
        ("   ", "k", "text"),
        ("x" * 4097, "k", "text"),
        ("ok", "", "dedupe_key"),
        ("ok", "k" * 201, "dedupe_key"),
    ],
)
async def test_enqueue_with_bad_input_writes_nothing(db, clock, text, dedupe_key, field):
    with pytest.raises(InvalidInput) as error:
        await enqueue_notification(chat_id=1, kind="k", text=text, dedupe_key=dedupe_key)

    assert (error.value.field, await Notification.all().count()) == (field, 0)


async def test_notify_volunteer_renders_in_their_language(db, clock):
    volunteer = await make_volunteer(telegram_chat_id=77, language=Language.EN)

    note = await notify_volunteer(
        volunteer,
        kind="k",
        message="A message can be at most {limit} characters.",
        dedupe_key="n:1",
        limit=5,
    )

    assert (note.chat_id, note.text) == (77, "A message can be at most 5 characters.")


async def test_notify_volunteer_without_telegram_queues_nothing(db, clock):
    volunteer = await make_volunteer()

    note = await notify_volunteer(volunteer, kind="k", message="x", dedupe_key="n:2")

    assert (note, await Notification.all().count()) == (None, 0)


async def test_cancel_pending_touches_only_pending_rows_with_the_prefix(db, clock):
    await enqueue_notification(chat_id=1, kind="r", text="a", dedupe_key="reminder:5:24h")
    sent = await enqueue_notification(chat_id=1, kind="r", text="b", dedupe_key="reminder:5:2h")
    await Notification.filter(id=sent.id).update(status=NotificationStatus.SENT)
    await enqueue_notification(chat_id=1, kind="r", text="c", dedupe_key="reminder:50:24h")

    cancelled = await cancel_pending(dedupe_prefix="reminder:5:", reason="shift moved")

    statuses = await Notification.all().order_by("id").values_list("status", flat=True)
    assert (cancelled, statuses) == (
        1,
        [NotificationStatus.CANCELLED, NotificationStatus.SENT, NotificationStatus.PENDING],
    )


async def test_due_at_keeps_its_instant_through_the_database(db):
    due = dt.datetime(2027, 2, 2, 6, tzinfo=dt.timezone(dt.timedelta(hours=7)))

    note = await enqueue_notification(chat_id=1, kind="k", text="x", dedupe_key="d:1", due_at=due)

    assert (await Notification.get(id=note.id)).due_at == due


async def test_enqueue_after_cancellation_queues_the_message_again(db, clock):
    first = await enqueue_notification(chat_id=1, kind="r", text="old", dedupe_key="reminder:9:2h")
    await cancel_pending(dedupe_prefix="reminder:9:", reason="assignment cancelled")

    again = await enqueue_notification(
        chat_id=1, kind="r", text="new", dedupe_key="reminder:9:2h", due_at=clock.now()
    )

    assert (again.id, again.status, again.text, again.last_error) == (
        first.id,
        NotificationStatus.PENDING,
        "new",
        "",
    )


async def test_enqueue_keeps_a_sent_message_as_it_was(db, clock):
    sent = await enqueue_notification(chat_id=1, kind="r", text="old", dedupe_key="k:sent")
    await Notification.filter(id=sent.id).update(status=NotificationStatus.SENT)

    again = await enqueue_notification(chat_id=1, kind="r", text="new", dedupe_key="k:sent")

    assert (again.status, again.text) == (NotificationStatus.SENT, "old")
