"""Log lines an operator can search, and that give nothing away.

One line per event: plain text by default, a JSON object per line with
``WAYSTATION_LOG_FORMAT=json``. The ids of what is being handled (the web request, the
signed-in user, the volunteer, the Telegram update, the outbox row) ride along from a
context variable that the adapters bind, so every line written while handling one thing
names it, libraries' lines included.

Before a line is written, secrets and personal data are masked: the configured secrets
themselves (server secret, bot token, webhook secret, metrics token), anything shaped
like a Telegram bot token or a bearer credential, and phone numbers (Vietnamese and
international), wherever they appear — a library's debug line with a request URL, an
exception's message, a traceback.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

#: The ids a log line may carry, in the order they are printed.
CONTEXT_KEYS = ("request_id", "user_id", "volunteer_id", "update_id", "outbox_id")

_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "log_context", default=None
)

BOT_TOKEN = re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}")
BEARER = re.compile(r"(?i)\b(bearer|token)(\s*[=:]?\s*)[A-Za-z0-9._~+/=-]{12,}")
#: +84 / 84 / 0 followed by 9–10 digits, with the spaces, dots and dashes people type, and
#: any other E.164 number; not part of a longer run of digits (ids, timestamps).
PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}[\s.-]?|\b84[\s.-]?|\b0)\d{2,4}(?:[\s.-]?\d{2,4}){2,3}(?![\w])"
)
MASK = "[redacted]"


def bind(**ids: Any) -> None:
    """Add ids to every line logged from here on in this task (and the tasks it starts)."""
    current = _context.get() or {}
    _context.set({**current, **{k: v for k, v in ids.items() if v is not None}})


@contextlib.contextmanager
def bound(**ids: Any) -> Iterator[None]:
    """Ids for the lines logged inside the block only."""
    current = _context.get() or {}
    token = _context.set({**current, **{k: v for k, v in ids.items() if v is not None}})
    try:
        yield
    finally:
        _context.reset(token)


def context_ids() -> dict[str, Any]:
    return dict(_context.get() or {})


class Redactor:
    """Masks the configured secrets and anything shaped like a token or a phone number."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        text = BOT_TOKEN.sub(MASK, text)
        text = BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
        return PHONE.sub(MASK, text)


class _Formatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def _parts(self, record: logging.LogRecord) -> tuple[str, str | None]:
        message = self.redact(record.getMessage())
        failure = None
        if record.exc_info:
            failure = self.redact(self.formatException(record.exc_info))
        elif record.exc_text:
            failure = self.redact(record.exc_text)
        return message, failure


class TextFormatter(_Formatter):
    """``2027-02-02 08:00:00,123 INFO bot: text [update_id=5 volunteer_id=7]``."""

    def format(self, record: logging.LogRecord) -> str:
        message, failure = self._parts(record)
        ids = context_ids()
        suffix = " ".join(f"{k}={ids[k]}" for k in CONTEXT_KEYS if k in ids)
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
        if suffix:
            line += f" [{suffix}]"
        if failure:
            line += "\n" + failure
        return line


class JsonFormatter(_Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the ids
    bound at the time, and the exception's traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        message, failure = self._parts(record)
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        entry.update(context_ids())
        if failure:
            entry["exception"] = failure
        return json.dumps(entry, ensure_ascii=False, default=str)


def make_handler(log_format: str, secrets: Iterable[str]) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    redact = Redactor(secrets)
    handler.setFormatter(JsonFormatter(redact) if log_format == "json" else TextFormatter(redact))
    return handler


def install(level: int, log_format: str, secrets: Iterable[str]) -> None:
    """Replace the root logger's handlers with one that writes ``log_format`` lines."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(make_handler(log_format, secrets))
    root.setLevel(level)
