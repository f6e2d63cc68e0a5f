"""The coordinators' pages, one module per topic; each exposes ``ROUTES``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from stations.web.views import (
    account,
    audit,
    calendar,
    campaigns,
    feedback,
    funds,
    inventory,
    notifications,
    operations,
    overview,
    public,
    reports,
    shifts,
    stations,
    supplies,
    users,
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
    *supplies.ROUTES,
    *reports.ROUTES,
    *funds.ROUTES,
    *notifications.ROUTES,
    *audit.ROUTES,
    *users.ROUTES,
    *operations.ROUTES,
    *public.ROUTES,
    *feedback.ROUTES,
]
