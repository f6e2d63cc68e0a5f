"""0017_report_indexes: the report's served turns can be read from two covering indexes."""

from __future__ import annotations

from tortoise.connection import connections

from stations.enums import AssignmentStatus

SERVED = (AssignmentStatus.CHECKED_IN.value, AssignmentStatus.CHECKED_OUT.value)


async def _index_definitions(database) -> dict[str, str]:
    connection = connections.get("default")
    if database.is_postgres:
        rows = await connection.execute_query_dict(
            "SELECT indexname AS name, indexdef AS text FROM pg_indexes"
            " WHERE indexname IN ('ix_assignment_served', 'ix_volunteer_force')"
        )
    else:
        rows = await connection.execute_query_dict(
            "SELECT name, sql AS text FROM sqlite_master WHERE type = 'index'"
            " AND name IN ('ix_assignment_served', 'ix_volunteer_force')"
        )
    return {row["name"]: " ".join(str(row["text"]).split()) for row in rows}


async def test_report_indexes_hold_only_the_served_assignments(db) -> None:
    definitions = await _index_definitions(db)

    assert sorted(definitions) == ["ix_assignment_served", "ix_volunteer_force"]
    # The partial index serves the report only while its statuses are the report's.
    served = definitions["ix_assignment_served"]
    assert all(f"'{status}'" in served for status in SERVED)
    assert "force" in definitions["ix_volunteer_force"]
