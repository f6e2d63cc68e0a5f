"""Holiday windows that rest-station campaigns are planned around."""

import datetime
from enum import StrEnum
from typing import NamedTuple, Self, TypedDict

from stations.calendar.lunar import SUPPORTED_YEARS, solar_to_lunar, tet

__all__ = [
    "HolidayKind",
    "HolidayWindow",
    "YearHolidays",
    "canchi_year_name",
    "holiday_window",
    "holidays_of_year",
]

# Ông Công Ông Táo (23 tháng Chạp) is when people start travelling home for Tết, and
# mùng 6 is when most of them have travelled back.
_TET_WINDOW_FIRST_LUNAR_DAY = 23
_TET_WINDOW_LAST_LUNAR_DAY = 6

_HEAVENLY_STEMS = ("Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý")
_EARTHLY_BRANCHES = (
    "Tý",
    "Sửu",
    "Dần",
    "Mão",
    "Thìn",
    "Tỵ",
    "Ngọ",
    "Mùi",
    "Thân",
    "Dậu",
    "Tuất",
    "Hợi",
)
# Year 4 CE was Giáp Tý, the first year of the sixty-year cycle.
_CYCLE_ORIGIN_YEAR = 4


class HolidayKind(StrEnum):
    TET = "tet"
    REUNIFICATION = "reunification"  # 30/4 (Reunification Day) and 1/5 (Labour Day)


class _HolidayWindowFields(NamedTuple):
    kind: HolidayKind
    year: int
    start: datetime.date
    end: datetime.date  # inclusive


class HolidayWindow(_HolidayWindowFields):
    """A holiday's days, first to last (a named tuple, as ``LunarDate`` is: light to import)."""

    __slots__ = ()

    def __new__(
        cls, kind: HolidayKind, year: int, start: datetime.date, end: datetime.date
    ) -> Self:
        if end < start:
            raise ValueError(f"holiday window ends ({end}) before it starts ({start})")
        return super().__new__(cls, kind, year, start, end)

    def days(self) -> list[datetime.date]:
        length = (self.end - self.start).days + 1
        return [self.start + datetime.timedelta(days=offset) for offset in range(length)]


class YearHolidays(TypedDict):
    year: int
    tet: datetime.date
    windows: list[HolidayWindow]


def holiday_window(kind: HolidayKind | str, year: int) -> HolidayWindow:
    """The window of ``kind`` in solar ``year``.

    TET runs from 23 tháng Chạp (day 23 of the last lunar month before Tết, the 12th or
    its leap repeat) to mùng 6 Tết (lunar 6/1) of the lunar year that starts in ``year``.
    REUNIFICATION runs from 28 April to 2 May.
    """
    kind = _parse_kind(kind)
    if year not in SUPPORTED_YEARS:
        raise ValueError(
            f"year {year} is out of range; "
            f"supported years are {SUPPORTED_YEARS.start}–{SUPPORTED_YEARS.stop - 1}"
        )
    if kind is HolidayKind.TET:
        start, end = _tet_window(year)
    else:
        start, end = datetime.date(year, 4, 28), datetime.date(year, 5, 2)
    return HolidayWindow(kind, year, start, end)


def holidays_of_year(year: int) -> YearHolidays:
    """Tết and every holiday window of solar ``year``, in calendar order."""
    return {
        "year": year,
        "tet": tet(year),
        "windows": [holiday_window(kind, year) for kind in HolidayKind],
    }


def canchi_year_name(lunar_year: int) -> str:
    """The Vietnamese can-chi name of a lunar year: 2027 -> "Đinh Mùi"."""
    cycle_position = lunar_year - _CYCLE_ORIGIN_YEAR
    stem = _HEAVENLY_STEMS[cycle_position % len(_HEAVENLY_STEMS)]
    branch = _EARTHLY_BRANCHES[cycle_position % len(_EARTHLY_BRANCHES)]
    return f"{stem} {branch}"


def _parse_kind(kind: HolidayKind | str) -> HolidayKind:
    try:
        return HolidayKind(str(kind).strip().lower())
    except ValueError:
        expected = ", ".join(HolidayKind)
        raise ValueError(f"unknown holiday kind {kind!r}; expected one of: {expected}") from None


def _tet_window(year: int) -> tuple[datetime.date, datetime.date]:
    new_year = tet(year)
    # The eve of Tết is the last day of tháng Chạp, so its lunar day is that month's length.
    chap_length = solar_to_lunar(new_year - datetime.timedelta(days=1)).day
    chap_first_day = new_year - datetime.timedelta(days=chap_length)
    start = chap_first_day + datetime.timedelta(days=_TET_WINDOW_FIRST_LUNAR_DAY - 1)
    end = new_year + datetime.timedelta(days=_TET_WINDOW_LAST_LUNAR_DAY - 1)
    return start, end
