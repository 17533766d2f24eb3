"""Rendering without a database: the locked fetcher, escaping, page layout of the view-models."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import weasyprint

from app.campaigns.catalogue import FRAUD_TYPES
from app.config import TEMPLATES_DIR
from app.documents import context as views
from app.documents import render
from app.documents.exports import neutralise
from tests.documents.conftest import HOSTILE
from tests.documents.helpers import page_count, pdf_text
from tests.factories import round_day, utc_on

TZ = ZoneInfo("Asia/Shanghai")


def _fact(code: str, unit: str, floor: int, **kw: object) -> views.HouseholdFact:
    values: dict[str, object] = {
        "id": hash(code) % 10_000,
        "code": code,
        "building_id": 1,
        "building_code": "3",
        "building_name": None,
        "unit": unit,
        "floor": floor,
        "room": code.rsplit("-", 1)[-1],
    }
    values.update(kw)
    return views.HouseholdFact(**values)  # type: ignore[arg-type]


def _header() -> views.Header:
    return views.make_header(
        community="江南星城",
        campaign="冬季反诈宣传",
        starts_on=round_day(-19),
        ends_on=round_day(41),
        generated_at=utc_on(5, 4),
        tz=TZ,
    )


class TestLockedFetcher:
    def test_serves_the_projects_fonts(self) -> None:
        fetcher = render.LockedFetcher()
        url = (TEMPLATES_DIR / "fonts" / "NotoSansSC-Regular.otf").as_uri()
        assert fetcher.fetch(url).read(4) == b"OTTO"

    @pytest.mark.parametrize(
        "url",
        [
            "file:///etc/passwd",
            (TEMPLATES_DIR / ".." / "pyproject.toml").as_uri(),
            "http://127.0.0.1:8000/healthz",
            "https://example.com/x.png",
            "ftp://example.com/x",
            "data:text/plain;base64," + "A" * 20_000,
        ],
    )
    def test_refuses_everything_else(self, url: str) -> None:
        fetcher = render.LockedFetcher()
        with pytest.raises(render.RefusedFetch):
            fetcher.fetch(url)
        assert fetcher.refused == [url]

    def test_hostile_html_in_a_document_fetches_nothing(self) -> None:
        spy = render.LockedFetcher()
        rounds = [
            views.RoundFact(
                id=1,
                starts_at=utc_on(0, 1),
                ends_at=utc_on(0, 4),
                status="planned",
                notes=HOSTILE,
                assignees=(views.Person(HOSTILE),),
                households=(_fact("3-1-101", "1", 1, last_note=HOSTILE),),
            )
        ]
        ctx = views.build_walk_sheets(header=_header(), rounds=rounds, tz=TZ)
        body = render.render_pdf("walk_sheets", ctx, url_fetcher=spy)
        assert "<img" in pdf_text(body)
        assert not spy.refused
        assert all(url.startswith(TEMPLATES_DIR.as_uri()) for url in spy.fetched), spy.fetched

    def test_markup_injected_into_html_is_still_refused(self) -> None:
        # Even if escaping were lost, the fetcher is the second lock.
        spy = render.LockedFetcher()
        html = '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/x.png"><p>x</p>'
        render.html_to_pdf(html, stylesheets=("base.css",), url_fetcher=spy)
        assert set(spy.refused) == {"file:///etc/passwd", "http://127.0.0.1:9/x.png"}


class TestWalkSheetPages:
    def test_each_unit_starts_a_page_and_long_units_continue(self) -> None:
        households = [_fact(f"3-1-{f}0{r}", "1", f) for f in range(1, 21) for r in (1, 2)]
        households += [_fact(f"3-2-{f}01", "2", f) for f in range(1, 4)]
        pages = views.group_units(households)
        assert [(p.unit, p.part, p.parts) for p in pages] == [("1", 1, 2), ("1", 2, 2), ("2", 1, 1)]
        assert all(len(p.rows) <= views.ROWS_PER_PAGE for p in pages)
        # a floor is never split across pages when it fits on one
        first_floors = {r.code.split("-")[2][:-2] for r in pages[0].rows}
        second_floors = {r.code.split("-")[2][:-2] for r in pages[1].rows}
        assert not first_floors & second_floors

    def test_units_sort_naturally(self) -> None:
        pages = views.group_units([_fact("3-10-101", "10", 1), _fact("3-2-101", "2", 1)])
        assert [p.unit for p in pages] == ["2", "10"]

    def test_printed_page_count_matches_the_view_model(self) -> None:
        households = [
            _fact(f"3-{u}-{f}0{r}", str(u), f)
            for u in (1, 2)
            for f in range(1, 15)
            for r in (1, 2, 3)
        ]
        rounds = [
            views.RoundFact(
                id=7,
                starts_at=utc_on(0, 1),
                ends_at=utc_on(0, 4),
                status="planned",
                notes=None,
                assignees=(),
                households=tuple(households),
            )
        ]
        ctx = views.build_walk_sheets(header=_header(), rounds=rounds, tz=TZ)
        body = render.render_pdf("walk_sheets", ctx)
        assert page_count(body) == len(ctx.sheets[0].pages) == 4


def _boxes(box: object) -> Iterator[object]:
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


class TestFlyerFitsOnePage:
    @pytest.mark.parametrize("size", views.FLYER_SIZES)
    @pytest.mark.parametrize("lang", ["zh", "en"])
    def test_longest_topics_never_run_into_the_footer(self, size: str, lang: str) -> None:
        longest = sorted(
            FRAUD_TYPES,
            key=lambda f: -len(getattr(f, f"summary_{lang}") + getattr(f, f"advice_{lang}")),
        )
        ctx = views.build_flyer(
            lang=lang,
            size=size,
            community="江南星城小区",
            campaign="冬季反诈宣传",  # type: ignore[arg-type]
            campaign_id=1,
            topics=[f.code for f in longest],
            building_code="12A",
            building_name="十二幢",
            grid_officer=views.Person("周晓梅", "138 0000 1234"),
            service_centre_phone="0571-8800 1234",
            address="江南大道 1888 号 服务中心一楼",
            household_codes=["12A-2-1502", "12A-2-1503"],
            public_base_url="http://x",
        )
        html = render.render_html("flyer.html", flyer=ctx)
        sheets = ("base.css", "flyer.css") + (("flyer-a4.css",) if size == "A4" else ())
        assets = render._assets()
        document = weasyprint.HTML(
            string=html,
            base_url=render.DOCUMENTS_DIR.as_uri() + "/",
            url_fetcher=render.LockedFetcher(),
        ).render(stylesheets=[assets.stylesheet(s) for s in sheets], font_config=assets.font_config)
        assert len(document.pages) == 2  # one page per copy
        for page in document.pages:
            found = {}
            for box in _boxes(page._page_box):
                element = getattr(box, "element", None)
                if element is not None and element.get("class") in ("topics", "bottom"):
                    found.setdefault(element.get("class"), box)
            topics, bottom = found["topics"], found["bottom"]
            end = max(c.position_y + c.margin_height() for c in topics.children)  # type: ignore[attr-defined]
            assert end <= bottom.position_y, (lang, size)  # type: ignore[attr-defined]


class TestNeutralise:
    @pytest.mark.parametrize("value", ["=1+2", "+1", "-1", "@A1", "\t=x", "\r=x"])
    def test_formula_starts_get_an_apostrophe(self, value: str) -> None:
        assert neutralise(value) == "'" + value

    @pytest.mark.parametrize(
        "value",
        [
            '＝HYPERLINK("http://evil.example","点我")',
            "＋1",
            "－1",
            "＠SUM(A1)",
            "﹦1+1",
            "｜cmd",
            "％1",
            "\u22121",
            " =1+1",
            "\u3000＝1+1",
            "\n=1",
        ],
    )
    def test_full_width_and_other_formula_starts_get_an_apostrophe(self, value: str) -> None:
        assert neutralise(value) == "'" + value

    @pytest.mark.parametrize("value", ["3-2-1502", "江南", 5, None, 0.5, "", "   ", "１号楼"])
    def test_other_values_unchanged(self, value: object) -> None:
        assert neutralise(value) == value  # type: ignore[arg-type]
