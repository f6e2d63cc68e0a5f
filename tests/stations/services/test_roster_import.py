"""Roster import: CSV in the encodings Vietnamese offices produce, XLSX, and the report."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile

import openpyxl
import pytest

from stations.enums import Force, Language
from stations.models import AuditEvent, Volunteer
from stations.services.actor import Actor
from stations.services.errors import Conflict, ImportRejected, InvalidInput
from stations.services.roster_import import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    RejectedRow,
    RosterOutsideScope,
    RosterRejected,
    RosterRow,
    dump_preview,
    import_parsed_roster,
    import_roster,
    load_preview,
    parse_roster,
    preview_roster,
)
from tests.factories import make_unit, make_volunteer

COORDINATOR = Actor.user(1, "dieuphoi@congan.dongthap.gov.vn")
HEADER = ["STT", "Họ và tên", "Số điện thoại", "Mã đơn vị", "Tổ chức", "Kỹ năng", "Ngôn ngữ"]
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _text(rows: list[list[object]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _windows_1258(text: str) -> bytes:
    """Text as Vietnamese Windows stores it: shaped letters whole, tone marks combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append(base + "".join(c for c in parts if c in TONE_MARKS))
    return "".join(out).encode("cp1258")


def _csv(rows: list[list[object]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    text = _text(rows, delimiter)
    if encoding == "cp1258":
        return _windows_1258(text)
    return text.encode(encoding)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row(n: int, name: str, phone: object, unit="", org="", skills="", language=""):
    return [n, name, phone, unit, org, skills, language]


def _parse_csv(rows, **options) -> object:
    return parse_roster(_csv([HEADER, *rows]), filename="danh-sach.csv", **options)


# --- reading CSV ----------------------------------------------------------------------------


@pytest.mark.unit
def test_parse_roster_reads_a_plain_csv():
    preview = _parse_csv([_row(1, "Nguyễn Văn An", "0912 345 678", "", "Đoàn TN", "sơ cứu, loa")])

    assert preview.rows == [
        RosterRow(
            line=2,
            full_name="Nguyễn Văn An",
            phone="+84912345678",
            unit_code=None,
            organisation="Đoàn TN",
            skills=("sơ cứu", "loa"),
            language="vi",
        )
    ]
    assert (preview.rejected, preview.merged_duplicates) == ([], [])


@pytest.mark.unit
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1258"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_parse_roster_reads_csv_in_every_common_encoding_and_delimiter(encoding, delimiter):
    rows = [
        HEADER,
        _row(1, "Nguyễn Văn An", "0912.345.678", skills="Sơ cứu"),
        _row(2, "Đặng Thị Hồng Nhung", "+84 987 654 321", org="Hội Phụ nữ xã Tân Hộ Cơ"),
    ]
    data = _csv(rows, encoding=encoding, delimiter=delimiter)

    preview = parse_roster(data, filename="roster.csv")

    assert [(r.full_name, r.phone, r.organisation, r.skills) for r in preview.rows] == [
        ("Nguyễn Văn An", "+84912345678", "", ("Sơ cứu",)),
        ("Đặng Thị Hồng Nhung", "+84987654321", "Hội Phụ nữ xã Tân Hộ Cơ", ()),
    ]
    assert preview.rejected == []


@pytest.mark.unit
def test_parse_roster_keeps_windows_1258_names_precomposed():
    data = _csv([HEADER, _row(1, "Trần Thị Thuỷ", "0912345678")], encoding="cp1258")

    preview = parse_roster(data, filename="roster.csv")

    assert preview.rows[0].full_name == unicodedata.normalize("NFC", "Trần Thị Thuỷ")


@pytest.mark.unit
def test_parse_roster_matches_vietnamese_header_aliases_without_caring_for_case_or_accents():
    header = ["SDT", "HO TEN", "Don vi", "Cơ quan", "KĨ NĂNG", "Ngôn ngữ (vi/en)", "Ghi chú"]
    data = _csv(
        [header, ["0912345678", "Lê Văn Cường", "", "Garage Minh Phát", "sửa xe", "English", "x"]]
    )

    preview = parse_roster(data, filename="roster.csv")

    assert preview.rows == [
        RosterRow(
            line=2,
            full_name="Lê Văn Cường",
            phone="+84912345678",
            unit_code=None,
            organisation="Garage Minh Phát",
            skills=("sửa xe",),
            language="en",
        )
    ]


@pytest.mark.unit
def test_parse_roster_matches_english_headers():
    data = _csv(
        [
            ["Full name", "Mobile", "Unit", "Organization", "Skills", "Language"],
            ["Anna Schmidt", "+49 1512 3456789", "", "", "first aid", "en"],
        ]
    )

    preview = parse_roster(data, filename="roster.csv")

    assert [(r.full_name, r.phone, r.language) for r in preview.rows] == [
        ("Anna Schmidt", "+4915123456789", "en")
    ]


@pytest.mark.unit
def test_parse_roster_finds_the_header_below_a_title_and_keeps_spreadsheet_line_numbers():
    rows = [
        ["DANH SÁCH TÌNH NGUYỆN VIÊN TRẠM DỪNG CHÂN TẾT 2027"],
        [],
        ["STT", "Họ và tên", "SĐT"],
        [1, "Nguyễn Văn An", "0912345678"],
        [],
        [2, "Trần Thị Bình", "0168 912 3456"],
    ]

    preview = parse_roster(_csv(rows), filename="roster.csv")

    assert ([r.line for r in preview.rows], preview.rejected_lines) == ([4], [6])


@pytest.mark.unit
def test_parse_roster_joins_a_name_split_into_surname_and_given_name():
    data = _csv(
        [["STT", "Họ và tên đệm", "Tên", "Số điện thoại"], [1, "Nguyễn Văn", "An", "0912345678"]]
    )

    preview = parse_roster(data, filename="roster.csv")

    assert preview.rows[0].full_name == "Nguyễn Văn An"


@pytest.mark.unit
def test_parse_roster_skips_empty_and_numbered_but_blank_template_rows():
    rows = [_row(1, "Nguyễn Văn An", "0912345678"), ["", "", "", "", "", "", ""], [3], [4], []]

    preview = _parse_csv(rows)

    assert ([r.line for r in preview.rows], preview.rejected) == ([2], [])


# --- reading XLSX ---------------------------------------------------------------------------


@pytest.mark.unit
def test_parse_roster_restores_the_leading_zero_excel_drops_from_numeric_phones():
    rows = [
        HEADER,
        _row(1, "Nguyễn Văn An", 912345678),
        _row(2, "Trần Thị Bình", 987654321.0),
        _row(3, "Lê Văn Cường", 2438251234),  # a landline, 024 3825 1234
        _row(4, "Phạm Thị Dung", 84841234567),  # written with the country code
        _row(5, "Võ Văn Em", 841234567),  # 084 123 4567
    ]

    preview = parse_roster(_xlsx(rows), filename="roster.xlsx")

    assert [r.phone for r in preview.rows] == [
        "+84912345678",
        "+84987654321",
        "+842438251234",
        "+84841234567",
    ]
    assert preview.merged_duplicates == [(5, 6)]  # the last two are one number


@pytest.mark.unit
def test_parse_roster_normalises_xlsx_names_to_composed_form():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")

    preview = parse_roster(_xlsx([HEADER, _row(1, decomposed, "0912345678")]), filename="r.xlsx")

    assert preview.rows[0].full_name == unicodedata.normalize("NFC", "Nguyễn Thị Ánh")


@pytest.mark.unit
def test_parse_roster_reads_xlsx_content_even_when_named_csv():
    data = _xlsx([HEADER, _row(1, "Nguyễn Văn An", 912345678)])

    preview = parse_roster(data, filename="export.csv")

    assert [r.phone for r in preview.rows] == ["+84912345678"]


@pytest.mark.unit
def test_parse_roster_stops_at_a_long_run_of_blank_rows():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [HEADER, _row(1, "Nguyễn Văn An", 912345678)]:
        sheet.append(row)
    sheet.cell(row=900_000, column=2, value="ghi chú lạc")
    out = io.BytesIO()
    workbook.save(out)

    preview = parse_roster(out.getvalue(), filename="roster.xlsx")

    assert ([r.line for r in preview.rows], preview.rejected) == ([2], [])


@pytest.mark.unit
def test_parse_roster_refuses_an_xlsx_whose_sheet_is_damaged():
    source = io.BytesIO(_xlsx([HEADER, _row(1, "Nguyễn Văn An", 912345678)]))
    damaged = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(damaged, "w") as copy:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            copy.writestr(item, content)

    with pytest.raises(InvalidInput) as caught:
        parse_roster(damaged.getvalue(), filename="roster.xlsx")

    assert caught.value.field == "file"


@pytest.mark.unit
def test_parse_roster_reads_a_unit_given_by_its_name_column():
    data = _csv(
        [
            ["Họ và tên", "SĐT", "Tên đơn vị"],
            ["Nguyễn Văn An", "0912345678", "Công an xã Thường Thới"],
        ]
    )

    preview = parse_roster(
        data, filename="r.csv", known_units=[("CAX-TT", "Công an xã Thường Thới")]
    )

    assert [r.unit_code for r in preview.rows] == ["CAX-TT"]


@pytest.mark.unit
def test_parse_roster_does_not_prefix_a_whole_name_with_a_surname_column():
    data = _csv([["Họ", "Họ và tên", "SĐT"], ["Nguyễn", "Nguyễn Văn An", "0912345678"]])

    preview = parse_roster(data, filename="r.csv")

    assert [r.full_name for r in preview.rows] == ["Nguyễn Văn An"]


# --- the report of rejected rows ------------------------------------------------------------


@pytest.mark.unit
def test_parse_roster_reports_each_rejected_row_with_its_line_field_and_reason():
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678"),
        _row(2, "Trần Thị Bình", "0168 912 3456"),
        _row(3, "", "0987654321"),
        _row(4, "Lê Văn Cường", "0321234567", language="Français"),
    ]

    preview = _parse_csv(rows)

    assert [(r.line, r.field, r.params) for r in preview.rejected] == [
        (3, "phone", {"value": "0168 912 3456"}),
        (4, "full_name", {"min": 2, "max": 200}),
        (5, "language", {}),
    ]
    assert preview.rejected[0].raw == {
        "STT": "2",
        "Họ và tên": "Trần Thị Bình",
        "Số điện thoại": "0168 912 3456",
        "Mã đơn vị": "",
        "Tổ chức": "",
        "Kỹ năng": "",
        "Ngôn ngữ": "",
    }
    assert [r.translated("vi") for r in preview.rejected[1:]] == [
        "Họ tên phải có từ 2 đến 200 ký tự, trong đó có chữ cái.",
        "Ngôn ngữ phải là tiếng Việt (vi) hoặc tiếng Anh (en).",
    ]
    assert [r.line for r in preview.rows] == [2]


@pytest.mark.unit
def test_parse_roster_reports_every_problem_of_a_row():
    preview = _parse_csv([_row(1, "X", "123", skills=",".join(str(n) for n in range(25)))])

    assert ([r.field for r in preview.rejected], preview.rejected_lines) == (
        ["full_name", "phone", "skills"],
        [2],
    )


@pytest.mark.unit
def test_rejected_row_translates_to_english_too():
    row = RejectedRow(
        line=7,
        raw={},
        field="unit",
        message="There is no unit “{unit}”. Write the code or the name of a known unit.",
        params={"unit": "CAX-99"},
    )

    assert row.translated(Language.EN) == (
        "There is no unit “CAX-99”. Write the code or the name of a known unit."
    )


@pytest.mark.unit
def test_parse_roster_checks_units_by_code_or_name_when_it_knows_them():
    known = [("CAX-TT", "Công an xã Thường Thới"), ("DTN-HN", "Đoàn Thanh niên Hồng Ngự")]
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678", unit="cax-tt"),
        _row(2, "Trần Thị Bình", "0987654321", unit="Doan thanh nien hong ngu"),
        _row(3, "Lê Văn Cường", "0321234567", unit="CAX-99"),
    ]

    preview = _parse_csv(rows, known_units=known)

    assert [r.unit_code for r in preview.rows] == ["CAX-TT", "DTN-HN"]
    assert [(r.line, r.field, r.params) for r in preview.rejected] == [
        (4, "unit", {"unit": "CAX-99"})
    ]


@pytest.mark.unit
def test_parse_roster_merges_repeated_phones_keeping_the_first_name():
    rows = [
        _row(1, "Nguyễn Văn An", "0912 345 678", org="Đoàn TN", skills="sơ cứu"),
        _row(2, "Trần Thị Bình", "0987654321"),
        _row(3, "Nguyen Van An", "+84912345678", unit="", org="Hội CCB", skills="Sơ cứu, loa"),
    ]

    preview = _parse_csv(rows)

    assert preview.rows[0] == RosterRow(
        line=2,
        full_name="Nguyễn Văn An",
        phone="+84912345678",
        unit_code=None,
        organisation="Đoàn TN; Hội CCB",
        skills=("sơ cứu", "loa"),
        language="vi",
    )
    assert (len(preview.rows), preview.merged_duplicates) == (2, [(2, 4)])


# --- files we cannot read -------------------------------------------------------------------


@pytest.mark.unit
@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"", "roster.csv"),
        (b"PK\x03\x04 this is not really a zip", "roster.xlsx"),
        (b"Ho va ten,So dien thoai\n", "roster.xlsx"),  # text named .xlsx
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "roster.xls"),
        (b"%PDF-1.4 ...", "roster.pdf"),
        (b"Ho va ten,So dien thoai\n", "roster"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "roster.csv"),
        (b"Ho va ten,Ghi chu\nNguyen Van An,x\n", "roster.csv"),  # no phone column
        (b"So dien thoai,Ghi chu\n0912345678,x\n", "roster.csv"),  # no name column
        (b"Ho va ten,So dien thoai\n", "roster.csv"),  # a header and nothing under it
        (b"\n\n\n", "roster.csv"),
    ],
)
def test_parse_roster_refuses_a_file_it_cannot_read(data, filename):
    with pytest.raises(InvalidInput) as caught:
        parse_roster(data, filename=filename)

    assert caught.value.field == "file"


@pytest.mark.unit
def test_parse_roster_names_the_missing_phone_column():
    with pytest.raises(InvalidInput) as caught:
        parse_roster(b"Ho va ten,Ghi chu\nNguyen Van An,x\n", filename="roster.csv")

    assert caught.value.translated("vi") == (
        "Tệp không có cột số điện thoại. Dòng đầu tiên phải ghi tên các cột, ví dụ “Số điện thoại”."
    )


@pytest.mark.unit
def test_parse_roster_refuses_a_file_over_5_mb():
    data = _csv([HEADER]) + b"," * (MAX_FILE_BYTES)

    with pytest.raises(InvalidInput) as caught:
        parse_roster(data, filename="roster.csv")

    assert (caught.value.field, caught.value.params) == ("file", {"max": 5})


@pytest.mark.unit
def test_parse_roster_refuses_more_than_20000_rows():
    rows = [["Họ và tên", "SĐT"]] + [[f"Người {n}", f"09{n:08d}"] for n in range(MAX_ROWS + 1)]

    with pytest.raises(InvalidInput) as caught:
        parse_roster(_csv(rows), filename="roster.csv")

    assert (caught.value.field, caught.value.params) == ("file", {"max": MAX_ROWS})


# --- import_roster --------------------------------------------------------------------------


async def test_import_roster_creates_volunteers_with_their_units_and_one_audit_event(db):
    unit = await make_unit(code="CAX-TT", name="Công an xã Thường Thới")
    rows = [
        _row(1, "Nguyễn Văn An", "0912 345 678", "CAX-TT", "", "sơ cứu"),
        _row(2, "Trần Thị Bình", "0987654321", "", "Hội Phụ nữ", "", "en"),
    ]

    result = await import_roster(_csv([HEADER, *rows]), filename="tet-2027.csv", by=COORDINATOR)

    assert (result.created, result.updated, result.unchanged, result.rejected) == (2, 0, 0, [])
    stored = (
        await Volunteer.all()
        .order_by("phone")
        .values_list(
            "full_name", "search_name", "phone", "unit_id", "organisation", "skills", "language"
        )
    )
    assert stored == [
        ("Nguyễn Văn An", "nguyen van an", "+84912345678", unit.id, "", ["sơ cứu"], Language.VI),
        ("Trần Thị Bình", "tran thi binh", "+84987654321", None, "Hội Phụ nữ", [], Language.EN),
    ]
    events = await AuditEvent.all().values_list("action", "data")
    assert events == [
        (
            "volunteers.imported",
            {
                "filename": "tet-2027.csv",
                "created": 2,
                "updated": 0,
                "unchanged": 0,
                "skipped_name_conflicts": [],
                "rejected_lines": 0,
                "merged_duplicates": 0,
            },
        )
    ]


async def test_import_roster_with_a_bad_row_imports_nothing_and_lists_the_rows(db):
    rows = [_row(1, "Nguyễn Văn An", "0912345678"), _row(2, "Trần Thị Bình", "0168 912 3456")]

    with pytest.raises(ImportRejected) as caught:
        await import_roster(_csv([HEADER, *rows]), filename="r.csv", by=COORDINATOR)

    error = caught.value
    assert isinstance(error, RosterRejected)
    assert (error.field, error.params) == ("file", {"count": 1})
    assert [(r.line, r.field) for r in error.rejected] == [(3, "phone")]
    assert error.translated("vi") == (
        "Có 1 dòng trong tệp bị lỗi nên chưa nhập gì. Vui lòng sửa các dòng đó, hoặc "
        "chọn chỉ nhập các dòng hợp lệ."
    )
    assert await Volunteer.all().count() == 0
    assert await AuditEvent.all().count() == 0


async def test_import_roster_only_valid_imports_the_good_rows_and_returns_the_bad(db):
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678"),
        _row(2, "Trần Thị Bình", "0168 912 3456"),
        _row(3, "Lê Văn Cường", "0321234567", unit="KHONG-CO"),
    ]

    result = await import_roster(
        _csv([HEADER, *rows]), filename="r.csv", by=COORDINATOR, only_valid=True
    )

    assert (result.created, result.rejected_lines) == (1, [3, 4])
    assert await Volunteer.all().values_list("full_name", flat=True) == ["Nguyễn Văn An"]


async def test_import_roster_updates_known_phones_and_counts_the_unchanged(db):
    unit = await make_unit(code="DTN-HN", name="Đoàn Thanh niên Hồng Ngự")
    changed = await make_volunteer(
        full_name="Nguyen Van An",
        phone="+84912345678",
        organisation="Cũ",
        skills=["loa"],
        language=Language.EN,
    )
    same = await make_volunteer(full_name="Trần Thị Bình", phone="+84987654321")
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678", "DTN-HN", "Đoàn TN", "sơ cứu", "vi"),
        _row(2, "Trần Thị Bình", "0987 654 321"),
    ]

    result = await import_roster(_csv([HEADER, *rows]), filename="r.csv", by=COORDINATOR)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    stored = await Volunteer.get(id=changed.id)
    assert (
        stored.full_name,
        stored.search_name,
        stored.unit_id,
        stored.organisation,
        stored.skills,
        stored.language,
    ) == ("Nguyễn Văn An", "nguyen van an", unit.id, "Đoàn TN", ["loa", "sơ cứu"], Language.EN)
    assert (await Volunteer.get(id=same.id)).full_name == "Trần Thị Bình"


async def test_import_roster_merges_repeated_phones_into_one_volunteer(db):
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678", skills="sơ cứu"),
        _row(2, "Nguyễn Văn An", "+84 912 345 678", skills="loa"),
    ]

    result = await import_roster(_csv([HEADER, *rows]), filename="r.csv", by=COORDINATOR)

    assert (result.created, result.merged_duplicates) == (1, [(2, 3)])
    assert await Volunteer.all().values_list("skills", flat=True) == [["sơ cứu", "loa"]]


async def test_import_roster_of_a_corrupt_file_writes_nothing(db):
    with pytest.raises(InvalidInput) as caught:
        await import_roster(b"PK\x03\x04garbage", filename="r.xlsx", by=COORDINATOR)

    assert caught.value.field == "file"
    assert await AuditEvent.all().count() == 0


async def test_preview_roster_checks_units_against_the_database(db):
    await make_unit(code="CAX-TT", name="Công an xã Thường Thới")
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678", "CAX-TT"),
        _row(2, "Trần Thị Bình", "0987654321", "X"),
    ]

    preview = await preview_roster(_csv([HEADER, *rows]), filename="r.csv")

    assert ([r.unit_code for r in preview.rows], preview.rejected_lines) == (["CAX-TT"], [3])
    assert await Volunteer.all().count() == 0


async def test_import_roster_of_5000_rows_creates_then_updates_in_bulk(db):
    await make_unit(code="CAX-TT", name="Công an xã Thường Thới")
    rows = [
        [n, f"Nguyễn Văn Tình Nguyện {n}", f"09{n:08d}", "CAX-TT", "Đoàn TN", "sơ cứu"]
        for n in range(1, 5001)
    ]
    header = HEADER[:6]
    first = await import_roster(_xlsx([header, *rows]), filename="big.xlsx", by=COORDINATOR)
    for row in rows[::2]:
        row[1] = row[1].upper()  # the same name, written otherwise: a plain update
        row[5] = "sơ cứu, lái xe"

    second = await import_roster(_csv([header, *rows]), filename="big.csv", by=COORDINATOR)

    assert (first.created, first.updated, first.unchanged) == (5000, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 2500, 2500)
    assert await Volunteer.filter(full_name__startswith="NGUYỄN VĂN").count() == 2500
    assert await AuditEvent.filter(action="volunteer.updated").count() == 2500
    assert await Volunteer.filter(unit__code="CAX-TT").count() == 5000


async def test_import_roster_in_a_scope_refuses_rows_outside_it_and_writes_nothing(db):
    mine = await make_unit(code="MINE", name="Công an phường Mỹ Phú")
    other = await make_unit(code="OTHER", name="Công an xã Tân Thuận")
    await make_volunteer(full_name="Lê Văn Cường", phone="+84911111111", unit=other)
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678", "MINE"),  # new, into my unit: fine
        _row(2, "Trần Thị Bình", "0987654321", "OTHER"),  # new, into another unit
        _row(3, "Lê Văn Cường Mới", "0911111111", "MINE"),  # takes another unit's volunteer
        _row(4, "Đào Thị Dung", "0933333333"),  # new, with no unit
    ]

    with pytest.raises(RosterOutsideScope) as caught:
        await import_roster(
            _csv([HEADER, *rows]), filename="r.csv", by=COORDINATOR, unit_ids={mine.id}
        )

    assert (caught.value.lines, caught.value.http_status) == ([3, 4, 5], 403)
    assert "(lines 3, 4, 5)" in caught.value.translated("en")
    assert await Volunteer.all().values_list("full_name", "unit_id") == [("Lê Văn Cường", other.id)]
    assert await AuditEvent.all().count() == 0


async def test_import_roster_in_a_scope_updates_its_own_volunteers_and_keeps_their_unit(db):
    mine = await make_unit(code="MINE", name="Công an phường Mỹ Phú")
    kept = await make_volunteer(full_name="Nguyen Van An", phone="+84912345678", unit=mine)
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678"),  # a blank unit keeps theirs
        _row(2, "Trần Thị Bình", "0987654321", "MINE"),
    ]

    result = await import_roster(
        _csv([HEADER, *rows]), filename="r.csv", by=COORDINATOR, unit_ids=frozenset({mine.id})
    )

    assert (result.created, result.updated) == (1, 1)
    assert await Volunteer.all().order_by("id").values_list("full_name", "unit_id") == [
        ("Nguyễn Văn An", mine.id),
        ("Trần Thị Bình", mine.id),
    ]
    assert (await Volunteer.get(id=kept.id)).unit_id == mine.id


async def test_import_roster_province_wide_takes_any_unit_and_no_unit(db):
    await make_unit(code="MINE", name="Công an phường Mỹ Phú")
    other = await make_unit(code="OTHER", name="Công an xã Tân Thuận")
    await make_volunteer(full_name="Lê Văn Cường", phone="+84911111111", unit=other)
    rows = [
        _row(1, "Lê Văn Cường", "0911111111", "MINE"),
        _row(2, "Đào Thị Dung", "0933333333"),
    ]

    result = await import_roster(
        _csv([HEADER, *rows]), filename="r.csv", by=COORDINATOR, unit_ids=None
    )

    assert (result.created, result.updated) == (1, 1)


# --- a phone that belongs to someone with another name (issue 12) ---------------------------

CONFLICT_ROW = _row(1, "Huỳnh Ngọc Ánh", "0983 681 802", org="Hội Phụ nữ")


async def test_import_roster_skips_a_phone_of_someone_with_another_name_by_default(db):
    lien = await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802")

    result = await import_roster(_csv([HEADER, CONFLICT_ROW]), filename="r.csv", by=COORDINATOR)

    assert (result.created, result.updated, result.unchanged, result.skipped) == (0, 0, 0, 1)
    await lien.refresh_from_db()
    assert (lien.full_name, lien.organisation) == ("Bùi Bích Liên", "")
    event = await AuditEvent.get(action="volunteers.imported")
    assert event.data["skipped_name_conflicts"] == [2]
    assert await AuditEvent.filter(action="volunteer.updated").count() == 0


async def test_import_roster_renames_on_the_lines_chosen_and_audits_before_and_after(db):
    lien = await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802")

    result = await import_roster(
        _csv([HEADER, CONFLICT_ROW]), filename="r.csv", by=COORDINATOR, rename_lines={2}
    )

    assert (result.updated, result.skipped) == (1, 0)
    await lien.refresh_from_db()
    assert (lien.full_name, lien.search_name) == ("Huỳnh Ngọc Ánh", "huynh ngoc anh")
    event = await AuditEvent.get(action="volunteer.updated")
    assert (event.object_type, event.object_id, event.actor_label) == (
        "volunteer",
        lien.id,
        COORDINATOR.label,
    )
    assert event.data == {
        "changed": {
            "full_name": ["Bùi Bích Liên", "Huỳnh Ngọc Ánh"],
            "organisation": ["", "Hội Phụ nữ"],
        },
        "roster_line": 2,
    }


async def test_import_roster_updates_the_same_name_written_without_accents_or_in_capitals(db):
    an = await make_volunteer(full_name="NGUYEN VAN AN", phone="+84912345678")
    binh = await make_volunteer(full_name="Trần Thị Bình", phone="+84987654321", skills=["lái xe"])
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678"),
        _row(2, "trần  thị bình", "0987654321", skills="sơ cứu"),
    ]

    result = await import_roster(_csv([HEADER, *rows]), filename="r.csv", by=COORDINATOR)

    assert (result.updated, result.skipped) == (2, 0)
    await an.refresh_from_db()
    await binh.refresh_from_db()
    assert (an.full_name, binh.full_name, binh.skills) == (
        "Nguyễn Văn An",
        "trần thị bình",
        ["lái xe", "sơ cứu"],
    )
    changes = sorted(
        [e.object_id, e.data["changed"]]
        for e in await AuditEvent.filter(action="volunteer.updated")
    )
    assert changes == [
        [an.id, {"full_name": ["NGUYEN VAN AN", "Nguyễn Văn An"]}],
        [
            binh.id,
            {
                "full_name": ["Trần Thị Bình", "trần thị bình"],
                "skills": [["lái xe"], ["lái xe", "sơ cứu"]],
            },
        ],
    ]


async def test_import_roster_skips_a_row_that_became_a_conflict_after_its_preview(db):
    preview = await preview_roster(_csv([HEADER, CONFLICT_ROW]), filename="r.csv")
    # Meanwhile someone registers that phone under another name.
    await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802")

    result = await import_parsed_roster(preview, filename="r.csv", by=COORDINATOR)

    assert (result.created, result.skipped) == (0, 1)
    assert await Volunteer.all().values_list("full_name", flat=True) == ["Bùi Bích Liên"]


async def test_import_parsed_roster_refuses_a_unit_deleted_since_the_preview(db):
    unit = await make_unit(code="CAX-TT")
    preview = await preview_roster(
        _csv([HEADER, _row(1, "Nguyễn Văn An", "0912345678", unit="CAX-TT")]), filename="r.csv"
    )
    await unit.delete()

    with pytest.raises(Conflict):
        await import_parsed_roster(preview, filename="r.csv", by=COORDINATOR)

    assert await Volunteer.all().count() == 0


@pytest.mark.unit
def test_a_kept_preview_reads_back_as_it_was():
    rows = [
        _row(1, "Nguyễn Văn An", "0912345678", unit="CAX-TT", skills="sơ cứu, lái xe"),
        _row(2, "X", "12345"),
        _row(3, "Nguyễn Văn An", "0912 345 678", org="Đoàn TN"),
    ]
    preview = parse_roster(_csv([HEADER, *rows]), filename="r.csv")

    kept = load_preview(dump_preview(preview))

    assert kept == preview
    assert kept is not None and kept.rejected[0].translated("en") == preview.rejected[0].translated(
        "en"
    )


@pytest.mark.unit
@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b'["v",1]\n["r",2]', b'["v",2]\n["q",1]', b'["v",2]\n["r","x"]', b"\xff"],
)
def test_load_preview_refuses_anything_it_did_not_write(data):
    assert load_preview(data) is None


# --- the force column -------------------------------------------------------------------


async def test_import_roster_reads_the_force_column_in_the_reports_words(db):
    header = ["Họ và tên", "Số điện thoại", "Lực lượng"]
    rows = [
        ["Nguyễn Văn An", "0912345678", "Cán bộ, chiến sĩ"],
        ["Trần Thị Bình", "0987654321", "Hội viên phụ nữ"],
        ["Lê Văn Cường", "0903333333", "Nhân dân"],
        ["Phạm Thị Dung", "0904444444", ""],
    ]

    await import_roster(_csv([header, *rows]), filename="r.csv", by=COORDINATOR)

    assert await Volunteer.all().order_by("phone").values_list("phone", "force") == [
        ("+84903333333", Force.PEOPLE),
        ("+84904444444", Force.OTHER),
        ("+84912345678", Force.POLICE),
        ("+84987654321", Force.WOMENS_UNION),
    ]


async def test_import_roster_updates_a_known_volunteers_force_and_a_blank_cell_keeps_it(db):
    header = ["Họ và tên", "Số điện thoại", "Lực lượng"]
    await import_roster(
        _csv([header, ["Nguyễn Văn An", "0912345678", "đoàn viên"]]),
        filename="a.csv",
        by=COORDINATOR,
    )

    await import_roster(
        _csv([header, ["Nguyễn Văn An", "0912345678", ""]]), filename="b.csv", by=COORDINATOR
    )

    assert await Volunteer.all().values_list("force", flat=True) == [Force.YOUTH_UNION]


async def test_import_roster_refuses_an_unknown_force_and_imports_nothing(db):
    header = ["Họ và tên", "Số điện thoại", "Lực lượng"]

    with pytest.raises(ImportRejected) as caught:
        await import_roster(
            _csv([header, ["Nguyễn Văn An", "0912345678", "quân đội"]]),
            filename="r.csv",
            by=COORDINATOR,
        )

    assert [(row.line, row.field) for row in caught.value.rejected] == [(2, "force")]
    assert await Volunteer.all().count() == 0
