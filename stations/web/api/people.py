"""Volunteers and their assignments to shifts."""

from __future__ import annotations

from stations.enums import AssignmentStatus, Force, Language, ShiftRole
from stations.services import volunteers
from stations.services.assignments import MAX_REASON_LENGTH, assign_volunteer, cancel_assignment
from stations.services.permissions import (
    check_can_change_station,
    check_can_use_unit,
    check_can_view_station,
    check_can_view_volunteer,
)
from stations.services.queries import api as queries
from stations.web.api.fields import Field, ObjectBody, enum_field, id_field
from stations.web.api.operations import (
    PAGE_PARAMETERS,
    ApiCall,
    Operation,
    Reply,
    body_field_names,
    data_reply,
    many,
    one,
    page_reply,
)
from stations.web.api.planning import CAMPAIGN_FILTER, DAY_FILTERS, STATION_FILTER, day_window
from stations.web.api.resources import ASSIGNMENT, VOLUNTEER

NEW_ASSIGNMENT = ObjectBody(
    "NewAssignment",
    "Put a volunteer on a shift.",
    (
        id_field("shift_id", "The shift.", required=True),
        id_field("volunteer_id", "The volunteer.", required=True),
        enum_field(
            "role",
            ShiftRole,
            "The role on the shift; the shift must need it.",
            default=ShiftRole.VOLUNTEER.value,
        ),
    ),
    example={"shift_id": 1, "volunteer_id": 1, "role": "volunteer"},
)

NEW_VOLUNTEER = ObjectBody(
    "NewVolunteer",
    "A person who will serve; the phone number is their identity (one volunteer each).",
    (
        Field(
            "full_name",
            "string",
            "Full name, as on their ID card.",
            True,
            max_length=volunteers.MAX_NAME_LENGTH,
        ),
        Field(
            "phone",
            "string",
            "Phone number, Vietnamese (0…) or international (+…).",
            True,
            max_length=40,
        ),
        Field(
            "unit_id",
            "integer",
            "The unit they serve with (within the token's scope); none for province-wide tokens only.",
            minimum=1,
            maximum=queries.MAX_ID,
            nullable=True,
        ),
        Field(
            "organisation",
            "string",
            "School, union or company.",
            max_length=volunteers.MAX_ORGANISATION_LENGTH,
            default="",
        ),
        enum_field(
            "force",
            Force,
            "The force a report counts them in: police officers, Youth Union or Women's Union "
            "members, local people, or other.",
            default=Force.OTHER.value,
        ),
        Field(
            "skills",
            "strings",
            "What they can do: first aid, repairs…",
            max_length=volunteers.MAX_SKILL_LENGTH,
            max_items=volunteers.MAX_SKILLS,
            default=[],
        ),
        enum_field("language", Language, "The language the bot speaks to them.", default="vi"),
        Field(
            "notes",
            "string",
            "Notes for coordinators.",
            max_length=volunteers.MAX_NOTES_LENGTH,
            default="",
        ),
    ),
    example={
        "full_name": "Nguyễn Thị Mai",
        "phone": "0912 345 678",
        "unit_id": 1,
        "organisation": "Đoàn Thanh niên xã Tân Phú",
        "force": "youth_union",
        "skills": ["sơ cứu", "sửa xe máy"],
        "language": "vi",
    },
)

CANCELLATION = ObjectBody(
    "AssignmentCancellation",
    "Why the volunteer is taken off the shift (told to them).",
    (
        Field(
            "reason",
            "string",
            "Why, in a few words.",
            max_length=MAX_REASON_LENGTH,
            default="",
        ),
    ),
    example={"reason": "Bận việc gia đình"},
)


async def list_volunteers(call: ApiCall) -> Reply:
    page = await queries.page_volunteers(
        unit_ids=call.principal.unit_ids, after=call.after(), limit=call.limit
    )
    return page_reply(call, VOLUNTEER, page)


async def get_volunteer(call: ApiCall) -> Reply:
    volunteer = await queries.volunteer_by_id(call.path["volunteer_id"])
    check_can_view_volunteer(call.principal, volunteer)
    return data_reply(VOLUNTEER, volunteer)


async def create_volunteer(call: ApiCall) -> Reply:
    body = await call.body()
    with body_field_names({"unit": "unit_id"}):
        check_can_use_unit(call.principal, body["unit_id"])
    with body_field_names({"unit": "unit_id"}):
        volunteer = await volunteers.create_volunteer(
            full_name=body["full_name"],
            phone=body["phone"],
            unit=body["unit_id"],
            organisation=body["organisation"],
            force=body["force"],
            skills=body["skills"],
            language=body["language"],
            notes=body["notes"],
            by=call.principal.actor,
            seen_by=call.principal,
        )
    return data_reply(VOLUNTEER, volunteer, status=201)


async def list_assignments(call: ApiCall) -> Reply:
    status = call.query["status"]
    page = await queries.page_assignments(
        unit_ids=call.principal.unit_ids,
        campaign_id=call.query["campaign_id"],
        station_id=call.query["station_id"],
        shift_id=call.query["shift_id"],
        volunteer_id=call.query["volunteer_id"],
        status=None if status is None else AssignmentStatus(status),
        window=day_window(call),
        after=call.after(),
        limit=call.limit,
    )
    return page_reply(call, ASSIGNMENT, page)


async def get_assignment(call: ApiCall) -> Reply:
    assignment = await queries.assignment_by_id(call.path["assignment_id"])
    check_can_view_station(
        call.principal,
        assignment.shift.station,
        missing=queries.unknown(assignment, field="assignment_id"),
    )
    return data_reply(ASSIGNMENT, assignment)


async def create_assignment(call: ApiCall) -> Reply:
    body = await call.body()
    shift = await queries.shift_by_id(body["shift_id"], field="shift_id")
    check_can_change_station(
        call.principal, shift.station, missing=queries.unknown(shift, field="shift_id")
    )
    volunteer = await queries.volunteer_by_id(body["volunteer_id"], field="volunteer_id")
    check_can_view_volunteer(call.principal, volunteer)
    with body_field_names({"shift": "shift_id", "volunteer": "volunteer_id"}):
        assignment = await assign_volunteer(
            shift, volunteer, role=body["role"], by=call.principal.actor
        )
    return data_reply(ASSIGNMENT, assignment, status=201)


async def cancel(call: ApiCall) -> Reply:
    assignment = await queries.assignment_by_id(call.path["assignment_id"])
    check_can_change_station(
        call.principal,
        assignment.shift.station,
        missing=queries.unknown(assignment, field="assignment_id"),
    )
    body = await call.body()
    cancelled = await cancel_assignment(assignment, reason=body["reason"], by=call.principal.actor)
    return data_reply(ASSIGNMENT, await queries.assignment_by_id(cancelled.id))


OPERATIONS = (
    Operation(
        "GET",
        "/volunteers",
        "listVolunteers",
        "List the volunteers in the token's scope",
        "volunteers",
        list_volunteers,
        (many(VOLUNTEER),),
        query=PAGE_PARAMETERS,
    ),
    Operation(
        "POST",
        "/volunteers",
        "createVolunteer",
        "Register a volunteer",
        "volunteers",
        create_volunteer,
        (one(VOLUNTEER, status=201, description="The new volunteer."),),
        description="Refused with 409 when the phone number already belongs to someone.",
        body=NEW_VOLUNTEER,
        change=True,
    ),
    Operation(
        "GET",
        "/volunteers/{volunteer_id}",
        "getVolunteer",
        "One volunteer",
        "volunteers",
        get_volunteer,
        (one(VOLUNTEER),),
    ),
    Operation(
        "GET",
        "/assignments",
        "listAssignments",
        "List assignments (at stations in the token's scope)",
        "assignments",
        list_assignments,
        (many(ASSIGNMENT),),
        description="With `date`, `from` or `to`: assignments whose shift overlaps those days.",
        query=(
            CAMPAIGN_FILTER,
            STATION_FILTER,
            id_field("shift_id", "Only assignments to this shift."),
            id_field("volunteer_id", "Only assignments of this volunteer."),
            enum_field("status", AssignmentStatus, "Only assignments in this state."),
            *DAY_FILTERS,
            *PAGE_PARAMETERS,
        ),
    ),
    Operation(
        "GET",
        "/assignments/{assignment_id}",
        "getAssignment",
        "One assignment",
        "assignments",
        get_assignment,
        (one(ASSIGNMENT),),
    ),
    Operation(
        "POST",
        "/assignments",
        "createAssignment",
        "Assign a volunteer to a shift",
        "assignments",
        create_assignment,
        (one(ASSIGNMENT, status=201, description="The new assignment."),),
        description="Refused with 409 when the role is full, the volunteer is already on "
        "the shift or on an overlapping one, or the shift is cancelled or over. The volunteer "
        "is told on Telegram.",
        body=NEW_ASSIGNMENT,
        change=True,
        errors=(400, 401, 403, 404),
    ),
    Operation(
        "POST",
        "/assignments/{assignment_id}/cancel",
        "cancelAssignment",
        "Take a volunteer off a shift",
        "assignments",
        cancel,
        (one(ASSIGNMENT, description="The cancelled assignment."),),
        description="Cancelling a cancelled assignment changes nothing. A volunteer who has "
        "checked in can no longer be taken off (409).",
        body=CANCELLATION,
        body_required=False,
        change=True,
    ),
)
