"""``GET /metrics``: off without a token, refused without the right one, and its series
move with what happens (requests by route template, ledger lines, outbox gauges)."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from stations.services.actor import Actor
from stations.services.inventory import record_handout, record_receipt
from stations.services.outbox import enqueue_notification
from stations.web.app import create_app
from tests.factories import make_campaign, make_item, make_station
from tests.stations.web.conftest import TEST_SETTINGS

pytestmark = pytest.mark.integration

TOKEN = "metrics-token-0123456789"
WITH_TOKEN = TEST_SETTINGS._replace(metrics_token=TOKEN)


def _client(settings=WITH_TOKEN) -> httpx.AsyncClient:
    app = create_app(settings, manage_database=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def _scrape(
    client: httpx.AsyncClient,
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_are_off_without_a_token_setting(db):
    async with _client(TEST_SETTINGS) as client:
        response = await client.get("/metrics", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token-0123456789", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
async def test_metrics_refuse_a_missing_or_wrong_token(db, header):
    async with _client() as client:
        response = await client.get("/metrics", headers={"Authorization": header} if header else {})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "waystation_" not in response.text


async def test_requests_are_counted_by_route_template_not_by_address(db):
    async with _client() as client:
        before = await _scrape(client)
        await client.get("/healthz")
        await client.get("/campaigns/12345")
        await client.get("/campaigns/67890")
        await client.get("/no/such/page")
        after = await _scrape(client)

    def moved(**labels: str) -> float:
        name = "waystation_http_requests_total"
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved(route="/healthz", method="GET", status="200") == 1
    campaign_pages = [
        key
        for key in after
        if key[0] == "waystation_http_requests_total"
        and dict(key[1])["route"].startswith("/campaigns/{")
        and dict(key[1])["route"].count("/") == 2
    ]
    assert sum(after[k] - before.get(k, 0.0) for k in campaign_pages) == 2
    assert moved(route="unmatched", method="GET", status="404") == 1
    assert not any("12345" in dict(key[1]).get("route", "") for key in after)


async def test_a_handout_moves_the_ledger_counter(db, clock):
    station = await make_station(await make_campaign())
    water = await make_item("water")
    by = Actor.system("test")
    await record_receipt(station, water, 100, by=by)
    async with _client() as client:
        before = await _scrape(client)
        await record_handout(station, water, 5, by=by)
        after = await _scrape(client)

    name = "waystation_ledger_lines_total"
    assert _value(after, name, kind="handout") - _value(before, name, kind="handout") == 1


async def test_outbox_gauges_show_the_backlog_and_the_oldest_due_message(db, clock):
    now = clock.now()
    await enqueue_notification(
        chat_id=5, kind="reminder", text="a", dedupe_key="a", due_at=now - dt.timedelta(minutes=7)
    )
    await enqueue_notification(
        chat_id=6, kind="reminder", text="b", dedupe_key="b", due_at=now + dt.timedelta(hours=1)
    )
    async with _client() as client:
        samples = await _scrape(client)

    assert _value(samples, "waystation_outbox_messages", status="pending", kind="reminder") == 2
    assert _value(samples, "waystation_outbox_oldest_due_age_seconds") == 7 * 60
    assert _value(samples, "waystation_db_pool_connections", state="open") >= 1


async def test_metrics_name_no_person(db, clock):
    async with _client() as client:
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert not re.search(r"\+84\d{9}", response.text)
    assert TOKEN not in response.text


async def test_each_response_carries_a_request_id_and_keeps_a_sane_one_given(db):
    async with _client() as client:
        made = await client.get("/healthz")
        kept = await client.get("/healthz", headers={"X-Request-ID": "proxy-abc-123"})
        replaced = await client.get("/healthz", headers={"X-Request-ID": "<script>"})

    assert re.fullmatch(r"[0-9a-f]{16}", made.headers["x-request-id"])
    assert kept.headers["x-request-id"] == "proxy-abc-123"
    assert re.fullmatch(r"[0-9a-f]{16}", replaced.headers["x-request-id"])


def test_the_metrics_port_serves_the_figures_without_the_web_app():
    import socket
    import urllib.request

    from stations.main import start_metrics_listener

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start_metrics_listener(TEST_SETTINGS._replace(metrics_port=port), "127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            body = answer.read().decode()
    finally:
        server.shutdown()
        server.server_close()

    assert "waystation_ledger_lines_total" in body or "waystation_http_requests" in body
    assert start_metrics_listener(TEST_SETTINGS, "127.0.0.1") is None
