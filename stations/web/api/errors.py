"""Every answer of the API that is not a success: ``{"error": {"code", "message", "field"}}``.

The services' typed errors carry their own code and status; ``ApiError`` adds the ones only
HTTP knows (no token, a body that is not JSON, a method the path does not take).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

from stations.enums import Language
from stations.i18n import _, translate
from stations.services.errors import StationsError

#: What every error's JSON looks like, shared with the OpenAPI document.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable reason."},
                "message": {
                    "type": "string",
                    "description": "For people, in the language of Accept-Language.",
                },
                "field": {
                    "type": ["string", "null"],
                    "description": "The parameter or body field at fault, if any.",
                },
            },
        }
    },
}

#: Status → what it means here, for the OpenAPI document.
ERROR_STATUSES: dict[int, str] = {
    400: "The request is malformed: a parameter or body field has the wrong type or range.",
    401: "No valid API token: send `Authorization: Bearer ws_…`.",
    403: "The token may not do this (a viewer token, or a unit outside its scope).",
    404: "No such resource, or a referenced id does not exist.",
    405: "The path does not take this method.",
    409: "The change conflicts with the current state (capacity, overlap, reused key).",
    413: "The request body is too large.",
    415: "The request body is not JSON.",
    422: "The request is well-formed but breaks a rule of the domain.",
}

NOT_FOUND_PATH = _("There is nothing at this address in the API.")
SERVER_ERROR = _("Something went wrong on our side; the error has been logged.")


class ApiError(StationsError):
    """An error of the HTTP layer, with its own status and code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message, field=field, **(params or {}))
        self.status = status
        self.error_code = code
        self.headers = dict(headers or {})

    def as_dict(self, language: str | Language | None) -> dict[str, object]:
        return {"code": self.error_code, "message": self.translated(language), "field": self.field}


def bad_request(message: str, *, field: str | None, **params: object) -> ApiError:
    """A 400 for ``field``; the message may name it as ``{name}``."""
    return ApiError(400, "invalid", message, field=field, params={"name": field, **params})


def error_response(error: StationsError, language: Language) -> JSONResponse:
    """The JSON answer for any of our typed errors."""
    if isinstance(error, ApiError):
        status, headers = error.status, error.headers
    else:
        status, headers = error.http_status, {}
    return JSONResponse(
        {"error": error.as_dict(language)},
        status_code=status,
        headers={**headers, "Content-Language": language.value},
    )


def server_error_response(language: Language) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "code": "server_error",
                "message": translate(SERVER_ERROR, language),
                "field": None,
            }
        },
        status_code=500,
        headers={"Content-Language": language.value},
    )
