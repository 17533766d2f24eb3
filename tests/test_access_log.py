"""Calendar feed tokens never reach the access log, under a real uvicorn server."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session

from app.access_log import RedactSecrets, redact
from tests.factories import auth, make_user


class Lines(logging.Handler):
    """Keeps every formatted line logged to it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def served(app: FastAPI, db: object) -> Iterator[tuple[str, Lines]]:
    """The app under uvicorn with its access log on, and the lines that log writes."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # lifespan off: the session-wide app's engine must outlive this server
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", lifespan="off")
    server = uvicorn.Server(config)
    lines = Lines()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(lines)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", lines
    finally:
        server.should_exit = True
        thread.join(10)
        access.removeHandler(lines)


class TestAccessLog:
    def test_the_feed_token_is_not_written(
        self, served: tuple[str, Lines], session: Session
    ) -> None:
        base, lines = served
        user = make_user(session)
        with httpx.Client(base_url=base) as http:
            issued = http.post("/api/v1/members/me/feed-token", headers=auth(session, user))
            assert issued.status_code == 201
            token = issued.json()["token"]
            r = http.get(f"/api/v1/members/me/calendar.ics?token={token}&x=1")
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/calendar")
        logged = [line for line in lines.lines if "calendar.ics" in line]
        assert logged, lines.lines
        assert not any(token in line for line in lines.lines)
        assert "calendar.ics?token=[redacted]&x=1" in logged[0]

    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            ("/cal.ics?token=abc", "/cal.ics?token=[redacted]"),
            ("/cal.ics?lang=zh&token=abc&x=1", "/cal.ics?lang=zh&token=[redacted]&x=1"),
            ("/x?access_token=abc", "/x?access_token=[redacted]"),
            ("/x?TOKEN=abc", "/x?TOKEN=[redacted]"),
            ("/x?password=hunter2", "/x?password=[redacted]"),
            ("/members/me/feed-token", "/members/me/feed-token"),
            ("/x?tokens_left=3", "/x?tokens_left=3"),
        ],
    )
    def test_redaction(self, raw: str, clean: str) -> None:
        assert redact(raw) == clean

    def test_the_filter_rewrites_a_uvicorn_record(self) -> None:
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("127.0.0.1:5000", "GET", "/api/v1/members/me/calendar.ics?token=s3cr3t", "1.1", 200),
            None,
        )
        assert RedactSecrets().filter(record)
        assert "s3cr3t" not in record.getMessage()
