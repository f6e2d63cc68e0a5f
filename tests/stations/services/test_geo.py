"""Haversine distances against places whose distance apart is known."""

from __future__ import annotations

import math

import pytest

from stations.services.errors import InvalidInput
from stations.services.geo import check_coordinates, distance_m

pytestmark = pytest.mark.unit

HANOI = (21.0285, 105.8542)  # Hồ Hoàn Kiếm
SAIGON = (10.8231, 106.6297)  # Quận 1


def test_distance_hanoi_to_saigon_is_about_1137_km():
    distance = distance_m(*HANOI, *SAIGON)

    assert abs(distance - 1_137_000) <= 5_000


def test_distance_is_the_same_both_ways():
    assert distance_m(*HANOI, *SAIGON) == pytest.approx(distance_m(*SAIGON, *HANOI))


def test_distance_to_the_same_point_is_zero():
    assert distance_m(*HANOI, *HANOI) == 0.0


def test_distance_of_one_degree_of_latitude_is_about_111_km():
    assert distance_m(10.0, 106.0, 11.0, 106.0) == pytest.approx(111_195, abs=10)


def test_distance_across_the_antimeridian_is_short():
    assert distance_m(0.0, 179.9, 0.0, -179.9) == pytest.approx(22_239, abs=5)


def test_distance_between_antipodes_is_half_the_circumference():
    assert distance_m(0.0, 0.0, 0.0, 180.0) == pytest.approx(20_015_115, abs=10)


def test_distance_accepts_whole_degrees():
    assert distance_m(0, 0, 0, 0) == 0.0


@pytest.mark.parametrize(
    ("coordinates", "field"),
    [
        ((90.1, 105.0, 10.0, 105.0), "latitude"),
        ((-91, 105.0, 10.0, 105.0), "latitude"),
        ((10.0, 180.5, 10.0, 105.0), "longitude"),
        ((10.0, 105.0, 10.0, -181), "longitude"),
        ((math.nan, 105.0, 10.0, 105.0), "latitude"),
        ((10.0, math.inf, 10.0, 105.0), "longitude"),
        (("10.8", 105.0, 10.0, 105.0), "latitude"),
        ((10.0, None, 10.0, 105.0), "longitude"),
        ((True, 105.0, 10.0, 105.0), "latitude"),
    ],
)
def test_distance_with_bad_coordinates_is_rejected(coordinates, field):
    with pytest.raises(InvalidInput) as caught:
        distance_m(*coordinates)

    assert caught.value.field == field


def test_check_coordinates_returns_floats():
    assert check_coordinates(10, -105) == (10.0, -105.0)


def test_check_coordinates_accepts_the_poles_and_the_antimeridian():
    assert check_coordinates(-90, 180) == (-90.0, 180.0)


def test_bad_latitude_message_reads_in_vietnamese():
    with pytest.raises(InvalidInput) as caught:
        check_coordinates(100, 0)

    assert caught.value.translated("vi") == "Vĩ độ phải là số độ từ -90 đến 90."
