"""The Starlette application factory."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from stations import db
from stations.settings import Settings
from stations.web import api, pages, views
from stations.web.health import healthz

log = logging.getLogger(__name__)

#: Our own stylesheet, served by the app itself: the pages must work on a closed network.
STATIC_DIR = Path(__file__).parent / "static"

#: Something that runs beside the web app for as long as it serves (the bot, the
#: scheduler): entered after the database is ready, left before it closes.
Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def create_app(
    settings: Settings,
    *,
    manage_database: bool = True,
    lifespans: Sequence[Lifespan] = (),
    routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The web app. With ``manage_database`` it opens and closes the database itself (the
    caller has migrated it: ``serve`` does so before the port opens); tests pass False and
    bring their own. ``lifespans`` and ``routes`` are how
    ``stations.main`` plugs in the parts that live in the same process."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if manage_database:
                await db.init_db(settings.database_url)
                stack.push_async_callback(db.close_db)
            for part in lifespans:
                await stack.enter_async_context(part(app))
            yield

    app = Starlette(
        debug=False,
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            *pages.ROUTES,
            *views.ROUTES,
            *api.ROUTES,
            Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
            *routes,
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
