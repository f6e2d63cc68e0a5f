"""Pages for travellers, no sign-in: find a station, a station's page, rate it; open data.

Built for a phone on a weak roadside connection: server-rendered, small (one stylesheet and
one small script of our own, no CDN), usable with JavaScript off (the province form), and
the browser's location is asked for only when the traveller taps the button, which then
reloads the list nearest first. Directions open the phone's map app (``geo:``) or
OpenStreetMap: no key, no third-party script.
"""

from __future__ import annotations

import math
import secrets
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from stations import clock
from stations.enums import Language
from stations.formatting import format_date
from stations.i18n import _, translate
from stations.services.errors import InvalidInput, NotFound, PermissionDenied, StationsError
from stations.services.feedback import address_digest, already_rated, record_feedback
from stations.services.queries.public_stations import (
    ListedStation,
    PlaceFilter,
    PublicItem,
    PublicListing,
    place_filter,
    public_items,
    public_station,
    public_stations,
)
from stations.services.station_services import STATION_SERVICES
from stations.traveller_texts import distance_label, hours_label, services_label, state_label
from stations.web import forms
from stations.web.auth import CSRF_FAILED, csrf_ok
from stations.web.rendering import page_language, path_with_lang, render
from stations.web.views.public_geojson import stations_geojson

#: Stations per page: a screenful or two, well under the page's weight budget.
PAGE_SIZE = 20
MAX_PAGE_SIZE = 40
MAX_QUERY_LENGTH = 100
SESSION_BROWSER = "traveller"
HONEYPOT_FIELD = "website"

STATION_GONE = _("This station is not open to travellers, or its campaign is over.")


# --- what a traveller reads about a station ---------------------------------------------------


def _card(
    row: ListedStation, items: dict[str, PublicItem], language: Language, *, prefix: str
) -> dict[str, Any]:
    station = row.station
    located = station.latitude is not None and station.longitude is not None
    return {
        "code": station.code,
        # The route's own prefix and the code (A–Z, digits, - and _ need no escaping): one
        # route lookup per page rather than one per station.
        "url": f"{prefix}/{station.code}",
        "name": station.name,
        "campaign": station.campaign_name,
        "dates": translate(
            _("Campaign from {first} to {last}"),
            language,
            first=format_date(station.first_day, language),
            last=format_date(station.last_day, language),
        ),
        "address": station.address,
        "unit": station.unit_name,
        "distance": distance_label(row.distance_m, language),
        "state": row.state.status.value,
        "state_label": state_label(station, row.state, language, clock.now()),
        "hours": hours_label(station, language),
        "offers": services_label(station, language),
        "in_stock": [
            items[code].name(language.value)
            for code, left in station.has_stock.items()
            if left and code in items
        ],
        "out_of_stock": [
            items[code].name(language.value)
            for code, left in station.has_stock.items()
            if not left and code in items
        ],
        # The name would double the link's length percent-encoded: the map app shows the pin.
        "geo": (
            f"geo:{station.latitude:.6f},{station.longitude:.6f}"
            f"?q={station.latitude:.6f},{station.longitude:.6f}"
            if located
            else None
        ),
        "osm": (
            f"https://www.openstreetmap.org/?mlat={station.latitude:.6f}"
            f"&mlon={station.longitude:.6f}#map=16/{station.latitude:.5f}/{station.longitude:.5f}"
            if located
            else None
        ),
    }


def _public_render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    return render(
        request,
        template,
        context,
        status_code=status_code,
        headers={"Cache-Control": "no-cache", "Vary": "Accept-Language, Cookie"},
    )


def _coordinates(request: Request) -> tuple[float, float] | None:
    """``?lat=&lon=`` from the locate button; anything unreadable means "no location"."""
    try:
        latitude = float(request.query_params.get("lat", ""))
        longitude = float(request.query_params.get("lon", ""))
    except ValueError:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def _text_param(request: Request, name: str) -> str:
    return request.query_params.get(name, "").strip()[:MAX_QUERY_LENGTH]


def _page_size(request: Request) -> int:
    raw = request.query_params.get("show", "")
    if raw.isdigit():
        return max(PAGE_SIZE, min(MAX_PAGE_SIZE, int(raw)))
    return PAGE_SIZE


# --- views ------------------------------------------------------------------------------------


def _place_choices(
    listing: PublicListing, place: PlaceFilter
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(code, name) of the provinces and of the wards or communes offered; a ward listed
    with no province chosen names its province when the stations span several."""
    provinces = [(province.code, province.name) for province in listing.provinces]
    several = not place.province and len(provinces) > 1
    names = dict(provinces)
    wards = [
        (ward.code, f"{ward.name}, {names[ward.province_code]}" if several else ward.name)
        for ward in listing.wards
    ]
    return provinces, wards


async def find_stations(request: Request) -> Response:
    """``GET /public/stations``: nearest first with ``lat``/``lon``, else by province,
    ward or commune (official codes, or the names links carried before them) and place
    name. A province or ward that names no place answers 422 with the form and no station."""
    language = _language(request)
    near = _coordinates(request)
    text = _text_param(request, "q")
    error: InvalidInput | None = None
    try:
        place = place_filter(
            province=_text_param(request, "province"),
            ward=_text_param(request, "ward"),
            text=text,
        )
    except InvalidInput as refused:
        error, place = refused, PlaceFilter(text=text)
    shown = _page_size(request)
    prefix = _station_prefix(request)
    listing = await public_stations(
        now=clock.now(), near=near, place=place, limit=0 if error else shown
    )
    matched = 0 if error else listing.matched
    provinces, wards = _place_choices(listing, place)
    items = dict(listing.items)
    more = None
    if matched > shown and shown < MAX_PAGE_SIZE:
        query = dict(request.query_params) | {"show": str(min(MAX_PAGE_SIZE, shown * 2))}
        more = f"{request.url.path}?{urlencode(query)}"
    return _public_render(
        request,
        "public/find.html",
        {
            "cards": [_card(row, items, language, prefix=prefix) for row in listing.stations],
            "matched": matched,
            "shown": len(listing.stations),
            "near": near,
            "place": place,
            "provinces": provinces,
            "wards": wards,
            "more": more,
            "error": error.translated(language) if error is not None else None,
            "error_field": error.field if error is not None else None,
            "lang_urls": {code.value: path_with_lang(request, code.value) for code in Language},
        },
        status_code=error.http_status if error is not None else 200,
    )


async def station_page(request: Request) -> Response:
    """``GET /public/stations/{code}``: one station for travellers."""
    language = _language(request)
    row = await _public_row(request)
    items = dict(await public_items(now=clock.now()))
    return _public_render(
        request,
        "public/station.html",
        {
            "card": _card(row, items, language, prefix=_station_prefix(request)),
            "lang_urls": {code.value: path_with_lang(request, code.value) for code in Language},
        },
    )


async def stations_geojson_view(request: Request) -> Response:
    """``GET /public/stations.geojson``: open data, cacheable, with an ETag."""
    body, etag = await stations_geojson(now=clock.now(), base_url=_base_url(request))
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=60",
        "Access-Control-Allow-Origin": "*",
        "Vary": "Accept-Encoding",
    }
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/geo+json", headers=headers)


async def feedback_form(request: Request) -> Response:
    """``GET/POST /public/stations/{code}/feedback``: stars, services received, a comment."""
    language = _language(request)
    row = await _public_row(request)
    browser = _browser_id(request)
    now = clock.now()
    if request.method == "GET":
        if request.query_params.get("thanks") == "1":
            return _feedback_page(request, row, language, done=True)
        if await already_rated(row.station.id, browser=browser, now=now):
            return _feedback_page(request, row, language, repeat=True)
        return _feedback_page(request, row, language)
    form = await forms.read_form(request)
    values = {name: forms.text(form, name) for name in form}
    if not await csrf_ok(request):
        return _feedback_page(
            request, row, language, values=values, error=PermissionDenied(CSRF_FAILED)
        )
    rating = values.get("rating", "")
    try:
        await record_feedback(
            row.station.id,
            rating=int(rating) if rating.isdigit() and len(rating) < 3 else rating,
            received=[code for code in STATION_SERVICES if values.get(f"got_{code}") == "on"],
            comment=values.get("comment", ""),
            browser=browser,
            address_key=address_digest(
                request.client.host if request.client else None,
                secret=request.app.state.settings.secret_key,
            ),
            honeypot=values.get(HONEYPOT_FIELD, ""),
            now=now,
        )
    except StationsError as error:
        return _feedback_page(request, row, language, values=values, error=error)
    target = request.url_for("public_feedback", code=row.station.code).path
    return RedirectResponse(f"{target}?thanks=1", status_code=303)


def _feedback_page(
    request: Request,
    row: ListedStation,
    language: Language,
    *,
    values: dict[str, str] | None = None,
    error: StationsError | None = None,
    done: bool = False,
    repeat: bool = False,
) -> Response:
    values = values or {}
    return _public_render(
        request,
        "public/feedback.html",
        {
            "card": {"code": row.station.code, "name": row.station.name},
            "offers": [
                (code, translate(STATION_SERVICES[code], language)) for code in row.station.offers
            ],
            "values": values,
            "error": error.translated(language) if error is not None else None,
            "error_field": error.field if error is not None else None,
            "done": done,
            "repeat": repeat,
            "honeypot": HONEYPOT_FIELD,
            "lang_urls": {code.value: path_with_lang(request, code.value) for code in Language},
        },
        status_code=error.http_status if error is not None else 200,
    )


# --- helpers ------------------------------------------------------------------------------------


def _language(request: Request) -> Language:
    language = page_language(request)
    request.state.language = language
    return language


async def _public_row(request: Request) -> ListedStation:
    code = str(request.path_params.get("code", "")).upper()
    row = await public_station(code, now=clock.now()) if len(code) <= 16 else None
    if row is None:
        raise NotFound(STATION_GONE, field="station")
    return row


def _station_prefix(request: Request) -> str:
    return request.url_for("public_stations").path


def _browser_id(request: Request) -> str:
    """This browser's random id, kept in the signed session cookie."""
    browser = request.session.get(SESSION_BROWSER)
    if not isinstance(browser, str) or len(browser) < 16:
        browser = secrets.token_urlsafe(16)
        request.session[SESSION_BROWSER] = browser
    return browser


def _base_url(request: Request) -> str:
    configured: str = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


ROUTES: list[BaseRoute] = [
    Route("/public/stations", find_stations, methods=["GET"], name="public_stations"),
    Route(
        "/public/stations.geojson",
        stations_geojson_view,
        methods=["GET"],
        name="public_stations_geojson",
    ),
    Route("/public/stations/{code}", station_page, methods=["GET"], name="public_station"),
    Route(
        "/public/stations/{code}/feedback",
        feedback_form,
        methods=["GET", "POST"],
        name="public_feedback",
    ),
]
