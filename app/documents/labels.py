"""The printed words of the documents, in Chinese and English.

Flyers print one language (``lang``); walk sheets and reports print Chinese first with the
English beneath or beside it, so a sheet serves a mixed team and an English-reading reviewer.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # flyer
    "flyer_kicker": ("反诈宣传", "Anti-fraud notice"),
    "flyer_title": ("守好钱袋子，谨防电信诈骗", "Keep your money safe from scams"),
    "three_nos": ("记住“三不”", "Remember the three nos"),
    "hotline": ("拿不准，打反诈专线", "Not sure? Call the anti-fraud line"),
    "install_app": ("请安装", "Install the"),
    "your_contacts": ("有事找我们", "Who to ask"),
    "grid_officer": ("本楼网格员", "Grid officer"),
    "service_centre": ("物业服务中心", "Service centre"),
    "household": ("户号", "Household"),
    "scan_hint": (
        "扫码看防骗提示；接到可疑电话，可扫码告诉社区。出示此码，我们会记下您家已了解。",
        "Scan: scam advice, or tell us of a suspicious call. Show it to us and we note that "
        "your home was told.",
    ),
    "scan_hint_building": (
        "扫码看防骗提示；接到可疑电话，可扫码告诉社区。",
        "Scan: scam advice, or tell us of a suspicious call.",
    ),
    "building": ("楼栋", "Building"),
    "advice": ("怎么办", "What to do"),
    "also": ("也要当心", "Also watch out for"),
    "community_officer": ("社区网格员", "Community officer"),
    # walk sheet
    "walk_sheet": ("入户走访登记表", "Walk sheet"),
    "round": ("走访轮次", "Round"),
    "time": ("时间", "Time"),
    "assignees": ("走访人员", "Visitors"),
    "unit": ("单元", "Unit"),
    "floor": ("楼层", "Floor"),
    "room": ("房号", "Room"),
    "code": ("户号", "Code"),
    "status_now": ("当前状态", "Status now"),
    "outcome": ("本次结果（勾选）", "Outcome (tick one)"),
    "extras_tick": ("其他", "Extras"),
    "notes": ("备注", "Notes"),
    "residents_col": ("受教育人数", "Residents"),
    "tick_flyer": ("传单", "Flyer"),
    "tick_app": ("App", "App"),
    "tick_pledge": ("承诺", "Pledge"),
    "last_note": ("上次备注", "Last note"),
    "households": ("户数", "Households"),
    "already_reached": ("已宣传", "Already reached"),
    "signature": ("走访人签字", "Visitor's signature"),
    "date": ("日期", "Date"),
    "flags": ("重点", "Priority"),
    "no_households": ("本轮没有住户", "This round has no households"),
    "page": ("第", "Page"),
    # statuses and outcomes
    "status_reached": ("已宣传", "Reached"),
    "status_refused": ("拒绝", "Refused"),
    "status_materials_left": ("留资料", "Materials left"),
    "status_not_home": ("不在家", "Not home"),
    "status_vacant": ("空置", "Vacant"),
    "status_unvisited": ("未走访", "Not visited"),
    "status_excluded": ("不计入", "Excluded"),
    # channels and extras
    "channel_door": ("入户", "Door to door"),
    "channel_event": ("便民活动", "Events"),
    "channel_walk_in": ("到访服务中心", "Walk-ins"),
    "channel_phone": ("电话", "Phone"),
    "extra_flyer_given": ("发放传单", "Flyers given"),
    "extra_app_installed": ("安装反诈App", "App installed"),
    "extra_pledge_signed": ("签订承诺书", "Pledge signed"),
    "extra_residents_reached": ("受教育人数", "Residents reached"),
    # flags
    "flag_elderly_alone": ("独居老人", "Elderly, alone"),
    "flag_previous_victim": ("曾受骗", "Previous victim"),
    "flag_non_native_speaker": ("非母语", "Non-native speaker"),
    "flag_disabled": ("残障", "Disabled"),
    "flag_lives_alone": ("独居", "Lives alone"),
    "flag_tenant": ("租户", "Tenant"),
    # report
    "report": ("反诈宣传覆盖情况报告", "Anti-fraud publicity coverage report"),
    "campaign": ("宣传活动", "Campaign"),
    "period": ("活动期间", "Period"),
    "as_of": ("数据截至", "Figures as of"),
    "generated": ("生成时间", "Generated"),
    "coverage": ("覆盖率", "Coverage"),
    "target": ("目标", "Target"),
    "reached": ("已宣传户数", "Households reached"),
    "eligible": ("应宣传户数", "Eligible households"),
    "excluded": ("不计入户数（空置）", "Excluded (vacant)"),
    "registry": ("登记总户数", "Households in registry"),
    "headline": ("总体情况", "Headline"),
    "rule": (
        "覆盖率 = 已宣传户数 ÷（登记总户数 − 空置户数）。按登记户册统计，不是按“找到的”户数。",
        "Coverage = households reached ÷ (households in the registry − vacant). Counted over "
        "the registry, never over the doors that happened to be found.",
    ),
    "by_status": ("按状态", "By status"),
    "by_building": ("各楼栋覆盖率", "Coverage by building"),
    "over_time": ("每日进度与目标", "Progress by day against the target"),
    "daily_ledger": ("每日台账", "Daily ledger"),
    "visited": ("走访户数", "Visited"),
    "newly_reached": ("新增宣传", "Newly reached"),
    "cumulative": ("累计宣传", "Cumulative"),
    "channels": ("宣传渠道", "Channels"),
    "channels_note": (
        "按渠道统计已宣传户数；一户经两种渠道宣传，两处都计。",
        "Households reached through each channel; one reached two ways counts in both.",
    ),
    "extras": ("宣传成效", "What the visits achieved"),
    "flagged": ("重点户", "Priority households"),
    "any_flag": ("所有重点户", "Any priority flag"),
    "revisits": ("回访情况", "Follow-up of households not at home"),
    "first_not_home": ("首次不在家", "First found not home"),
    "revisited": ("已回访", "Tried again"),
    "reached_since": ("回访后宣传到", "Reached since"),
    "not_yet_revisited": ("尚未回访", "Not yet tried again"),
    "never_visited": ("从未走访", "Never visited"),
    "incidents": ("涉诈警情与劝阻", "Scam reports and dissuasion"),
    "incidents_total": ("接报", "Reports"),
    "dissuaded": ("成功劝阻（未损失）", "Dissuaded (no money lost)"),
    "amount_lost": ("损失金额（元）", "Money lost (CNY)"),
    "amount_prevented": ("挽回/避免损失（元）", "Money kept safe (CNY)"),
    "fraud_type": ("诈骗类型", "Fraud type"),
    "channel": ("渠道", "Channel"),
    "summary": ("经过", "What happened"),
    "status": ("状态", "Status"),
    "no_incidents": ("活动期间无接报。", "No scam reports during the campaign."),
    "incidents_more": ("另有 {n} 起未列出。", "{n} more not listed."),
    "appendix": ("附录：尚未宣传到的住户", "Appendix: households not yet reached"),
    "appendix_note": (
        "按楼栋、单元、楼层列出应宣传但尚未宣传到的住户。标记：",
        "Eligible households not yet reached, by building, unit and floor. Marks:",
    ),
    "flagged_pending": ("其中重点户", "Priority households among them"),
    "all_reached": ("所有应宣传住户均已宣传到。", "Every eligible household has been reached."),
    "sign_off": ("审核签字", "Reviewed and signed"),
    "no_days": ("尚无走访记录。", "No visits recorded yet."),
    "of": ("/", "of"),
    # the verification sample (抽查回访)
    "verification": ("抽查回访：覆盖率核实", "Call-back check: how true the coverage is"),
    "claimed_coverage": ("上报覆盖率", "Claimed coverage"),
    "verified_coverage": ("核实覆盖率（95% 区间）", "Verified coverage (95% interval)"),
    "v_sampled": ("抽取", "Drawn"),
    "v_confirmed": ("确认", "Confirmed"),
    "v_denied": ("否认", "Denied"),
    "v_unreachable": ("联系不上", "Unreachable"),
    "v_pending": ("待回访", "Pending"),
    "v_rate": ("确认率", "Confirmed rate"),
    "v_recorder": ("走访人员", "Recorder"),
    "v_flag": ("否认异常多", "Unusually many denials"),
    "v_rule": (
        "核实覆盖率 = 确认率（确认 ÷ 确认与否认之和）的 95% Wilson 区间 × 上报覆盖率。"
        "联系不上的住户不计入确认率；否认的住户只有在社区作废该次走访后才不再计入覆盖率。",
        "Verified coverage = the 95% Wilson interval of the confirmed rate (confirmed ÷"
        " confirmed and denied) × the claimed coverage. Unreachable households are left out"
        " of the rate; a denied household stops counting only when the office voids its visit.",
    ),
    # ledger
    "ledger": ("反诈宣传台账汇总（各社区排名）", "Anti-fraud publicity ledger, communities ranked"),
    "ledger_note": (
        "覆盖率按统计区间内宣传到的户数计算。",
        "Coverage counts the households reached within the dates.",
    ),
    "rank": ("排名", "Rank"),
    "ranking": ("各社区排名", "Communities ranked by coverage"),
    "default_period": ("默认：截至今日的 30 天", "default: the 30 days up to today"),
    "community": ("社区", "Community"),
    "range": ("统计区间", "Period"),
    "app_installs": ("装App", "App installs"),
    "pledges": ("承诺书", "Pledges"),
    "flyers": ("传单", "Flyers"),
    "residents": ("受教育人数", "Residents reached"),
    "scams_dissuaded": ("劝阻", "Dissuaded"),
    "no_ledger": ("该区间内没有可见的宣传活动。", "No campaigns you can see in this period."),
    "total": ("合计", "Total"),
}


def label_for(key: str, lang: Lang = "zh") -> str:
    """One label in one language (the key itself if unknown, never an error in print)."""
    pair = _LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def labels(key: str) -> tuple[str, str]:
    """A label in Chinese and English."""
    return _LABELS.get(key, (key, key))


def all_keys() -> frozenset[str]:
    """Every known label key (tests check templates use only these)."""
    return frozenset(_LABELS)
