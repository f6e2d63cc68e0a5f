from __future__ import annotations

import datetime as dt

import pytest

from stations import clock
from stations.formatting import format_minutes, format_number, format_vnd, format_window
from stations.text import clean, fold


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Nước suối", "nuoc suoi"),
        ("KHĂN LẠNH", "khan lanh"),
        ("Đồng Tháp", "dong thap"),
        ("  Nguyễn   Văn  An ", "nguyen van an"),
        ("nuoc", "nuoc"),
        ("xăng", "xang"),
    ],
)
def test_fold_ignores_case_diacritics_and_spacing(typed, folded):
    assert fold(typed) == folded


def test_clean_normalises_composed_vietnamese():
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed with combining marks

    assert clean(f"  {decomposed}  ") == "Nguyễn"


def test_frozen_clock_is_what_now_returns_and_moves_only_when_told():
    frozen = clock.FrozenClock(dt.datetime(2027, 2, 5, 17, 30, tzinfo=dt.UTC))

    with clock.use_clock(frozen):
        first = clock.now()
        frozen.advance(dt.timedelta(hours=1))
        second = clock.now()
        today = clock.today_local()

    assert (first.hour, second.hour, today) == (17, 18, dt.date(2027, 2, 6))


def test_frozen_clock_refuses_naive_time():
    with pytest.raises(ValueError):
        clock.FrozenClock(dt.datetime(2027, 2, 5))


def test_numbers_read_the_vietnamese_way():
    assert (
        format_number(600000, "vi"),
        format_number(600000, "en"),
        format_vnd(1_050_000, "vi"),
    ) == (
        "600.000",
        "600,000",
        "1.050.000 ₫",
    )


def test_window_crossing_midnight_names_both_days():
    starts = dt.datetime(2027, 2, 2, 22, tzinfo=clock.VN_TZ)

    assert format_window(starts, starts + dt.timedelta(hours=4), "vi") == (
        "22:00 02/02/2027 – 02:00 03/02/2027"
    )


def test_minutes_read_as_hours_and_minutes():
    assert (format_minutes(135, "vi"), format_minutes(45, "en")) == ("2 giờ 15 phút", "45 min")
