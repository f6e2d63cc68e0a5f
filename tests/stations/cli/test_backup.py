"""``waystation backup FILE|FOLDER [--keep N] [--daily-at HH:MM]`` as an operator runs it.

Each run is ``stations.main.main`` in a child process (the test session's own database
connection must not be closed under it) with the service's clock frozen at a chosen moment,
so three nights' backups take no three nights. Usage errors, which never reach a database,
run in-process.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stations.main import main

ROOT = Path(__file__).resolve().parents[3]

#: ``waystation`` with the clock frozen at argv[1] (an ISO moment); the rest is its argv.
AT_A_MOMENT = (
    "import datetime as dt, sys\n"
    "from stations.clock import FrozenClock, set_clock\n"
    "set_clock(FrozenClock(dt.datetime.fromisoformat(sys.argv[1])))\n"
    "from stations.main import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)


def _waystation(
    *args: str, at: str, database_url: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WAYSTATION_")}
    env.update(
        WAYSTATION_DATABASE_URL=database_url,
        WAYSTATION_DEFAULT_LANGUAGE="en",
        WAYSTATION_LOG_LEVEL="WARNING",
    )
    return subprocess.run(
        [sys.executable, "-c", AT_A_MOMENT, at, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    result = _waystation("migrate", at="2027-02-01T08:00+07:00", database_url=f"sqlite://{path}")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: Path) -> str:
    copy = tmp_path / "waystation.sqlite3"
    shutil.copyfile(migrated_template, copy)
    return f"sqlite://{copy}"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    backups = tmp_path / "backups"
    backups.mkdir()
    return backups


def test_three_nights_into_a_folder_keep_2_leave_the_newest_two(database_url, folder):
    nights = ["2027-02-01T02:30+07:00", "2027-02-02T02:30+07:00", "2027-02-03T02:30+07:00"]

    runs = [
        _waystation("backup", str(folder), "--keep", "2", at=night, database_url=database_url)
        for night in nights
    ]

    assert [run.returncode for run in runs] == [0, 0, 0], [run.stderr for run in runs]
    kept = sorted(path.name for path in folder.iterdir())
    # Named for the moment in Vietnam, as the operator reads the night of each backup.
    assert kept == ["waystation-20270202-023000.sqlite3", "waystation-20270203-023000.sqlite3"]
    written = folder / "waystation-20270203-023000.sqlite3"
    size = written.stat().st_size
    assert runs[2].stdout == f"Backup written: {written} ({size:,} bytes).\n"
    removed = folder / "waystation-20270201-023000.sqlite3"
    assert runs[2].stderr == f"Removed the older backup {removed}.\n"
    assert written.read_bytes().startswith(b"SQLite format 3\x00")


@pytest.mark.parametrize("keep", ["0", "-1"])
def test_keep_less_than_one_is_refused_before_anything_is_written(database_url, folder, keep):
    result = _waystation(
        "backup",
        str(folder),
        "--keep",
        keep,
        at="2027-02-01T02:30+07:00",
        database_url=database_url,
    )

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "waystation: Keep at least one backup.\n"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("target", "options", "message"),
    [
        ("folder", ["--keep", "0"], "Keep at least one backup."),
        ("file", ["--keep", "2"], "{file} is not a folder: --keep needs a folder of backups."),
        ("in a missing folder", [], "The folder {missing} does not exist."),
    ],
)
def test_nightly_backups_to_an_impossible_target_stop_at_once(
    database_url, folder, target, options, message
):
    file, missing = folder / "one.sqlite3", folder / "nowhere"
    path = {"folder": folder, "file": file, "in a missing folder": missing / "x.sqlite3"}[target]

    # It used to wait for 02:30, then fail in a log line every night.
    result = _waystation(
        "backup",
        str(path),
        *options,
        "--daily-at",
        "02:30",
        at="2027-02-01T08:00+07:00",
        database_url=database_url,
        timeout=60,
    )

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "waystation: " + message.format(file=file, missing=missing) + "\n"
    assert list(folder.iterdir()) == []


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    captured = capsys.readouterr()
    return int(caught.value.code or 0), captured.out, captured.err


@pytest.mark.parametrize("value", ["25:00", "abc", "24:00", "02:60", "02:30+05:00", "02:30:15", ""])
def test_daily_at_that_is_not_a_time_of_day_is_a_translated_usage_error(value, capsys, tmp_path):
    # A target refused at once: were the value taken, the command would stop, not run nightly.
    target = str(tmp_path / "nowhere" / "x.sqlite3")
    english = _usage_error(["backup", target, "--daily-at", value, "--lang", "en"], capsys)
    vietnamese = _usage_error(["backup", target, "--daily-at", value, "--lang", "vi"], capsys)

    assert english == (
        2,
        "",
        f"waystation backup: error: argument --daily-at: {value!r} is not a time of day "
        "(HH:MM) (see waystation backup --help)\n",
    )
    assert vietnamese == (
        2,
        "",
        f"waystation backup: lỗi: tham số --daily-at: {value!r} không phải là giờ trong ngày "
        "(HH:MM) (xem waystation backup --help)\n",
    )


@pytest.mark.parametrize(
    ("value", "expected"), [("02:30", dt.time(2, 30)), ("2:05", dt.time(2, 5))]
)
def test_daily_at_reads_hours_and_minutes(value, expected):
    from stations.main import build_parser

    args = build_parser("en").parse_args(["backup", "/backups", "--daily-at", value])

    assert args.daily_at == expected
