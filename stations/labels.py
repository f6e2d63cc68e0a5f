"""Words for the domain's vocabularies, as messages to translate for their reader."""

from __future__ import annotations

from stations.enums import ShiftRole
from stations.i18n import Msgid, _

ROLE_LABELS: dict[ShiftRole, Msgid] = {
    ShiftRole.LEAD: Msgid(_("station lead")),
    ShiftRole.VOLUNTEER: Msgid(_("volunteer")),
    ShiftRole.MECHANIC: Msgid(_("mechanic")),
    ShiftRole.MEDIC: Msgid(_("medic")),
    ShiftRole.BROADCASTER: Msgid(_("broadcaster")),
}
