"""The summary's sentence on travellers' satisfaction: "… % người dân hài lòng", said only
once enough travellers have answered (``ENOUGH_RESPONSES``), never from a handful."""

from __future__ import annotations

from stations.enums import Language
from stations.formatting import format_number
from stations.i18n import _, translate
from stations.services.queries.report_satisfaction import Satisfaction

SATISFIED = _("{share}% of the people who answered were satisfied ({responses} ratings).")


def satisfaction_sentence(satisfaction: Satisfaction, lang: Language) -> list[str]:
    """The sentence as a list of one, or an empty list without enough answers."""
    if not satisfaction.enough or satisfaction.satisfied_share is None:
        return []
    return [
        translate(
            SATISFIED,
            lang,
            share=format_number(round(satisfaction.satisfied_share * 100), lang),
            responses=format_number(satisfaction.responses, lang),
        )
    ]
