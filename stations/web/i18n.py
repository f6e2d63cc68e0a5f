"""Which language a web request reads in, and remembering a visitor's choice.

In order: ``?lang=`` (a choice, remembered in the ``lang`` cookie), the cookie, the
browser's ``Accept-Language``, then the service's default language. A value we do not
speak (``?lang=fr``, a tampered cookie) is ignored rather than refused: the next source
decides, so a stale link never breaks the page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from stations.enums import Language

LANGUAGE_COOKIE = "lang"
LANGUAGE_PARAMETER = "lang"
#: A visitor who chose a language once should not have to choose it again each holiday.
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
#: Ignore absurd headers rather than parse them: a real one lists a handful of languages.
_MAX_ACCEPT_LANGUAGE_ENTRIES = 32


def supported_language(code: str | None) -> Language | None:
    """Our language for a tag such as "en", "en-US" or "vi_VN"; None for any other tag."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    for language in Language:
        if primary == language.value:
            return language
    return None


def accepted_language(header: str | None) -> Language | None:
    """The language the browser prefers most among ours (``Accept-Language`` q-values); None
    when it names none of them."""
    best: tuple[float, Language] | None = None
    for entry in (header or "").split(",")[:_MAX_ACCEPT_LANGUAGE_ENTRIES]:
        tag, _sep, params = entry.partition(";")
        language = supported_language(tag)
        if language is None:
            continue
        weight = _quality(params)
        # Strictly greater: among equal weights the one listed first wins.
        if weight > 0 and (best is None or weight > best[0]):
            best = (weight, language)
    return best[1] if best else None


def chosen_language(request: Request) -> Language | None:
    """The language picked through ``?lang=`` on this request, if it is one we speak."""
    return supported_language(request.query_params.get(LANGUAGE_PARAMETER))


def request_language(request: Request, *, default: Language) -> Language:
    """The language to answer ``request`` in (see the module's order)."""
    return (
        chosen_language(request)
        or supported_language(request.cookies.get(LANGUAGE_COOKIE))
        or accepted_language(request.headers.get("accept-language"))
        or default
    )


def remember_language(response: Response, language: Language, *, secure: bool) -> None:
    """Keep the visitor's choice in the ``lang`` cookie. Scripts may read it (not HttpOnly):
    it is a preference, not a credential."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language.value,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path="/",
        samesite="lax",
        secure=secure,
    )


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _sep, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0.0 <= weight <= 1.0 else 0.0
    return 1.0
