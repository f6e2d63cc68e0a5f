"""The coordinators' pages, one module per topic; each exposes ``ROUTES``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from stations.web.views import (
    account,
    audit,
    calendar,
    campaigns,
    feedback,
    inventory,
    notifications,
    overview,
    public,
    reports,
    shifts,
    stations,
    volunteers,
)

ROUTES: list[BaseRoute] = [
    *account.ROUTES,
    *overview.ROUTES,
    *campaigns.ROUTES,
    *stations.ROUTES,
    *shifts.ROUTES,
    *volunteers.ROUTES,
    *calendar.ROUTES,
    *inventory.ROUTES,
    *reports.ROUTES,
    *notifications.ROUTES,
    *audit.ROUTES,
    *public.ROUTES,
    *feedback.ROUTES,
]
