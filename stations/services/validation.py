"""Checks of what a person typed or picked, shared by the services.

Each returns the value (text cleaned) or raises ``InvalidInput`` naming the field, ``NotFound``
for a row deleted meanwhile. Most take the caller's own message, so each form still says what
it means ("The year must be a whole number from {min} to {max}.").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, TypeVar

from tortoise.models import Model

from stations.i18n import _
from stations.services.errors import InvalidInput, NotFound
from stations.text import clean

NAME_MAX_LENGTH = 200

ChoiceT = TypeVar("ChoiceT", bound=StrEnum)
ModelT = TypeVar("ModelT", bound=Model)


def check_whole_number(
    value: object, *, field: str, minimum: int, maximum: int, message: str, **params: object
) -> int:
    """``value`` when it is an int from ``minimum`` to ``maximum``.

    The message gets ``{min}`` and ``{max}``; ``params`` add placeholders or replace those two
    (a budget's maximum written "1.000.000.000.000").
    """
    # bool is an int to Python, never to a volunteer; floats and strings are the adapter's
    # job to parse, so reaching a service as such they are a bug or a bad request.
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidInput(message, field=field, **({"min": minimum, "max": maximum} | params))
    return value


def check_required_text(value: object, *, field: str, max_length: int, message: str) -> str:
    """``value`` cleaned (trimmed, spaces collapsed): 1 to ``max_length`` characters.

    Anything else, empty or not text at all, is refused with ``message`` and its ``{max}``.
    """
    cleaned = clean(value) if isinstance(value, str) else ""
    if not cleaned or len(cleaned) > max_length:
        raise InvalidInput(message, field=field, max=max_length)
    return cleaned


def check_optional_text(
    value: object, *, field: str, max_length: int, too_long: str, not_text: str | None = None
) -> str:
    """``value`` cleaned, possibly empty, at most ``max_length`` characters (``too_long``
    with its ``{max}`` otherwise).

    Anything but a string, None included, is refused with ``not_text``, or without one with
    ``too_long``; a service that takes None for "no text" says so before calling.
    """
    if not isinstance(value, str):
        if not_text is not None:
            raise InvalidInput(not_text, field=field)
        raise InvalidInput(too_long, field=field, max=max_length)
    cleaned = clean(value)
    if len(cleaned) > max_length:
        raise InvalidInput(too_long, field=field, max=max_length)
    return cleaned


def check_name(name: object) -> str:
    """The name of a unit, campaign or station: 1 to ``NAME_MAX_LENGTH`` characters."""
    return check_required_text(
        name,
        field="name",
        max_length=NAME_MAX_LENGTH,
        message=_("A name of 1 to {max} characters is required."),
    )


def check_choice(
    value: object,
    choices: type[ChoiceT],
    *,
    field: str,
    message: str,
    exact: bool = False,
    **params: object,
) -> ChoiceT:
    """``value`` as a member of ``choices``: its value in any case with spaces around, or
    only its exact value with ``exact`` (codes a form picks from a list).

    The message may name the ``{choices}``, "a, b, c"; ``params`` add placeholders.
    """
    if isinstance(value, str):
        try:
            return choices(value if exact else value.strip().lower())
        except ValueError:
            pass
    raise InvalidInput(message, field=field, choices=", ".join(choices), **params)


def check_calendar_date(value: object, *, field: str) -> dt.date:
    # A datetime is a date to Python; a campaign's or a pattern's day is a calendar day,
    # not a moment.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput(_("Give a calendar date (day, month, year)."), field=field)
    return value


def check_aware_datetime(value: object, *, field: str) -> dt.datetime:
    """``value`` when it is a datetime with a time zone: a naive one could be any zone's."""
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise InvalidInput(_("The time must be a date and time with a time zone."), field=field)
    return value


def check_page(limit: object, offset: object, *, max_limit: int, too_many: str) -> None:
    """A page of a list: ``limit`` from 1 to ``max_limit`` rows (``too_many`` with its
    ``{max}`` otherwise), starting at row ``offset`` ≥ 0."""
    check_whole_number(limit, field="limit", minimum=1, maximum=max_limit, message=too_many)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidInput(_("The page offset cannot be negative."), field="offset")


def check_saved(row: object, model: type[Model], *, field: str, message: str) -> int:
    """The id of ``row`` when it is a saved ``model``; ``message`` otherwise."""
    if not isinstance(row, model) or row.pk is None:
        raise InvalidInput(message, field=field)
    return row.pk


async def load_existing(
    row: object,
    model: type[ModelT],
    *,
    field: str,
    gone: str,
    unsaved: str | None = None,
    related: Sequence[str] = (),
) -> ModelT:
    """``row`` read afresh from the database, with its ``related`` rows.

    ``NotFound(gone)`` when it has been deleted since it was read. Something that is not a
    saved ``model`` is ``InvalidInput(unsaved)``, or without ``unsaved`` is treated as gone.
    """
    if unsaved is not None:
        check_saved(row, model, field=field, message=unsaved)
    fresh: Any = None
    if isinstance(row, model) and row.pk is not None:
        query = model.get_or_none(pk=row.pk)
        fresh = await (query.select_related(*related) if related else query)
    if fresh is None:
        raise NotFound(gone, field=field)
    return fresh
