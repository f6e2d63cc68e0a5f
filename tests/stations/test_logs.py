"""Log lines: text or JSON, with the ids of what is being handled, and nothing secret or
personal in them — checked line by line and over a whole run of the service."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import sqlite3
import sys
from pathlib import Path

import httpx
import pytest

from stations import logs
from stations.logs import MASK, JsonFormatter, Redactor, TextFormatter

ROOT = Path(__file__).resolve().parents[2]
BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
SECRET_KEY = "s" * 20 + "-very-secret-server-key"


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    record = logging.LogRecord("bot", logging.INFO, __file__, 1, message, args, None)
    if exc is not None:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    return record


@pytest.mark.parametrize(
    "text",
    [
        "+84983681802",
        "0983 681 802",
        "0983.681.802",
        "0983-681-802",
        "84 983 681 802",
        "+1 202 555 0100",
        "028 3829 1234",
    ],
)
def test_phone_numbers_are_masked_however_they_are_written(text):
    assert Redactor()(f"volunteer {text} checked in") == f"volunteer {MASK} checked in"


@pytest.mark.parametrize(
    "text",
    ["update 834112345 handled", "outbox 1234567 sent", "2027-02-02 08:00:00", "took 0.25 s"],
)
def test_ids_times_and_durations_are_not_taken_for_phones(text):
    assert Redactor()(text) == text


def test_bot_tokens_bearer_credentials_and_configured_secrets_are_masked():
    redact = Redactor([SECRET_KEY, "short"])

    line = redact(
        f"POST https://api.telegram.org/bot{BOT_TOKEN}/getMe "
        f"Authorization: Bearer abcdefghijklmnop12 key={SECRET_KEY} short"
    )

    assert BOT_TOKEN not in line and "abcdefghijklmnop12" not in line
    assert SECRET_KEY not in line
    assert line.endswith("short")  # too short to be a secret worth masking everywhere


def test_text_lines_carry_the_bound_ids_and_mask_tracebacks():
    formatter = TextFormatter(Redactor())
    try:
        raise ValueError("no volunteer with phone 0983 681 802")
    except ValueError as exc:
        record = _record("update failed for %s", "+84983681802", exc=exc)
    with logs.bound(update_id=42, volunteer_id=7):
        line = formatter.format(record)

    first = line.splitlines()[0]
    assert first.endswith(f"INFO bot: update failed for {MASK} [volunteer_id=7 update_id=42]")
    assert "0983 681 802" not in line and "983681802" not in line
    assert "ValueError" in line


def test_json_lines_are_one_object_each_with_ids_and_exception():
    formatter = JsonFormatter(Redactor())
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError as exc:
        record = _record("sending %s failed", 9, exc=exc)
    with logs.bound(outbox_id=9, request_id="abc12345"):
        line = formatter.format(record)

    entry = json.loads(line)
    assert "\n" not in line
    assert {k: entry[k] for k in ("level", "logger", "message", "outbox_id", "request_id")} == {
        "level": "INFO",
        "logger": "bot",
        "message": "sending 9 failed",
        "outbox_id": 9,
        "request_id": "abc12345",
    }
    assert entry["time"].endswith("+00:00")
    assert "RuntimeError: boom" in entry["exception"]


def test_bound_ids_end_with_their_block():
    with logs.bound(update_id=1):
        inner = logs.context_ids()
    assert inner == {"update_id": 1}
    assert "update_id" not in logs.context_ids()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.e2e
async def test_a_whole_run_logs_no_secret_token_or_phone(tmp_path):
    """``serve --demo --verbose`` with a bot token whose API is unreachable (httpx then logs
    request addresses holding the token), JSON lines, a failed sign-in and a few pages: the
    log names none of the secrets and none of the demo's phone numbers."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYSTATION_")}
    env.update(
        WAYSTATION_DATABASE_URL=f"sqlite://{tmp_path / 'run.sqlite3'}",
        WAYSTATION_SECRET_KEY=SECRET_KEY,
        WAYSTATION_TELEGRAM_TOKEN=BOT_TOKEN,
        WAYSTATION_TELEGRAM_API_URL=f"http://127.0.0.1:{_free_port()}/bot",
        WAYSTATION_METRICS_TOKEN="metrics-token-0123456789",
        WAYSTATION_LOG_FORMAT="json",
        WAYSTATION_SCHEDULER="on",
        WAYSTATION_PORT=str(port),
    )
    log_file = (tmp_path / "run.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "stations.main",
        "serve",
        "--demo",
        "--verbose",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log_file,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(600):
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
            page = await client.get("/signin")
            await client.post(
                "/signin",
                data={"email": "0983681802@example.vn", "password": "x"},
                headers={"Authorization": "Bearer abcdefghijklmnopqrst"},
            )
            await client.get("/metrics", headers={"Authorization": "Bearer wrong-token-123456"})
            assert page.status_code == 200
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=60)
        log_file.close()
    log = (tmp_path / "run.log").read_text()
    with contextlib.closing(sqlite3.connect(tmp_path / "run.sqlite3")) as database:
        phones = [row[0] for row in database.execute("SELECT phone FROM volunteer")]

    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert len(lines) > 20
    assert not [line for line in log.splitlines() if line.startswith("INFO:")]
    assert any(line["message"].startswith("GET /signin 200") for line in lines)
    assert any("request_id" in line for line in lines)
    for secret in (BOT_TOKEN, SECRET_KEY, "metrics-token-0123456789", "abcdefghijklmnopqrst"):
        assert secret not in log
    assert len(phones) > 100
    leaked = [phone for phone in phones if phone.removeprefix("+84") in log]
    assert leaked == []
