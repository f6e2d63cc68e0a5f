"""Hostile roster files (issue 12): refused quickly, from the zip directory, in bounded memory.

Each file is built here: a tiny XLSX whose one cell or whose shared strings unpack to hundreds
of MB, a zip-bomb part, a sheet whose row numbers jump, parts packed with bzip2. None of them
is unpacked: the check reads the sizes the zip directory declares.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable

import openpyxl
import pytest

from stations.services.errors import InvalidInput
from stations.services.roster_import import (
    MAX_SHEET_LINES,
    MAX_XLSX_PARTS,
    check_xlsx_archive,
    parse_roster,
)

pytestmark = pytest.mark.unit

MB = 1024 * 1024
#: Refusing reads a zip directory: far below this even on a machine busy with other work.
QUICK_SECONDS = 1.0
#: The files are a few hundred KB; refusing them must not need much more.
BOUNDED_BYTES = 16 * MB

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _valid_parts() -> dict[str, bytes]:
    """The parts of a real two-row roster workbook, as openpyxl writes it."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Họ và tên", "Số điện thoại"])
    workbook.active.append(["Nguyễn Văn An", "0912345678"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def workbook_with(
    replace: dict[str, Callable[[io.BufferedIOBase], None] | bytes],
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A workbook whose named parts are replaced: bytes, or a writer streaming the part (so
    hundreds of MB are packed without being held in memory)."""
    parts: dict[str, Callable[[io.BufferedIOBase], None] | bytes] = {
        **_valid_parts(),
        **replace,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression, compresslevel=9) as archive:
        for name, content in parts.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
            else:
                with archive.open(name, "w", force_zip64=True) as part:
                    content(part)
    return out.getvalue()


def repeated(head: bytes, chunk: bytes, times: int, tail: bytes):
    def write(part: io.BufferedIOBase) -> None:
        part.write(head)
        for _ in range(times):
            part.write(chunk)
        part.write(tail)

    return write


@pytest.fixture(scope="module")
def one_huge_cell() -> bytes:
    """One inline-string cell of 256 MB under the header, in a file of a few hundred KB."""
    head = SHEET_HEAD + (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>H\xe1\xbb\x8d t\xc3\xaan</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>SDT</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    )
    tail = b"</t></is></c></row>" + SHEET_TAIL
    return workbook_with({"xl/worksheets/sheet1.xml": repeated(head, b"A" * MB, 256, tail)})


@pytest.fixture(scope="module")
def huge_shared_strings() -> bytes:
    """300 MB of shared strings (each a short name, repeated) behind a normal sheet."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    )
    entry = b"<si><t>Nguyen Van An</t></si>" * (MB // 28)
    return workbook_with({"xl/sharedStrings.xml": repeated(head, entry, 300, b"</sst>")})


def _refusal(data: bytes, filename: str = "roster.xlsx") -> tuple[InvalidInput, float, int]:
    """The error ``parse_roster`` raises, the seconds it took and the peak memory it used."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InvalidInput) as refused:
            parse_roster(data, filename=filename)
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return refused.value, seconds, peak


def test_an_xlsx_whose_one_cell_unpacks_to_256_mb_is_refused_unread(one_huge_cell):
    assert len(one_huge_cell) < MB  # what the coordinator uploads

    error, seconds, peak = _refusal(one_huge_cell)

    assert error.field == "file"
    assert error.translated("en").startswith("This Excel file unpacks to more than 64 MB")
    assert seconds < QUICK_SECONDS
    assert peak < BOUNDED_BYTES


def test_an_xlsx_with_300_mb_of_shared_strings_is_refused_unread(huge_shared_strings):
    assert len(huge_shared_strings) < 2 * MB

    error, seconds, peak = _refusal(huge_shared_strings)

    assert error.translated("en").startswith("This Excel file unpacks to more than 64 MB")
    assert "Tệp Excel này khi giải nén lớn hơn 64 MB" in error.translated("vi")
    assert (seconds < QUICK_SECONDS, peak < BOUNDED_BYTES) == (True, True)


def test_a_zip_bomb_part_under_the_size_limits_is_refused_by_its_packing_ratio():
    bomb = workbook_with({"xl/media/image1.png": repeated(b"", b"\0" * MB, 24, b"")})

    error, seconds, peak = _refusal(bomb)

    assert error.translated("en").startswith("This Excel file holds far more data than its size")
    assert (seconds < QUICK_SECONDS, peak < BOUNDED_BYTES) == (True, True)


def test_an_xlsx_of_too_many_parts_is_refused():
    many = {f"xl/media/image{n}.png": b"x" for n in range(MAX_XLSX_PARTS + 1)}

    error, _seconds, _peak = _refusal(workbook_with(many))

    assert error.translated("en").startswith("This Excel file unpacks to more than")


def test_an_xlsx_packed_with_bzip2_is_refused_as_unreadable():
    error, _seconds, _peak = _refusal(workbook_with({}, compression=zipfile.ZIP_BZIP2))

    assert error.translated("en").startswith("This file is not a readable Excel (.xlsx) file")


def test_a_sheet_whose_row_numbers_jump_a_million_rows_stops_at_the_line_limit():
    # Tiny on disk: openpyxl hands back every blank row the numbers skip.
    rows = [b'<row r="1"><c r="A1" t="inlineStr"><is><t>Ho ten</t></is></c>']
    rows.append(b'<c r="B1" t="inlineStr"><is><t>SDT</t></is></c></row>')
    for n in range(1, 200):
        r = str(n * 9_000).encode()
        rows.append(
            b'<row r="' + r + b'"><c r="A' + r + b'" t="inlineStr"><is><t>x</t></is></c></row>'
        )
    sheet = SHEET_HEAD + b"".join(rows) + SHEET_TAIL

    started = time.perf_counter()
    with pytest.raises(InvalidInput) as refused:
        parse_roster(workbook_with({"xl/worksheets/sheet1.xml": sheet}), filename="roster.xlsx")

    assert refused.value.translated("en").startswith(
        f"The sheet has more than {MAX_SHEET_LINES:,} rows, counting blank ones"
    )
    assert time.perf_counter() - started < 30  # read up to the limit, not a million rows


def test_check_xlsx_archive_passes_a_real_roster_workbook():
    data = workbook_with({})

    check_xlsx_archive(data)

    assert [row.full_name for row in parse_roster(data, filename="r.xlsx").rows] == [
        "Nguyễn Văn An"
    ]


def _declare_size(data: bytes, part: str, size: int) -> bytes:
    """``data`` with the unpacked size of ``part`` rewritten in its local header and in the
    zip directory: a part that lies about how much it holds."""
    out = bytearray(data)
    name = part.encode()
    local = out.find(b"PK\x03\x04")
    while local != -1:
        name_length = int.from_bytes(out[local + 26 : local + 28], "little")
        if out[local + 30 : local + 30 + name_length] == name:
            out[local + 22 : local + 26] = size.to_bytes(4, "little")
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(out[central + 28 : central + 30], "little")
        if out[central + 46 : central + 46 + name_length] == name:
            out[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_a_part_that_declares_less_than_it_holds_is_read_no_further_than_declared():
    head = SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
    tail = b"</t></is></c></row>" + SHEET_TAIL
    honest = workbook_with({"xl/worksheets/sheet1.xml": repeated(head, b"A" * MB, 48, tail)})
    lying = _declare_size(honest, "xl/worksheets/sheet1.xml", 4096)

    error, seconds, peak = _refusal(lying)

    assert error.translated("en").startswith("This file is not a readable Excel (.xlsx) file")
    assert (seconds < QUICK_SECONDS, peak < BOUNDED_BYTES) == (True, True)
