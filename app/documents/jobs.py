"""Reading background jobs and building the spreadsheet exports (use cases behind the routes)."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.orm import Session

from app.auth.permissions import Actor
from app.coverage import service as coverage
from app.documents import exports, service
from app.documents.labels import Lang
from app.documents.models import DocumentJob
from app.documents.schemas import DocumentJobRead
from app.enums import JobStatus
from app.errors import Conflict
from app.loaders import load


def _job(session: Session, actor: Actor, job_id: uuid.UUID) -> DocumentJob:
    # Planners see every job of their community; staff only those they asked for.
    return load(
        session,
        DocumentJob,
        job_id,
        actor,
        what="Document job",
        staff_sees=lambda job: job.requested_by == actor.id,
    )


def read_job(session: Session, *, actor: Actor, job_id: uuid.UUID) -> DocumentJobRead:
    """A job's state and where to fetch its PDF once done."""
    job = _job(session, actor, job_id)
    status_url = f"/api/v1/document-jobs/{job.id}"
    return DocumentJobRead.from_object(
        job,
        filename=job.filename or job.params.get("filename"),
        status_url=status_url,
        result_url=f"{status_url}/result" if job.status == JobStatus.done else None,
    )


def job_result(session: Session, *, actor: Actor, job_id: uuid.UUID) -> tuple[bytes, str, str]:
    """A finished job's document, its file name and type (409 while not done)."""
    job = _job(session, actor, job_id)
    if job.status != JobStatus.done or job.result is None:
        raise Conflict(f"The document is not ready (status {job.status}); poll the job")
    return job.result, job.filename or "document.pdf", job.content_type or "application/pdf"


def coverage_export(
    session: Session,
    *,
    actor: Actor,
    campaign_id: int,
    fmt: Literal["csv", "xlsx"],
    lang: Lang = "zh",
) -> tuple[bytes, str]:
    """The households' statuses as CSV, or every figure and the households as a workbook."""
    campaign, community = coverage.load_campaign(session, actor=actor, campaign_id=campaign_id)
    facts = service.household_facts(session, campaign)
    if fmt == "csv":
        body = exports.to_csv(exports.household_table(facts, lang), lang)
        name = "households"
    else:
        figures = coverage.compute_coverage(session, campaign, community)
        body = exports.to_xlsx(exports.tables(figures, facts, lang), lang)
        name = "coverage"
    today = service.local_today(community).isoformat()
    suffix = "-en" if lang == "en" else ""
    return body, f"{name}-{service.slug(community)}{suffix}-{today}.{fmt}"
