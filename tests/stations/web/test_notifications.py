"""The outbox page: statuses, errors, recipients, scope, paging, bad filters."""

from __future__ import annotations

import itertools
import re

from stations.enums import NotificationStatus
from stations.models import Notification
from tests.factories import make_unit, make_volunteer, vn
from tests.stations.web.helpers import make_user, signed_in

_keys = itertools.count(1)


async def _notification(volunteer=None, **overrides) -> Notification:
    values = {
        "chat_id": volunteer.telegram_chat_id if volunteer else -100123,
        "volunteer": volunteer,
        "kind": "reminder",
        "text": "Nhắc lịch trực",
        "dedupe_key": f"test:{next(_keys)}",
        "due_at": vn(2027, 2, 2, 7),
        "created_at": vn(2027, 2, 1, 7),
    }
    values.update(overrides)
    return await Notification.create(**values)


def _rows(page: str) -> int:
    return len(re.findall(r"<tr class=", page))


async def test_notifications_show_recipient_kind_status_error_and_vietnam_times(app, clock):
    volunteer = await make_volunteer(full_name="Lê Văn <Cường>", telegram_chat_id=555)
    await _notification(
        volunteer,
        status=NotificationStatus.FAILED,
        attempts=5,
        last_error="Forbidden: bot was blocked by the user",
    )
    await _notification(
        volunteer,
        status=NotificationStatus.SENT,
        sent_at=vn(2027, 2, 2, 7, 1),
        kind="something_new",
    )
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get("/notifications?lang=en")

    assert response.status_code == 200
    assert "Lê Văn &lt;Cường&gt;" in response.text
    assert "Forbidden: bot was blocked by the user" in response.text
    assert "5 attempts" in response.text
    assert "shift reminder" in response.text
    assert "something_new" in response.text
    assert "07:00 02/02/2027" in response.text
    assert "07:01 02/02/2027" in response.text
    assert _rows(response.text) == 2


async def test_status_filter_shows_only_that_status_with_counts(app, clock):
    volunteer = await make_volunteer(telegram_chat_id=556)
    await _notification(volunteer, status=NotificationStatus.FAILED, text="thất bại")
    await _notification(volunteer, status=NotificationStatus.PENDING, text="đang chờ")
    await _notification(volunteer, status=NotificationStatus.PENDING, text="cũng chờ")
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.get("/notifications?status=failed&lang=en")

    assert response.status_code == 200
    assert "thất bại" in response.text and "đang chờ" not in response.text
    assert re.search(r'aria-current="page">failed <span class="count">1</span>', response.text)
    assert re.search(r'waiting <span class="count">2</span>', response.text)


async def test_coordinator_sees_only_messages_to_volunteers_of_their_units(app, clock):
    mine, theirs = await make_unit(), await make_unit()
    await _notification(await make_volunteer(unit=mine, telegram_chat_id=1), text="cho xã tôi")
    await _notification(await make_volunteer(unit=theirs, telegram_chat_id=2), text="cho xã khác")
    await _notification(None, text="cho nhóm điều phối")
    coordinator = await signed_in(app, await make_user(role="coordinator", unit=mine))
    admin = await signed_in(app, await make_user(role="admin"))

    ward_view = (await coordinator.get("/notifications")).text
    province_view = (await admin.get("/notifications")).text

    assert "cho xã tôi" in ward_view
    assert "cho xã khác" not in ward_view and "cho nhóm điều phối" not in ward_view
    assert _rows(province_view) == 3
    assert "Nhóm chat" in province_view


async def test_notifications_are_paged_newest_first(app, clock):
    volunteer = await make_volunteer(telegram_chat_id=557)
    for minute in range(55):
        await _notification(volunteer, due_at=vn(2027, 2, 2, 6, minute), text=f"tin {minute}")
    browser = await signed_in(app, await make_user(role="admin"))

    first = await browser.get("/notifications?lang=en")
    second = await browser.get("/notifications?page=2&lang=en")

    assert _rows(first.text) == 50 and "tin 54" in first.text
    assert "Page 1 of 2" in first.text
    assert 'href="/notifications?page=2"' in first.text
    assert _rows(second.text) == 5 and ">tin 0<" in second.text


async def test_empty_outbox_says_so(app, clock):
    browser = await signed_in(app, await make_user(role="viewer"))

    response = await browser.get("/notifications?lang=en")

    assert response.status_code == 200
    assert "No message here." in response.text


async def test_bad_filters_show_a_translated_error_and_the_first_page(app, clock):
    await _notification(await make_volunteer(telegram_chat_id=558), text="một tin")
    browser = await signed_in(app, await make_user(role="admin"))

    statuses = {}
    for query in ("status=exploded", "page=0", "page=-1", "page=abc", "page=99999999999999"):
        response = await browser.get(f"/notifications?{query}")
        statuses[query] = (response.status_code, "một tin" in response.text)

    assert statuses == dict.fromkeys(statuses, (422, True))
    page = await browser.get("/notifications?status=<script>")
    assert "<script>" not in page.text
    assert "Hãy chọn một mục trong danh sách." in page.text
