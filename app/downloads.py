"""Files the API answers to be saved: spreadsheets, PDFs and CSV tables."""

from __future__ import annotations

from fastapi import Response


def attachment(body: bytes, media_type: str, filename: str) -> Response:
    """``body`` to be saved as ``filename`` (``Content-Disposition: attachment``)."""
    disposition = f'attachment; filename="{filename}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
