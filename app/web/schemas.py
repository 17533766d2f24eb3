"""Bodies the pages need beyond the core API."""

from __future__ import annotations

from app.schemas import ReadSchema


class NotReachedHousehold(ReadSchema):
    """A household of the campaign's community that no contact has reached yet."""

    household_id: int
    code: str
    building_id: int
    building_code: str
    unit: str
    floor: int
    room: str
    status: str  # unvisited | not_home | materials_left | refused
