"""The supply catalog as the coordinators' catalog page reads it."""

from __future__ import annotations

from stations.models import SupplyItem


async def catalog_items() -> list[SupplyItem]:
    """Every supply item, those in use first, in catalog order (one query)."""
    return await SupplyItem.all().order_by("-is_active", "id")


async def catalog_item(item_id: int) -> SupplyItem | None:
    return await SupplyItem.get_or_none(id=item_id)
