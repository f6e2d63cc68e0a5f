"""Counting the SQL a piece of code sends: for tests that a page or query costs the same
number of statements whatever the number of stations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tortoise.connection import connections


def count_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record, from now to the end of the test, every statement sent through the default
    connection's client; the list fills as they run."""
    client = connections.get("default")
    statements: list[str] = []

    def counting(method: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapper(query: str, *args: Any, **kwargs: Any) -> Any:
            statements.append(query)
            return await method(query, *args, **kwargs)

        return wrapper

    for name in ("execute_query", "execute_query_dict"):
        monkeypatch.setattr(client, name, counting(getattr(client, name)))
    return statements


def count_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Like ``count_queries``, also inside transactions (whose clients are the connection
    class's transaction wrappers) and for the ORM's INSERTs: for counting what a write
    costs."""
    client_class = type(connections.get("default"))
    statements: list[str] = []

    def counting(method: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapper(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            statements.append(query)
            return await method(self, query, *args, **kwargs)

        return wrapper

    for name in ("execute_query", "execute_query_dict", "execute_insert"):
        monkeypatch.setattr(client_class, name, counting(getattr(client_class, name)))
    return statements
