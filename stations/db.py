"""Database wiring: tortoise configuration, migrations, health."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import tortoise.backends.sqlite.executor  # noqa: F401  (registers its adapters first)
from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import connections
from tortoise.migrations.api import migrate as tortoise_migrate

log = logging.getLogger(__name__)

# tortoise-orm 1.1 registers sqlite3 adapters for date and datetime but not for time:
# without this a station's opening hours cannot be written to SQLite at all.
sqlite3.register_adapter(dt.time, lambda value: value.isoformat())


def _utc_text(value: dt.datetime) -> str:
    return (value.astimezone(dt.UTC) if value.tzinfo else value).isoformat(" ")


# SQLite compares datetimes as text, so every aware moment is written in UTC: tortoise's
# own adapter keeps the offset, and "2027-02-02 07:30:00+07:00" sorts after
# "2027-02-02 01:00:00+00:00" although it is half an hour earlier. Registered after
# tortoise's (imported just above) so ours is the one sqlite3 uses.
sqlite3.register_adapter(dt.datetime, _utc_text)

APP_LABEL = "stations"
MIGRATIONS_MODULE = "stations.migrations"


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be opened; the message says why in one line."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"cannot open the SQLite database {path}: {reason} (check WAYSTATION_DATABASE_URL)"
        )
        self.path = path
        self.reason = reason


def check_sqlite_path(url: str) -> None:
    """Refuse, in one clear line, a SQLite file that cannot be opened.

    aiosqlite's "unable to open database file" leaves tortoise's migration waiting forever,
    so the path is checked before tortoise sees it.
    """
    url = normalize_url(url)
    if not url.startswith("sqlite://"):
        return
    path = expand_db_url(url)["credentials"]["file_path"]
    if path == ":memory:":
        return
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise DatabaseUnavailable(path, f"the folder {folder} does not exist")
    if target.exists() and not target.is_file():
        raise DatabaseUnavailable(path, "it is not a file")
    needed = os.W_OK | (os.R_OK if target.exists() else 0)
    if not os.access(target if target.exists() else folder, needed):
        raise DatabaseUnavailable(path, "permission denied")
    if target.exists() and target.stat().st_size:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as conn:
                conn.execute("PRAGMA schema_version")
        except sqlite3.DatabaseError as exc:
            raise DatabaseUnavailable(path, str(exc)) from None


def normalize_url(url: str) -> str:
    # tortoise knows the "postgres" scheme; people (and Heroku-style providers) write both.
    if url.startswith("postgresql://"):
        return "postgres://" + url.removeprefix("postgresql://")
    return url


#: PostgreSQL connections one process may hold. tortoise's default, 5, queues the bot's
#: updates: Telegram keeps up to 40 webhook deliveries open at once, and each update takes a
#: connection for each of its statements (bench/bot.py, 100 updates/s offered: 42/s answered
#: with 5, the offered load with 20). A ``maxsize`` in the URL wins.
POSTGRES_POOL_SIZE = 20


def _pooled(url: str) -> str:
    """``url`` with tortoise's pool size for PostgreSQL, unless it names one itself."""
    if not url.startswith("postgres://"):
        return url
    parts = urlsplit(url)
    if "maxsize" in parse_qs(parts.query):
        return url
    query = "&".join(part for part in (parts.query, f"maxsize={POSTGRES_POOL_SIZE}") if part)
    return urlunsplit(parts._replace(query=query))


#: PostgreSQL's JIT compiles a statement whose estimated cost passes ``jit_above_cost``;
#: for the report's one summing statement that took 0.5 s of server CPU to save a few ms.
#: Our statements are short: none is worth compiling. No transaction of ours waits between
#: its statements for anything but the database, so one left idle for minutes is a leak (a
#: task lost half-way): PostgreSQL ends it, and the locks it held, rather than let every
#: writer of those rows queue behind it.
POSTGRES_SETTINGS = {"jit": "off", "idle_in_transaction_session_timeout": "5min"}


async def _keep_session(connection: Any) -> None:
    """What the pool does to a connection given back, beyond asyncpg's own rollback of a
    transaction left open: nothing. asyncpg's default also sends ``RESET ALL; CLOSE ALL;
    UNLISTEN *; SELECT pg_advisory_unlock_all()`` — a round trip on every release, a third
    of the bot's round trips — to undo session state this app never leaves on a pooled
    connection (no session ``SET``, ``LISTEN``, cursors or session advisory locks: a pooled
    connection is not the caller's from one statement to the next)."""


def _connection(url: str) -> str | dict[str, Any]:
    """tortoise's connection settings for ``url``: PostgreSQL's with the pool's size, its
    release and our server settings as above."""
    url = _pooled(normalize_url(url))
    if not url.startswith("postgres://"):
        return url
    config = expand_db_url(url)
    config["credentials"]["reset"] = _keep_session
    config["credentials"]["server_settings"] = {
        **config["credentials"].get("server_settings", {}),
        **POSTGRES_SETTINGS,
    }
    return config


def tortoise_config(url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(url)},
        "apps": {
            APP_LABEL: {
                "models": ["stations.models"],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(url: str) -> None:
    check_sqlite_path(url)
    # The global fallback lets tasks that did not inherit our context (uvicorn's request
    # tasks, the bot's and scheduler's workers) reach the same connections.
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def close_db() -> None:
    await Tortoise.close_connections()
    # Forget the models' binding too, so the next init may use another database engine.
    await Tortoise._reset_apps()


async def migrate(url: str) -> list[str]:
    """Apply every migration not applied yet (safe on every start); the names applied now."""
    check_sqlite_path(url)
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    async with _migration_lock(url):
        try:
            await tortoise_migrate(config=tortoise_config(url), progress=progress)
        finally:
            await close_db()
    return applied


#: The PostgreSQL advisory lock key that serialises migrations ("waystation" in ASCII, cut).
MIGRATION_LOCK_KEY = 0x77617973746174


def _locked_file(path: str) -> int:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


@contextlib.asynccontextmanager
async def _migration_lock(url: str) -> AsyncIterator[None]:
    """One migration at a time per database: replicas starting together wait for the first,
    then find nothing left to apply (tortoise's own bookkeeping is not safe to race)."""
    url = normalize_url(url)
    if url.startswith("sqlite://"):
        path = expand_db_url(url)["credentials"]["file_path"]
        if path == ":memory:":
            yield
            return
        descriptor = await asyncio.to_thread(_locked_file, f"{path}.migrate-lock")
        try:
            yield
        finally:
            os.close(descriptor)  # closing releases the lock
        return
    import asyncpg  # PostgreSQL only: not worth its import time on SQLite

    # Only where to connect: the URL's query holds tortoise's pool options (``maxsize``…),
    # which asyncpg would pass on to the server as settings it refuses.
    credentials = expand_db_url(url)["credentials"]
    connection = await asyncpg.connect(
        host=credentials["host"],
        port=credentials["port"],
        user=credentials["user"],
        password=credentials["password"],
        database=credentials["database"],
    )
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            yield
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await connection.close()


async def database_status() -> dict[str, Any]:
    """A health probe: can we reach the database, and which engine is it."""
    try:
        connection = connections.get("default")
        await connection.execute_query("SELECT 1")
    except Exception as exc:  # the health probe reports every failure, it never raises
        log.warning("database health check failed: %s", exc)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "engine": connection.capabilities.dialect}
