"""An officer's whole first day, only through the pages, each step checked in the database.

Log in; upload the shared roster, read the preview, confirm; create a campaign; enter weekly
availability for three staff; run the planner, read its expected coverage, commit; move a round
to another day and see a clash refused on the board; log a scam report and follow it up. Then a
staff member finds their rounds on the phone and the manager on the campaign page.

Every click and keystroke of the officer is counted (``Hands``) and printed, so the cost of the
day can be set against the 14 API calls through ``/docs`` it took before these pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.auth.models import User
from app.campaigns.models import Campaign, Round, RoundAssignee
from app.communities.models import Building, Household
from app.enums import IncidentStatus, Role, RoundStatus
from app.incidents.models import Incident, IncidentChange
from app.planner.models import CampaignAvailability
from tests.factories import PASSWORD, make_community, make_member
from tests.web.conftest import DESKTOP, PHONE, SHOTS, LiveServer, log_in, shoot

pytestmark = pytest.mark.browser

TZ = ZoneInfo("Asia/Shanghai")
ROSTER = Path(__file__).resolve().parents[1] / "fixtures" / "roster-jiangnan-star.xlsx"
# Importing 840 rows and planning take seconds, more on a busy machine: waits, not timings.
SLOW = 120_000
STAFF = (("xiaoli", "物业小李"), ("xiaowang", "物业小王"), ("xiaozhang", "物业小张"))


@dataclass
class Hands:
    """The officer's hands: every action goes through here and is counted."""

    page: Any
    clicks: int = 0
    keys: int = 0
    steps: list[tuple[str, int, int]] = field(default_factory=list)

    def click(self, locator: Any) -> None:
        """One click (or tap)."""
        locator.click()
        self.clicks += 1

    def type(self, locator: Any, text: str) -> None:
        """Click into a field, clear what is there, and type the text: one key per character."""
        locator.click()
        locator.fill(text)
        self.clicks += 1
        self.keys += len(text)

    def pick(self, select: Any, label: str) -> None:
        """Open a drop-down and choose an option: two clicks."""
        select.select_option(label=label)
        self.clicks += 2

    def upload(self, locator: Any, path: Path) -> None:
        """Open the file chooser and pick the file: two clicks."""
        locator.set_input_files(str(path))
        self.clicks += 2

    def step(self, name: str) -> None:
        """Mark the end of a step, for the breakdown."""
        done_clicks = sum(s[1] for s in self.steps)
        done_keys = sum(s[2] for s in self.steps)
        self.steps.append((name, self.clicks - done_clicks, self.keys - done_keys))


def local_day(at: datetime) -> str:
    """The Shanghai date of an instant."""
    return at.astimezone(TZ).date().isoformat()


def test_an_officers_first_day(server: LiveServer, new_context: Any) -> None:
    today = datetime.now(TZ).date()
    with server.session() as s:
        community = make_community(s, name="江南星城")
        make_member(s, community, Role.officer, username="zhou", display_name="网格员小周")
        make_member(s, community, Role.manager, username="chen", display_name="陈主任")
        staff_ids = {
            username: make_member(s, community, Role.staff, username=username, display_name=name).id
            for username, name in STAFF
        }

    errors: list[str] = []
    page = new_context(DESKTOP).new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    hands = Hands(page)

    # --- log in -------------------------------------------------------------------------------
    page.goto(f"{server.url}/login")
    hands.type(page.get_by_label("用户名"), "zhou")
    hands.type(page.get_by_label("密码"), PASSWORD)
    hands.click(page.get_by_role("button", name="登录"))
    page.wait_for_url(f"{server.url}/office")
    hands.step("log in")

    # --- the roster: preview first, import on confirmation -------------------------------------
    hands.click(page.locator("#hub").get_by_role("link", name="住户登记"))
    page.wait_for_url(f"{server.url}/registry")
    hands.upload(page.get_by_label("花名册文件"), ROSTER)
    hands.click(page.get_by_role("button", name="预览导入"))
    counts = page.locator("#imp-counts")
    expect(counts).to_contain_text("将新建 840 户", timeout=SLOW)
    expect(page.locator("#imp-created summary")).to_contain_text("840")
    with server.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 0, (
            "a preview stores nothing"
        )
    shoot(page, "day-import-preview")
    hands.click(page.get_by_role("button", name="确认导入"))
    expect(page.locator("#imp-done")).to_contain_text("新建 840 户", timeout=SLOW)
    with server.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 840
        assert s.scalar(select(func.count()).select_from(Building)) == 12
        vacant = s.scalar(
            select(func.count()).select_from(Household).where(Household.occupancy == "vacant")
        )
        assert vacant == 58
    # The buildings are drawn: twelve of them, the first one's households in their grid.
    expect(page.locator(".building-tab")).to_have_count(12)
    expect(page.locator(".reg-hh").first).to_be_visible()
    shoot(page, "day-registry")
    hands.step("import the roster")

    # --- a campaign ---------------------------------------------------------------------------
    hands.click(page.get_by_role("navigation", name="主导航").get_by_role("link", name="工作台"))
    hands.click(page.locator("#hub").get_by_role("link", name="新建宣传活动"))
    page.wait_for_url(f"{server.url}/campaigns/new")
    hands.type(page.get_by_label("活动名称"), "冬季反诈入户宣传")
    hands.type(page.get_by_label("目标覆盖率（%）"), "90")
    hands.click(page.get_by_label("冒充客服视频通话诈骗"))
    hands.click(page.get_by_label("刷单返利诈骗"))
    hands.click(page.get_by_role("button", name="创建并排班"))
    page.wait_for_url("**/plan")
    with server.session() as s:
        campaign = s.scalars(select(Campaign)).one()
        assert campaign.name == "冬季反诈入户宣传"
        assert campaign.topics == ["fake_customer_service_video", "click_farming"]
        assert campaign.target_coverage == pytest.approx(0.9)
        assert (campaign.starts_on, campaign.ends_on) == (today, today + timedelta(days=13))
        campaign_id = campaign.id
    assert page.url == f"{server.url}/campaigns/{campaign_id}/plan"
    hands.step("create the campaign")

    # --- availability for three staff ---------------------------------------------------------
    expect(page.locator("#board .board-table")).to_be_visible()
    hands.click(page.get_by_role("button", name="为物业小李添加时段"))  # Mon–Fri 09:00–12:00
    hands.click(page.get_by_role("button", name="为物业小王添加时段"))
    wang = page.locator(f'.pattern[data-user="{staff_ids["xiaowang"]}"]')
    hands.click(wang.get_by_text("六", exact=True))  # and Saturdays
    hands.click(page.get_by_role("button", name="为物业小张添加时段"))
    hands.type(page.get_by_label("物业小张几点开始"), "14:00")
    hands.type(page.get_by_label("物业小张几点结束"), "17:00")
    hands.click(page.get_by_role("button", name="保存可用时间"))
    expect(page.locator("#availability-status")).to_contain_text("上次保存")
    with server.session() as s:
        stored = s.get(CampaignAvailability, campaign_id)
        assert stored is not None
        assert stored.patterns == [
            {
                "user_id": staff_ids["xiaoli"],
                "weekdays": [1, 2, 3, 4, 5],
                "starts": "09:00",
                "ends": "12:00",
            },
            {
                "user_id": staff_ids["xiaowang"],
                "weekdays": [1, 2, 3, 4, 5, 6],
                "starts": "09:00",
                "ends": "12:00",
            },
            {
                "user_id": staff_ids["xiaozhang"],
                "weekdays": [1, 2, 3, 4, 5],
                "starts": "14:00",
                "ends": "17:00",
            },
        ]
    hands.step("enter availability")

    # --- the planner: read the proposal, commit it --------------------------------------------
    hands.click(page.get_by_role("button", name="生成排班方案"))
    expected = page.locator("#plan-expected")
    expect(expected).to_contain_text("预计覆盖率", timeout=SLOW)
    expect(page.locator(".slot-proposed").first).to_be_visible()
    shortfall = page.locator("#plan-shortfall").inner_text()
    assert "人·小时" in shortfall or "足以达到目标" in shortfall
    shoot(page, "day-proposal")
    with server.session() as s:
        assert s.scalar(select(func.count()).select_from(Round)) == 0, "a proposal stores nothing"
    commit = page.locator("#plan-commit")
    promised = int("".join(ch for ch in commit.inner_text() if ch.isdigit()))
    assert promised > 0
    hands.click(commit)
    expect(page.locator("#proposal-card h3")).to_have_text("方案已确认", timeout=SLOW)
    # The commit creates the rounds the proposal showed, not a plan made anew.
    created = page.locator("#plan-expected").inner_text()
    assert created.startswith("已创建 ")
    assert int(created.removeprefix("已创建 ").split(" ")[0]) == promised
    with server.session() as s:
        rounds = s.scalars(select(Round).order_by(Round.starts_at)).all()
        assert len(rounds) == promised
        team: dict[int, set[int]] = {}
        for link in s.scalars(select(RoundAssignee)).all():
            team.setdefault(link.round_id, set()).add(link.user_id)
        assert set().union(*team.values()) <= set(staff_ids.values())
    expect(page.locator(".slot-round").first).to_be_visible()
    hands.step("plan and commit")

    # --- move a round to a free day; then another onto it: a clash, refused on the board ------
    by_person: dict[int, list[Round]] = {}
    for r in rounds:
        for u in team[r.id]:
            by_person.setdefault(u, []).append(r)
    person, theirs = next((u, rs) for u, rs in sorted(by_person.items()) if len(rs) >= 2)
    moved, second = theirs[0], theirs[1]
    busy = {
        local_day(r.starts_at) for r in rounds if team[r.id] & (team[moved.id] | team[second.id])
    }
    free_day = next(
        d for d in ((today + timedelta(days=n)).isoformat() for n in range(14)) if d not in busy
    )

    def open_round(round_id: int) -> None:
        chip = page.locator(f'.slot-round[data-id="{round_id}"]').first
        for direction in ("#week-prev", "#week-next"):
            while not chip.is_visible() and page.locator(direction).is_enabled():
                hands.click(page.locator(direction))
        hands.click(chip)

    open_round(moved.id)
    dialog = page.get_by_role("dialog")
    hands.pick(dialog.get_by_label("日期"), _day_label(free_day))
    hands.click(dialog.get_by_role("button", name="保存", exact=True))
    expect(dialog).to_be_hidden()
    with server.session() as s:
        after = s.get(Round, moved.id)
        assert after is not None
        assert local_day(after.starts_at) == free_day
        assert after.starts_at.astimezone(TZ).time() == moved.starts_at.astimezone(TZ).time()
    expect(
        page.locator(f'td[data-day="{free_day}"] .slot-round[data-id="{moved.id}"]').first
    ).to_be_visible()

    # The second round of the same person, onto the same day and hour: the person is busy.
    open_round(second.id)
    start = after.starts_at.astimezone(TZ)
    hands.pick(dialog.get_by_label("日期"), _day_label(free_day))
    hands.type(dialog.get_by_label("开始"), start.strftime("%H:%M"))
    hands.type(dialog.get_by_label("结束"), (start + timedelta(minutes=30)).strftime("%H:%M"))
    hands.click(dialog.get_by_role("button", name="保存", exact=True))
    clash = page.locator(f'td.has-clash[data-day="{free_day}"] .clash')
    expect(clash).to_be_visible()
    with server.session() as s:
        names = {s.get(User, u).display_name for u in team[second.id]}  # type: ignore[union-attr]
        unchanged = s.get(Round, second.id)
        assert unchanged is not None
        assert unchanged.starts_at == second.starts_at, "a refused move changes nothing"
    text = clash.inner_text()
    assert "时间冲突" in text
    assert any(n in text for n in names), text
    assert "is already in round" in text, "the server's own message is shown too"
    shoot(page, "day-clash")
    hands.step("move a round, see a clash")

    # --- a scam report, logged and followed up ------------------------------------------------
    with server.session() as s:
        household_code = s.scalars(select(Household.code).order_by(Household.id)).all()[300]
    hands.click(page.get_by_role("navigation", name="主导航").get_by_role("link", name="涉诈事件"))
    page.wait_for_url(f"{server.url}/incidents")
    hands.pick(page.get_by_label("诈骗类型"), "冒充客服视频通话诈骗")
    hands.type(page.get_by_label("渠道"), "FaceTime 视频通话")
    hands.type(
        page.get_by_label("经过"),
        "自称视频网站客服，要求开启百万保障并共享屏幕；居民到服务中心询问。",
    )
    hands.type(page.get_by_label("住户编号（可不填）"), household_code)
    hands.type(page.get_by_label("挽回/未转出金额（元）"), "50000")
    hands.pick(page.get_by_label("移交"), "网格管理员")
    hands.click(page.get_by_role("button", name="登记", exact=True))
    listed = page.locator("details.incident").first
    expect(listed).to_contain_text("冒充客服视频通话诈骗")
    with server.session() as s:
        incident = s.scalars(select(Incident)).one()
        household = s.scalars(select(Household).where(Household.code == household_code)).one()
        assert incident.household_id == household.id
        assert incident.fraud_type == "fake_customer_service_video"
        assert incident.channel == "FaceTime 视频通话"
        assert float(incident.amount_prevented or 0) == 50000
        assert incident.status == IncidentStatus.reported
        assert incident.escalated_to == "grid_admin"
    hands.click(listed.locator("summary"))
    hands.pick(listed.get_by_label("状态"), "已办结")
    hands.type(listed.get_by_label("跟进说明"), "已协助解除授权，未转账")
    hands.click(listed.get_by_role("button", name="保存跟进"))
    expect(page.locator("details.incident").first.locator("summary")).to_contain_text("已办结")
    with server.session() as s:
        incident = s.scalars(select(Incident)).one()
        assert incident.status == IncidentStatus.resolved
        history = s.scalars(
            select(IncidentChange).where(IncidentChange.incident_id == incident.id)
        ).all()
        assert len(history) == 2
    expect(page.locator("details.incident").first.locator(".history-list li")).to_have_count(2)
    shoot(page, "day-incident")
    hands.step("log a scam report")
    page.close()

    # --- a staff member sees their rounds on the phone ----------------------------------------
    with server.session() as s:
        username = s.get(User, person).username  # type: ignore[union-attr]
        mine = s.scalars(
            select(Round)
            .join(RoundAssignee, RoundAssignee.round_id == Round.id)
            .where(RoundAssignee.user_id == person, Round.status == RoundStatus.planned)
        ).all()
    phone = new_context(PHONE).new_page()
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(phone, server.url, username, PASSWORD)
    assert phone.url.endswith("/schedule")
    for r in mine:
        expect(phone.locator(f'a.task-link[href="/rounds/{r.id}"]')).to_be_visible()
    shoot(phone, "day-staff-schedule")
    phone.close()

    # --- the manager sees them on the campaign page -------------------------------------------
    desk = new_context(DESKTOP).new_page()
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(desk, server.url, "chen", PASSWORD)
    desk.goto(f"{server.url}/campaigns/{campaign_id}")
    with server.session() as s:
        total = s.scalar(
            select(func.count()).select_from(Round).where(Round.campaign_id == campaign_id)
        )
    expect(desk.locator("button.download", has_text="幢")).to_have_count(total or 0)
    shoot(desk, "day-manager-campaign")
    desk.close()

    assert errors == []
    report = {
        "clicks": hands.clicks,
        "keystrokes": hands.keys,
        "steps": [{"step": n, "clicks": c, "keystrokes": k} for n, c, k in hands.steps],
        "api_calls_before": 14,
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "officer-day-counts.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"\nOfficer's first day: {hands.clicks} clicks, {hands.keys} keystrokes")
    for n, c, k in hands.steps:
        print(f"  {n}: {c} clicks, {k} keystrokes")


def _day_label(day: str) -> str:
    """The board's label of a date, as Chromium draws it in zh-CN ("12/3周四")."""
    d = datetime.fromisoformat(day)
    return f"{d.month}/{d.day}周{'一二三四五六日'[d.weekday()]}"
