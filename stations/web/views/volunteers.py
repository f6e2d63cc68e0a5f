"""Coordinators' pages: volunteers — the list, the form, a roster import, one volunteer's
page with their shifts, and the invite that links their Telegram account."""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from itsdangerous import BadSignature, TimestampSigner
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations.enums import AssignmentStatus, Force, Language, ShiftRole
from stations.i18n import _, translate
from stations.labels import ASSIGNMENT_STATUS_LABELS, FORCE_LABELS, ROLE_LABELS
from stations.models import Volunteer
from stations.services.errors import InvalidInput, PermissionDenied, StationsError
from stations.services.invites import create_invite
from stations.services.permissions import (
    Principal,
    check_can_change_volunteer,
    check_can_use_unit,
    check_can_view_volunteer,
)
from stations.services.phones import format_phone_local, normalize_phone
from stations.services.queries.volunteer_pages import (
    roster_plan,
    units_to_choose,
    volunteer_list_page,
    volunteer_missing,
    volunteer_record,
    volunteer_with_unit,
)
from stations.services.roster_import import (
    MAX_FILE_MB,
    RosterOutsideScope,
    RosterPreview,
    dump_preview,
    import_parsed_roster,
    load_preview,
    preview_roster,
)
from stations.services.volunteers import (
    clean_force,
    clean_full_name,
    clean_language,
    clean_notes,
    clean_organisation,
    clean_skills,
    create_volunteer,
    update_volunteer,
)
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.bot_identity import bot_missing, bot_username, log_missing
from stations.web.qr import bot_deep_link, qr_svg
from stations.web.rendering import LANGUAGE_NAMES, flash, render
from stations.web.views._shared import redirect_to
from stations.web.views.calendar import calendar_url

#: A preview lists this many rows of each kind; a province-wide roster has thousands.
PREVIEW_ROWS = 500
#: A search longer than any name or phone is cut, not run word by word.
MAX_QUERY_LENGTH = 100
FORM_FIELDS = (
    "full_name",
    "phone",
    "unit",
    "organisation",
    "force",
    "skills",
    "language",
    "notes",
)

CREATED = _("{name} was added.")
SAVED = _("Your changes to {name} were saved.")
IMPORTED = _(
    "Roster imported: {created} volunteers added, {updated} updated, {unchanged} unchanged."
)
SKIPPED_CONFLICTS = _(
    "{count} rows were skipped: their phone belongs to a volunteer with another name."
)
CHOOSE_FILE = _("Choose the roster file (.csv or .xlsx) to upload.")


def _form_values(volunteer: Volunteer | None) -> dict[str, str]:
    if volunteer is None:
        return {name: "" for name in FORM_FIELDS} | {
            "language": Language.VI.value,
            "force": Force.OTHER.value,
        }
    return {
        "full_name": volunteer.full_name,
        "phone": format_phone_local(volunteer.phone),
        "unit": str(volunteer.unit_id or ""),
        "organisation": volunteer.organisation,
        "force": Force(volunteer.force).value,
        "skills": ", ".join(volunteer.skills or []),
        "language": Language(volunteer.language).value,
        "notes": volunteer.notes,
    }


async def _render_form(
    request: Request,
    *,
    volunteer: Volunteer | None,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    principal = principal_of(request)
    units = await units_to_choose(principal.unit_ids)
    unit_options = [(str(unit.id), unit.name) for unit in units]
    if principal.is_province_wide:
        unit_options.insert(0, ("", translate(_("— no unit —"), principal.language)))
    return render(
        request,
        "volunteers/form.html",
        {
            "volunteer": volunteer,
            "values": values,
            "errors": errors or {},
            "unit_options": unit_options,
            "language_options": [(code.value, name) for code, name in LANGUAGE_NAMES.items()],
            "force_options": [
                (force.value, translate(label, principal.language))
                for force, label in FORCE_LABELS.items()
            ],
        },
        status_code=status_code,
    )


def _posted_values(form: dict[str, str | UploadFile]) -> dict[str, str]:
    values = {name: forms.text(form, name) for name in FORM_FIELDS}
    # A form from before forces were asked (a page left open) counts the person as "other".
    values["force"] = values["force"] or Force.OTHER.value
    return values


#: The service stops at the first bad field; these run first so the form shows them all.
_FIELD_CHECKS = (
    ("full_name", clean_full_name),
    ("phone", normalize_phone),
    ("organisation", clean_organisation),
    ("force", clean_force),
    ("skills", clean_skills),
    ("language", clean_language),
    ("notes", clean_notes),
)


def _field_errors(values: dict[str, str], language: Language) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, check in _FIELD_CHECKS:
        try:
            check(values[name])
        except InvalidInput as error:
            errors[error.field or name] = error.translated(language)
    return errors


def _unit_choice(principal: Principal, raw: str) -> int | None:
    """The unit picked in the form, refused (403) when it is outside the principal's scope."""
    unit_id = forms.parse_id(raw, "unit") if raw.strip() else None
    check_can_use_unit(principal, unit_id)
    return unit_id


@page()
async def volunteer_list(request: Request) -> Response:
    """``GET /volunteers?q=&page=``: the volunteers in scope, searchable."""
    principal = principal_of(request)
    raw_query = request.query_params.get("q", "")[:MAX_QUERY_LENGTH]
    # Control characters are nobody's name; PostgreSQL refuses a NUL in a query outright.
    query = "".join(char for char in raw_query if char.isprintable()).strip()
    raw_page = request.query_params.get("page", "1")
    number = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 else 1
    listing = await volunteer_list_page(query, unit_ids=principal.unit_ids, page=number)
    return render(
        request,
        "volunteers/list.html",
        {
            "query": query,
            "listing": listing,
            "phones": {v.id: format_phone_local(v.phone) for v in listing.volunteers},
        },
    )


@page(change=True)
async def volunteer_new(request: Request) -> Response:
    """``/volunteers/new``: the form, and creating the volunteer."""
    principal = principal_of(request)
    if request.method == "GET":
        values = _form_values(None)
        if not principal.is_province_wide:
            units = await units_to_choose(principal.unit_ids)
            values["unit"] = str(units[0].id) if len(units) == 1 else ""
        return await _render_form(request, volunteer=None, values=values)
    return await _save(request, None)


@page(change=True)
async def volunteer_edit(request: Request) -> Response:
    """``/volunteers/{volunteer_id}/edit``: the form, and saving the changes."""
    principal = principal_of(request)
    volunteer = await volunteer_with_unit(request.path_params["volunteer_id"])
    check_can_change_volunteer(principal, volunteer, missing=volunteer_missing())
    if request.method == "GET":
        return await _render_form(request, volunteer=volunteer, values=_form_values(volunteer))
    return await _save(request, volunteer)


async def _save(request: Request, volunteer: Volunteer | None) -> Response:
    """Create (``volunteer`` None) or update a volunteer from the posted form; the form
    again, with every field's error, when something is wrong."""
    principal = principal_of(request)
    values = _posted_values(await forms.read_form(request))
    if errors := _field_errors(values, principal.language):
        status = InvalidInput.http_status
        return await _render_form(
            request, volunteer=volunteer, values=values, errors=errors, status_code=status
        )
    try:
        unit_id = _unit_choice(principal, values["unit"])
        fields = {name: values[name] for name in FORM_FIELDS if name != "unit"}
        if volunteer is None:
            volunteer = await create_volunteer(
                **fields, unit=unit_id, by=principal.actor, seen_by=principal
            )
            message = CREATED
        else:
            await update_volunteer(
                volunteer, **fields, unit=unit_id, by=principal.actor, seen_by=principal
            )
            message = SAVED
    except PermissionDenied:
        raise
    except StationsError as error:
        return await _render_form(
            request,
            volunteer=volunteer,
            values=values,
            errors=forms.error_map(error, principal.language),
            status_code=error.http_status,
        )
    flash(request, message, name=volunteer.full_name)
    return redirect_to(request, "volunteer_detail", volunteer_id=volunteer.id)


def _assignment_rows(assignments: list[Any], language: Language) -> list[dict[str, Any]]:
    return [
        {
            "assignment": assignment,
            "station": assignment.shift.station,
            "role": translate(ROLE_LABELS[ShiftRole(assignment.role)], language),
            "status": AssignmentStatus(assignment.status).value,
            "status_label": translate(
                ASSIGNMENT_STATUS_LABELS[AssignmentStatus(assignment.status)], language
            ),
            "shift_cancelled": assignment.shift.status != "active",
        }
        for assignment in assignments
    ]


async def _render_detail(
    request: Request,
    volunteer: Volunteer,
    *,
    invite: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    principal = principal_of(request)
    language = principal.language
    record = await volunteer_record(volunteer)
    return render(
        request,
        "volunteers/detail.html",
        {
            "volunteer": volunteer,
            "phone": format_phone_local(volunteer.phone),
            "language_name": LANGUAGE_NAMES[Language(volunteer.language)],
            "upcoming": _assignment_rows(record.upcoming, language),
            "past": _assignment_rows(record.past, language),
            "checkins": record.checkins,
            "worked_minutes": record.worked_minutes,
            "worked_hours": round(record.worked_minutes / 60, 1),
            "truncated": record.truncated,
            "can_change": principal.can_change,
            "bot_ready": _bot_ready(request),
            "bot_missing": bot_missing(request),
            # The address is a credential: only those who may change the volunteer see it.
            "calendar_url": calendar_url(request, volunteer) if principal.can_change else None,
            "invite": invite,
        },
        status_code=status_code,
    )


def _bot_ready(request: Request) -> bool:
    """Whether invite links can be made: they need the bot's username."""
    return bot_missing(request) is None


@page()
async def volunteer_detail(request: Request) -> Response:
    """``GET /volunteers/{volunteer_id}``: who they are, their shifts, hours and check-ins."""
    volunteer = await volunteer_with_unit(request.path_params["volunteer_id"])
    check_can_view_volunteer(principal_of(request), volunteer, missing=volunteer_missing())
    return await _render_detail(request, volunteer)


@page(change=True)
async def volunteer_invite(request: Request) -> Response:
    """``POST /volunteers/{volunteer_id}/invite``: a fresh single-use link and its QR code,
    shown on this response only (the token is not shown again)."""
    principal = principal_of(request)
    volunteer = await volunteer_with_unit(request.path_params["volunteer_id"])
    check_can_change_volunteer(principal, volunteer, missing=volunteer_missing())
    if not _bot_ready(request):
        # Without the bot's name the link would lead nowhere: make none, and say why.
        log_missing(request, f"invite link for volunteer {volunteer.id}")
        return await _render_detail(request, volunteer, status_code=503)
    username = bot_username(request)
    invite = await create_invite(volunteer, by=principal.actor)
    link = bot_deep_link(username, invite.token) or invite.deep_link(username)
    title = translate(_("Invite link for {name}"), principal.language, name=volunteer.full_name)
    return await _render_detail(
        request,
        volunteer,
        invite={"link": link, "qr": qr_svg(link, title=title), "expires_at": invite.expires_at},
    )


# --- roster import ---------------------------------------------------------------------
#
# The file is parsed once, at the preview. What it read travels back in the confirm form:
# compact JSON, compressed, base64-encoded and signed with the app's secret key (with the
# user's id and a time stamp), so the server keeps no state, any replica can take the
# confirmation, a tampered, foreign or stale preview is refused, and confirming reads no file
# again. The rows were checked by our own code before they were signed; the units and the
# volunteers they name are checked again inside the import's transaction. The confirm form is
# multipart, whose parts may hold 10 MB.

UPLOAD_SALT = "waystation.roster-upload"
#: Time enough to read a long preview and fix nothing; after it, upload again.
UPLOAD_MAX_AGE_SECONDS = 2 * 60 * 60
UPLOAD_EXPIRED = _("This preview has expired or could not be read back. Upload the file again.")
#: A kept preview unpacks to a few MB; anything much larger was not made by us.
MAX_KEPT_PREVIEW_BYTES = 64 * 1024 * 1024
#: The confirm form's choice for a name conflict on line N: ``conflict-N`` = skip / update.
CONFLICT_FIELD = "conflict-"


@dataclass(frozen=True)
class KeptPreview:
    filename: str
    preview: RosterPreview


def _upload_signer(request: Request) -> TimestampSigner:
    secret = request.app.state.settings.secret_key
    return TimestampSigner(secret, salt=UPLOAD_SALT, digest_method=hashlib.sha256)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def sign_preview(request: Request, kept: KeptPreview, principal: Principal) -> str:
    """The parsed roster as one signed text for a hidden field."""
    payload = ":".join(
        (
            str(principal.user_id),
            _b64(kept.filename.encode("utf-8")),
            _b64(zlib.compress(dump_preview(kept.preview), 6)),
        )
    )
    return _upload_signer(request).sign(payload).decode("ascii")


def unsign_preview(request: Request, token: str, principal: Principal) -> KeptPreview | None:
    """The preview ``sign_preview`` made for this same user, or None for anything else."""
    try:
        payload = _upload_signer(request).unsign(token, max_age=UPLOAD_MAX_AGE_SECONDS)
        user_id, name, data = payload.decode("ascii").split(":")
        if user_id != str(principal.user_id):
            return None
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.urlsafe_b64decode(data), MAX_KEPT_PREVIEW_BYTES + 1)
        filename = base64.urlsafe_b64decode(name).decode("utf-8")
    except (BadSignature, ValueError, binascii.Error, zlib.error, UnicodeError):
        return None
    if len(raw) > MAX_KEPT_PREVIEW_BYTES or not inflate.eof:
        return None
    preview = load_preview(raw)
    return None if preview is None else KeptPreview(filename=filename, preview=preview)


def _rename_lines(form: dict[str, Any]) -> frozenset[int]:
    """The conflict lines whose volunteer the importer chose to rename."""
    lines = set()
    for name, value in form.items():
        number = name.removeprefix(CONFLICT_FIELD)
        chosen = name.startswith(CONFLICT_FIELD) and value == "update"
        # ASCII digits only ("²" is a digit to Python), and no more than any sheet has.
        if chosen and number.isascii() and number.isdigit() and len(number) < 10:
            lines.add(int(number))
    return frozenset(lines)


async def _render_upload(
    request: Request, *, error: str | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "volunteers/import.html",
        {"error": error, "max_mb": MAX_FILE_MB, "preview": None},
        status_code=status_code,
    )


async def _render_preview(
    request: Request,
    kept: KeptPreview,
    *,
    renames: frozenset[int] = frozenset(),
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    principal = principal_of(request)
    preview = kept.preview
    plan = await roster_plan(preview.rows, unit_ids=principal.unit_ids)
    language = principal.language
    blocked = None
    if plan.outside_scope:
        blocked = RosterOutsideScope(plan.outside_scope).translated(language)
    rejected = [
        {
            "line": row.line,
            "field": row.field or "",
            "message": row.translated(language),
            "raw": row.raw,
        }
        for row in preview.rejected[:PREVIEW_ROWS]
    ]
    by_line = {row.line: row for row in preview.rows}
    conflicts = [
        {
            "row": by_line[line],
            "holder": holder,
            "phone": format_phone_local(holder.phone),
            "rename": line in renames,
        }
        for line, holder in sorted(plan.conflicts.items())[:PREVIEW_ROWS]
    ]
    shown_rows = preview.rows[:PREVIEW_ROWS]
    # Signing compresses a few MB: off the event loop, like the parsing.
    token = await anyio.to_thread.run_sync(sign_preview, request, kept, principal)
    return render(
        request,
        "volunteers/import.html",
        {
            "error": error,
            "blocked": blocked,
            "max_mb": MAX_FILE_MB,
            "preview": preview,
            "plan": plan,
            "rejected": rejected,
            "more_rejected": max(0, len(preview.rejected) - PREVIEW_ROWS),
            "conflicts": conflicts,
            "more_conflicts": max(0, len(plan.conflicts) - PREVIEW_ROWS),
            "shown_rows": shown_rows,
            "more_rows": max(0, len(preview.rows) - PREVIEW_ROWS),
            "rejected_lines": preview.rejected_lines,
            # Only the rows shown: formatting 20,000 phones would hold the event loop.
            "phones": {row.line: format_phone_local(row.phone) for row in shown_rows},
            "token": token,
            "filename": kept.filename,
        },
        status_code=status_code,
    )


@page(change=True)
async def volunteer_import(request: Request) -> Response:
    """``/volunteers/import``: upload → preview (nothing written) → confirm."""
    principal = principal_of(request)
    language = principal.language
    if request.method == "GET":
        return await _render_upload(request)
    form = await forms.read_form(request)
    if forms.text(form, "action") == "confirm":
        token = forms.text(form, "upload")
        kept = await anyio.to_thread.run_sync(unsign_preview, request, token, principal)
        if kept is None:
            return await _render_upload(
                request,
                error=translate(UPLOAD_EXPIRED, language),
                status_code=400,
            )
        return await _confirm(
            request,
            kept,
            only_valid=forms.text(form, "only_valid") == "1",
            renames=_rename_lines(form),
        )
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return await _render_upload(
            request, error=translate(CHOOSE_FILE, language), status_code=InvalidInput.http_status
        )
    data = await file.read()
    try:
        preview = await preview_roster(data, filename=file.filename)
    except InvalidInput as error:
        return await _render_upload(
            request, error=error.translated(language), status_code=error.http_status
        )
    return await _render_preview(request, KeptPreview(filename=file.filename, preview=preview))


async def _confirm(
    request: Request, kept: KeptPreview, *, only_valid: bool, renames: frozenset[int]
) -> Response:
    principal = principal_of(request)
    language = principal.language
    try:
        result = await import_parsed_roster(
            kept.preview,
            filename=kept.filename,
            by=principal.actor,
            only_valid=only_valid,
            unit_ids=principal.unit_ids,
            rename_lines=renames,
        )
    except RosterOutsideScope as error:
        # Checked inside the import's transaction: the preview lists the lines again.
        return await _render_preview(request, kept, renames=renames, status_code=error.http_status)
    except StationsError as error:  # RosterRejected, or a Conflict with a concurrent writer
        return await _render_preview(
            request,
            kept,
            renames=renames,
            error=error.translated(language),
            status_code=error.http_status,
        )
    flash(
        request,
        IMPORTED,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    if result.skipped:
        flash(request, SKIPPED_CONFLICTS, count=result.skipped)
    return redirect_to(request, "volunteer_list")


ROUTES: list[BaseRoute] = [
    Route("/volunteers", volunteer_list, methods=["GET"], name="volunteer_list"),
    Route("/volunteers/new", volunteer_new, methods=["GET", "POST"], name="volunteer_new"),
    Route("/volunteers/import", volunteer_import, methods=["GET", "POST"], name="volunteer_import"),
    Route(
        "/volunteers/{volunteer_id:int}",
        volunteer_detail,
        methods=["GET"],
        name="volunteer_detail",
    ),
    Route(
        "/volunteers/{volunteer_id:int}/edit",
        volunteer_edit,
        methods=["GET", "POST"],
        name="volunteer_edit",
    ),
    Route(
        "/volunteers/{volunteer_id:int}/invite",
        volunteer_invite,
        methods=["POST"],
        name="volunteer_invite",
    ),
]
