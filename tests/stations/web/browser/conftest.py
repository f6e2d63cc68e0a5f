"""A real Chromium against the real app served by a real uvicorn.

The server runs as a task in the test's own event loop, on the ``db`` fixture's database,
so what the test arranges through the services is what the browser sees, and what the
browser does is what the test then reads back. Chromium is Debian's (``/usr/bin/chromium``,
installed by ``.ci/run``); Playwright never downloads a browser here.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    async_playwright,
)
from starlette.applications import Starlette

from stations.clock import FrozenClock

CHROMIUM = Path(os.environ.get("WAYSTATION_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
#: A step that has not happened within this time will not happen: fail fast and say where.
STEP_TIMEOUT_MS = 10_000
SERVER_START_TIMEOUT_S = 10.0


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium; skipped where it is missing, except under CI, which must run it."""
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"{message}: CI must run the browser tests", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    """One headless Chromium for the whole session (launching it costs about a second)."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def live_server(app: Starlette, clock: FrozenClock) -> AsyncIterator[str]:
    """The app served over real HTTP on a free local port; its base URL.

    Depends on ``clock`` so that the server's request tasks, created from this task's
    context, read the same frozen "now" as the test."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
    )
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        async with asyncio.timeout(SERVER_START_TIMEOUT_S):
            while not server.started:
                if serving.done():
                    serving.result()  # raises what stopped the server
                    raise RuntimeError("uvicorn stopped before it started serving")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        listener.close()


class PageProblems:
    """What went wrong inside the page that no assertion on its text would see: script
    errors, console errors (a Content-Security-Policy violation is one), a server error on
    any request, and a stylesheet, script or image that failed to load. A form answered
    with 4xx is not a problem: that is how an invalid form comes back."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        # Chromium logs every 4xx/5xx response as "Failed to load resource"; responses are
        # judged by _response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.messages.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        is_page = response.request.resource_type == "document"
        if response.status >= 500 or (response.status >= 400 and not is_page):
            self.messages.append(f"{response.status} for {response.request.method} {response.url}")


@pytest.fixture
async def browser_context(browser: Browser, live_server: str) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile (no cookies) whose relative addresses go to the live server.
    Its locale is Vietnamese, like the coordinators' own laptops and phones."""
    context = await browser.new_context(
        base_url=live_server, locale="vi-VN", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        yield context
    finally:
        await context.close()


@pytest.fixture
async def page(browser_context: BrowserContext) -> AsyncIterator[Page]:
    """A tab of ``browser_context``; the test fails if the page logged an error."""
    problems = PageProblems()
    tab = await browser_context.new_page()
    problems.watch(tab)
    yield tab
    assert problems.messages == []
