"""Coordinators' pages: a station's stock, one short page per task that adds to it, and the
ledger.

The station's inventory page is a summary — stock on hand with its flags, the latest lines
and services — with a button per task. Each task (receive, hand out, transfer, count, loss,
service, low-stock level) is its own page: a refused form comes back with the errors listed
at the top and beside their fields, keeping what was typed; a recorded one goes back to the
summary with a message naming what was recorded.

Each form carries a random idempotency key made when the page is drawn; the server keeps it
in the signed-in user's namespace (``client_key``), so a form sent twice (a double click, a
resend after a lost answer) writes one line and no form can name another client's entry. A
count is sent twice on purpose: first to see the adjustment it will write, then to record it.

Where things are: ``stock_pages`` (a campaign's stock, a station's summary) and ``ledger``
(the lines, filtered and paged) read; ``task_pages`` draws and receives every task's form,
listed in ``tasks``. A task's form is described with ``task_form``, and each task parses it
and calls one service in its own module (``movements``, ``counts``, ``thresholds``,
``planned_stock``, ``service_records``); ``outcomes`` words what a recorded line says and
``lines`` how a ledger line reads.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from stations.web.views.inventory.ledger import stock_ledger
from stations.web.views.inventory.stock_pages import campaign_inventory, station_inventory
from stations.web.views.inventory.task_pages import task_view
from stations.web.views.inventory.tasks import TASKS

ROUTES: list[BaseRoute] = [
    Route(
        "/campaigns/{campaign_id:int}/inventory",
        campaign_inventory,
        methods=["GET"],
        name="campaign_inventory",
    ),
    Route(
        "/campaigns/{campaign_id:int}/ledger",
        stock_ledger,
        methods=["GET"],
        name="stock_ledger",
    ),
    Route(
        "/stations/{station_id:int}/inventory",
        station_inventory,
        methods=["GET"],
        name="station_inventory",
    ),
    *(
        Route(
            f"/stations/{{station_id:int}}/{task.path}",
            task_view(task),
            methods=["GET", "POST"],
            name=task.route,
        )
        for task in TASKS
    ),
]
