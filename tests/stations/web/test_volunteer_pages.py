"""The volunteer pages through the app: list and search, the form, a volunteer's page, invites."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from stations.enums import AssignmentStatus, Language
from stations.models import LinkToken, Volunteer
from stations.settings import Settings
from stations.web.app import create_app
from tests.factories import (
    make_assignment,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)
from tests.stations.web.helpers import csrf_token_in, make_user, signed_in

XSS = '<script>alert("x")</script>'


async def _post(
    client: httpx.AsyncClient,
    url: str,
    data: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes]] | None = None,
) -> httpx.Response:
    """POST with the session's CSRF token, read from a page of this topic (not another
    topic's page, so these tests stand on their own)."""
    token = csrf_token_in((await client.get("/volunteers")).text)
    return await client.post(url, data={**(data or {}), "csrf_token": token}, files=files)


def _form(unit_id: int | None = None, **overrides: str) -> dict[str, str]:
    values = {
        "full_name": "Trần Thị Bình",
        "phone": "0987 654 321",
        "unit": str(unit_id) if unit_id else "",
        "organisation": "Đoàn trường THPT Hồng Ngự",
        "skills": "sơ cứu, sửa xe",
        "language": "vi",
        "notes": "",
    }
    values.update(overrides)
    return values


async def _admin(app):
    return await signed_in(app, await make_user("admin"))


# --- list and search ---------------------------------------------------------------------


async def test_volunteer_list_anonymous_is_sent_to_sign_in(client):
    response = await client.get("/volunteers?q=an")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/signin?next=")


async def test_volunteer_list_finds_names_without_diacritics(app):
    await make_volunteer(full_name="Nguyễn Văn An", phone="+84912345678")
    await make_volunteer(full_name="Nguyễn Thị Cúc")
    admin = await _admin(app)

    response = await admin.get("/volunteers", params={"q": "Nguyen Van An", "lang": "en"})

    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.text
    assert "Nguyễn Thị Cúc" not in response.text
    assert "1 volunteer matches “Nguyen Van An”." in response.text
    assert "0912 345 678" in response.text


@pytest.mark.parametrize("query", ["0912.345.678", "+84 912 345 678", "84912345678", "345 678"])
async def test_volunteer_list_finds_a_phone_in_any_vietnamese_form(app, query):
    await make_volunteer(full_name="Nguyễn Văn An", phone="+84912345678")
    await make_volunteer(full_name="Lê Thị Cúc", phone="+84987000111")
    admin = await _admin(app)

    response = await admin.get("/volunteers", params={"q": query})

    assert "Nguyễn Văn An" in response.text
    assert "Lê Thị Cúc" not in response.text


async def test_volunteer_list_shows_only_the_coordinators_units_with_badges(app):
    mine, other = await make_unit(), await make_unit()
    await make_volunteer(full_name="Phạm Linked", unit=mine, telegram_user_id=1, telegram_chat_id=1)
    await make_volunteer(full_name="Phạm Blocked", unit=mine, reachable=False)
    await make_volunteer(full_name="Phạm Foreign", unit=other)
    await make_volunteer(full_name="Phạm Nobody")
    coordinator = await signed_in(app, await make_user("coordinator", unit=mine))

    response = await coordinator.get("/volunteers?lang=en")

    assert response.status_code == 200
    assert "Phạm Linked" in response.text and "Phạm Blocked" in response.text
    assert "Phạm Foreign" not in response.text and "Phạm Nobody" not in response.text
    assert response.text.count('class="badge badge--linked"') == 1
    assert response.text.count('class="badge badge--unreachable"') == 1


@pytest.mark.parametrize("page", ["abc", "-1", "0", "99999999999999", "٣"])
async def test_volunteer_list_with_a_bad_page_number_shows_a_page(app, page):
    await make_volunteer(full_name="Đỗ Văn Em")
    admin = await _admin(app)

    response = await admin.get("/volunteers", params={"page": page})

    assert response.status_code == 200
    assert "Đỗ Văn Em" in response.text


async def test_volunteer_list_pages_through_many_volunteers(app):
    for n in range(51):
        await make_volunteer(full_name=f"Tình nguyện viên {n:02d}")
    admin = await _admin(app)

    first = await admin.get("/volunteers?lang=en")
    second = await admin.get("/volunteers?page=2&lang=en")

    assert "Page 1 of 2" in first.text and "Tình nguyện viên 49" in first.text
    assert "Tình nguyện viên 50" not in first.text
    assert "Tình nguyện viên 50" in second.text


@pytest.mark.parametrize("query", ["x" * 5000, "%_%", "' OR 1=1 --", XSS, "Ng\u0000x"])
async def test_volunteer_list_with_odd_queries_answers_and_escapes(app, query):
    await make_volunteer(full_name="Ngô Thị Gấm")
    admin = await _admin(app)

    response = await admin.get("/volunteers", params={"q": query})

    assert response.status_code == 200
    assert XSS not in response.text
    assert "Ngô Thị Gấm" not in response.text


# --- creating and editing ------------------------------------------------------------------


async def test_volunteer_new_creates_a_volunteer_with_a_normalised_phone(app):
    unit = await make_unit()
    admin = await _admin(app)

    response = await _post(admin, "/volunteers/new", _form(unit.id))

    assert response.status_code == 303
    volunteer = await Volunteer.get(full_name="Trần Thị Bình")
    assert response.headers["location"] == f"/volunteers/{volunteer.id}"
    assert (volunteer.phone, volunteer.unit_id) == ("+84987654321", unit.id)
    assert volunteer.skills == ["sơ cứu", "sửa xe"]
    shown = await admin.get(response.headers["location"] + "?lang=en")
    assert "Trần Thị Bình was added." in shown.text


async def test_volunteer_new_stores_an_xss_name_as_typed_and_escapes_it(app):
    admin = await _admin(app)

    response = await _post(admin, "/volunteers/new", _form(full_name=XSS))
    listing = await admin.get("/volunteers")

    assert response.status_code == 303
    assert (await Volunteer.get()).full_name == XSS
    assert XSS not in listing.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in listing.text


@pytest.mark.parametrize(
    ("field", "value", "status", "message"),
    [
        ("full_name", "", 422, "A name must have 2 to 200 characters"),
        ("full_name", "a", 422, "A name must have 2 to 200 characters"),
        ("full_name", "1234", 422, "A name must have 2 to 200 characters"),
        ("full_name", "x" * 201, 422, "A name must have 2 to 200 characters"),
        ("phone", "", 422, "Enter a phone number"),
        ("phone", "12345", 422, "is not a phone number we can use"),
        ("phone", "+84 12 345", 422, "is not a phone number we can use"),
        ("phone", "0168 123 4567", 422, "is not a phone number we can use"),
        ("phone", "0912 345 678 ext 5", 422, "is not a phone number we can use"),
        ("phone", "1900 1234", 422, "is not a phone number we can use"),
        ("unit", "abc", 422, "Choose an entry from the list."),
        ("unit", "99999999999", 422, "Choose an entry from the list."),
        ("unit", "123456", 422, "Choose a unit from the list."),
        ("language", "fr", 422, "The language must be Vietnamese (vi) or English (en)."),
        ("organisation", "o" * 201, 422, "The organisation can be at most 200 characters."),
        ("skills", "s" * 51, 422, "Each skill can be at most 50 characters"),
        ("skills", ",".join(f"k{n}" for n in range(21)), 422, "at most 20 skills"),
        ("notes", "n" * 2001, 422, "Notes can be at most 2,000 characters."),
    ],
)
async def test_volunteer_new_refuses_bad_values_beside_the_field(
    app, field, value, status, message
):
    admin = await _admin(app)
    form = _form(**{field: value})

    response = await _post(admin, "/volunteers/new?lang=en", form)

    assert response.status_code == status
    assert message in response.text
    assert f'id="e-{field}"' in response.text
    assert await Volunteer.all().count() == 0
    assert 'value="Đoàn trường THPT Hồng Ngự"' in response.text or field == "organisation"


async def test_volunteer_new_shows_every_bad_field_at_once(app):
    admin = await _admin(app)

    response = await _post(
        admin, "/volunteers/new?lang=en", _form(full_name="", phone="12345", language="xx")
    )

    assert response.status_code == 422
    assert [f'id="e-{name}"' in response.text for name in ("full_name", "phone", "language")] == [
        True,
        True,
        True,
    ]
    assert await Volunteer.all().count() == 0


async def test_volunteer_new_takes_a_foreign_number_written_with_its_country_code(app):
    # Foreign volunteers serve too: the phone service reads "+<country code>" numbers as
    # such, and libphonenumber counts the US 555-01xx block as a valid number.
    admin = await _admin(app)

    response = await _post(admin, "/volunteers/new", _form(phone="+1 202 555 0100"))
    listing = await admin.get("/volunteers")

    assert response.status_code == 303
    assert (await Volunteer.get()).phone == "+12025550100"
    assert "+1 202-555-0100" in listing.text


async def test_volunteer_new_with_a_taken_phone_names_its_holder(app):
    await make_volunteer(full_name="Võ Văn Hải", phone="+84987654321")
    admin = await _admin(app)

    response = await _post(admin, "/volunteers/new?lang=en", _form(phone="+84 987.654.321"))

    assert response.status_code == 409
    assert "This phone number already belongs to Võ Văn Hải." in response.text
    assert await Volunteer.all().count() == 1


async def test_volunteer_new_with_another_units_phone_does_not_name_its_holder(app):
    mine, other = await make_unit(), await make_unit()
    await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802", unit=other)
    own = await make_volunteer(full_name="Võ Văn Hải", phone="+84987654321", unit=mine)
    coordinator = await signed_in(app, await make_user("coordinator", unit=mine))

    created = await _post(coordinator, "/volunteers/new", _form(mine.id, phone="0983681802"))
    edited = await _post(
        coordinator, f"/volunteers/{own.id}/edit", _form(mine.id, phone="0983 681 802")
    )

    for response in (created, edited):
        assert response.status_code == 409
        assert "Số điện thoại này đã thuộc về một tình nguyện viên khác." in response.text
        assert "Bùi Bích Liên" not in response.text
    assert (await Volunteer.get(id=own.id)).phone == "+84987654321"


async def test_volunteer_new_in_vietnamese_translates_the_errors(app):
    admin = await _admin(app)

    response = await _post(admin, "/volunteers/new?lang=vi", _form(phone="12345"))

    assert response.status_code == 422
    assert "không phải là số điện thoại dùng được" in response.text


async def test_volunteer_new_is_refused_to_viewers_and_outside_the_coordinators_units(app):
    mine, other = await make_unit(), await make_unit()
    viewer = await signed_in(app, await make_user("viewer"))
    coordinator = await signed_in(app, await make_user("coordinator", unit=mine))

    by_viewer = await _post(viewer, "/volunteers/new", _form())
    foreign = await _post(coordinator, "/volunteers/new", _form(other.id))
    no_unit = await _post(coordinator, "/volunteers/new", _form(None, phone="0912 000 111"))
    own = await _post(coordinator, "/volunteers/new", _form(mine.id, phone="0912 000 222"))

    assert (by_viewer.status_code, foreign.status_code) == (403, 403)
    assert no_unit.status_code == 422  # a unit left empty is a field to fill in
    assert 'id="e-unit"' in no_unit.text
    assert own.status_code == 303
    assert await Volunteer.all().values_list("unit_id", flat=True) == [mine.id]


async def test_volunteer_new_form_offers_only_the_coordinators_units(app):
    mine = await make_unit(name="Công an phường Mỹ Phú")
    await make_unit(name="Công an xã Tân Hội")
    coordinator = await signed_in(app, await make_user("coordinator", unit=mine))

    response = await coordinator.get("/volunteers/new")

    assert response.status_code == 200
    assert "Công an phường Mỹ Phú" in response.text
    assert "Công an xã Tân Hội" not in response.text
    assert f'<option value="{mine.id}" selected>' in response.text


async def test_volunteer_edit_saves_changes(app):
    unit = await make_unit()
    volunteer = await make_volunteer(full_name="Huỳnh Văn Khoa", phone="+84911222333", unit=unit)
    admin = await _admin(app)

    form = await admin.get(f"/volunteers/{volunteer.id}/edit")
    response = await _post(
        admin,
        f"/volunteers/{volunteer.id}/edit",
        _form(unit.id, full_name="Huỳnh Văn Khoa Mới", phone="0911 222 333", language="en"),
    )

    assert 'value="0911 222 333"' in form.text
    assert response.status_code == 303
    await volunteer.refresh_from_db()
    assert (volunteer.full_name, volunteer.language) == ("Huỳnh Văn Khoa Mới", Language.EN)


async def test_volunteer_edit_with_bad_values_keeps_the_record(app):
    volunteer = await make_volunteer(full_name="Huỳnh Văn Khoa", phone="+84911222333")
    await make_volunteer(full_name="Mai Thị Lan", phone="+84987654321")
    admin = await _admin(app)

    bad_name = await _post(admin, f"/volunteers/{volunteer.id}/edit?lang=en", _form(full_name=""))
    taken = await _post(admin, f"/volunteers/{volunteer.id}/edit?lang=en", _form())

    assert bad_name.status_code == 422
    assert taken.status_code == 409
    assert "This phone number already belongs to Mai Thị Lan." in taken.text
    await volunteer.refresh_from_db()
    assert (volunteer.full_name, volunteer.phone) == ("Huỳnh Văn Khoa", "+84911222333")


async def test_volunteer_edit_is_refused_outside_the_coordinators_units(app):
    mine, other = await make_unit(), await make_unit()
    foreign = await make_volunteer(unit=other)
    own = await make_volunteer(unit=mine)
    coordinator = await signed_in(app, await make_user("coordinator", unit=mine))

    see_foreign = await coordinator.get(f"/volunteers/{foreign.id}/edit")
    change_foreign = await _post(coordinator, f"/volunteers/{foreign.id}/edit", _form(mine.id))
    move_own_out = await _post(coordinator, f"/volunteers/{own.id}/edit", _form(other.id))

    assert (see_foreign.status_code, change_foreign.status_code) == (404, 404)
    assert move_own_out.status_code == 403  # a unit is chosen from a list: a plain refusal
    await own.refresh_from_db()
    assert own.unit_id == mine.id


@pytest.mark.parametrize("path", ["/volunteers/{id}", "/volunteers/{id}/edit"])
@pytest.mark.parametrize("volunteer_id", [987654, 99999999999])
async def test_volunteer_pages_of_unknown_ids_are_not_found(app, path, volunteer_id):
    admin = await _admin(app)

    response = await admin.get(path.format(id=volunteer_id))
    invite = await _post(admin, f"/volunteers/{volunteer_id}/invite")

    assert response.status_code == 404
    assert invite.status_code == 404


# --- the volunteer's page ------------------------------------------------------------------


async def test_volunteer_detail_shows_shifts_hours_and_check_ins(app, clock):
    volunteer = await make_volunteer(
        full_name="Đặng Văn Minh", telegram_user_id=5, telegram_chat_id=5
    )
    station = await make_station(name="Trạm Cao Lãnh")
    await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 10)),
        volunteer,
        status=AssignmentStatus.CHECKED_OUT,
        checked_in_at=vn(2027, 2, 1, 5, 55),
        checked_out_at=vn(2027, 2, 1, 10, 5),
        checkin_verified=True,
        checkin_distance_m=42,
        worked_minutes=150,
    )
    await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 3, 14), ends_at=vn(2027, 2, 3, 18)),
        volunteer,
        status=AssignmentStatus.CONFIRMED,
    )
    admin = await _admin(app)

    response = await admin.get(f"/volunteers/{volunteer.id}?lang=en")

    assert response.status_code == 200
    page = response.text
    upcoming, past = page.split('id="upcoming-title"')[1].split('id="past-title"')
    assert "14:00–18:00 03/02/2027" in upcoming and "Confirmed" in upcoming
    assert "06:00–10:00 01/02/2027" in past and "Checked out" in past
    assert "2.5 h" in page
    assert "05:55 01/02/2027" in page and "Verified" in page and "42 m from the station" in page
    assert "badge badge--linked" in page


class _QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).lstrip().upper().startswith("SELECT") or record.msg == "%s: %s":
            self.count += 1


async def _queries_of(client: httpx.AsyncClient, url: str) -> int:
    logger = logging.getLogger("tortoise.db_client")
    counter, level = _QueryCounter(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        assert (await client.get(url)).status_code == 200
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
    return counter.count


async def test_volunteer_detail_runs_as_many_queries_for_many_shifts_as_for_one(app, clock):
    volunteer = await make_volunteer()
    admin = await _admin(app)
    url = f"/volunteers/{volunteer.id}"
    await make_assignment(await make_shift(), volunteer)
    one = await _queries_of(admin, url)
    for day in range(3, 10):
        station = await make_station()
        await make_assignment(
            await make_shift(station, starts_at=vn(2027, 2, day, 6), ends_at=vn(2027, 2, day, 9)),
            volunteer,
            status=AssignmentStatus.CHECKED_OUT,
            checked_in_at=vn(2027, 2, day, 6),
            worked_minutes=180,
        )

    many = await _queries_of(admin, url)

    assert one == many
    assert many > 0


async def test_volunteer_detail_shows_an_absolute_private_calendar_address(app):
    volunteer = await make_volunteer()
    admin = await _admin(app)

    page = (await admin.get(f"/volunteers/{volunteer.id}")).text

    found = re.search(r'id="calendar-url"[^>]*value="([^"]+)"', page)
    assert found is not None
    url = found.group(1).replace("&amp;", "&")
    assert re.fullmatch(
        rf"http://testserver/volunteers/{volunteer.id}/shifts\.ics\?key={volunteer.calendar_key}",
        url,
    )
    assert (await admin.get(url)).status_code == 200


async def test_volunteer_detail_is_refused_outside_the_coordinators_units(app):
    mine, other = await make_unit(), await make_unit()
    foreign = await make_volunteer(unit=other)
    coordinator = await signed_in(app, await make_user("coordinator", unit=mine))

    await coordinator.get("/campaigns")  # shows the welcome message, so neither page has it
    response = await coordinator.get(f"/volunteers/{foreign.id}")
    unknown = await coordinator.get("/volunteers/987654")

    # The same page as for an id nobody has: nothing says the volunteer exists.
    assert (response.status_code, unknown.status_code) == (404, 404)
    assert response.text.replace(f"/volunteers/{foreign.id}?", "/volunteers/?") == (
        unknown.text.replace("/volunteers/987654?", "/volunteers/?")
    )


async def test_volunteer_detail_for_a_viewer_offers_no_changes(app):
    volunteer = await make_volunteer()
    viewer = await signed_in(app, await make_user("viewer"))

    response = await viewer.get(f"/volunteers/{volunteer.id}?lang=en")

    assert response.status_code == 200
    assert "Create an invite link" not in response.text
    assert f"/volunteers/{volunteer.id}/edit" not in response.text


# --- invites -------------------------------------------------------------------------------


async def test_volunteer_invite_shows_a_single_use_link_qr_and_expiry(app, clock):
    volunteer = await make_volunteer(full_name="Bùi Thị Ngọc")
    admin = await _admin(app)

    response = await _post(admin, f"/volunteers/{volunteer.id}/invite?lang=en")

    assert response.status_code == 200
    token = await LinkToken.get(volunteer_id=volunteer.id)
    assert f"https://t.me/waystation_test_bot?start={token.token}" in response.text
    assert "<svg" in response.text and 'class="qr"' in response.text
    assert "It works once, until 08:00 09/02/2027." in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_volunteer_invite_is_refused_to_viewers_and_foreign_coordinators(app):
    mine, other = await make_unit(), await make_unit()
    foreign = await make_volunteer(unit=other)
    viewer = await signed_in(app, await make_user("viewer"))
    coordinator = await signed_in(app, await make_user("coordinator", unit=mine))

    by_viewer = await _post(viewer, f"/volunteers/{foreign.id}/invite")
    by_foreign = await _post(coordinator, f"/volunteers/{foreign.id}/invite")
    without_csrf = await coordinator.post(f"/volunteers/{foreign.id}/invite")

    assert (by_viewer.status_code, by_foreign.status_code, without_csrf.status_code) == (
        403,
        404,
        403,
    )
    assert await LinkToken.all().count() == 0


async def test_volunteer_invite_without_a_bot_username_explains_the_setting(db):
    app = create_app(Settings(secret_key="x" * 40, bot_username=""), manage_database=False)
    volunteer = await make_volunteer()
    admin = await _admin(app)

    page = await admin.get(f"/volunteers/{volunteer.id}?lang=en")
    response = await _post(admin, f"/volunteers/{volunteer.id}/invite?lang=en")

    said = (
        "Invite links and check-in QR codes need the Telegram bot, which is off: set "
        "WAYSTATION_TELEGRAM_TOKEN (the bot&#39;s username is then asked of Telegram) or "
        "WAYSTATION_BOT_USERNAME, and restart the service."
    )
    assert said in page.text
    assert response.status_code == 503
    assert said in response.text
    assert await LinkToken.all().count() == 0


async def test_volunteer_new_keeps_the_force_chosen(app):
    admin = await _admin(app)

    response = await _post(admin, "/volunteers/new", _form(force="youth_union"))

    assert response.status_code == 303
    assert (await Volunteer.get()).force == "youth_union"


async def test_volunteer_new_with_an_unknown_force_says_so_and_writes_nothing(app):
    admin = await _admin(app)

    response = await _post(admin, "/volunteers/new", _form(force="army"))

    assert response.status_code == 422
    assert "Lực lượng phải là một trong" in response.text
    assert await Volunteer.all().count() == 0
