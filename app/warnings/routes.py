"""Warnings, their attempts and figures, the station's feedback sheet, resident reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status

from app.auth.dependencies import ActorDep
from app.communities.dependencies import CommunityDep
from app.db import SessionDep
from app.downloads import XLSX, attachment, file_responses
from app.schemas import MAX_ID, AwareDatetime, IdPath, Page
from app.warnings import importer, reports, service, sheet
from app.warnings.schemas import (
    AttemptBatch,
    AttemptCreate,
    AttemptRead,
    AttemptResult,
    PublicReportAccepted,
    PublicReportCreate,
    WarningCreate,
    WarningImportResult,
    WarningQueryDep,
    WarningRead,
    WarningSummary,
    WarningUpdate,
)

router = APIRouter(tags=["warnings"])
public_router = APIRouter(tags=["public"])


def _one(session: SessionDep, actor: ActorDep, warning: Any, via: str) -> WarningRead:
    return service.read_warnings(session, actor=actor, warnings=[warning], via=via)[0]


@router.post("/communities/{community_id}/warnings", status_code=status.HTTP_201_CREATED)
def create_warning(
    session: SessionDep, actor: ActorDep, community: CommunityDep, payload: WarningCreate
) -> WarningRead:
    """Enter a warning from the station; due time and assignees follow from the community."""
    warning = service.create_warning(session, actor=actor, community=community, payload=payload)
    return _one(session, actor, warning, "detail")


@router.post("/communities/{community_id}/warnings/import")
def import_warnings(
    session: SessionDep,
    actor: ActorDep,
    community: CommunityDep,
    file: Annotated[UploadFile, File(description="The station's CSV or XLSX list")],
    partial: bool = False,
) -> WarningImportResult:
    """Import the station's list (the household import's row rules; all or nothing unless
    ``partial=true``; rows already imported are skipped)."""
    data = file.file.read(importer.MAX_BYTES + 1)
    return importer.import_warnings(
        session, actor=actor, community=community, data=data, partial=partial
    )


@router.get("/communities/{community_id}/warnings")
def list_warnings(
    session: SessionDep, actor: ActorDep, community: CommunityDep, query: WarningQueryDep
) -> Page[WarningRead]:
    """The community's warnings, unreached first by due time."""
    items, total = service.list_warnings(session, actor=actor, community=community, query=query)
    return Page[WarningRead](items=items, total=total)


@router.get("/communities/{community_id}/warnings/summary")
def warnings_summary(
    session: SessionDep,
    actor: ActorDep,
    community: CommunityDep,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    campaign_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> WarningSummary:
    """Received, reached, in time, open, overdue, unreachable, each over what was received
    (``campaign_id``: warnings received on the campaign's dates)."""
    return service.summary(
        session,
        actor=actor,
        community=community,
        start=start,
        end=end,
        campaign_id=campaign_id,
    )


@router.get(
    "/communities/{community_id}/warnings.xlsx",
    response_class=Response,
    responses=file_responses(XLSX),
)
def warnings_sheet(
    session: SessionDep,
    actor: ActorDep,
    community: CommunityDep,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> Response:
    """The station's feedback sheet (反馈表): every warning, its times, attempts and outcome."""
    body, filename = sheet.feedback_sheet(
        session, actor=actor, community=community, start=start, end=end
    )
    return attachment(body, XLSX, filename)


@router.get("/members/me/warnings")
def my_warnings(session: SessionDep, actor: ActorDep) -> list[WarningRead]:
    """Your unreached warnings, soonest due first (the top of the phone page)."""
    return service.my_open_warnings(session, actor=actor)


@router.get("/warnings/{warning_id}")
def get_warning(session: SessionDep, actor: ActorDep, warning_id: IdPath) -> WarningRead:
    """One warning."""
    return _one(
        session, actor, service.get_warning(session, actor=actor, warning_id=warning_id), "detail"
    )


@router.patch("/warnings/{warning_id}")
def update_warning(
    session: SessionDep, actor: ActorDep, warning_id: IdPath, payload: WarningUpdate
) -> WarningRead:
    """Reassign (``assignee_ids``) or close with a reason (``status: closed``, ``close_reason``)."""
    warning = service.update_warning(session, actor=actor, warning_id=warning_id, payload=payload)
    return _one(session, actor, warning, "detail")


@router.get("/warnings/{warning_id}/attempts")
def list_attempts(session: SessionDep, actor: ActorDep, warning_id: IdPath) -> list[AttemptRead]:
    """The attempts on a warning, in time order."""
    return service.list_attempts(session, actor=actor, warning_id=warning_id)


@router.get("/warnings/{warning_id}/accesses")
def list_accesses(session: SessionDep, actor: ActorDep, warning_id: IdPath) -> list[dict[str, Any]]:
    """Who read the warning's personal data, when, and through what."""
    return service.accesses(session, actor=actor, warning_id=warning_id)


@router.post("/warnings/{warning_id}/attempts", status_code=status.HTTP_201_CREATED)
def record_attempt(
    session: SessionDep,
    actor: ActorDep,
    warning_id: IdPath,
    payload: AttemptCreate,
    response: Response,
) -> AttemptResult:
    """Record an attempt; the same ``id`` again answers the stored one (200), another body 409."""
    attempt, warning, new = service.record_attempt(
        session, actor=actor, warning_id=warning_id, payload=payload
    )
    if not new:
        response.status_code = status.HTTP_200_OK
    return AttemptResult(
        attempt=service.read_attempt(warning, attempt),
        warning=_one(session, actor, warning, "detail"),
    )


@router.post("/warnings/attempts/batch")
def record_attempts(
    session: SessionDep, actor: ActorDep, payload: AttemptBatch
) -> dict[str, list[dict[str, Any]]]:
    """Up to 500 attempts (each with its ``warning_id``); one result per item, in order."""
    return {"results": service.record_batch(session, actor=actor, items=payload.attempts)}


@public_router.post("/public/reports", status_code=status.HTTP_202_ACCEPTED)
def public_report(
    session: SessionDep, request: Request, payload: PublicReportCreate
) -> PublicReportAccepted:
    """A resident's report from the flyer's QR page (no login; throttled)."""
    return reports.receive(
        session, payload=payload, client=request.client.host if request.client else "unknown"
    )
