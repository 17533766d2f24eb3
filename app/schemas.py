"""Schemas shared by every domain: list pages and their parameters."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

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


class Schema(BaseModel):
    """Base for request bodies: unknown fields are refused, not ignored, and every string field
    is ``Text`` (no control characters), whatever its declared type says."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return _refuse_in(value)


class ReadSchema(BaseModel):
    """Base for responses built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A page of a list: the items and how many there are in all."""

    items: list[T]
    total: int


class PageParams(BaseModel):
    """``limit`` (at most 500) and ``offset`` of a list request."""

    limit: int = 100
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="At most 500")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PageParams:
    """Read the paging query parameters."""
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


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


AwareDatetime = Annotated[datetime, AfterValidator(_require_tz)]
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a request body: a positive 32-bit integer, as the database stores them."""
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in a URL path."""
NonEmptyStr = Annotated[str, Field(min_length=1, max_length=200)]


def with_offset(value: datetime, offset_minutes: int) -> datetime:
    """A stored UTC time shown again at the offset it was given with."""
    return value.astimezone(timezone(timedelta(minutes=offset_minutes)))


def offset_minutes(value: datetime) -> int:
    """The UTC offset of an aware datetime, in minutes."""
    delta = value.utcoffset()
    return int(delta.total_seconds() // 60) if delta is not None else 0
