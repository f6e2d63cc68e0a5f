import datetime
import unicodedata

import pytest

from stations.calendar import (
    SUPPORTED_YEARS,
    HolidayKind,
    HolidayWindow,
    LunarDate,
    canchi_year_name,
    holiday_window,
    holidays_of_year,
    leap_month,
    lunar_to_solar,
    solar_to_lunar,
    tet,
)

pytestmark = pytest.mark.unit


def test_tet_window_2027_runs_from_23_thang_chap_binh_ngo_to_mung_6_dinh_mui() -> None:
    window = holiday_window(HolidayKind.TET, 2027)
    assert (window.start, window.end) == (datetime.date(2027, 1, 30), datetime.date(2027, 2, 11))
    assert solar_to_lunar(window.start) == LunarDate(2026, 12, 23)
    assert solar_to_lunar(window.end) == LunarDate(2027, 1, 6)
    assert len(window.days()) == 13


def test_reunification_window_2027() -> None:
    window = holiday_window(HolidayKind.REUNIFICATION, 2027)
    assert (window.start, window.end) == (datetime.date(2027, 4, 28), datetime.date(2027, 5, 2))
    assert window.days() == [
        datetime.date(2027, 4, 28),
        datetime.date(2027, 4, 29),
        datetime.date(2027, 4, 30),
        datetime.date(2027, 5, 1),
        datetime.date(2027, 5, 2),
    ]


@pytest.mark.parametrize("kind", ["tet", "TET", " Reunification ", HolidayKind.REUNIFICATION])
def test_kind_may_be_given_as_text(kind: str) -> None:
    window = holiday_window(kind, 2027)
    assert window.kind == HolidayKind(kind.strip().lower())
    assert isinstance(window.kind, HolidayKind)


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown holiday kind 'nonsense'; expected one of"):
        holiday_window("nonsense", 2027)


@pytest.mark.parametrize("year", [1899, 2101])
@pytest.mark.parametrize("kind", list(HolidayKind))
def test_years_outside_the_range_are_rejected(kind: HolidayKind, year: int) -> None:
    with pytest.raises(ValueError, match="supported years are 1900–2100"):
        holiday_window(kind, year)


def test_tet_window_after_a_leap_eleventh_month() -> None:
    # Lunar year 2033 doubles month 11, so tháng Chạp comes one lunation later than usual.
    assert leap_month(2033) == 11
    window = holiday_window(HolidayKind.TET, 2034)
    assert solar_to_lunar(window.start) == LunarDate(2033, 12, 23)
    assert solar_to_lunar(window.end) == LunarDate(2034, 1, 6)


def test_no_supported_year_has_a_leap_twelfth_month() -> None:
    # The TET window rule allows for a leap 12th month; none occurs in 1900–2100.
    assert 12 not in {leap_month(year) for year in SUPPORTED_YEARS}


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_tet_window_in_every_supported_year(year: int) -> None:
    window = holiday_window(HolidayKind.TET, year)
    last_month = solar_to_lunar(tet(year) - datetime.timedelta(days=1))
    assert last_month.month == 12
    assert solar_to_lunar(window.start) == LunarDate(year - 1, 12, 23, leap=last_month.leap)
    assert window.end == tet(year) + datetime.timedelta(days=5)
    assert len(window.days()) in (13, 14)  # 29- or 30-day tháng Chạp
    if year - 1 in SUPPORTED_YEARS:
        assert window.start == lunar_to_solar(year - 1, 12, 23, leap=last_month.leap)


def test_holiday_window_days_are_consecutive_and_inclusive() -> None:
    window = HolidayWindow(
        HolidayKind.TET, 2027, datetime.date(2027, 1, 30), datetime.date(2027, 1, 30)
    )
    assert window.days() == [datetime.date(2027, 1, 30)]


def test_holiday_window_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends"):
        HolidayWindow(HolidayKind.TET, 2027, datetime.date(2027, 2, 1), datetime.date(2027, 1, 1))


def test_holidays_of_year() -> None:
    year = holidays_of_year(2027)
    assert year["year"] == 2027
    assert year["tet"] == datetime.date(2027, 2, 6)
    assert [w.kind for w in year["windows"]] == [HolidayKind.TET, HolidayKind.REUNIFICATION]
    assert year["windows"] == [
        holiday_window(HolidayKind.TET, 2027),
        holiday_window(HolidayKind.REUNIFICATION, 2027),
    ]


def test_holiday_kinds_serialise_as_their_values() -> None:
    assert [str(kind) for kind in HolidayKind] == ["tet", "reunification"]


@pytest.mark.parametrize(
    ("lunar_year", "name"),
    [
        (1968, "Mậu Thân"),
        (1975, "Ất Mão"),
        (1984, "Giáp Tý"),
        (2000, "Canh Thìn"),
        (2024, "Giáp Thìn"),
        (2025, "Ất Tỵ"),
        (2026, "Bính Ngọ"),
        (2027, "Đinh Mùi"),
        (2043, "Quý Hợi"),
    ],
)
def test_canchi_year_name(lunar_year: int, name: str) -> None:
    assert canchi_year_name(lunar_year) == name


def test_canchi_names_repeat_every_sixty_years_and_are_nfc() -> None:
    names = [canchi_year_name(year) for year in range(1984, 2044)]
    assert len(set(names)) == 60
    assert canchi_year_name(2027 + 60) == canchi_year_name(2027)
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
