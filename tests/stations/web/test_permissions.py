"""The permission matrix: every mutating route of the app × who is asking.

Routes are read from the app itself (``app.routes``, into every ``Mount``), so a route any
module adds is checked without being listed here. Path parameters are filled from a world of
two units: unit A (the "own" unit) and unit B (the "foreign" one), each with a station, a
shift, a volunteer and an assignment; every object in a path belongs to unit A.

Who asks, and what they must get (bodies are empty: a validation error is fine, a 5xx never):

- anonymous: a web form POST → 403; the API → 401; a web page GET → 303 to ``/signin``.
- a viewer (of unit A): 403 on every mutating route (401 is not an answer for the API: the
  token is valid).
- the coordinator of unit B, acting on unit A's objects: 403 or 404.
- the coordinator of unit A, and an admin: neither 401 nor 403, except the routes only
  administrators (and province-wide coordinators) may use: campaign creation, editing and
  closing, the words of the supply catalog, the audit log and the web logins (signing a
  user out everywhere).

API creations name their objects in the body rather than the path, so each POST of the API is
also sent with a plausible body built from the API's own OpenAPI document (its example, ids
pointing at unit A's objects): the coordinator of unit B must get 403/404, the coordinator of
unit A and the admin must get through.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route

from stations.enums import UserRole
from stations.models import StationFeedback
from stations.services.actor import Actor
from stations.services.users import create_api_token
from tests.factories import (
    make_assignment,
    make_campaign,
    make_item,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
)
from tests.stations.web.helpers import csrf_token_of, make_user, new_client, signed_in

API_PREFIX = "/api/"
SAFE = {"GET", "HEAD", "OPTIONS"}
PARAMETERS = {
    "campaign_id", "station_id", "shift_id", "volunteer_id", "assignment_id", "token_id",
    "item_id", "feedback_id", "user_id",
}  # fmt: skip
#: Parameters naming an object of unit A (a campaign and the supply catalog belong to the
#: whole province; web logins are the administrators').
UNIT_OBJECTS = PARAMETERS - {"campaign_id", "item_id", "user_id"}

#: Routes the matrix does not apply to, each with its reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("POST", "/signin"): "the sign-in form itself: open to anonymous visitors",
    ("POST", "/signout"): "ends whatever session there is; tested in test_auth.py",
    ("POST", "/signout/everywhere"): "every signed-in user ends their own sessions; test_auth.py",
    ("POST", "/telegram/webhook"): "Telegram's webhook: authenticated by its secret header",
    ("POST", "/public/stations/{code}/feedback"): (
        "travellers' rating form: open to anyone, CSRF and abuse checks in test_public_pages.py"
    ),
}
GET_EXCEPTIONS: dict[str, str] = {
    "/": "the public front page",
    "/healthz": "the health check for load balancers",
    "/metrics": "Prometheus' figures: a bearer token of their own, tested in test_metrics.py",
    "/signin": "the sign-in form",
    "/volunteers/{volunteer_id:int}/shifts.ics": "the iCal feed: a private key in the URL, no sign-in",
    "/public/stations": "travellers' find page, public",
    "/public/stations.geojson": "open data, public",
    "/public/stations/{code}": "a station's public page",
    "/public/stations/{code}/feedback": "travellers' rating form, public",
}
#: Only administrators and province-wide coordinators manage campaigns and the catalog.
CAMPAIGN_MANAGING = re.compile(
    r"^(/campaigns/new|/campaigns/\{campaign_id:int\}/(edit|close|copy|funds/[a-z-]+)"
    r"|/api/v1/campaigns(/\{campaign_id:int\}(/close)?)?|/api/v1/(partners|donations|expenses)"
    r"|/supplies/\{item_id:int\}/aliases)$"
)
ADMIN_ONLY_PAGES = ("/audit", "/operations", "/users")
#: Pages that name a unit in their query rather than their path (the overview by unit and a
#: unit's station cards): the unit is unit A, and another unit's coordinator gets a 404.
UNIT_QUERY_PAGES = (
    "/campaigns/{campaign_id:int}?unit={unit_id}",
    "/campaigns/{campaign_id:int}/stations?unit={unit_id}",
    "/campaigns/{campaign_id:int}/stations?unit={unit_id}&show=short&page=1",
)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str

    @property
    def is_api(self) -> bool:
        return self.path.startswith(API_PREFIX)

    @property
    def parameters(self) -> set[str]:
        return set(re.findall(r"\{(\w+)(?::\w+)?\}", self.path))

    @property
    def names_unit_object(self) -> bool:
        return bool(self.parameters & UNIT_OBJECTS)

    @property
    def manages_campaigns(self) -> bool:
        return bool(CAMPAIGN_MANAGING.match(self.path))


def _walk(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    for route in routes:
        if isinstance(route, Mount):
            if route.path == "/static":
                continue
            yield from _walk(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, set(route.methods or ())


def mutating_endpoints(app: Starlette) -> list[Endpoint]:
    found = {
        Endpoint(method, path)
        for path, methods in _walk(app.routes)
        for method in methods - SAFE
        if (method, path) not in EXCEPTIONS
    }
    return sorted(found, key=lambda e: (e.path, e.method))


def page_paths(app: Starlette) -> list[str]:
    return sorted(
        {
            path
            for path, methods in _walk(app.routes)
            if "GET" in methods and not path.startswith(API_PREFIX) and path not in GET_EXCEPTIONS
        }
    )


@dataclass
class World:
    ids: dict[str, int]
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in self.ids, f"unknown path parameter {name!r} in {path}"
            return str(self.ids[name])

        return re.sub(r"\{(\w+)(?::\w+)?\}", fill, path)


async def build_world(app: Starlette, *, who: str) -> World:
    water = await make_item("water")
    province = await make_unit(code="CA-TINH", name="Công an tỉnh")
    unit_a = await make_unit(code="CAX-A", name="Công an xã A", parent=province)
    unit_b = await make_unit(code="CAX-B", name="Công an xã B", parent=province)
    campaign = await make_campaign(unit=province)
    station_a = await make_station(campaign, unit=unit_a)
    second_a = await make_station(campaign, unit=unit_a)
    await make_station(campaign, unit=unit_b)
    shift_a = await make_shift(station_a)
    volunteer_a = await make_volunteer(unit=unit_a)
    assignment_a = await make_assignment(shift_a, await make_volunteer(unit=unit_a))
    feedback_a = await StationFeedback.create(
        station=station_a,
        rating=3,
        comment="ý kiến",
        browser="matrix-browser-000000",
        day=dt.date(2027, 2, 2),
        address_key="k",
        created_at=dt.datetime(2027, 2, 2, 1, tzinfo=dt.UTC),
    )
    roles = {
        "admin": (UserRole.ADMIN, None),
        "own": (UserRole.COORDINATOR, unit_a),
        "foreign": (UserRole.COORDINATOR, unit_b),
        "viewer": (UserRole.VIEWER, unit_a),
    }
    token_ids = {}
    world = World(ids={})
    if who in roles:
        role, unit = roles[who]
        world.clients[who] = await signed_in(app, await make_user(role=role, unit=unit))
        token, plaintext = await create_api_token(
            f"matrix-{who}", role=role, unit=unit, by=Actor.system("tests")
        )
        world.tokens[who] = plaintext
        token_ids[who] = token.id
    else:
        world.clients[who] = new_client(app)
        token, _plaintext = await create_api_token(
            "matrix-other", role=UserRole.VIEWER, unit=unit_a, by=Actor.system("tests")
        )
        token_ids[who] = token.id
    world.ids = {
        "campaign_id": campaign.id,
        "station_id": station_a.id,
        "shift_id": shift_a.id,
        "volunteer_id": volunteer_a.id,
        "assignment_id": assignment_a.id,
        "token_id": token_ids[who],
        "unit_id": unit_a.id,
        "to_station_id": second_a.id,
        "item_id": water.id,
        "feedback_id": feedback_a.id,
        # Someone else's login: signing the asker out would end the matrix's own session.
        "user_id": (await make_user(role=UserRole.COORDINATOR, unit=unit_a)).id,
    }
    return world


async def call(world: World, who: str, endpoint: Endpoint) -> int | str:
    """The status ``who`` gets for ``endpoint`` with an empty body, or what it raised."""
    client = world.clients[who]
    url = world.url(endpoint.path)
    try:
        if endpoint.is_api:
            headers = {"Idempotency-Key": f"matrix-{who}-{endpoint.method}-{url}"}
            if who in world.tokens:
                headers["Authorization"] = f"Bearer {world.tokens[who]}"
            response = await client.request(endpoint.method, url, json={}, headers=headers)
        else:
            data = {} if who == "anonymous" else {"csrf_token": await csrf_token_of(client)}
            response = await client.request(endpoint.method, url, data=data)
    except Exception as exc:  # a 5xx in the making: the matrix reports it with the others
        return f"raised {type(exc).__name__}: {exc}"
    return response.status_code


def expected(who: str, endpoint: Endpoint) -> set[int] | None:
    """The statuses allowed, or None for "anything but 401, 403 and a 5xx"."""
    if who == "anonymous":
        return {401} if endpoint.is_api else {403}
    if who == "viewer":
        return {403}
    if who == "foreign" and endpoint.names_unit_object:
        # Another unit's object answers as an unknown id would: nothing says it exists.
        return {404}
    if who in {"own", "foreign"} and (
        endpoint.manages_campaigns or {"token_id", "user_id"} & endpoint.parameters
    ):
        return {403}
    return None


def verdict(who: str, endpoint: Endpoint, status: int | str) -> str | None:
    """What is wrong with ``status``, or None when it is right."""
    if isinstance(status, str) or status >= 500:
        return f"{endpoint.method} {endpoint.path} as {who}: {status}"
    allowed = expected(who, endpoint)
    if allowed is None:
        if status in {401, 403}:
            return f"{endpoint.method} {endpoint.path} as {who}: {status}, expected access"
        return None
    if status not in allowed:
        return f"{endpoint.method} {endpoint.path} as {who}: {status}, expected {sorted(allowed)}"
    return None


def test_matrix_walks_every_route_module_and_knows_every_path_parameter():
    from stations.web.app import create_app
    from tests.stations.web.conftest import TEST_SETTINGS

    app = create_app(TEST_SETTINGS, manage_database=False)
    endpoints = mutating_endpoints(app)

    assert {("POST", "/campaigns/{campaign_id:int}/close")} <= {
        (e.method, e.path) for e in endpoints
    }
    assert [e for e in endpoints if e.path == "/signout" or e.path.startswith("/static")] == []
    assert [e.path for e in endpoints if not e.parameters <= PARAMETERS] == []


@pytest.mark.parametrize("who", ["anonymous", "viewer", "foreign", "own", "admin"])
async def test_every_mutating_route_refuses_whom_it_must(app, clock, who):
    world = await build_world(app, who=who)
    endpoints = mutating_endpoints(app)
    assert endpoints, "the app has no mutating route at all"

    problems = [
        problem
        for endpoint in endpoints
        if (problem := verdict(who, endpoint, await call(world, who, endpoint))) is not None
    ]

    assert problems == []


async def test_every_page_sends_anonymous_visitors_to_signin(app, clock):
    world = await build_world(app, who="anonymous")
    client = world.clients["anonymous"]

    wrong = {}
    for path in page_paths(app):
        response = await client.get(world.url(path))
        location = response.headers.get("location", "")
        if response.status_code != 303 or not location.startswith("/signin?next="):
            wrong[path] = response.status_code

    assert wrong == {}


async def test_foreign_coordinator_cannot_open_pages_of_another_units_objects(app, clock):
    world = await build_world(app, who="foreign")
    client = world.clients["foreign"]

    wrong = {}
    for path in page_paths(app):
        if not (set(re.findall(r"\{(\w+)", path)) & UNIT_OBJECTS):
            continue
        try:
            status: int | str = (await client.get(world.url(path))).status_code
        except Exception as exc:
            status = f"raised {type(exc).__name__}"
        if status != 404:
            wrong[path] = status

    assert wrong == {}


#: A sample value for a property of an API request body, by JSON Schema type.
SAMPLES = {"integer": 1, "number": 1, "string": "x", "boolean": False, "object": {}, "array": []}
#: Body properties that name an object of unit A (a body may point at one as a path does).
BODY_UNIT_OBJECTS = UNIT_OBJECTS | {"unit_id", "to_station_id"}


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _sample(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    schema = _resolve(document, schema)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "oneOf" in schema:
        return _sample(document, schema["oneOf"][0])
    kinds = schema.get("type", "object")
    kind = next(k for k in ([kinds] if isinstance(kinds, str) else kinds) if k != "null")
    if kind == "string" and schema.get("format") == "date-time":
        return "2027-02-03T06:00:00+07:00"
    if kind == "string" and schema.get("format") == "date":
        return "2027-02-03"
    if kind == "object" and "properties" in schema:
        return {
            name: _sample(document, schema["properties"][name])
            for name in schema.get("required", [])
        }
    return SAMPLES[kind]


def plausible_bodies(
    document: dict[str, Any], world: World
) -> list[tuple[Endpoint, dict[str, Any]]]:
    """Every POST of the API with a body a client could really send: the schema's example (or
    its required properties), every id in it pointing at unit A's objects."""
    found = []
    for path, operations in document["paths"].items():
        operation = operations.get("post")
        if operation is None or "requestBody" not in operation:
            continue
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        resolved = _resolve(document, schema)
        for option in resolved.get("oneOf", [schema]):
            option = _resolve(document, option)
            body = dict(option.get("examples", [None])[0] or _sample(document, option))
            for name in body:
                if name in world.ids:
                    body[name] = world.ids[name]
            if "item" in body:
                body["item"] = "water"
            full_path = re.sub(r"\{(\w+)\}", r"{\1:int}", document.get("basePath", "") + path)
            found.append((Endpoint("POST", full_path), body))
    return found


async def _api_document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.mark.parametrize("who", ["foreign", "own", "admin"])
async def test_api_bodies_naming_another_units_objects_are_refused(app, clock, who):
    world = await build_world(app, who=who)
    client = world.clients[who]
    headers = {"Authorization": f"Bearer {world.tokens[who]}"}

    problems = []
    for number, (endpoint, body) in enumerate(plausible_bodies(await _api_document(client), world)):
        names_unit_a = bool(set(body) & BODY_UNIT_OBJECTS) or endpoint.names_unit_object
        try:
            status: int | str = (
                await client.post(
                    world.url(endpoint.path),
                    json=body,
                    headers={**headers, "Idempotency-Key": f"plausible-{who}-{number}"},
                )
            ).status_code
        except Exception as exc:
            status = f"raised {type(exc).__name__}: {exc}"
        if who == "foreign" and names_unit_a and not endpoint.manages_campaigns:
            # A unit is chosen from a list (403 outside one's units); an object of another
            # unit answers as an unknown id would.
            allowed = {403, 404} if set(body) & {"unit_id"} else {404}
            if status not in allowed:
                problems.append(
                    f"POST {endpoint.path} {body} as foreign: {status}, expected {allowed}"
                )
        elif (problem := verdict(who, endpoint, status)) is not None:
            problems.append(f"{problem} (body {body})")

    assert problems == []


@pytest.mark.parametrize(("who", "status"), [("own", 403), ("viewer", 403), ("admin", 200)])
async def test_admin_only_pages_refuse_everyone_else(app, clock, who, status):
    world = await build_world(app, who=who)

    statuses = {path: (await world.clients[who].get(path)).status_code for path in ADMIN_ONLY_PAGES}

    assert statuses == dict.fromkeys(ADMIN_ONLY_PAGES, status)


def test_matrix_knows_the_routes_of_the_pages_naming_a_unit_in_their_query():
    from stations.web.app import create_app
    from tests.stations.web.conftest import TEST_SETTINGS

    app = create_app(TEST_SETTINGS, manage_database=False)

    assert {path.split("?")[0] for path in UNIT_QUERY_PAGES} <= set(page_paths(app))


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 303), ("foreign", 404), ("viewer", 200), ("own", 200), ("admin", 200)],
)
async def test_pages_naming_a_unit_in_their_query_answer_by_scope(app, clock, who, status):
    world = await build_world(app, who=who)
    client = world.clients[who]

    statuses = {path: (await client.get(world.url(path))).status_code for path in UNIT_QUERY_PAGES}

    assert statuses == dict.fromkeys(UNIT_QUERY_PAGES, status)
