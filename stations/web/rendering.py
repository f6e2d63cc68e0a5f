"""Rendering the coordinators' pages: one Jinja environment, one context every page shares.

``render`` gives every template the reader's language and the helpers to write in it
(``_``, ``ngettext``, ``fmt_*``), who is signed in, the CSRF token, the navigation and the
one-time messages left by ``flash`` before a redirect.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import jinja2
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import NoMatchFound
from starlette.templating import Jinja2Templates

from stations import __version__
from stations.clock import VN_TZ
from stations.enums import Language
from stations.formatting import format_date, format_number, format_time, format_window
from stations.i18n import _, gettext, normalize_language, translate
from stations.i18n import ngettext as _ngettext
from stations.services.permissions import Principal
from stations.services.phones import format_phone_local
from stations.web.i18n import (
    LANGUAGE_PARAMETER,
    chosen_language,
    remember_language,
    request_language,
)

TEMPLATES_DIR = Path(__file__).parent / "templates"
SITE_NAME = "Waystation"
#: Each language is offered in its own words, whatever the page's language.
LANGUAGE_NAMES = {Language.VI: "Tiếng Việt", Language.EN: "English"}

SESSION_CSRF = "csrf"
SESSION_FLASHES = "flashes"
#: A page that keeps failing to redirect must not grow the session cookie without end.
MAX_FLASHES = 5

#: (route name, label, who sees it): the signed-in navigation, in order.
NAV_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("campaign_list", _("Campaigns"), "all"),
    ("volunteer_list", _("Volunteers"), "all"),
    ("supply_catalog", _("Supply items"), "all"),
    ("notifications", _("Notifications"), "all"),
    ("audit_log", _("Audit log"), "admin"),
    ("user_list", _("Web logins"), "admin"),
    ("operations", _("Operations"), "admin"),
)

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # Names, addresses and notes are typed by people: every value is escaped.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)

#: The CSRF token of the page being rendered, for the ``csrf()`` macro: macros imported
#: without context cannot see the page's variables, but they can call a global.
_rendering_csrf: contextvars.ContextVar[str] = contextvars.ContextVar("rendering_csrf", default="")
templates.env.globals["current_csrf_token"] = _rendering_csrf.get


def page_language(request: Request) -> Language:
    """The language of this request: set by ``auth.page`` for signed-in pages, otherwise
    ``?lang=``, the cookie, the browser, then the service's default."""
    language = getattr(request.state, "language", None)
    if isinstance(language, Language):
        return language
    settings = request.app.state.settings
    return request_language(request, default=normalize_language(settings.default_language))


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use: random, never derived from anything."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def flash(request: Request, msgid: str, /, **params: object) -> None:
    """A one-time message shown on the next page this session renders (after a redirect)."""
    pending = list(request.session.get(SESSION_FLASHES) or [])[-(MAX_FLASHES - 1) :]
    pending.append({"msgid": msgid, "params": {k: str(v) for k, v in params.items()}})
    request.session[SESSION_FLASHES] = pending


def _take_flashes(request: Request, language: Language) -> list[str]:
    pending = request.session.pop(SESSION_FLASHES, None) or []
    messages = []
    for entry in pending if isinstance(pending, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("msgid"), str):
            stored = entry.get("params")
            params: dict[str, object] = stored if isinstance(stored, dict) else {}
            try:
                messages.append(translate(entry["msgid"], language, **params))
            except (KeyError, IndexError, ValueError):
                messages.append(gettext(entry["msgid"], language))
    return messages


def route_url(request: Request, name: str, /, **params: Any) -> URL:
    """The path of a named route (relative, so it is right behind any proxy)."""
    return URL(request.url_for(name, **params).path)


def optional_url(request: Request, name: str, /, **params: Any) -> URL | None:
    """The path of a named route, or None when this app has no such route installed."""
    try:
        return route_url(request, name, **params)
    except NoMatchFound:
        return None


def path_with_lang(request: Request, code: str) -> str:
    """This page's own address with ``?lang=`` switched to ``code``."""
    url = request.url.include_query_params(**{LANGUAGE_PARAMETER: code})
    return f"{url.path}?{url.query}"


def _nav(request: Request, principal: Principal | None, language: Language) -> list[dict[str, Any]]:
    if principal is None:
        return []
    items = []
    for name, label, audience in NAV_ITEMS:
        if audience == "admin" and not principal.is_admin:
            continue
        try:
            url = route_url(request, name)
        except NoMatchFound:
            continue  # a section not installed in this app
        current = request.url.path == url.path or request.url.path.startswith(f"{url.path}/")
        items.append({"url": url, "label": translate(label, language), "current": current})
    return items


def _format_time(value: dt.datetime | dt.time | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_time(value)
    return value.strftime("%H:%M")


def _format_datetime(value: dt.datetime | None, language: Language) -> str:
    if value is None:
        return ""
    return f"{format_time(value)} {format_date(value.astimezone(VN_TZ), language)}"


def template_context(request: Request) -> dict[str, Any]:
    """What every page template can use, whoever reads it."""
    language = page_language(request)
    principal: Principal | None = getattr(request.state, "principal", None)

    def translate_here(msgid: str, /, **params: object) -> str:
        return translate(msgid, language, **params)

    def ngettext_here(singular: str, plural: str, n: int, /, **params: object) -> str:
        # {count} reads "1.500" / "1,500" like every other number on the page.
        counted = {"count": format_number(n, language)}
        return _ngettext(singular, plural, n, language).format(**(counted | params))

    return {
        "request": request,
        "lang": language.value,
        "language": language,
        "site_name": SITE_NAME,
        "version": __version__,
        "_": translate_here,
        "ngettext": ngettext_here,
        "principal": principal,
        "csrf_token": csrf_token(request),
        "nav": _nav(request, principal, language),
        "languages": [
            {
                "code": code.value,
                "name": name,
                "current": code is language,
                "url": path_with_lang(request, code.value),
            }
            for code, name in LANGUAGE_NAMES.items()
        ],
        "flashes": _take_flashes(request, language),
        "fmt_date": lambda day: format_date(day, language) if day is not None else "",
        "fmt_time": _format_time,
        "fmt_datetime": lambda moment: _format_datetime(moment, language),
        "fmt_number": lambda n: format_number(n, language) if n is not None else "",
        "fmt_phone": lambda e164: format_phone_local(e164) if e164 else "",
        # A shift's start and end, with both dates when it crosses midnight.
        "fmt_window": lambda starts, ends: format_window(starts, ends, language),
        "url_for": lambda name, /, **params: route_url(request, name, **params),
        "path_with_lang": lambda code: path_with_lang(request, code),
    }


#: A date typed as people write it here (dd/mm/yyyy), or the ISO form a link carries.
DATE_INPUT_ATTRIBUTES: Final = {
    "pattern": r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
    "placeholder": "dd/mm/yyyy",
    "maxlength": "10",
    "autocomplete": "off",
    "class": "input--date",
}
#: A 24-hour time: 07:30, or 7h30 as it is often written.
TIME_INPUT_ATTRIBUTES: Final = {
    "pattern": r"[0-9]{1,2}[:hH][0-9]{2}",
    "placeholder": "hh:mm",
    "maxlength": "5",
    "autocomplete": "off",
    "class": "input--time",
}
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def date_input(value: object) -> str:
    """What a date field shows: a date, or an ISO day (from a link, or the server's own
    values), as dd/mm/yyyy; anything else (a refused value shown again) as it was."""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = "" if value is None else str(value)
    if match := _ISO_DAY.fullmatch(text):
        year, month, day = match.groups()
        return f"{day}/{month}/{year}"
    return text


# Language-free, so imported macros (which see no page context) can use them.
templates.env.globals["date_input"] = date_input
templates.env.globals["date_attrs"] = DATE_INPUT_ATTRIBUTES
templates.env.globals["time_attrs"] = TIME_INPUT_ATTRIBUTES


def render(
    request: Request,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The page ``template_name`` in the reader's language; signed-in pages are never cached."""
    full_context = template_context(request) | dict(context or {})
    all_headers = {"Cache-Control": "no-store", "Vary": "Accept-Language, Cookie"}
    all_headers.update(headers or {})
    token = _rendering_csrf.set(full_context["csrf_token"])
    try:
        response = templates.TemplateResponse(
            request, template_name, full_context, status_code=status_code, headers=all_headers
        )
    finally:
        _rendering_csrf.reset(token)
    chosen = chosen_language(request)
    if chosen is not None:
        remember_language(response, chosen, secure=request.url.scheme == "https")
    return response
