"""The public front page: every campaign with its one-paragraph summary, and the service's state.

What it shows is report-level information a province publishes anyway (names, dates,
totals), so it needs no sign-in. The coordinators' pages will grow from the same layout
(``templates/base.html``) and the same request → language rule (``web/i18n.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from stations import __version__, clock
from stations.db import database_status
from stations.enums import CampaignKind, CampaignStatus, Language
from stations.formatting import format_date, format_number, format_time
from stations.i18n import _, gettext, normalize_language, translate
from stations.labels import CAMPAIGN_KIND_LABELS, CAMPAIGN_STATUS_LABELS
from stations.services.queries.campaign_listing import CampaignListing, list_campaigns
from stations.services.queries.reports import campaign_totals
from stations.services.report_summary import campaign_summary
from stations.web.i18n import chosen_language, remember_language, request_language

TEMPLATES_DIR = Path(__file__).parent / "templates"

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # Campaign and station names are typed by people: every value is escaped.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)

SITE_NAME = "Waystation"
#: Each language is offered in its own words, whatever the page's language.
LANGUAGE_NAMES = {Language.VI: "Tiếng Việt", Language.EN: "English"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


TEXTS = {
    "tagline": _("Volunteer holiday rest stations"),
    "heading": _("Campaigns"),
    "intro": _(
        "What the rest stations along our roads have done, campaign by campaign, newest first."
    ),
    "kind": _("Kind"),
    "dates": _("Dates"),
    "status": _("Status"),
    "stations": _("Stations"),
    "empty_title": _("No campaign yet"),
    "database_down": _(
        "The database cannot be reached right now, so the campaigns cannot be shown. "
        "Please try again in a few minutes."
    ),
    "language": _("Language"),
    "health": _("Service health"),
    "coordinators": _("Coordinators: sign in"),
}
FIGURES_AS_OF = _("Figures as of {time} on {day}.")
EMPTY_HINT = _(
    "To look around, load the demo province with {demo} (or start the server with {serve}). "
    "A province's own campaigns for Tết and 30/4 – 1/5 are created by its coordinators."
)
DATABASE_OK = _("Database: working ({engine})")
DATABASE_DOWN = _("Database: cannot be reached")
VERSION = _("Version {version}")


@dataclass(frozen=True)
class CampaignCard:
    """One campaign as the front page shows it, every text already in the reader's language."""

    name: str
    kind: str
    status: str
    status_label: str
    starts_on: dt.date
    ends_on: dt.date
    first_day: str
    last_day: str
    station_count: str
    summary: str


async def front_page(request: Request) -> Response:
    """``GET /``: 200 with the campaigns; 503 with a notice when the database cannot be reached."""
    settings = request.app.state.settings
    language = request_language(request, default=normalize_language(settings.default_language))
    database = await database_status()
    reachable = bool(database.get("ok"))
    cards = (
        [await _card(listing, language) for listing in await list_campaigns()] if reachable else []
    )

    now = clock.now()
    context: dict[str, Any] = {
        "lang": language.value,
        "site_name": SITE_NAME,
        "text": {key: translate(msgid, language) for key, msgid in TEXTS.items()},
        "languages": [
            {"code": code.value, "name": name, "current": code is language}
            for code, name in LANGUAGE_NAMES.items()
        ],
        "version": __version__,
        "version_label": translate(VERSION, language, version=__version__),
        "database_ok": reachable,
        "database_label": _database_label(database, language),
        "campaigns": cards,
        "figures_as_of": translate(
            FIGURES_AS_OF, language, time=format_time(now), day=format_date(now, language)
        ),
        "empty_hint": _with_commands(
            gettext(EMPTY_HINT, language),
            demo="waystation demo",
            serve="waystation serve --demo",
        ),
    }
    response = templates.TemplateResponse(
        request,
        "index.html",
        context,
        status_code=200 if reachable else 503,
        headers={"Cache-Control": "no-cache", "Vary": "Accept-Language, Cookie"},
    )
    chosen = chosen_language(request)
    if chosen is not None:
        remember_language(response, chosen, secure=request.url.scheme == "https")
    return response


async def _card(listing: CampaignListing, language: Language) -> CampaignCard:
    campaign = listing.campaign
    # The totals only (the summary lists no station), summed in SQL per campaign (see
    # queries/reports.py): a province runs a handful of campaigns, two or three a year, so
    # the page adds them up on every request rather than keeping a cache that could show
    # yesterday's figures in the middle of Tết.
    report = await campaign_totals(campaign)
    return CampaignCard(
        name=campaign.name,
        kind=translate(CAMPAIGN_KIND_LABELS[CampaignKind(campaign.kind)], language),
        status=CampaignStatus(campaign.status).value,
        status_label=translate(CAMPAIGN_STATUS_LABELS[CampaignStatus(campaign.status)], language),
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        first_day=format_date(campaign.starts_on, language),
        last_day=format_date(campaign.ends_on, language),
        station_count=format_number(listing.station_count, language),
        summary=campaign_summary(report, language),
    )


def _database_label(database: Mapping[str, Any], language: Language) -> str:
    if not database.get("ok"):
        return translate(DATABASE_DOWN, language)
    engine = str(database.get("engine", ""))
    return translate(DATABASE_OK, language, engine=ENGINE_NAMES.get(engine, engine))


def _with_commands(sentence: str, **commands: str) -> Markup:
    """The translated sentence, escaped, with each ``{placeholder}`` a ``<code>`` command."""
    return escape(sentence).format(
        **{name: Markup("<code>{}</code>").format(command) for name, command in commands.items()}
    )


ROUTES: list[BaseRoute] = [Route("/", front_page, methods=["GET"], name="front_page")]
