"""The Vietnamese lunisolar calendar (âm lịch), computed for the meridian of UTC+7.

Rules of the calendar:

* a month begins on the local (UTC+7) day of the astronomical new moon;
* month 11 is the month that contains the winter solstice;
* when 13 months separate two months 11, the first of them without a major solar term
  (trung khí, a multiple of 30° of the Sun's apparent longitude) is the leap month and
  repeats the number of the month before it.

The meridian is what makes this calendar Vietnamese: the Chinese calendar uses UTC+8, and
a new moon or a solar term between 16:00 and 17:00 UTC lands on different days in the two
countries (Tết 1985 is 21 January in Vietnam but 20 February in China). Vietnam has used
UTC+7 since 1968; earlier years are computed the same way, not as they were kept then.

Astronomy: new moons from Meeus, *Astronomical Algorithms* (2nd ed.), ch. 49, with every
periodic and planetary term; the Sun's apparent longitude from the truncated VSOP87
series of Meeus's appendix III plus nutation and aberration; ΔT from the Espenak–Meeus
(2006) polynomials. New moons come out within about 15 s of JPL's DE421 for past dates
and solar terms within about 20 s; the test suite compares every month of 1900–2100 with
an independent computation by ephem.
"""

import datetime
import math
from bisect import bisect_right
from functools import cache
from typing import NamedTuple, Self

__all__ = [
    "SUPPORTED_YEARS",
    "LunarDate",
    "leap_month",
    "lunar_to_solar",
    "solar_to_lunar",
    "tet",
]

SUPPORTED_YEARS = range(1900, 2101)
UTC_OFFSET_HOURS = 7

_J2000 = 2451545.0
# Julian date of 00:00 UT on proleptic-Gregorian ordinal 0, so jd = ordinal + this.
_JD_AT_ORDINAL_ZERO = 1721424.5
_JULIAN_DAY_NUMBER_OF_ORDINAL_ZERO = 1721425
_SECONDS_PER_DAY = 86400.0
_WINTER_SOLSTICE_DEG = 270.0
_MAJOR_TERM_SPACING_DEG = 30.0


# Value types are named tuples, not dataclasses: ``waystation holidays`` imports this module,
# and the dataclasses module (with inspect) plus building each class costs a fifth of its start.
class _LunarDateFields(NamedTuple):
    year: int  # lunar year: the solar year in which its Tết falls
    month: int  # 1..12
    day: int  # 1..30
    leap: bool = False


class LunarDate(_LunarDateFields):
    """A day of the Vietnamese lunar calendar, checked when made.

    ``str()`` gives ``day/month/year`` without zero padding, and an ``n`` (nhuận) after
    the month when it is the leap month: ``"23/12/2026"``, ``"15/2n/2023"``. Days compare in
    calendar order (a leap month follows the month it repeats).
    """

    __slots__ = ()

    def __new__(cls, year: int, month: int, day: int, leap: bool = False) -> Self:
        _check_month_and_day(month, day)
        return super().__new__(cls, year, month, day, leap)

    def __str__(self) -> str:
        leap_mark = "n" if self.leap else ""
        return f"{self.day}/{self.month}{leap_mark}/{self.year}"


class _LunarMonth(NamedTuple):
    first_day: int  # proleptic-Gregorian ordinal of day 1
    length: int  # 29 or 30
    number: int  # 1..12
    leap: bool

    def label(self) -> str:
        return f"{self.number}{' (leap)' if self.leap else ''}"


# --- public API ---------------------------------------------------------------------------


def tet(year: int) -> datetime.date:
    """Mùng 1 tháng Giêng (day 1 of month 1) of the lunar year that begins in ``year``."""
    _check_year(year)
    return datetime.date.fromordinal(_tet_ordinal(year))


def leap_month(lunar_year: int) -> int | None:
    """The month number that is doubled in ``lunar_year``, or None in a 12-month year."""
    _check_year(lunar_year)
    return next((m.number for m in _months_of_lunar_year(lunar_year) if m.leap), None)


def solar_to_lunar(day: datetime.date) -> LunarDate:
    """The lunar date of a solar day.

    Accepts every day of the supported solar years, where January 1900 before Tết answers
    in lunar year 1899, and the end of lunar year 2100, which runs into January 2101.
    """
    # The cheap bound first, so that far-off years never reach the astronomy.
    if not SUPPORTED_YEARS.start <= day.year <= SUPPORTED_YEARS.stop:
        raise _out_of_range(f"date {day}")
    ordinal = day.toordinal()
    lunar_year = day.year if ordinal >= _tet_ordinal(day.year) else day.year - 1
    if day.year not in SUPPORTED_YEARS and lunar_year not in SUPPORTED_YEARS:
        raise _out_of_range(f"date {day}")
    months = _months_of_lunar_year(lunar_year)
    month = months[bisect_right(months, ordinal, key=lambda m: m.first_day) - 1]
    return LunarDate(lunar_year, month.number, ordinal - month.first_day + 1, month.leap)


def lunar_to_solar(year: int, month: int, day: int, *, leap: bool = False) -> datetime.date:
    """The solar date of a lunar date; ValueError if that lunar date does not exist."""
    _check_year(year)
    _check_month_and_day(month, day)
    wanted = next(
        (m for m in _months_of_lunar_year(year) if m.number == month and m.leap == leap),
        None,
    )
    if wanted is None:
        actual = leap_month(year)
        has = f"its leap month is {actual}" if actual else "it has no leap month"
        raise ValueError(f"lunar year {year} has no leap month {month}; {has}")
    if day > wanted.length:
        raise ValueError(
            f"lunar month {wanted.label()} of {year} has {wanted.length} days; "
            f"day {day} does not exist"
        )
    return datetime.date.fromordinal(wanted.first_day + day - 1)


# --- validation -------------------------------------------------------------------------


def _check_year(year: int) -> None:
    if year not in SUPPORTED_YEARS:
        raise _out_of_range(f"year {year}")


def _out_of_range(what: str) -> ValueError:
    first, last = SUPPORTED_YEARS.start, SUPPORTED_YEARS.stop - 1
    return ValueError(f"{what} is out of range; supported years are {first}–{last}")


def _check_month_and_day(month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"lunar month must be between 1 and 12, got {month}")
    if not 1 <= day <= 30:
        raise ValueError(f"lunar day must be between 1 and 30, got {day}")


# --- calendar structure -----------------------------------------------------------------


@cache
def _months_of_lunar_year(lunar_year: int) -> tuple[_LunarMonth, ...]:
    """Months from Tết of ``lunar_year`` up to the day before the next Tết.

    The leap-month rule works on the span between two winter solstices, which straddles
    Tết: months 11 and 12 at the start of a span still belong to the previous year.
    """
    this_span = _months_between_solstices(lunar_year)
    next_span = _months_between_solstices(lunar_year + 1)
    return this_span[_index_of_tet(this_span) :] + next_span[: _index_of_tet(next_span)]


def _tet_ordinal(lunar_year: int) -> int:
    return _months_of_lunar_year(lunar_year)[0].first_day


def _index_of_tet(months: tuple[_LunarMonth, ...]) -> int:
    return next(i for i, m in enumerate(months) if m.number == 1 and not m.leap)


@cache
def _months_between_solstices(solar_year: int) -> tuple[_LunarMonth, ...]:
    """Months from month 11 of ``solar_year - 1`` up to, not including, month 11 of
    ``solar_year``."""
    first = _month_eleven(solar_year - 1)
    stop = _month_eleven(solar_year)
    leap_lunation = _leap_lunation(first, stop)
    months: list[_LunarMonth] = []
    number = 11
    for lunation in range(first, stop):
        is_leap = lunation == leap_lunation
        if lunation != first and not is_leap:
            number = number % 12 + 1
        start = _new_moon_day(lunation)
        months.append(_LunarMonth(start, _new_moon_day(lunation + 1) - start, number, is_leap))
    return tuple(months)


def _month_eleven(solar_year: int) -> int:
    """Lunation number of the month containing the winter solstice of ``solar_year``."""
    lunation = _last_new_moon_on_or_before(datetime.date(solar_year, 12, 31).toordinal())
    # A December month that starts at or after the solstice is month 12, not 11.
    if _solar_longitude_at_day_start(_new_moon_day(lunation)) >= _WINTER_SOLSTICE_DEG:
        lunation -= 1
    return lunation


def _leap_lunation(first: int, stop: int) -> int | None:
    if stop - first == 12:
        return None
    for lunation in range(first + 1, stop):
        if not _has_major_term(lunation):
            return lunation
    # Twelve major terms cannot fill thirteen months; reaching here means a bug.
    raise RuntimeError(f"no month without a major term in lunations {first}..{stop - 1}")


def _has_major_term(lunation: int) -> bool:
    # A term falls on one of the month's days exactly when the 30° sector of the Sun's
    # longitude differs between the first day's midnight and the next month's.
    start_sector = _major_term_sector(_new_moon_day(lunation))
    return start_sector != _major_term_sector(_new_moon_day(lunation + 1))


def _major_term_sector(day_ordinal: int) -> int:
    return math.floor(_solar_longitude_at_day_start(day_ordinal) / _MAJOR_TERM_SPACING_DEG)


def _solar_longitude_at_day_start(day_ordinal: int) -> float:
    """The Sun's apparent longitude at 00:00 UTC+7 of the given day, in degrees."""
    jd_ut = day_ordinal + _JD_AT_ORDINAL_ZERO - UTC_OFFSET_HOURS / 24
    return _apparent_solar_longitude(_ut_to_tt(jd_ut))


def _last_new_moon_on_or_before(day_ordinal: int) -> int:
    jd = day_ordinal + _JD_AT_ORDINAL_ZERO
    lunation = math.floor((jd - _NEW_MOON_EPOCH_JDE) / _SYNODIC_MONTH)
    while _new_moon_day(lunation + 1) <= day_ordinal:
        lunation += 1
    while _new_moon_day(lunation) > day_ordinal:
        lunation -= 1
    return lunation


@cache
def _new_moon_day(lunation: int) -> int:
    """Ordinal of the UTC+7 day of new moon number ``lunation`` (0 = 6 January 2000)."""
    jd_local = _tt_to_ut(_new_moon_jde(lunation)) + UTC_OFFSET_HOURS / 24
    # Julian days start at noon, hence the half day before taking the day number.
    return math.floor(jd_local + 0.5) - _JULIAN_DAY_NUMBER_OF_ORDINAL_ZERO


# --- time scales ------------------------------------------------------------------------


def _tt_to_ut(jde: float) -> float:
    return jde - _delta_t_seconds(_decimal_year(jde)) / _SECONDS_PER_DAY


def _ut_to_tt(jd_ut: float) -> float:
    # ΔT changes by well under a second a day, so evaluating it at UT is exact enough.
    return jd_ut + _delta_t_seconds(_decimal_year(jd_ut)) / _SECONDS_PER_DAY


def _decimal_year(jd: float) -> float:
    return 2000.0 + (jd - _J2000) / 365.25


def _delta_t_seconds(year: float) -> float:
    """TT − UT in seconds: Espenak & Meeus (2006), Five Millennium Canon of Solar Eclipses."""
    if year < 1900:
        return _polynomial(
            year - 1860, 7.62, 0.5737, -0.251754, 0.01680668, -0.0004473624, 1 / 233174
        )
    if year < 1920:
        return _polynomial(year - 1900, -2.79, 1.494119, -0.0598939, 0.0061966, -0.000197)
    if year < 1941:
        return _polynomial(year - 1920, 21.20, 0.84493, -0.076100, 0.0020936)
    if year < 1961:
        return _polynomial(year - 1950, 29.07, 0.407, -1 / 233, 1 / 2547)
    if year < 1986:
        return _polynomial(year - 1975, 45.45, 1.067, -1 / 260, -1 / 718)
    if year < 2005:
        return _polynomial(
            year - 2000, 63.86, 0.3345, -0.060374, 0.0017275, 0.000651814, 0.00002373599
        )
    if year < 2050:
        return _polynomial(year - 2000, 62.92, 0.32217, 0.005589)
    return -20 + 32 * ((year - 1820) / 100) ** 2 - 0.5628 * (2150 - year)


def _polynomial(x: float, *coefficients: float) -> float:
    """c0 + c1·x + c2·x² + …, by Horner's rule."""
    result = 0.0
    for coefficient in reversed(coefficients):
        result = result * x + coefficient
    return result


# --- new moon (Meeus ch. 49) ------------------------------------------------------------

_NEW_MOON_EPOCH_JDE = 2451550.09766
_SYNODIC_MONTH = 29.530588861

# (amplitude in days, power of the eccentricity factor E, multiples of M, M′, F, Ω)
_NEW_MOON_PERIODIC_TERMS = (
    (-0.40720, 0, 0, 1, 0, 0),
    (0.17241, 1, 1, 0, 0, 0),
    (0.01608, 0, 0, 2, 0, 0),
    (0.01039, 0, 0, 0, 2, 0),
    (0.00739, 1, -1, 1, 0, 0),
    (-0.00514, 1, 1, 1, 0, 0),
    (0.00208, 2, 2, 0, 0, 0),
    (-0.00111, 0, 0, 1, -2, 0),
    (-0.00057, 0, 0, 1, 2, 0),
    (0.00056, 1, 1, 2, 0, 0),
    (-0.00042, 0, 0, 3, 0, 0),
    (0.00042, 1, 1, 0, 2, 0),
    (0.00038, 1, 1, 0, -2, 0),
    (-0.00024, 1, -1, 2, 0, 0),
    (-0.00017, 0, 0, 0, 0, 1),
    (-0.00007, 0, 2, 1, 0, 0),
    (0.00004, 0, 0, 2, -2, 0),
    (0.00004, 0, 3, 0, 0, 0),
    (0.00003, 0, 1, 1, -2, 0),
    (0.00003, 0, 0, 2, 2, 0),
    (-0.00003, 0, 1, 1, 2, 0),
    (0.00003, 0, -1, 1, 2, 0),
    (-0.00002, 0, -1, 1, -2, 0),
    (-0.00002, 0, 1, 3, 0, 0),
    (0.00002, 0, 0, 4, 0, 0),
)

# (amplitude in days, argument at lunation 0 in degrees, degrees per lunation, per T²)
_NEW_MOON_PLANETARY_TERMS = (
    (0.000325, 299.77, 0.107408, -0.009173),
    (0.000165, 251.88, 0.016321, 0.0),
    (0.000164, 251.83, 26.651886, 0.0),
    (0.000126, 349.42, 36.412478, 0.0),
    (0.000110, 84.66, 18.206239, 0.0),
    (0.000062, 141.74, 53.303771, 0.0),
    (0.000060, 207.14, 2.453732, 0.0),
    (0.000056, 154.84, 7.306860, 0.0),
    (0.000047, 34.52, 27.261239, 0.0),
    (0.000042, 207.19, 0.121824, 0.0),
    (0.000040, 291.34, 1.844379, 0.0),
    (0.000037, 161.72, 24.198154, 0.0),
    (0.000035, 239.56, 25.513099, 0.0),
    (0.000023, 331.55, 3.592518, 0.0),
)


def _new_moon_jde(lunation: int) -> float:
    """Julian Ephemeris Day (TT) of the true new moon."""
    k = lunation
    t = k / 1236.85  # Julian centuries from J2000
    mean = _polynomial(t, 0, 0, 0.00015437, -0.000000150, 0.00000000073)
    mean += _NEW_MOON_EPOCH_JDE + _SYNODIC_MONTH * k
    e = _polynomial(t, 1, -0.002516, -0.0000074)
    sun_anomaly = math.radians(29.10535670 * k + _polynomial(t, 2.5534, 0, -0.0000014, -0.00000011))
    moon_anomaly = math.radians(
        385.81693528 * k + _polynomial(t, 201.5643, 0, 0.0107582, 0.00001238, -0.000000058)
    )
    latitude_argument = math.radians(
        390.67050284 * k + _polynomial(t, 160.7108, 0, -0.0016118, -0.00000227, 0.000000011)
    )
    node = math.radians(-1.56375588 * k + _polynomial(t, 124.7746, 0, 0.0020672, 0.00000215))

    periodic = sum(
        amplitude
        * e**e_power
        * math.sin(m * sun_anomaly + mp * moon_anomaly + f * latitude_argument + o * node)
        for amplitude, e_power, m, mp, f, o in _NEW_MOON_PERIODIC_TERMS
    )
    planetary = sum(
        amplitude * math.sin(math.radians(start + rate * k + quadratic * t**2))
        for amplitude, start, rate, quadratic in _NEW_MOON_PLANETARY_TERMS
    )
    return mean + periodic + planetary


# --- apparent solar longitude (Meeus ch. 25, VSOP87 appendix III) -------------------------

# Earth's heliocentric longitude, series L0..L5: (amplitude × 1e-8 rad, phase, frequency).
_VSOP87_EARTH_LONGITUDE = (
    (
        (175347046, 0, 0),
        (3341656, 4.6692568, 6283.07585),
        (34894, 4.6261, 12566.1517),
        (3497, 2.7441, 5753.3849),
        (3418, 2.8289, 3.5231),
        (3136, 3.6277, 77713.7715),
        (2676, 4.4181, 7860.4194),
        (2343, 6.1352, 3930.2097),
        (1324, 0.7425, 11506.7698),
        (1273, 2.0371, 529.691),
        (1199, 1.1096, 1577.3435),
        (990, 5.233, 5884.927),
        (902, 2.045, 26.298),
        (857, 3.508, 398.149),
        (780, 1.179, 5223.694),
        (753, 2.533, 5507.553),
        (505, 4.583, 18849.228),
        (492, 4.205, 775.523),
        (357, 2.92, 0.067),
        (317, 5.849, 11790.629),
        (284, 1.899, 796.298),
        (271, 0.315, 10977.079),
        (243, 0.345, 5486.778),
        (206, 4.806, 2544.314),
        (205, 1.869, 5573.143),
        (202, 2.458, 6069.777),
        (156, 0.833, 213.299),
        (132, 3.411, 2942.463),
        (126, 1.083, 20.775),
        (115, 0.645, 0.98),
        (103, 0.636, 4694.003),
        (102, 0.976, 15720.839),
        (102, 4.267, 7.114),
        (99, 6.21, 2146.17),
        (98, 0.68, 155.42),
        (86, 5.98, 161000.69),
        (85, 1.3, 6275.96),
        (85, 3.67, 71430.7),
        (80, 1.81, 17260.15),
        (79, 3.04, 12036.46),
        (75, 1.76, 5088.63),
        (74, 3.5, 3154.69),
        (74, 4.68, 801.82),
        (70, 0.83, 9437.76),
        (62, 3.98, 8827.39),
        (61, 1.82, 7084.9),
        (57, 2.78, 6286.6),
        (56, 4.39, 14143.5),
        (56, 3.47, 6279.55),
        (52, 0.19, 12139.55),
        (52, 1.33, 1748.02),
        (51, 0.28, 5856.48),
        (49, 0.49, 1194.45),
        (41, 5.37, 8429.24),
        (41, 2.4, 19651.05),
        (39, 6.17, 10447.39),
        (37, 6.04, 10213.29),
        (37, 2.57, 1059.38),
        (36, 1.71, 2352.87),
        (36, 1.78, 6812.77),
        (33, 0.59, 17789.85),
        (30, 0.44, 83996.85),
        (30, 2.74, 1349.87),
        (25, 3.16, 4690.48),
    ),
    (
        (628331966747, 0, 0),
        (206059, 2.678235, 6283.07585),
        (4303, 2.6351, 12566.1517),
        (425, 1.59, 3.523),
        (119, 5.796, 26.298),
        (109, 2.966, 1577.344),
        (93, 2.59, 18849.23),
        (72, 1.14, 529.69),
        (68, 1.87, 398.15),
        (67, 4.41, 5507.55),
        (59, 2.89, 5223.69),
        (56, 2.17, 155.42),
        (45, 0.4, 796.3),
        (36, 0.47, 775.52),
        (29, 2.65, 7.11),
        (21, 5.34, 0.98),
        (19, 1.85, 5486.78),
        (19, 4.97, 213.3),
        (17, 2.99, 6275.96),
        (16, 0.03, 2544.31),
        (16, 1.43, 2146.17),
        (15, 1.21, 10977.08),
        (12, 2.83, 1748.02),
        (12, 3.26, 5088.63),
        (12, 5.27, 1194.45),
        (12, 2.08, 4694.0),
        (11, 0.77, 553.57),
        (10, 1.3, 6286.6),
        (10, 4.24, 1349.87),
        (9, 2.7, 242.73),
        (9, 5.64, 951.72),
        (8, 5.3, 2352.87),
        (6, 2.65, 9437.76),
        (6, 4.67, 4690.48),
    ),
    (
        (52919, 0, 0),
        (8720, 1.0721, 6283.0758),
        (309, 0.867, 12566.152),
        (27, 0.05, 3.52),
        (16, 5.19, 26.3),
        (16, 3.68, 155.42),
        (10, 0.76, 18849.23),
        (9, 2.06, 77713.77),
        (7, 0.83, 775.52),
        (5, 4.66, 1577.34),
        (4, 1.03, 7.11),
        (4, 3.44, 5573.14),
        (3, 5.14, 796.3),
        (3, 6.05, 5507.55),
        (3, 1.19, 242.73),
        (3, 6.12, 529.69),
        (3, 0.31, 398.15),
        (3, 2.28, 553.57),
        (2, 4.38, 5223.69),
        (2, 3.75, 0.98),
    ),
    (
        (289, 5.844, 6283.076),
        (35, 0, 0),
        (17, 5.49, 12566.15),
        (3, 5.2, 155.42),
        (1, 4.72, 3.52),
        (1, 5.3, 18849.23),
        (1, 5.97, 242.73),
    ),
    ((114, 3.142, 0), (8, 4.13, 6283.08), (1, 3.84, 12566.15)),
    ((1, 3.14, 0),),
)

_ABERRATION_ARCSEC = 20.4898
_FK5_CORRECTION_ARCSEC = -0.09033


def _apparent_solar_longitude(jde: float) -> float:
    """The Sun's apparent geocentric longitude (true equinox of date), in degrees."""
    millennia = (jde - _J2000) / 365250
    centuries = millennia * 10
    earth_longitude = (
        sum(
            millennia**power * sum(a * math.cos(b + c * millennia) for a, b, c in series)
            for power, series in enumerate(_VSOP87_EARTH_LONGITUDE)
        )
        / 1e8
    )
    geometric = math.degrees(earth_longitude) + 180.0 + _FK5_CORRECTION_ARCSEC / 3600
    aberration = -_ABERRATION_ARCSEC / _earth_sun_distance_au(millennia) / 3600
    return (geometric + _nutation_in_longitude_deg(centuries) + aberration) % 360.0


def _earth_sun_distance_au(millennia: float) -> float:
    # The leading VSOP87 R0 terms; aberration needs the distance only to about 1e-4.
    return (
        1.00013989
        + 0.01670700 * math.cos(3.0984635 + 6283.07585 * millennia)
        + 0.00013956 * math.cos(3.05525 + 12566.1517 * millennia)
    )


def _nutation_in_longitude_deg(centuries: float) -> float:
    """Δψ by the four leading terms of IAU 1980 nutation (Meeus ch. 22), good to 0.5″."""
    node = math.radians(125.04452 - 1934.136261 * centuries)
    sun_mean_longitude = math.radians(280.4665 + 36000.7698 * centuries)
    moon_mean_longitude = math.radians(218.3165 + 481267.8813 * centuries)
    arcsec = (
        -17.20 * math.sin(node)
        - 1.32 * math.sin(2 * sun_mean_longitude)
        - 0.23 * math.sin(2 * moon_mean_longitude)
        + 0.21 * math.sin(2 * node)
    )
    return arcsec / 3600
