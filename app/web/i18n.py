"""Every string the web pages show, in Chinese first and English second.

Templates read them through ``t[key]``; the scripts get the same table as JSON and format
``{name}`` placeholders themselves. One table keeps both languages complete: a test checks that
every key has both.
"""

from __future__ import annotations

from typing import Literal

from app.web.i18n_office import OFFICE_STRINGS
from app.web.i18n_warnings import WARNING_STRINGS

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"

STRINGS: dict[str, tuple[str, str]] = {
    # Shell and navigation
    "list_sep": ("、", ", "),
    "comma": ("，", ", "),
    "colon": ("：", ": "),
    "app_name": ("Doorstep 反诈入户", "Doorstep"),
    "app_tagline": ("入户反诈宣传的计划与台账", "Door-to-door anti-fraud publicity"),
    "lang_switch": ("English", "中文"),
    "lang_switch_label": ("Switch to English", "切换到中文"),
    "skip_to_content": ("跳到正文", "Skip to content"),
    "main_nav": ("主导航", "Main navigation"),
    "logout": ("退出登录", "Log out"),
    "loading": ("正在加载…", "Loading…"),
    "back": ("返回", "Back"),
    "nav_schedule": ("我的任务", "My rounds"),
    "nav_walkin": ("来访登记", "Walk-ins"),
    "nav_campaigns": ("宣传活动", "Campaigns"),
    "offline": (
        "离线：记录保存在本机，联网后自动上传",
        "Offline: records stay on this phone and are sent when the connection returns",
    ),
    "pending_n": ("{n} 条记录待上传", "{n} records waiting to be sent"),
    "sending": ("正在上传…", "Sending…"),
    "send_now": ("立即上传", "Send now"),
    "all_sent": ("全部记录已上传", "Every record has been sent"),
    "retry_in": ("{s} 秒后重试", "retrying in {s} s"),
    "refused_title": ("服务器未接受的记录", "Records the server did not accept"),
    "dismiss": ("知道了", "Dismiss"),
    "session_expired": (
        "登录已过期，请重新登录（未上传的记录会保留在本机）",
        "Your login has expired: log in again (unsent records stay on this phone)",
    ),
    "login_again": ("重新登录", "Log in again"),
    "error_generic": ("出错了：{detail}", "Something went wrong: {detail}"),
    "cached_copy": ("离线副本，更新于 {time}", "Offline copy from {time}"),
    "no_access": ("您没有权限查看此页面", "You may not see this page"),
    "not_found": ("找不到该内容", "Not found"),
    # Login
    "login_title": ("登录", "Log in"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "login_button": ("登录", "Log in"),
    "login_failed": ("用户名或密码不正确", "Wrong username or password"),
    "login_throttled": ("尝试次数过多，请稍后再试", "Too many attempts: try again later"),
    "login_wait": (
        "尝试次数过多，请{wait}后再试",
        "Too many attempts: try again in {wait}",
    ),
    "wait_seconds": ("{n}秒", "{n} seconds"),
    "wait_minutes": ("{n}分钟", "{n} minutes"),
    "login_unreachable": (
        "无法连接服务器，请检查网络",
        "Cannot reach the server: check the connection",
    ),
    "login_no_community": ("此账号尚未加入任何社区", "This account belongs to no community yet"),
    # Schedule
    "schedule_title": ("我的任务", "My rounds and events"),
    "today": ("今天", "Today"),
    "upcoming": ("即将进行", "Upcoming"),
    "recent": ("最近完成", "Recent"),
    "nothing_today": ("今天没有安排", "Nothing scheduled today"),
    "nothing_upcoming": ("暂无后续安排", "Nothing upcoming"),
    "kind_round": ("入户走访", "Door-to-door round"),
    "kind_event": ("便民活动", "Service event"),
    "buildings_list": ("楼栋：{codes}", "Buildings: {codes}"),
    "open_round": ("开始走访", "Open round"),
    "open_event": ("登记到场", "Record attendance"),
    "walkin_link": ("服务中心来访登记", "Service-centre walk-ins"),
    "round_status_planned": ("未开始", "Planned"),
    "round_status_in_progress": ("进行中", "In progress"),
    "round_status_done": ("已完成", "Done"),
    "round_status_cancelled": ("已取消", "Cancelled"),
    # Round grid
    "round_title": ("入户走访", "Door-to-door round"),
    "building_n": ("{code}幢", "Building {code}"),
    "unit_n": ("{unit}单元", "Unit {unit}"),
    "floor_n": ("{floor}层", "Floor {floor}"),
    "floor_not_home": ("本层不在家", "Floor not home"),
    "floor_not_home_label": (
        "将{floor}层尚未走访的住户全部记为不在家",
        "Mark every unvisited household on floor {floor} not home",
    ),
    "unit_not_home": ("整单元不在家", "Whole unit not home"),
    "unit_not_home_label": (
        "将{unit}单元尚未走访的住户全部记为不在家",
        "Mark every unvisited household of unit {unit} not home",
    ),
    "marked_n_not_home": ("已将 {n} 户记为不在家", "{n} households marked not home"),
    "none_to_mark": (
        "没有可标记的住户（已走访的不会被覆盖）",
        "No household to mark (visited ones are left as they are)",
    ),
    "round_progress": (
        "已宣传 {reached} 户，共 {total} 户",
        "{reached} of {total} households reached",
    ),
    "round_vacant_note": ("（另有 {n} 户空置，不计入）", " ({n} vacant, not counted)"),
    "round_mark_done": ("本轮走访完成", "Mark this round done"),
    "round_done_confirm": (
        "确认本轮走访已完成？未应答的住户保持原状态。",
        "Mark this round done? Doors not yet answered keep their status.",
    ),
    "round_marked_done": ("本轮已标记为完成", "Round marked done"),
    "round_done_offline": (
        "离线时无法标记完成，请联网后再试",
        "Cannot mark done offline; try again online",
    ),
    "outside_slot_confirm": (
        "现在不在本轮的走访时间（{when}）内。仍要记录到本轮吗？",
        "This is outside the round's time ({when}). Record it on this round anyway?",
    ),
    "legend": ("图例", "Legend"),
    "walk_sheet": ("纸质走访单 (PDF)", "Paper walk sheet (PDF)"),
    "household_label": ("{code}，{status}", "{code}, {status}"),
    "pending_suffix": ("（待上传）", " (waiting to be sent)"),
    "status_unvisited": ("未走访", "Not visited"),
    "status_reached": ("已宣传", "Reached"),
    "status_refused": ("拒绝", "Refused"),
    "status_materials_left": ("留资料", "Materials left"),
    "status_not_home": ("不在家", "Not home"),
    "status_vacant": ("空置", "Vacant"),
    "status_pending": ("待上传", "Waiting to send"),
    "outcome_reached": ("已宣传", "Reached"),
    "outcome_refused": ("拒绝", "Refused"),
    "outcome_materials_left": ("留资料", "Materials left"),
    "outcome_not_home": ("不在家", "Not home"),
    "outcome_vacant": ("空置", "Vacant"),
    "outcome_question": ("走访结果（点一下即记录）", "Outcome (one tap records it)"),
    "extras": ("更多信息", "More details"),
    "extras_hint": ("先勾选，再点结果", "Tick these first, then tap the outcome"),
    "flyer_given": ("已发宣传单", "Flyer given"),
    "app_installed": ("已装国家反诈中心APP", "Anti-fraud app installed"),
    "pledge_signed": ("已签承诺书", "Pledge signed"),
    "residents_reached": ("宣传人数", "Residents reached"),
    "decrease": ("减少", "Fewer"),
    "increase": ("增加", "More"),
    "notes": ("备注", "Note"),
    "close": ("关闭", "Close"),
    "undo": ("撤销", "Undo"),
    "undone": ("已撤销", "Undone"),
    "recorded_x": ("已记录 {code}：{outcome}", "Recorded {code}: {outcome}"),
    "void_reason": ("误操作，已撤销", "Mistaken tap, undone"),
    "history": ("本机记录", "Recorded on this phone"),
    "history_none": ("本机尚无此户记录", "Nothing recorded for this household on this phone"),
    "sent": ("已上传", "Sent"),
    "waiting": ("待上传", "Waiting"),
    "voided_tag": ("已撤销", "Undone"),
    "flags": ("重点标记", "Priority flags"),
    "flag_elderly_alone": ("独居老人", "Elderly, alone"),
    "flag_previous_victim": ("曾受骗", "Previous victim"),
    "flag_non_native_speaker": ("语言不通", "Non-native speaker"),
    "flag_disabled": ("残障", "Disabled"),
    "flag_lives_alone": ("独居", "Lives alone"),
    "flag_tenant": ("租户", "Tenant"),
    "round_empty": ("此轮没有住户", "This round has no households"),
    # Events and walk-ins
    "event_title": ("便民活动到场登记", "Event attendance"),
    "walkin_title": ("服务中心来访登记", "Service-centre walk-ins"),
    "household_code": ("住户编号", "Household code"),
    "code_hint": ("楼栋-单元-房号，例如 3-2-1502", "building-unit-room, e.g. 3-2-1502"),
    "record_attendance": ("登记到场", "Record attendance"),
    "record_walkin": ("登记来访", "Record walk-in"),
    "code_unknown": ("找不到住户 {code}", "No household {code}"),
    "code_queued": (
        "已保存 {code}，联网后核对编号并上传",
        "Saved {code}: the code is checked and sent when online",
    ),
    "campaign": ("宣传活动", "Campaign"),
    "no_active_campaign": ("目前没有进行中的宣传活动", "No campaign is active now"),
    "recorded_list": ("已登记", "Recorded"),
    "recorded_none": ("今天本机还没有登记", "Nothing recorded on this phone today"),
    "location": ("地点", "Place"),
    "services": ("服务项目", "Services"),
    # Campaigns and progress
    "campaigns_title": ("宣传活动", "Campaigns"),
    "campaigns_none": ("还没有宣传活动", "No campaigns yet"),
    "campaign_status_draft": ("草稿", "Draft"),
    "campaign_status_active": ("进行中", "Active"),
    "campaign_status_closed": ("已结束", "Closed"),
    "date_range": ("{start} 至 {end}", "{start} to {end}"),
    "open_progress": ("查看进度", "See progress"),
    "progress_title": ("宣传进度", "Campaign progress"),
    "coverage": ("覆盖率", "Coverage"),
    "coverage_fraction": (
        "已宣传 {reached} 户 ÷ 应宣传 {eligible} 户",
        "{reached} reached ÷ {eligible} eligible households",
    ),
    "excluded_n": (
        "另有 {n} 户空置，不计入分母（共 {total} 户）",
        "{n} vacant households left out of the denominator ({total} in all)",
    ),
    "target_x": ("目标 {target}", "Target {target}"),
    "as_of": ("截至 {time}", "As of {time}"),
    "by_status": ("住户状态（应宣传住户）", "Status of eligible households"),
    "by_building": ("各楼栋", "By building"),
    "by_day": ("每日进度", "By day"),
    "by_channel": ("宣传渠道（已宣传户数）", "Channels (households reached)"),
    "channel_door": ("入户", "Door"),
    "channel_event": ("活动", "Event"),
    "channel_walk_in": ("来访", "Walk-in"),
    "channel_phone": ("电话", "Phone"),
    "col_building": ("楼栋", "Building"),
    "col_reached": ("已宣传", "Reached"),
    "col_eligible": ("应宣传", "Eligible"),
    "col_excluded": ("排除", "Excluded"),
    "col_coverage": ("覆盖率", "Coverage"),
    "col_date": ("日期", "Date"),
    "col_visited": ("走访户数", "Visited"),
    "col_newly_reached": ("新宣传户数", "Newly reached"),
    "col_cumulative": ("累计覆盖率", "Cumulative coverage"),
    "col_app_installs": ("装APP", "App installs"),
    "col_pledges": ("承诺书", "Pledges"),
    "col_flyers": ("宣传单", "Flyers"),
    "col_residents": ("宣传人数", "Residents reached"),
    "col_household": ("住户", "Household"),
    "col_status": ("状态", "Status"),
    # The verification sample (抽查回访): the campaign page and the phone's call-back list
    "verify_title": ("抽查回访：覆盖率核实", "Call-back check: how true is the coverage"),
    "verify_claimed": ("上报覆盖率", "Claimed coverage"),
    "verify_verified": ("核实覆盖率（95% 区间）", "Verified coverage (95% interval)"),
    "verify_range": ("{low} – {high}", "{low} – {high}"),
    "verify_sentence": (
        "回访 {decided} 户有结果（共抽取 {sampled} 户，{unreachable} 户联系不上），其中 {rate}"
        " 确认有人上门宣传；据此有 95% 的把握，真实覆盖率在 {low} 至 {high} 之间，"
        "上报为 {claimed}。",
        "Of {decided} households called back with an answer ({sampled} drawn, {unreachable}"
        " unreachable), {rate} confirmed the visit; so the true coverage is, with 95% confidence,"
        " between {low} and {high}, against {claimed} claimed.",
    ),
    "verify_none": (
        "还没有抽查回访。抽取约 {n} 户回访，误差可控制在 ±5 个百分点以内。",
        "No call-backs yet. About {n} households called back give a ±5-point interval.",
    ),
    "verify_waiting": (
        "已抽取 {sampled} 户，尚无回访结果。",
        "{sampled} households drawn; no call-back answered yet.",
    ),
    "verify_unreachable_note": (
        "联系不上的住户不计入确认率（视同与其他住户情况相同）；"
        "否认的住户只有在您作废该次走访后才不再计入覆盖率。",
        "Unreachable households are left out of the rate (taken to be like the others); a denied"
        " household stops counting only when you void its visit.",
    ),
    "verify_counts": (
        "抽取 {sampled} · 确认 {confirmed} · 否认 {denied} · 联系不上 {unreachable}"
        " · 待回访 {pending}",
        "Drawn {sampled} · confirmed {confirmed} · denied {denied} · unreachable {unreachable}"
        " · pending {pending}",
    ),
    "verify_by_recorder": ("各走访人员", "By recorder"),
    "verify_col_recorder": ("走访人员", "Recorder"),
    "verify_col_sampled": ("抽取", "Drawn"),
    "verify_col_confirmed": ("确认", "Confirmed"),
    "verify_col_denied": ("否认", "Denied"),
    "verify_col_rate": ("确认率", "Confirmed rate"),
    "verify_flag": ("否认异常多", "Unusually many denials"),
    "verify_flag_detail": (
        "{name}：{denied}/{n} 户否认；其他人员否认率 {expected}，"
        "出现这么多否认的概率 {p}，请核查。",
        "{name}: {denied} of {n} denied; the others' denial rate is {expected}, so this many"
        " denials has a probability of {p}. Please look into it.",
    ),
    "verify_unknown_recorder": ("（账号已删除）", "(account removed)"),
    "verify_draw_label": ("抽取户数", "Households to draw"),
    "verify_draw_hint": ("留空则按建议抽取 {n} 户", "Leave empty to draw the suggested {n}"),
    "verify_draw": ("抽取回访样本", "Draw a call-back sample"),
    "verify_drawn": (
        "已抽取 {n} 户，已分给未走访过这些住户的人员",
        "{n} households drawn and given to members who did not visit them",
    ),
    "verify_denied_title": ("住户否认的走访", "Visits the residents denied"),
    "verify_void": ("作废这次走访", "Void this visit"),
    "verify_voided": ("已作废", "Voided"),
    "verify_void_confirm": (
        "作废后，{code} 不再计入已宣传（记录保留）。确定吗？",
        "Once voided, {code} no longer counts as reached (the record stays). Go ahead?",
    ),
    "verify_void_reason": (
        "抽查回访时住户否认有人上门",
        "The resident denied the visit at the call-back",
    ),
    "verify_mine_title": ("抽查回访", "Call-backs"),
    "verify_mine_note": (
        "请电话或上门询问住户：最近是否有人上门宣传反诈？结果先存在本机，联网后自动上传。",
        "Ask the household by phone or at the door whether someone visited about scams lately."
        " Answers are kept on this phone and sent when online.",
    ),
    "verify_ask": ("最近有人上门宣传反诈吗？", "Did someone visit about scams recently?"),
    "verify_confirmed": ("确认有", "Yes, visited"),
    "verify_denied": ("否认", "No visit"),
    "verify_unreachable": ("联系不上", "No answer"),
    "verify_by_phone": ("电话", "Phone"),
    "verify_by_door": ("上门", "At the door"),
    "verify_status_pending": ("待回访", "To call back"),
    "verify_status_confirmed": ("已确认", "Confirmed"),
    "verify_status_denied": ("已否认", "Denied"),
    "verify_status_unreachable": ("联系不上，可再试", "No answer, try again"),
    "verify_queued": ("已保存在本机，联网后上传", "Saved on this phone; sent when online"),
    "verify_tries": ("已尝试 {n} 次", "{n} tries"),
    "chart_title": ("累计覆盖率与目标线", "Cumulative coverage against the target"),
    "chart_target": ("目标", "Target"),
    "chart_actual": ("累计覆盖率", "Cumulative coverage"),
    "no_days": ("还没有走访记录", "No visits recorded yet"),
    "extras_title": ("宣传成效", "What the visits achieved"),
    "flagged_title": ("重点住户", "Priority households"),
    "flagged_any": ("所有重点住户", "Any priority flag"),
    "revisits_title": ("回访", "Follow-up"),
    "first_not_home": ("首次不在家", "First found not home"),
    "revisited": ("已回访", "Tried again"),
    "reached_since": ("回访后宣传到", "Reached since"),
    "not_yet_revisited": ("尚未回访", "Not yet tried again"),
    "never_visited": ("从未走访", "Never visited"),
    "not_reached_title": ("尚未宣传到的住户", "Households not yet reached"),
    "not_reached_count": ("共 {n} 户", "{n} households"),
    "ledger": ("每日台账", "Daily ledger"),
    "current_status": ("当前状态：{status}", "Now: {status}"),
    "not_reached_none": ("全部住户已宣传到", "Every household has been reached"),
    "not_reached_more": ("另有 {n} 户未列出，详见报告", "{n} more: see the report"),
    "incidents_title": ("涉诈事件", "Scam reports"),
    "incidents_none": ("本活动期间没有涉诈事件", "No scam reports during this campaign"),
    "incidents_summary": (
        "共 {total} 起，劝阻成功 {dissuaded} 起；损失 {lost} 元，挽回 {prevented} 元",
        "{total} reports, {dissuaded} dissuaded; ¥{lost} lost, ¥{prevented} kept safe",
    ),
    "incident_amounts": (
        "损失 {lost} 元 · 挽回 {prevented} 元",
        "¥{lost} lost · ¥{prevented} kept safe",
    ),
    "incident_status_reported": ("已上报", "Reported"),
    "incident_status_following_up": ("跟进中", "Following up"),
    "incident_status_escalated": ("已移交", "Escalated"),
    "incident_status_resolved": ("已办结", "Resolved"),
    "downloads": ("下载", "Downloads"),
    "report_pdf": ("覆盖报告 (PDF)", "Coverage report (PDF)"),
    "coverage_xlsx": ("覆盖台账 (Excel)", "Coverage ledger (Excel)"),
    "coverage_csv": ("住户宣传状态 (CSV)", "Household statuses (CSV)"),
    "flyers_pdf": ("宣传单 中文 (PDF)", "Flyers, Chinese (PDF)"),
    "flyers_pdf_en": ("宣传单 英文 (PDF)", "Flyers, English (PDF)"),
    "walk_sheets_title": ("各轮走访单 (PDF)", "Walk sheets of each round (PDF)"),
    "walk_sheet_of": ("{when} · {codes}幢", "{when} · buildings {codes}"),
    "downloading": ("正在下载…", "Downloading…"),
    "downloaded": ("已下载 {name}", "Downloaded {name}"),
    "download_failed": ("下载失败：{detail}", "Download failed: {detail}"),
    "rounds_title": ("走访安排", "Rounds"),
    "no_rounds": ("还没有安排走访", "No rounds scheduled"),
    "report_pdf_en": ("覆盖报告 英文 (PDF)", "Coverage report, English (PDF)"),
    "ledger_pdf": ("各社区宣传台账 (PDF)", "Ledger of every community (PDF)"),
    "walk_sheets_all": ("全部走访单，一个文件 (PDF)", "All walk sheets in one file (PDF)"),
    "walk_sheets_per_unit": (
        "全部走访单，每单元一页 (PDF)",
        "All walk sheets, a page per unit (PDF)",
    ),
    "flyers_title": ("宣传单", "Flyers"),
    "flyer_building": ("楼栋", "Building"),
    "flyer_whole": ("全小区", "Whole community"),
    "flyer_lang": ("语言", "Language"),
    "flyer_lang_zh": ("中文", "Chinese"),
    "flyer_lang_en": ("英文", "English"),
    "flyer_size": ("纸张", "Paper"),
    "flyers_building_pdf": ("宣传单 (PDF)", "Flyers (PDF)"),
    "flyers_household_pdf": ("逐户宣传单，印户号 (PDF)", "A flyer per household (PDF)"),
    "flyers_household_hint": ("逐户宣传单需先选楼栋", "Pick a building for a flyer per household"),
}


STRINGS.update(OFFICE_STRINGS)
STRINGS.update(WARNING_STRINGS)


def strings_for(lang: Lang) -> dict[str, str]:
    """The whole table in one language."""
    index = LANGS.index(lang)
    return {key: pair[index] for key, pair in STRINGS.items()}


def pick_lang(query: str | None, cookie: str | None) -> Lang:
    """The page language: ``?lang=`` first, then the cookie, then Chinese."""
    for candidate in (query, cookie):
        if candidate == "en":
            return "en"
        if candidate == "zh":
            return "zh"
    return DEFAULT_LANG
