"""The nationwide dataset of issue 13, written straight into PostgreSQL in a few minutes.

    info = await build_nation("postgres://postgres@127.0.0.1:5432/scratch")

One running Tết campaign at the scale of the whole country: a national root unit, the 34
provinces' police (official 2025 codes from ``services/divisions.py``) with a youth union, a
women's union and a partner garage each, and under each province about ten ward or commune
police units; 1,000 stations spread over those wards, 100,000 volunteers, 36,000 shifts,
160,000 assignments and 500,000 ledger lines, plus service records, three logins with API
tokens, and what the travellers' pages read (opening hours, services offered, stock).

The clock is frozen on 29 Tết Đinh Mùi (5 February 2027) at 10:30 in Vietnam, the busiest
morning: the morning shifts are under way (checked in), earlier ones are over (checked out,
a few no-shows), later ones are assigned or confirmed, and a *wave* — every station's 14:00
shift, twenty people each, 20,000 in all — starts in the same hour, so their two-hour
reminders all fall due at 12:00. Nothing is dated after ``now``.

The rows are planned in memory from ``random.Random(seed)`` (the places in
``nation_places.py``, the people in ``nation_people.py``, the stock in ``nation_stock.py``)
and written with PostgreSQL's COPY (asyncpg ``copy_records_to_table``), not through the
services (station by station, eleven minutes at this size). Every CHECK and UNIQUE rule of
the migrations holds; the ledger is written as its writer would have written it line by
line (discrepancy flags where a handout exceeded the stock on record, counts as
``count_adjustment`` lines of counted − on record). The maintained ``stock_balance`` and
``daily_stock_tally`` are then derived with two grouped ``INSERT … SELECT`` — the sums
``rebuild_balances`` computes, which ``tests/bench/test_nation_data.py`` proves by running
``rebuild_balances`` afterwards and seeing it change nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import secrets
import time
from dataclasses import dataclass
from typing import Final

import asyncpg
from argon2 import PasswordHasher

from bench.nation_people import WAVE_SLOT, plan_assignments, plan_shifts, plan_volunteers
from bench.nation_places import Plan, local, plan_stations, plan_units, station_rows
from bench.nation_stock import plan_ledger, plan_services
from stations import db
from stations.calendar import HolidayKind, holiday_window
from stations.clock import VN_TZ
from stations.enums import CampaignKind, CampaignStatus, UserRole
from stations.services import demo_data
from stations.services.campaigns import default_campaign_name
from stations.services.catalog import STANDARD_ITEMS
from stations.services.daily_figures import rebuild_statements
from stations.services.queries.local_day import local_day_sql
from stations.services.users import API_TOKEN_PREFIX

#: 29 Tết Đinh Mùi, 10:30 in Vietnam: the morning shifts are under way, the 14:00 wave ahead.
DEFAULT_NOW: Final = dt.datetime(2027, 2, 5, 10, 30, tzinfo=VN_TZ)
DEFAULT_SEED: Final = 2027

ADMIN_EMAIL: Final = "admin@nation.bench"
PROVINCE_EMAIL: Final = "province@nation.bench"
WARD_EMAIL: Final = "ward@nation.bench"
PASSWORD: Final = "nationwide benchmark password"


@dataclass(frozen=True)
class Login:
    """A web login and a bearer token of the same role and unit."""

    email: str
    password: str
    token: str


@dataclass(frozen=True)
class NationInfo:
    """What a benchmark needs to find its way in the dataset."""

    campaign_id: int
    now: dt.datetime
    root_unit_id: int
    province_unit_id: int
    ward_unit_id: int
    #: a station of ``ward_unit_id``, for the travellers' station page
    station_code: str
    #: a station outside ``province_unit_id``: a unit's page must not show it
    outside_station_code: str
    #: province-wide (no unit)
    admin: Login
    #: a coordinator of ``province_unit_id``
    province_coordinator: Login
    #: a coordinator of ``ward_unit_id``
    ward_coordinator: Login
    #: when the wave's shifts start (every station's, in the same hour)
    wave_starts_at: dt.datetime
    wave_assignments: int
    #: rows written per table
    counts: dict[str, int]
    seconds: float


# --- writing -----------------------------------------------------------------------------

COLUMNS: Final = {
    "unit": ("id", "code", "name", "kind", "parent_id", "province_code", "ward_code", "created_at"),
    "campaign": (
        "id", "name", "kind", "year", "starts_on", "ends_on", "budget_vnd", "status", "unit_id",
        "created_at", "updated_at",
    ),
    "supply_item": (
        "id", "code", "name_vi", "name_en", "unit_vi", "unit_en", "category", "aliases",
        "unit_cost_vnd", "default_low_stock", "is_active",
    ),
    "volunteer": (
        "id", "full_name", "search_name", "phone", "unit_id", "organisation", "force", "skills",
        "telegram_user_id", "telegram_chat_id", "language", "reachable", "notes", "calendar_key",
        "created_at", "updated_at",
    ),
    "station": (
        "id", "campaign_id", "unit_id", "code", "name", "address", "latitude", "longitude",
        "checkin_radius_m", "opens_at", "closes_at", "lead_id", "province_code", "ward_code",
        "is_active", "offers", "created_at", "updated_at",
    ),
    "shift": (
        "id", "station_id", "starts_at", "ends_at", "needs", "status", "note", "created_at",
        "updated_at",
    ),
    "assignment": (
        "id", "shift_id", "volunteer_id", "role", "status", "checked_in_at", "checkin_latitude",
        "checkin_longitude", "checkin_distance_m", "checkin_verified", "checked_out_at",
        "auto_checked_out", "worked_minutes", "created_at", "updated_at",
    ),
    "stock_movement": (
        "id", "station_id", "item_id", "kind", "quantity", "delta", "unit_cost_vnd",
        "counterpart_id", "transfer_group", "counted_quantity", "discrepancy", "by_volunteer_id",
        "source", "note", "occurred_at", "recorded_at",
    ),
    "service_record": (
        "id", "station_id", "kind", "quantity", "partner_id", "by_volunteer_id", "source", "note",
        "occurred_at", "recorded_at",
    ),
    "app_user": (
        "id", "email", "full_name", "password_hash", "role", "unit_id", "language", "is_active",
        "created_at",
    ),
    "api_token": ("id", "name", "token_hash", "role", "unit_id", "created_at"),
}  # fmt: skip

#: Written in this order (each row's references already there).
TABLES: Final = (
    "unit", "campaign", "supply_item", "volunteer", "station", "shift", "assignment",
    "stock_movement", "service_record", "app_user", "api_token",
)  # fmt: skip


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def _derive_stock(connection: asyncpg.Connection, now: dt.datetime) -> None:
    """Balances and daily tallies from the ledger: the sums ``rebuild_balances`` makes."""
    await connection.execute(
        'INSERT INTO "stock_balance" (station_id, item_id, quantity, updated_at)'
        ' SELECT station_id, item_id, SUM(delta), $1 FROM "stock_movement"'
        " GROUP BY station_id, item_id ORDER BY station_id, item_id",
        now,
    )
    await connection.execute(
        'INSERT INTO "daily_stock_tally" (station_id, item_id, kind, day, quantity, delta, lines)'
        f" SELECT station_id, item_id, kind, {local_day_sql('occurred_at', 'postgres')},"
        ' SUM(quantity), SUM(delta), COUNT(*) FROM "stock_movement" GROUP BY 1, 2, 3, 4'
        " ORDER BY 1, 2, 3, 4"
    )


async def build_nation(
    database_url: str,
    *,
    stations: int = 1000,
    volunteers: int = 100_000,
    shifts: int = 36_000,
    assignments: int = 160_000,
    ledger_lines: int = 500_000,
    service_records: int = 20_000,
    wards_per_province: int = 10,
    wave_per_station: int = 20,
    seed: int = DEFAULT_SEED,
    now: dt.datetime = DEFAULT_NOW,
    migrate: bool = True,
) -> NationInfo:
    """Fill the empty PostgreSQL database at ``database_url`` (see the module docstring).

    ``migrate=False`` when the caller has migrated it already (a test whose ORM holds it
    open: migrating closes tortoise's connections)."""
    started = time.perf_counter()
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if migrate:
        await db.migrate(database_url)
    now = now.astimezone(dt.UTC)
    window = holiday_window(HolidayKind.TET, now.astimezone(VN_TZ).year)
    days = [day for day in window.days()]
    if not window.start <= now.astimezone(VN_TZ).date() <= window.end:
        raise ValueError(f"now must fall in the Tết window {window.start}–{window.end}")
    # Rows are stamped (created_at, updated_at) as tortoise's auto_now stamps them, by the
    # system's clock: the reminders job compares those stamps with it, and a stamp ahead of
    # it (the frozen Tết morning is, until February 2027) reads as a change on every run.
    stamp = min(now, dt.datetime.now(dt.UTC))
    rng = random.Random(f"waystation-nation:{seed}")
    plan = Plan()
    per_province = plan_units(plan, wards_per_province)
    plan_stations(plan, stations, per_province, rng)
    plan_volunteers(plan, volunteers, stamp, rng)
    slots = plan_shifts(plan, shifts, assignments, wave_per_station, days, now, rng)
    wave = plan_assignments(plan, slots, assignments, now, stamp, rng)
    campaign_id = 1
    station_rows(plan, campaign_id, stamp, rng)
    items = {
        standard.code: (n, standard.unit_cost_vnd, demo_data.PACK_SIZES.get(standard.code, 1))
        for n, standard in enumerate(STANDARD_ITEMS, start=1)
    }
    plan_ledger(plan, ledger_lines, items, days, now, rng)
    plan_services(plan, service_records, days, now, rng)
    plan.rows["unit"] = [
        (u.id, u.code, u.name, u.kind.value, u.parent_id, u.province_code, u.ward_code, stamp)
        for u in plan.units
    ]
    plan.rows["campaign"] = [
        (
            campaign_id,
            default_campaign_name(CampaignKind.TET, window.year),
            CampaignKind.TET.value,
            window.year,
            window.start,
            window.end,
            40_000_000_000,
            CampaignStatus.OPEN.value,
            plan.units[0].id,
            stamp,
            stamp,
        )
    ]
    plan.rows["supply_item"] = [
        (
            n,
            s.code,
            s.name_vi,
            s.name_en,
            s.unit_vi,
            s.unit_en,
            s.category.value,
            json.dumps(list(s.aliases)),
            s.unit_cost_vnd,
            s.default_low_stock,
            True,
        )
        for n, s in enumerate(STANDARD_ITEMS, start=1)
    ]
    ward_station = plan.stations[0]
    province_unit = next(u for u in plan.units if u.id == ward_station.unit.parent_id)
    logins = {
        "admin": (ADMIN_EMAIL, UserRole.ADMIN, None),
        "province": (PROVINCE_EMAIL, UserRole.COORDINATOR, province_unit.id),
        "ward": (WARD_EMAIL, UserRole.COORDINATOR, ward_station.unit.id),
    }
    password_hash = PasswordHasher().hash(PASSWORD)
    tokens = {name: API_TOKEN_PREFIX + secrets.token_urlsafe(32) for name in logins}
    plan.rows["app_user"] = [
        (n, email, f"Bench {name}", password_hash, role.value, unit_id, "vi", True, stamp)
        for n, (name, (email, role, unit_id)) in enumerate(logins.items(), start=1)
    ]
    plan.rows["api_token"] = [
        (n, f"bench-{name}", hashlib.sha256(tokens[name].encode()).hexdigest(), role.value,
         unit_id, stamp)
        for n, (name, (_email, role, unit_id)) in enumerate(logins.items(), start=1)
    ]  # fmt: skip

    connection = await asyncpg.connect(_asyncpg_url(database_url))
    try:
        async with connection.transaction():
            if await connection.fetchval('SELECT EXISTS (SELECT 1 FROM "campaign")'):
                raise ValueError("build_nation fills an empty database: it holds a campaign")
            for table in TABLES:
                await connection.copy_records_to_table(
                    table, records=plan.rows[table], columns=list(COLUMNS[table])
                )
                # Ids were given: the sequences go on after them.
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                    f' (SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
                )
            await _derive_stock(connection, now)
            # The report's daily figures, as rebuild_daily_figures makes them; the
            # triggers' marks of every day the load wrote are then done with.
            for statement in rebuild_statements("postgres"):
                await connection.execute(statement)
            await connection.execute('DELETE FROM "stale_station_day"')
        # What autovacuum leaves after a bulk load (its insert threshold): statistics, and the
        # visibility map that lets the reports and the overview read covering indexes alone.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    counts = {table: len(plan.rows[table]) for table in TABLES}
    return NationInfo(
        campaign_id=campaign_id,
        now=now,
        root_unit_id=plan.units[0].id,
        province_unit_id=province_unit.id,
        ward_unit_id=ward_station.unit.id,
        station_code=ward_station.code,
        outside_station_code=next(
            s.code for s in plan.stations if s.unit.parent_id != province_unit.id
        ),
        admin=Login(ADMIN_EMAIL, PASSWORD, tokens["admin"]),
        province_coordinator=Login(PROVINCE_EMAIL, PASSWORD, tokens["province"]),
        ward_coordinator=Login(WARD_EMAIL, PASSWORD, tokens["ward"]),
        wave_starts_at=local(now.astimezone(VN_TZ).date(), WAVE_SLOT[0]),
        wave_assignments=wave,
        counts=counts,
        seconds=time.perf_counter() - started,
    )
