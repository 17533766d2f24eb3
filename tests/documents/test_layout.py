"""The documents read back from their PDFs: text inside the page, type sizes, languages, pages."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pdfplumber
import pytest

from app.campaigns.catalogue import FRAUD_TYPES
from app.coverage.schemas import CoverageRead
from app.documents import context as views
from app.documents import render
from tests.documents.helpers import page_count

TZ = ZoneInfo("Asia/Shanghai")
CODES = [f.code for f in FRAUD_TYPES]
GREY_LIMIT = 0.25
"""A character whose colour is lighter than this (0 black, 1 white) counts as grey."""


def _flyer(lang: str, size: str, first: str, officer: bool = True) -> views.FlyerContext:
    return views.build_flyer(
        lang=lang,  # type: ignore[arg-type]
        size=size,
        community="江南星城小区",
        campaign="冬季反诈宣传",
        campaign_id=1,
        topics=[first, *[c for c in CODES if c != first][:4]],
        building=views.building_label("12A", "12A幢", "幢", lang),  # type: ignore[arg-type]
        contacts=views.flyer_contacts(
            lang=lang,  # type: ignore[arg-type]
            grid_officer=views.Person("欧阳明月", "138 0013 8000") if officer else None,
            service_centre_phone="0571-8800 1234",
        ),
        address="江南大道 1888 号 物业服务中心一楼",
        household_codes=["12A-2-1502", "12A-12-2801"],
        public_base_url="https://doorstep.example",
    )


def _grey(char: dict[str, object]) -> bool:
    colour = char.get("non_stroking_color")
    if not isinstance(colour, tuple | list) or not colour:
        return False
    values = [float(v) for v in colour]
    lightness = values[0] if len(values) == 1 else sum(values[:3]) / 3
    return lightness > GREY_LIMIT and not (len(values) >= 3 and values[0] > 0.5 > values[2])


class TestFlyerOnPaper:
    @pytest.mark.parametrize("size", views.FLYER_SIZES)
    @pytest.mark.parametrize("lang", ["zh", "en"])
    @pytest.mark.parametrize("first", CODES)
    def test_text_inside_the_page_and_clear_of_the_footer(
        self, lang: str, size: str, first: str
    ) -> None:
        pdf = render.render_pdf("flyers", _flyer(lang, size, first))
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            assert len(doc.pages) == 2  # one page a copy
            for page in doc.pages:
                for c in page.chars:
                    assert c["x0"] >= 0, c["text"]
                    assert c["x1"] <= page.width, c["text"]
                    assert c["top"] >= 0, c["text"]
                    assert c["bottom"] <= page.height, c["text"]
                label = (page.search("有事找我们") or page.search("Who to ask"))[0]
                above = [c for c in page.chars if c["top"] < label["top"] - 1]
                assert max(c["bottom"] for c in above) < label["top"], (lang, size, first)
                text = page.extract_text()
                assert "12A-" in text  # the household's code, on the page

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_large_type_and_no_small_grey(self, lang: str) -> None:
        pdf = render.render_pdf("flyers", _flyer(lang, "A5", CODES[0]))
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            page = doc.pages[0]
            body = page.search(FRAUD_TYPES[0].summary_zh[:12] if lang == "zh" else "Someone")
            assert body
            sizes = {round(c["size"], 1) for c in page.chars if c["top"] >= body[0]["top"] - 1}
            assert min(c["size"] for c in page.chars) >= 10.9
            summary_chars = [
                c for c in page.chars if abs(c["top"] - body[0]["top"]) < 2 and c["text"].strip()
            ]
            assert min(c["size"] for c in summary_chars) >= 13.9, sizes
            small_grey = [c["text"] for c in page.chars if c["size"] < 10.95 and _grey(c)]
            assert not small_grey

    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_english_keeps_the_scam_story(self, lang: str) -> None:
        pdf = render.render_pdf("flyers", _flyer(lang, "A5", CODES[0]))
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            text = "".join(doc.pages[0].extract_text().split())
        fraud = FRAUD_TYPES[0]
        summary = fraud.summary_zh if lang == "zh" else fraud.summary_en
        assert "".join(summary.split())[:40] in text

    def test_someone_is_named_to_call(self) -> None:
        nobody = views.flyer_contacts(lang="zh", grid_officer=None, service_centre_phone=None)
        assert nobody == (views.FlyerContact("物业服务中心", "", None),)
        officer = views.flyer_contacts(
            lang="zh",
            grid_officer=None,
            service_centre_phone=None,
            community_officer=views.Person("周晓梅", "138 0000 1234"),
        )
        assert [(c.name, c.phone) for c in officer] == [("周晓梅", "138 0000 1234")]
        pdf = render.render_pdf("flyers", _flyer("zh", "A5", CODES[0]))
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            text = doc.pages[0].extract_text()
        assert "欧阳明月" in text
        assert "请联系服务中心" not in text


def _gray(pdf: bytes, page: int) -> bytes:
    return subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-f", str(page), "-l", str(page), "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout


class TestPerHouseholdLayer:
    @pytest.mark.parametrize(("lang", "size"), [("zh", "A5"), ("en", "A4")])
    def test_same_look_as_a_flyer_rendered_whole(self, lang: str, size: str) -> None:
        flyer = _flyer(lang, size, CODES[0])
        stacked = render.render_pdf("flyers", flyer)
        assert len(render.chunks(flyer)) == 2  # the flyer once, and the layer of codes
        alone = render.render_pdf("flyers", dataclasses.replace(flyer, copies=flyer.copies[1:]))
        assert len(render.chunks(dataclasses.replace(flyer, copies=flyer.copies[1:]))) == 1
        assert _gray(stacked, 2) == _gray(alone, 1)

    def test_the_flyer_is_stored_once(self) -> None:
        flyer = _flyer("zh", "A5", CODES[0])
        many = dataclasses.replace(flyer, copies=flyer.copies * 50)
        size = len(render.render_pdf("flyers", many))
        assert size < 12 * len(render.render_pdf("flyers", flyer))  # 100 copies, not 50 × 2


class TestBuildingNamedOnce:
    @pytest.mark.parametrize(
        ("code", "name", "word", "zh", "en"),
        [
            ("4", "4幢", "幢", "4幢", "Building 4"),
            ("1", "1栋", "栋", "1栋", "Building 1"),
            ("4", None, "栋", "4栋", "Building 4"),
            ("4", "4", "幢", "4幢", "Building 4"),
            ("12A", "12A号楼", "幢", "12A号楼", "Building 12A"),
            ("3", "锦绣楼", "幢", "3幢 锦绣楼", "Building 3 (锦绣楼)"),
            ("1", "11幢", "幢", "1幢 11幢", "Building 1 (11幢)"),
        ],
    )
    def test_label(self, code: str, name: str | None, word: str, zh: str, en: str) -> None:
        assert views.building_label(code, name, word) == zh
        assert views.building_label(code, name, word, "en") == en

    def test_the_communitys_own_word(self) -> None:
        assert views.building_word(["1栋", "2栋", None]) == "栋"
        assert views.building_word(["1幢", "2"]) == "幢"
        assert views.building_word([None]) == "幢"


def _coverage(eligible: int, reached: int) -> CoverageRead:
    today = date.today()
    return CoverageRead.model_validate(
        {
            "reached": reached,
            "eligible": eligible,
            "excluded": 0,
            "coverage": reached / eligible,
            "campaign_id": 1,
            "community_id": 1,
            "target_coverage": 0.95,
            "households": eligible,
            "as_of": datetime.now(UTC),
            "by_status": {"reached": reached, "unvisited": eligible - reached},
            "by_building": [],
            "by_channel": {"door": reached},
            "by_day": [
                {
                    "date": today,
                    "contacts": reached,
                    "visited": reached,
                    "reached": reached,
                    "newly_reached": reached,
                    "cumulative_reached": reached,
                    "cumulative_coverage": reached / eligible,
                    "app_installs": 0,
                    "pledges_signed": 0,
                    "flyers_given": 0,
                    "residents_reached": 0,
                }
            ],
            "flagged": {
                "any": {"reached": 0, "eligible": 0, "excluded": 0, "coverage": None},
                "by_flag": {},
            },
            "revisits": {
                "first_not_home": 0,
                "revisited": 0,
                "reached_since": 0,
                "not_yet_revisited": 0,
            },
            "extras": {},
            "incidents": {"total": 0, "dissuaded": 0, "amount_lost": 0, "amount_prevented": 0},
            "never_visited": eligible - reached,
        }
    )


def _households(n: int) -> list[views.HouseholdFact]:
    """``n`` households in buildings of 2 units × 18 floors × 4 rooms, some flagged."""
    facts = []
    for i in range(n):
        building, rest = divmod(i, 144)
        unit, rest = divmod(rest, 72)
        floor, room = divmod(rest, 4)
        code = f"{building + 1}-{unit + 1}-{floor + 1}0{room + 1}"
        facts.append(
            views.HouseholdFact(
                id=i + 1,
                code=code,
                building_id=building + 1,
                building_code=str(building + 1),
                building_name=f"{building + 1}幢",
                unit=str(unit + 1),
                floor=floor + 1,
                room=f"{floor + 1}0{room + 1}",
                flags=("elderly_alone",) if i % 37 == 0 else (),
                status="not_home" if i % 5 == 0 else "unvisited",
            )
        )
    return facts


def _report(lang: str, households: list[views.HouseholdFact]) -> views.ReportContext:
    today = date.today()
    return views.build_report(
        header=views.make_header(
            community="江南星城",
            campaign="冬季反诈宣传",
            starts_on=today,
            ends_on=date.fromordinal(today.toordinal() + 20),
            generated_at=datetime.now(UTC),
            tz=TZ,
        ),
        coverage=_coverage(len(households) + 10, 10),
        households=households,
        incidents=[],
        tz=TZ,
        lang=lang,  # type: ignore[arg-type]
        starts_on=today,
        ends_on=date.fromordinal(today.toordinal() + 20),
        today=today,
    )


class TestReportOnPaper:
    def test_appendix_of_732_households_takes_two_or_three_pages(self) -> None:
        households = _households(732)
        ctx = _report("zh", households)
        assert ctx.pending_total == 732
        with_appendix = page_count(render.render_pdf("report", ctx))
        without = page_count(render.render_pdf("report", _report("zh", [])))
        assert 2 <= with_appendix - without + 1 <= 3  # the "all reached" page becomes 2-3

    def test_flagged_households_are_marked_in_the_appendix(self) -> None:
        ctx = _report("zh", _households(40))
        pdf = render.render_pdf("report", ctx)
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            text = doc.pages[-1].extract_text()
        assert "101○★" in text  # the first household: not home, elderly living alone
        assert "★ 独居老人" in text

    def test_english_report_is_english(self) -> None:
        pdf = render.render_pdf("report", _report("en", _households(40)))
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            text = "\n".join(p.extract_text() for p in doc.pages)
        data = {"江南星城", "冬季反诈宣传", "幢"}
        chinese = set(re.findall(r"[\u4e00-\u9fff]+", text)) - data
        assert not chinese, chinese
        assert "Coverage" in text
        assert "Page 1 of" in text

    def test_daily_chart_runs_over_the_whole_campaign(self) -> None:
        ctx = _report("zh", _households(4))
        assert len(ctx.days) == 21  # every day of the campaign
        assert sum(1 for d in ctx.days if d.future) == 20
        assert [d.date for d in ctx.ledger_days] == [date.today().isoformat()]
