"""ReadSchema.from_object: the object's fields, but for those given."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.schemas import ReadSchema


class _Read(ReadSchema):
    id: int
    name: str | None
    tags: list[str]


def test_fields_come_from_the_object_but_for_those_given() -> None:
    obj = SimpleNamespace(id=7, name="王芳", secret="not read")
    read = _Read.from_object(obj, name=None, tags=["elderly"])
    assert read == _Read(id=7, name=None, tags=["elderly"])


def test_a_given_name_that_is_no_field_is_refused() -> None:
    # Misspelt, a masked value would be ignored and the object's own value shown.
    with pytest.raises(TypeError, match="nam"):
        _Read.from_object(SimpleNamespace(id=7, name="王芳"), nam=None, tags=[])
