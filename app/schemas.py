"""Schemas shared by every domain: list pages and their parameters."""

# No ``from __future__ import annotations``: a list's query (a PageParams subclass declared in
# another module) carries the paging fields' annotations, which must be objects, not strings
# to be resolved in that other module.

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Annotated, Any, Generic, Protocol, Self, TypeVar, get_args

from fastapi import Depends, Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

_TEXT_WHITESPACE = frozenset("\t\n\r")


def control_character(value: str) -> str | None:
    """The first control character (or lone surrogate) of ``value`` as ``U+XXXX``, or None.

    Tab and line breaks are text. Everything else of Unicode's categories Cc and Cs is refused
    where text comes in: PostgreSQL refuses a NUL that SQLite stores, spreadsheets cannot hold
    most C0 characters, and a lone surrogate cannot be written as UTF-8 at all.
    """
    for char in value:
        if char not in _TEXT_WHITESPACE and unicodedata.category(char) in ("Cc", "Cs"):
            return f"U+{ord(char):04X}"
    return None


def refuse_control_characters(value: str) -> str:
    """``value`` unchanged, or a ValueError naming its control character."""
    found = control_character(value)
    if found is not None:
        raise ValueError(f"contains a control character ({found}); 含有控制字符")
    return value


Text = Annotated[str, AfterValidator(refuse_control_characters)]
"""Text as it comes in, from a request body, a query or an imported file: no control characters."""


def _refuse_in(value: Any) -> Any:
    if isinstance(value, str):
        return refuse_control_characters(value)
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_in(key)
            _refuse_in(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _refuse_in(item)
    return value


def _holds_type(annotation: Any, types: tuple[type, ...]) -> bool:
    """Whether a field's type is (or holds, as in ``list[int] | None``) one of ``types``."""
    if annotation in types:
        return True
    return any(_holds_type(arg, types) for arg in get_args(annotation))


class Schema(BaseModel):
    """Base for request bodies: unknown fields are refused, not ignored; every string field is
    ``Text`` (no control characters), whatever its declared type says.

    Booleans and numbers are never taken for one another (pydantic would read ``"floor": true``
    as 1 and ``"is_admin": 0`` as false): such a value is a validation error on its field.
    """

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    @classmethod
    @cache
    def _typed_fields(cls) -> tuple[frozenset[str], frozenset[str]]:
        fields = cls.model_fields.items()
        numbers = frozenset(n for n, f in fields if _holds_type(f.annotation, (int, float)))
        flags = frozenset(n for n, f in fields if _holds_type(f.annotation, (bool,)))
        return numbers, flags

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_as_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        numbers, flags = cls._typed_fields()
        items = value if isinstance(value, list) else [value]
        if info.field_name in numbers and any(isinstance(item, bool) for item in items):
            raise PydanticCustomError("int_type", "Input should be a number, not true or false")
        if info.field_name in flags and not all(i is None or isinstance(i, bool) for i in items):
            raise PydanticCustomError("bool_type", "Input should be true or false")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return _refuse_in(value)


class ReadSchema(BaseModel):
    """Base for responses built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def from_object(cls, obj: object, /, **given: Any) -> Self:
        """``model_validate(obj)``, but for the fields in ``given``: those the object does not
        hold (links, codes looked up elsewhere) or must not show as it holds them (masked)."""
        unknown = given.keys() - cls.model_fields.keys()
        if unknown:  # a misspelt masked field would otherwise be read unmasked from the object
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        values = {name: getattr(obj, name) for name in cls.model_fields if name not in given}
        return cls.model_validate(values | given, by_name=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list: the items and how many there are in all."""

    items: list[T]
    total: int


@dataclass(frozen=True, kw_only=True)
class PageParams:
    """``limit`` (at most 500) and ``offset`` of a list request, read from its query.

    A list with filters reads them and its page as one subclass (see ``HouseholdQuery``): the
    filters come first in the query, then these (keyword-only fields go last).
    """

    limit: Annotated[int, Query(ge=1, le=500, description="At most 500")] = 100
    offset: Annotated[int, Query(ge=0)] = 0


PageDep = Annotated[PageParams, Depends()]


EARLIEST_UTC = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_UTC = datetime(2200, 1, 1, tzinfo=UTC)


def _require_tz(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("give a time zone offset, e.g. 2026-12-01T09:30:00+08:00")
    # 9999-12-31T23:59:59-12:00 is past the last UTC instant Python can hold, and a time near
    # either edge overflows once shown in a community's time zone: keep to sane years.
    try:
        utc = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of range (years 1900–2199)") from exc
    if not EARLIEST_UTC <= utc < LATEST_UTC:
        raise ValueError("the time is out of range (years 1900–2199)")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_only(pattern: re.Pattern[str], example: str) -> BeforeValidator:
    """Refuse what pydantic would read as a Unix timestamp (``0``, ``"0.5"``) or a boolean."""

    def check(value: Any) -> Any:
        if isinstance(value, (date, datetime)):
            return value
        if not isinstance(value, str) or not pattern.match(value):
            raise PydanticCustomError("iso_format", f"Give an ISO 8601 value, e.g. {example}")
        return value

    return BeforeValidator(check)


AwareDatetime = Annotated[
    datetime,
    _iso_only(_ISO_DATETIME, "2026-12-01T09:30:00+08:00"),
    AfterValidator(_require_tz),
]
"""An instant given with its UTC offset, as ISO 8601 text."""
IsoDate = Annotated[date, _iso_only(_ISO_DATE, "2026-12-01")]
"""A calendar date as ISO 8601 text (``2026-12-01``), never a number."""
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a request body: a positive 32-bit integer, as the database stores them."""
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in a URL path."""
NonEmptyStr = Annotated[str, Field(min_length=1, max_length=200)]


class _Span(Protocol):
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...


_SpanT = TypeVar("_SpanT", bound=_Span)


class EndsAfterStart:
    """Mixin for a body with ``starts_at`` and ``ends_at`` (declared where its fields' order is
    its own): a span that does not end after it starts is refused."""

    @model_validator(mode="after")
    def _ends_after_start(self: _SpanT) -> _SpanT:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class TimeSpan(EndsAfterStart, Schema):
    """A body whose first fields are a time span: ``starts_at``, then ``ends_at`` after it."""

    starts_at: AwareDatetime
    ends_at: AwareDatetime


def with_offset(value: datetime, offset_minutes: int) -> datetime:
    """A stored UTC time shown again at the offset it was given with."""
    return value.astimezone(timezone(timedelta(minutes=offset_minutes)))


def offset_minutes(value: datetime) -> int:
    """The UTC offset of an aware datetime, in minutes."""
    delta = value.utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else 0
