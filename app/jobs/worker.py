"""``doorstep worker``: the huey consumer with the periodic sweep, and the document renders."""

from __future__ import annotations

import logging
import threading

from huey.consumer import Consumer

from app.config import Settings
from app.jobs import queue

log = logging.getLogger(__name__)


def run(settings: Settings, *, workers: int = 2) -> None:
    """Run the job queue's consumer in the foreground until interrupted (SIGINT/SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    queue.configure(settings)
    from app.documents import delivery
    from app.jobs import tasks

    factory = tasks.factory_for(settings)
    documents = threading.Thread(
        target=delivery._loop, args=(factory, settings), name="document-jobs", daemon=True
    )
    documents.start()
    # Whatever a killed worker left half-done is derived again from our tables right away.
    tasks.sweep_now()
    consumer = Consumer(
        queue.huey, workers=workers, worker_type="thread", periodic=True, check_worker_health=True
    )
    log.info("doorstep worker: %d job threads on %s", workers, type(queue.huey.storage).__name__)
    try:
        consumer.run()
    finally:
        delivery.shutdown()
