"""Vietnamese lunisolar calendar (UTC+7) and the holiday windows campaigns run around."""

from stations.calendar.holidays import (
    HolidayKind,
    HolidayWindow,
    canchi_year_name,
    holiday_window,
    holidays_of_year,
)
from stations.calendar.lunar import (
    SUPPORTED_YEARS,
    LunarDate,
    leap_month,
    lunar_to_solar,
    solar_to_lunar,
    tet,
)

__all__ = [
    "SUPPORTED_YEARS",
    "HolidayKind",
    "HolidayWindow",
    "LunarDate",
    "canchi_year_name",
    "holiday_window",
    "holidays_of_year",
    "leap_month",
    "lunar_to_solar",
    "solar_to_lunar",
    "tet",
]
