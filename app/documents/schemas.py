"""Bodies of the documents API."""

from __future__ import annotations

import uuid
from datetime import datetime

from app.enums import JobStatus
from app.schemas import ReadSchema


class DocumentJobRead(ReadSchema):
    """A document rendered in the background: poll until ``status`` is done, then fetch
    ``result_url``."""

    id: uuid.UUID
    kind: str
    status: JobStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    filename: str | None
    status_url: str
    result_url: str | None
