"""The audit log page: admins only, newest first, filters, paging, escaping."""

from __future__ import annotations

import datetime as dt
import re

from stations.enums import ActorKind
from stations.models import AuditEvent
from tests.factories import vn
from tests.stations.web.helpers import make_user, signed_in


async def _event(action: str, actor: str, at: dt.datetime, **data) -> AuditEvent:
    return await AuditEvent.create(
        at=at,
        actor_kind=ActorKind.USER,
        actor_id=1,
        actor_label=actor,
        source="web",
        action=action,
        object_type="station",
        object_id=3,
        data=data,
    )


def _rows(page: str) -> int:
    return len(re.findall(r'<li class="audit-event">', page))


async def test_audit_log_lists_events_newest_first_in_vietnam_time(app, clock):
    admin = await make_user(role="admin", email="admin@example.vn")
    await _event("station.create", "an@example.vn", vn(2027, 2, 1, 9), name="<b>Trạm</b>")
    await _event("station.update", "binh@example.vn", vn(2027, 2, 2, 7, 30))
    browser = await signed_in(app, admin)

    response = await browser.get("/audit?lang=en")

    assert response.status_code == 200
    # Codes this page cannot put in words are still shown, by their code.
    assert response.text.index("station.update ·") < response.text.index("station.create ·")
    assert "07:30 02/02/2027" in response.text
    assert "&lt;b&gt;Trạm&lt;/b&gt;" in response.text
    assert "<b>Trạm</b>" not in response.text


async def test_audit_log_filters_by_action_and_actor(app, clock):
    await _event("station.create", "an@example.vn", vn(2027, 2, 1, 9))
    await _event("station.update", "an@example.vn", vn(2027, 2, 1, 10))
    await _event("station.update", "binh@example.vn", vn(2027, 2, 1, 11))
    browser = await signed_in(app, await make_user(role="admin", email="root@example.vn"))

    by_action = await browser.get("/audit?action=station.update")
    by_both = await browser.get("/audit?action=station.update&actor=BINH")
    by_wildcard = await browser.get("/audit?actor=%25")

    assert _rows(by_action.text) == 2
    assert _rows(by_both.text) == 1 and "binh@example.vn" in by_both.text
    assert _rows(by_wildcard.text) == 0


async def test_audit_log_is_paged(app, clock):
    for n in range(51):
        await _event("item.update", "an@example.vn", vn(2027, 2, 1, 0) + dt.timedelta(minutes=n))
    browser = await signed_in(app, await make_user(role="admin"))

    first = await browser.get("/audit?action=item.update&lang=en")
    second = await browser.get("/audit?action=item.update&page=2&lang=en")

    assert (_rows(first.text), _rows(second.text)) == (50, 1)
    assert 'href="/audit?page=2&amp;action=item.update"' in first.text


async def test_audit_log_refuses_coordinators_and_viewers(app, clock):
    coordinator = await signed_in(app, await make_user(role="coordinator"))
    viewer = await signed_in(app, await make_user(role="viewer"))

    assert (await coordinator.get("/audit")).status_code == 403
    assert (await viewer.get("/audit?lang=en")).status_code == 403


async def test_audit_log_bad_filters_are_translated_errors(app, clock):
    browser = await signed_in(app, await make_user(role="admin"))

    statuses = {
        query: (await browser.get(f"/audit?{query}")).status_code
        for query in ("action=no.such.action", "page=0", "page=x", "actor=" + "a" * 300)
    }

    assert statuses == dict.fromkeys(statuses, 422)
    assert (
        "Hãy chọn một thao tác trong danh sách."
        in (await browser.get("/audit?action=<script>")).text
    )
