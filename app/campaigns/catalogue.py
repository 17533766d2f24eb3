"""The built-in, bilingual catalogue of fraud types.

Campaigns pick their topics from this list, flyers print each topic's summary and advice,
and incidents name the fraud type a resident reported. The catalogue is code, not data in
the database: every community sees the same list, and a fraud type's ``code`` is the stable
identifier that campaigns (``topics``) and incidents (``fraud_type``) store.

The texts are our own words. The Chinese is written to be read aloud to, or by, elderly
residents: short sentences, everyday words, one concrete thing to do. ``summary_*`` says how
the scam goes; ``advice_*`` says what to do about it. ``GET /api/v1/fraud-types`` serves the
catalogue in the order below, which is also the order flyers list their topics in.

Two entries go beyond the scams named in DESIGN.md: ``phishing_link`` (text messages with a
link) and ``other``, a catch-all for incidents that fit no listed type; its text is general
advice, so a campaign may also use it as a topic.

Codes are snake_case ASCII and never change once published: rename the wording freely,
never the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ANTI_FRAUD_APP_EN",
    "ANTI_FRAUD_APP_ZH",
    "ANTI_FRAUD_HOTLINE",
    "FRAUD_TYPES",
    "FRAUD_TYPE_CODES",
    "THREE_NOS_EN",
    "THREE_NOS_ZH",
    "FraudType",
    "get_fraud_type",
]

#: The three nos of every flyer.
THREE_NOS_ZH = "不听、不信、不转账"
THREE_NOS_EN = "Don't listen, don't believe, don't transfer"
#: The national anti-fraud hotline.
ANTI_FRAUD_HOTLINE = "96110"
#: The National Anti-Fraud Centre app, as residents find it in an app store.
ANTI_FRAUD_APP_ZH = "国家反诈中心 app"
ANTI_FRAUD_APP_EN = "National Anti-Fraud Centre app"

_CODE_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class FraudType:
    """One kind of scam: its stable code, names, how it goes and what to do, in both languages."""

    code: str
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str
    advice_zh: str
    advice_en: str


FRAUD_TYPES: tuple[FraudType, ...] = (
    FraudType(
        code="fake_customer_service_video",
        name_zh="冒充客服视频通话诈骗",
        name_en="Fake customer service on a video call",
        summary_zh=(
            "对方自称视频网站或购物平台的客服，用 FaceTime 等视频电话打过来，说您的会员要扣费。"
            "接着让您打开支付软件里的“百万保障”之类的功能，或者让您共享屏幕，趁机把钱转走。"
        ),
        summary_en=(
            "Someone claiming to be customer service for a video site or shopping platform "
            "calls over FaceTime and says your membership is about to be charged. They then "
            'ask you to switch on a payment app\'s "wealth protection" (百万保障) feature or '
            "to share your screen, and use it to move your money."
        ),
        advice_zh=(
            "正规客服不会打视频电话，更不会让您共享屏幕。陌生视频来电直接挂断，"
            "拿不准就打 96110，或到物业服务中心问一问。"
        ),
        advice_en=(
            "Real customer service never calls by video or asks to see your screen. Hang up "
            "on unknown video calls; if in doubt, call 96110 or ask at the service centre."
        ),
    ),
    FraudType(
        code="refund_scam",
        name_zh="购物退款、快递理赔诈骗",
        name_en="Shopping refund and lost-parcel compensation scam",
        summary_zh=(
            "对方说您买的东西有质量问题，或者快递弄丢了，要给您退款、赔钱。"
            "然后让您点链接、填银行卡号和验证码，或者先交一笔“保证金”。"
        ),
        summary_en=(
            "A caller says something you bought was faulty or your parcel was lost, and offers "
            "a refund or compensation. They then ask you to open a link and type in your bank "
            'card and a verification code, or to pay a "deposit" first.'
        ),
        advice_zh="退款、理赔只在原来的购物平台里办。不点陌生链接，验证码谁要都不给。",
        advice_en=(
            "Sort out refunds only inside the shop's own app. Don't open links from strangers, "
            "and never tell anyone a verification code."
        ),
    ),
    FraudType(
        code="credit_repair",
        name_zh="消除不良征信、注销校园贷诈骗",
        name_en="Fake credit repair or student-loan cancellation",
        summary_zh=(
            "对方自称银行或贷款平台的工作人员，说您或家里孩子上学时开过贷款账户，不注销就会影响征信。"
            "随后让您把钱转到所谓的“安全账户”，说是用来“清空额度”。"
        ),
        summary_en=(
            "Someone posing as a bank or lending platform says you, or your child, opened a "
            "student loan account years ago that will ruin your credit record unless it is "
            'closed. They then ask you to move money into a "safe account" to clear it.'
        ),
        advice_zh=(
            "征信记录谁也不能花钱改，查询只找中国人民银行。"
            "让您转账“注销账户”“修复征信”的，都是骗子。"
        ),
        advice_en=(
            "No one can change a credit record for money; check yours only with the People's "
            'Bank of China. Anyone asking for a transfer to "close an account" or "repair '
            'your credit" is a fraudster.'
        ),
    ),
    FraudType(
        code="click_farming",
        name_zh="刷单返利诈骗",
        name_en="Click-farming rebate scam",
        summary_zh=(
            "网上有人招人“在家动动手指就能赚钱”，帮商家刷单、点赞。"
            "开头真给一点小钱，等您投的钱多了，就说您操作错了，要继续充值才能提现。"
        ),
        summary_en=(
            "Online posts promise easy money from home for faking orders or likes for shops. "
            "The first small tasks really pay, but once you have put in more, they say you "
            "made a mistake and must top up again before you can withdraw anything."
        ),
        advice_zh="刷单本身就违法，所有刷单都是诈骗。不垫付一分钱；已经转了钱，马上报警。",
        advice_en=(
            "Faking orders is itself illegal, and every such job is a scam. Never pay anything "
            "up front; if you already have, call the police at once."
        ),
    ),
    FraudType(
        code="fake_investment",
        name_zh="虚假投资理财诈骗",
        name_en="Fake investment scam",
        summary_zh=(
            "骗子把您拉进炒股群、理财群，有“老师”带着买股票、基金或虚拟币，群里人人都说赚了大钱。"
            "等您在他们给的软件里投了钱，就再也取不出来。"
        ),
        summary_en=(
            'You are added to a chat group where a "teacher" tips shares, funds or crypto '
            "and the other members boast of big gains. Once you invest through the app they "
            "give you, the money can never be taken out again."
        ),
        advice_zh=(
            "正规投资不会在聊天群里拉人，也没有稳赚不赔。理财只去银行和正规证券公司，"
            "不下载陌生人发来的软件。"
        ),
        advice_en=(
            "Real investments are not sold in chat groups and never promise a sure profit. "
            "Invest only through banks and licensed brokers, and don't install apps sent by "
            "strangers."
        ),
    ),
    FraudType(
        code="fake_loan",
        name_zh="虚假网络贷款诈骗",
        name_en="Fake online loan scam",
        summary_zh=(
            "骗子打出“不用抵押、利息低、当天到账”的广告。"
            "您申请后，他们又以手续费、保证金、解冻费等名目让您一次次交钱，贷款却一直不到账。"
        ),
        summary_en=(
            "Adverts promise quick loans with no collateral and low interest. After you apply, "
            'you are asked again and again for a handling fee, a deposit or an "unfreezing '
            'fee", and the loan never arrives.'
        ),
        advice_zh="正规贷款在放款前不收任何费用。借钱请找银行或正规机构，不信陌生电话和网页。",
        advice_en=(
            "Genuine lenders charge nothing before paying out. Borrow only from banks or "
            "licensed lenders, never from strangers on the phone or online."
        ),
    ),
    FraudType(
        code="impersonating_police",
        name_zh="冒充公检法诈骗",
        name_en="Impersonating police, prosecutors or courts",
        summary_zh=(
            "对方冒充公安、检察院或法院的人，说您涉嫌洗钱等案件，还会发来假的通缉令。"
            "他们要您对家人保密，把钱转到“安全账户”接受“资金核查”。"
        ),
        summary_en=(
            "Callers pose as police, prosecutors or court staff, say you are linked to money "
            "laundering or another crime, and may send a fake arrest warrant. They tell you to "
            'keep it from your family and move your money to a "safe account" to be checked.'
        ),
        advice_zh=(
            "公检法不会打电话办案，也根本没有“安全账户”。接到这种电话马上挂断，"
            "打 110 或 96110 核实。"
        ),
        advice_en=(
            "Police and courts never handle cases over the phone, and there is no such thing "
            'as a "safe account". Hang up and call 110 or 96110 to check.'
        ),
    ),
    FraudType(
        code="impersonating_acquaintance",
        name_zh="冒充领导、熟人诈骗",
        name_en="Impersonating a boss, relative or friend",
        summary_zh=(
            "骗子用您领导、亲戚或朋友的头像和名字加您好友，说自己急需用钱，"
            "或者请您先帮忙垫付一笔钱。"
        ),
        summary_en=(
            "A fraudster copies the name and photo of your boss, a relative or a friend, adds "
            "you as a contact, and says they need money urgently or asks you to pay something "
            "for them first."
        ),
        advice_zh=(
            "只要是网上借钱、让转账，一定先打对方原来的电话或当面问清楚。"
            "现在声音和视频也能造假，不能只凭语音、视频就相信。"
        ),
        advice_en=(
            "Whenever someone asks online for money, ring them on the number you already have "
            "or ask in person first. Voices and videos can now be faked."
        ),
    ),
    FraudType(
        code="online_dating",
        name_zh="网络交友婚恋诈骗（“杀猪盘”）",
        name_en='Online romance scam ("pig butchering")',
        summary_zh=(
            "骗子在交友软件、婚恋网站上装成条件很好的人，天天和您聊天、谈感情。"
            "熟了以后就带您“投资”、赌博，或者找各种理由向您借钱。"
        ),
        summary_en=(
            "A fraudster poses as an attractive match on a dating app or site and chats with "
            'you every day. Once you trust them, they talk you into "investing" or gambling '
            "on a site they pick, or find one reason after another to borrow money."
        ),
        advice_zh="没见过面的网友跟您谈钱，就是骗局。不在对方推荐的网站或软件上投一分钱。",
        advice_en=(
            "An online friend you have never met who brings up money is running a scam. Never "
            "put money into a site or app they recommend."
        ),
    ),
    FraudType(
        code="game_trading",
        name_zh="虚假网游装备、游戏币交易诈骗",
        name_en="Fake game item and game-currency trading",
        summary_zh=(
            "骗子低价卖游戏账号、装备、游戏币，或者高价收购，引您离开正规平台私下交易，"
            "收了钱就拉黑；还有的说账户被冻结，要交钱“解冻”。"
        ),
        summary_en=(
            "Fraudsters offer cheap game accounts, items or coins, or to buy yours at a high "
            "price, then lure you off the official platform to pay privately and block you "
            'once paid. Some then claim your account is frozen and charge to "unfreeze" it.'
        ),
        advice_zh=(
            "游戏交易只在正规平台上做，不私下转账。提醒家里孩子：不乱扫二维码，"
            "不把大人的手机和支付密码交给别人。"
        ),
        advice_en=(
            "Trade game items only on the official platform and never pay privately. Remind "
            "children not to scan unknown QR codes or hand an adult's phone or payment "
            "password to anyone."
        ),
    ),
    FraudType(
        code="fake_ticketing",
        name_zh="虚假购物、服务诈骗",
        name_en="Fake shopping, ticket and service scam",
        summary_zh=(
            "骗子在网上发布低价商品、特价机票门票或代办服务，让您加私人微信付款。"
            "钱一付，对方就不见了，或者以改签、退票为由继续要钱。"
        ),
        summary_en=(
            "Fraudsters advertise cheap goods, bargain flights and tickets, or paperwork "
            "services, and ask you to pay them privately. Once paid they vanish, or ask for "
            'more to "change" or "refund" the booking.'
        ),
        advice_zh="买东西、订票只用正规平台和官方渠道，不私下转账。东西便宜得离谱，就要多留个心眼。",
        advice_en=(
            "Buy and book only through official shops and platforms and never pay privately. "
            "If a price looks too good to be true, it is."
        ),
    ),
    FraudType(
        code="health_products_elderly",
        name_zh="以养老、保健品名义诈骗老年人",
        name_en="Pension and health-product scams aimed at older people",
        summary_zh=(
            "骗子用免费体检、送鸡蛋、健康讲座把老人请去，再高价卖没有用的“保健品”，"
            "或者推销“养老项目”“以房养老”，骗走养老钱。"
        ),
        summary_en=(
            "Free health checks, gifts and health talks draw older people in; then come "
            'overpriced "health products" that do nothing, or "retirement schemes" and '
            "home-equity deals that take their savings."
        ),
        advice_zh=(
            "保健品不是药，治不了病；养老投资只认正规机构。花大钱、签合同之前，先和子女商量。"
        ),
        advice_en=(
            "Health products are not medicine and cure nothing; put retirement money only with "
            "licensed institutions. Talk to your family before paying a lot or signing anything."
        ),
    ),
    FraudType(
        code="phishing_link",
        name_zh="钓鱼短信、虚假链接诈骗",
        name_en="Phishing text messages and fake links",
        summary_zh=(
            "短信说您的 ETC 失效、医保卡要年审、有补贴可以领，让您点链接。"
            "链接打开的是假网站，您填的银行卡号、密码、验证码都会被骗子拿走。"
        ),
        summary_en=(
            "A text message says your toll tag has expired, your medical insurance card needs "
            "renewing or a subsidy is waiting, and gives a link. The link opens a fake site "
            "that hands your card number, password and codes to the fraudsters."
        ),
        advice_zh="不点短信里的陌生链接。办事请打官方电话，或者到柜台、社区问清楚。",
        advice_en=(
            "Don't open links in unexpected messages. Call the official number or ask at the "
            "counter or the community office instead."
        ),
    ),
    FraudType(
        code="other",
        name_zh="其他诈骗",
        name_en="Other scams",
        summary_zh="陌生人不管用什么理由，只要让您转账、汇款、说出验证码，都可能是诈骗。",
        summary_en=(
            "Whatever the story, a stranger who asks you to transfer money or read out a "
            "verification code may well be a fraudster."
        ),
        advice_zh="记住“不听、不信、不转账”。拿不准就打 96110，手机上装好国家反诈中心 app。",
        advice_en=(
            "Don't listen, don't believe, don't transfer. If in doubt call 96110, and install "
            "the National Anti-Fraud Centre app."
        ),
    ),
)

_BY_CODE: dict[str, FraudType] = {fraud_type.code: fraud_type for fraud_type in FRAUD_TYPES}

FRAUD_TYPE_CODES: frozenset[str] = frozenset(_BY_CODE)


def get_fraud_type(code: str) -> FraudType | None:
    """The fraud type with this code, or ``None`` when the catalogue has none."""
    return _BY_CODE.get(code)


def _check_catalogue() -> None:
    """Refuse to import a catalogue with a bad or repeated code or an empty text."""
    if len(_BY_CODE) != len(FRAUD_TYPES):
        raise ValueError("fraud-type codes must be unique")
    for fraud_type in FRAUD_TYPES:
        if not _CODE_RE.fullmatch(fraud_type.code):
            raise ValueError(f"fraud-type code {fraud_type.code!r} is not snake_case ASCII")
        texts = (
            fraud_type.name_zh,
            fraud_type.name_en,
            fraud_type.summary_zh,
            fraud_type.summary_en,
            fraud_type.advice_zh,
            fraud_type.advice_en,
        )
        if not all(text.strip() for text in texts):
            raise ValueError(f"fraud type {fraud_type.code!r} has an empty text")


_check_catalogue()
