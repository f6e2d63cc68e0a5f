"""The supply catalog: each item with the words the bot accepts for it, which province-wide
coordinators edit (the catalog is the whole province's)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from stations.i18n import _
from stations.models import SupplyItem
from stations.services.catalog import update_item
from stations.services.errors import NotFound, PermissionDenied, StationsError
from stations.services.permissions import Principal, check_can_manage_campaigns
from stations.services.queries.catalog import catalog_item, catalog_items
from stations.web import forms
from stations.web.auth import page, principal_of
from stations.web.rendering import flash, render
from stations.web.views._shared import path_int, redirect_to

ITEM_GONE = _("This supply item no longer exists.")
#: Aliases are typed one per line or separated by commas or semicolons.
_ALIAS_BREAK = re.compile(r"[,;\n]+")


def _may_edit(principal: Principal) -> bool:
    try:
        check_can_manage_campaigns(principal)
    except PermissionDenied:
        return False
    return True


def aliases_typed(raw: str) -> list[str]:
    """``"chai, nước khoáng\\nnuoc loc"`` → the words, in order, blanks dropped."""
    return [word.strip() for word in _ALIAS_BREAK.split(raw) if word.strip()]


async def _render(
    request: Request,
    *,
    typed: dict[int, str] | None = None,
    errors: dict[int, str] | None = None,
    status_code: int = 200,
) -> Response:
    items = await catalog_items()
    return render(
        request,
        "supplies/catalog.html",
        {
            "items": items,
            "typed": typed or {},
            "errors": errors or {},
            "can_edit": _may_edit(principal_of(request)),
        },
        status_code=status_code,
    )


@page()
async def supply_catalog(request: Request) -> Response:
    """``GET /supplies``: every item, its unit and the words the bot accepts for it."""
    return await _render(request)


@page(change=True)
async def supply_aliases(request: Request) -> Response:
    """``POST /supplies/{item_id}/aliases``: the words the bot accepts for one item."""
    principal = principal_of(request)
    check_can_manage_campaigns(principal)
    item: SupplyItem | None = await catalog_item(path_int(request, "item_id"))
    if item is None:
        raise NotFound(ITEM_GONE, field="item")
    form = await forms.read_form(request)
    raw = forms.text(form, "aliases")
    try:
        await update_item(item, aliases=aliases_typed(raw), by=principal.actor)
    except StationsError as error:
        return await _render(
            request,
            typed={item.id: raw},
            errors={item.id: error.translated(principal.language)},
            status_code=error.http_status,
        )
    flash(request, _("The words for {name} are saved."), name=item.name(principal.language))
    return redirect_to(request, "supply_catalog")


ROUTES: list[BaseRoute] = [
    Route("/supplies", supply_catalog, methods=["GET"], name="supply_catalog"),
    Route(
        "/supplies/{item_id:int}/aliases",
        supply_aliases,
        methods=["POST"],
        name="supply_aliases",
    ),
]
