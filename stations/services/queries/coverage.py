"""How many wards and communes of each province a campaign's stations stand in:
"26/102 xã, phường of Đồng Tháp". One query, however many stations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from stations.models import Campaign, Station
from stations.services import divisions


@dataclass(frozen=True)
class WardCoverage:
    province: divisions.Place
    covered: int
    total: int


async def ward_coverage(
    campaign: Campaign, *, unit_ids: Iterable[int] | None = None
) -> list[WardCoverage]:
    """Per province the campaign's active stations (in scope) stand in, the distinct wards and
    communes they cover against all of that province's."""
    query = Station.filter(campaign_id=campaign.id, is_active=True, ward_code__isnull=False)
    if unit_ids is not None:
        query = query.filter(unit_id__in=sorted(unit_ids) or [0])
    rows = await query.order_by("ward_code").distinct().values_list("ward_code", flat=True)
    covered: dict[str, set[str]] = defaultdict(set)
    for code in rows:
        ward = divisions.ward(str(code))
        if ward is not None:
            covered[ward.province_code].add(ward.code)
    result = []
    for province_code, wards in covered.items():
        province = divisions.province(province_code)
        if province is not None:
            result.append(
                WardCoverage(province, len(wards), len(divisions.wards_of(province_code)))
            )
    return sorted(result, key=lambda c: (-c.covered, c.province.name))


async def usual_province(campaign: Campaign) -> str | None:
    """The province most of the campaign's stations stand in: a new station's form offers
    its wards first."""
    codes: list[str] = [
        str(code)
        for code in await Station.filter(campaign_id=campaign.id, province_code__isnull=False)
        .order_by("id")
        .values_list("province_code", flat=True)
    ]
    if not codes:
        return None
    return max(sorted(set(codes)), key=codes.count)
