"""The province and ward fields of a form: a province list, and the wards of the province
chosen (or the one a ward implies, or a default). Without JavaScript, choosing another
province and saving shows its wards, with a note to pick one."""

from __future__ import annotations

from typing import Any

from stations.i18n import _, translate
from stations.services import divisions
from stations.web.views._shared import FormState

NO_PLACE = _("— not set —")


def place_options(state: FormState, *, default_province: str | None = None) -> dict[str, Any]:
    """``province_options`` and ``ward_options`` (value, label) for the form's selects."""
    chosen = state.text("province_code")
    ward = divisions.ward(state.text("ward_code").zfill(5)) if state.text("ward_code") else None
    shown = chosen or (ward.province_code if ward else "") or (default_province or "")
    if not chosen and shown and not state.errors:
        state.values["province_code"] = shown
    blank = ("", translate(NO_PLACE, state.language))
    return {
        "province_options": [blank] + [(place.code, place.name) for place in divisions.provinces()],
        "ward_options": [blank]
        + [
            (w.code, w.name)
            for w in (divisions.wards_of(shown) if divisions.province(shown) else [])
        ],
    }
