"""Rendering without a database: the locked fetcher, escaping, page layout of the view-models."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

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


def _round(households: list[views.HouseholdFact], notes: str | None = None) -> views.RoundFact:
    return views.RoundFact(
        id=7,
        starts_at=utc_on(0, 1),
        ends_at=utc_on(0, 4),
        status="planned",
        notes=notes,
        assignees=(),
        households=tuple(households),
    )


class TestWalkSheetPages:
    def test_small_units_share_a_page_and_long_units_continue(self) -> None:
        households = [_fact(f"3-1-{f}0{r}", "1", f) for f in range(1, 31) for r in (1, 2)]
        households += [_fact(f"3-2-{f}01", "2", f) for f in range(1, 4)]
        households += [_fact(f"3-3-{f}01", "3", f) for f in range(1, 4)]
        pages = views.pack_pages(households)
        blocks = [[(b.unit, b.part, b.parts) for b in p.blocks] for p in pages]
        assert blocks == [[("1", 1, 2)], [("1", 2, 2), ("2", 1, 1), ("3", 1, 1)]]
        # a floor is never split across pages when it fits on one
        first = {r.code.split("-")[2][:-2] for r in pages[0].blocks[0].rows}
        second = {r.code.split("-")[2][:-2] for r in pages[1].blocks[0].rows}
        assert not first & second

    def test_a_page_per_unit_on_request(self) -> None:
        households = [_fact(f"3-{u}-{f}01", str(u), f) for u in (1, 2, 3) for f in (1, 2)]
        assert len(views.pack_pages(households)) == 1
        pages = views.pack_pages(households, page_per_unit=True)
        assert [[b.unit for b in p.blocks] for p in pages] == [["1"], ["2"], ["3"]]

    def test_units_sort_naturally(self) -> None:
        pages = views.pack_pages([_fact("3-10-101", "10", 1), _fact("3-2-101", "2", 1)])
        assert [b.unit for b in pages[0].blocks] == ["2", "10"]

    def test_flags_are_symbols_with_a_legend(self) -> None:
        ctx = views.build_walk_sheets(
            header=_header(),
            rounds=[_round([_fact("3-1-101", "1", 1, flags=("elderly_alone",))])],
            tz=TZ,
        )
        page = ctx.sheets[0].pages[0]
        assert page.blocks[0].rows[0].flags == "★"
        assert page.legend_flags == (("★", "独居老人 Elderly, alone"),)
        text = pdf_text(render.render_pdf("walk_sheets", ctx))
        assert text.count("独居老人") == 1  # in the legend only, never beside the door number

    def test_flags_and_notes_print_beside_their_own_household(self) -> None:
        households = [
            _fact("3-1-101", "1", 1),
            _fact("3-1-102", "1", 1, flags=("elderly_alone",)),
            _fact("3-1-103", "1", 1, last_note="狗比较凶"),
            _fact("3-1-201", "1", 2),
        ]
        ctx = views.build_walk_sheets(header=_header(), rounds=[_round(households)], tz=TZ)
        body = render.render_pdf("walk_sheets", ctx)
        page = PdfReader(io.BytesIO(body)).pages[0].extract_text(extraction_mode="layout")
        lines = {
            code: line
            for line in page.splitlines()
            for code in ("3-1-101", "3-1-102", "3-1-103", "3-1-201")
            if code in line
        }
        assert "★" in lines["3-1-102"]
        assert "★" not in lines["3-1-101"]
        assert "狗比较凶" in lines["3-1-103"]
        assert "狗比较凶" not in lines["3-1-102"]
        assert lines["3-1-101"].split()[0] == "1"
        assert lines["3-1-201"].split()[0] == "2"

    @pytest.mark.parametrize("long_code", ["3-1-102", "3-1-102-" + "甲乙丙丁戊己庚辛" * 2])
    def test_every_status_prints_on_its_households_line(self, long_code: str) -> None:
        households = [
            _fact("3-1-101", "1", 1, status="reached"),
            _fact(long_code, "1", 1, status="refused", room="102"),
            _fact("3-1-103", "1", 1, status="not_home"),
        ]
        ctx = views.build_walk_sheets(header=_header(), rounds=[_round(households)], tz=TZ)
        body = render.render_pdf("walk_sheets", ctx)
        page = PdfReader(io.BytesIO(body)).pages[0].extract_text(extraction_mode="layout")
        lines = [line for line in page.splitlines() if "3-1-10" in line]
        assert len(lines) == 3
        assert "已宣传" in lines[0]
        assert long_code in lines[1]
        assert "拒绝" in lines[1]
        assert "不在家" in lines[2]

    def test_planner_notes_are_printed_whole(self) -> None:
        notes = "先走 3 单元，" + "高层住户多在晚上在家，" * 20 + "最后一句。"
        ctx = views.build_walk_sheets(
            header=_header(), rounds=[_round([_fact("3-1-101", "1", 1)], notes=notes)], tz=TZ
        )
        flat = "".join(pdf_text(render.render_pdf("walk_sheets", ctx)).split())
        assert "最后一句。" in flat

    def test_printed_page_count_matches_the_view_model(self) -> None:
        households = [
            _fact(f"3-{u}-{f}0{r}", str(u), f)
            for u in (1, 2)
            for f in range(1, 15)
            for r in (1, 2, 3)
        ]
        ctx = views.build_walk_sheets(header=_header(), rounds=[_round(households)], tz=TZ)
        body = render.render_pdf("walk_sheets", ctx)
        assert page_count(body) == len(ctx.sheets[0].pages) == ctx.total_pages == 4


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


def test_a_render_starts_at_a_fresh_chunk_of_the_frame_stack() -> None:
    # The caller's frame is larger than a 16 KiB chunk of CPython's frame stack (2,048
    # slots), so it always opens a chunk of its own, with room for the render after it.
    code = render._on_fresh_stack_chunk.__code__
    assert code.co_nlocals + code.co_stacksize > 2048
    assert render._on_fresh_stack_chunk(divmod, 7, 2) == (3, 1)
    assert render._on_fresh_stack_chunk(int, "ff", base=16) == 255
