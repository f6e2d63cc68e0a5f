"""Helpers for web tests: users, signed-in clients, and posting forms with their CSRF token."""

from __future__ import annotations

import contextlib
import itertools
import re
import weakref
from collections.abc import Iterator
from typing import Any

import httpx
from starlette.applications import Starlette
from tortoise.connection import connections

from stations.enums import Language, UserRole
from stations.models import Unit, User
from stations.services.actor import Actor
from stations.services.users import create_user

DEFAULT_PASSWORD = "correct horse battery"
_numbers = itertools.count(1)
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
#: The CSRF token each client was last given, so posting does not fetch a page every time.
_tokens: weakref.WeakKeyDictionary[httpx.AsyncClient, str] = weakref.WeakKeyDictionary()


async def make_user(
    role: UserRole | str = "coordinator",
    unit: Unit | str | None = None,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    language: str | None = None,
    full_name: str = "",
) -> User:
    """A web login made through the real service (argon2 hash, audit event)."""
    user = await create_user(
        email=email or f"user{next(_numbers)}@example.vn",
        password=password,
        role=role,
        unit=unit,
        full_name=full_name,
        by=Actor.system("tests"),
    )
    if language is not None:
        # No service sets a user's language yet: the row is written directly.
        user.language = Language(language)
        await user.save(update_fields=["language"])
    return user


def new_client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        follow_redirects=False,
    )


def csrf_token_in(page: str) -> str | None:
    """The CSRF token a page carries (its ``<meta>``, else a form's hidden field)."""
    found = _CSRF_META.search(page) or _CSRF_INPUT.search(page)
    return found.group(1) if found else None


async def signed_in(
    app: Starlette, user: User, *, password: str = DEFAULT_PASSWORD
) -> httpx.AsyncClient:
    """A client signed in as ``user`` through the real ``/signin`` form.

    It is already open (it has signed in), so do not enter it with ``async with``; it holds
    no socket (ASGI transport), so leaving it unclosed is harmless."""
    client = new_client(app)
    form = await client.get("/signin")
    token = csrf_token_in(form.text)
    assert token, "the sign-in form has no CSRF token"
    response = await client.post(
        "/signin", data={"email": user.email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    _tokens.pop(client, None)
    return client


async def csrf_token_of(client: httpx.AsyncClient, *, refresh: bool = False) -> str:
    """The CSRF token of ``client``'s session, read once from a signed-in page."""
    token = None if refresh else _tokens.get(client)
    if token is None:
        page = await client.get("/campaigns")
        token = csrf_token_in(page.text)
        if token is None:  # not signed in: the sign-in form carries the session's token
            token = csrf_token_in((await client.get("/signin")).text)
        assert token, "no page of this session carries a CSRF token"
        _tokens[client] = token
    return token


async def post_form(
    client: httpx.AsyncClient,
    url: str,
    data: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
) -> httpx.Response:
    """POST ``data`` (and ``files``) to ``url`` with the session's CSRF token."""
    token = await csrf_token_of(client)
    return await client.post(url, data={**(data or {}), "csrf_token": token}, files=files)


_EXECUTORS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many")


@contextlib.contextmanager
def count_queries() -> Iterator[list[str]]:
    """Every SQL statement the default connection runs inside the block, in order."""
    connection = connections.get("default")
    statements: list[str] = []
    # Only what the instance itself held is put back; the rest is deleted again, so the
    # class's methods show through (tests/sql.count_statements patches the class).
    held = {name: connection.__dict__[name] for name in _EXECUTORS if name in connection.__dict__}
    for name in _EXECUTORS:
        original = getattr(connection, name)

        def recording(query: str, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            statements.append(query)
            return _original(query, *args, **kwargs)

        setattr(connection, name, recording)
    try:
        yield statements
    finally:
        for name in _EXECUTORS:
            if name in held:
                setattr(connection, name, held[name])
            else:
                delattr(connection, name)
