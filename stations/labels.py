"""Words for the domain's vocabularies, as messages to translate for their reader."""

from __future__ import annotations

from stations.enums import CampaignKind, CampaignStatus, ShiftRole, UserRole
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

USER_ROLE_LABELS: dict[UserRole, Msgid] = {
    UserRole.ADMIN: Msgid(_("administrator")),
    UserRole.COORDINATOR: Msgid(_("coordinator")),
    UserRole.VIEWER: Msgid(_("viewer")),
}
