"""The roster import page: upload, a preview that writes nothing, then confirm."""

from __future__ import annotations

import hashlib
import io
import re
import time
import unicodedata

import httpx
import openpyxl
import pytest
from itsdangerous import TimestampSigner

from stations.models import AuditEvent, Volunteer
from stations.services import roster_import
from stations.web.views.volunteers import UPLOAD_MAX_AGE_SECONDS, UPLOAD_SALT
from tests.factories import make_unit, make_volunteer
from tests.stations.services.test_roster_upload_limits import (
    MB,
    SHEET_HEAD,
    SHEET_TAIL,
    repeated,
    workbook_with,
)
from tests.stations.web.helpers import csrf_token_in, make_user, signed_in

HEADER = "Họ và tên,Số điện thoại,Đơn vị,Kỹ năng\n"
GOOD_CSV = (HEADER + "Nguyễn Văn An,0912 345 678,,sơ cứu\nTrần Thị Bình,0987654321,,\n").encode()
MIXED_CSV = (
    HEADER + "Nguyễn Văn An,0912 345 678,,\nX,12345,,\nLê Văn Cường,0977 111 222,,\n"
).encode()


async def _post(
    client: httpx.AsyncClient,
    url: str,
    data: dict[str, str],
    files: dict[str, tuple[str, bytes]] | None = None,
) -> httpx.Response:
    """POST with the session's CSRF token, read from the import page itself."""
    token = csrf_token_in((await client.get("/volunteers/import")).text)
    return await client.post(url, data={**data, "csrf_token": token}, files=files)


def _upload(content: bytes, name: str = "roster.csv") -> dict[str, tuple[str, bytes]]:
    return {"file": (name, content)}


def _token(page: str) -> str:
    found = re.search(r'name="upload" value="([^"]+)"', page)
    assert found is not None, "the preview has no confirm form"
    return found.group(1)


def _only_valid(page: str) -> str:
    found = re.search(r'name="only_valid" value="([01])"', page)
    assert found is not None
    return found.group(1)


def _cp1258(text: str) -> bytes:
    """``text`` as Vietnamese Windows writes it: vowels with circumflex, breve or horn are
    single bytes, and a tone is a combining mark after its vowel."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        head = base
        for mark in marks:
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1 and composed.encode("cp1258", errors="ignore"):
                head = composed
                marks.remove(mark)
                break
        out += head.encode("cp1258")
        out += "".join(marks).encode("cp1258")
    return bytes(out)


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def _preview(client: httpx.AsyncClient, content: bytes, name: str = "roster.csv"):
    return await _post(
        client, "/volunteers/import?lang=en", {"action": "preview"}, _upload(content, name)
    )


async def _confirm(client: httpx.AsyncClient, token: str, only_valid: str = "0"):
    # Sent as multipart, as the confirm form is: its parts may be larger than a plain form.
    return await _post(
        client,
        "/volunteers/import?lang=en",
        {"action": "confirm", "upload": token, "only_valid": only_valid},
        {"unused": ("", b"")},
    )


async def _admin(app) -> httpx.AsyncClient:
    return await signed_in(app, await make_user("admin"))


async def test_roster_import_form_is_shown_to_coordinators_not_viewers(app):
    coordinator = await signed_in(app, await make_user("coordinator", await make_unit()))
    viewer = await signed_in(app, await make_user("viewer"))

    form = await coordinator.get("/volunteers/import?lang=en")
    refused = await viewer.get("/volunteers/import")
    refused_post = await _preview(viewer, GOOD_CSV)

    assert form.status_code == 200
    assert 'type="file"' in form.text and "Preview the import" in form.text
    assert (refused.status_code, refused_post.status_code) == (403, 403)


async def test_roster_import_preview_shows_the_rows_and_writes_nothing(app):
    await make_volunteer(full_name="TRAN THI BINH", phone="+84987654321")
    admin = await _admin(app)

    response = await _preview(admin, GOOD_CSV)

    assert response.status_code == 200
    assert "Nothing has been written yet." in response.text
    assert "New volunteers: 1" in response.text
    assert "Known volunteers to update (matched by phone): 1" in response.text
    assert "Updates TRAN THI BINH" in response.text
    assert "Nguyễn Văn An" in response.text and "0912 345 678" in response.text
    assert _only_valid(response.text) == "0"
    assert await Volunteer.all().count() == 1
    assert await AuditEvent.filter(action="volunteers.imported").count() == 0


async def test_roster_import_confirm_writes_the_previewed_file(app):
    await make_volunteer(full_name="TRAN THI BINH", phone="+84987654321")
    admin = await _admin(app)
    token = _token((await _preview(admin, GOOD_CSV)).text)

    response = await _confirm(admin, token)

    assert response.status_code == 303
    assert response.headers["location"] == "/volunteers"
    names = await Volunteer.all().order_by("phone").values_list("full_name", "phone")
    assert names == [("Nguyễn Văn An", "+84912345678"), ("Trần Thị Bình", "+84987654321")]
    listing = await admin.get("/volunteers?lang=en")
    assert "Roster imported: 1 volunteers added, 1 updated, 0 unchanged." in listing.text


async def test_roster_import_with_bad_rows_lists_them_and_imports_only_valid_rows(app):
    admin = await _admin(app)

    preview = await _preview(admin, MIXED_CSV)
    response = await _confirm(admin, _token(preview.text), _only_valid(preview.text))

    assert preview.status_code == 200
    assert "Rows with problems: 1" in preview.text
    assert "“12345” is not a phone number we can use." in preview.text
    assert "A name must have 2 to 200 characters, including letters." in preview.text
    assert "Import only the 2 valid rows" in preview.text
    assert response.status_code == 303
    assert sorted(await Volunteer.all().values_list("full_name", flat=True)) == [
        "Lê Văn Cường",
        "Nguyễn Văn An",
    ]


async def test_roster_import_all_or_nothing_with_bad_rows_writes_nothing(app):
    admin = await _admin(app)
    token = _token((await _preview(admin, MIXED_CSV)).text)

    response = await _confirm(admin, token, only_valid="0")

    assert response.status_code == 422
    assert "1 rows of the file have problems, so nothing was imported." in response.text
    assert await Volunteer.all().count() == 0


async def test_roster_import_reads_an_xlsx_with_numbers_for_phones(app):
    admin = await _admin(app)
    content = _xlsx(
        [["DANH SÁCH TÌNH NGUYỆN VIÊN"], ["Họ và tên", "SĐT"], ["Phan Văn Tài", 912345678]]
    )

    preview = await _preview(admin, content, "roster.xlsx")
    response = await _confirm(admin, _token(preview.text))

    assert preview.status_code == 200
    assert response.status_code == 303
    assert await Volunteer.all().values_list("phone", flat=True) == ["+84912345678"]


async def test_roster_import_preview_of_a_long_roster_lists_the_first_rows(app):
    admin = await _admin(app)
    lines = "".join(f"Tình nguyện viên {n},09{n:08d},,\n" for n in range(1, 602))

    preview = await _preview(admin, (HEADER + lines).encode())
    response = await _confirm(admin, _token(preview.text))

    assert preview.status_code == 200
    assert "… and 101 more rows, not listed here but imported with the others." in preview.text
    assert "Tình nguyện viên 500</td>" in preview.text
    assert "Tình nguyện viên 501</td>" not in preview.text
    assert response.status_code == 303
    assert await Volunteer.all().count() == 601


async def test_roster_import_reads_windows_1258_and_utf16_text(app):
    admin = await _admin(app)
    text = "Họ và tên;Số điện thoại\nĐinh Thị Hoa;0912 345 678\n"

    utf16 = await _preview(admin, text.encode("utf-16"))
    legacy = await _preview(admin, _cp1258(text))

    assert (utf16.status_code, legacy.status_code) == (200, 200)
    assert "Đinh Thị Hoa" in utf16.text and "Đinh Thị Hoa" in legacy.text


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "roster.csv", "The file is empty."),
        (b"%PDF-1.7 \x00\x01\x02", "roster.pdf", "Upload the roster as a .csv or .xlsx file."),
        (b"\x00\xff\xfe\x00garbage\x00" * 50, "roster.csv", "This is not a text (CSV) file."),
        (b"PK\x03\x04 not really a zip", "roster.xlsx", "not a readable Excel (.xlsx) file"),
        (b"just text", "roster.xlsx", "not a readable Excel (.xlsx) file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "roster.xls", "old Excel file (.xls)"),
        ("Tên đệm,Địa chỉ\nAn,Hà Nội\n".encode(), "roster.csv", "The file has no name column."),
        ("Họ và tên,Địa chỉ\nAn,Hà Nội\n".encode(), "roster.csv", "The file has no phone column."),
        (HEADER.encode(), "roster.csv", "The file has a header but no volunteers under it."),
        (b'Ho va ten,SDT\n"unterminated,0912\n' + b"x" * 200_000, "roster.csv", "check its quotes"),
        (b"a" * (5 * 1024 * 1024 + 1), "roster.csv", "The file is larger than 5 MB"),
    ],
)
async def test_roster_import_refuses_a_bad_file_with_a_clear_message(app, content, name, message):
    admin = await _admin(app)

    response = await _preview(admin, content, name)

    assert response.status_code == 422
    assert message in response.text
    assert 'name="upload"' not in response.text
    assert await Volunteer.all().count() == 0


async def test_roster_import_without_a_file_asks_for_one(app):
    admin = await _admin(app)

    no_file = await _post(
        admin, "/volunteers/import?lang=en", {"action": "preview"}, {"x": ("", b"")}
    )
    as_text = await _post(
        admin, "/volunteers/import?lang=en", {"action": "preview", "file": "a.csv"}
    )

    assert (no_file.status_code, as_text.status_code) == (422, 422)
    assert "Choose the roster file (.csv or .xlsx) to upload." in no_file.text


async def test_roster_import_of_a_body_over_10_mb_is_refused(app):
    admin = await _admin(app)

    response = await _preview(admin, b"a" * (10 * 1024 * 1024 + 10))

    assert response.status_code == 413
    assert await Volunteer.all().count() == 0


async def test_roster_import_refuses_a_tampered_or_foreign_upload(app):
    admin = await _admin(app)
    other_admin = await _admin(app)
    token = _token((await _preview(admin, GOOD_CSV)).text)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    responses = [
        await _confirm(admin, tampered),
        await _confirm(admin, ""),
        await _confirm(admin, "x" * 5000),
        await _confirm(other_admin, token),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert "This preview has expired or could not be read back." in responses[0].text
    assert await Volunteer.all().count() == 0


async def test_roster_import_refuses_an_upload_kept_too_long(app):
    user = await make_user("admin")
    admin = await signed_in(app, user)
    token = _token((await _preview(admin, GOOD_CSV)).text)
    secret = app.state.settings.secret_key
    payload = TimestampSigner(secret, salt=UPLOAD_SALT, digest_method=hashlib.sha256).unsign(token)

    class _Past(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - UPLOAD_MAX_AGE_SECONDS - 60

    stale = _Past(app.state.settings.secret_key, salt=UPLOAD_SALT, digest_method=hashlib.sha256)
    response = await _confirm(admin, stale.sign(payload).decode())

    assert response.status_code == 400
    assert await Volunteer.all().count() == 0


async def test_roster_import_by_a_coordinator_shows_rows_outside_their_units(app):
    mine, other = await make_unit(code="MINE"), await make_unit(code="OTHER")
    await make_volunteer(full_name="Người Ngoài", phone="+84911111111", unit=other)
    coordinator = await signed_in(app, await make_user("coordinator", mine))
    content = (
        HEADER
        + "Nguyễn Văn An,0912 345 678,MINE,\n"
        + "Trần Văn Bảo,0933 333 333,OTHER,\n"
        + "Lê Người Ngoài,0911 111 111,MINE,\n"
        + "Đào Không Đơn Vị,0944 444 444,,\n"
    ).encode()

    preview = await _preview(coordinator, content)

    assert preview.status_code == 200
    assert "(lines 3, 4, 5)" in preview.text
    assert 'name="upload"' not in preview.text
    assert await Volunteer.all().count() == 1


async def test_roster_import_confirm_checks_the_units_again(app):
    mine, other = await make_unit(code="MINE"), await make_unit(code="OTHER")
    coordinator = await signed_in(app, await make_user("coordinator", mine))
    token = _token(
        (await _preview(coordinator, (HEADER + "Nguyễn Văn An,0912 345 678,MINE,\n").encode())).text
    )
    # Meanwhile someone registers that phone in another unit.
    await make_volunteer(full_name="Người Ngoài", phone="+84912345678", unit=other)

    response = await _confirm(coordinator, token)

    assert response.status_code == 403
    assert (await Volunteer.get()).full_name == "Người Ngoài"


async def test_roster_import_by_a_coordinator_puts_volunteers_in_their_unit(app):
    mine = await make_unit(code="MINE")
    coordinator = await signed_in(app, await make_user("coordinator", mine))
    token = _token(
        (await _preview(coordinator, (HEADER + "Nguyễn Văn An,0912 345 678,mine,\n").encode())).text
    )

    response = await _confirm(coordinator, token)

    assert response.status_code == 303
    assert await Volunteer.all().values_list("unit_id", flat=True) == [mine.id]


# --- issue 12: name conflicts, and one parse per upload -------------------------------------

CONFLICT_CSV = (HEADER + "Huỳnh Ngọc Ánh,0983 681 802,,\nNguyễn Văn An,0912 345 678,,\n").encode()


async def _confirm_choosing(client: httpx.AsyncClient, page: str, **choices: str):
    return await _post(
        client,
        "/volunteers/import?lang=en",
        {"action": "confirm", "upload": _token(page), "only_valid": "0", **choices},
        {"unused": ("", b"")},
    )


async def test_roster_import_preview_shows_a_phone_of_someone_else_as_a_choice_to_make(app):
    lien = await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802")
    admin = await _admin(app)

    preview = await _preview(admin, CONFLICT_CSV)

    assert preview.status_code == 200
    assert "Phone numbers that belong to someone with another name: 1" in preview.text
    assert "Known volunteers to update (matched by phone): 0" in preview.text
    assert "Updates Bùi Bích Liên" not in preview.text
    assert "Phone of Bùi Bích Liên: choose above" in preview.text
    assert f'href="/volunteers/{lien.id}">Bùi Bích Liên</a>' in preview.text
    choices = re.findall(
        r'<input type="radio" form="roster-confirm" name="conflict-2" value="(\w+)"( checked)?',
        preview.text,
    )
    assert choices == [("skip", " checked"), ("update", "")]
    assert "Rename Bùi Bích Liên to Huỳnh Ngọc Ánh" in preview.text


async def test_roster_import_confirm_without_a_choice_renames_nobody(app):
    await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802")
    admin = await _admin(app)

    response = await _confirm_choosing(admin, (await _preview(admin, CONFLICT_CSV)).text)

    assert response.status_code == 303
    names = await Volunteer.all().order_by("phone").values_list("full_name", flat=True)
    assert names == ["Nguyễn Văn An", "Bùi Bích Liên"]
    listing = await admin.get("/volunteers?lang=en")
    assert "1 rows were skipped: their phone belongs to a volunteer with another name." in (
        listing.text
    )


async def test_roster_import_confirm_renames_when_chosen_for_that_row(app):
    lien = await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802")
    admin = await _admin(app)
    page = (await _preview(admin, CONFLICT_CSV)).text

    response = await _confirm_choosing(
        admin,
        page,
        **{
            "conflict-2": "update",
            "conflict-x": "update",
            "conflict-²": "update",
            "conflict-99999999999999999999": "update",
            "conflict-3": "rename everyone",
        },
    )

    assert response.status_code == 303
    await lien.refresh_from_db()
    assert lien.full_name == "Huỳnh Ngọc Ánh"
    event = await AuditEvent.get(action="volunteer.updated", object_id=lien.id)
    assert event.data["changed"] == {"full_name": ["Bùi Bích Liên", "Huỳnh Ngọc Ánh"]}


async def test_roster_import_parses_the_file_once_preview_and_confirm_together(app, monkeypatch):
    parses: list[str] = []
    parse = roster_import.parse_roster

    def counted(data, *, filename, known_units=None):
        parses.append(filename)
        return parse(data, filename=filename, known_units=known_units)

    monkeypatch.setattr(roster_import, "parse_roster", counted)
    admin = await _admin(app)

    preview = await _preview(admin, GOOD_CSV)
    response = await _confirm(admin, _token(preview.text))

    assert (preview.status_code, response.status_code) == (200, 303)
    assert parses == ["roster.csv"]
    assert await Volunteer.all().count() == 2


async def test_roster_import_refuses_an_xlsx_that_unpacks_to_hundreds_of_mb(app):
    head = SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
    tail = b"</t></is></c></row>" + SHEET_TAIL
    bomb = workbook_with({"xl/worksheets/sheet1.xml": repeated(head, b"A" * MB, 200, tail)})
    admin = await _admin(app)

    started = time.perf_counter()
    response = await _preview(admin, bomb, "roster.xlsx")

    assert response.status_code == 422
    assert "This Excel file unpacks to more than 64 MB, far more than a roster needs." in (
        response.text
    )
    assert time.perf_counter() - started < 5  # refused from the zip directory, not read
    assert 'name="upload"' not in response.text
