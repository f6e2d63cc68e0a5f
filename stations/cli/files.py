"""The report's Excel file: its path checked up front, its content written whole or not at all."""

from __future__ import annotations

import contextlib
import errno
import gc
import io
import logging
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from stations.i18n import _, translate
from stations.services.errors import InvalidInput

if TYPE_CHECKING:
    from stations.services.queries.reports import CampaignReport

log = logging.getLogger(__name__)

#: Why the system refused a write, in words a coordinator reads; others keep the system's.
_WRITE_FAILURES = {
    errno.EACCES: _("permission denied"),
    errno.EPERM: _("permission denied"),
    errno.EROFS: _("the disk is read-only"),
    errno.ENOSPC: _("the disk is full"),
    errno.EDQUOT: _("the disk quota is used up"),
    errno.EISDIR: _("it is a folder"),
    errno.ENOTDIR: _("part of the path is not a folder"),
    errno.ENAMETOOLONG: _("the name is too long"),
    errno.EFBIG: _("the file is too large for the system to write"),
    # The folder was checked to exist: this is a file system refusing new files (/proc).
    errno.ENOENT: _("the file cannot be created there"),
}


def _cannot_write(path: str | Path, reason: str, language: str) -> InvalidInput:
    return InvalidInput(
        _("Cannot write the report to “{path}”: {reason}."),
        field="xlsx",
        path=str(path),
        reason=translate(reason, language),
    )


def _refusal(path: str | Path, exc: OSError, language: str) -> InvalidInput:
    reason = _WRITE_FAILURES.get(exc.errno or 0) or " ".join((exc.strerror or str(exc)).split())
    return _cannot_write(path, reason, language)


def check_report_path(raw: str, language: str) -> Path:
    """The Excel file ``raw`` names, when one can be written there; else ``InvalidInput``."""
    text = raw.strip()
    if not text:
        raise InvalidInput(
            _("Give the name of the Excel file to write, ending in .xlsx."), field="xlsx"
        )
    path = Path(text).expanduser()
    if not path.name.lower().endswith(".xlsx"):
        raise InvalidInput(
            _("The report file “{path}” must end in .xlsx."), field="xlsx", path=text
        )
    try:
        if path.is_dir():
            raise _cannot_write(text, _("it is a folder"), language)
        if not path.parent.is_dir():
            raise _cannot_write(text, _("the folder does not exist"), language)
    except OSError as exc:  # a name too long to look up, a loop of links
        raise _refusal(text, exc, language) from None
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise _cannot_write(text, _("permission denied"), language)
    return path


@contextlib.contextmanager
def _quiet_finalizers() -> Iterator[None]:
    """Log, rather than print, errors of finalizers run while the block ends.

    A failed openpyxl save leaves half-written zip streams behind; collected, they try to
    finish writing, fail again, and Python would print their tracebacks under our one line.
    """
    previous = sys.unraisablehook

    def note(unraisable: sys.UnraisableHookArgs) -> None:
        log.debug("ignored while cleaning up a failed write: %r", unraisable.exc_value)

    sys.unraisablehook = note
    try:
        yield
    finally:
        gc.collect()
        sys.unraisablehook = previous


def report_workbook(report: CampaignReport, *, path: Path, language: str) -> bytes:
    """The report as an Excel workbook's bytes, or ``InvalidInput`` naming ``path`` when
    the system refused openpyxl its temporary files (a full disk)."""
    from stations.services.exports import write_report_xlsx

    failure: OSError | None = None
    with _quiet_finalizers():
        try:
            workbook = io.BytesIO()
            write_report_xlsx(report, workbook, language=language)
            return workbook.getvalue()
        except OSError as exc:
            # A copy without the traceback, so the half-written streams go with the block.
            failure = OSError(exc.errno, exc.strerror)
    raise _refusal(path, failure, language)


def write_whole(path: Path, content: bytes, language: str) -> None:
    """Write ``content`` to ``path`` whole or not at all.

    It goes to a new file in the same folder first, renamed over ``path`` once complete:
    a full disk or a refusing folder never leaves half a file under the name asked for.
    """
    # Short and fixed in length, so a long but valid name does not fail at the partial.
    partial = path.with_name(f".waystation-{secrets.token_hex(8)}.part")
    try:
        with partial.open("xb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise _refusal(path, exc, language) from None
