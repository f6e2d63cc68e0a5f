"""Creating and editing volunteers, their reachability and their Telegram link."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from stations.enums import Force, Language, UserRole
from stations.i18n import translate
from stations.models import AuditEvent, Volunteer
from stations.services.actor import Actor
from stations.services.errors import Conflict, InvalidInput
from stations.services.permissions import Principal
from stations.services.volunteers import (
    create_volunteer,
    link_telegram,
    mark_reachable,
    mark_unreachable,
    set_volunteer_language,
    unlink_telegram,
    update_volunteer,
)
from tests.factories import make_unit, make_volunteer

COORDINATOR = Actor.user(1, "dieuphoi@congan.dongthap.gov.vn")
ROOT = Path(__file__).resolve().parents[3]


async def _create(**overrides):
    values = {"full_name": "Nguyễn Văn An", "phone": "0912 345 678", "by": COORDINATOR}
    values.update(overrides)
    return await create_volunteer(**values)


# --- create_volunteer -----------------------------------------------------------------------


async def test_create_volunteer_stores_clean_name_folded_search_name_and_e164_phone(db):
    unit = await make_unit(code="CAX-TT", name="Công an xã Thường Thới")

    volunteer = await _create(
        full_name="  Nguyễn   Văn An ",
        phone="0912.345.678",
        unit=unit,
        organisation=" Đoàn Thanh niên ",
        skills=["sơ cứu", "Sửa xe máy"],
        language="en",
        notes="Có xe máy riêng",
    )

    stored = await Volunteer.get(id=volunteer.id)
    assert (
        stored.full_name,
        stored.search_name,
        stored.phone,
        stored.unit_id,
        stored.organisation,
        stored.skills,
        stored.language,
        stored.notes,
        stored.reachable,
    ) == (
        "Nguyễn Văn An",
        "nguyen van an",
        "+84912345678",
        unit.id,
        "Đoàn Thanh niên",
        ["sơ cứu", "Sửa xe máy"],
        Language.EN,
        "Có xe máy riêng",
        True,
    )


async def test_create_volunteer_writes_an_audit_event(db):
    volunteer = await _create()

    events = await AuditEvent.all().values_list("action", "object_type", "object_id", "data")
    assert events == [
        (
            "volunteer.created",
            "volunteer",
            volunteer.id,
            {"full_name": "Nguyễn Văn An", "phone": "+84912345678"},
        )
    ]


async def test_create_volunteer_accepts_a_unit_id(db):
    unit = await make_unit()

    volunteer = await _create(unit=unit.id)

    assert volunteer.unit_id == unit.id


async def test_create_volunteer_splits_skills_given_as_one_text_and_drops_repeats(db):
    volunteer = await _create(skills="sơ cứu, Sửa xe; so cuu\n loa phát thanh ,,")

    assert volunteer.skills == ["sơ cứu", "Sửa xe", "loa phát thanh"]


async def test_create_volunteer_with_a_taken_phone_in_another_form_is_a_conflict(db):
    await make_volunteer(full_name="Trần Thị Bình", phone="+84912345678")

    with pytest.raises(Conflict) as caught:
        await _create(phone="+84 912 345 678")

    assert (caught.value.field, caught.value.params) == ("phone", {"name": "Trần Thị Bình"})
    assert caught.value.translated("vi") == "Số điện thoại này đã được đăng ký cho Trần Thị Bình."
    assert await Volunteer.all().count() == 1
    assert await AuditEvent.all().count() == 0


async def test_a_taken_phone_names_its_holder_only_to_those_who_see_them(db):
    ward, other = await make_unit(), await make_unit()
    await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802", unit=other)
    coordinator = Principal(
        role=UserRole.COORDINATOR,
        unit_ids=frozenset({ward.id}),
        actor=COORDINATOR,
        language=Language.VI,
        user_id=None,
        token_id=None,
        name="ward",
    )
    province = dataclasses.replace(coordinator, unit_ids=None)

    with pytest.raises(Conflict) as hidden:
        await _create(phone="0983 681 802", unit=ward.id, seen_by=coordinator)
    with pytest.raises(Conflict) as named:
        await _create(phone="0983 681 802", unit=ward.id, seen_by=province)

    assert (hidden.value.field, hidden.value.params) == ("phone", {})
    assert hidden.value.translated("en") == (
        "This phone number already belongs to another volunteer."
    )
    assert named.value.params == {"name": "Bùi Bích Liên"}


async def test_create_volunteer_twice_at_once_with_one_phone_gives_one_volunteer_and_a_conflict(
    db,
):
    results = await asyncio.gather(
        _create(full_name="Nguyễn Văn An"),
        _create(full_name="Trần Thị Bình"),
        return_exceptions=True,
    )

    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert (len(conflicts), conflicts[0].field) == (1, "phone")
    assert await Volunteer.all().count() == 1
    assert await AuditEvent.all().count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"full_name": ""}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "A"}, "full_name"),
        ({"full_name": "12345"}, "full_name"),
        ({"full_name": "Ă" * 201}, "full_name"),
        ({"full_name": None}, "full_name"),
        ({"phone": ""}, "phone"),
        ({"phone": "01689123456"}, "phone"),
        ({"phone": "số của tôi"}, "phone"),
        ({"organisation": "Đ" * 201}, "organisation"),
        ({"organisation": 7}, "organisation"),
        ({"skills": [f"kỹ năng {n}" for n in range(21)]}, "skills"),
        ({"skills": ["s" * 51]}, "skills"),
        ({"skills": 5}, "skills"),
        ({"skills": [1, 2]}, "skills"),
        ({"language": "fr"}, "language"),
        ({"language": ""}, "language"),
        ({"language": None}, "language"),
        ({"notes": "n" * 2001}, "notes"),
        ({"notes": 3}, "notes"),
        ({"unit": 999_999}, "unit"),
        ({"unit": True}, "unit"),
        ({"unit": "U1"}, "unit"),
    ],
)
async def test_create_volunteer_rejects_bad_input_and_writes_nothing(db, overrides, field):
    with pytest.raises(InvalidInput) as caught:
        await _create(**overrides)

    assert caught.value.field == field
    assert await Volunteer.all().count() == 0
    assert await AuditEvent.all().count() == 0


async def test_create_volunteer_name_message_is_translated(db):
    with pytest.raises(InvalidInput) as caught:
        await _create(full_name="A")

    assert (
        caught.value.translated("vi") == "Họ tên phải có từ 2 đến 200 ký tự, trong đó có chữ cái."
    )


# --- update_volunteer -----------------------------------------------------------------------


async def test_update_volunteer_changes_name_and_search_name_and_records_what_changed(db):
    volunteer = await _create()

    await update_volunteer(volunteer, full_name="Nguyễn Văn Ân", by=COORDINATOR)

    stored = await Volunteer.get(id=volunteer.id)
    assert (stored.full_name, stored.search_name) == ("Nguyễn Văn Ân", "nguyen van an")
    event = await AuditEvent.filter(action="volunteer.updated").get()
    assert event.data == {"changed": {"full_name": ["Nguyễn Văn An", "Nguyễn Văn Ân"]}}


async def test_update_volunteer_normalises_the_new_phone(db):
    volunteer = await _create()

    await update_volunteer(volunteer, phone="098-765-4321", by=COORDINATOR)

    assert (await Volunteer.get(id=volunteer.id)).phone == "+84987654321"


async def test_update_volunteer_sets_and_clears_the_unit(db):
    volunteer = await _create()
    unit = await make_unit()

    await update_volunteer(volunteer, unit=unit.id, by=COORDINATOR)
    with_unit = (await Volunteer.get(id=volunteer.id)).unit_id
    await update_volunteer(volunteer, unit=None, by=COORDINATOR)

    assert (with_unit, (await Volunteer.get(id=volunteer.id)).unit_id) == (unit.id, None)
    assert volunteer.unit_id is None


async def test_update_volunteer_without_a_difference_writes_no_event(db):
    volunteer = await _create(skills=["sơ cứu"])

    await update_volunteer(
        volunteer,
        full_name=" Nguyễn Văn An ",
        phone="+84912345678",
        skills="sơ cứu",
        by=COORDINATOR,
    )

    assert await AuditEvent.filter(action="volunteer.updated").count() == 0


async def test_update_volunteer_to_a_taken_phone_is_a_conflict_and_changes_nothing(db):
    await make_volunteer(full_name="Trần Thị Bình", phone="+84987654321")
    volunteer = await _create()

    with pytest.raises(Conflict) as caught:
        await update_volunteer(
            volunteer, full_name="Lê Văn Cường", phone="0987654321", by=COORDINATOR
        )

    assert (caught.value.field, caught.value.params) == ("phone", {"name": "Trần Thị Bình"})
    stored = await Volunteer.get(id=volunteer.id)
    assert (stored.full_name, stored.phone) == ("Nguyễn Văn An", "+84912345678")


async def test_update_volunteer_rejects_an_unknown_field(db):
    volunteer = await _create()

    with pytest.raises(InvalidInput) as caught:
        await update_volunteer(volunteer, telegram_user_id=5, by=COORDINATOR)

    assert caught.value.field == "telegram_user_id"
    assert (await Volunteer.get(id=volunteer.id)).telegram_user_id is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"full_name": "1"}, "full_name"),
        ({"phone": "0168 912 3456"}, "phone"),
        ({"organisation": "x" * 201}, "organisation"),
        ({"skills": [f"kỹ năng {n}" for n in range(21)]}, "skills"),
        ({"language": "zh"}, "language"),
        ({"notes": "n" * 2001}, "notes"),
        ({"unit": 424242}, "unit"),
    ],
)
async def test_update_volunteer_rejects_bad_input_and_changes_nothing(db, changes, field):
    volunteer = await _create()

    with pytest.raises(InvalidInput) as caught:
        await update_volunteer(
            volunteer, **{"full_name": "Lê Văn Cường", **changes}, by=COORDINATOR
        )

    assert caught.value.field == field
    stored = await Volunteer.get(id=volunteer.id)
    assert (stored.full_name, stored.phone) == ("Nguyễn Văn An", "+84912345678")
    assert await AuditEvent.filter(action="volunteer.updated").count() == 0


async def test_set_volunteer_language_accepts_a_telegram_style_code(db):
    volunteer = await _create()

    await set_volunteer_language(volunteer, language="English", by=COORDINATOR)

    assert (await Volunteer.get(id=volunteer.id)).language == Language.EN


# --- reachability ---------------------------------------------------------------------------


async def test_mark_unreachable_records_the_reason_once(db):
    volunteer = await _create()

    await mark_unreachable(volunteer, reason="Bot bị chặn (403)", by=Actor.system())
    await mark_unreachable(volunteer, reason="Bot bị chặn (403)", by=Actor.system())

    assert (await Volunteer.get(id=volunteer.id)).reachable is False
    events = await AuditEvent.filter(action="volunteer.unreachable").values_list("data", flat=True)
    assert events == [{"reason": "Bot bị chặn (403)"}]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501, None])
async def test_mark_unreachable_needs_a_reason(db, reason):
    volunteer = await _create()

    with pytest.raises(InvalidInput) as caught:
        await mark_unreachable(volunteer, reason=reason, by=COORDINATOR)

    assert caught.value.field == "reason"
    assert (await Volunteer.get(id=volunteer.id)).reachable is True


async def test_mark_reachable_restores_an_unreachable_volunteer(db):
    volunteer = await _create()
    await mark_unreachable(volunteer, reason="Số không liên lạc được", by=COORDINATOR)

    await mark_reachable(volunteer, by=COORDINATOR)

    assert (await Volunteer.get(id=volunteer.id)).reachable is True
    assert await AuditEvent.filter(action="volunteer.reachable").count() == 1


# --- Telegram -------------------------------------------------------------------------------


async def test_link_telegram_stores_the_ids_and_makes_the_volunteer_reachable(db):
    volunteer = await _create()
    await mark_unreachable(volunteer, reason="Bot bị chặn", by=COORDINATOR)

    await link_telegram(volunteer, telegram_user_id=111, chat_id=111, by=COORDINATOR)

    stored = await Volunteer.get(id=volunteer.id)
    assert (stored.telegram_user_id, stored.telegram_chat_id, stored.reachable) == (111, 111, True)
    assert await AuditEvent.filter(action="volunteer.telegram_linked").count() == 1


async def test_link_telegram_again_with_the_same_ids_changes_nothing(db):
    volunteer = await _create()
    await link_telegram(volunteer, telegram_user_id=111, chat_id=111, by=COORDINATOR)

    await link_telegram(volunteer, telegram_user_id=111, chat_id=111, by=COORDINATOR)

    assert await AuditEvent.filter(action="volunteer.telegram_linked").count() == 1


async def test_link_telegram_of_an_account_linked_to_someone_else_is_a_conflict(db):
    await make_volunteer(full_name="Trần Thị Bình", telegram_user_id=111, telegram_chat_id=111)
    volunteer = await _create()

    with pytest.raises(Conflict) as caught:
        await link_telegram(volunteer, telegram_user_id=111, chat_id=111, by=COORDINATOR)

    assert (caught.value.field, caught.value.params) == (
        "telegram_user_id",
        {"name": "Trần Thị Bình"},
    )
    assert (await Volunteer.get(id=volunteer.id)).telegram_user_id is None


async def test_link_telegram_to_a_volunteer_linked_elsewhere_needs_replace(db):
    volunteer = await _create()
    await link_telegram(volunteer, telegram_user_id=111, chat_id=111, by=COORDINATOR)

    with pytest.raises(Conflict) as caught:
        await link_telegram(volunteer, telegram_user_id=222, chat_id=222, by=COORDINATOR)

    assert caught.value.field == "telegram_user_id"
    assert (await Volunteer.get(id=volunteer.id)).telegram_user_id == 111


async def test_link_telegram_with_replace_moves_to_the_new_account(db):
    volunteer = await _create()
    await link_telegram(volunteer, telegram_user_id=111, chat_id=111, by=COORDINATOR)

    await link_telegram(volunteer, telegram_user_id=222, chat_id=333, by=COORDINATOR, replace=True)

    stored = await Volunteer.get(id=volunteer.id)
    assert (stored.telegram_user_id, stored.telegram_chat_id) == (222, 333)


@pytest.mark.parametrize(
    ("user_id", "chat_id", "field"),
    [
        (0, 1, "telegram_user_id"),
        (-5, 1, "telegram_user_id"),
        ("111", 1, "telegram_user_id"),
        (True, 1, "telegram_user_id"),
        (111, None, "chat_id"),
        (111, 0, "chat_id"),
        (111, "111", "chat_id"),
    ],
)
async def test_link_telegram_rejects_bad_ids(db, user_id, chat_id, field):
    volunteer = await _create()

    with pytest.raises(InvalidInput) as caught:
        await link_telegram(volunteer, telegram_user_id=user_id, chat_id=chat_id, by=COORDINATOR)

    assert caught.value.field == field
    assert (await Volunteer.get(id=volunteer.id)).telegram_user_id is None


async def test_unlink_telegram_clears_both_ids(db):
    volunteer = await _create()
    await link_telegram(volunteer, telegram_user_id=111, chat_id=111, by=COORDINATOR)

    await unlink_telegram(volunteer, by=COORDINATOR)

    stored = await Volunteer.get(id=volunteer.id)
    assert (stored.telegram_user_id, stored.telegram_chat_id) == (None, None)
    events = await AuditEvent.filter(action="volunteer.telegram_unlinked").values_list(
        "data", flat=True
    )
    assert events == [{"telegram_user_id": 111}]


# --- translations ---------------------------------------------------------------------------


def _msgids(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        ast.literal_eval(node.args[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_"
    }


@pytest.mark.unit
def test_every_message_of_the_volunteer_modules_has_a_vietnamese_translation():
    modules = [
        "stations/services/phones.py",
        "stations/services/volunteers.py",
        "stations/services/roster_import.py",
        "stations/services/queries/volunteers.py",
    ]
    msgids = set().union(*(_msgids(ROOT / module) for module in modules))
    # The topic's own catalog; security.po for the refusals that keep to one's scope and
    # security_uploads.po for the roster import's hardening (issue 12).
    catalogs = []
    for name in ("volunteers.po", "security.po", "security_uploads.po"):
        with (ROOT / "stations/locale/vi/LC_MESSAGES" / name).open("rb") as handle:
            catalogs.append(read_po(handle, locale="vi"))

    def entry(msgid: str):
        return next((c.get(msgid) for c in catalogs if c.get(msgid) and c.get(msgid).string), None)

    untranslated = sorted(m for m in msgids if entry(m) is None)
    assert untranslated == []
    for msgid in msgids:
        placeholders = {part.split("}")[0] for part in msgid.split("{")[1:]}
        assert {p.split("}")[0] for p in entry(msgid).string.split("{")[1:]} == placeholders
        assert translate(msgid, "vi") != msgid


# --- forces -----------------------------------------------------------------------------


async def test_create_volunteer_takes_a_force_by_code_or_by_the_reports_words(db):
    by = Actor.system("tests")

    coded = await create_volunteer(
        full_name="Nguyễn Văn An", phone="0912345678", force="police", by=by
    )
    worded = await create_volunteer(
        full_name="Trần Thị Bình", phone="0987654321", force="Đoàn viên thanh niên", by=by
    )
    plain = await create_volunteer(full_name="Lê Văn Cường", phone="0903333333", by=by)

    assert (coded.force, worded.force, plain.force) == (
        Force.POLICE,
        Force.YOUTH_UNION,
        Force.OTHER,
    )


@pytest.mark.parametrize("force", ["army", "", None, 3])
async def test_unknown_force_is_refused_and_nothing_is_written(db, force):
    with pytest.raises(InvalidInput) as error:
        await create_volunteer(
            full_name="Nguyễn Văn An", phone="0912345678", force=force, by=Actor.system("t")
        )

    assert error.value.field == "force"
    assert await Volunteer.all().count() == 0


async def test_update_volunteer_changes_the_force(db):
    volunteer = await create_volunteer(
        full_name="Nguyễn Văn An", phone="0912345678", by=Actor.system("t")
    )

    await update_volunteer(volunteer, force="Nhân dân", by=Actor.system("t"))

    assert (await Volunteer.get(id=volunteer.id)).force == Force.PEOPLE
