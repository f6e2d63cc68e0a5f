"""The ``waystation`` command, run as a person runs it: a separate process.

Commands that only compute (``holidays``, settings errors) also run in-process, which is
quicker; every command that opens a database runs in a subprocess, because the test
session's own database connection must not be closed under it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from stations.cli.context import DatabaseCannotOpen, reporting_connection_errors
from stations.cli.files import write_whole
from stations.cli.serving import bind_listening_sockets
from stations.main import build_parser, main
from stations.models import ApiToken, User
from stations.services import users
from stations.services.actor import Actor
from stations.services.errors import InvalidInput
from stations.services.sessions import open_session, session_version, user_for_session
from stations.services.users import authenticate_api_token, create_api_token, revoke_api_token
from tests.factories import make_campaign, make_unit

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
CLI_TEST_ACTOR = Actor.system("test")
STARTUP_LIMIT_S = 20.0


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WAYSTATION_") or key == "WAYSTATION_TEST_POSTGRES_URL"
    }
    env.update(
        WAYSTATION_DATABASE_URL=database_url,
        WAYSTATION_DEFAULT_LANGUAGE="en",
        WAYSTATION_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def _run(
    *args: str, database_url: str, cwd: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stations.main", *args],
        env=_environment(database_url, **extra),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )


async def _run_async(
    *args: str, database_url: str, preexec: Callable[[], None] | None = None, **extra: str
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "stations.main",
        *args,
        env=_environment(database_url, **extra),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=preexec,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new, empty SQLite database."""
    return f"sqlite://{tmp_path / 'cli.sqlite3'}"


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    result = _run("migrate", database_url=f"sqlite://{path}", cwd=path.parent)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def migrated_url(tmp_path: Path, migrated_template: Path) -> str:
    """A migrated, empty SQLite database (a copy: migrating each one costs a second)."""
    copy = tmp_path / "cli.sqlite3"
    shutil.copyfile(migrated_template, copy)
    return f"sqlite://{copy}"


# --- holidays ----------------------------------------------------------------------------


def test_holidays_json_gives_tet_and_the_windows(tmp_path, sqlite_url):
    result = _run("holidays", "2027", "2030", "--json", database_url=sqlite_url, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    years = json.loads(result.stdout)
    assert [(y["year"], y["tet"], y["lunar_year_name"]) for y in years] == [
        (2027, "2027-02-06", "Đinh Mùi"),
        (2030, "2030-02-02", "Canh Tuất"),
    ]
    assert years[0]["windows"] == [
        {"kind": "tet", "start": "2027-01-30", "end": "2027-02-11", "days": 13},
        {"kind": "reunification", "start": "2027-04-28", "end": "2027-05-02", "days": 5},
    ]


def test_holidays_not_a_number_exits_2_with_one_line_and_no_traceback(tmp_path, sqlite_url):
    result = _run("holidays", "abc", database_url=sqlite_url, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "waystation holidays: error: argument YEAR: 'abc' is not a year "
        "(see waystation holidays --help)"
    ]


def test_holidays_plain_output_in_vietnamese_names_the_lunar_year(capsys):
    code = main(["holidays", "2027", "--lang", "vi"])

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "Tết Đinh Mùi 2027: 06/02/2027"
    assert "30/01/2027" in out
    assert "13 ngày" in out


def test_holidays_plain_output_in_english(capsys):
    code = main(["holidays", "2027", "--lang", "en"])

    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "Tết Đinh Mùi 2027: 06/02/2027"
    assert "13 days" in out


def test_holidays_year_out_of_range_is_a_clean_error(capsys):
    code = main(["holidays", "1800", "--lang", "en"])

    assert code == 1
    assert capsys.readouterr().err == (
        "waystation: Year 1800 is out of range: the calendar covers 1900 to 2100.\n"
    )


def test_lang_before_the_command_is_taken(capsys):
    code = main(["--lang", "vi", "holidays", "2027"])

    assert code == 0
    assert "13 ngày" in capsys.readouterr().out


def test_lang_after_the_command_wins_over_lang_before_it(capsys):
    code = main(["--lang", "vi", "holidays", "2027", "--lang", "en"])

    assert code == 0
    assert "13 days" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["-v", "--lang", "en", "holidays", "2027"],
        ["holidays", "2027", "--lang", "en", "--verbose"],
        ["--verbose", "api-token", "--lang", "en", "list"],
        ["--lang", "en", "api-token", "list", "-v"],
    ],
)
def test_output_options_are_taken_before_and_after_the_command(argv):
    args = build_parser().parse_args(argv)

    assert (args.lang, args.verbose, args.quiet) == ("en", True, False)


def test_output_options_default_when_not_given():
    args = build_parser().parse_args(["holidays", "2027"])

    assert (args.lang, args.verbose, args.quiet) == (None, False, False)


def test_unknown_command_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--lang", "en", "fly"])

    assert caught.value.code == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err


def test_bad_setting_is_one_line_and_exit_2(monkeypatch, capsys):
    monkeypatch.setenv("WAYSTATION_PORT", "eighty")

    code = main(["holidays", "2027"])

    assert code == 2
    assert capsys.readouterr().err == (
        "waystation: settings error: WAYSTATION_PORT must be a whole number, got 'eighty'\n"
    )


def test_bad_log_level_is_a_settings_error(monkeypatch, capsys):
    monkeypatch.setenv("WAYSTATION_LOG_LEVEL", "LOUD")

    code = main(["holidays", "2027"])

    assert code == 2
    assert "WAYSTATION_LOG_LEVEL" in capsys.readouterr().err


# --- migrate -----------------------------------------------------------------------------


def test_migrate_applies_then_finds_nothing_to_do(tmp_path, sqlite_url):
    first = _run("migrate", database_url=sqlite_url, cwd=tmp_path)
    second = _run("migrate", database_url=sqlite_url, cwd=tmp_path)

    on_disk = sorted(
        path.stem
        for path in (Path(__file__).resolve().parents[2] / "stations" / "migrations").glob("0*.py")
    )
    assert first.returncode == 0, first.stderr
    assert on_disk[:3] == ["0001_initial", "0002_check_constraints", "0003_count_confirmations"]
    assert first.stdout.splitlines() == [
        *(f"Applied migration stations.{name}" for name in on_disk),
        f"Database {sqlite_url}: {len(on_disk)} migration(s) applied.",
    ]
    assert second.returncode == 0, second.stderr
    assert second.stdout == f"Database {sqlite_url} is up to date: no migration to apply.\n"


def test_migrate_in_vietnamese_says_the_database_is_up_to_date(tmp_path, migrated_url):
    result = _run("migrate", "--lang", "vi", database_url=migrated_url, cwd=tmp_path)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        f"Cơ sở dữ liệu {migrated_url} đã ở phiên bản mới nhất: không có bản cập nhật cấu trúc "
        "nào cần áp dụng.\n"
    )


@pytest.mark.parametrize("command", [["migrate"], ["api-token", "list"], ["report", "1"]])
def test_refused_database_connection_is_one_translated_line_without_the_password(tmp_path, command):
    port = _free_port()  # nothing listens there once the probe is closed

    result = _run(
        *command,
        database_url=f"postgres://postgres:s3cret@127.0.0.1:{port}/none",
        cwd=tmp_path,
    )

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"waystation: Cannot open the database postgres://postgres@127.0.0.1:{port}/none: the "
        "server refused the connection. Check WAYSTATION_DATABASE_URL. ([Errno 111] Connect "
        f"call failed ('127.0.0.1', {port}))\n"
    )


def test_refused_database_connection_in_vietnamese(tmp_path):
    port = _free_port()

    result = _run(
        "migrate", "--lang", "vi", database_url=f"postgres://an@127.0.0.1:{port}/x", cwd=tmp_path
    )

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"waystation: Không mở được cơ sở dữ liệu postgres://an@127.0.0.1:{port}/x: máy chủ từ "
        "chối kết nối. Vui lòng kiểm tra WAYSTATION_DATABASE_URL. ("
    )


def test_unknown_database_host_is_one_line_naming_the_problem(tmp_path):
    result = _run(
        "migrate", database_url="postgres://postgres@no-such-host.invalid:5432/x", cwd=tmp_path
    )

    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        "waystation: Cannot open the database postgres://postgres@no-such-host.invalid:5432/x: "
        "the server's name cannot be found. Check WAYSTATION_DATABASE_URL. ([Errno "
    )


def test_sqlite_file_in_a_missing_folder_is_one_line_naming_the_setting(tmp_path):
    result = _run(
        "api-token", "list", database_url=f"sqlite://{tmp_path}/missing/w.sqlite3", cwd=tmp_path
    )

    assert (result.returncode, result.stdout) == (1, "")
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("waystation: ")
    assert "WAYSTATION_DATABASE_URL" in result.stderr
    assert not (tmp_path / "missing").exists()


def test_connection_error_reporting_lets_other_errors_through():
    with pytest.raises(ValueError), reporting_connection_errors("sqlite://x.sqlite3"):
        raise ValueError("not about reaching the database")


def test_connection_error_reporting_hides_the_password_and_translates():
    with (
        pytest.raises(DatabaseCannotOpen) as caught,
        reporting_connection_errors("postgresql://an:s3cret@db.example.vn:6432/waystation"),
    ):
        raise TimeoutError("timed out")

    assert caught.value.translated("vi") == (
        "Không mở được cơ sở dữ liệu postgres://an@db.example.vn:6432/waystation: máy chủ không "
        "trả lời kịp. Vui lòng kiểm tra WAYSTATION_DATABASE_URL. (timed out)"
    )


def _postgres_or_skip() -> None:
    try:
        asyncio.run(_postgres("SELECT 1"))
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable: {exc}")


def test_unknown_postgres_role_is_one_line_with_the_servers_reason(tmp_path):
    _postgres_or_skip()
    role = f"nobody_{secrets.token_hex(4)}"
    admin = urlsplit(_postgres_admin_url())
    url = f"postgres://{role}:s3cret@{admin.hostname}:{admin.port or 5432}{admin.path}"

    result = _run("migrate", database_url=url, cwd=tmp_path)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(
        ": the server did not accept the user name or password. Check WAYSTATION_DATABASE_URL. "
        f'(role "{role}" does not exist)\n'
    )
    assert "s3cret" not in result.stderr


def test_missing_postgres_database_is_one_line_saying_so(tmp_path):
    _postgres_or_skip()
    name = f"waystation_missing_{secrets.token_hex(4)}"
    base, _, _old = _postgres_admin_url().rpartition("/")

    result = _run("migrate", database_url=f"{base}/{name}", cwd=tmp_path)

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(
        ": there is no database of that name on the server. Check WAYSTATION_DATABASE_URL. "
        f'(database "{name}" does not exist)\n'
    )


# --- users and tokens --------------------------------------------------------------------


async def test_create_user_reads_the_password_from_the_environment(db):
    code, out, err = await _run_async(
        "create-user",
        "Mai.Tran@Example.VN",
        "--role",
        "coordinator",
        "--name",
        "Trần Thị Mai",
        database_url=db.url,
        WAYSTATION_PASSWORD="một mật khẩu dài",
    )

    assert (code, err) == (0, "")
    assert out == "Created user mai.tran@example.vn with role coordinator.\n"
    user = await User.get(email="mai.tran@example.vn")
    assert (user.full_name, user.role.value) == ("Trần Thị Mai", "coordinator")


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["not-an-email"], "một mật khẩu dài", "waystation: Enter a valid e-mail address.\n"),
        (
            ["an@example.vn"],
            "short",
            "waystation: A password must be 10 to 256 characters long.\n",
        ),
        (
            ["an@example.vn", "--unit", "nope"],
            "một mật khẩu dài",
            "waystation: There is no unit with code “NOPE”.\n",
        ),
        (
            ["an@example.vn"],
            "",
            "waystation: Set WAYSTATION_PASSWORD, or run the command in a terminal to type "
            "the password.\n",
        ),
    ],
)
def test_create_user_bad_input_is_a_clean_error(tmp_path, migrated_url, args, password, message):
    result = _run(
        "create-user",
        *args,
        "--role",
        "admin",
        database_url=migrated_url,
        cwd=tmp_path,
        WAYSTATION_PASSWORD=password,
    )

    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)


def test_create_user_in_vietnamese(tmp_path, sqlite_url):
    result = _run(
        "create-user",
        "an@example.vn",
        "--role",
        "admin",
        "--lang",
        "vi",
        database_url=sqlite_url,
        cwd=tmp_path,
        WAYSTATION_PASSWORD="short",
    )

    assert result.stderr == "waystation: Mật khẩu phải dài từ 10 đến 256 ký tự.\n"


async def test_create_user_unit_code_in_any_case_and_the_role_in_vietnamese(db):
    await make_unit(code="CAX-CAIBE")

    code, out, err = await _run_async(
        "create-user",
        "an@example.vn",
        "--role",
        "coordinator",
        "--unit",
        "cax-caibe",
        "--lang",
        "vi",
        database_url=db.url,
        WAYSTATION_PASSWORD="một mật khẩu dài",
    )

    assert (code, err) == (0, "")
    assert out == (
        "Đã tạo tài khoản an@example.vn, vai trò điều phối viên, thuộc đơn vị CAX-CAIBE.\n"
    )


async def test_api_token_create_prints_a_token_the_api_accepts(db):
    code, out, err = await _run_async(
        "api-token", "create", "dashboard", "--role", "viewer", database_url=db.url
    )

    assert code == 0, err
    token = out.strip()
    found = await authenticate_api_token(token)
    assert found is not None
    assert (found.name, found.role.value) == ("dashboard", "viewer")
    assert token not in (await ApiToken.get(name="dashboard")).token_hash


def test_api_token_list_and_revoke(tmp_path, migrated_url):
    _run("api-token", "create", "dashboard", database_url=migrated_url, cwd=tmp_path)

    revoked = _run("api-token", "revoke", "dashboard", database_url=migrated_url, cwd=tmp_path)
    listed = _run("api-token", "list", database_url=migrated_url, cwd=tmp_path)

    assert revoked.stdout == "API token “dashboard” is revoked.\n"
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["Name", "Role", "Unit", "Created", "Last", "used", "State"]
    assert lines[2].split()[:3] == ["dashboard", "administrator", "—"]
    assert lines[2].split()[-1] == "revoked"


async def test_api_token_list_in_vietnamese_names_roles_and_states(db):
    await create_api_token("bảng tỉnh", role="coordinator", by=CLI_TEST_ACTOR)
    await create_api_token("cũ", role="viewer", by=CLI_TEST_ACTOR)
    await revoke_api_token("cũ", by=CLI_TEST_ACTOR)

    code, out, err = await _run_async("api-token", "list", "--lang", "vi", database_url=db.url)

    assert (code, err) == (0, "")
    rows = [_cells(line.split("  ")) for line in out.splitlines()[2:]]
    assert [(row[0], row[1], row[-1]) for row in rows] == [
        ("cũ", "người xem", "đã thu hồi"),
        ("bảng tỉnh", "điều phối viên", "còn hiệu lực"),
    ]


def _cells(parts: list[str]) -> list[str]:
    return [part.strip() for part in parts if part.strip()]


async def test_api_token_revoke_twice_says_it_was_already_revoked(db):
    await create_api_token("dashboard", by=CLI_TEST_ACTOR)
    first = await _run_async("api-token", "revoke", "dashboard", database_url=db.url)

    code, out, err = await _run_async("api-token", "revoke", "dashboard", database_url=db.url)

    assert first[:2] == (0, "API token “dashboard” is revoked.\n")
    assert (code, err) == (0, "")
    assert out.startswith("API token “dashboard” was already revoked at ")
    assert out.endswith(": nothing changed.\n")


async def test_sign_out_everywhere_ends_the_users_sessions(db):
    user = await users.create_user(
        email="an@example.vn", password="correct horse battery", role="viewer", by=CLI_TEST_ACTOR
    )
    key = await open_session(user)

    code, out, err = await _run_async("sign-out-everywhere", "AN@example.vn", database_url=db.url)

    assert (code, out, err) == (0, "an@example.vn is signed out everywhere: 1 session ended.\n", "")
    assert await user_for_session(key, session_version(user)) is None


async def test_sign_out_everywhere_of_an_unknown_user_fails_kindly(db):
    code, out, err = await _run_async(
        "sign-out-everywhere", "nobody@example.vn", database_url=db.url
    )

    assert (code, out) == (1, "")
    assert "There is no such user." in err


async def test_api_token_create_with_a_revoked_tokens_name_says_it_was_revoked(db):
    await create_api_token("dashboard", by=CLI_TEST_ACTOR)
    await revoke_api_token("dashboard", by=CLI_TEST_ACTOR)

    code, out, err = await _run_async("api-token", "create", "dashboard", database_url=db.url)

    assert (code, out) == (1, "")
    assert err == (
        "waystation: An API token named “dashboard” exists and was revoked: choose another name.\n"
    )


# --- demo and report ---------------------------------------------------------------------


def test_demo_then_report_of_last_years_campaign(tmp_path, migrated_url):
    loaded = _run("demo", "--scale", "0.05", database_url=migrated_url, cwd=tmp_path)
    report = _run("report", "tet binh ngo 2026", "--json", database_url=migrated_url, cwd=tmp_path)
    table = _run(
        "report",
        "Tết Bính Ngọ 2026",
        "--xlsx",
        "report.xlsx",
        database_url=migrated_url,
        cwd=tmp_path,
    )

    assert loaded.returncode == 0, loaded.stderr
    assert "Tết Đinh Mùi 2027" in loaded.stdout
    totals = json.loads(report.stdout)["totals"]
    assert (totals["water_bottles"], totals["cold_towels"], totals["motorbikes_checked"]) == (
        30_000,
        25_000,
        24,
    )
    assert table.returncode == 0, table.stderr
    assert "Bottled water (bottles)" in table.stdout
    assert "30,000" in table.stdout
    assert (tmp_path / "report.xlsx").stat().st_size > 0


@pytest.mark.parametrize(
    ("xlsx", "message"),
    [
        ("", "Give the name of the Excel file to write, ending in .xlsx."),
        ("  ", "Give the name of the Excel file to write, ending in .xlsx."),
        ("r.csv", "The report file “r.csv” must end in .xlsx."),
        ("/proc/version", "The report file “/proc/version” must end in .xlsx."),
        (
            "no-such-folder/r.xlsx",
            "Cannot write the report to “no-such-folder/r.xlsx”: the folder does not exist.",
        ),
        ("folder.xlsx", "Cannot write the report to “folder.xlsx”: it is a folder."),
        (
            "x" * 300 + ".xlsx",
            f"Cannot write the report to “{'x' * 300}.xlsx”: the name is too long.",
        ),
    ],
)
def test_report_xlsx_path_that_cannot_be_written_is_refused_before_opening_the_database(
    tmp_path, xlsx, message
):
    (tmp_path / "folder.xlsx").mkdir()
    database = tmp_path / "never-opened.sqlite3"

    result = _run("report", "1", "--xlsx", xlsx, database_url=f"sqlite://{database}", cwd=tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"waystation: {message}\n")
    assert not database.exists()


def _limit_file_size_to_1_kb() -> None:
    # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG, like a full disk.
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


async def test_report_xlsx_whose_writing_fails_is_one_line_and_leaves_no_file(db, tmp_path):
    campaign = await make_campaign()
    target = tmp_path / "r.xlsx"

    code, out, err = await _run_async(
        "report",
        str(campaign.id),
        "--xlsx",
        str(target),
        database_url=db.url,
        preexec=_limit_file_size_to_1_kb,
    )

    assert (code, out) == (1, "")
    assert err == (
        f"waystation: Cannot write the report to “{target}”: the file is too large for the "
        "system to write.\n"
    )
    assert list(tmp_path.iterdir()) == []


async def test_report_xlsx_name_is_case_insensitive_and_the_file_is_a_workbook(db, tmp_path):
    campaign = await make_campaign()

    code, _out, err = await _run_async(
        "report", str(campaign.id), "--xlsx", str(tmp_path / "R.XLSX"), database_url=db.url
    )

    assert (code, err) == (0, f"Report written to “{tmp_path / 'R.XLSX'}”.\n")
    assert [path.name for path in tmp_path.iterdir()] == ["R.XLSX"]
    assert (tmp_path / "R.XLSX").read_bytes()[:2] == b"PK"  # a zip, as every .xlsx is


def test_write_whole_replaces_the_file_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"old")

    write_whole(target, b"new", "en")

    assert [(p.name, p.read_bytes()) for p in tmp_path.iterdir()] == [("r.xlsx", b"new")]


def test_write_whole_that_fails_keeps_the_old_file_and_says_why_in_one_line(tmp_path):
    target = tmp_path / "r.xlsx"
    target.mkdir()  # os.replace cannot put a file over a folder

    with pytest.raises(InvalidInput) as caught:
        write_whole(target, b"new", "vi")

    assert caught.value.field == "xlsx"
    assert caught.value.translated("vi") == (
        f"Không ghi được báo cáo vào “{target}”: đó là một thư mục."
    )
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


def test_report_unknown_campaign_is_a_clean_error(tmp_path, migrated_url):
    result = _run("report", "Tết 1999", database_url=migrated_url, cwd=tmp_path)

    assert (result.returncode, result.stdout, result.stderr) == (
        1,
        "",
        "waystation: No campaign has the id or name “Tết 1999”.\n",
    )


# --- serve -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[str], tuple[str, subprocess.Popen[bytes]]]]:
    """Start ``waystation serve`` on a free port; stopped (SIGTERM) after the test."""
    started: list[subprocess.Popen[bytes]] = []

    def start(database_url: str, **extra: str) -> tuple[str, subprocess.Popen[bytes]]:
        port = _free_port()
        log = (tmp_path / f"serve-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "stations.main", "serve", "--port", str(port)],
            env=_environment(database_url, WAYSTATION_LOG_LEVEL="INFO", **extra),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}/healthz"
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=0.5).status_code == 200:
                    return url, process
            except httpx.TransportError:
                pass
            try:
                process.wait(timeout=0.1)  # returns at once if the server died
            except subprocess.TimeoutExpired:
                continue
            break
        output = (tmp_path / f"serve-{port}.log").read_text()
        pytest.fail(f"waystation serve did not answer /healthz:\n{output}")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=15)


def test_serve_answers_healthz_and_says_the_bot_is_off(tmp_path, migrated_url, serve):
    url, process = serve(migrated_url)

    health = httpx.get(url, timeout=5).json()
    process.terminate()
    process.wait(timeout=15)

    log = next(tmp_path.glob("serve-*.log")).read_text()
    assert health["status"] == "ok"
    assert health["database"] == {"ok": True, "engine": "sqlite"}
    # uvicorn shuts down cleanly on SIGTERM, then lets the signal end the process.
    assert "Application shutdown complete." in log
    assert "Telegram bot is off: WAYSTATION_TELEGRAM_TOKEN is not set" in log
    # Said once the app has started, so after uvicorn's own startup line.
    assert log.index("Application startup complete.") < log.index(
        "Waystation is running: open http://127.0.0.1:"
    )


def _failed_sign_in_address(health_url: str, database_url: str) -> list[str]:
    """Sign in wrongly with ``X-Forwarded-For`` set; the addresses the limit counted."""
    base = health_url.removesuffix("/healthz")
    with httpx.Client(base_url=base, timeout=10) as client:
        form = client.get("/signin")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        refused = client.post(
            "/signin",
            data={"email": "an@example.vn", "password": "wrong", "csrf_token": token.group(1)},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
    assert refused.status_code == 422
    with sqlite3.connect(database_url.removeprefix("sqlite://")) as connection:
        return [row[0] for row in connection.execute("SELECT address FROM signin_attempt")]


def test_serve_trusts_no_proxy_by_default_not_even_a_local_one(migrated_url, serve):
    url, _process = serve(migrated_url)

    assert _failed_sign_in_address(url, migrated_url) == ["127.0.0.1"]


def test_serve_believes_forwarded_addresses_from_the_proxies_it_is_told(migrated_url, serve):
    url, _process = serve(migrated_url, WAYSTATION_FORWARDED_ALLOW_IPS="127.0.0.1, ::1")

    assert _failed_sign_in_address(url, migrated_url) == ["203.0.113.9"]


def test_serve_on_a_busy_port_is_one_line_and_exit_1(tmp_path, migrated_url):
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]

        result = _run(
            "serve",
            "--port",
            str(port),
            database_url=migrated_url,
            cwd=tmp_path,
            WAYSTATION_LOG_LEVEL="INFO",
        )

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"waystation: Port {port} is in use: choose another with --port or WAYSTATION_PORT.\n"
    )


def test_serve_on_a_busy_port_in_vietnamese(tmp_path, migrated_url):
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]

        result = _run(
            "--lang", "vi", "serve", "--port", str(port), database_url=migrated_url, cwd=tmp_path
        )

    assert result.returncode == 1
    assert result.stderr == (
        f"waystation: Cổng {port} đang được dùng: vui lòng chọn cổng khác bằng --port hoặc "
        "WAYSTATION_PORT.\n"
    )


def test_serve_cannot_listen_on_an_address_this_machine_does_not_have():
    with pytest.raises(InvalidInput) as caught:
        bind_listening_sockets("192.0.2.1", _free_port())  # TEST-NET-1: never assigned

    assert caught.value.field == "host"
    assert caught.value.translated("en").startswith("Cannot listen on 192.0.2.1 port ")


def test_serve_binds_every_address_of_localhost_on_one_port():
    port = _free_port()

    sockets = bind_listening_sockets("localhost", port)
    try:
        addresses = {sock.getsockname()[:2] for sock in sockets}
    finally:
        for sock in sockets:
            sock.close()

    assert ("127.0.0.1", port) in addresses
    assert {address[1] for address in addresses} == {port}


def _postgres_admin_url() -> str:
    return os.environ.get("WAYSTATION_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


async def _postgres(sql: str) -> None:
    connection = await asyncpg.connect(
        _postgres_admin_url().replace("postgres://", "postgresql://", 1), timeout=5
    )
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def test_serve_healthz_is_503_when_the_database_goes_away(serve):
    name = f"waystation_health_{secrets.token_hex(4)}"
    try:
        asyncio.run(_postgres(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    try:
        base, _, _old = _postgres_admin_url().rpartition("/")
        url, _process = serve(f"{base}/{name}")

        asyncio.run(_postgres(f'DROP DATABASE "{name}" WITH (FORCE)'))
        response = httpx.get(url, timeout=10)

        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        assert response.json()["database"]["ok"] is False
    finally:
        asyncio.run(_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
