"""What the inventory pages' tests share: the world they run in, a signed-in browser, and
readers of a task page's form, errors and the ledger lines written."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette

from stations.models import Campaign, Station, StockMovement, SupplyItem, Unit
from stations.services.actor import Actor
from tests.stations.web.helpers import csrf_token_in, make_user, signed_in

SYSTEM = Actor.system("tests")


@dataclass
class World:
    campaign: Campaign
    unit_a: Unit
    unit_b: Unit
    a1: Station
    a2: Station
    b1: Station
    elsewhere: Station
    water: SupplyItem
    towel: SupplyItem


class Browser:
    """A signed-in client that knows its session's CSRF token."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token

    async def get(self, url: str) -> httpx.Response:
        return await self.client.get(url)

    async def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return await self.client.post(url, data={**data, "csrf_token": self.token})


async def browser(
    app: Starlette, world: World, role: str = "coordinator", unit: Unit | None = None
) -> Browser:
    user = await make_user(role=role, unit=unit)
    client = await signed_in(app, user)
    page = await client.get(f"/campaigns/{world.campaign.id}/inventory")
    token = csrf_token_in(page.text)
    assert token, page.text
    return Browser(client, token)


def form_of(page: str) -> str:
    """The HTML of a task page's form."""
    match = re.search(r'<form method="post"(.*?)</form>', page, re.S)
    assert match, "no form"
    return match.group(1)


def key_in(page: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', form_of(page))
    assert found
    return found.group(1)


def summary_of(page: str) -> str:
    """The errors listed at the top of a task page."""
    match = re.search(r'<div class="notice notice--error errors-summary"(.*?)</div>', page, re.S)
    assert match, "no error summary"
    return html.unescape(match.group(1))


async def lines(**filters: Any) -> list[tuple[str, int]]:
    found = await StockMovement.filter(**filters).order_by("id")
    return [(line.kind.value, line.delta) for line in found]


def field_error(page: str, field: str) -> str:
    """The error shown beside ``field``, also listed in the summary at the top."""
    match = re.search(rf'id="e-{field}">([^<]*)<', page)
    assert match, f"no error on {field}"
    message = html.unescape(match.group(1))
    assert message in summary_of(page)
    return message


TASK_PAGES = {
    "receipts": ("Record a receipt", "Record the receipt"),
    "handouts": ("Record a handout", "Record the handout"),
    "transfers": ("Transfer to another station", "Record the transfer"),
    "counts": ("Record a physical count", "Check the adjustment"),
    "losses": ("Record a loss", "Record the loss"),
    "services": ("Record a service given", "Record the service"),
    "thresholds": ("Set a low-stock level", "Save the level"),
    "planned-stock": ("Plan the opening stock", "Save the plan"),
}
