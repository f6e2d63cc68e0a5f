"""The volunteer pages' queries: a scoped list, one volunteer's record, a roster's plan."""

from __future__ import annotations

import logging

import pytest

from stations.enums import AssignmentStatus
from stations.services.errors import NotFound
from stations.services.queries.volunteer_pages import (
    roster_plan,
    units_to_choose,
    volunteer_list_page,
    volunteer_record,
    volunteer_with_unit,
)
from stations.services.roster_import import RosterRow
from tests.factories import (
    make_assignment,
    make_shift,
    make_station,
    make_unit,
    make_volunteer,
    vn,
)


def _names(page):
    return [volunteer.full_name for volunteer in page.volunteers]


def _row(line: int, phone: str, unit_code: str | None = None) -> RosterRow:
    return RosterRow(
        line=line,
        full_name=f"Người {line}",
        phone=phone,
        unit_code=unit_code,
        organisation="",
        skills=(),
        language="vi",
    )


class _QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).lstrip().upper().startswith(("SELECT", "%S")):
            self.count += 1


async def _count_queries(work) -> int:
    logger = logging.getLogger("tortoise.db_client")
    counter = _QueryCounter()
    previous = logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        await work()
    finally:
        logger.removeHandler(counter)
        logger.setLevel(previous)
    return counter.count


async def test_volunteer_list_page_finds_names_without_diacritics_in_scope(db):
    mine, other = await make_unit(), await make_unit()
    await make_volunteer(full_name="Nguyễn Văn An", unit=mine)
    await make_volunteer(full_name="Nguyễn Văn Anh", unit=other)
    await make_volunteer(full_name="Trần Thị Bình", unit=mine)

    page = await volunteer_list_page("nguyen van an", unit_ids=frozenset({mine.id}), page=1)

    assert _names(page) == ["Nguyễn Văn An"]
    assert (page.total, page.page, page.pages) == (1, 1, 1)
    assert page.volunteers[0].unit.id == mine.id


async def test_volunteer_list_page_province_wide_sees_volunteers_without_unit(db):
    await make_volunteer(full_name="Lê Văn Cường")
    unit = await make_unit()

    everyone = await volunteer_list_page("", unit_ids=None, page=1)
    scoped = await volunteer_list_page("", unit_ids=frozenset({unit.id}), page=1)

    assert _names(everyone) == ["Lê Văn Cường"]
    assert _names(scoped) == []
    assert scoped.pages == 1


@pytest.mark.parametrize("query", ["0912 345 678", "+84 912 345 678", "0912.345.678", "345678"])
async def test_volunteer_list_page_finds_a_phone_written_any_usual_way(db, query):
    await make_volunteer(full_name="Nguyễn Văn An", phone="+84912345678")
    await make_volunteer(full_name="Trần Văn Bảo", phone="+84987654321")

    page = await volunteer_list_page(query, unit_ids=None, page=1)

    assert _names(page) == ["Nguyễn Văn An"]


async def test_volunteer_list_page_past_the_end_shows_the_last_page(db):
    for n in range(5):
        await make_volunteer(full_name=f"Tình nguyện viên {n}")

    page = await volunteer_list_page("", unit_ids=None, page=99, per_page=2)

    assert (page.page, page.pages, page.total) == (3, 3, 5)
    assert _names(page) == ["Tình nguyện viên 4"]


async def test_units_to_choose_are_the_scoped_units_by_name(db):
    b = await make_unit(name="B phường")
    a = await make_unit(name="A xã")
    await make_unit(name="C ngoài")

    assert [u.id for u in await units_to_choose(frozenset({a.id, b.id}))] == [a.id, b.id]
    assert len(await units_to_choose(None)) == 3


async def test_volunteer_with_unit_of_an_unknown_id_is_not_found(db):
    with pytest.raises(NotFound):
        await volunteer_with_unit(12345)


async def test_volunteer_record_splits_shifts_and_adds_up_worked_minutes(db, clock):
    volunteer = await make_volunteer()
    station = await make_station()
    done = await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 1, 6), ends_at=vn(2027, 2, 1, 10)),
        volunteer,
        status=AssignmentStatus.CHECKED_OUT,
        checked_in_at=vn(2027, 2, 1, 5, 55),
        checkin_verified=True,
        checkin_distance_m=40,
        worked_minutes=245,
    )
    missed = await make_assignment(
        await make_shift(station, starts_at=vn(2027, 1, 31, 6), ends_at=vn(2027, 1, 31, 10)),
        volunteer,
        status=AssignmentStatus.NO_SHOW,
    )
    now_on = await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 2, 6), ends_at=vn(2027, 2, 2, 10)),
        volunteer,
        status=AssignmentStatus.CHECKED_IN,
        checked_in_at=vn(2027, 2, 2, 6, 10),
        checkin_verified=False,
        checkin_distance_m=900,
    )
    later = await make_assignment(
        await make_shift(station, starts_at=vn(2027, 2, 3, 6), ends_at=vn(2027, 2, 3, 10)),
        volunteer,
    )

    record = await volunteer_record(volunteer)

    assert [a.id for a in record.upcoming] == [now_on.id, later.id]
    assert [a.id for a in record.past] == [done.id, missed.id]
    assert [a.id for a in record.checkins] == [now_on.id, done.id]
    assert record.worked_minutes == 245
    assert record.truncated is False
    assert record.upcoming[0].shift.station.id == station.id


async def test_volunteer_record_runs_one_query_however_many_shifts(db, clock):
    volunteer = await make_volunteer()
    station = await make_station()
    await make_assignment(await make_shift(station), volunteer)

    few = await _count_queries(lambda: volunteer_record(volunteer))
    for day in range(3, 9):
        await make_assignment(
            await make_shift(station, starts_at=vn(2027, 2, day, 6), ends_at=vn(2027, 2, day, 10)),
            volunteer,
        )
    many = await _count_queries(lambda: volunteer_record(volunteer))

    assert few == many == 1


async def test_roster_plan_tells_creates_from_updates(db):
    known = await make_volunteer(full_name="NGUOI 2", phone="+84912345678")

    plan = await roster_plan([_row(2, "+84912345678"), _row(3, "+84987654321")], unit_ids=None)

    assert plan.creates == [3]
    assert {line: v.id for line, v in plan.updates.items()} == {2: known.id}
    assert (plan.conflicts, plan.outside_scope) == ({}, [])


async def test_roster_plan_tells_a_phone_of_someone_with_another_name_as_a_conflict(db):
    other = await make_volunteer(full_name="Bùi Bích Liên", phone="+84983681802")

    plan = await roster_plan([_row(2, "+84983681802")], unit_ids=None)

    assert {line: v.id for line, v in plan.conflicts.items()} == {2: other.id}
    assert (plan.updates, plan.creates) == ({}, [])


async def test_roster_plan_flags_rows_a_scoped_coordinator_may_not_import(db):
    mine, other = await make_unit(code="MINE"), await make_unit(code="OTHER")
    await make_volunteer(phone="+84911111111", unit=other)
    await make_volunteer(phone="+84922222222", unit=mine)

    plan = await roster_plan(
        [
            _row(2, "+84933333333", "MINE"),  # new, in my unit
            _row(3, "+84944444444", "OTHER"),  # new, another unit
            _row(4, "+84955555555"),  # new, no unit: nobody of mine would see it
            _row(5, "+84911111111", "MINE"),  # takes another unit's volunteer
            _row(6, "+84922222222"),  # mine, unit kept
        ],
        unit_ids=frozenset({mine.id}),
    )

    assert plan.outside_scope == [3, 4, 5]
