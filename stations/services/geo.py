"""Distances on the Earth's surface, for checking that a volunteer is at their station."""

from __future__ import annotations

import math

from stations.i18n import _
from stations.services.errors import InvalidInput

#: The mean Earth radius (IUGG), in metres. Good to about 0.5 % anywhere: plenty for a
#: check-in radius of a few hundred metres.
EARTH_RADIUS_M = 6_371_008.8

_LATITUDE_MESSAGE = _("Latitude must be a number of degrees between -90 and 90.")
_LONGITUDE_MESSAGE = _("Longitude must be a number of degrees between -180 and 180.")


def check_coordinates(
    latitude: object,
    longitude: object,
    *,
    latitude_field: str = "latitude",
    longitude_field: str = "longitude",
) -> tuple[float, float]:
    """``(latitude, longitude)`` as floats, or ``InvalidInput`` naming the bad one."""
    return (
        _check_degrees(latitude, 90.0, latitude_field, _LATITUDE_MESSAGE),
        _check_degrees(longitude, 180.0, longitude_field, _LONGITUDE_MESSAGE),
    )


def _check_degrees(value: object, limit: float, field: str, message: str) -> float:
    # bool is an int to Python, but True is no latitude.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(message, field=field)
    degrees = float(value)
    if not math.isfinite(degrees) or not -limit <= degrees <= limit:
        raise InvalidInput(message, field=field)
    return degrees


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees (haversine)."""
    lat1, lon1 = check_coordinates(lat1, lon1)
    lat2, lon2 = check_coordinates(lat2, lon2)
    return distance_between_radians(
        math.radians(lat1), math.radians(lon1), math.radians(lat2), math.radians(lon2)
    )


def distance_between_radians(phi1: float, lambda1: float, phi2: float, lambda2: float) -> float:
    """The haversine of ``distance_m`` on coordinates already checked and in radians: for
    measuring from one point to a thousand stations without converting them each time."""
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = (lambda2 - lambda1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    # Rounding can push h a hair past 1 for antipodal points; asin would then fail.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))
