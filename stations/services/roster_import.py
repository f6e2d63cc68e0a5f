"""Importing a roster of volunteers from a CSV or XLSX file, as coordinators keep them.

``parse_roster`` reads and checks a file without touching the database, so a page can show
what an import would do; ``import_roster`` writes it, all or nothing. Line numbers are the
ones a spreadsheet shows: the header is usually line 1.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

import openpyxl
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from stations.enums import Force, Language
from stations.i18n import _, translate
from stations.models import Unit, Volunteer
from stations.services.actor import Actor
from stations.services.audit import record_event
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


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    unreadable = _("This file is not a readable Excel (.xlsx) file; it may be damaged.")
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


async def preview_roster(data: bytes, *, filename: str) -> RosterPreview:
    """``parse_roster`` with unit cells checked against the units in the database."""
    units = await _known_units()
    return parse_roster(data, filename=filename, known_units=[(c, n) for _i, c, n in units])


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_row(volunteer: Volunteer, row: RosterRow, unit_id: int | None) -> bool:
    """Bring a known volunteer up to date with a roster row; whether anything changed.

    The roster's name wins; a blank unit, organisation or force cell keeps what we have; skills
    are added to, never removed. The language is the volunteer's own choice and stays.
    """
    changed = False
    if volunteer.full_name != row.full_name:
        volunteer.full_name = row.full_name
        volunteer.search_name = fold(row.full_name)
        changed = True
    if unit_id is not None and volunteer.unit_id != unit_id:  # type: ignore[attr-defined]
        volunteer.unit_id = unit_id  # type: ignore[attr-defined]
        changed = True
    if row.organisation and volunteer.organisation != row.organisation:
        volunteer.organisation = row.organisation
        changed = True
    if row.force is not None and volunteer.force != row.force:
        volunteer.force = Force(row.force)
        changed = True
    skills = _union_skills(volunteer.skills or [], row.skills)
    if skills != list(volunteer.skills or []):
        volunteer.skills = skills
        changed = True
    return changed


async def import_roster(
    data: bytes,
    *,
    filename: str,
    by: Actor,
    only_valid: bool = False,
    unit_ids: Collection[int] | None = None,
) -> ImportResult:
    """Create or update the volunteers of a roster file, in one transaction.

    Volunteers are matched by phone: a known phone updates that volunteer. If any row is
    rejected nothing is written and ``RosterRejected`` lists the rows, unless
    ``only_valid`` asks to import the others. ``unit_ids`` (a unit coordinator's scope;
    None: province-wide) is checked against the volunteers as they are inside the
    transaction: a row outside it (see ``row_outside_scope``) writes nothing and raises
    ``RosterOutsideScope``, whatever a preview showed earlier. Writes one audit event.
    """
    units = await _known_units()
    preview = parse_roster(data, filename=filename, known_units=[(c, n) for _i, c, n in units])
    if preview.rejected and not only_valid:
        raise RosterRejected(preview.rejected, preview.merged_duplicates)
    unit_by_code = {code: uid for uid, code, _name in units}

    created: list[Volunteer] = []
    updated: list[Volunteer] = []
    unchanged = 0
    try:
        async with in_transaction():
            existing: dict[str, Volunteer] = {}
            for phones in _chunks([row.phone for row in preview.rows], BATCH_SIZE):
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
            for row in preview.rows:
                unit_id = unit_by_code.get(row.unit_code) if row.unit_code else None
                known = existing.get(row.phone)
                if known is None:
                    created.append(
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
                elif _apply_row(known, row, unit_id):
                    updated.append(known)
                else:
                    unchanged += 1
            if created:
                await Volunteer.bulk_create(created, batch_size=BATCH_SIZE)
            if updated:
                await Volunteer.bulk_update(
                    updated,
                    fields=[
                        "full_name",
                        "search_name",
                        "unit_id",
                        "organisation",
                        "force",
                        "skills",
                        "updated_at",
                    ],
                    batch_size=BATCH_SIZE,
                )
            await record_event(
                by,
                "volunteers.imported",
                object_type="roster",
                object_id=None,
                data={
                    "filename": PurePath(filename).name[:200],
                    "created": len(created),
                    "updated": len(updated),
                    "unchanged": unchanged,
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
        created=len(created),
        updated=len(updated),
        unchanged=unchanged,
        rejected=preview.rejected,
        merged_duplicates=preview.merged_duplicates,
    )
