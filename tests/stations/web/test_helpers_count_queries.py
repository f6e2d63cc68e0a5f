"""The web tests' statement counter leaves the connection as it found it: a bound method
left on the instance would hide the class-level counter of ``tests/sql.count_statements``
from every later test of the session (seen as a count of 0 in an unrelated file)."""

from __future__ import annotations

import pytest
from tortoise.connection import connections

from stations.models import Unit
from tests.sql import count_statements
from tests.stations.web.helpers import count_queries

pytestmark = pytest.mark.integration


async def test_count_queries_restores_the_connection_it_patched(db, monkeypatch):
    connection = connections.get("default")
    held_before = set(vars(connection))

    with count_queries() as inside:
        await Unit.all().count()
    statements = count_statements(monkeypatch)
    await Unit.all().count()

    assert len(inside) == 1
    assert set(vars(connection)) == held_before
    assert len(statements) == 1
