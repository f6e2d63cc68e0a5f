"""What every sub-command gets: settings, the reader's language, and the database."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from typing import NamedTuple
from urllib.parse import urlsplit

from stations.enums import Language
from stations.i18n import _, translate
from stations.services.errors import StationsError
from stations.settings import Settings


class CliContext(NamedTuple):
    settings: Settings
    language: str
    quiet: bool = False
    verbose: bool = False


def describe_database(url: str) -> str:
    """The database URL without its password, to show on screen."""
    from stations import db

    url = db.normalize_url(url)
    if url.startswith("sqlite://"):
        return url
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{parts.hostname}{port}{parts.path}"


class DatabaseCannotOpen(StationsError):
    """The configured database cannot be reached or opened: one line saying which and why."""

    code = "database_unavailable"
    http_status = 503

    def __init__(self, database: str, *, problem: str, reason: str) -> None:
        super().__init__(
            _(
                "Cannot open the database {database}: {problem}. "
                "Check WAYSTATION_DATABASE_URL. ({reason})"
            ),
            field="database_url",
            database=database,
            problem=problem,
            reason=reason,
        )

    def translated(self, language: str | Language | None) -> str:
        # ``problem`` is itself a message id; ``reason`` is the driver's words, kept as they are.
        params = {**self.params, "problem": translate(str(self.params["problem"]), language)}
        return translate(self.message, language, **params)


_SERVER_REFUSED = _("the server refused the connection")
_HOST_UNKNOWN = _("the server's name cannot be found")
_NO_ANSWER = _("the server did not answer in time")
_UNREACHABLE = _("the server cannot be reached")
_LOGIN_REFUSED = _("the server did not accept the user name or password")
_NO_SUCH_DATABASE = _("there is no database of that name on the server")
_NOT_ACCEPTING = _("the server does not accept connections at the moment")
_CONNECTION_FAILED = _("the connection failed")
_FILE_UNUSABLE = _("the database file cannot be used")


def _connection_problem(exc: BaseException) -> str | None:
    """What went wrong in reaching the database, as a message id; None when ``exc`` is
    not about reaching it (a failing migration, say), so it is not disguised as one."""
    # Looked up, not imported: a command that never opened a connection has no socket
    # module loaded (importing it costs the CLI's start), and then no gaierror either.
    socket = sys.modules.get("socket")
    if socket is not None and isinstance(exc, socket.gaierror):
        return _HOST_UNKNOWN
    if isinstance(exc, ConnectionRefusedError):
        return _SERVER_REFUSED
    if isinstance(exc, TimeoutError):
        return _NO_ANSWER
    if isinstance(exc, OSError):
        return _UNREACHABLE
    # asyncpg is imported by tortoise only for a PostgreSQL URL: if it is not loaded,
    # the error cannot be one of its.
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is not None:
        if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
            return _LOGIN_REFUSED
        if isinstance(exc, asyncpg.InvalidCatalogNameError):
            return _NO_SUCH_DATABASE
        if isinstance(exc, asyncpg.CannotConnectNowError | asyncpg.TooManyConnectionsError):
            return _NOT_ACCEPTING
        if isinstance(exc, asyncpg.PostgresConnectionError):
            return _CONNECTION_FAILED
    from tortoise.exceptions import DBConnectionError

    if isinstance(exc, DBConnectionError):
        return _CONNECTION_FAILED
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


@contextlib.contextmanager
def reporting_connection_errors(url: str) -> Iterator[None]:
    """Turn a failure to reach or open the database into one translated line.

    The line names the database (password hidden) and WAYSTATION_DATABASE_URL, and ends
    with the driver's own words for whoever has to look further.
    """
    from stations import db

    try:
        yield
    except db.DatabaseUnavailable as exc:
        # Only SQLite raises it (a missing folder, a file that is no database).
        reason = getattr(exc, "reason", None)
        if reason is None:
            # Its text, in English, already names the file and WAYSTATION_DATABASE_URL.
            raise StationsError(_one_line(str(exc)), field="database_url") from exc
        raise DatabaseCannotOpen(
            describe_database(url), problem=_FILE_UNUSABLE, reason=_one_line(str(reason))
        ) from exc
    except Exception as exc:
        problem = _connection_problem(exc)
        if problem is None:
            raise
        failure: BaseException = exc
        # tortoise wraps some driver errors (an unknown database name) in its own, vaguer one.
        if exc.__cause__ is not None and (deeper := _connection_problem(exc.__cause__)):
            failure, problem = exc.__cause__, deeper
        raise DatabaseCannotOpen(
            describe_database(url),
            problem=problem,
            reason=_one_line(str(failure)) or type(failure).__name__,
        ) from exc


@contextlib.asynccontextmanager
async def open_database(settings: Settings, *, migrate: bool = True) -> AsyncIterator[None]:
    """The database, migrated and open, and closed again however the command ends.

    Closing matters: an aiosqlite connection left open keeps its thread alive and the
    process would hang at exit.
    """
    from stations import db

    try:
        with reporting_connection_errors(settings.database_url):
            if migrate:
                await db.migrate(settings.database_url)
            await db.init_db(settings.database_url)
        yield
    finally:
        await db.close_db()
