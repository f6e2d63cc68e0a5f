"""``waystation --help`` and ``waystation holidays`` start fast because they import nothing
heavy: checked by what a fresh process has imported, not by timing (bench/cli.py times it)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

#: Packages that cost from a tenth of a second to several seconds to import, and that
#: neither the help text nor the holiday calendar needs.
HEAVY = (
    "inflect",
    "typeguard",
    "tortoise",
    "pypika",
    "aiosqlite",
    "asyncpg",
    "starlette",
    "uvicorn",
    "jinja2",
    "telegram",
    "apscheduler",
    "httpx",
    "openpyxl",
    "phonenumbers",
    "segno",
    "icalendar",
    "tqdm",
    "argon2",
    "stations.models",
    "stations.web",
    "bot",
    "scheduler",
)

_PROBE = """
import json, sys
from stations.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
heavy = sorted({name.split(".")[0] if not name.startswith("stations.") else ".".join(name.split(".")[:2])
                for name in sys.modules})
print(json.dumps({"code": code, "modules": heavy}), file=sys.stderr)
"""


def _imported_by(*argv: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return set(report["modules"])


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("holidays", "2027"), ("holidays", "2027", "--lang", "en"), ("report", "--help")],
)
def test_command_imports_no_heavy_package(argv):
    imported = _imported_by(*argv)

    assert sorted(imported & set(HEAVY)) == []


#: Standard modules that each cost a few milliseconds, a tenth of ``holidays``' start on
#: its own: logging (it logs nothing), shutil with lzma and bz2 (argparse's width), hashlib
#: with OpenSSL (the catalog cache's name), socket (a database error's type).
LIGHT_COMMAND_SKIPS = ("logging", "shutil", "lzma", "bz2", "hashlib", "_hashlib", "socket")


def test_holidays_imports_none_of_the_costly_standard_modules():
    imported = _imported_by("holidays", "2027")

    assert sorted(imported & set(LIGHT_COMMAND_SKIPS)) == []
