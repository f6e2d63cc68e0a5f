"""The one ledger writer: what each kind of movement costs in SQL statements, and that a
key chosen by a client stays in its own namespace."""

from __future__ import annotations

import pytest

from stations.enums import MovementKind
from stations.services.actor import Actor
from stations.services.inventory import (
    LineEntry,
    client_key,
    record_count,
    record_handout,
    record_lines,
    record_receipt,
    transfer_stock,
)
from tests.factories import make_campaign, make_item, make_station, make_volunteer
from tests.sql import count_statements

pytestmark = pytest.mark.integration


@pytest.fixture
async def stocked(db, clock):
    """Two stations of one campaign, each holding water and towels (balances exist)."""
    campaign = await make_campaign()
    stations = [await make_station(campaign), await make_station(campaign)]
    items = [await make_item("water"), await make_item("towel")]
    volunteer = await make_volunteer()
    for station in stations:
        for item in items:
            await record_receipt(station, item, 500, by=Actor.system())
    return stations, items, Actor.volunteer(volunteer.id, volunteer.full_name)


def writes(statements: list[str]) -> list[str]:
    """The statements' first words, savepoints and transaction control left out."""
    return [
        " ".join(statement.split()[:3])
        for statement in statements
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
    ]


async def test_report_of_two_items_costs_six_statements(stocked, monkeypatch):
    (station, _other), (water, towel), by = stocked
    for update_id in (1, 2):
        if update_id == 2:
            # The day's first handout opened its tallies; from then on, the fast path.
            statements = count_statements(monkeypatch)
        await record_lines(
            MovementKind.HANDOUT,
            station,
            [
                LineEntry(water, 5, f"tg:{update_id}:water"),
                LineEntry(towel, 3, f"tg:{update_id}:towel"),
            ],
            by=by,
        )

    # author + station + campaign + the items, one UPDATE per balance, the lines, the
    # day's tallies, the audit events
    assert len(writes(statements)) == 6


@pytest.mark.parametrize(
    ("movement", "expected"),
    [
        ("receipt", 5),
        ("handout", 5),
        # a count reads the stock under the lock (an UPDATE by 0) and the lines after it
        ("count", 8),
        # two balances, and one tally per station
        ("transfer", 7),
    ],
)
async def test_statements_per_movement(stocked, monkeypatch, movement, expected):
    (station, other), (water, _towel), by = stocked
    for time in ("first of the day", "then"):
        if time == "then":
            # The day's first line of a kind opens its tally; from then on, the fast path.
            statements = count_statements(monkeypatch)
        if movement == "receipt":
            await record_receipt(station, water, 5, by=by, idempotency_key=time)
        elif movement == "handout":
            await record_handout(station, water, 5, by=by, note="Đoàn xe")
        elif movement == "count":
            await record_count(station, water, 480, by=by)
        else:
            await transfer_stock(station, other, water, 5, by=by)

    assert len(writes(statements)) == expected, writes(statements)


def test_a_client_key_stays_in_its_senders_namespace():
    admin_token = Actor.api(1, "admin's script")
    coordinator = Actor.user(7, "coordinator@example.vn")

    planted = client_key(coordinator, client_key(admin_token, "victim-key"))

    assert (planted, client_key(admin_token, "victim-key")) == (
        "web:7:api:1:victim-key",
        "api:1:victim-key",
    )
