"""The public stations as GeoJSON (RFC 7946): what road-safety pages, traffic radio and map
apps read to show the stations.

Each station is a Feature with a Point in longitude, latitude order (RFC 7946 §3.1.1), or a
null geometry while it has no coordinates (§3.2). Properties carry only public facts: no
volunteer, no phone, no stock figure — ``has_stock`` says yes or no per item code. The
province and ward or commune are those the travellers' page filters by (official codes and
Vietnamese names, null when none is recorded).

The body depends on the stations and on the minute ("open now"), so it is built once per
snapshot version and minute and served from memory in between.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from stations.clock import VN_TZ
from stations.services.queries.public_stations import (
    ListedStation,
    public_stations,
    snapshot_version,
)

_bodies: dict[tuple[Any, ...], tuple[bytes, str]] = {}


def _time(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def station_feature(row: ListedStation, *, base_url: str) -> dict[str, Any]:
    station = row.station
    geometry = None
    if station.latitude is not None and station.longitude is not None:
        geometry = {"type": "Point", "coordinates": [station.longitude, station.latitude]}
    return {
        "type": "Feature",
        "id": station.id,
        "geometry": geometry,
        "properties": {
            "id": station.id,
            "code": station.code,
            "name": station.name,
            "campaign": station.campaign_name,
            "campaign_starts_on": station.first_day.isoformat(),
            "campaign_ends_on": station.last_day.isoformat(),
            "unit": station.unit_name,
            "address": station.address,
            # The same place the travellers' page filters by: official codes and names.
            "province_code": station.province_code or None,
            "province": station.province or None,
            "ward_code": station.ward_code or None,
            "ward": station.ward or None,
            "hours": {
                "opens_at": _time(station.opens_at),
                "closes_at": _time(station.closes_at),
                "time_zone": "Asia/Ho_Chi_Minh",
            },
            "services": list(station.offers),
            "open_now": row.state.is_open,
            "has_stock": dict(station.has_stock),
            "url": f"{base_url}/public/stations/{station.code}",
        },
    }


async def stations_geojson(*, now: dt.datetime, base_url: str) -> tuple[bytes, str]:
    """The FeatureCollection of every public station at ``now``, as UTF-8 JSON, and its
    entity tag (a digest of the body, so equal bodies share a tag across processes)."""
    minute = now.astimezone(VN_TZ).replace(second=0, microsecond=0)
    key = (*await snapshot_version(now=now), minute, base_url)
    cached = _bodies.get(key)
    if cached is None:
        listing = await public_stations(now=now)
        collection = {
            "type": "FeatureCollection",
            "features": [station_feature(row, base_url=base_url) for row in listing.stations],
        }
        body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
        cached = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        _bodies.clear()  # one body is all that is ever served again
        _bodies[key] = cached
    return cached
