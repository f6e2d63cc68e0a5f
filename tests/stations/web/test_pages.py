"""The public front page ``/``: campaigns with their summary, the language switch, the CSS."""

from __future__ import annotations

import datetime as dt
import html
import re

import httpx
import pytest
from starlette.applications import Starlette

from stations import __version__
from stations.enums import CampaignKind, CampaignStatus, Language
from stations.services.queries.reports import campaign_report
from stations.services.report_summary import campaign_summary
from stations.settings import Settings
from stations.web.app import create_app
from stations.web.i18n import accepted_language
from tests.factories import make_campaign, make_station


def _app(db, **settings) -> Starlette:
    return create_app(Settings(database_url=db.url, **settings), manage_database=False)


def _client(app: Starlette, **kwargs) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test", **kwargs
    )


def _html_lang(page: str) -> str:
    found = re.search(r'<html lang="([a-z]+)">', page)
    assert found is not None
    return found.group(1)


def _text_of(page: str) -> str:
    """The page's text, tags dropped and spaces squeezed, for reading sentences in it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


async def test_front_page_of_an_empty_database_explains_how_to_load_the_demo(db, clock):
    async with _client(_app(db)) as client:
        response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert _html_lang(response.text) == "vi"
    assert "<title>Trạm dừng chân nghĩa tình · Waystation</title>" in response.text
    assert "Chưa có chiến dịch nào" in response.text
    assert "<code>waystation demo</code>" in response.text
    assert 'href="/healthz"' in response.text
    assert 'href="/static/waystation.css?v=' in response.text


async def test_front_page_lists_campaigns_newest_first_with_their_facts(db, clock):
    older = await make_campaign(
        name="Tết Bính Ngọ 2026",
        year=2026,
        starts_on=dt.date(2026, 2, 10),
        ends_on=dt.date(2026, 2, 22),
        status=CampaignStatus.CLOSED,
    )
    await make_station(older)
    newer = await make_campaign(
        name="30/4–1/5 2027",
        kind=CampaignKind.REUNIFICATION,
        starts_on=dt.date(2027, 4, 29),
        ends_on=dt.date(2027, 5, 3),
    )
    for _ in range(3):
        await make_station(newer)

    async with _client(_app(db)) as client:
        response = await client.get("/")

    text = _text_of(response.text)
    assert response.status_code == 200
    assert text.index("30/4–1/5 2027") < text.index("Tết Bính Ngọ 2026")
    assert (
        "30/4–1/5 2027 Loại Lễ 30/4 – 1/5 Thời gian 29/04/2027 – 03/05/2027 "
        "Trạng thái Đang mở Số trạm 3"
    ) in text
    assert (
        "Tết Bính Ngọ 2026 Loại Tết Nguyên đán Thời gian 10/02/2026 – 22/02/2026 "
        "Trạng thái Đã kết thúc Số trạm 1"
    ) in text
    assert "Cơ sở dữ liệu: hoạt động bình thường" in text
    assert f"Phiên bản {__version__}" in text


async def test_front_page_shows_each_campaign_summary_in_vietnamese_by_default(db, clock):
    campaign = await make_campaign()
    await make_station(campaign)
    expected = campaign_summary(await campaign_report(campaign), "vi")

    async with _client(_app(db)) as client:
        response = await client.get("/")

    assert _text_of(response.text).count(expected) == 1
    assert "set-cookie" not in response.headers


async def test_front_page_in_english_when_asked_and_remembers_the_choice(db, clock):
    campaign = await make_campaign()
    await make_station(campaign)
    english = campaign_summary(await campaign_report(campaign), "en")

    async with _client(_app(db)) as client:
        chosen = await client.get("/", params={"lang": "en"})
        later = await client.get("/")

    assert _html_lang(chosen.text) == "en"
    assert english in _text_of(chosen.text)
    assert "Kind Tết holiday Dates 30/01/2027 – 11/02/2027 Status Open" in _text_of(chosen.text)
    cookie = chosen.headers["set-cookie"]
    assert cookie.startswith("lang=en;")
    assert "samesite=lax" in cookie.lower()
    assert "httponly" not in cookie.lower()
    assert (_html_lang(later.text), english in _text_of(later.text)) == ("en", True)


async def test_front_page_switches_back_to_vietnamese_over_a_remembered_english(db, clock):
    async with _client(_app(db), cookies={"lang": "en"}) as client:
        response = await client.get("/", params={"lang": "vi"})

    assert _html_lang(response.text) == "vi"
    assert response.headers["set-cookie"].startswith("lang=vi;")


async def test_front_page_follows_accept_language_when_nothing_was_chosen(db, clock):
    async with _client(_app(db)) as client:
        english = await client.get("/", headers={"Accept-Language": "fr-FR, en-US;q=0.8, vi;q=0.5"})
        vietnamese = await client.get("/", headers={"Accept-Language": "en;q=0.3, vi-VN"})

    assert (_html_lang(english.text), _html_lang(vietnamese.text)) == ("en", "vi")
    assert "No campaign yet" in english.text
    assert "Accept-Language" in english.headers["vary"]


async def test_front_page_cookie_wins_over_accept_language(db, clock):
    async with _client(_app(db), cookies={"lang": "vi"}) as client:
        response = await client.get("/", headers={"Accept-Language": "en"})

    assert _html_lang(response.text) == "vi"


async def test_front_page_ignores_a_language_it_does_not_speak(db, clock):
    async with _client(_app(db), cookies={"lang": "xx"}) as client:
        response = await client.get("/", params={"lang": "fr"})

    assert response.status_code == 200
    assert _html_lang(response.text) == "vi"
    assert "set-cookie" not in response.headers


async def test_front_page_defaults_to_the_configured_language(db, clock):
    async with _client(_app(db, default_language="en")) as client:
        response = await client.get("/")

    assert _html_lang(response.text) == "en"


async def test_front_page_escapes_what_people_typed(db, clock):
    campaign = await make_campaign(name="<script>alert(1)</script>")
    await make_station(campaign)

    async with _client(_app(db)) as client:
        response = await client.get("/")

    assert response.status_code == 200
    assert "<script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


async def test_front_page_answers_get_and_head_only(db, clock):
    async with _client(_app(db)) as client:
        head = await client.head("/")
        post = await client.post("/")

    assert (head.status_code, post.status_code) == (200, 405)


async def test_stylesheet_is_served_as_css():
    async with _client(create_app(Settings(), manage_database=False)) as client:
        response = await client.get("/static/waystation.css")
        missing = await client.get("/static/missing.css")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "font-family: system-ui" in response.text
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9", Language.EN),
        ("vi-VN,vi;q=0.9,en-US;q=0.8", Language.VI),
        ("fr, de;q=0.9, en;q=0.2", Language.EN),
        ("en;q=0.5, vi;q=0.5", Language.EN),
        ("en;q=0, vi;q=0.1", Language.VI),
        ("en;q=abc, vi;q=0.1", Language.VI),
        ("*", None),
        ("fr-FR", None),
        ("", None),
        (None, None),
    ],
)
def test_accepted_language_picks_our_language_the_browser_prefers_most(header, expected):
    assert accepted_language(header) == expected
