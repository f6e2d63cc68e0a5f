"""Volunteers: create and edit them, their language, reachability and Telegram link.

The ``clean_*`` validators are shared with the roster import, so a row of a spreadsheet
and a form on the web are held to the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations.enums import Force, Language
from stations.i18n import _
from stations.models import Unit, Volunteer
from stations.services.actor import Actor
from stations.services.audit import record_event
from stations.services.edits import check_editable, save_changes
from stations.services.errors import Conflict, InvalidInput
from stations.services.permissions import Principal
from stations.services.phones import normalize_phone
from stations.services.validation import check_optional_text, check_required_text
from stations.text import clean, fold

MIN_NAME_LENGTH = 2
MAX_NAME_LENGTH = 200
MAX_ORGANISATION_LENGTH = 200
MAX_SKILLS = 20
MAX_SKILL_LENGTH = 50
MAX_NOTES_LENGTH = 2000
MAX_REASON_LENGTH = 500

PHONE_TAKEN = _("This phone number already belongs to {name}.")
PHONE_TAKEN_BY_SOMEONE = _("This phone number already belongs to another volunteer.")

EDITABLE_FIELDS = frozenset(
    {"full_name", "phone", "unit", "organisation", "force", "skills", "language", "notes"}
)

# A force as people write it in a roster or a form, accents folded: the code, the English
# label, or the Vietnamese words of a provincial report.
_FORCE_WORDS = {
    **{force.value: force for force in Force},
    **{fold(f.value.replace("_", " ")): f for f in Force},
    "cong an": Force.POLICE,
    "can bo chien si": Force.POLICE,
    "can bo, chien si": Force.POLICE,
    "can bo chien si cong an": Force.POLICE,
    "police": Force.POLICE,
    "police officers": Force.POLICE,
    "doan vien": Force.YOUTH_UNION,
    "doan vien thanh nien": Force.YOUTH_UNION,
    "doan thanh nien": Force.YOUTH_UNION,
    "youth union members": Force.YOUTH_UNION,
    "hoi vien": Force.WOMENS_UNION,
    "hoi vien phu nu": Force.WOMENS_UNION,
    "hoi phu nu": Force.WOMENS_UNION,
    "women's union members": Force.WOMENS_UNION,
    "nhan dan": Force.PEOPLE,
    "nguoi dan": Force.PEOPLE,
    "local people": Force.PEOPLE,
    "khac": Force.OTHER,
}

# What people put between skills in one cell or one text box: "sơ cứu, sửa xe; loa".
_SKILL_SEPARATORS = re.compile(r"[,;\n|]+")

# Language words as people write them in a roster: codes, English and Vietnamese names.
_LANGUAGE_WORDS = {
    "vi": Language.VI,
    "vn": Language.VI,
    "viet": Language.VI,
    "tieng viet": Language.VI,
    "vietnamese": Language.VI,
    "en": Language.EN,
    "eng": Language.EN,
    "english": Language.EN,
    "anh": Language.EN,
    "tieng anh": Language.EN,
}


def clean_full_name(value: object) -> str:
    name = clean(value) if isinstance(value, str) else ""
    if not (MIN_NAME_LENGTH <= len(name) <= MAX_NAME_LENGTH) or not any(
        ch.isalpha() for ch in name
    ):
        raise InvalidInput(
            _("A name must have {min} to {max} characters, including letters."),
            field="full_name",
            min=MIN_NAME_LENGTH,
            max=MAX_NAME_LENGTH,
        )
    return name


def clean_organisation(value: object) -> str:
    if value is None:
        return ""
    return check_optional_text(
        value,
        field="organisation",
        max_length=MAX_ORGANISATION_LENGTH,
        too_long=_("The organisation can be at most {max} characters."),
        not_text=_("The organisation must be text."),
    )


def clean_force(value: object) -> Force:
    """The force ``value`` names (a code, or the words of a roster: "Đoàn viên", "Nhân dân")."""
    if isinstance(value, Force):
        return value
    if isinstance(value, str):
        found = _FORCE_WORDS.get(" ".join(fold(value).split()))
        if found is not None:
            return found
    raise InvalidInput(
        _("The force must be one of: {choices}."),
        field="force",
        choices=", ".join(force.value for force in Force),
    )


def clean_skills(value: object) -> list[str]:
    """Skills as a list of short texts, blanks and repeats dropped.

    A single string is split at commas, semicolons and line breaks, the way people list
    skills in one cell: "sơ cứu, sửa xe máy".
    """
    if value is None:
        return []
    if isinstance(value, str):
        items: Iterable[object] = _SKILL_SEPARATORS.split(value)
    elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
        items = list(value)
    else:
        raise InvalidInput(_("Skills must be a list of short texts."), field="skills")
    skills: list[str] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise InvalidInput(_("Skills must be a list of short texts."), field="skills")
        skill = clean(item)
        if not skill or fold(skill) in seen:
            continue
        if len(skill) > MAX_SKILL_LENGTH:
            raise InvalidInput(
                _("Each skill can be at most {max} characters: “{skill}” is longer."),
                field="skills",
                max=MAX_SKILL_LENGTH,
                skill=skill[:MAX_SKILL_LENGTH] + "…",
            )
        seen.add(fold(skill))
        skills.append(skill)
    if len(skills) > MAX_SKILLS:
        raise InvalidInput(
            _("A volunteer can have at most {max} skills."), field="skills", max=MAX_SKILLS
        )
    return skills


def clean_language(value: object) -> Language:
    """``vi`` or ``en``; also "Tiếng Việt", "English" and the like as rosters write them."""
    if isinstance(value, Language):
        return value
    found = _LANGUAGE_WORDS.get(fold(value)) if isinstance(value, str) else None
    if found is None:
        raise InvalidInput(
            _("The language must be Vietnamese (vi) or English (en)."), field="language"
        )
    return found


def clean_notes(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(_("Notes must be text."), field="notes")
    notes = value.strip()
    if len(notes) > MAX_NOTES_LENGTH:
        raise InvalidInput(
            _("Notes can be at most {max} characters."), field="notes", max=MAX_NOTES_LENGTH
        )
    return notes


async def resolve_unit(unit: Unit | int | None) -> Unit | None:
    """The unit a volunteer belongs to, given as a model or an id; None for none."""
    if unit is None or isinstance(unit, Unit):
        return unit
    if isinstance(unit, bool) or not isinstance(unit, int):
        raise InvalidInput(_("Choose a unit from the list."), field="unit")
    found = await Unit.get_or_none(id=unit)
    if found is None:
        raise InvalidInput(_("Choose a unit from the list."), field="unit")
    return found


async def _check_phone_free(
    phone: str, *, seen_by: Principal | None, other_than: int | None = None
) -> None:
    query = Volunteer.filter(phone=phone)
    if other_than is not None:
        query = query.exclude(id=other_than)
    holder = await query.first()
    if holder is not None:
        raise _phone_taken(holder, seen_by)


def _phone_taken(holder: Volunteer | None, seen_by: Principal | None) -> Conflict:
    """The refusal of a phone someone already has: naming them only to a reader who may
    see them (the command line may), so the form reveals nobody outside one's units."""
    if holder is not None and (seen_by is None or seen_by.sees_unit(holder.unit_id)):
        return Conflict(PHONE_TAKEN, field="phone", name=holder.full_name)
    return Conflict(PHONE_TAKEN_BY_SOMEONE, field="phone")


async def _holder_of(phone: str) -> Volunteer | None:
    return await Volunteer.get_or_none(phone=phone)


async def create_volunteer(
    *,
    full_name: str,
    phone: str,
    by: Actor,
    unit: Unit | int | None = None,
    organisation: str = "",
    force: Force | str = Force.OTHER,
    skills: Iterable[str] | str = (),
    language: str | Language = Language.VI,
    notes: str = "",
    seen_by: Principal | None = None,
) -> Volunteer:
    """A new volunteer. ``seen_by``: whose form this is, so a refusal names the phone's
    holder only to someone who may see them."""
    name = clean_full_name(full_name)
    e164 = normalize_phone(phone)
    organisation = clean_organisation(organisation)
    served_with = clean_force(force)
    skill_list = clean_skills(skills)
    lang = clean_language(language)
    notes = clean_notes(notes)
    unit_row = await resolve_unit(unit)
    await _check_phone_free(e164, seen_by=seen_by)
    try:
        async with in_transaction():
            volunteer = await Volunteer.create(
                full_name=name,
                search_name=fold(name),
                phone=e164,
                unit=unit_row,
                organisation=organisation,
                force=served_with,
                skills=skill_list,
                language=lang,
                notes=notes,
            )
            await record_event(
                by,
                "volunteer.created",
                object_type="volunteer",
                object_id=volunteer.id,
                data={"full_name": name, "phone": e164},
            )
    except IntegrityError:
        # Someone registered the same phone between our check and our insert.
        raise _phone_taken(await _holder_of(e164), seen_by) from None
    return volunteer


async def update_volunteer(
    volunteer: Volunteer, *, by: Actor, seen_by: Principal | None = None, **changes: Any
) -> Volunteer:
    """Change the given fields (any of ``EDITABLE_FIELDS``), validated as on creation
    (``seen_by`` as for ``create_volunteer``)."""
    check_editable(changes, EDITABLE_FIELDS)
    new: dict[str, Any] = {}
    if "full_name" in changes:
        new["full_name"] = clean_full_name(changes["full_name"])
        new["search_name"] = fold(new["full_name"])
    if "phone" in changes:
        new["phone"] = normalize_phone(changes["phone"])
    if "organisation" in changes:
        new["organisation"] = clean_organisation(changes["organisation"])
    if "force" in changes:
        new["force"] = clean_force(changes["force"])
    if "skills" in changes:
        new["skills"] = clean_skills(changes["skills"])
    if "language" in changes:
        new["language"] = clean_language(changes["language"])
    if "notes" in changes:
        new["notes"] = clean_notes(changes["notes"])
    unit_row: Unit | None = None
    if "unit" in changes:
        unit_row = await resolve_unit(changes["unit"])
        new["unit_id"] = unit_row.id if unit_row is not None else None

    async def refuse_taken_phone(changed: dict[str, Any]) -> None:
        if "phone" in changed:
            await _check_phone_free(changed["phone"], seen_by=seen_by, other_than=volunteer.id)

    try:
        changed = await save_changes(
            volunteer,
            new,
            by=by,
            object_type="volunteer",
            gone=_("This volunteer no longer exists."),
            before_write=refuse_taken_phone,
            audit_data=lambda pairs: {
                "changed": {field: pair for field, pair in pairs.items() if field != "search_name"}
            },
        )
    except IntegrityError:
        if "phone" not in new or new["phone"] == volunteer.phone:
            raise
        # Someone took the phone between our check and our write.
        raise _phone_taken(await _holder_of(new["phone"]), seen_by) from None
    if "unit_id" in changed:
        # Through the relation, so a cached ``volunteer.unit`` is not stale.
        volunteer.unit = unit_row
    return volunteer


async def set_volunteer_language(
    volunteer: Volunteer, *, language: str | Language, by: Actor
) -> Volunteer:
    return await update_volunteer(volunteer, language=language, by=by)


async def mark_unreachable(volunteer: Volunteer, *, reason: str, by: Actor) -> Volunteer:
    """Stop messaging a volunteer (the bot was blocked, the number is dead…).

    Already unreachable: nothing changes and no event is written, so a delivery worker
    that sees the same refusal many times leaves one trace.
    """
    why = check_required_text(
        reason,
        field="reason",
        max_length=MAX_REASON_LENGTH,
        message=_("Give a reason of 1 to {max} characters."),
    )
    if not volunteer.reachable:
        return volunteer
    async with in_transaction():
        volunteer.reachable = False
        await volunteer.save(update_fields=["reachable", "updated_at"])
        await record_event(
            by,
            "volunteer.unreachable",
            object_type="volunteer",
            object_id=volunteer.id,
            data={"reason": why},
        )
    return volunteer


async def mark_reachable(volunteer: Volunteer, *, by: Actor) -> Volunteer:
    if volunteer.reachable:
        return volunteer
    async with in_transaction():
        volunteer.reachable = True
        await volunteer.save(update_fields=["reachable", "updated_at"])
        await record_event(
            by, "volunteer.reachable", object_type="volunteer", object_id=volunteer.id
        )
    return volunteer


def _telegram_id(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise InvalidInput(_("A Telegram id must be a whole number."), field=field)
    return value


async def link_telegram(
    volunteer: Volunteer,
    *,
    telegram_user_id: int,
    chat_id: int,
    by: Actor,
    replace: bool = False,
) -> Volunteer:
    """Tie a Telegram account to a volunteer, who becomes reachable again.

    A Telegram account serves one volunteer; a volunteer linked to another account keeps
    it unless ``replace`` is given (a new phone, a new account).
    """
    user_id = _telegram_id(telegram_user_id, "telegram_user_id")
    if user_id < 0:
        raise InvalidInput(_("A Telegram id must be a whole number."), field="telegram_user_id")
    chat = _telegram_id(chat_id, "chat_id")
    other = await Volunteer.filter(telegram_user_id=user_id).exclude(id=volunteer.id).first()
    if other is not None:
        raise Conflict(
            _("This Telegram account is already linked to {name}."),
            field="telegram_user_id",
            name=other.full_name,
        )
    previous = volunteer.telegram_user_id
    if previous is not None and previous != user_id and not replace:
        raise Conflict(
            _("{name} is already linked to another Telegram account."),
            field="telegram_user_id",
            name=volunteer.full_name,
        )
    if previous == user_id and volunteer.telegram_chat_id == chat and volunteer.reachable:
        return volunteer
    try:
        async with in_transaction():
            volunteer.telegram_user_id = user_id
            volunteer.telegram_chat_id = chat
            volunteer.reachable = True
            await volunteer.save(
                update_fields=["telegram_user_id", "telegram_chat_id", "reachable", "updated_at"]
            )
            await record_event(
                by,
                "volunteer.telegram_linked",
                object_type="volunteer",
                object_id=volunteer.id,
                data={"telegram_user_id": user_id, "replaced": previous},
            )
    except IntegrityError:
        volunteer.telegram_user_id = previous
        raise Conflict(
            _("This Telegram account is already linked to another volunteer."),
            field="telegram_user_id",
        ) from None
    return volunteer


async def unlink_telegram(volunteer: Volunteer, *, by: Actor) -> Volunteer:
    if volunteer.telegram_user_id is None and volunteer.telegram_chat_id is None:
        return volunteer
    previous = volunteer.telegram_user_id
    async with in_transaction():
        volunteer.telegram_user_id = None
        volunteer.telegram_chat_id = None
        await volunteer.save(update_fields=["telegram_user_id", "telegram_chat_id", "updated_at"])
        await record_event(
            by,
            "volunteer.telegram_unlinked",
            object_type="volunteer",
            object_id=volunteer.id,
            data={"telegram_user_id": previous},
        )
    return volunteer
