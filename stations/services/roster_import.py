"""Importing a roster of volunteers from a CSV or XLSX file, as coordinators keep them.

``parse_roster`` reads and checks a file without touching the database, so a page can show
what an import would do; ``import_parsed_roster`` writes what it read, all or nothing, and
``import_roster`` does both. Line numbers are the ones a spreadsheet shows: the header is
usually line 1.

An uploaded file is hostile until read: ``preview_roster`` parses in a worker thread, so the
event loop keeps serving everyone else, and an XLSX (a zip of XML parts) is measured from its
zip directory before any part is unpacked (see ``check_xlsx_archive``). A phone that belongs
to a volunteer with another name is a conflict: that row renames nobody unless the importer
chose so for that line (``rename_lines``).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import functools
import io
import json
import re
import threading
import unicodedata
import zipfile
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

import anyio.to_thread
import openpyxl
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations.enums import Force, Language
from stations.i18n import _, translate
from stations.iterables import batched
from stations.models import Unit, Volunteer
from stations.services.actor import Actor
from stations.services.audit import AuditEntry, record_event, record_events
from stations.services.divisions import ward_names
from stations.services.errors import Conflict, ImportRejected, InvalidInput, PermissionDenied
from stations.services.phones import normalize_phone
from stations.services.volunteers import (
    MAX_ORGANISATION_LENGTH,
    MAX_SKILLS,
    clean_force,
    clean_full_name,
    clean_language,
    clean_organisation,
    clean_skills,
)
from stations.text import clean, fold

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILE_MB = MAX_FILE_BYTES // (1024 * 1024)
MAX_ROWS = 20_000
#: A title or a note may stand above the header ("DANH SÁCH TÌNH NGUYỆN VIÊN …").
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 64
#: This many blank lines in a row end the roster.
MAX_BLANK_RUN = 10_000
#: How much of a cell a rejected-row report repeats back.
MAX_RAW_CELL = 200
#: Rows per INSERT/UPDATE statement and per ``IN (…)`` look-up.
BATCH_SIZE = 500
#: Lines read from a sheet, blank ones included: an XLSX row number can jump a million rows
#: in a few bytes, and openpyxl hands back every blank row in between.
MAX_SHEET_LINES = 3 * MAX_ROWS
#: What reading an XLSX may unpack (issue 12: a 206 KB file held one 200 MB cell). The
#: worksheet of a 20,000-row roster unpacks to well under 20 MB; openpyxl holds the whole
#: shared-strings part in memory, so it gets a smaller share.
MAX_XLSX_PARTS = 500
MAX_XLSX_PART_BYTES = 32 * 1024 * 1024
MAX_XLSX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_XLSX_UNPACKED_MB = MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)
#: Deflate packs an ordinary sheet 5 to 30 times; a large part packed far more is a bomb.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
#: Rosters parsed at once; the others wait their turn (each may hold ~100 MB while parsed).
PARALLEL_PARSES = 2

CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls

# Column names as rosters write them, accent-folded, most specific first. Several words
# also match as the start of a longer heading: "Số điện thoại liên hệ".
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": (
        "ho va ten",
        "ho ten",
        "full name",
        "fullname",
        "ten tinh nguyen vien",
        "name",
        "ten",
    ),
    # Some rosters split the name: "Họ và tên đệm" | "Tên".
    "surname": ("ho va ten dem", "ho va chu lot", "ho dem", "ho lot", "ho"),
    "phone": (
        "so dien thoai",
        "sdt",
        "so dt",
        "dien thoai",
        "dien thoai di dong",
        "di dong",
        "phone",
        "phone number",
        "mobile",
        "tel",
    ),
    "unit": ("ma don vi", "don vi", "ten don vi", "unit code", "unit"),
    "organisation": ("to chuc", "co quan", "organisation", "organization", "noi cong tac"),
    "force": ("luc luong", "thanh phan", "force"),
    "skills": ("ky nang", "ki nang", "skills", "skill"),
    "language": ("ngon ngu", "language"),
}

_GIVEN_NAME_HEADINGS = frozenset({"ten", "name"})
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class RosterRow:
    line: int
    full_name: str
    phone: str  # E.164
    unit_code: str | None
    organisation: str
    skills: tuple[str, ...]
    language: str
    #: a ``Force`` value; None when the cell was blank (a known volunteer keeps theirs)
    force: str | None = None


@dataclass(frozen=True)
class RejectedRow:
    """One problem of one line; a line with two problems gives two of these."""

    line: int
    raw: dict[str, str]
    field: str | None
    message: str  # an English msgid with {placeholders}
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def translated(self, language: str | Language | None) -> str:
        return translate(self.message, language, **self.params)


def _rejected_lines(rejected: Iterable[RejectedRow]) -> list[int]:
    return sorted({row.line for row in rejected})


@dataclass(frozen=True)
class RosterPreview:
    rows: list[RosterRow]
    rejected: list[RejectedRow]
    #: (line kept, line merged into it) for each repeated phone number.
    merged_duplicates: list[tuple[int, int]]

    @property
    def rejected_lines(self) -> list[int]:
        return _rejected_lines(self.rejected)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    #: rows left out because their phone belongs to someone with another name
    skipped: int
    rejected: list[RejectedRow]
    merged_duplicates: list[tuple[int, int]]

    @property
    def rejected_lines(self) -> list[int]:
        return _rejected_lines(self.rejected)


class RosterRejected(ImportRejected):
    """The roster had rows with problems and nothing was imported; ``rejected`` says which."""

    def __init__(self, rejected: list[RejectedRow], merged_duplicates: list[tuple[int, int]]):
        lines = _rejected_lines(rejected)
        super().__init__(
            _(
                "{count} rows of the file have problems, so nothing was imported. "
                "Fix them, or choose to import only the valid rows."
            ),
            field="file",
            count=len(lines),
        )
        self.rejected = rejected
        self.merged_duplicates = merged_duplicates


class RosterOutsideScope(PermissionDenied):
    """Rows a unit's coordinator may not import; nothing was imported. ``lines`` says which."""

    def __init__(self, lines: list[int]) -> None:
        super().__init__(
            _(
                "Some rows name a unit outside yours, no unit at all, or a volunteer of another "
                "unit (lines {lines}). Fix them and upload the file again."
            ),
            field="file",
            lines=", ".join(str(line) for line in lines),
        )
        self.lines = lines


def row_outside_scope(
    row_unit_id: int | None, holder: Volunteer | None, unit_ids: Collection[int] | None
) -> bool:
    """Whether a unit's coordinator (``unit_ids``; None: province-wide) may not import a row
    naming ``row_unit_id`` whose phone belongs to ``holder`` (None: a new volunteer).

    A row may put a volunteer only into one of those units, may change only a volunteer
    already in one, and may leave the unit blank only for a volunteer who keeps theirs."""
    if unit_ids is None:
        return False
    row_unit_ok = holder is not None if row_unit_id is None else row_unit_id in unit_ids
    holder_ok = holder is None or holder.unit_id in unit_ids  # type: ignore[attr-defined]
    return not (row_unit_ok and holder_ok)


# --- reading the file into lines of text cells -------------------------------------------


def _file_error(message: str, **params: object) -> InvalidInput:
    return InvalidInput(message, field="file", **params)


def _detect_format(data: bytes, filename: str) -> str:
    extension = PurePath(filename).suffix.lower()
    if extension not in CSV_EXTENSIONS | XLSX_EXTENSIONS and extension != ".xls":
        raise _file_error(_("Upload the roster as a .csv or .xlsx file."))
    # The content decides: people rename files, and Excel saves what it likes.
    if data.startswith(_ZIP_MAGIC):
        return "xlsx"
    if data.startswith(_OLE_MAGIC) or extension == ".xls":
        raise _file_error(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again.")
        )
    if extension in XLSX_EXTENSIONS:
        raise _file_error(_("This file is not a readable Excel (.xlsx) file; it may be damaged."))
    return "csv"


def _decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16, or Windows-1258."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        head = data[:512]
        # UTF-16 without a BOM: every other byte of Latin text is NUL.
        if head[1::2].count(0) > len(head) // 4:
            return data.decode("utf-16-le")
        if head[0::2].count(0) > len(head) // 4:
            return data.decode("utf-16-be")
    except UnicodeDecodeError:
        raise _file_error(_("The file's text could not be read. Save it as “CSV UTF-8”.")) from None
    if b"\x00" in data:
        raise _file_error(_("This is not a text (CSV) file. Upload a .csv or .xlsx file."))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Vietnamese Windows keeps some tone marks as combining characters: NFC joins them.
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        raise _file_error(_("The file's text could not be read. Save it as “CSV UTF-8”.")) from None


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])  # ties keep the earlier: "," then ";"
    return best if counts[best] else ","


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    line = 0
    try:
        for line, cells in enumerate(reader, start=1):
            yield line, cells[:MAX_COLUMNS]
    except csv.Error:
        raise _file_error(
            _("The file cannot be read as CSV after line {line}; check its quotes."), line=line
        ) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        # Excel stores a phone typed as a number as a float: 912345678.0.
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_unpacks_too_large() -> InvalidInput:
    return _file_error(
        _(
            "This Excel file unpacks to more than {max} MB, far more than a roster needs. "
            "Delete unused sheets, rows and columns, or save the roster as CSV."
        ),
        max=MAX_XLSX_UNPACKED_MB,
    )


def check_xlsx_archive(data: bytes) -> None:
    """Refuse an XLSX whose parts would unpack too large, before any part is unpacked.

    The sizes come from the zip directory. A part that claims less than it holds cannot
    cheat: Python's zip reader stops at the size the directory declares (and then fails the
    checksum). Only stored and deflated parts are read: bzip2 and lzma parts could inflate a
    whole read chunk at once, and Excel writes neither.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except Exception:  # a hostile directory fails in many ways (struct, zip, decode errors)
        raise _file_error(
            _("This file is not a readable Excel (.xlsx) file; it may be damaged.")
        ) from None
    if len(parts) > MAX_XLSX_PARTS:
        raise _xlsx_unpacks_too_large()
    total = 0
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _file_error(
                _("This file is not a readable Excel (.xlsx) file; it may be damaged.")
            )
        limit = (
            MAX_XLSX_SHARED_STRINGS_BYTES
            if part.filename.lower().endswith("sharedstrings.xml")
            else MAX_XLSX_PART_BYTES
        )
        total += part.file_size
        if part.file_size > limit or total > MAX_XLSX_UNPACKED_BYTES:
            raise _xlsx_unpacks_too_large()
        if (
            part.file_size >= RATIO_CHECKED_FROM_BYTES
            and part.file_size > MAX_COMPRESSION_RATIO * max(part.compress_size, 1)
        ):
            raise _file_error(
                _(
                    "This Excel file holds far more data than its size shows and was not "
                    "read. Save the roster again from Excel, or as CSV."
                )
            )


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    unreadable = _("This file is not a readable Excel (.xlsx) file; it may be damaged.")
    check_xlsx_archive(data)
    # openpyxl fails on a damaged file in many ways (zip, XML, key and value errors).
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _file_error(unreadable) from None
    try:
        if not workbook.worksheets:
            raise _file_error(unreadable)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        line = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception:
                raise _file_error(unreadable) from None
            line += 1
            yield line, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _read_lines(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank lines as (spreadsheet line number, cells as text)."""
    reader = _xlsx_lines if _detect_format(data, filename) == "xlsx" else _csv_lines
    seen = 0
    blank_run = 0
    for line, cells in reader(data):
        if line > MAX_SHEET_LINES:
            raise _file_error(
                _(
                    "The sheet has more than {max} rows, counting blank ones; a roster needs "
                    "fewer. Delete the unused rows, or split the file."
                ),
                max=MAX_SHEET_LINES,
            )
        if not any(cell.strip() for cell in cells):
            blank_run += 1
            # Sheets formatted down to row 1,048,576 are all blank below the roster:
            # stop instead of walking a million empty rows.
            if blank_run > MAX_BLANK_RUN:
                return
            continue
        blank_run = 0
        seen += 1
        # A safety net against huge sheets before the exact count of volunteer rows.
        if seen > 2 * MAX_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many_rows()
        yield line, cells


def _too_many_rows() -> InvalidInput:
    return _file_error(
        _("A roster can have at most {max} volunteers; split the file."), max=MAX_ROWS
    )


# --- the header ----------------------------------------------------------------------------


def _heading_key(text: str) -> str:
    return _NOT_WORD.sub(" ", fold(text)).strip()


def _match_columns(headings: list[str]) -> dict[str, int]:
    """Column index of each field whose heading the row names."""
    keys = [_heading_key(heading) for heading in headings]
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for name, aliases in COLUMN_ALIASES.items():
        for exact in (True, False):
            found = next(
                (
                    index
                    for alias in aliases
                    for index, key in enumerate(keys)
                    if index not in taken
                    and (
                        key == alias
                        if exact
                        # A longer heading starting with a two-word alias: "Số điện thoại DĐ".
                        else " " in alias and key.startswith(alias + " ")
                    )
                ),
                None,
            )
            if found is not None:
                columns[name] = found
                taken.add(found)
                break
    if "surname" in columns:
        if "full_name" not in columns:
            # "Họ và tên đệm" alone is the name column of a roster that does not split it.
            columns["full_name"] = columns.pop("surname")
        elif keys[columns["full_name"]] not in _GIVEN_NAME_HEADINGS:
            del columns["surname"]  # a whole-name column needs no surname before it
    return columns


def _find_header(
    lines: Iterator[tuple[int, list[str]]],
) -> tuple[int, list[str], dict[str, int]]:
    first: tuple[int, list[str], dict[str, int]] | None = None
    for _attempt, (line, cells) in zip(range(HEADER_SEARCH_ROWS), lines, strict=False):
        columns = _match_columns(cells)
        if "full_name" in columns and "phone" in columns:
            return line, cells, columns
        if first is None:
            first = (line, cells, columns)
    if first is None:
        raise _file_error(_("The file is empty."))
    columns = first[2]
    if "full_name" not in columns:
        raise _file_error(
            _("The file has no name column. Its first row must name the columns, e.g. “Họ và tên”.")
        )
    raise _file_error(
        _(
            "The file has no phone column. Its first row must name the columns, "
            "e.g. “Số điện thoại”."
        )
    )


# --- rows ----------------------------------------------------------------------------------


def _phone_text(cell: str) -> str:
    """A phone cell with the leading 0 Excel drops from a number put back: 912345678."""
    text = cell.strip()
    if _DIGITS.match(text):
        if len(text) == 9 and not text.startswith("0"):
            return "0" + text  # a mobile: 0912 345 678
        if len(text) == 10 and text.startswith("2"):
            return "0" + text  # a landline: 024 3825 1234
    return text


def unit_lookup(units: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Folded unit code or name → the unit's code, from (code, name) pairs.

    Rosters write a unit by its code or by its name; a name two units share is left out.
    """
    pairs = list(units)
    by_code = {fold(code): code for code, _name in pairs}
    by_name: dict[str, str | None] = {}
    for code, name in pairs:
        key = fold(name)
        by_name[key] = None if key in by_name and by_name[key] != code else code
    lookup = {key: code for key, code in by_name.items() if code is not None}
    lookup.update(by_code)  # a code wins over a name that reads the same
    return lookup


@dataclass
class _RowProblems:
    line: int
    raw: dict[str, str]
    found: list[RejectedRow] = dataclasses.field(default_factory=list)

    def add(self, error: InvalidInput, field_name: str) -> None:
        self.found.append(
            RejectedRow(
                line=self.line,
                raw=self.raw,
                field=field_name,
                message=error.message,
                params=dict(error.params),
            )
        )


def _raw_cells(headings: list[str], cells: list[str]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for index, heading in enumerate(headings):
        label = clean(heading)
        if label and label not in raw:
            value = cells[index] if index < len(cells) else ""
            raw[label] = value if len(value) <= MAX_RAW_CELL else value[:MAX_RAW_CELL] + "…"
    return raw


def _check_row(
    line: int,
    values: dict[str, str],
    raw: dict[str, str],
    units: Mapping[str, str] | None,
) -> RosterRow | list[RejectedRow]:
    problems = _RowProblems(line, raw)
    name = values.get("full_name", "")
    if values.get("surname", "").strip():
        name = f"{values['surname']} {name}"
    checked: dict[str, Any] = {}
    checks: list[tuple[str, Any]] = [
        ("full_name", lambda: clean_full_name(name)),
        ("phone", lambda: normalize_phone(_phone_text(values.get("phone", "")))),
        ("organisation", lambda: clean_organisation(values.get("organisation", ""))),
        ("skills", lambda: tuple(clean_skills(values.get("skills", "")))),
        ("language", lambda: clean_language(values.get("language", "").strip() or Language.VI)),
        (
            "force",
            lambda: clean_force(values["force"]) if values.get("force", "").strip() else None,
        ),
    ]
    for field_name, check in checks:
        try:
            checked[field_name] = check()
        except InvalidInput as error:
            problems.add(error, field_name)
    unit_text = clean(values.get("unit", ""))
    unit_code: str | None = None
    if unit_text:
        unit_code = unit_text if units is None else units.get(fold(unit_text))
        if unit_code is None:
            problems.add(
                InvalidInput(
                    _("There is no unit “{unit}”. Write the code or the name of a known unit."),
                    unit=unit_text[:MAX_RAW_CELL],
                ),
                "unit",
            )
    if problems.found:
        return problems.found
    return RosterRow(
        line=line,
        full_name=checked["full_name"],
        phone=checked["phone"],
        unit_code=unit_code,
        organisation=checked["organisation"],
        skills=checked["skills"],
        language=checked["language"].value,
        force=None if checked["force"] is None else checked["force"].value,
    )


def _merge(kept: RosterRow, other: RosterRow) -> RosterRow:
    """The same person twice in a file: the first line's name, what the others add."""
    organisation = kept.organisation
    if other.organisation and fold(other.organisation) not in fold(organisation):
        joined = f"{organisation}; {other.organisation}" if organisation else other.organisation
        if len(joined) <= MAX_ORGANISATION_LENGTH:
            organisation = joined
    return replace(
        kept,
        unit_code=kept.unit_code or other.unit_code,
        force=kept.force or other.force,
        organisation=organisation,
        skills=tuple(_union_skills(kept.skills, other.skills)),
    )


def _union_skills(first: Iterable[str], second: Iterable[str]) -> list[str]:
    skills: list[str] = []
    seen: set[str] = set()
    for skill in (*first, *second):
        if fold(skill) not in seen:
            seen.add(fold(skill))
            skills.append(skill)
    return skills[:MAX_SKILLS]


def parse_roster(
    data: bytes,
    *,
    filename: str,
    known_units: Iterable[tuple[str, str]] | None = None,
) -> RosterPreview:
    """Read and check a roster without touching the database.

    ``known_units`` are (code, name) pairs; without them unit cells are taken as codes
    unchecked (``preview_roster`` supplies them from the database). Raises
    ``InvalidInput`` (field "file") for a file that cannot be read at all.
    """
    if not isinstance(data, bytes | bytearray):
        raise _file_error(_("Upload the roster as a .csv or .xlsx file."))
    data = bytes(data)
    if not isinstance(filename, str) or not filename.strip():
        raise _file_error(_("Upload the roster as a .csv or .xlsx file."))
    if not data:
        raise _file_error(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(
            _("The file is larger than {max} MB; split it into smaller files."), max=MAX_FILE_MB
        )
    units = unit_lookup(known_units) if known_units is not None else None
    lines = _read_lines(data, filename)
    _header_line, headings, columns = _find_header(lines)

    rows: list[RosterRow] = []
    rejected: list[RejectedRow] = []
    merged: list[tuple[int, int]] = []
    index_by_phone: dict[str, int] = {}
    count = 0
    for line, cells in lines:
        values = {
            name: (cells[index] if index < len(cells) else "") for name, index in columns.items()
        }
        if not any(value.strip() for value in values.values()):
            continue  # a numbered but empty line of a template
        count += 1
        if count > MAX_ROWS:
            raise _too_many_rows()
        checked = _check_row(line, values, _raw_cells(headings, cells), units)
        if isinstance(checked, list):
            rejected.extend(checked)
            continue
        at = index_by_phone.get(checked.phone)
        if at is None:
            index_by_phone[checked.phone] = len(rows)
            rows.append(checked)
        else:
            rows[at] = _merge(rows[at], checked)
            merged.append((rows[at].line, checked.line))
    if count == 0:
        raise _file_error(_("The file has a header but no volunteers under it."))
    return RosterPreview(rows=rows, rejected=rejected, merged_duplicates=merged)


# --- writing -------------------------------------------------------------------------------


async def _known_units() -> list[tuple[int, str, str]]:
    return [
        (uid, code, name) for uid, code, name in await Unit.all().values_list("id", "code", "name")
    ]


async def _unit_names() -> list[tuple[str, str]]:
    """(code, name) of every unit, and (code, ward name) for a unit placed in a ward or
    commune, so a roster may name "Công an phường Mỹ Tho" as "Phường Mỹ Tho" or "my tho"
    (a ward two units share is left out by ``unit_lookup``)."""
    rows = await Unit.all().values_list("code", "name", "ward_code")
    names = [(code, name) for code, name, _ward in rows]
    names += [(code, ward) for code, _name, ward_code in rows for ward in ward_names(ward_code)]
    return names


#: Bounds the rosters parsed at once across every event loop of the process.
_parse_slots = threading.BoundedSemaphore(PARALLEL_PARSES)


def _parse_in_a_slot(
    data: bytes, filename: str, known_units: list[tuple[str, str]]
) -> RosterPreview:
    with _parse_slots:
        return parse_roster(data, filename=filename, known_units=known_units)


async def preview_roster(data: bytes, *, filename: str) -> RosterPreview:
    """``parse_roster`` with unit cells checked against the units in the database, run in a
    worker thread: a large or hostile file must not stop the event loop serving others."""
    units = await _unit_names()
    parse = functools.partial(_parse_in_a_slot, data, filename, units)
    return await anyio.to_thread.run_sync(parse)


def names_differ(known: str, row: str) -> bool:
    """Whether a roster name is another person's, not the same name written otherwise
    ("nguyen van an" is "Nguyễn Văn An"; "Huỳnh Ngọc Ánh" is not "Bùi Bích Liên")."""
    return fold(known) != fold(row)


#: The fields a roster row may change, as the audit trail names them.
_AUDITED_FIELDS = ("full_name", "unit_id", "organisation", "force", "skills")
_UPDATED_COLUMNS = [
    "full_name",
    "search_name",
    "unit_id",
    "organisation",
    "force",
    "skills",
    "updated_at",
]


def _apply_row(volunteer: Volunteer, row: RosterRow, unit_id: int | None) -> dict[str, list[Any]]:
    """Bring a known volunteer up to date with a roster row; ``{field: [before, after]}`` of
    what changed.

    The roster's name wins; a blank unit, organisation or force cell keeps what we have; skills
    are added to, never removed. The language is the volunteer's own choice and stays.
    """
    before = {name: getattr(volunteer, name) for name in _AUDITED_FIELDS}
    if volunteer.full_name != row.full_name:
        volunteer.full_name = row.full_name
        volunteer.search_name = fold(row.full_name)
    if unit_id is not None:
        volunteer.unit_id = unit_id  # type: ignore[attr-defined]
    if row.organisation:
        volunteer.organisation = row.organisation
    if row.force is not None and volunteer.force != row.force:
        volunteer.force = Force(row.force)
    volunteer.skills = _union_skills(volunteer.skills or [], row.skills)
    return {
        name: [before[name], getattr(volunteer, name)]
        for name in _AUDITED_FIELDS
        if getattr(volunteer, name) != before[name]
    }


async def import_roster(
    data: bytes,
    *,
    filename: str,
    by: Actor,
    only_valid: bool = False,
    unit_ids: Collection[int] | None = None,
    rename_lines: Collection[int] = (),
) -> ImportResult:
    """Read a roster file (``preview_roster``) and import it (``import_parsed_roster``)."""
    preview = await preview_roster(data, filename=filename)
    return await import_parsed_roster(
        preview,
        filename=filename,
        by=by,
        only_valid=only_valid,
        unit_ids=unit_ids,
        rename_lines=rename_lines,
    )


async def import_parsed_roster(
    preview: RosterPreview,
    *,
    filename: str,
    by: Actor,
    only_valid: bool = False,
    unit_ids: Collection[int] | None = None,
    rename_lines: Collection[int] = (),
) -> ImportResult:
    """Create or update the volunteers of a parsed roster, in one transaction.

    Volunteers are matched by phone: a known phone updates that volunteer. A known phone
    whose volunteer has another name (``names_differ``) is a conflict: the row is skipped
    unless its line is in ``rename_lines`` (the importer chose to update the name). If any
    row is rejected nothing is written and ``RosterRejected`` lists the rows, unless
    ``only_valid`` asks to import the others. ``unit_ids`` (a unit coordinator's scope;
    None: province-wide) is checked against the volunteers as they are inside the
    transaction: a row outside it (see ``row_outside_scope``) writes nothing and raises
    ``RosterOutsideScope``, whatever a preview showed earlier. A unit named by the file
    that no longer exists is a ``Conflict``. Audits the import (``volunteers.imported``)
    and each volunteer it changed (``volunteer.updated``, ``{field: [before, after]}``).
    """
    if preview.rejected and not only_valid:
        raise RosterRejected(preview.rejected, preview.merged_duplicates)
    units = await _known_units()
    unit_by_code = {code: uid for uid, code, _name in units}
    if any(row.unit_code and row.unit_code not in unit_by_code for row in preview.rows):
        raise Conflict(
            _("A unit named in the file no longer exists; nothing was imported. Upload it again."),
            field="file",
        )
    renames = frozenset(rename_lines)

    created = 0
    updated = 0
    changes: list[AuditEntry] = []
    skipped: list[int] = []
    unchanged = 0
    try:
        async with in_transaction() as connection:
            existing: dict[str, Volunteer] = {}
            for phones in batched([row.phone for row in preview.rows], BATCH_SIZE):
                for volunteer in await Volunteer.filter(phone__in=phones):
                    existing[volunteer.phone] = volunteer
            outside = [
                row.line
                for row in preview.rows
                if row_outside_scope(
                    unit_by_code.get(row.unit_code) if row.unit_code else None,
                    existing.get(row.phone),
                    unit_ids,
                )
            ]
            if outside:
                raise RosterOutsideScope(outside)
            # Batch by batch, each written before the next is built: building 20,000
            # models in one go would hold the event loop for a second.
            for rows in batched(preview.rows, BATCH_SIZE):
                new_batch: list[Volunteer] = []
                changed_batch: list[Volunteer] = []
                for row in rows:
                    unit_id = unit_by_code.get(row.unit_code) if row.unit_code else None
                    known = existing.get(row.phone)
                    if known is None:
                        new_batch.append(
                            Volunteer(
                                full_name=row.full_name,
                                search_name=fold(row.full_name),
                                phone=row.phone,
                                unit_id=unit_id,
                                organisation=row.organisation,
                                force=Force(row.force or Force.OTHER),
                                skills=list(row.skills),
                                language=Language(row.language),
                            )
                        )
                        continue
                    if names_differ(known.full_name, row.full_name) and row.line not in renames:
                        skipped.append(row.line)  # never rename someone without being told to
                        continue
                    if pairs := _apply_row(known, row, unit_id):
                        changed_batch.append(known)
                        changes.append(
                            AuditEntry(
                                "volunteer.updated",
                                "volunteer",
                                known.id,
                                {"changed": pairs, "roster_line": row.line},
                            )
                        )
                    else:
                        unchanged += 1
                if new_batch:
                    await Volunteer.bulk_create(new_batch)
                if changed_batch:
                    await Volunteer.bulk_update(changed_batch, fields=_UPDATED_COLUMNS)
                created += len(new_batch)
                updated += len(changed_batch)
            for entries in batched(changes, BATCH_SIZE):
                await record_events(by, entries, connection=connection)
            await record_event(
                by,
                "volunteers.imported",
                object_type="roster",
                object_id=None,
                data={
                    "filename": PurePath(filename).name[:200],
                    "created": created,
                    "updated": updated,
                    "unchanged": unchanged,
                    "skipped_name_conflicts": skipped,
                    "rejected_lines": len(preview.rejected_lines),
                    "merged_duplicates": len(preview.merged_duplicates),
                },
            )
    except IntegrityError:
        # Another writer added one of these phones while we imported; the whole file rolls back.
        raise Conflict(
            _(
                "Volunteers in this file were changed while it was imported; nothing was imported. Try again."
            ),
            field="file",
        ) from None
    return ImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        skipped=len(skipped),
        rejected=preview.rejected,
        merged_duplicates=preview.merged_duplicates,
    )


# --- keeping a parsed roster between preview and confirmation -----------------------------

#: Bumped whenever the shape below changes: an older kept preview is then refused.
_KEPT_VERSION = 3
#: Rejected lines whose cells are kept for showing again; a preview lists no more.
KEPT_RAW_LINES = 500


def dump_preview(preview: RosterPreview) -> bytes:
    """``preview`` as JSON lines, for the confirmation to import without reading the file
    again. Only the first ``KEPT_RAW_LINES`` rejected lines keep the cells they showed.

    One small JSON document per line, not one large one: the JSON codec holds the GIL
    for a whole document, and a 20,000-row document would stall the event loop even when
    encoded in a worker thread."""
    raw_lines = set(preview.rejected_lines[:KEPT_RAW_LINES])
    records: list[list[Any]] = [["v", _KEPT_VERSION]]
    records.extend(
        [
            "r",
            r.line,
            r.full_name,
            r.phone,
            r.unit_code,
            r.organisation,
            list(r.skills),
            r.language,
            r.force,
        ]
        for r in preview.rows
    )
    records.extend(
        ["x", r.line, r.field, r.message, r.params, r.raw if r.line in raw_lines else {}]
        for r in preview.rejected
    )
    records.extend(["m", kept, other] for kept, other in preview.merged_duplicates)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode
    return "\n".join(encode(record) for record in records).encode()


def load_preview(data: bytes) -> RosterPreview | None:
    """What ``dump_preview`` wrote, or None for anything else (an older shape included)."""
    rows: list[RosterRow] = []
    rejected: list[RejectedRow] = []
    merged: list[tuple[int, int]] = []
    try:
        lines = data.decode().split("\n")
        if json.loads(lines[0]) != ["v", _KEPT_VERSION]:
            return None
        for text in lines[1:]:
            kind, *fields = json.loads(text)
            if kind == "r":
                line, name, phone, unit, organisation, skills, language, force = fields
                rows.append(
                    RosterRow(
                        line=int(line),
                        full_name=str(name),
                        phone=str(phone),
                        unit_code=None if unit is None else str(unit),
                        organisation=str(organisation),
                        skills=tuple(str(skill) for skill in skills),
                        language=str(language),
                        force=None if force is None else str(force),
                    )
                )
            elif kind == "x":
                line, field, message, params, raw = fields
                rejected.append(
                    RejectedRow(
                        line=int(line),
                        raw={str(k): str(v) for k, v in raw.items()},
                        field=None if field is None else str(field),
                        message=str(message),
                        params=dict(params),
                    )
                )
            elif kind == "m":
                kept_line, other = fields
                merged.append((int(kept_line), int(other)))
            else:
                return None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None
    return RosterPreview(rows=rows, rejected=rejected, merged_duplicates=merged)
