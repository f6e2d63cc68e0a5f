"""Coordinators' pages: a station's shift planner, shifts one at a time or as a daily pattern,
and who is on each shift."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from stations import clock
from stations.clock import VN_TZ
from stations.enums import (
    ACTIVE_ASSIGNMENT_STATUSES,
    CampaignStatus,
    ShiftRole,
)
from stations.formatting import format_day_name
from stations.i18n import _, translate
from stations.labels import ASSIGNMENT_STATUS_LABELS, ROLE_LABELS
from stations.models import Shift, Station
from stations.services.assignments import assign_volunteer, cancel_assignment
from stations.services.errors import InvalidInput, NotFound, StationsError
from stations.services.permissions import (
    check_can_change_station,
    check_can_view_station,
    check_can_view_volunteer,
)
from stations.services.queries.planner import (
    ShiftPeople,
    assignment_or_none,
    candidates_for_shift,
    pattern_preview,
    planner_week,
    shift_people,
)
from stations.services.queries.volunteers import volunteer_by_id
from stations.services.shifts import (
    MAX_NEED_PER_ROLE,
    cancel_shift,
    create_shift,
    generate_shift_pattern,
    update_shift,
)
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, render
from stations.web.views._shared import (
    FormState,
    path_int,
    read_state,
    redirect_to,
    station_in_path,
)
from stations.web.views.stations import default_first_day

#: A name or a phone number is short; a longer search is cut, not run word by word.
MAX_QUERY_LENGTH = 100
#: Rows of daily slots the pattern form offers (the service takes up to 12).
PATTERN_SLOT_ROWS = 4
SHIFT_GONE = _("This shift no longer exists.")
ASSIGNMENT_GONE = _("This assignment no longer exists.")
VOLUNTEER_GONE = _("This volunteer no longer exists.")
BAD_WEEK = _("That week could not be read, so this week is shown.")
#: Where a shift service's error shows on the forms here.
SHIFT_FORM_FIELDS = {"starts_at": "start_date", "ends_at": "end_date"}
PATTERN_FORM_FIELDS = {"slots": "slot_1_start"}


# --- the planner -------------------------------------------------------------------------


@page()
async def shift_planner(request: Request) -> Response:
    station = await station_in_path(request)
    first_day, week_error = _first_day(request, station)
    week = await planner_week(station, first_day=first_day)
    return render(
        request,
        "shifts/planner.html",
        {
            "station": station,
            "campaign": station.campaign,
            "week": week,
            "week_error": week_error,
            "day_names": [format_day_name(day, request.state.language) for day in week.days],
            "role_labels": ROLE_LABELS,
            "today": clock.today_local(),
            "may_change": principal_of(request).can_change
            and station.campaign.status is CampaignStatus.OPEN,
            "closed": station.campaign.status is CampaignStatus.CLOSED,
        },
        status_code=400 if week_error else 200,
    )


def _first_day(request: Request, station: Station) -> tuple[dt.date, str | None]:
    """The planner's first day: ``?from=``, else today while the campaign runs, else its
    first day."""
    raw = request.query_params.get("from", "")
    if raw:
        try:
            return forms.parse_date(raw, "from"), None
        except InvalidInput as error:
            problem = error.translated(request.state.language)
            message = f"{_translate(request, BAD_WEEK)} {problem}"
            return default_first_day(station), message
    return default_first_day(station), None


def _translate(request: Request, msgid: str, **params: object) -> str:
    return translate(msgid, request.state.language, **params)


# --- one shift ---------------------------------------------------------------------------


@page(change=True)
async def shift_new(request: Request) -> Response:
    station = await station_in_path(request, change=True)
    if request.method == "GET":
        day = request.query_params.get("day", "")
        defaults = {
            "start_date": day,
            "end_date": day,
            f"need_{ShiftRole.VOLUNTEER.value}": "1",
        }
        return _shift_form(request, station, None, FormState(defaults, request.state.language))
    state = await read_state(request, field_names=SHIFT_FORM_FIELDS)
    values = _parse_shift(state)
    if state.ok:
        try:
            shift = await create_shift(station, by=principal_of(request).actor, **values)
        except StationsError as error:
            state.refuse(error)
        else:
            flash(request, _("Shift added."))
            return redirect_to(request, "shift_detail", shift_id=shift.id)
    return _shift_form(request, station, None, state)


@page(change=True)
async def shift_edit(request: Request) -> Response:
    people = await _shift_in_path(request, change=True)
    shift, station = people.shift, people.station
    if request.method == "GET":
        state = FormState(_shift_values(shift), request.state.language)
        return _shift_form(request, station, people, state)
    state = await read_state(request, field_names=SHIFT_FORM_FIELDS)
    values = _parse_shift(state)
    if state.ok:
        try:
            await update_shift(shift, by=principal_of(request).actor, **values)
        except StationsError as error:
            state.refuse(error)
        else:
            flash(request, _("Shift saved."))
            return redirect_to(request, "shift_detail", shift_id=shift.id)
    return _shift_form(request, station, people, state)


@page(change=True)
async def shift_cancel(request: Request) -> Response:
    people = await _shift_in_path(request, change=True)
    state = await read_state(request)
    try:
        await cancel_shift(
            people.shift, reason=state.values.get("reason", ""), by=principal_of(request).actor
        )
    except StationsError as error:
        state.refuse(error)
        edit_state = FormState(_shift_values(people.shift), request.state.language)
        edit_state.values["reason"] = state.values.get("reason", "")
        edit_state.errors = {
            _cancel_field(field): message for field, message in state.errors.items()
        }
        edit_state.status_code = state.status_code
        return _shift_form(request, people.station, people, edit_state)
    flash(request, _("Shift cancelled; the volunteers on it are being told."))
    return redirect_to(request, "shift_detail", shift_id=people.shift.id)


def _cancel_field(field: str) -> str:
    # The cancel form has one field, the reason: every error of cancelling belongs to it.
    return "reason" if field in {"reason", "shift", "status", forms.ALL_FIELDS} else field


@page()
async def shift_detail(request: Request) -> Response:
    people = await _shift_in_path(request)
    query = request.query_params.get("q", "")
    state = FormState({"q": query}, request.state.language)
    return await _shift_page(request, people, state)


async def _shift_page(request: Request, people: ShiftPeople, state: FormState) -> Response:
    principal = principal_of(request)
    query = state.values.get("q", "").strip()[:MAX_QUERY_LENGTH]
    candidates = await candidates_for_shift(query, unit_ids=principal.unit_ids) if query else []
    on_shift = {
        a.volunteer_id  # type: ignore[attr-defined]
        for a in people.assignments
        if a.status in ACTIVE_ASSIGNMENT_STATUSES
    }
    short_roles = [role.role for role in people.planned.roles if role.short]
    default_role = (short_roles or [r.role for r in people.planned.roles] or [ShiftRole.VOLUNTEER])[
        0
    ]
    return render(
        request,
        "shifts/detail.html",
        {
            "people": people,
            "shift": people.shift,
            "planned": people.planned,
            "station": people.station,
            "campaign": people.campaign,
            "query": query,
            "candidates": candidates,
            "on_shift": on_shift,
            "role_options": [
                (role.role.value, ROLE_LABELS[role.role]) for role in people.planned.roles
            ],
            "default_role": state.values.get("role") or default_role.value,
            "chosen_volunteer": state.values.get("volunteer_id", ""),
            "may_change": principal.can_change and people.campaign.status is CampaignStatus.OPEN,
            "closed": people.campaign.status is CampaignStatus.CLOSED,
            "role_labels": ROLE_LABELS,
            "status_labels": ASSIGNMENT_STATUS_LABELS,
            "errors": state.errors,
        },
        status_code=state.status_code,
    )


# --- assigning ---------------------------------------------------------------------------


@page(change=True)
async def shift_assign(request: Request) -> Response:
    people = await _shift_in_path(request, change=True)
    state = await read_state(request)
    volunteer_id = state.take(lambda: forms.parse_id(state.text("volunteer_id"), "volunteer"))
    role = state.take(lambda: forms.parse_choice(state.text("role"), "role", ShiftRole))
    if state.ok and volunteer_id is not None and role is not None:
        volunteer = await volunteer_by_id(volunteer_id)
        if volunteer is None:
            raise NotFound(VOLUNTEER_GONE, field="volunteer")
        check_can_view_volunteer(
            principal_of(request), volunteer, missing=NotFound(VOLUNTEER_GONE, field="volunteer")
        )
        try:
            await assign_volunteer(
                people.shift, volunteer, role=role, by=principal_of(request).actor
            )
        except StationsError as error:
            state.refuse(error)
        else:
            flash(request, _("{name} is now on this shift."), name=volunteer.full_name)
            return redirect_to(request, "shift_detail", shift_id=people.shift.id)
    # The page shows the shift as it is now, beside the error and the search as it was.
    fresh = await shift_people(people.shift.id)
    return await _shift_page(request, fresh or people, state)


@page(change=True)
async def assignment_unassign(request: Request) -> Response:
    assignment = await assignment_or_none(path_int(request, "assignment_id"))
    if assignment is None:
        raise NotFound(ASSIGNMENT_GONE, field="assignment")
    check_can_change_station(
        principal_of(request),
        assignment.shift.station,
        missing=NotFound(ASSIGNMENT_GONE, field="assignment"),
    )
    state = await read_state(request)
    try:
        await cancel_assignment(
            assignment, reason=state.values.get("reason", ""), by=principal_of(request).actor
        )
    except StationsError as error:
        state.refuse(error)
        people = await shift_people(assignment.shift_id)  # type: ignore[attr-defined]
        if people is None:
            raise NotFound(SHIFT_GONE, field="shift") from error
        state.values.setdefault("q", "")
        return await _shift_page(request, people, state)
    flash(request, _("{name} is no longer on this shift."), name=assignment.volunteer.full_name)
    return redirect_to(request, "shift_detail", shift_id=assignment.shift_id)  # type: ignore[attr-defined]


# --- a daily pattern ---------------------------------------------------------------------


@page(change=True)
async def shift_pattern(request: Request) -> Response:
    station = await station_in_path(request, change=True)
    if request.method == "GET":
        campaign = station.campaign
        defaults = {
            "start_date": campaign.starts_on.isoformat(),
            "end_date": campaign.ends_on.isoformat(),
            "slot_1_start": "06:00",
            "slot_1_end": "14:00",
            "slot_2_start": "14:00",
            "slot_2_end": "22:00",
            f"need_{ShiftRole.LEAD.value}": "1",
            f"need_{ShiftRole.VOLUNTEER.value}": "3",
        }
        return _pattern_form(request, station, FormState(defaults, request.state.language), None)
    state = await read_state(request, field_names=PATTERN_FORM_FIELDS)
    values = _parse_pattern(state)
    preview: tuple[int, int] | None = None
    if state.ok:
        try:
            if state.text("action") == "create":
                created = await generate_shift_pattern(
                    station, by=principal_of(request).actor, **values
                )
                flash(request, _("Shifts created: {count}."), count=len(created))
                planner = request.url_for("shift_planner", station_id=station.id)
                return RedirectResponse(
                    f"{planner.path}?from={values['start_date'].isoformat()}", status_code=303
                )
            preview = await pattern_preview(
                station,
                first_day=values["start_date"],
                last_day=values["end_date"],
                slots=values["slots"],
            )
        except StationsError as error:
            state.refuse(error)
    return _pattern_form(request, station, state, preview)


def _parse_pattern(state: FormState) -> dict[str, Any]:
    values: dict[str, Any] = {
        "start_date": state.take(lambda: forms.parse_date(state.text("start_date"), "start_date")),
        "end_date": state.take(lambda: forms.parse_date(state.text("end_date"), "end_date")),
    }
    start, end = values["start_date"], values["end_date"]
    if start is not None and end is not None and end < start:
        state.refuse(
            InvalidInput(_("The last day cannot be before the first day."), field="end_date")
        )
    slots = []
    for row in range(1, PATTERN_SLOT_ROWS + 1):
        raw_start, raw_end = state.text(f"slot_{row}_start"), state.text(f"slot_{row}_end")
        if not raw_start and not raw_end:
            continue
        slot_start = state.take(partial(forms.parse_time, raw_start, f"slot_{row}_start"))
        slot_end = state.take(partial(forms.parse_time, raw_end, f"slot_{row}_end"))
        if slot_start is not None and slot_end is not None:
            if slot_start == slot_end:
                state.refuse(
                    InvalidInput(
                        _("A slot must end at a different time than it starts."),
                        field=f"slot_{row}_end",
                    )
                )
            slots.append((slot_start, slot_end))
    if not slots and not any(field.startswith("slot_") for field in state.errors):
        state.refuse(InvalidInput(_("Give at least one time slot."), field="slot_1_start"))
    values["slots"] = slots
    values["needs"] = _parse_needs(state)
    return values


# --- shared ------------------------------------------------------------------------------


async def _shift_in_path(request: Request, *, change: bool = False) -> ShiftPeople:
    """The shift the address names, with its people: 404 when unknown or outside the
    reader's scope alike, 403 when (with ``change``) they may not change its station."""
    people = await shift_people(path_int(request, "shift_id"))
    if people is None:
        raise NotFound(SHIFT_GONE, field="shift")
    check = check_can_change_station if change else check_can_view_station
    check(principal_of(request), people.station, missing=NotFound(SHIFT_GONE, field="shift"))
    return people


def _parse_shift(state: FormState) -> dict[str, Any]:
    starts_at = state.take(
        lambda: forms.parse_local_datetime(
            state.text("start_date"), state.text("start_time"), "start_date"
        )
    )
    ends_at = state.take(
        lambda: forms.parse_local_datetime(
            state.text("end_date") or state.text("start_date"), state.text("end_time"), "ends_at"
        )
    )
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        state.refuse(InvalidInput(_("A shift must end after it starts."), field="ends_at"))
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "needs": _parse_needs(state),
        "note": state.values.get("note", ""),
    }


def _parse_needs(state: FormState) -> dict[str, int]:
    needs: dict[str, int] = {}
    for role in ShiftRole:
        name = f"need_{role.value}"
        raw = state.text(name)
        if not raw:
            continue
        count = state.take(
            partial(forms.parse_int, raw, name, minimum=0, maximum=MAX_NEED_PER_ROLE)
        )
        if count:
            needs[role.value] = count
    if not needs and not any(field.startswith("need_") for field in state.errors):
        state.refuse(
            InvalidInput(
                _("A shift needs at least one person."), field=f"need_{ShiftRole.VOLUNTEER.value}"
            )
        )
    return needs


def _shift_values(shift: Shift) -> dict[str, str]:
    starts, ends = shift.starts_at.astimezone(VN_TZ), shift.ends_at.astimezone(VN_TZ)
    values = {
        "start_date": starts.date().isoformat(),
        "start_time": starts.strftime("%H:%M"),
        "end_date": ends.date().isoformat(),
        "end_time": ends.strftime("%H:%M"),
        "note": shift.note,
    }
    for role, count in (shift.needs or {}).items():
        values[f"need_{role}"] = str(count)
    return values


def _role_fields() -> list[tuple[str, str]]:
    return [(f"need_{role.value}", ROLE_LABELS[role]) for role in ShiftRole]


def _shift_form(
    request: Request, station: Station, people: ShiftPeople | None, state: FormState
) -> Response:
    return render(
        request,
        "shifts/edit.html",
        {
            "station": station,
            "campaign": station.campaign,
            "people": people,
            "role_fields": _role_fields(),
            "max_need": MAX_NEED_PER_ROLE,
            "values": state.values,
            "errors": state.errors,
        },
        status_code=state.status_code,
    )


def _pattern_form(
    request: Request, station: Station, state: FormState, preview: tuple[int, int] | None
) -> Response:
    return render(
        request,
        "shifts/pattern.html",
        {
            "station": station,
            "campaign": station.campaign,
            "role_fields": _role_fields(),
            "max_need": MAX_NEED_PER_ROLE,
            "slot_rows": range(1, PATTERN_SLOT_ROWS + 1),
            "preview": preview,
            "values": state.values,
            "errors": state.errors,
        },
        status_code=state.status_code,
    )


ROUTES: list[BaseRoute] = [
    Route(
        "/stations/{station_id:int}/shifts", shift_planner, methods=["GET"], name="shift_planner"
    ),
    Route(
        "/stations/{station_id:int}/shifts/new",
        shift_new,
        methods=["GET", "POST"],
        name="shift_new",
    ),
    Route(
        "/stations/{station_id:int}/shifts/pattern",
        shift_pattern,
        methods=["GET", "POST"],
        name="shift_pattern",
    ),
    Route("/shifts/{shift_id:int}", shift_detail, methods=["GET"], name="shift_detail"),
    Route("/shifts/{shift_id:int}/edit", shift_edit, methods=["GET", "POST"], name="shift_edit"),
    Route("/shifts/{shift_id:int}/cancel", shift_cancel, methods=["POST"], name="shift_cancel"),
    Route("/shifts/{shift_id:int}/assign", shift_assign, methods=["POST"], name="shift_assign"),
    Route(
        "/assignments/{assignment_id:int}/unassign",
        assignment_unassign,
        methods=["POST"],
        name="assignment_unassign",
    ),
]
