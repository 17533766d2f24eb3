"""Files the API answers to be saved: spreadsheets, PDFs and CSV tables."""

from __future__ import annotations

from fastapi import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_responses(media_type: str) -> dict[int | str, dict[str, object]]:
    """A route's ``responses`` for a 200 that is a file of ``media_type`` (with
    ``response_class=Response``, which declares no content of its own)."""
    return {200: {"content": {media_type: {}}}}


def attachment(body: bytes, media_type: str, filename: str) -> Response:
    """``body`` to be saved as ``filename`` (``Content-Disposition: attachment``)."""
    disposition = f'attachment; filename="{filename}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
