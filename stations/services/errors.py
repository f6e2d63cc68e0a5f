"""Typed errors every service raises instead of a raw database exception.

Each carries an English message id (translated for its reader by the adapter), the
offending field where there is one, and the values its placeholders need.
"""

from __future__ import annotations

from typing import ClassVar

from stations.enums import Language
from stations.i18n import translate


class StationsError(Exception):
    code: ClassVar[str] = "invalid"
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.field = field
        self.params = params

    def translated(self, language: str | Language | None) -> str:
        return translate(self.message, language, **self.params)

    def as_dict(self, language: str | Language | None) -> dict[str, object]:
        return {"code": self.code, "message": self.translated(language), "field": self.field}


class InvalidInput(StationsError):
    code = "invalid"
    http_status = 422


class NotFound(StationsError):
    code = "not_found"
    http_status = 404


class Conflict(StationsError):
    code = "conflict"
    http_status = 409


class CapacityExceeded(Conflict):
    code = "capacity_exceeded"


class ShiftOverlap(Conflict):
    code = "shift_overlap"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class PermissionDenied(StationsError):
    code = "forbidden"
    http_status = 403


class ImportRejected(StationsError):
    """A roster file had invalid rows and the caller did not ask to import only the valid ones."""

    code = "import_rejected"
    http_status = 422
