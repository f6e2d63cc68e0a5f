"""Serve an ASGI app with uvicorn on a free local port, inside the running event loop.

The fake Telegram server uses it, and so can a test that needs a real URL for its own app —
a bot's webhook route that the fake server POSTs updates to:

    async with serve_asgi(app) as url:
        await bot.set_webhook(f"{url}/telegram/webhook", secret_token=secret)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

import uvicorn

Lifespan = Literal["auto", "on", "off"]


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C must stay pytest's."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._exit_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        # uvicorn polls should_exit every 0.1 s; tests start and stop servers by the hundred.
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._exit_requested.wait(), 0.1)

    def request_exit(self) -> None:
        self.should_exit = True
        self._exit_requested.set()


class RunningServer:
    """A started uvicorn server; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, app: Any, *, lifespan: Lifespan = "off") -> None:
        self._config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            log_config=None,  # leave logging to pytest; uvicorn's dictConfig would replace it
            lifespan=lifespan,
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None
        self.url = ""

    async def start(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self._server = _EmbeddedServer(self._config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("the server stopped while starting")
            await asyncio.sleep(0.002)  # uvicorn offers no startup event to await
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.request_exit()
        await self._task
        self._server = None
        self._task = None


@contextlib.asynccontextmanager
async def serve_asgi(app: Any, *, lifespan: Lifespan = "off") -> AsyncIterator[str]:
    """Run ``app`` on a free port for the duration of the block; yields its base URL."""
    server = RunningServer(app, lifespan=lifespan)
    url = await server.start()
    try:
        yield url
    finally:
        await server.stop()
