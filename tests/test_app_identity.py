"""The identity dialog (key i on a report) at 80×24, as an operator meets it: every field boxed and
titled, the focus plain to see, the region list ready with its best match (Enter takes it, Down goes
into the list), the focus left where the operator is after choosing, nothing typed ever lost, the
levels of divisions in Chinese."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, Label, OptionList

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens.dialogs import IdentityDialog
from nianbao.tui.screens.report import ReportScreen
from tests.helpers import sample_path
from tests.real_scoring import REAL

FIELDS = ("organ", "year", "published", "region-search", "reason")


@pytest.fixture
def report_without_region(db) -> int:
    """巨鹿县's report with its region taken away: the dialog has to find it again."""
    (result,) = import_paths(db, [sample_path("001")])
    db.execute("UPDATE reports SET region_code = NULL WHERE id = ?", [result.report_id])
    db.conn.commit()
    review.recheck(db, result.report_id)
    return result.report_id


def open_dialog(db_path, report_id: int, steps):
    """Open the report, press i, run `steps(dialog, pilot)` at 80×24 and return what it returns."""

    async def go():
        app = NianbaoApp(str(db_path))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.open_report(report_id)
            await pilot.pause()
            assert isinstance(app.screen, ReportScreen)
            await pilot.press("i")
            await pilot.pause()
            assert isinstance(app.screen, IdentityDialog)
            return await steps(app.screen, pilot)

    return asyncio.run(go())


def focused_id(dialog) -> str | None:
    return dialog.focused.id if dialog.focused else None


def options_shown(dialog) -> list[str]:
    options = dialog.query_one("#divisions", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def highlighted(dialog) -> str | None:
    options = dialog.query_one("#divisions", OptionList)
    return None if options.highlighted is None else str(options.get_option_at_index(options.highlighted).prompt)


def chosen(dialog) -> str:
    return str(dialog.query_one("#region", Label).content)


def test_every_field_is_boxed_titled_and_fits_80x24(db, db_path, report_without_region):
    async def steps(dialog, pilot):
        boxes = {name: dialog.query_one(f"#{name}", Input) for name in FIELDS}
        frame = dialog.query_one(".dialog")
        return (
            {name: box.border_title for name, box in boxes.items()},
            {name: box.styles.border_top[0] for name, box in boxes.items()},
            {name: box.region.height for name, box in boxes.items()},
            frame.region,
            all(frame.region.contains_region(box.region) for box in boxes.values()),
        )

    titles, borders, heights, frame, inside = open_dialog(db_path, report_without_region, steps)
    assert titles == {
        "organ": "机关",
        "year": "年度",
        "published": "发布日期",
        "region-search": "地区：搜索名称或代码",
        "reason": "理由（必填）",
    }
    assert all(border not in ("", "none", "hidden") for border in borders.values())
    assert set(heights.values()) == {3}  # a border above and below the line typed in
    assert inside and frame.y >= 0 and frame.bottom <= 23  # the footer's line stays free


def test_the_focused_field_stands_out_and_the_focus_moves_with_tab(db, db_path):
    (result,) = import_paths(db, [sample_path("001")])  # every field known: the dialog opens on the organ

    async def steps(dialog, pilot):
        seen = []
        for _ in range(3):
            borders = {name: dialog.query_one(f"#{name}", Input).styles.border_top for name in FIELDS}
            seen.append((focused_id(dialog), borders))
            await pilot.press("tab")
            await pilot.pause()
        return seen

    seen = open_dialog(db_path, result.report_id, steps)
    assert [focus for focus, _ in seen] == ["organ", "year", "published"]
    for focus, borders in seen:
        assert borders[focus][0] == "heavy"  # the focused box drawn heavy, in the accent colour
        others = {borders[name] for name in FIELDS if name != focus}
        assert {kind for kind, _ in others} == {"round"} and borders[focus][1] not in {c for _, c in others}


def test_the_region_list_opens_on_the_best_match_and_enter_takes_it(db, db_path, report_without_region):
    async def steps(dialog, pilot):
        opened = focused_id(dialog), dialog.query_one("#region-search", Input).value
        first = highlighted(dialog), options_shown(dialog)
        before = chosen(dialog)
        await pilot.press("enter")
        await pilot.pause()
        return opened, first, before, chosen(dialog), focused_id(dialog)

    opened, (best, shown), before, after, focus = open_dialog(db_path, report_without_region, steps)
    assert opened == ("region-search", "巨鹿县")  # the report's own words, where the region is missing
    assert best == shown[0] == "130529  河北省邢台市巨鹿县  县级"
    assert before == "地区：未定 · 报告写的是“巨鹿县”"
    assert after == "地区：130529 河北省邢台市巨鹿县 · 报告写的是“巨鹿县”"
    assert focus == "region-search"  # the focus stays where the operator is


def test_a_zone_s_report_opens_the_list_on_the_county_its_name_begins_with(db, db_path):
    """A real report of a department of 平潭综合实验区, a zone with no division code of its own: the
    list opens on 平潭县 (the operator decides, with a reason; Enter takes it)."""
    (result,) = import_paths(db, [REAL / "raw" / "104.txt"])

    async def steps(dialog, pilot):
        opened = dialog.query_one("#region-search", Input).value, highlighted(dialog)
        await pilot.press("enter")
        await pilot.pause()
        return opened, chosen(dialog)

    (search, best), after = open_dialog(db_path, result.report_id, steps)
    assert (search, best) == ("平潭综合实验区", "350128  福建省福州市平潭县  县级")
    assert after == "地区：350128 福建省福州市平潭县 · 报告写的是“平潭综合实验区”"


def test_typing_a_search_highlights_its_best_match(db, db_path, report_without_region):
    async def steps(dialog, pilot):
        search = dialog.query_one("#region-search", Input)
        search.value = ""
        await pilot.press(*"1411")
        await pilot.pause()
        by_code = highlighted(dialog), options_shown(dialog)
        search.value = ""
        await pilot.press(*"吕梁")
        await pilot.pause()
        return by_code, highlighted(dialog), options_shown(dialog)

    (code_best, code_shown), name_best, name_shown = open_dialog(db_path, report_without_region, steps)
    assert code_best == "141100  山西省吕梁市  地级" and code_shown[1] == "141102  山西省吕梁市离石区  县级"
    assert name_best == "141100  山西省吕梁市  地级"
    levels = {line.rsplit("  ", 1)[1] for line in code_shown + name_shown}
    assert levels == {"地级", "县级"}  # the levels in Chinese, never "county"


def test_down_goes_into_the_list_and_the_focus_stays_there_after_choosing(db, db_path, report_without_region):
    async def steps(dialog, pilot):
        search = dialog.query_one("#region-search", Input)
        search.value = ""
        await pilot.press(*"交口")
        await pilot.pause()
        await pilot.press("down")
        into = focused_id(dialog), highlighted(dialog)
        await pilot.press("down", "enter")
        await pilot.pause()
        return into, highlighted(dialog), chosen(dialog), focused_id(dialog)

    into, second, after, focus = open_dialog(db_path, report_without_region, steps)
    assert into == ("divisions", "141130  山西省吕梁市交口县  县级")  # in the list, on the best match
    assert after.startswith(f"地区：{second.split()[0]} ")
    assert focus == "divisions"


def test_typed_text_is_never_lost(db, db_path, report_without_region):
    """Focusing a field never selects its text, so the next key adds to it: coming back to the
    reason, to the organ, or choosing a region on the way keeps everything typed."""

    async def steps(dialog, pilot):
        await pilot.press("enter")  # choose 巨鹿县; the focus stays in the search
        await pilot.press("tab", "tab", *"标题写明")  # the list, then the reason
        await pilot.press("shift+tab", "shift+tab", "enter")  # back to the search, choose again
        await pilot.press("tab", "tab", *"巨鹿县")
        await pilot.pause()
        reason = dialog.query_one("#reason", Input).value
        dialog.query_one("#organ", Input).focus()
        await pilot.pause()
        await pilot.press(*"盖章")
        await pilot.pause()
        return reason, dialog.query_one("#organ", Input).value

    reason, organ = open_dialog(db_path, report_without_region, steps)
    assert reason == "标题写明巨鹿县"
    assert organ == "巨鹿县人民政府办公室盖章"


def test_choosing_a_region_and_a_reason_sets_it(db, db_path, report_without_region):
    async def steps(dialog, pilot):
        await pilot.press("enter", "tab", "tab", *"标题写明巨鹿县", "enter")
        await pilot.pause()
        return type(pilot.app.screen).__name__, str(pilot.app.screen.query_one("#identity").content)

    screen, banner = open_dialog(db_path, report_without_region, steps)
    assert screen == "ReportScreen" and "130529" in banner
    assert db.execute("SELECT cell, new_value, reason FROM corrections").fetchall() == [
        ("region_code", "130529", "标题写明巨鹿县")
    ]


def test_a_search_with_no_match_says_so(db, db_path, report_without_region):
    async def steps(dialog, pilot):
        search = dialog.query_one("#region-search", Input)
        search.value = ""
        await pilot.press(*"火星", "enter")
        await pilot.pause()
        return str(dialog.query_one("#error", Label).content), chosen(dialog), focused_id(dialog)

    error, region, focus = open_dialog(db_path, report_without_region, steps)
    assert error == "没有匹配“火星”的地区"
    assert region.startswith("地区：未定") and focus == "region-search"
