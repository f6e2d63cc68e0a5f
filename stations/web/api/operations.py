"""The API's operations and the one adapter every request goes through.

An ``Operation`` declares a method and path, its parameters and body (``fields``) and its
answers (``resources``); ``endpoint`` turns the operations into Starlette routes that
authenticate the bearer token, read the language, check parameters and body against the
declaration, call the handler, and answer every failure as JSON. The OpenAPI document is
built from the same declarations.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from stations.enums import Language
from stations.i18n import _
from stations.services.errors import StationsError
from stations.services.permissions import Principal, check_can_change, principal_for_api_token
from stations.services.queries.api import Page
from stations.services.users import authenticate_api_token
from stations.web.api.errors import (
    NOT_FOUND_PATH,
    ApiError,
    bad_request,
    error_response,
    server_error_response,
)
from stations.web.api.fields import REQUIRED, Body, Field, id_field
from stations.web.api.resources import Resource
from stations.web.i18n import request_language

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
#: No entry of this API comes near it; a megabyte still leaves room for long notes.
MAX_BODY_BYTES = 1_000_000
MAX_PAGE = 200
DEFAULT_PAGE = 50

MISSING_TOKEN = _("Send an API token in the header “Authorization: Bearer <token>”.")
INVALID_TOKEN = _("This API token is not valid or has been revoked.")
METHOD_NOT_ALLOWED = _("This address does not take {method} requests; it takes {allowed}.")
BODY_TOO_LARGE = _("The request body is larger than {max} bytes.")
NOT_JSON = _("Send the request body as JSON, with the header “Content-Type: application/json”.")
INVALID_JSON = _("The request body is not valid JSON.")
BODY_REQUIRED = _("This request needs a JSON body.")
BAD_LENGTH = _("The Content-Length header is not a number.")
BAD_CURSOR = _("The cursor is not valid: pass the next_cursor of the previous page.")

LIMIT = Field(
    "limit",
    "integer",
    f"Rows per page, 1 to {MAX_PAGE}.",
    minimum=1,
    maximum=MAX_PAGE,
    default=DEFAULT_PAGE,
)
CURSOR = Field(
    "cursor",
    "string",
    "Where the page starts: the `next_cursor` of the previous page.",
    max_length=19,
    pattern="^[0-9]{1,19}$",
)
PAGE_PARAMETERS = (LIMIT, CURSOR)

_PATH_PARAMETER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]


@dataclass
class ApiCall:
    """One request, checked: who asks, in which language, with which parameters."""

    request: Request
    operation: Operation
    principal: Principal
    language: Language
    path: dict[str, int]
    query: dict[str, Any]
    headers: dict[str, Any]

    async def body(self) -> dict[str, Any]:
        """The JSON body, checked against the operation's declaration.

        Read only when the handler asks, after it has found and authorised the resource,
        so a refused request is refused as such whatever its body."""
        declared = self.operation.body
        assert declared is not None, "an operation without a body asked for one"
        raw = await _read_json(self.request)
        if raw is _ABSENT:
            if self.operation.body_required:
                raise bad_request(BODY_REQUIRED, field=None)
            raw = {}
        return declared.parse(raw)

    def after(self) -> int | None:
        cursor = self.query.get("cursor")
        if cursor is None:
            return None
        if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 19:
            raise bad_request(BAD_CURSOR, field="cursor")
        return int(cursor)

    @property
    def limit(self) -> int:
        limit: int = self.query["limit"]
        return limit


Handler = Callable[[ApiCall], Awaitable[Reply]]


@dataclass(frozen=True)
class Answer:
    status: int
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    method: Literal["GET", "POST"]
    #: below ``PREFIX``, path parameters in braces: ``/campaigns/{campaign_id}``
    path: str
    operation_id: str
    summary: str
    tag: str
    handler: Handler
    answers: tuple[Answer, ...]
    description: str = ""
    query: tuple[Field, ...] = ()
    headers: tuple[Field, ...] = ()
    body: Body | None = None
    body_required: bool = True
    #: a write: refused to read-only tokens before anything else
    change: bool = False
    #: no token needed (the OpenAPI document)
    public: bool = False
    errors: tuple[int, ...] = (400, 401, 403)

    @property
    def path_parameters(self) -> tuple[Field, ...]:
        return tuple(
            id_field(name, f"The id of the {name.removesuffix('_id')}.", required=True)
            for name in _PATH_PARAMETER.findall(self.path)
        )

    @property
    def full_path(self) -> str:
        return PREFIX + self.path

    @property
    def error_statuses(self) -> tuple[int, ...]:
        statuses = set(self.errors)
        if self.public:
            statuses -= {401, 403}
        if not (self.query or self.headers or self.body):
            statuses.discard(400)  # nothing to be malformed: a bad id in the path is a 404
        if self.path_parameters:
            statuses.add(404)
        if self.body is not None:
            statuses |= {409, 413, 415, 422}
        return tuple(sorted(statuses))


# -- answers ------------------------------------------------------------------------------


def one(resource: Resource, *, status: int = 200, description: str = "") -> Answer:
    return Answer(
        status,
        description or f"The {resource.name}.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["data"],
            "properties": {"data": resource.reference()},
        },
    )


def many(resource: Resource, *, paginated: bool = True) -> Answer:
    properties: dict[str, Any] = {"data": {"type": "array", "items": resource.reference()}}
    if paginated:
        properties["next_cursor"] = {
            "type": ["string", "null"],
            "description": "Pass as `cursor` for the next page; null on the last page.",
        }
        properties["next"] = {
            "type": ["string", "null"],
            "description": "The address of the next page; null on the last page.",
        }
    return Answer(
        200,
        f"A list of {resource.name}.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": list(properties),
            "properties": properties,
        },
    )


def data_reply(resource: Resource, row: Any, *, status: int = 200) -> Reply:
    return Reply(status, {"data": resource.dump(row)})


def list_reply(resource: Resource, rows: Iterable[Any]) -> Reply:
    return Reply(200, {"data": [resource.dump(row) for row in rows]})


def page_reply(call: ApiCall, resource: Resource, page: Page[Any]) -> Reply:
    next_cursor = None if page.next_after is None else str(page.next_after)
    next_url = None
    if next_cursor is not None:
        url: URL = call.request.url.include_query_params(cursor=next_cursor, limit=call.limit)
        next_url = url.path + "?" + url.query
    return Reply(
        200,
        {
            "data": [resource.dump(row) for row in page.rows],
            "next_cursor": next_cursor,
            "next": next_url,
        },
    )


@contextlib.contextmanager
def body_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """Errors of a service name its own parameters ("station"); the client should read the
    body field it sent ("station_id")."""
    try:
        yield
    except StationsError as error:
        if error.field is not None and error.field in names:
            error.field = names[error.field]
        raise


# -- the adapter --------------------------------------------------------------------------


class _Absent:
    pass


_ABSENT = _Absent()


async def _read_json(request: Request) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isascii() or not declared.strip().isdigit():
            raise bad_request(BAD_LENGTH, field=None)
        if int(declared) > MAX_BODY_BYTES:
            raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw:
        return _ABSENT
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise ApiError(415, "unsupported_media_type", NOT_JSON)
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request(INVALID_JSON, field=None) from None


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are JavaScript, not JSON.
    raise ValueError(name)


def _too_large() -> ApiError:
    return ApiError(413, "too_large", BODY_TOO_LARGE, params={"max": MAX_BODY_BYTES})


async def _authenticate(request: Request, language: Language) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _sep, credentials = header.strip().partition(" ")
    if not header or scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(
            401, "unauthorized", MISSING_TOKEN, headers={"WWW-Authenticate": 'Bearer realm="api"'}
        )
    token = await authenticate_api_token(credentials.strip())
    if token is None:
        raise ApiError(
            401,
            "unauthorized",
            INVALID_TOKEN,
            headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
        )
    return dataclasses.replace(await principal_for_api_token(token), language=language)


def _parse_path(operation: Operation, raw: Mapping[str, Any]) -> dict[str, int]:
    values: dict[str, int] = {}
    for spec in operation.path_parameters:
        value = raw.get(spec.name)
        if not isinstance(value, int) or not (spec.minimum or 1) <= value <= (spec.maximum or 0):
            # An id no row can have: the address names nothing.
            raise ApiError(404, "not_found", NOT_FOUND_PATH, field=spec.name)
        values[spec.name] = value
    return values


def _parse_parameters(fields: Sequence[Field], source: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for spec in fields:
        raw = source.get(spec.name)
        if raw is None:
            if spec.required:
                raise bad_request(REQUIRED, field=spec.name)
            values[spec.name] = spec.default
        else:
            values[spec.name] = spec.from_text(raw)
    return values


async def run_operation(operation: Operation, request: Request) -> Response:
    language = request_language(request, default=Language.VI)
    try:
        if operation.public:
            return await _reply(operation, request, None, language)
        principal = await _authenticate(request, language)
        if operation.change:
            check_can_change(principal)
        return await _reply(operation, request, principal, language)
    except StationsError as error:
        return error_response(error, language)
    except Exception:
        log.exception("API %s %s failed", request.method, request.url.path)
        return server_error_response(language)


async def _reply(
    operation: Operation, request: Request, principal: Principal | None, language: Language
) -> Response:
    call = ApiCall(
        request=request,
        operation=operation,
        principal=principal,  # type: ignore[arg-type]  # only public operations get None
        language=language,
        path=_parse_path(operation, request.path_params),
        query=_parse_parameters(operation.query, request.query_params),
        headers=_parse_parameters(operation.headers, request.headers),
    )
    reply = await operation.handler(call)
    return JSONResponse(
        reply.body, status_code=reply.status, headers={"Content-Language": language.value}
    )


# -- routes -------------------------------------------------------------------------------


def routes(operations: Sequence[Operation]) -> list[BaseRoute]:
    """One route per path (its methods dispatched here), then a catch-all that answers 404
    and 405 as JSON rather than leaving them to the HTML pages' handlers."""
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        by_path.setdefault(operation.full_path, {})[operation.method] = operation
    built: list[BaseRoute] = []
    for path, by_method in by_path.items():
        built.append(
            Route(
                _PATH_PARAMETER.sub(r"{\1:int}", path),
                _dispatcher(by_method),
                methods=list(by_method),
                name="api_" + "_".join(op.operation_id for op in by_method.values()),
            )
        )
    built.append(Mount(PREFIX, app=_Fallback(built), name="api_fallback"))
    return built


def _dispatcher(by_method: Mapping[str, Operation]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await run_operation(by_method[method], request)

    return endpoint


class _Fallback:
    """Anything under the prefix no operation took: an unknown path (404) or a method the
    path does not take (405)."""

    def __init__(self, api_routes: Sequence[BaseRoute]) -> None:
        self.api_routes = api_routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1000})  # the API speaks HTTP only
            return
        request = Request(scope, receive)
        language = request_language(request, default=Language.VI)
        path = scope["path"]
        for route in self.api_routes:
            if isinstance(route, Route) and route.methods and route.path_regex.match(path):
                allowed = ", ".join(sorted(route.methods))
                error = ApiError(
                    405,
                    "method_not_allowed",
                    METHOD_NOT_ALLOWED,
                    headers={"Allow": allowed},
                    params={"method": request.method[:16], "allowed": allowed},
                )
                break
        else:
            error = ApiError(404, "not_found", NOT_FOUND_PATH)
        await error_response(error, language)(scope, receive, send)
