"""Getting a document to the client without stalling the API.

- Rendering runs in a pool of separate processes, so WeasyPrint's CPU work never holds the API
  worker's GIL: contact recording on the same server keeps answering.
- A rendered document is kept on disk under its cache key (kind, parameters, data version,
  templates, local date). A repeat download costs the data-version query and a file read; a
  client that sends the ETag back gets 304 without even that read.
- Large whole-campaign documents become background jobs (202 with a status URL) on the
  ``document_jobs`` table, and the job queue (huey, ``app.jobs``) is asked to render them:
  ``doorstep worker`` claims queued rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
  serialises writers), renders, and stores the PDF in the row, so every API worker can serve
  the result. The row is the durable record: the worker's minute sweep takes any job still
  queued, or running under a worker that died, whatever happened to the queue entry. With no
  persistent queue configured (tests, ``DOORSTEP_JOBS_URL=memory://``) the API process renders
  its jobs itself on a background thread.
- Each function here owns its transactions (the repository never commits).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import random
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings, get_settings
from app.db import utcnow
from app.documents import repository as repo
from app.documents import service
from app.documents.models import DocumentJob
from app.documents.service import DocumentSpec

log = logging.getLogger(__name__)

RENDER_TIMEOUT = 600
JOB_LEASE = timedelta(minutes=15)
POLL_SECONDS = 5.0
KEEP = timedelta(days=7)
"""Cached files and finished jobs older than this are removed."""

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def render_processes() -> int:
    """How many render processes: ``DOORSTEP_DOCUMENT_PROCESSES``, else one core less than all."""
    configured = get_settings().document_processes
    if configured is not None:
        return configured
    return max(1, (os.cpu_count() or 2) - 1)


MAX_TASKS_PER_PROCESS = 50
"""A render process is replaced after this many parts: memory that glibc could not give back
(fragmented heap, caches) goes with it."""


def _start_render_process(parent: int) -> None:
    from app.documents import render

    render.start_render_process(parent)


def _pool_get() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: the API process has threads and open connections.
            _pool = ProcessPoolExecutor(
                max_workers=render_processes(),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_render_process,
                initargs=(os.getpid(),),
                max_tasks_per_child=MAX_TASKS_PER_PROCESS,
            )
        return _pool


def shutdown() -> None:
    """Stop the render processes and the job runner of this process."""
    global _pool
    _runner_stop.set()
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None


def render_off_thread(kind: str, context: object) -> bytes:
    """Render in the render processes, a bounded part per task, in parallel when there are
    several processes, and join the parts; the calling thread waits without the GIL."""
    from app.documents import render

    pool = _pool_get()
    futures = [pool.submit(render.render_in_process, kind, part) for part in render.chunks(context)]
    deadline = time.monotonic() + RENDER_TIMEOUT
    parts = [f.result(timeout=max(1.0, deadline - time.monotonic())) for f in futures]
    return render.assemble(context, parts)


# --- the disk cache -------------------------------------------------------------------------


def _cache_path(settings: Settings, key: str) -> Path:
    return Path(settings.document_cache_dir) / key[:2] / f"{key}.pdf"


def cache_get(settings: Settings, key: str) -> bytes | None:
    """A cached document, if this machine has it."""
    try:
        return _cache_path(settings, key).read_bytes()
    except OSError:
        return None


def cache_put(settings: Settings, key: str, body: bytes) -> None:
    """Keep a document; written whole then renamed, so readers never see half a file."""
    path = _cache_path(settings, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(body)
        os.replace(tmp.name, path)
    except OSError:
        log.warning("document cache not writable at %s", path.parent)
        return
    if random.random() < 0.05:  # now and then, not on every write
        prune_cache(settings)


def prune_cache(settings: Settings) -> int:
    """Remove cached documents older than KEEP; how many went."""
    cutoff = time.time() - KEEP.total_seconds()
    removed = 0
    for path in Path(settings.document_cache_dir).glob("*/*.pdf"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """The answer: a document (200), not modified (304), or a job to poll (202)."""

    status: int
    etag: str
    filename: str
    content_type: str
    body: bytes | None = None
    job_id: uuid.UUID | None = None


def etag_of(spec: DocumentSpec) -> str:
    """The document's ETag: its cache key."""
    return f'"{spec.cache_key[:40]}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def deliver(
    session: Session,
    spec: DocumentSpec,
    *,
    settings: Settings,
    factory: sessionmaker[Session],
    requested_by: int | None,
    if_none_match: str | None = None,
    prefer_async: bool = False,
) -> Delivery:
    """Serve a document from the cache, render it now, or queue it as a job."""
    etag = etag_of(spec)

    def answer(status: int, body: bytes | None = None, job: uuid.UUID | None = None) -> Delivery:
        return Delivery(
            status=status,
            etag=etag,
            filename=spec.filename,
            content_type=spec.content_type,
            body=body,
            job_id=job,
        )

    if _matches(if_none_match, etag):
        return answer(304)
    body = cache_get(settings, spec.cache_key)
    if body is None:
        done = repo.done_job_for(session, spec.cache_key)
        if done is not None and done.result is not None:
            body = done.result
            cache_put(settings, spec.cache_key, body)
    if body is not None:
        return answer(200, body)
    if prefer_async or service.is_large(spec):
        job = enqueue(session, spec, requested_by=requested_by)
        render_soon(factory, settings)
        return answer(202, job=job.id)
    context = service.build_context(session, spec, settings)
    session.rollback()  # release the read transaction before the long render
    body = render_off_thread(spec.kind, context)
    cache_put(settings, spec.cache_key, body)
    return answer(200, body)


def enqueue(session: Session, spec: DocumentSpec, *, requested_by: int | None) -> DocumentJob:
    """A job for the spec, or the one already queued or running for the same document."""
    job = repo.open_job_for(session, spec.cache_key)
    if job is None:
        job = repo.add_job(
            session,
            DocumentJob(
                community_id=spec.community_id,
                kind=spec.kind,
                params={**spec.params, "filename": spec.filename},
                cache_key=spec.cache_key,
                requested_by=requested_by,
            ),
        )
        session.commit()
    return job


# --- the job runner -------------------------------------------------------------------------

_runner: threading.Thread | None = None
_runner_lock = threading.Lock()
_runner_wake = threading.Event()
_runner_stop = threading.Event()
_last_prune = 0.0


def render_soon(factory: sessionmaker[Session], settings: Settings) -> None:
    """Have the queued jobs rendered: by the worker through the job queue, or, when the queue
    lives only in this process's memory, by this process's own runner thread."""
    from app.jobs import queue

    if queue.is_persistent():
        queue.render_documents_soon()
    else:
        start_runner(factory, settings)


def run_pending(factory: sessionmaker[Session], settings: Settings) -> int:
    """Render queued jobs until none is left (the worker's task); returns how many."""
    done = 0
    while run_one(factory, settings):
        done += 1
    return done


def has_pending(factory: sessionmaker[Session]) -> bool:
    """Whether a job waits to be claimed (queued, or its worker died)."""
    with factory() as session:
        return repo.has_claimable_job(session, lease=JOB_LEASE)


def run_one(factory: sessionmaker[Session], settings: Settings) -> bool:
    """Claim and render one queued job; False when there was none."""
    with factory() as session:
        job = repo.claim_job(session, lease=JOB_LEASE)
        if job is None:
            session.rollback()  # ends the claim's read (and its row locks) at once
            global _last_prune
            if time.monotonic() - _last_prune > 3600:
                _last_prune = time.monotonic()
                repo.delete_finished_jobs(session, before=utcnow() - KEEP)
                session.commit()
            return False
        session.commit()  # the claim is visible to other workers before the render starts
        job_id = job.id
        params = dict(job.params)
        filename = str(params.pop("filename", "document.pdf"))
        spec = DocumentSpec(
            kind=job.kind,  # type: ignore[arg-type]
            community_id=job.community_id,
            params=params,
            filename=filename,
            cache_key=job.cache_key,
        )
        try:
            context = service.build_context(session, spec, settings)
            session.rollback()
            body = render_off_thread(spec.kind, context)
        except Exception as exc:  # a failed render is the job's outcome, not the runner's end
            log.exception("document job %s failed", job_id)
            session.rollback()
            repo.finish_job(
                session,
                job_id,
                result=None,
                error=f"{type(exc).__name__}: render failed",
                filename=None,
                content_type=None,
            )
            session.commit()
            return True
        cache_put(settings, spec.cache_key, body)
        repo.finish_job(
            session,
            job_id,
            result=body,
            error=None,
            filename=filename,
            content_type=spec.content_type,
        )
        session.commit()
    return True


def _loop(factory: sessionmaker[Session], settings: Settings) -> None:
    while not _runner_stop.is_set():
        try:
            worked = run_one(factory, settings)
        except Exception:
            log.exception("document job runner error")
            worked = False
        if not worked:
            _runner_wake.wait(POLL_SECONDS)
            _runner_wake.clear()


def start_runner(factory: sessionmaker[Session], settings: Settings) -> None:
    """Make sure this process runs queued jobs (started on first need), and wake it."""
    global _runner
    with _runner_lock:
        if _runner is None or not _runner.is_alive():
            _runner_stop.clear()
            _runner = threading.Thread(
                target=_loop, args=(factory, settings), name="document-jobs", daemon=True
            )
            _runner.start()
    _runner_wake.set()
