"""The stock pages: stock on hand at every station of a campaign, and a station's summary
with its latest lines and services and a button per task."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from stations.enums import ServiceKind
from stations.i18n import translate
from stations.labels import SERVICE_KIND_LABELS
from stations.services.queries import inventory_pages as queries
from stations.web.auth import page, principal_of
from stations.web.rendering import page_language, render
from stations.web.views._shared import campaign_in_path, station_in_path
from stations.web.views.inventory.lines import line_helpers
from stations.web.views.inventory.tasks import TASKS, campaign_closed, closed_note


@page()
async def campaign_inventory(request: Request) -> Response:
    """Stock on hand at every station of the campaign in the reader's scope."""
    principal = principal_of(request)
    language = page_language(request)
    campaign = await campaign_in_path(request)
    stock = await queries.campaign_stock(campaign, unit_ids=principal.unit_ids)
    context = {
        "campaign": campaign,
        "stock": stock,
        "item_name": lambda item: item.name(language.value),
        "item_unit": lambda item: item.unit_label(language.value),
    }
    return render(request, "inventory/campaign.html", context)


@page()
async def station_inventory(request: Request) -> Response:
    """The station's stock, its latest lines and services, and a button per task."""
    principal = principal_of(request)
    language = page_language(request)
    station = await station_in_path(request)
    data = await queries.station_inventory(station, unit_ids=principal.unit_ids)
    context: dict[str, Any] = {
        "station": station,
        "campaign": station.campaign,
        "data": data,
        "tasks": TASKS,
        "can_change": principal.can_change and not campaign_closed(station),
        "closed_note": closed_note(station, language),
        "service_label": lambda kind: translate(SERVICE_KIND_LABELS[ServiceKind(kind)], language),
        **line_helpers(language),
    }
    return render(request, "inventory/station.html", context)
