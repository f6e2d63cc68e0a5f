"""Words for the domain's vocabularies, as messages to translate for their reader."""

from __future__ import annotations

from stations.enums import (
    AssignmentStatus,
    CampaignKind,
    CampaignPhase,
    CampaignStatus,
    DonationKind,
    ExpenseCategory,
    Force,
    MovementKind,
    PartnerKind,
    ServiceKind,
    ShiftRole,
    Source,
    UserRole,
)
from stations.i18n import Msgid, _

ROLE_LABELS: dict[ShiftRole, Msgid] = {
    ShiftRole.LEAD: Msgid(_("station lead")),
    ShiftRole.VOLUNTEER: Msgid(_("volunteer")),
    ShiftRole.MECHANIC: Msgid(_("mechanic")),
    ShiftRole.MEDIC: Msgid(_("medic")),
    ShiftRole.BROADCASTER: Msgid(_("broadcaster")),
}

CAMPAIGN_KIND_LABELS: dict[CampaignKind, Msgid] = {
    CampaignKind.TET: Msgid(_("Tết holiday")),
    CampaignKind.REUNIFICATION: Msgid(_("30/4 – 1/5 holiday")),
    CampaignKind.CUSTOM: Msgid(_("Other occasion")),
}

CAMPAIGN_STATUS_LABELS: dict[CampaignStatus, Msgid] = {
    CampaignStatus.OPEN: Msgid(_("Open")),
    CampaignStatus.CLOSED: Msgid(_("Closed")),
}

CAMPAIGN_PHASE_LABELS: dict[CampaignPhase, Msgid] = {
    CampaignPhase.PLANNING: Msgid(_("Planning")),
    CampaignPhase.RUNNING: Msgid(_("Running")),
    CampaignPhase.FINISHED: Msgid(_("Finished")),
    CampaignPhase.CLOSED: Msgid(_("Closed")),
}

USER_ROLE_LABELS: dict[UserRole, Msgid] = {
    UserRole.ADMIN: Msgid(_("administrator")),
    UserRole.COORDINATOR: Msgid(_("coordinator")),
    UserRole.VIEWER: Msgid(_("viewer")),
}

ASSIGNMENT_STATUS_LABELS: dict[AssignmentStatus, Msgid] = {
    AssignmentStatus.ASSIGNED: Msgid(_("Assigned")),
    AssignmentStatus.CONFIRMED: Msgid(_("Confirmed")),
    AssignmentStatus.CHECKED_IN: Msgid(_("Checked in")),
    AssignmentStatus.CHECKED_OUT: Msgid(_("Checked out")),
    AssignmentStatus.DECLINED: Msgid(_("Declined")),
    AssignmentStatus.CANCELLED: Msgid(_("Cancelled")),
    AssignmentStatus.NO_SHOW: Msgid(_("No-show")),
}

MOVEMENT_KIND_LABELS: dict[MovementKind, Msgid] = {
    MovementKind.RECEIPT: Msgid(_("Receipt")),
    MovementKind.HANDOUT: Msgid(_("Handout")),
    MovementKind.TRANSFER_OUT: Msgid(_("Transfer out")),
    MovementKind.TRANSFER_IN: Msgid(_("Transfer in")),
    MovementKind.COUNT_ADJUSTMENT: Msgid(_("Count")),
    MovementKind.LOSS: Msgid(_("Loss")),
}

SERVICE_KIND_LABELS: dict[ServiceKind, Msgid] = {
    ServiceKind.MOTORBIKE_CHECK: Msgid(_("Motorbike safety checks (vehicles)")),
    ServiceKind.LOUDSPEAKER: Msgid(_("Loudspeaker broadcasting (minutes)")),
    ServiceKind.FIRST_AID: Msgid(_("First aid (people)")),
    ServiceKind.DIRECTIONS: Msgid(_("Directions given (people)")),
    ServiceKind.REPAIR: Msgid(_("Roadside repairs (vehicles)")),
}

#: How a ledger line came in, when no person is named on it.
SOURCE_LABELS: dict[Source, Msgid] = {
    Source.WEB: Msgid(_("Web")),
    Source.BOT: Msgid(_("Telegram bot")),
    Source.API: Msgid(_("API")),
    Source.IMPORT: Msgid(_("Import")),
    Source.SYSTEM: Msgid(_("System")),
}

#: The forces of a provincial report ("cán bộ, chiến sĩ, đoàn viên, hội viên và Nhân dân").
FORCE_LABELS: dict[Force, Msgid] = {
    Force.POLICE: Msgid(_("Police officers")),
    Force.YOUTH_UNION: Msgid(_("Youth Union members")),
    Force.WOMENS_UNION: Msgid(_("Women's Union members")),
    Force.PEOPLE: Msgid(_("Local people")),
    Force.OTHER: Msgid(_("Other")),
}

PARTNER_KIND_LABELS: dict[PartnerKind, Msgid] = {
    PartnerKind.GARAGE: Msgid(_("Motorbike service centre")),
    PartnerKind.SPONSOR: Msgid(_("Sponsor")),
    PartnerKind.MEDIA: Msgid(_("Radio or television")),
    PartnerKind.OTHER: Msgid(_("Other partner")),
}

DONATION_KIND_LABELS: dict[DonationKind, Msgid] = {
    DonationKind.CASH: Msgid(_("Cash")),
    DonationKind.IN_KIND: Msgid(_("In kind")),
}

EXPENSE_CATEGORY_LABELS: dict[ExpenseCategory, Msgid] = {
    ExpenseCategory.TRANSPORT: Msgid(_("Transport")),
    ExpenseCategory.EQUIPMENT: Msgid(_("Equipment (tents, tables, loudspeakers)")),
    ExpenseCategory.PRINTING: Msgid(_("Printing (banners, leaflets)")),
    ExpenseCategory.MEALS: Msgid(_("Meals for people on duty")),
    ExpenseCategory.OTHER: Msgid(_("Other expenses")),
}
