"""How a ledger line reads on a page: its kind, who wrote it, its signed quantity."""

from __future__ import annotations

from typing import Any

from stations.enums import Language, MovementKind, Source
from stations.formatting import format_number
from stations.i18n import translate
from stations.labels import MOVEMENT_KIND_LABELS, SOURCE_LABELS


def signed(delta: int, language: Language) -> str:
    return f"+{format_number(delta, language)}" if delta > 0 else format_number(delta, language)


def author(line: Any, language: Language) -> str:
    """Who wrote a line: the person, else how it came in (an API client, an import)."""
    if line.by_user is not None:
        return str(line.by_user.full_name or line.by_user.email)
    if line.by_volunteer is not None:
        return str(line.by_volunteer.full_name)
    return translate(SOURCE_LABELS[Source(line.source)], language)


def line_helpers(language: Language) -> dict[str, Any]:
    """What the pages listing ledger lines use to show one."""
    return {
        "kind_label": lambda kind: translate(MOVEMENT_KIND_LABELS[MovementKind(kind)], language),
        "author": lambda line: author(line, language),
        "signed": lambda delta: signed(delta, language),
        "item_name": lambda item: item.name(language.value),
        "item_unit": lambda item: item.unit_label(language.value),
    }
