"""What the coordinators' pages share: loading the campaign or station an address names
(refused outside the reader's scope), and a form as the person filled it in.

One rule for every form: a refused form is drawn again with the person's values and each
error beside its field, answering the refusing error's own status (``InvalidInput`` 422,
a ``Conflict`` 409), as ``errors.py`` answers the same errors when no form shows them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from stations.enums import Language
from stations.i18n import _
from stations.models import Campaign, Station
from stations.services.errors import InvalidInput, NotFound, StationsError
from stations.services.permissions import check_can_change_station, check_can_view_station
from stations.services.queries.planner import campaign_or_none, station_or_none
from stations.web import forms
from stations.web.auth import principal_of
from stations.web.rendering import route_url

T = TypeVar("T")

CAMPAIGN_GONE = _("This campaign no longer exists.")
STATION_GONE = _("This station no longer exists.")


def path_int(request: Request, name: str) -> int:
    """An ``{name:int}`` path parameter (the router has already refused anything else)."""
    value: int = request.path_params[name]
    return value


async def campaign_in_path(request: Request) -> Campaign:
    """The campaign the address names, or the 404 page. Every signed-in reader sees every
    campaign; what is inside one is filtered by scope where it is read."""
    campaign = await campaign_or_none(path_int(request, "campaign_id"))
    if campaign is None:
        raise NotFound(CAMPAIGN_GONE, field="campaign")
    return campaign


async def station_in_path(request: Request, *, change: bool = False) -> Station:
    """The station the address names, with its campaign and unit: 404 when unknown or
    outside the reader's scope alike, 403 when (with ``change``) they may not change it."""
    station = await station_or_none(path_int(request, "station_id"))
    if station is None:
        raise NotFound(STATION_GONE, field="station")
    check = check_can_change_station if change else check_can_view_station
    check(principal_of(request), station, missing=NotFound(STATION_GONE, field="station"))
    return station


def redirect_to(request: Request, name: str, **params: Any) -> Response:
    """303 to a named page: the "get" after a successful post."""
    return RedirectResponse(str(route_url(request, name, **params)), status_code=303)


def optional(raw: str, parse: Callable[[str], T]) -> T | None:
    """An empty field means "none"; anything typed must parse."""
    return parse(raw) if raw.strip() else None


class FormState:
    """A form as the person filled it in, and what is wrong with it, field by field."""

    def __init__(
        self,
        values: Mapping[str, Any],
        language: Language,
        *,
        field_names: Mapping[str, str] | None = None,
    ) -> None:
        self.values: dict[str, str] = {
            name: value for name, value in values.items() if isinstance(value, str)
        }
        self.language = language
        self.errors: dict[str, str] = {}
        self.status_code = 200
        #: a service's field → the form's input that shows its error ("starts_at" → "start_date")
        self.field_names = dict(field_names or {})

    def text(self, name: str) -> str:
        return self.values.get(name, "").strip()

    def take(self, parse: Callable[[], T]) -> T | None:
        """``parse()``'s value; None, with the field's error noted, when it refuses."""
        try:
            return parse()
        except InvalidInput as error:
            self.refuse(error)
            return None

    async def wait(self, parse: Awaitable[T]) -> T | None:
        """``take`` for a check that reads the database (a row picked from a list)."""
        try:
            return await parse
        except InvalidInput as error:
            self.refuse(error)
            return None

    def refuse(self, error: StationsError) -> None:
        for field, message in forms.error_map(error, self.language).items():
            self.errors.setdefault(self.field_names.get(field, field), message)
        # Parsing stops a form before its service runs, so one kind of refusal answers.
        self.status_code = max(self.status_code, error.http_status)

    @property
    def ok(self) -> bool:
        return not self.errors


async def read_state(
    request: Request, *, field_names: Mapping[str, str] | None = None
) -> FormState:
    return FormState(
        await forms.read_form(request), request.state.language, field_names=field_names
    )
