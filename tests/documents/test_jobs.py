"""The document job queue on the deployment's own database: claims, leases, results."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import utcnow
from app.documents import delivery
from app.documents import repository as repo
from app.documents.models import DocumentJob
from app.enums import JobStatus
from tests.documents.conftest import Scene


def _job(session: Session, scene: Scene, key: str = "k" * 64) -> DocumentJob:
    job = repo.add_job(
        session,
        DocumentJob(
            community_id=scene.tenant.community.id,
            kind="report",
            params={"campaign_id": scene.campaign.id},
            cache_key=key,
        ),
    )
    session.commit()
    return job


class TestClaim:
    def test_a_job_is_claimed_once(self, app: FastAPI, session: Session, scene: Scene) -> None:
        job = _job(session, scene)
        with app.state.sessionmaker() as first, app.state.sessionmaker() as second:
            taken = repo.claim_job(first, lease=timedelta(minutes=15))
            first.commit()  # the caller commits the claim (repositories never do)
            again = repo.claim_job(second, lease=timedelta(minutes=15))
        assert taken is not None
        assert taken.id == job.id
        assert again is None

    def test_a_job_whose_worker_died_is_taken_again(
        self, app: FastAPI, session: Session, scene: Scene
    ) -> None:
        job = _job(session, scene)
        job.status = JobStatus.running
        job.started_at = utcnow() - timedelta(hours=1)
        session.commit()
        with app.state.sessionmaker() as worker:
            taken = repo.claim_job(worker, lease=timedelta(minutes=15))
        assert taken is not None
        assert taken.id == job.id

    def test_finished_jobs_are_not_claimed(
        self, app: FastAPI, session: Session, scene: Scene
    ) -> None:
        job = _job(session, scene)
        repo.finish_job(
            session,
            job.id,
            result=b"%PDF",
            error=None,
            filename="x.pdf",
            content_type="application/pdf",
        )
        session.commit()
        with app.state.sessionmaker() as worker:
            assert repo.claim_job(worker, lease=timedelta(minutes=15)) is None
        assert repo.done_job_for(session, job.cache_key) is not None

    def test_the_same_document_is_not_queued_twice(self, session: Session, scene: Scene) -> None:
        job = _job(session, scene, key="a" * 64)
        found = repo.open_job_for(session, "a" * 64)
        assert found is not None
        assert found.id == job.id


class TestCachePruning:
    def test_old_cached_documents_are_removed(self, tmp_path: Path) -> None:
        settings = Settings(document_cache_dir=tmp_path)
        delivery.cache_put(settings, "a" * 64, b"%PDF-old")
        delivery.cache_put(settings, "b" * 64, b"%PDF-new")
        old = tmp_path / "aa" / ("a" * 64 + ".pdf")
        new = tmp_path / "bb" / ("b" * 64 + ".pdf")
        now = time.time()  # the clock the pruning reads, which may run ahead of the disk's
        week_ago = now - delivery.KEEP.total_seconds() - 60
        os.utime(old, (week_ago, week_ago))
        os.utime(new, (now, now))
        assert delivery.prune_cache(settings) == 1
        assert delivery.cache_get(settings, "a" * 64) is None
        assert delivery.cache_get(settings, "b" * 64) == b"%PDF-new"


class TestOnTheJobQueue:
    def test_a_large_render_is_queued_on_huey_and_the_worker_renders_it(
        self,
        client: TestClient,
        app: FastAPI,
        scene: Scene,
        settings: Settings,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from app.jobs import queue, tasks

        queue.configure(settings.model_copy(update={"jobs_url": f"sqlite:///{tmp_path}/q.db"}))
        monkeypatch.setattr(tasks, "_factory", lambda: app.state.sessionmaker)
        monkeypatch.setattr(tasks, "_documents_settings", lambda: settings)
        try:
            headers = scene.tenant.headers["manager"]
            response = client.get(
                f"/api/v1/campaigns/{scene.campaign.id}/walk-sheets.pdf",
                headers={**headers, "Prefer": "respond-async"},
            )
            assert response.status_code == 202
            status_url = response.headers["location"]
            assert client.get(status_url, headers=headers).json()["status"] == "queued"
            assert queue.huey.pending_count() == 1  # nothing rendered in the API process
            task = queue.huey.dequeue()
            queue.huey.execute(task)  # what `doorstep worker` does with it
            job = client.get(status_url, headers=headers).json()
            assert job["status"] == "done", job
            assert client.get(job["result_url"], headers=headers).status_code == 200
        finally:
            queue.configure(settings)
