"""Document rendering: time and peak memory against a naive WeasyPrint baseline, same run.

Builds its own community in a temporary SQLite database (5,000 households in 25 buildings,
contacts over two weeks, 25 rounds, incidents) with the real migrations, then renders each
document in a fresh child process (fonts and stylesheets warmed first, as the API's render
processes are) and reports the child's wall time and peak resident memory:

- naive report: one HTML table row per household, the baseline of issue 3;
- naive flyer: the system's Noto Sans CJK collection instead of the project's subset;
- our coverage report with the full appendix of households not reached;
- one building's flyer in Chinese and in English; 200 per-household flyers;
- every walk sheet of the campaign (``walk_sheets_pool``: the same through the API's render
  processes, ``DOORSTEP_DOCUMENT_PROCESSES`` of them; only when asked for with ``--only``);
- a repeat download of the unchanged report (cache hit: permission, data version, file read).

    python bench/documents.py [--households 5000] [--buildings 25]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {
    "report": "≤ 0.15 × naive report, ≤ 250 MB",
    "flyer_zh": "≤ 0.5 s",
    "flyer_en": "≤ 0.5 s",
    "flyers_200": "≤ 4 s",
    "walk_sheets": "≤ 6 s",
}


def build_database(url: str, households: int, buildings: int) -> dict[str, int]:
    """Migrate and fill the bench community; ids of what the documents need."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import insert

    from app.auth.models import Membership, User
    from app.campaigns.models import Campaign, Round, RoundAssignee, RoundBuilding
    from app.communities.models import Building, Community, Household, HouseholdFlag
    from app.contacts.models import Contact
    from app.coverage import state as coverage_state
    from app.db import make_engine, make_sessionmaker
    from app.enums import CampaignStatus, Channel, Occupancy, Outcome, Role
    from app.incidents.models import Incident

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")
    rng = random.Random(3)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as s:
        community = Community(
            name="基准测试社区",
            slug="bench",
            timezone="Asia/Shanghai",
            address="江南大道 1 号",
            service_centre_phone="0571-8800 0000",
        )
        s.add(community)
        s.flush()
        officer = User(
            username="officer", password_hash="x", display_name="网格员小周", phone="138 0000 0000"
        )
        staff = [
            User(username=f"staff{i}", password_hash="x", display_name=f"物业{i}号")
            for i in range(5)
        ]
        s.add_all([officer, *staff])
        s.flush()
        s.add_all(
            [Membership(user_id=u.id, community_id=community.id, role=Role.staff) for u in staff]
        )
        per_building = households // buildings
        floors = max(1, per_building // 8)
        blds = [
            Building(
                community_id=community.id,
                code=str(b + 1),
                name=f"{b + 1}幢",
                units=2,
                floors=floors,
                grid_officer_id=officer.id,
            )
            for b in range(buildings)
        ]
        s.add_all(blds)
        s.flush()
        campaign = Campaign(
            community_id=community.id,
            name="冬季反诈宣传",
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 12, 31),
            target_coverage=0.9,
            status=CampaignStatus.active,
            topics=["fake_customer_service_video", "refund_scam", "impersonating_police"],
        )
        s.add(campaign)
        s.flush()
        rows = []
        for b in blds:
            for i in range(per_building):
                unit, rest = 1 + i % 2, i // 2
                floor, room = 1 + rest // 4, 1 + rest % 4
                rows.append(
                    {
                        "community_id": community.id,
                        "building_id": b.id,
                        "unit": str(unit),
                        "floor": floor,
                        "room": f"{floor}{room:02d}",
                        "code": f"{b.code}-{unit}-{floor}{room:02d}",
                        "occupancy": Occupancy.vacant
                        if rng.random() < 0.03
                        else Occupancy.occupied,
                        "created_at": datetime.now(UTC),
                        "updated_at": datetime.now(UTC),
                    }
                )
        s.execute(insert(Household), rows)
        hh = s.query(Household.id, Household.building_id).all()
        s.execute(
            insert(HouseholdFlag),
            [{"household_id": h.id, "flag": "elderly_alone"} for h in hh if rng.random() < 0.08],
        )
        rounds = {}
        for n, b in enumerate(blds):
            when = datetime(2026, 11, 10, 1, tzinfo=UTC) + timedelta(days=n % 14)
            r = Round(
                campaign_id=campaign.id,
                community_id=community.id,
                starts_at=when,
                ends_at=when + timedelta(hours=3),
            )
            s.add(r)
            s.flush()
            s.add(RoundBuilding(round_id=r.id, building_id=b.id))
            s.add(RoundAssignee(round_id=r.id, user_id=staff[n % 5].id))
            rounds[b.id] = r.id
        contacts = []
        for h in hh:
            outcome = rng.choices(
                [Outcome.reached, Outcome.not_home, Outcome.refused, Outcome.materials_left, None],
                [60, 15, 4, 6, 15],
            )[0]
            if outcome is None:
                continue
            day = date(2026, 11, 10) + timedelta(days=rng.randrange(14))
            for attempt in range(2 if outcome == Outcome.not_home and rng.random() < 0.4 else 1):
                contacts.append(
                    {
                        "id": uuid.uuid4(),
                        "campaign_id": campaign.id,
                        "community_id": community.id,
                        "household_id": h.id,
                        "channel": Channel.door,
                        "outcome": outcome if attempt == 0 else Outcome.reached,
                        "occurred_at": datetime.combine(
                            day + timedelta(days=attempt), datetime.min.time(), UTC
                        )
                        + timedelta(hours=2),
                        "utc_offset_minutes": 480,
                        "local_date": day + timedelta(days=attempt),
                        "round_id": rounds[h.building_id],
                        "flyer_given": rng.random() < 0.7,
                        "app_installed": rng.random() < 0.3,
                        "pledge_signed": rng.random() < 0.2,
                        "residents_reached": rng.randrange(1, 4),
                        "notes": "狗比较凶，按两次门铃" if rng.random() < 0.04 else None,
                        "body_hash": "x",
                        "recorded_at": datetime.now(UTC),
                    }
                )
        s.execute(insert(Contact), contacts)
        # A bulk Core insert bypasses the recording path: fill the kept coverage state.
        coverage_state.rebuild(s, campaign.id)
        for i in range(20):
            s.add(
                Incident(
                    community_id=community.id,
                    campaign_id=campaign.id,
                    occurred_at=datetime(2026, 11, 11 + i % 10, 3, tzinfo=UTC),
                    fraud_type="refund_scam",
                    channel="电话",
                    summary="居民接到自称快递客服的电话，要求退款理赔，经劝阻未转账。",
                    amount_lost=Decimal(0),
                    amount_prevented=Decimal(3000 + i),
                )
            )
        s.commit()
        ids = {
            "campaign_id": campaign.id,
            "building_id": blds[0].id,
            "households": len(hh),
            "contacts": len(contacts),
        }
    engine.dispose()
    return ids


# --- what each child process does ------------------------------------------------------------


def _admin() -> Any:
    from app.auth.models import User
    from app.auth.permissions import Actor

    return Actor(user=User(id=0, username="bench", display_name="bench", is_admin=True))


def _naive_report(session: Any, ids: dict[str, int]) -> bytes:
    from app.campaigns.models import Campaign
    from app.coverage import service as coverage
    from app.documents import render, service

    campaign = session.get(Campaign, ids["campaign_id"])
    facts = service.household_facts(session, campaign)
    cov = coverage.campaign_coverage(session, actor=_admin(), campaign=campaign)
    rows = "".join(
        f"<tr><td>{f.code}</td><td>{f.building_code}</td><td>{f.unit}</td>"
        f"<td>{f.floor}</td><td>{f.status}</td></tr>"
        for f in facts
    )
    html = (
        f"<h1>覆盖情况报告</h1><p>覆盖率 {cov.reached} / {cov.eligible}</p>"
        f"<table><tr><th>户号</th><th>楼栋</th><th>单元</th><th>楼层</th><th>状态</th></tr>"
        f"{rows}</table>"
    )
    return render.html_to_pdf(html, stylesheets=("base.css",))


def _naive_flyer(session: Any, ids: dict[str, int]) -> bytes:
    import weasyprint

    from app.campaigns.catalogue import FRAUD_TYPES

    f = FRAUD_TYPES[0]
    html = (
        f"<h1>不听、不信、不转账</h1><h2>96110</h2><h3>{f.name_zh}</h3>"
        f"<p>{f.summary_zh}</p><p>{f.advice_zh}</p>"
    )
    css = weasyprint.CSS(
        string="@page{size:A5} html{font-family:'Noto Sans CJK SC';font-size:16pt}"
    )
    return bytes(weasyprint.HTML(string=html).write_pdf(stylesheets=[css]))


def _ours(kind: str, **params: Any) -> Callable[[Any, dict[str, int]], bytes]:
    def run(session: Any, ids: dict[str, int]) -> bytes:
        from app.config import get_settings
        from app.documents import render, service

        actor = _admin()
        if kind == "report":
            spec = service.report_spec(session, actor=actor, campaign_id=ids["campaign_id"])
        elif kind == "walk_sheets":
            spec = service.walk_sheets_spec(session, actor=actor, campaign_id=ids["campaign_id"])
        else:
            spec = service.flyers_spec(
                session,
                actor=actor,
                campaign_id=ids["campaign_id"],
                building_id=ids["building_id"],
                size="A5",
                **params,
            )
        context = service.build_context(session, spec, get_settings())
        return render.render_pdf(spec.kind, context)

    return run


def _pooled(session: Any, ids: dict[str, int]) -> bytes:
    """Every walk sheet through the API's own path: parts rendered in the render processes
    (``DOORSTEP_DOCUMENT_PROCESSES`` of them, started and warmed before the clock starts, as
    a serving API's are) and joined. The child's CPU excludes the render processes'."""
    from app.config import get_settings
    from app.documents import delivery, service

    spec = service.walk_sheets_spec(session, actor=_admin(), campaign_id=ids["campaign_id"])
    context = service.build_context(session, spec, get_settings())
    return delivery.render_off_thread(spec.kind, context)


JOBS: dict[str, Callable[[Any, dict[str, int]], bytes]] = {
    "naive_report": _naive_report,
    "naive_flyer": _naive_flyer,
    "report": _ours("report"),
    "flyer_zh": _ours("flyers", lang="zh", per_household=False),
    "flyer_en": _ours("flyers", lang="en", per_household=False),
    "flyers_200": _ours("flyers", lang="zh", per_household=True),
    "walk_sheets": _ours("walk_sheets"),
    "walk_sheets_pool": _pooled,
}
WARM_POOL = {"walk_sheets_pool"}
"""Jobs whose render processes are started and warmed before the clock starts."""


def _pool_cpu() -> float:
    """CPU seconds the live render processes of this process have used (from ``/proc``)."""
    from app.documents import delivery

    if delivery._pool is None:
        return 0.0
    total = 0.0
    for pid in list(delivery._pool._processes):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _child(name: str, url: str, ids: dict[str, int], out: Any) -> None:
    os.environ["DOORSTEP_DATABASE_URL"] = url
    from app.db import make_engine, make_sessionmaker
    from app.documents import delivery, render

    render.warm_up()
    if name in WARM_POOL:
        processes = delivery.render_processes()
        warm = [delivery._pool_get().submit(render.warm_up) for _ in range(processes)]
        for future in warm:
            future.result()
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        start, cpu, pool_cpu = time.perf_counter(), time.process_time(), _pool_cpu()
        body = JOBS[name](session, ids)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        # the render processes' share too (none are replaced within one document: a process
        # takes MAX_TASKS_PER_PROCESS parts)
        cpu += _pool_cpu() - pool_cpu
    delivery.shutdown()
    from io import BytesIO

    from pypdf import PdfReader

    pages = len(PdfReader(BytesIO(body)).pages)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.send((seconds, cpu, peak, pages, len(body)))


def measure(name: str, url: str, ids: dict[str, int]) -> tuple[float, float, float, int, int]:
    """Run one document in a fresh process: seconds, CPU seconds, peak MB, pages, bytes."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(name, url, ids, send))
    proc.start()
    result = receive.recv()
    proc.join()
    return result  # type: ignore[no-any-return]


def repeat_download(url: str, ids: dict[str, int], cache: Path) -> tuple[float, float]:
    """Seconds for the first and a repeat report download through the delivery cache."""
    from app.config import Settings
    from app.db import make_engine, make_sessionmaker
    from app.documents import delivery, service

    settings = Settings(database_url=url, document_cache_dir=cache)
    factory = make_sessionmaker(make_engine(url))
    times = []
    for _ in range(2):
        with factory() as session:
            start = time.perf_counter()
            spec = service.report_spec(session, actor=_admin(), campaign_id=ids["campaign_id"])
            out = delivery.deliver(
                session, spec, settings=settings, factory=factory, requested_by=None
            )
            if out.status != 200:
                raise SystemExit(f"report answered {out.status}, not 200")
            times.append(time.perf_counter() - start)
    delivery.shutdown()
    return times[0], times[1]


def stall_check(url: str, ids: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Latency of a small request-sized job (a round's checklist statuses from the database)
    while the report renders: idle, rendering in a thread of this process (what a naive
    handler does), and rendering in the render process pool (what the API does)."""
    import statistics
    import threading

    from app.campaigns.models import Campaign
    from app.config import get_settings
    from app.coverage import service as coverage
    from app.db import make_engine, make_sessionmaker
    from app.documents import delivery, render, service

    factory = make_sessionmaker(make_engine(url))
    with factory() as session:
        campaign = session.get(Campaign, ids["campaign_id"])
        assert campaign is not None
        spec = service.report_spec(session, actor=_admin(), campaign_id=ids["campaign_id"])
        context = service.build_context(session, spec, get_settings())
    render.warm_up()
    delivery.render_off_thread("report", context)  # start and warm the pool

    def small_job() -> float:
        start = time.perf_counter()
        with factory() as session:
            coverage.household_states(
                session, campaign_id=campaign.id, building_ids=[ids["building_id"]]
            )
        return time.perf_counter() - start

    def latencies(render_call: Callable[[], object] | None) -> tuple[float, float]:
        done = threading.Event()
        if render_call is not None:

            def go() -> None:
                render_call()
                done.set()

            threading.Thread(target=go).start()
        else:
            threading.Timer(2.0, done.set).start()
        samples = []
        while not done.is_set():
            samples.append(small_job())
        samples.sort()
        return statistics.median(samples), samples[int(len(samples) * 0.95)]

    result = {
        "idle": latencies(None),
        "render in this process": latencies(lambda: render.render_pdf("report", context)),
        "render in the pool": latencies(lambda: delivery.render_off_thread("report", context)),
    }
    delivery.shutdown()
    return result


def main() -> None:
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--buildings", type=int, default=25)
    parser.add_argument("--only", nargs="*", choices=list(JOBS), help="just these documents")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        t0 = time.perf_counter()
        ids = build_database(url, args.households, args.buildings)
        print(
            f"community: {ids['households']} households in {args.buildings} buildings, "
            f"{ids['contacts']} contacts (built in {time.perf_counter() - t0:.1f} s)"
        )
        results = {}
        for name in JOBS:
            if (args.only and name not in args.only) or (not args.only and name in WARM_POOL):
                continue
            results[name] = measure(name, url, ids)
            s, cpu, mb, pages, size = results[name]
            print(
                f"  {name:13s} {s:7.2f} s (CPU {cpu:6.2f} s)  peak {mb:6.0f} MB  "
                f"{pages:4d} pages  {size / 1024:7.0f} KiB",
                flush=True,
            )
        if args.only:
            return
        naive_report, naive_flyer = results["naive_report"][0], results["naive_flyer"][0]
        print(
            f"\nload average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
            "(times are wall-clock of one render process)"
        )
        print("figure          seconds  ratio to naive      peak MB   target")
        for name in ("report", "flyer_zh", "flyer_en", "flyers_200", "walk_sheets"):
            s, _, mb, _, _ = results[name]
            base = naive_report if name == "report" else naive_flyer
            base_name = "report" if name == "report" else "flyer"
            print(
                f"{name:13s} {s:9.2f}  {s / base:6.3f} × naive {base_name:6s} {mb:7.0f}   "
                f"{TARGETS[name]}"
            )
        first, repeat = repeat_download(url, ids, Path(tmp) / "cache")
        print(
            f"report download: first {first:.2f} s, repeat (unchanged) {repeat * 1000:.0f} ms "
            f"({repeat / first:.3f} × first)"
        )
        print("a request's work while the report renders (median / p95 ms):")
        for label, (median, p95) in stall_check(url, ids).items():
            print(f"  {label:24s} {median * 1000:7.1f} / {p95 * 1000:7.1f}")


if __name__ == "__main__":
    main()
