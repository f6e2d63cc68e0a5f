"""What the API accepts, declared once: each field both checks a request and describes
itself to the OpenAPI document, so the document cannot promise what the code refuses.

Parsing here is only about shape (types, ranges, lengths); the services still apply the
domain's rules and answer with their own translated errors.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from stations.i18n import _
from stations.services.queries.api import MAX_ID
from stations.web.api.errors import ApiError, bad_request

FieldType = Literal[
    "integer",
    "number",
    "string",
    "boolean",
    "date",
    "datetime",
    "time",
    "enum",
    "const",
    "strings",
    "counts",
]

#: Days before or after these are typing mistakes, and beyond what time zones can convert.
FIRST_YEAR, LAST_YEAR = 2000, 2100

#: PostgreSQL cannot store NUL in text: refused, and said so in the document.
NO_NUL_PATTERN = "^[^\\x00]*$"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:\d{2})"
)
#: The year as written, 2000 to 2100: what the server accepts, said in the document too.
_YEAR_PREFIX = "^(20[0-9]{2}|2100)-"
_INTEGER = re.compile(r"[+-]?\d{1,20}")
_CLOCK_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9]$"

REQUIRED = _("“{name}” is required.")
UNKNOWN_FIELD = _("“{name}” is not a field of this request.")
WHOLE_NUMBER = _("“{name}” must be a whole number from {min} to {max}.")
NUMBER = _("“{name}” must be a number from {min} to {max}.")
TEXT = _("“{name}” must be text of at most {max} characters.")
EMPTY_TEXT = _("“{name}” cannot be empty.")
NUL_IN_TEXT = _("“{name}” contains a character that cannot be stored (NUL or a lone surrogate).")
BOOLEAN = _("“{name}” must be true or false.")
DATE = _("“{name}” must be a date written YYYY-MM-DD, in the years {first} to {last}.")
DATETIME = _(
    "“{name}” must be a date and time with its time zone, e.g. 2027-02-02T08:00:00+07:00, "
    "in the years {first} to {last}."
)
CHOICE = _("“{name}” must be one of: {choices}.")
CLOCK_TIME = _("“{name}” must be a time of day written HH:MM, from 00:00 to 23:59.")
STRINGS = _("“{name}” must be a list of at most {count} texts of at most {max} characters.")
COUNTS = _(
    "“{name}” must map each of {choices} to a whole number from {min} to {max}, "
    'e.g. {{"volunteer": 3}}.'
)
NOT_AN_OBJECT = _("The request body must be a JSON object.")


@dataclass(frozen=True)
class Field:
    """One parameter or body field: its name, its JSON Schema, and the check of a value."""

    name: str
    type: FieldType
    description: str
    required: bool = False
    minimum: int | float | None = None
    maximum: int | float | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False
    default: Any = None
    #: a string's exact shape, when it has one (instead of "anything but NUL")
    pattern: str | None = None
    #: the longest list of ``strings``
    max_items: int | None = None

    # -- the document ------------------------------------------------------------------

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any]
        if self.type in ("integer", "number"):
            schema = {"type": self.type, "minimum": self.minimum, "maximum": self.maximum}
        elif self.type == "string":
            schema = {
                "type": "string",
                "maxLength": self.max_length,
                "pattern": self.pattern or NO_NUL_PATTERN,
            }
            if self.required or self.pattern:
                schema["minLength"] = 1
        elif self.type == "boolean":
            schema = {"type": "boolean"}
        elif self.type == "date":
            schema = {"type": "string", "format": "date", "pattern": _YEAR_PREFIX}
        elif self.type == "datetime":
            schema = {"type": "string", "format": "date-time", "pattern": _YEAR_PREFIX}
        elif self.type == "time":
            schema = {"type": "string", "pattern": _CLOCK_TIME}
        elif self.type == "enum":
            schema = {"type": "string", "enum": list(self.choices)}
        elif self.type == "strings":
            schema = {
                "type": "array",
                "maxItems": self.max_items,
                "items": {
                    "type": "string",
                    "maxLength": self.max_length,
                    "pattern": NO_NUL_PATTERN,
                },
            }
        elif self.type == "counts":
            schema = {
                "type": "object",
                "propertyNames": {"enum": list(self.choices)},
                "additionalProperties": {
                    "type": "integer",
                    "minimum": self.minimum,
                    "maximum": self.maximum,
                },
            }
        else:
            schema = {"const": self.choices[0]}
        if self.nullable:
            if "type" in schema:
                schema["type"] = [schema["type"], "null"]
            if "enum" in schema:
                schema["enum"] = [*schema["enum"], None]
        if self.default is not None:
            schema["default"] = self.default
        schema["description"] = self.description
        return {key: value for key, value in schema.items() if value is not None}

    def parameter(self, location: Literal["query", "header", "path"]) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": location,
            "required": self.required or location == "path",
            "description": self.description,
            "schema": {k: v for k, v in self.schema().items() if k != "description"},
        }

    # -- checking ----------------------------------------------------------------------

    def from_json(self, raw: object) -> Any:
        """A value of a JSON body, as Python; ``ApiError`` (400) when it does not fit."""
        if raw is None:
            if self.nullable:
                return None
            raise self._type_error()
        if self.type in ("integer", "number"):
            return self._number(raw)
        if self.type == "boolean":
            if not isinstance(raw, bool):
                raise self._type_error()
            return raw
        if self.type == "strings":
            return self._strings(raw)
        if self.type == "counts":
            return self._counts(raw)
        if not isinstance(raw, str):
            raise self._type_error()
        return self.from_text(raw)

    def from_text(self, raw: str) -> Any:
        """A value given as text (query string, header, or a JSON string)."""
        if self.type in ("integer", "number"):
            if not _INTEGER.fullmatch(raw.strip()) and self.type == "integer":
                raise self._type_error()
            try:
                number: float = int(raw) if self.type == "integer" else float(raw)
            except ValueError:
                raise self._type_error() from None
            return self._number(number)
        if self.type == "boolean":
            if raw not in ("true", "false"):
                raise self._type_error()
            return raw == "true"
        if self.type == "date":
            return self._date(raw)
        if self.type == "datetime":
            return self._datetime(raw)
        if self.type == "time":
            if not re.fullmatch(_CLOCK_TIME, raw):
                raise self._type_error()
            return dt.time(int(raw[:2]), int(raw[3:]))
        if self.type in ("enum", "const"):
            if raw not in self.choices:
                raise self._type_error()
            return raw
        return self._text(raw)

    def _number(self, raw: object) -> int | float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise self._type_error()
        if isinstance(raw, float):
            if not math.isfinite(raw):
                raise self._type_error()
            if self.type == "integer":
                # JSON Schema counts 3.0 as an integer; so do we.
                if not raw.is_integer():
                    raise self._type_error()
                raw = int(raw)
        if (self.minimum is not None and raw < self.minimum) or (
            self.maximum is not None and raw > self.maximum
        ):
            raise self._type_error()
        return raw

    def _strings(self, raw: object) -> list[str]:
        if not isinstance(raw, list) or len(raw) > (self.max_items or 0):
            raise self._type_error()
        for value in raw:
            if not isinstance(value, str) or len(value) > (self.max_length or 0):
                raise self._type_error()
            self._refuse_unstorable(value)
        return list(raw)

    def _counts(self, raw: object) -> dict[str, int]:
        if not isinstance(raw, dict):
            raise self._type_error()
        counts: dict[str, int] = {}
        for key, value in raw.items():
            if key not in self.choices:
                raise self._type_error()
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not (self.minimum or 0) <= value <= (self.maximum or 0)
            ):
                raise self._type_error()
            counts[key] = value
        return counts

    def _refuse_unstorable(self, raw: str) -> None:
        if "\x00" in raw or any("\ud800" <= ch <= "\udfff" for ch in raw):
            raise bad_request(NUL_IN_TEXT, field=self.name)

    def _text(self, raw: str) -> str:
        self._refuse_unstorable(raw)
        if self.max_length is not None and len(raw) > self.max_length:
            raise self._type_error()
        if self.required and not raw:
            raise bad_request(EMPTY_TEXT, field=self.name)
        return raw

    def _date(self, raw: str) -> dt.date:
        if not _DATE.fullmatch(raw):
            raise self._type_error()
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            raise self._type_error() from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise self._type_error()
        return day

    def _datetime(self, raw: str) -> dt.datetime:
        if not _DATETIME.fullmatch(raw):
            raise self._type_error()
        try:
            moment = dt.datetime.fromisoformat(raw.upper().replace("Z", "+00:00"))
            in_utc = moment.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            raise self._type_error() from None
        # The year as written, as the document's pattern says (either side of a new year in
        # UTC converts and stores fine).
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise self._type_error()
        return in_utc

    def _type_error(self) -> ApiError:
        if self.type == "integer":
            return bad_request(WHOLE_NUMBER, field=self.name, min=self.minimum, max=self.maximum)
        if self.type == "number":
            return bad_request(NUMBER, field=self.name, min=self.minimum, max=self.maximum)
        if self.type == "boolean":
            return bad_request(BOOLEAN, field=self.name)
        if self.type == "date":
            return bad_request(DATE, field=self.name, first=FIRST_YEAR, last=LAST_YEAR)
        if self.type == "datetime":
            return bad_request(DATETIME, field=self.name, first=FIRST_YEAR, last=LAST_YEAR)
        if self.type in ("enum", "const"):
            return bad_request(CHOICE, field=self.name, choices=", ".join(self.choices))
        if self.type == "time":
            return bad_request(CLOCK_TIME, field=self.name)
        if self.type == "strings":
            return bad_request(STRINGS, field=self.name, count=self.max_items, max=self.max_length)
        if self.type == "counts":
            return bad_request(
                COUNTS,
                field=self.name,
                choices=", ".join(self.choices),
                min=self.minimum,
                max=self.maximum,
            )
        return bad_request(TEXT, field=self.name, max=self.max_length)


def id_field(name: str, description: str, *, required: bool = False) -> Field:
    return Field(name, "integer", description, required=required, minimum=1, maximum=MAX_ID)


def enum_field(
    name: str, choices: type[StrEnum], description: str, *, required: bool = False, **kw: Any
) -> Field:
    return Field(
        name, "enum", description, required=required, choices=tuple(c.value for c in choices), **kw
    )


def const_field(name: str, value: str, description: str) -> Field:
    return Field(name, "const", description, required=True, choices=(value,))


@dataclass(frozen=True)
class ObjectBody:
    """A JSON object body: exactly these fields, no others."""

    name: str
    description: str
    fields: tuple[Field, ...]
    #: a typical body, shown in the document (and sent by the tests, so it stays valid)
    example: Mapping[str, Any] | None = None

    def schema(self) -> dict[str, Any]:
        schema = {
            "type": "object",
            "description": self.description,
            "additionalProperties": False,
            "required": [f.name for f in self.fields if f.required],
            "properties": {f.name: f.schema() for f in self.fields},
        }
        if self.example is not None:
            schema["examples"] = [dict(self.example)]
        return schema

    def examples(self) -> list[dict[str, Any]]:
        return [] if self.example is None else [dict(self.example)]

    def components(self) -> dict[str, dict[str, Any]]:
        return {self.name: self.schema()}

    def reference(self) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{self.name}"}

    def parse(self, raw: object) -> dict[str, Any]:
        """The body's values by field name; an absent optional field takes its default."""
        if not isinstance(raw, dict):
            raise bad_request(NOT_AN_OBJECT, field=None)
        known = {f.name: f for f in self.fields}
        for name in raw:
            if name not in known:
                raise bad_request(UNKNOWN_FIELD, field=_printable(name))
        values: dict[str, Any] = {}
        for spec in self.fields:
            if spec.name in raw:
                values[spec.name] = spec.from_json(raw[spec.name])
            elif spec.required:
                raise bad_request(REQUIRED, field=spec.name)
            else:
                values[spec.name] = spec.default
        return values


@dataclass(frozen=True)
class VariantBody:
    """A JSON object whose ``discriminator`` field picks which object body it is."""

    name: str
    description: str
    discriminator: str
    variants: Mapping[str, ObjectBody] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "oneOf": [variant.reference() for variant in self.variants.values()],
            "discriminator": {
                "propertyName": self.discriminator,
                "mapping": {
                    value: variant.reference()["$ref"] for value, variant in self.variants.items()
                },
            },
        }

    def examples(self) -> list[dict[str, Any]]:
        return [example for variant in self.variants.values() for example in variant.examples()]

    def components(self) -> dict[str, dict[str, Any]]:
        found = {self.name: self.schema()}
        for variant in self.variants.values():
            found.update(variant.components())
        return found

    def reference(self) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{self.name}"}

    def parse(self, raw: object) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise bad_request(NOT_AN_OBJECT, field=None)
        chosen = raw.get(self.discriminator)
        variant = self.variants.get(chosen) if isinstance(chosen, str) else None
        if variant is None:
            if self.discriminator not in raw:
                raise bad_request(REQUIRED, field=self.discriminator)
            raise bad_request(CHOICE, field=self.discriminator, choices=", ".join(self.variants))
        return variant.parse(raw)


Body = ObjectBody | VariantBody


def _printable(name: str) -> str:
    # The name comes from the client: keep the error readable and bounded.
    shown = "".join(ch for ch in name if ch.isprintable())[:64]
    return shown or "?"
