"""The lunar calendar, checked against an independent astronomical computation.

The reference below derives the whole Vietnamese calendar from ephem's new moons and
solar terms (UTC+7), with the calendar rules written out again from scratch, and every
supported lunar year is compared month by month with ``stations.calendar``. Vietnam has
reckoned on UTC+7 since 1968; the earlier years check the same astronomy. Near-midnight
new moons and terms are where implementations part ways, and ephem is the referee there.
"""

import dataclasses
import datetime
import math
from bisect import bisect_right

import ephem
import pytest

from stations.calendar import (
    SUPPORTED_YEARS,
    LunarDate,
    leap_month,
    lunar_to_solar,
    solar_to_lunar,
    tet,
)

pytestmark = pytest.mark.unit

REFERENCE_YEARS = SUPPORTED_YEARS
UTC_OFFSET_DAYS = 7 / 24
# ephem dates count days from 1899-12-31 12:00 UT.
EPHEM_EPOCH_MIDNIGHT_ORDINAL = datetime.date(1899, 12, 31).toordinal()
ONE_DAY = datetime.timedelta(days=1)

# Years where stations.calendar is known to differ from the reference, and why.
KNOWN_DEVIATIONS = {
    1967: (
        "the new moon of 8 July 1967 fell 4 s after midnight UTC+7 (ephem and JPL DE421 "
        "agree); Meeus's new-moon series is 6 s early there, so month 6 starts on 7 July. "
        "Vietnam still used the UTC+8 calendar then, where that month starts on 8 July."
    ),
}


def reference_years_with_known_deviations() -> list[object]:
    return [
        pytest.param(year, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DEVIATIONS[year]))
        if year in KNOWN_DEVIATIONS
        else year
        for year in REFERENCE_YEARS
    ]


# --- the independent reference -----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReferenceMonth:
    lunar_year: int
    number: int
    leap: bool
    first_day: datetime.date
    length: int
    new_moon_local: str  # for failure messages: how close to midnight it was


def local_date(moment: float) -> datetime.date:
    days_since_epoch_midnight = moment + 0.5 + UTC_OFFSET_DAYS
    return datetime.date.fromordinal(
        EPHEM_EPOCH_MIDNIGHT_ORDINAL + math.floor(days_since_epoch_midnight)
    )


def new_moons(start: str, end: str) -> list[ephem.Date]:
    moments = []
    moment = ephem.next_new_moon(start)
    while moment < ephem.Date(end):
        moments.append(moment)
        moment = ephem.next_new_moon(moment + 1)
    return moments


_sun = ephem.Sun()


def apparent_solar_longitude(moment: float) -> float:
    """Radians, ecliptic and equinox of date; g_ra/g_dec include nutation and aberration."""
    _sun.compute(moment)
    equatorial = ephem.Equatorial(_sun.g_ra, _sun.g_dec, epoch=moment)
    return float(ephem.Ecliptic(equatorial, epoch=moment).lon)


def major_solar_terms(start: str, end: str) -> list[tuple[int, ephem.Date]]:
    """(longitude in degrees, moment) of every multiple of 30° of the Sun's longitude."""
    terms = []
    moment = ephem.Date(start)
    longitude_deg = 30 * (math.floor(math.degrees(apparent_solar_longitude(moment)) / 30) + 1)
    while moment < ephem.Date(end):
        target = math.radians(longitude_deg % 360)

        def angle_to_target(d: float, target: float = target) -> float:
            return (apparent_solar_longitude(d) - target + math.pi) % (2 * math.pi) - math.pi

        guess = moment + 15
        moment = ephem.Date(ephem.newton(angle_to_target, guess, guess + ephem.hour))
        terms.append((longitude_deg % 360, moment))
        longitude_deg += 30
    return terms


def build_reference() -> list[ReferenceMonth]:
    moons = new_moons("1898/10/1", "2102/3/1")
    terms = major_solar_terms("1898/9/1", "2102/3/1")
    month_starts = [local_date(m) for m in moons]
    term_days = sorted(local_date(moment) for _, moment in terms)
    solstice_days = {
        local_date(moment).year: local_date(moment) for deg, moment in terms if deg == 270
    }

    def month_containing(day: datetime.date) -> int:
        return bisect_right(month_starts, day) - 1

    def has_major_term(i: int) -> bool:
        first_term = bisect_right(term_days, month_starts[i] - ONE_DAY)
        return first_term < len(term_days) and term_days[first_term] < month_starts[i + 1]

    months: list[ReferenceMonth] = []
    lunar_year = 1898
    for solar_year in range(1899, 2102):
        first = month_containing(solstice_days[solar_year - 1])  # month 11
        stop = month_containing(solstice_days[solar_year])
        leap_index = None
        if stop - first == 13:
            leap_index = next(i for i in range(first + 1, stop) if not has_major_term(i))
        number = 11
        for i in range(first, stop):
            leap = i == leap_index
            if i != first and not leap:
                number = number % 12 + 1
            if number == 1 and not leap:
                lunar_year = month_starts[i].year
            months.append(
                ReferenceMonth(
                    lunar_year=lunar_year,
                    number=number,
                    leap=leap,
                    first_day=month_starts[i],
                    length=(month_starts[i + 1] - month_starts[i]).days,
                    new_moon_local=str(ephem.Date(moons[i] + UTC_OFFSET_DAYS)),
                )
            )
    return months


@pytest.fixture(scope="module")
def reference_years() -> dict[int, list[ReferenceMonth]]:
    by_year: dict[int, list[ReferenceMonth]] = {}
    for month in build_reference():
        by_year.setdefault(month.lunar_year, []).append(month)
    return by_year


# --- the comparison ----------------------------------------------------------------------


def disagreements(month: ReferenceMonth) -> list[str]:
    found = []
    year, number, leap = month.lunar_year, month.number, month.leap
    first_day = lunar_to_solar(year, number, 1, leap=leap)
    if first_day != month.first_day:
        found.append(f"starts {first_day}, ephem says {month.first_day}")
    last_day = month.first_day + datetime.timedelta(days=month.length - 1)
    if solar_to_lunar(last_day) != LunarDate(year, number, month.length, leap):
        found.append(f"{last_day} is {solar_to_lunar(last_day)}, ephem says day {month.length}")
    if solar_to_lunar(month.first_day) != LunarDate(year, number, 1, leap):
        found.append(f"{month.first_day} is {solar_to_lunar(month.first_day)}, ephem says day 1")
    if month.length == 29:
        try:
            lunar_to_solar(year, number, 30, leap=leap)
        except ValueError:
            pass
        else:
            found.append("has a day 30, ephem says 29 days")
    return [f"month {number}{'n' if leap else ''}/{year}: {d}" for d in found]


@pytest.mark.parametrize("lunar_year", reference_years_with_known_deviations())
def test_every_month_matches_the_ephem_reference(
    reference_years: dict[int, list[ReferenceMonth]], lunar_year: int
) -> None:
    months = reference_years[lunar_year]
    problems = [problem for month in months for problem in disagreements(month)]
    assert not problems, "\n".join(
        [*problems, f"new moons (UTC+7): {[m.new_moon_local for m in months]}"]
    )


@pytest.mark.parametrize("lunar_year", REFERENCE_YEARS)
def test_leap_month_and_tet_match_the_ephem_reference(
    reference_years: dict[int, list[ReferenceMonth]], lunar_year: int
) -> None:
    months = reference_years[lunar_year]
    expected_leap = next((m.number for m in months if m.leap), None)
    assert leap_month(lunar_year) == expected_leap
    assert len(months) == (13 if expected_leap else 12)
    assert tet(lunar_year) == months[0].first_day
    assert (months[0].number, months[0].leap) == (1, False)


def test_no_known_deviation_since_vietnam_adopted_utc7() -> None:
    assert all(year < 1968 for year in KNOWN_DEVIATIONS)


def test_reference_covers_every_year_with_twelve_or_thirteen_months(
    reference_years: dict[int, list[ReferenceMonth]],
) -> None:
    assert set(REFERENCE_YEARS) <= set(reference_years)
    leap_years = [y for y in REFERENCE_YEARS if len(reference_years[y]) == 13]
    # Seven leap years in every nineteen (the Metonic cycle), give or take one.
    assert abs(len(leap_years) - len(REFERENCE_YEARS) * 7 / 19) <= 1


# --- fixed points ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1968, datetime.date(1968, 1, 29)),  # Tết Mậu Thân, the first Tết on UTC+7
        (1985, datetime.date(1985, 1, 21)),  # China: 20 February 1985
        (2007, datetime.date(2007, 2, 17)),  # China: 18 February 2007
        (2025, datetime.date(2025, 1, 29)),
        (2026, datetime.date(2026, 2, 17)),
        (2027, datetime.date(2027, 2, 6)),
        (2030, datetime.date(2030, 2, 2)),  # China: 3 February 2030
    ],
)
def test_tet_on_known_dates(year: int, expected: datetime.date) -> None:
    assert tet(year) == expected


@pytest.mark.parametrize(
    ("lunar_year", "expected"),
    [(2020, 4), (2023, 2), (2024, None), (2025, 6), (2026, None), (2028, 5)],
)
def test_leap_month_on_known_years(lunar_year: int, expected: int | None) -> None:
    assert leap_month(lunar_year) == expected


def test_leap_month_2023_follows_month_2() -> None:
    assert lunar_to_solar(2023, 2, 1) == datetime.date(2023, 2, 20)
    assert lunar_to_solar(2023, 2, 1, leap=True) == datetime.date(2023, 3, 22)
    assert solar_to_lunar(datetime.date(2023, 3, 22)) == LunarDate(2023, 2, 1, leap=True)


def test_conversions_of_known_days() -> None:
    assert solar_to_lunar(datetime.date(2026, 2, 16)) == LunarDate(2025, 12, 29)  # Giao thừa
    assert solar_to_lunar(datetime.date(2027, 2, 6)) == LunarDate(2027, 1, 1)
    assert lunar_to_solar(2026, 12, 23) == datetime.date(2027, 1, 30)
    assert lunar_to_solar(2027, 1, 6) == datetime.date(2027, 2, 11)


def test_the_ends_of_the_supported_range() -> None:
    assert solar_to_lunar(datetime.date(1900, 1, 1)) == LunarDate(1899, 12, 1)
    assert solar_to_lunar(datetime.date(1900, 1, 31)) == LunarDate(1900, 1, 1)
    # Lunar year 2100 ends in January 2101; its last days convert both ways.
    last_day_of_2100 = lunar_to_solar(2100, 12, 29)
    assert last_day_of_2100.year == 2101
    assert solar_to_lunar(last_day_of_2100) == LunarDate(2100, 12, 29)


# --- properties over the whole supported range -------------------------------------------


def test_round_trip_every_day_1900_to_2100() -> None:
    day = tet(SUPPORTED_YEARS.start)
    last = datetime.date(SUPPORTED_YEARS.stop - 1, 12, 31)
    failures = []
    while day <= last:
        lunar = solar_to_lunar(day)
        if lunar_to_solar(**lunar._asdict()) != day:
            failures.append(f"{day} -> {lunar}")
        day += ONE_DAY
    assert not failures, failures[:20]


def test_lunar_days_are_consecutive_across_the_whole_range() -> None:
    day = tet(SUPPORTED_YEARS.start)
    previous = solar_to_lunar(day)
    assert previous == LunarDate(SUPPORTED_YEARS.start, 1, 1)
    while day < datetime.date(SUPPORTED_YEARS.stop - 1, 12, 31):
        day += ONE_DAY
        current = solar_to_lunar(day)
        if current.day != 1:
            assert (current.year, current.month, current.leap) == (
                previous.year,
                previous.month,
                previous.leap,
            )
            assert current.day == previous.day + 1
        else:
            assert previous.day in (29, 30), day
        previous = current


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_tet_falls_between_21_january_and_20_february(year: int) -> None:
    assert datetime.date(year, 1, 21) <= tet(year) <= datetime.date(year, 2, 20)


def test_leap_months_are_the_repeated_month() -> None:
    for year in SUPPORTED_YEARS:
        month = leap_month(year)
        if month is not None:
            assert lunar_to_solar(year, month, 1, leap=True) > lunar_to_solar(year, month, 1)


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("year", [1899, 2101, 0, -5, 3000])
def test_years_outside_the_range_are_rejected(year: int) -> None:
    with pytest.raises(ValueError, match="supported years are 1900–2100"):
        tet(year)
    with pytest.raises(ValueError, match="supported years are 1900–2100"):
        leap_month(year)
    with pytest.raises(ValueError, match="supported years are 1900–2100"):
        lunar_to_solar(year, 1, 1)


@pytest.mark.parametrize(
    "day",
    [
        datetime.date(1899, 12, 31),
        datetime.date(1, 1, 1),
        datetime.date(2101, 1, 1) + datetime.timedelta(days=60),  # after Tết 2101
        datetime.date(9999, 12, 31),
    ],
)
def test_solar_dates_outside_the_range_are_rejected(day: datetime.date) -> None:
    with pytest.raises(ValueError, match="supported years are 1900–2100"):
        solar_to_lunar(day)


@pytest.mark.parametrize(
    ("month", "day", "message"),
    [
        (0, 1, "month must be between 1 and 12, got 0"),
        (13, 1, "month must be between 1 and 12, got 13"),
        (1, 0, "day must be between 1 and 30, got 0"),
        (1, 31, "day must be between 1 and 30, got 31"),
    ],
)
def test_impossible_months_and_days_are_rejected(month: int, day: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lunar_to_solar(2027, month, day)
    with pytest.raises(ValueError, match=message):
        LunarDate(2027, month, day)


def test_a_leap_month_the_year_does_not_have_is_rejected() -> None:
    with pytest.raises(ValueError, match="2023 has no leap month 3; its leap month is 2"):
        lunar_to_solar(2023, 3, 1, leap=True)
    with pytest.raises(ValueError, match="2026 has no leap month 1; it has no leap month"):
        lunar_to_solar(2026, 1, 1, leap=True)


def test_day_30_of_a_29_day_month_is_rejected() -> None:
    # Tháng Chạp Bính Ngọ runs 8 January – 5 February 2027: 29 days.
    assert lunar_to_solar(2026, 12, 29) == datetime.date(2027, 2, 5)
    with pytest.raises(ValueError, match="month 12 of 2026 has 29 days; day 30 does not exist"):
        lunar_to_solar(2026, 12, 30)


# --- LunarDate ---------------------------------------------------------------------------


def test_lunar_date_str() -> None:
    assert str(LunarDate(2026, 12, 23)) == "23/12/2026"
    assert str(LunarDate(2023, 2, 15, leap=True)) == "15/2n/2023"
    assert str(solar_to_lunar(datetime.date(2027, 2, 6))) == "1/1/2027"


def test_lunar_date_is_immutable_and_hashable() -> None:
    lunar = LunarDate(2027, 1, 1)
    with pytest.raises(AttributeError):
        lunar.day = 2  # type: ignore[misc]
    assert {lunar, LunarDate(2027, 1, 1)} == {lunar}


def test_lunar_dates_order_as_the_calendar_runs() -> None:
    days = [LunarDate(2023, 3, 1), LunarDate(2023, 2, 15, leap=True), LunarDate(2023, 2, 15)]

    assert sorted(days) == [days[2], days[1], days[0]]


def test_a_lunar_date_is_checked_when_made() -> None:
    with pytest.raises(ValueError):
        LunarDate(2027, 13, 1)
