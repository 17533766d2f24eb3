"""Schemas shared by every domain: list pages and their parameters."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field


class Schema(BaseModel):
    """Base for request and response bodies: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


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


def _require_tz(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("give a time zone offset, e.g. 2026-12-01T09:30:00+08:00")
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
