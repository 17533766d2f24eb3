"""HTTP routes of the documents domain: PDFs, spreadsheet exports and background jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from app.auth.dependencies import ActorDep
from app.coverage import service as coverage
from app.db import SessionDep
from app.documents import delivery, jobs, service
from app.documents.schemas import DocumentJobRead
from app.downloads import XLSX, attachment, file_responses
from app.errors import PROBLEM_JSON
from app.schemas import IdPath, IsoDate

router = APIRouter(tags=["documents"])

PDF_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/pdf": {}}, "description": "The PDF"},
    202: {"model": DocumentJobRead, "description": "Rendering in the background: poll it"},
    304: {"description": "Unchanged since the ETag you sent"},
}
IfNoneMatch = Annotated[str | None, Header()]
Prefer = Annotated[
    str | None, Header(description="`respond-async` to always get a job (202) for the PDF")
]


def _answer(out: delivery.Delivery) -> Response:
    if out.status == 304:
        return Response(status_code=304, headers={"ETag": out.etag})
    if out.status == 202:
        assert out.job_id is not None
        status_url = f"/api/v1/document-jobs/{out.job_id}"
        body = {"id": str(out.job_id), "status": "queued", "status_url": status_url}
        return JSONResponse(
            body, status_code=202, headers={"Location": status_url, "Retry-After": "2"}
        )
    assert out.body is not None  # a 200 carries the file
    answer = attachment(out.body, out.content_type, out.filename)
    answer.headers["ETag"] = out.etag
    answer.headers["Cache-Control"] = "private, no-cache"
    return answer


@dataclass
class PdfRequest:
    """What every PDF route reads besides its own parameters: the session and actor, and the
    headers that ask for no file if unchanged (``If-None-Match``) or for a job (``Prefer``)."""

    request: Request
    session: SessionDep
    actor: ActorDep
    if_none_match: IfNoneMatch = None
    prefer: Prefer = None

    def answer(self, spec: service.DocumentSpec) -> Response:
        """The PDF, a 304 if it is unchanged, or 202 naming the background job to poll."""
        out = delivery.deliver(
            self.session,
            spec,
            settings=self.request.app.state.settings,
            factory=self.request.app.state.sessionmaker,
            requested_by=self.actor.id,
            if_none_match=self.if_none_match,
            prefer_async=bool(self.prefer and "respond-async" in self.prefer.lower()),
        )
        return _answer(out)


PdfDep = Annotated[PdfRequest, Depends()]


@router.get("/campaigns/{campaign_id}/flyers.pdf", responses=PDF_RESPONSES, response_class=Response)
def get_flyers(
    pdf: PdfDep,
    campaign_id: IdPath,
    building_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    lang: Literal["zh", "en"] = "zh",
    per_household: bool = False,
    size: Literal["a5", "a4", "A5", "A4"] = "a5",
) -> Response:
    """Flyers on the campaign's topics for a building: large type, 96110, contacts, a QR code.

    `per_household=true` prints one flyer per household of the building with its code (also in
    its QR code), so a returned flyer credits the right household. Chinese unless `lang=en`.
    """
    spec = service.flyers_spec(
        pdf.session,
        actor=pdf.actor,
        campaign_id=campaign_id,
        building_id=building_id,
        lang=lang,
        size=size.upper(),
        per_household=per_household,
    )
    return pdf.answer(spec)


@router.get("/rounds/{round_id}/walk-sheet.pdf", responses=PDF_RESPONSES, response_class=Response)
def get_walk_sheet(pdf: PdfDep, round_id: IdPath, page_per_unit: bool = False) -> Response:
    """A round's households by unit and floor with their status and tick boxes.

    As many units a page as fit; `page_per_unit=true` starts every unit on its own page, so
    the sheets can be split between staff.
    """
    spec = service.walk_sheet_spec(
        pdf.session, actor=pdf.actor, round_id=round_id, page_per_unit=page_per_unit
    )
    return pdf.answer(spec)


@router.get(
    "/campaigns/{campaign_id}/walk-sheets.pdf", responses=PDF_RESPONSES, response_class=Response
)
def get_walk_sheets(pdf: PdfDep, campaign_id: IdPath, page_per_unit: bool = False) -> Response:
    """Every round's walk sheet of the campaign in one file (`page_per_unit` as for a round)."""
    spec = service.walk_sheets_spec(
        pdf.session, actor=pdf.actor, campaign_id=campaign_id, page_per_unit=page_per_unit
    )
    return pdf.answer(spec)


@router.get("/campaigns/{campaign_id}/report.pdf", responses=PDF_RESPONSES, response_class=Response)
def get_report(pdf: PdfDep, campaign_id: IdPath, lang: Literal["zh", "en"] = "zh") -> Response:
    """The coverage report: the coverage endpoint's figures, charts, and the unreached appendix.

    Chinese unless `lang=en`.
    """
    spec = service.report_spec(pdf.session, actor=pdf.actor, campaign_id=campaign_id, lang=lang)
    return pdf.answer(spec)


@router.get("/reports/ledger.pdf", responses={200: PDF_RESPONSES[200]}, response_class=Response)
def get_ledger_report(
    session: SessionDep,
    actor: ActorDep,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> Response:
    """The daily ledger across every community you plan in: a row per day of the period, then
    the communities ranked by coverage. Default period: the 30 local days up to today."""
    start, end = coverage.ledger_period(session, actor=actor, start=date_from, end=date_to)
    ctx, filename = service.ledger_context(
        session,
        actor=actor,
        start=start,
        end=end,
        default_period=date_from is None and date_to is None,
    )
    session.rollback()
    body = delivery.render_off_thread("ledger", ctx)
    return attachment(body, "application/pdf", filename)


@router.get(
    "/campaigns/{campaign_id}/coverage.csv",
    response_class=Response,
    responses=file_responses("text/csv"),
)
def get_coverage_csv(
    session: SessionDep,
    actor: ActorDep,
    campaign_id: IdPath,
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    """Every household with its campaign status as one CSV table (UTF-8 with BOM), Chinese
    unless `lang=en`; the figures, channels and days are in `coverage.xlsx`."""
    body, filename = jobs.coverage_export(
        session, actor=actor, campaign_id=campaign_id, fmt="csv", lang=lang
    )
    return attachment(body, "text/csv; charset=utf-8", filename)


@router.get(
    "/campaigns/{campaign_id}/coverage.xlsx",
    response_class=Response,
    responses=file_responses(XLSX),
)
def get_coverage_xlsx(
    session: SessionDep,
    actor: ActorDep,
    campaign_id: IdPath,
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    """The coverage figures, channels, days and every household's status as a workbook
    (a sheet each), Chinese unless `lang=en`."""
    body, filename = jobs.coverage_export(
        session, actor=actor, campaign_id=campaign_id, fmt="xlsx", lang=lang
    )
    return attachment(body, XLSX, filename)


@router.get("/document-jobs/{job_id}")
def get_document_job(session: SessionDep, actor: ActorDep, job_id: uuid.UUID) -> DocumentJobRead:
    """A background render: queued, running, done (fetch `result_url`) or failed."""
    return jobs.read_job(session, actor=actor, job_id=job_id)


@router.get(
    "/document-jobs/{job_id}/result",
    response_class=Response,
    responses={200: PDF_RESPONSES[200], 409: {"content": {PROBLEM_JSON: {}}}},
)
def get_document_job_result(session: SessionDep, actor: ActorDep, job_id: uuid.UUID) -> Response:
    """The PDF of a finished background render."""
    body, filename, content_type = jobs.job_result(session, actor=actor, job_id=job_id)
    return attachment(body, content_type, filename)
