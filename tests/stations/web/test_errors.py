"""Error pages: translated, escaped, the right status, JSON under /api/, never a traceback."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from stations.i18n import _
from stations.services.errors import Conflict, NotFound, PermissionDenied
from stations.web.app import create_app
from stations.web.auth import page
from tests.fake_telegram.asgi import serve_asgi
from tests.stations.web.conftest import TEST_SETTINGS
from tests.stations.web.helpers import make_user, signed_in


async def _boom(request: Request) -> Response:
    raise RuntimeError("a bug")


@page()
async def _refuse(request: Request) -> Response:
    kind = request.query_params["kind"]
    if kind == "denied":
        raise PermissionDenied(_("Only administrators can do this."))
    if kind == "missing":
        raise NotFound(_("Page not found"))
    raise Conflict(_("This conflicts with the current state"))


def _app_with_test_routes(db):
    return create_app(
        TEST_SETTINGS,
        manage_database=False,
        routes=[
            Route("/boom", _boom),
            Route("/api/test-boom", _boom),
            Route("/refuse", _refuse),
        ],
    )


def _client(app, **kwargs) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, **kwargs), base_url="http://testserver"
    )


async def test_unknown_page_is_a_translated_404(client):
    vietnamese = await client.get("/no/such/page")
    english = await client.get("/no/such/page?lang=en")

    assert (vietnamese.status_code, english.status_code) == (404, 404)
    assert "Không tìm thấy trang" in vietnamese.text
    assert "Page not found" in english.text
    assert english.headers["content-type"].startswith("text/html")


async def test_wrong_method_is_a_translated_405(client):
    response = await client.delete("/campaigns?lang=en")

    assert response.status_code == 405
    assert "This action is not possible here" in response.text


async def test_unknown_api_address_answers_json(client):
    response = await client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_bug_in_a_page_is_a_translated_500_without_traceback(db):
    app = _app_with_test_routes(db)

    async with _client(app, raise_app_exceptions=False) as client:
        response = await client.get("/boom?lang=en")

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "a bug" not in response.text and "Traceback" not in response.text


async def test_bug_under_api_is_a_json_500(db):
    app = _app_with_test_routes(db)

    async with _client(app, raise_app_exceptions=False) as client:
        response = await client.get("/api/test-boom")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


async def test_service_errors_in_a_view_become_their_pages(db, clock):
    app = _app_with_test_routes(db)
    browser = await signed_in(app, await make_user(role="viewer"))

    denied = await browser.get("/refuse?kind=denied&lang=en")
    missing = await browser.get("/refuse?kind=missing&lang=en")
    conflict = await browser.get("/refuse?kind=conflict&lang=en")

    assert (denied.status_code, missing.status_code, conflict.status_code) == (403, 404, 409)
    assert "Only administrators can do this." in denied.text
    assert "Back to the campaigns" in denied.text


async def test_viewer_posting_to_a_change_page_gets_the_403_page(app, clock):
    browser = await signed_in(app, await make_user(role="viewer"))
    from tests.stations.web.helpers import post_form

    response = await post_form(browser, "/campaigns/new?lang=en", {"name": "x"})

    assert response.status_code == 403
    assert "Your account can only look, not change anything." in response.text


async def test_malformed_multipart_body_is_a_400_page(app, clock):
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.post(
        "/signout",
        content=b"--xx\r\nnot a part",
        headers={"content-type": "multipart/form-data; boundary=xx"},
    )

    assert response.status_code in {400, 403}
    assert "Traceback" not in response.text


async def test_oversized_upload_is_refused_with_413(app, clock):
    browser = await signed_in(app, await make_user(role="admin"))

    response = await browser.post(
        "/signout",
        files={"file": ("big.csv", b"x" * (11 * 1024 * 1024), "text/csv")},
    )

    assert response.status_code == 413


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
) -> tuple[int, dict[str, str]]:
    """One HTTP/1.1 request on an open connection: the answer's status and headers."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: testserver\r\n\r\n".encode())
    await writer.drain()
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in head[1:] if line)
    await reader.readexactly(int(headers["content-length"]))
    return int(head[0].split()[1]), headers


async def test_after_a_500_the_keep_alive_connection_serves_the_next_request(db, caplog):
    app = _app_with_test_routes(db)
    caplog.set_level(logging.INFO)

    async with serve_asgi(app) as url:
        host, port = urlsplit(url).hostname, urlsplit(url).port
        reader, writer = await asyncio.open_connection(host, port)
        broken, broken_headers = await _exchange(reader, writer, "/boom?lang=en")
        after, _headers = await _exchange(reader, writer, "/static/favicon.svg")
        writer.close()
        await writer.wait_closed()

    assert (broken, after) == (500, 200)
    assert broken_headers.get("connection") != "close"
    assert "content-security-policy" in broken_headers
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["Unhandled error on GET /boom"]


async def test_a_client_that_leaves_during_its_request_is_no_error(db, caplog):
    left = asyncio.Event()

    async def read_everything(request: Request) -> Response:
        try:
            await request.body()
        finally:
            left.set()
        return Response("read")

    app = create_app(
        TEST_SETTINGS,
        manage_database=False,
        routes=[Route("/upload", read_everything, methods=["POST"])],
    )
    caplog.set_level(logging.INFO)

    async with serve_asgi(app) as url:
        _reader, writer = await asyncio.open_connection(urlsplit(url).hostname, urlsplit(url).port)
        writer.write(
            b"POST /upload HTTP/1.1\r\nHost: testserver\r\nContent-Length: 100000\r\n\r\npart"
        )
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        await asyncio.wait_for(left.wait(), timeout=10)

    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert "Traceback" not in caplog.text
    assert "Client left during POST /upload" in caplog.text
