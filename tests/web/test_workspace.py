"""The officer's workspace page by page: registry, people, roles, keyboard, and no other host."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.auth.models import Membership, User
from app.communities.models import BuildingOwner, Household
from app.communities.repository import flags_of
from app.enums import Role
from tests.factories import (
    PASSWORD,
    make_building,
    make_campaign,
    make_community,
    make_household,
    make_member,
)
from tests.web.conftest import DESKTOP, PHONE, LiveServer, log_in, seed_round_today, shoot

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}


def seed_registry(server: LiveServer) -> dict[str, int]:
    """Building 3, unit 1: rooms 101 and 102 occupied; an officer and a staff member."""
    with server.session() as s:
        community = make_community(s, name="江南星城")
        make_member(s, community, Role.officer, username="zhou", display_name="网格员小周")
        staff = make_member(s, community, Role.staff, username="xiaoli", display_name="物业小李")
        building = make_building(s, community, code="3", units=1, floors=2)
        ids = {"building": building.id, "staff": staff.id, "community": community.id}
        for room in ("101", "102"):
            ids[room] = make_household(s, building, unit="1", floor=1, room=room).id
    return ids


def household(server: LiveServer, household_id: int) -> tuple[str, list[str]]:
    """A household's occupancy and flags as stored now."""
    with server.session() as s:
        found = s.get(Household, household_id)
        assert found is not None
        return str(found.occupancy), flags_of(s, [household_id]).get(household_id, [])


class TestRosterPreview:
    def test_a_reimport_shows_rejected_rows_and_every_change_before_storing(
        self, server: LiveServer, new_context: Any, tmp_path: Path
    ) -> None:
        ids = seed_registry(server)
        roster = tmp_path / "roster.csv"
        roster.write_bytes(
            "\n".join(
                [
                    "楼栋,单元,楼层,房号,居住状态,备注",
                    "3幢,1单元,1,101,空置,",
                    "3幢,1单元,1,102,自住,独居老人",
                    "3幢,1单元,1,,自住,",
                    "3幢,1单元,2,201,自住,",
                ]
            ).encode("gb18030")
        )
        page = new_context(DESKTOP).new_page()
        log_in(page, server.url, "zhou", PASSWORD)
        page.goto(f"{server.url}/registry")
        page.get_by_label("花名册文件").set_input_files(str(roster))
        page.get_by_role("button", name="预览导入").click()
        expect(page.locator("#imp-counts")).to_have_text(
            "将新建 1 户，更新 2 户，0 户不变，1 行无法导入"
        )
        rejected = page.locator("#imp-rejected tbody tr")
        expect(rejected).to_have_count(1)
        expect(rejected.locator("th")).to_have_text("4")
        expect(rejected.locator("td")).to_contain_text("房号")
        changes = page.locator("#imp-changes tbody tr")
        expect(changes.filter(has_text="3-1-101")).to_contain_text("居住状态")
        expect(changes.filter(has_text="3-1-101").locator("td").nth(2)).to_have_text("有人住")
        expect(changes.filter(has_text="3-1-101").locator("td").nth(3)).to_have_text("空置")
        expect(changes.filter(has_text="3-1-102").locator("td").nth(3)).to_have_text("独居老人")
        expect(page.locator("#imp-created")).to_contain_text("3-1-201")
        shoot(page, "registry-reimport-preview")
        # Nothing is stored by the preview.
        assert household(server, ids["101"]) == ("occupied", [])
        with server.session() as s:
            assert s.scalar(select(func.count()).select_from(Household)) == 2

        page.get_by_role("button", name="跳过无法导入的行，导入其余 3 户").click()
        expect(page.locator("#imp-done")).to_contain_text("新建 1 户，更新 2 户")
        assert household(server, ids["101"]) == ("vacant", [])
        assert household(server, ids["102"]) == ("occupied", ["elderly_alone"])
        with server.session() as s:
            codes = set(s.scalars(select(Household.code)))
        assert codes == {"3-1-101", "3-1-102", "3-1-201"}

    def test_the_gb18030_roster_as_it_is(self, server: LiveServer, new_context: Any) -> None:
        seed_registry(server)
        roster = Path(__file__).resolve().parents[1] / "fixtures"
        page = new_context(PHONE).new_page()
        log_in(page, server.url, "zhou", PASSWORD)
        page.goto(f"{server.url}/registry")
        page.get_by_label("花名册文件").set_input_files(
            str(roster / "roster-jiangnan-star-gb18030.csv")
        )
        page.get_by_role("button", name="预览导入").click()
        expect(page.locator("#imp-counts")).to_contain_text("无法导入")
        shoot(page, "registry-gb18030-preview-phone")
        with server.session() as s:
            assert s.scalar(select(func.count()).select_from(Household)) == 2


class TestRegistryInPlace:
    def test_occupancy_flags_and_owners_edited_on_the_grid(
        self, server: LiveServer, new_context: Any
    ) -> None:
        ids = seed_registry(server)
        page = new_context(DESKTOP).new_page()
        log_in(page, server.url, "zhou", PASSWORD)
        page.goto(f"{server.url}/registry")
        cell = page.locator('.reg-hh[data-code="3-1-101"]')
        expect(cell).to_contain_text("有人住")
        cell.click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_label("空置").check()
        dialog.get_by_label("独居老人").check()
        dialog.get_by_role("button", name="保存").click()
        expect(cell).to_contain_text("空置")
        expect(cell).to_contain_text("独居老人")
        assert household(server, ids["101"]) == ("vacant", ["elderly_alone"])

        page.get_by_text("包片负责人：").click()
        page.get_by_label("物业小李（物业人员）").check()
        page.get_by_role("button", name="保存负责人").click()
        expect(page.locator("#toast-text")).to_have_text("负责人已保存")
        with server.session() as s:
            owners = s.scalars(
                select(BuildingOwner.user_id).where(BuildingOwner.building_id == ids["building"])
            ).all()
        assert owners == [ids["staff"]]
        shoot(page, "registry-owners")

    def test_by_keyboard(self, server: LiveServer, new_context: Any) -> None:
        ids = seed_registry(server)
        page = new_context(DESKTOP).new_page()
        log_in(page, server.url, "zhou", PASSWORD)
        page.goto(f"{server.url}/registry")
        page.locator('.reg-hh[data-code="3-1-102"]').focus()
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        # Focus starts on the checked occupancy; arrows move it, Enter saves.
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        assert household(server, ids["102"])[0] == "vacant"
        expect(page.locator('.reg-hh[data-code="3-1-102"]')).to_be_focused()


class TestPeople:
    def test_manager_makes_an_account_changes_its_role_and_locks_it(
        self, server: LiveServer, new_context: Any
    ) -> None:
        with server.session() as s:
            community = make_community(s, name="江南星城")
            make_member(s, community, Role.manager, username="chen", display_name="陈主任")
            other = make_community(s, name="锦绣花园")
            colleague = make_member(s, other, Role.staff, username="lao-wu", display_name="老吴")
            manager = s.scalars(select(User).where(User.username == "chen")).one()
            s.add(Membership(user_id=manager.id, community_id=other.id, role=Role.manager))
            s.commit()
            community_id = community.id
        page = new_context(PHONE).new_page()
        log_in(page, server.url, "chen", PASSWORD)
        page.locator("#hub").get_by_role("link", name="人员").click()
        page.locator("#community-pick").select_option(label="江南星城")
        page.get_by_label("用户名").fill("xiaozhang")
        page.get_by_label("姓名").fill("物业小张")
        page.get_by_label("初始密码").fill("a-long-password")
        page.get_by_role("button", name="添加").click()
        row = page.locator("#member-rows tr", has_text="物业小张")
        expect(row).to_be_visible()
        with server.session() as s:
            made = s.scalars(select(User).where(User.username == "xiaozhang")).one()
            role = s.scalars(
                select(Membership.role).where(
                    Membership.user_id == made.id, Membership.community_id == community_id
                )
            ).one()
        assert role == Role.staff
        row.get_by_label("物业小张的角色").select_option(label="网格员")
        expect(page.locator("#toast-text")).to_contain_text("网格员")
        row.get_by_role("button", name="停用账号 物业小张").click()
        expect(page.locator("#member-rows tr", has_text="物业小张")).to_contain_text("已停用")
        with server.session() as s:
            made = s.scalars(select(User).where(User.username == "xiaozhang")).one()
            role = s.scalars(
                select(Membership.role).where(
                    Membership.user_id == made.id, Membership.community_id == community_id
                )
            ).one()
            assert (role, made.is_active) == (Role.officer, False)
            users_before = s.scalar(select(func.count()).select_from(User))

        # A colleague of the manager's other community: added by username, not made twice.
        page.get_by_label("用户名").fill("lao-wu")
        page.get_by_role("button", name="添加").click()
        expect(page.locator("#member-rows tr", has_text="老吴")).to_be_visible()
        with server.session() as s:
            assert s.scalar(select(func.count()).select_from(User)) == users_before
            assert s.scalars(
                select(Membership).where(
                    Membership.user_id == colleague.id, Membership.community_id == community_id
                )
            ).one()
        shoot(page, "members-phone")

    def test_an_unknown_username_needs_a_name_and_password(
        self, server: LiveServer, new_context: Any
    ) -> None:
        with server.session() as s:
            community = make_community(s)
            make_member(s, community, Role.manager, username="chen")
            before = s.scalar(select(func.count()).select_from(User))
        page = new_context(DESKTOP).new_page()
        log_in(page, server.url, "chen", PASSWORD)
        page.goto(f"{server.url}/members")
        page.get_by_label("用户名").fill("nobody")
        page.get_by_role("button", name="添加").click()
        expect(page.locator("#mem-error")).to_contain_text("display_name")
        with server.session() as s:
            assert s.scalar(select(func.count()).select_from(User)) == before


class TestRoles:
    def test_officers_are_sent_away_from_people_and_staff_from_every_officer_page(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        with server.session() as s:
            community = s.scalars(select(Membership.community_id)).first()
            make_member(s, _community(s, community), Role.officer, username="zhou")
        page = new_context(DESKTOP).new_page()
        log_in(page, server.url, "zhou", PASSWORD)
        page.goto(f"{server.url}/members")
        page.wait_for_url(f"{server.url}/office")
        page.close()
        staff = new_context(PHONE).new_page()
        log_in(staff, server.url, scene.staff_username, PASSWORD)
        for path in ("/office", "/registry", "/incidents", "/members", "/campaigns/new"):
            staff.goto(f"{server.url}{path}")
            staff.wait_for_url(f"{server.url}/schedule")
        staff.goto(f"{server.url}/campaigns/{scene.campaign_id}/plan")
        staff.wait_for_url(f"{server.url}/schedule")


def _community(session: Any, community_id: int | None) -> Any:
    from app.communities.models import Community

    found = session.get(Community, community_id)
    assert found is not None
    return found


@pytest.mark.parametrize(("viewport", "size"), [(NARROW, "320"), (DESKTOP, "1280")])
def test_every_workspace_page_opens_from_this_host_only(
    server: LiveServer, new_context: Any, viewport: dict[str, int], size: str
) -> None:
    """At 320 px and 1280 px, every page of every role: no script error, no other host, and
    no page wider than the screen (the board scrolls inside its own box)."""
    scene = seed_round_today(server)
    with server.session() as s:
        make_campaign(s, _community(s, scene.community_id), name="第二期")
    origin = urlsplit(server.url).netloc
    foreign: list[str] = []
    errors: list[str] = []
    pages = {
        scene.manager_username: [
            ("office", "/office", "#hub-plans .hub-link"),
            ("campaign-new", "/campaigns/new", "#cf-name"),
            ("plan", f"/campaigns/{scene.campaign_id}/plan", "#board .slot-round"),
            ("registry", "/registry", ".reg-hh"),
            ("incidents", "/incidents", "#incident-form"),
            ("members", "/members", "#member-rows tr"),
            ("campaigns", "/campaigns", ".campaign-card"),
            ("campaign", f"/campaigns/{scene.campaign_id}", ".headline-card"),
        ],
        scene.staff_username: [
            ("schedule", "/schedule", "#today-list .task"),
            ("round", f"/rounds/{scene.round_id}", "#grid .hh"),
        ],
    }
    for username, visits in pages.items():
        context = new_context(viewport)
        context.on(
            "request",
            lambda req: (
                foreign.append(req.url)
                if urlsplit(req.url).scheme not in ("data", "blob")
                and urlsplit(req.url).netloc != origin
                else None
            ),
        )
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        log_in(page, server.url, username, PASSWORD)
        for name, path, ready in visits:
            page.goto(f"{server.url}{path}")
            expect(page.locator(ready).first).to_be_visible()
            expect(page.locator("[aria-busy=true]")).to_have_count(0)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} is {width}px wide at {size}"
            shoot(page, f"workspace-{name}-{size}")
        page.close()
    assert foreign == []
    assert errors == []


def test_the_board_by_keyboard(server: LiveServer, new_context: Any) -> None:
    """A slot's + opens the editor with Enter; Escape closes it; a round opens the same way."""
    scene = seed_round_today(server)
    page = new_context(DESKTOP).new_page()
    log_in(page, server.url, scene.manager_username, PASSWORD)
    page.goto(f"{server.url}/campaigns/{scene.campaign_id}/plan")
    add = page.locator("#board .add-slot").first
    add.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("类型")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.locator(f'#board .slot-round[data-id="{scene.round_id}"]').first.focus()
    page.keyboard.press("Enter")
    expect(dialog.get_by_label("日期")).to_be_focused()
    expect(dialog.get_by_role("button", name="取消这次走访")).to_be_visible()


def test_create_reassign_and_cancel_on_the_board(server: LiveServer, new_context: Any) -> None:
    """Rounds and events are made, given to someone else and cancelled on the board; buildings
    are chosen by code and people by name."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from app.campaigns.models import Event, EventAssignee, Round, RoundAssignee, RoundBuilding
    from app.communities.models import Building

    tz = ZoneInfo("Asia/Shanghai")
    scene = seed_round_today(server)
    with server.session() as s:
        community = _community(s, scene.community_id)
        wang = make_member(s, community, Role.staff, username="xiaowang", display_name="物业小王")
        five = make_building(s, community, code="5")
        wang_id, five_id = wang.id, five.id
    day = (datetime.now(tz).date() + timedelta(days=1)).isoformat()
    label = _label(day)
    page = new_context(DESKTOP).new_page()
    log_in(page, server.url, scene.manager_username, PASSWORD)
    page.goto(f"{server.url}/campaigns/{scene.campaign_id}/plan")

    expect(page.locator("#board .board-table")).to_be_visible()
    add = page.get_by_role("button", name=f"在{label}为物业小李安排")
    while not add.is_visible():
        page.locator("#week-next").click()
    add.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("开始").fill("14:00")
    dialog.get_by_label("结束").fill("16:00")
    dialog.get_by_label("5幢").check()
    dialog.get_by_role("button", name="保存", exact=True).click()
    expect(dialog).to_be_hidden()
    with server.session() as s:
        made = s.scalars(select(Round).where(Round.id != scene.round_id)).one()
        assert made.starts_at.astimezone(tz).isoformat().startswith(f"{day}T14:00")
        assert s.scalars(
            select(RoundBuilding.building_id).where(RoundBuilding.round_id == made.id)
        ).all() == [five_id]
        made_id = made.id

    page.locator(f'.slot-round[data-id="{made_id}"]').click()
    dialog.get_by_label("物业小李").uncheck()
    dialog.get_by_label("物业小王").check()
    dialog.get_by_role("button", name="保存", exact=True).click()
    expect(
        page.locator(f'tr[data-user="{wang_id}"] .slot-round[data-id="{made_id}"]')
    ).to_be_visible()
    with server.session() as s:
        assert s.scalars(
            select(RoundAssignee.user_id).where(RoundAssignee.round_id == made_id)
        ).all() == [wang_id]

    page.locator(f'.slot-round[data-id="{made_id}"]').click()
    cancel = dialog.get_by_role("button", name="取消这次走访")
    cancel.click()
    dialog.get_by_role("button", name="再按一次确认取消").click()
    expect(page.locator(f'.slot-round[data-id="{made_id}"]')).to_contain_text("已取消")
    with server.session() as s:
        assert str(s.get(Round, made_id).status) == "cancelled"  # type: ignore[union-attr]

    page.get_by_role("button", name=f"在{label}为陈主任安排").click()
    dialog.get_by_label("类型").select_option(label="活动")
    dialog.get_by_label("活动名称").fill("便民服务日")
    dialog.get_by_label("地点").fill("小区广场")
    dialog.get_by_label("服务项目").fill("理发、磨刀")
    dialog.get_by_label("5幢").check()
    dialog.get_by_role("button", name="保存", exact=True).click()
    event_chip = page.locator(".slot-event", has_text="便民服务日")
    expect(event_chip).to_be_visible()
    with server.session() as s:
        event = s.scalars(select(Event)).one()
        assert (event.title, event.location, event.services) == (
            "便民服务日",
            "小区广场",
            ["理发", "磨刀"],
        )
        manager_id = s.scalars(select(User.id).where(User.username == scene.manager_username)).one()
        assert s.scalars(select(EventAssignee.user_id)).all() == [manager_id]
        event_id = event.id
    shoot(page, "board-event")
    event_chip.click()
    dialog.get_by_role("button", name="取消这次活动").click()
    dialog.get_by_role("button", name="再按一次确认取消").click()
    expect(event_chip).to_contain_text("已取消")
    with server.session() as s:
        assert str(s.get(Event, event_id).status) == "cancelled"  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(Building)) == 2


def _label(day: str) -> str:
    """The board's zh-CN label of a date ("12/3周四")."""
    from datetime import date

    d = date.fromisoformat(day)
    return f"{d.month}/{d.day}周{'一二三四五六日'[d.weekday()]}"


def test_campaign_edited_on_its_plan_page(server: LiveServer, new_context: Any) -> None:
    """Dates, target and topics change in place; a bad date range is told and changes nothing."""
    from app.campaigns.models import Campaign

    scene = seed_round_today(server)
    page = new_context(PHONE).new_page()
    log_in(page, server.url, scene.manager_username, PASSWORD)
    page.goto(f"{server.url}/campaigns")
    page.get_by_role("link", name="排班 ›").first.click()
    page.wait_for_url(f"{server.url}/campaigns/{scene.campaign_id}/plan")
    page.get_by_text("活动设置（日期、目标、主题）").click()
    page.get_by_label("目标覆盖率（%）").fill("80")
    page.get_by_label("刷单返利诈骗").check()
    page.get_by_role("button", name="保存活动").click()
    expect(page.locator("#plan-dates")).to_contain_text("目标 80.0%")
    with server.session() as s:
        campaign = s.get(Campaign, scene.campaign_id)
        assert campaign is not None
        assert campaign.target_coverage == pytest.approx(0.8)
        assert "click_farming" in campaign.topics
        ends_on = campaign.ends_on
    page.get_by_label("结束日期").fill("2000-01-01")
    page.get_by_role("button", name="保存活动").click()
    expect(page.locator(".campaign-form .form-error")).to_be_visible()
    with server.session() as s:
        assert s.get(Campaign, scene.campaign_id).ends_on == ends_on  # type: ignore[union-attr]
