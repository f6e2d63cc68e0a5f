"""What every sub-command gets: settings, the reader's language, and the database."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from stations import db
from stations.settings import Settings


@dataclass(frozen=True, slots=True)
class CliContext:
    settings: Settings
    language: str
    quiet: bool = False
    verbose: bool = False


@contextlib.asynccontextmanager
async def open_database(settings: Settings, *, migrate: bool = True) -> AsyncIterator[None]:
    """The database, migrated and open, and closed again however the command ends.

    Closing matters: an aiosqlite connection left open keeps its thread alive and the
    process would hang at exit.
    """
    try:
        if migrate:
            await db.migrate(settings.database_url)
        await db.init_db(settings.database_url)
        yield
    finally:
        await db.close_db()
