"""Backups that restore: one file holding the whole database, taken while the service runs.

SQLite is copied with its online backup API, which reads a consistent snapshot however many
writers are busy. PostgreSQL is dumped with ``pg_dump`` in its custom format (a consistent
snapshot too) and restored with ``pg_restore``; both tools must be on the PATH, and the
error says so when they are not. Credentials go to the tools through libpq's environment
variables, never on their command line, where ``ps`` would show them.

A restore refuses a database that already holds data unless forced, then brings the
restored schema up to this version's migrations.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import connections

from stations import clock, db
from stations.i18n import _
from stations.models import BackupRecord
from stations.services.errors import StationsError

#: The first bytes of a pg_dump custom-format archive and of an SQLite database file.
PG_DUMP_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
#: How backups written into a folder are named (Vietnam time); the names sort by time.
FILE_PATTERN = "waystation-{stamp}.{suffix}"
#: The last backup is stale when older than this: a nightly backup was missed (a day, and
#: two hours' grace for a backup that ran long or late).
BACKUP_STALE_AFTER = dt.timedelta(hours=26)


class BackupError(StationsError):
    code = "backup_failed"
    http_status = 500


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size_bytes: int
    engine: str
    removed: tuple[Path, ...] = ()


def engine_of(url: str) -> str:
    return "sqlite" if db.normalize_url(url).startswith("sqlite://") else "postgres"


def _sqlite_path(url: str) -> Path:
    return Path(expand_db_url(db.normalize_url(url))["credentials"]["file_path"])


def _libpq_environment(url: str) -> dict[str, str]:
    parts = urlsplit(db.normalize_url(url))
    env = dict(os.environ)
    values = {
        "PGHOST": parts.hostname or "",
        "PGPORT": str(parts.port or ""),
        "PGUSER": unquote(parts.username or ""),
        "PGPASSWORD": unquote(parts.password or ""),
        "PGDATABASE": unquote(parts.path.lstrip("/")),
    }
    env.update({name: value for name, value in values.items() if value})
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _(
                "{tool} is not installed: install the PostgreSQL client tools "
                "(Debian: apt-get install postgresql-client) to back up or restore PostgreSQL."
            ),
            tool=name,
        )
    return found


async def _run_tool(argv: list[str], url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=_libpq_environment(url),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _stdout, stderr = await process.communicate()
    if process.returncode != 0:
        reason = " ".join(stderr.decode(errors="replace").split())[:500]
        raise BackupError(
            _("{tool} failed: {reason}"), tool=Path(argv[0]).name, reason=reason or "?"
        )


def check_backup_target(raw: str | Path, *, keep: int | None = None) -> Path:
    """Where backups are to go, refused with a clear message when they cannot: a file in a
    folder that exists, or a folder (required by ``keep``, which must be 1 or more).

    Checked again at each backup; a command that backs up nightly checks it at its start.
    """
    target = Path(raw).expanduser()
    if keep is not None and keep < 1:
        raise BackupError(_("Keep at least one backup."), field="keep")
    if keep is not None and not target.is_dir():
        raise BackupError(
            _("{path} is not a folder: --keep needs a folder of backups."), path=str(target)
        )
    if not target.is_dir() and not target.parent.is_dir():
        raise BackupError(_("The folder {path} does not exist."), path=str(target.parent))
    return target


def _file_for(target: Path, engine: str, now: dt.datetime) -> Path:
    """``target``, or in the folder ``target`` a file named for ``now`` in Vietnam, as the
    operator reads the night of a backup (a fixed offset: the names still sort by time)."""
    if not target.is_dir():
        return target
    suffix = "sqlite3" if engine == "sqlite" else "dump"
    stamp = clock.local(now).strftime("%Y%m%d-%H%M%S")
    return target / FILE_PATTERN.format(stamp=stamp, suffix=suffix)


def _copy_sqlite(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source)) as reader,
        contextlib.closing(sqlite3.connect(target)) as writer,
    ):
        reader.backup(writer)


def _prune(folder: Path, keep: int, engine: str) -> tuple[Path, ...]:
    suffix = "sqlite3" if engine == "sqlite" else "dump"
    ours = sorted(folder.glob(FILE_PATTERN.format(stamp="*", suffix=suffix)))
    removed = tuple(ours[:-keep]) if keep > 0 else ()
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


async def back_up_database(
    url: str, target: str | Path, *, now: dt.datetime, keep: int | None = None
) -> BackupResult:
    """Write a consistent copy of the database at ``url`` to ``target`` (a file, or a
    folder where a time-stamped file is written and only the newest ``keep`` are kept).

    The copy is written beside its final name and renamed when complete, so a backup file
    that exists is always whole. Records the backup in the database it copied.
    """
    engine = engine_of(url)
    path = _file_for(check_backup_target(target, keep=keep), engine, now)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if engine == "sqlite":
            source = _sqlite_path(url)
            if not source.is_file():
                raise BackupError(_("There is no database file at {path}."), path=str(source))
            partial.unlink(missing_ok=True)
            await asyncio.to_thread(_copy_sqlite, source, partial)
        else:
            await _run_tool(
                [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"], url
            )
        partial.replace(path)
    except OSError as exc:
        raise BackupError(
            _("Cannot write the backup {path}: {reason}"), path=str(path), reason=exc.strerror
        ) from exc
    finally:
        partial.unlink(missing_ok=True)
    size = path.stat().st_size
    await BackupRecord.create(taken_at=now, file_name=path.name, size_bytes=size, engine=engine)
    removed = _prune(path.parent, keep, engine) if keep is not None else ()
    return BackupResult(path=path, size_bytes=size, engine=engine, removed=removed)


def _backup_file(raw: str | Path) -> tuple[Path, str]:
    """The backup's path and the engine it is a backup of."""
    source = Path(raw).expanduser()
    if not source.is_file():
        raise BackupError(_("There is no backup file at {path}."), path=str(source))
    try:
        with source.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(
            _("Cannot read the backup {path}: {reason}"), path=str(source), reason=exc.strerror
        ) from exc
    if head.startswith(SQLITE_MAGIC):
        return source, "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return source, "postgres"
    raise BackupError(
        _("{path} is not a Waystation backup (neither an SQLite file nor a pg_dump archive)."),
        path=str(source),
    )


async def database_holds_data() -> bool:
    """Whether any of our tables has a row (a migrated but unused database does not)."""
    connection = connections.get("default")
    for model in Tortoise.apps.get_models_iterable():  # type: ignore[attr-defined]
        table = model._meta.db_table
        _count, rows = await connection.execute_query(f'SELECT 1 FROM "{table}" LIMIT 1')
        if rows:
            return True
    return False


async def _holds_data(url: str) -> bool:
    if engine_of(url) == "sqlite" and not _sqlite_path(url).exists():
        return False
    await db.migrate(url)
    await db.init_db(url)
    try:
        return await database_holds_data()
    finally:
        await db.close_db()


async def restore_database(url: str, source: str | Path, *, force: bool = False) -> list[str]:
    """Replace the database at ``url`` with the backup ``source``, then migrate it to this
    version. Refuses a database holding data unless ``force``; the migrations applied."""
    engine = engine_of(url)
    source, found = _backup_file(source)
    if found != engine:
        raise BackupError(
            _("{path} is a backup of a {found} database; this database is {engine}."),
            path=str(source),
            found=found,
            engine=engine,
        )
    if not force and await _holds_data(url):
        raise BackupError(
            _("The database already holds data: restore into an empty one, or add --force.")
        )
    if engine == "sqlite":
        await asyncio.to_thread(_copy_sqlite, source, _sqlite_path(url))
    else:
        await _run_tool(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                f"--dbname={_libpq_environment(url).get('PGDATABASE', '')}",
                str(source),
            ],
            url,
        )
    return await db.migrate(url)


def backup_is_stale(taken_at: dt.datetime | None, *, now: dt.datetime) -> bool:
    """Whether the last backup, taken at ``taken_at`` (None: none recorded), is stale at
    ``now``: more than ``BACKUP_STALE_AFTER`` old."""
    return taken_at is None or now - taken_at > BACKUP_STALE_AFTER


def next_daily_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The next moment, strictly after ``now``, that is ``at`` o'clock in Vietnam."""
    local = clock.local(now)
    moment = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if moment <= local:
        moment += dt.timedelta(days=1)
    return moment.astimezone(dt.UTC)
