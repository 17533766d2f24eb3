"""Rendering stays bounded: memory of a large per-household run, no orphaned render processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLYERS = 400
PEAK_MB = 200
"""The bound: 400 per-household flyers peak under 200 MB. Measured: about 110 MB (the flyer
rendered once, the codes' layer 100 pages a part); about 300 MB as one WeasyPrint document
of 400 whole flyers, as they were rendered before (0.5 MB more a flyer)."""


def _run(code: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout


class TestMemory:
    def test_per_household_flyers_peak_under_the_bound(self) -> None:
        out = _run(
            f"""
            import resource
            from app.documents import context as views, render
            ctx = views.build_flyer(
                lang="zh", size="A5", community="江南星城", campaign="冬季", campaign_id=1,
                topics=["fake_customer_service_video", "refund_scam"], building="1幢",
                contacts=views.flyer_contacts(lang="zh", grid_officer=None,
                                              service_centre_phone="0571-8800 1234"),
                address=None, household_codes=[f"1-1-{{i}}" for i in range({FLYERS})],
                public_base_url="https://doorstep.example",
            )
            pdf = render.render_pdf("flyers", ctx)
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
            """
        )
        peak = int(out.split()[-1])
        assert peak < PEAK_MB, f"{peak} MB"


class TestRenderProcesses:
    def test_they_exit_when_their_worker_is_killed(self) -> None:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-c",
                textwrap.dedent(
                    """
                    import sys, time
                    from app.documents import delivery
                    pool = delivery._pool_get()
                    pool.submit(int, 1).result(timeout=300)
                    print(" ".join(str(p) for p in pool._processes), flush=True)
                    time.sleep(600)
                    """
                ),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "DOORSTEP_DOCUMENT_PROCESSES": "2"},
        )
        assert worker.stdout is not None
        children = [int(p) for p in worker.stdout.readline().split()]
        assert children
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        for _ in range(300):  # a bound, not a timing: at most a minute
            alive = [p for p in children if Path(f"/proc/{p}").exists() and not _zombie(p)]
            if not alive:
                break
            time.sleep(0.2)
        assert not alive, f"orphaned render processes {alive}"


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True
