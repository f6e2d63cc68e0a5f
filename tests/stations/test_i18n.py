from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from stations.enums import Language
from stations.i18n import (
    _,
    _catalog,
    gettext,
    ngettext,
    normalize_language,
    translate,
    translate_plural,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("stations", "bot", "scheduler")


def _marked_messages() -> dict[str, str]:
    """Every msgid marked with _() or N_() in our code → where it is."""
    found: dict[str, str] = {}
    for folder in SOURCE_DIRS:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python")],
            keywords={"_": None, "N_": (1, 2)},
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


TEMPLATES_DIR = ROOT / "stations" / "web" / "templates"
_QUOTED = r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
#: ``_("…")`` and the singular of ``ngettext("…", "…", n)`` in a template (a name ending in
#: ``_`` such as ``my_(`` is not the translation function).
_TEMPLATE_CALL = re.compile(r"(?<![\w.])(?:_|ngettext)\(\s*" + _QUOTED)


def _template_messages() -> dict[str, str]:
    """Every literal msgid in a page template → where it is."""
    found: dict[str, str] = {}
    for path in sorted(TEMPLATES_DIR.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        for match in _TEMPLATE_CALL.finditer(source):
            msgid = match.group(1) if match.group(1) is not None else match.group(2)
            line = source.count("\n", 0, match.start()) + 1
            found.setdefault(msgid, f"{path.relative_to(ROOT)}:{line}")
    return found


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_marked_message_has_a_vietnamese_translation():
    vietnamese = _catalog(Language.VI)
    missing = {
        msgid: where for msgid, where in _marked_messages().items() if msgid not in vietnamese
    }

    assert missing == {}


def test_every_message_in_a_template_has_a_vietnamese_translation():
    vietnamese = _catalog(Language.VI)
    missing = {
        msgid: where for msgid, where in _template_messages().items() if msgid not in vietnamese
    }

    assert missing == {}


def test_template_scanner_finds_both_quote_styles_and_ngettext(tmp_path):
    source = """{{ _("Sign in") }} {{ _('Campaigns') }} {{ ngettext("{count} day", "{count} days", n) }}
    {{ my_("not this") }} {{ obj._("nor this") }}"""

    found = [m.group(1) or m.group(2) for m in _TEMPLATE_CALL.finditer(source)]

    assert found == ["Sign in", "Campaigns", "{count} day"]


def test_templates_have_messages_to_check():
    assert "Sign in" in _template_messages()


def test_translations_keep_the_placeholders_of_their_message():
    mismatched = {}
    for msgid, translation in _catalog(Language.VI).items():
        text = translation if isinstance(translation, str) else translation[0]
        if _placeholders(text) != _placeholders(msgid):
            mismatched[msgid] = text

    assert mismatched == {}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("vi", Language.VI),
        ("vi-VN", Language.VI),
        ("en", Language.EN),
        ("en-US", Language.EN),
        ("en_GB", Language.EN),
        ("fr", Language.VI),
        ("", Language.VI),
        (None, Language.VI),
    ],
)
def test_normalize_language_maps_telegram_codes(code, expected):
    assert normalize_language(code) == expected


def test_english_is_the_message_id_itself():
    assert gettext("A message cannot be empty.", "en") == "A message cannot be empty."


def test_vietnamese_translation_is_used_by_default():
    assert gettext("A message cannot be empty.", None) == gettext(
        "A message cannot be empty.", "vi"
    )
    assert gettext("A message cannot be empty.", "vi") != "A message cannot be empty."


def test_translate_fills_placeholders_with_amounts_written_for_the_reader():
    assert translate("A message can be at most {limit} characters.", "en", limit=4096) == (
        "A message can be at most 4,096 characters."
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", "Số lượng phải là số nguyên từ 1 đến 1.000.000."),
        ("en", "Quantity must be a whole number between 1 and 1,000,000."),
    ],
)
def test_error_message_bounds_read_as_each_language_writes_numbers(language, expected):
    message = "Quantity must be a whole number between 1 and {max}."

    assert translate(message, language, min=1, max=1_000_000) == expected


def test_years_ids_and_flags_are_not_amounts():
    message = "Year {year} is out of range: the calendar covers {first} to {last}."

    assert translate(message, "vi", year=2027, first=1900, last=2100) == (
        "Năm 2027 nằm ngoài phạm vi: lịch chỉ tính từ năm 1900 đến năm 2100."
    )
    assert translate("{flag} {id}", "vi", flag=True, id=12345) == "True 12345"


def test_translate_plural_formats_the_count():
    assert translate_plural("{count} volunteer", "{count} volunteers", 1500, "en", count=1500) == (
        "1,500 volunteers"
    )


def test_unknown_message_falls_back_to_english():
    assert translate("No such message {n}", "vi", n=3) == "No such message 3"


def test_ngettext_without_catalog_entry_uses_english_plural_rule():
    assert [ngettext("{n} station", "{n} stations", n, "en") for n in (1, 2)] == [
        "{n} station",
        "{n} stations",
    ]


def test_a_message_parameter_that_is_a_message_is_translated_with_it():
    from stations.i18n import Msgid
    from stations.services.errors import InvalidInput

    error = InvalidInput(_("The role {role} is listed twice."), field="needs", role=Msgid("medic"))

    assert (error.translated("en"), error.translated("vi")) == (
        "The role medic is listed twice.",
        translate("The role {role} is listed twice.", "vi", role=gettext("medic", "vi")),
    )
    assert "nhân viên y tế" in error.translated("vi")
