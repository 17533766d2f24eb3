"""The public page a flyer's QR code opens (``/r/{token}``): no login, no script.

It shows what the flyer prints (the campaign's advice, the three nos, 96110, the service
centre) and a short form that posts back to the same address; the report is taken by the
same throttled use case as ``POST /api/v1/public/reports``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from app.db import SessionDep
from app.errors import AppError
from app.warnings import reports
from app.warnings.schemas import PublicReportAccepted, PublicReportCreate
from app.web.routes import _env, static_url

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _html(
    page: reports.ReportPage,
    *,
    status: int = 200,
    done: PublicReportAccepted | None = None,
    refused: str | None = None,
    household: str | None = None,
) -> HTMLResponse:
    body = _env.get_template("report.html").render(
        page=page, done=done, refused=refused, static_url=static_url, household=household
    )
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def _unknown() -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><meta charset=utf-8><title>未找到 Not found</title>"
        "<p>此二维码无效。请拨打 96110。<br>This code is not known. Dial 96110.</p>",
        status_code=404,
        headers=HEADERS,
    )


@router.get("/r/{token}", response_class=HTMLResponse)
def show_report_page(
    session: SessionDep,
    token: Token,
    h: Annotated[str | None, Query(max_length=64, pattern=r"^[^\s/\\]+$")] = None,
) -> HTMLResponse:
    """The campaign's advice, the hotline and the report form (``h``: a household's flyer)."""
    try:
        page = reports.page(session, token=token)
    except AppError:
        return _unknown()
    return _html(page, household=h)


@router.post("/r/{token}", response_class=HTMLResponse)
def post_report_form(
    session: SessionDep,
    request: Request,
    token: Token,
    channel: Annotated[str, Form(max_length=100)] = "",
    summary: Annotated[str, Form(max_length=2000)] = "",
    callback_phone: Annotated[str, Form(max_length=40)] = "",
    household_code: Annotated[str, Form(max_length=64)] = "",
) -> HTMLResponse:
    """The form's report: thanks, or what was wrong (throttled like the API)."""
    try:
        page = reports.page(session, token=token)
    except AppError:
        return _unknown()
    try:
        payload = PublicReportCreate(
            token=token,
            channel=channel or "其他 other",
            summary=summary,
            callback_phone=callback_phone.strip() or None,
            household_code=household_code.strip() or None,
        )
    except ValidationError:
        return _html(page, status=422, refused="请写下发生了什么，电话只填数字。Please say what "
                     "happened; a phone number has digits only.")  # fmt: skip
    client = request.client.host if request.client else "unknown"
    try:
        done = reports.receive(session, payload=payload, client=client)
    except AppError as exc:
        session.rollback()
        return _html(page, status=exc.status_code, refused=exc.detail)
    return _html(page, status=202, done=done)
