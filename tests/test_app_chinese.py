"""What a Chinese operator reads: one vocabulary for statuses, severities and rules; tables 二 and 三
laid out as printed (heading and group rows), labels whole when wide and cropped when narrow with the
full label beside; the palette found in Chinese; local times to the minute."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App

from nianbao.db import review
from nianbao.db.checks import RULES
from nianbao.db.pipeline import import_paths
from nianbao.db.vocabulary import Severity, Status, cell_name, message_zh, status_zh
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens.report import ReportScreen
from nianbao.tui.widgets.report_table import ReportTable
from nianbao.tui.widgets.source_panel import SourcePanel
from tests.helpers import NoticeRecorder, sample_path


class ReportHost(App):
    def __init__(self, db_path: str, report_id: int) -> None:
        super().__init__()
        self.db_path, self.report_id = db_path, report_id

    def on_mount(self) -> None:
        self.push_screen(ReportScreen(self.db_path, self.report_id))


def drive(app: App, steps, size):
    async def go():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    return asyncio.run(go())


def labels(grid: ReportTable) -> list[str]:
    return [str(grid.get_row_at(i)[0]) for i in range(grid.row_count)]


def test_one_chinese_name_for_each_status_severity_and_rule():
    assert [s.zh for s in Status] == ["已导入", "待审核", "待批准", "已批准", "已发布", "已移除"]
    assert len({s.zh for s in Status}) == len(Status)  # no two states share a name
    assert [s.zh for s in Severity] == ["错误", "提示"]
    assert status_zh("needs_review") == "待审核" and status_zh("something else") == "something else"
    assert all(rule.title_zh for rule in RULES.values())


def test_cell_names_as_the_form_prints_them():
    assert cell_name("table3.deny_state_secret.natural") == "表三 （三）不予公开 1.属于国家秘密 · 自然人"
    assert cell_name("table2.normative_in_force", "2021") == "表二 行政规范性文件 · 现行有效件数"
    assert cell_name("table4.review_upheld") == "表四 行政复议 · 结果维持"
    assert cell_name("region_code") == "地区代码"
    finding = {"message_zh": "table3.unable_no_info.* 空缺", "cells": '["table3.unable_no_info.*"]'}
    assert message_zh(finding) == "表三 （四）无法提供 1.本机关不掌握相关政府信息 空缺"


@pytest.mark.parametrize(("size", "whole"), [((160, 48), True), ((80, 24), False)])
def test_table3_has_its_group_rows_and_whole_labels_when_wide(db, db_path, size, whole):
    (report_id,) = [r.report_id for r in import_paths(db, [sample_path("003")])]

    async def steps(app, pilot):
        await pilot.press("2")
        await pilot.pause()
        grid = app.screen.query_one("#grid-table3", ReportTable)
        grid.move_cursor(row=labels(grid).index(next(x for x in labels(grid) if "属于国家秘密" in x)), column=1)
        await pilot.pause()
        return labels(grid), str(app.screen.query_one(SourcePanel).content)

    shown, panel = drive(ReportHost(str(db_path), report_id), steps, size)
    stripped = [label.strip() for label in shown]
    for group in ("（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"):
        assert group in stripped  # a row of its own, with no values
    deny = stripped.index("（三）不予公开")
    assert stripped[deny + 1] == "1.属于国家秘密"  # its items follow it ...
    assert shown[deny + 1].index("1") > shown[deny].index("（")  # ... indented under it
    long_label = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    assert (long_label in stripped) is whole
    assert ("（二）部分公开" in stripped) is not whole
    assert "表三 （三）不予公开 1.属于国家秘密 · 自然人" in panel  # the selected row's full name


def test_table2_is_laid_out_as_printed(db, db_path):
    (report_id,) = [r.report_id for r in import_paths(db, [sample_path("000")])]

    async def steps(app, pilot):
        grid = app.screen.query_one("#grid-table2", ReportTable)
        return [[str(c) for c in grid.get_row_at(i)] for i in range(grid.row_count)]

    rows = drive(ReportHost(str(db_path), report_id), steps, (160, 48))
    assert rows[0][:4] == ["第二十条第（一）项", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert [r[0].strip() for r in rows[1:3]] == ["规章", "行政规范性文件"]  # rows × columns
    assert rows[2][3] == "—"  # 000's blank 现行有效件数, under its column
    assert ["第二十条第（八）项", "本年收费金额（单位：万元）"] == rows[-2][:2]


def test_header_status_log_and_checks_in_chinese(db, db_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    (report_id,) = [r.report_id for r in import_paths(db, [sample_path("003")])]
    review.accept_suggestions(db, report_id, who="li")

    async def steps(app, pilot):
        header = str(app.screen.query_one("#identity").content)
        await pilot.press("5")
        await pilot.pause()
        checks = app.screen.query_one("#findings")
        findings = [[str(c) for c in checks.get_row_at(i)] for i in range(checks.row_count)]
        trail = app.screen.query_one("#audit")
        log = [[str(c) for c in trail.get_row_at(i)] for i in range(trail.row_count)]
        return header, findings, log

    header, findings, log = drive(ReportHost(str(db_path), report_id), steps, (120, 36))
    assert "待批准" in header and "ready" not in header
    assert all(row[0] in ("错误", "提示") for row in findings)
    assert log and all(len(row[0]) == len("2026-03-01 09:30") for row in log)  # local, to the minute
    assert {row[2] for row in log} <= {"更正", "状态", "空白照录"}
    assert any(row[3] == "待批准" for row in log)


def test_palette_finds_tab_commands_in_chinese(db, db_path):
    list(import_paths(db, [sample_path("003")]))

    async def steps(app, pilot):
        app.open_report(1)
        await pilot.pause()
        commands = [c.title for c in app.get_system_commands(app.screen)]
        return [c for c in commands if "检查" in c], [c for c in commands if "checks" in c]

    chinese, english = drive(NianbaoApp(str(db_path)), steps, (120, 36))
    assert chinese and chinese == english  # one command, found by either language
    assert chinese[0].startswith("检查页 (5)")


class RecordingHost(NoticeRecorder, ReportHost):
    pass


def test_bulk_keys_accept_all_blank_all_and_remove_at_80_by_24(db, db_path):
    first, second = [r.report_id for r in import_paths(db, [sample_path("003"), sample_path("000")])]

    async def accept_all(app, pilot):
        await pilot.press("S")
        await pilot.pause()
        return app.shown

    shown = drive(RecordingHost(str(db_path), first), accept_all, (80, 24))
    assert shown[-1] == ("information", "8 个单元格已更改 · 错误 2 → 0")

    async def blank_then_remove(app, pilot):
        await pilot.press("b")
        await pilot.pause()
        title = str(app.screen.query_one(".title").content)
        await pilot.press(*"原文此处空白", "enter")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"重复导入", "enter")
        await pilot.pause()
        return title, app.shown

    title, shown = drive(RecordingHost(str(db_path), second), blank_then_remove, (80, 24))
    assert title.startswith("将全部 1 个空白单元格记为“空白照录”")
    assert ("information", "表二 行政规范性文件 · 现行有效件数：— → — · 错误 1 → 0") in shown
    assert shown[-1] == ("information", "已移除：不再出现在队列和发布中")
    assert review.report_row(db, second)["status"] == "removed"
    assert review.load_report(db, second).get("table2.normative_in_force").value is None


def test_identity_of_another_report_offers_merge(db, db_path):
    keep, stray = [r.report_id for r in import_paths(db, [sample_path("003"), sample_path("001")])]
    row = review.report_row(db, keep)
    review.correct(db, stray, "region_code", row["region_code"], "同一县")

    async def steps(app, pilot):
        app.screen.action_identity()
        await pilot.pause()
        organ = app.screen.query_one("#organ")
        organ.value = row["organ"]
        app.screen.query_one("#reason").value = "同一机关"
        app.screen._submit()
        await pilot.pause()
        offered = [str(b.label) for b in app.screen.query("Button")]
        app.screen.query_one("#reason").value = "同一报告导入两次"
        await pilot.click("#merge")
        await pilot.pause()
        return offered, app.shown

    offered, shown = drive(RecordingHost(str(db_path), stray), steps, (80, 24))
    assert offered == [f"并入报告 {keep}", f"移除报告 {stray}", "取消"]
    assert shown[-1] == ("information", f"已并入报告 {keep}，本报告已移除")
    assert review.report_row(db, stray)["status"] == "removed"


def test_every_rule_is_explained_in_chinese():
    from nianbao.db.checks.explanations_zh import EXPLANATIONS_ZH

    assert set(EXPLANATIONS_ZH) == set(RULES)
    assert all(text and not text.isascii() for text in EXPLANATIONS_ZH.values())


def test_a_long_question_wraps_inside_its_dialog_at_80_columns():
    """The publish guard's question names every report that would disappear: it wraps inside the
    dialog, never cut at its edge."""
    from nianbao.tui.screens.dialogs import ConfirmDialog

    question = "网站现有 2 份报告、2 个县，这次发布只有 1 份、1 个县；将消失：交口县人民政府办公室 2024（报告 4）"

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(ConfirmDialog(question + "。\n仍要发布吗？", "仍然发布"))

    async def steps(app, pilot):
        title = app.screen.query_one(".title")
        frame = app.screen.query_one(".dialog")
        return title.region, frame.region, title.render_lines(title.region.reset_offset)

    title, frame, lines = drive(Host(), steps, (80, 24))
    assert frame.contains_region(title) and title.height >= 3
    shown = "".join(line.text.strip() for line in lines)
    assert "将消失：交口县人民政府办公室2024（报告4）" in shown.replace(" ", "")


def test_the_command_palette_speaks_chinese(db, db_path):
    """The palette's prompt and Textual's own commands (theme, quit, keys …) in Chinese, their
    English after: typing 主题 or Theme finds the theme."""
    from textual.command import CommandInput, CommandList

    from tests.app_pilot import until

    async def steps(app, pilot):
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandInput))
        prompt = app.screen.query_one(CommandInput).placeholder
        found = {}
        for typed in ("主题", "Theme"):
            app.screen.query_one(CommandInput).value = ""
            await pilot.press(*typed)
            await until(pilot, lambda: app.screen.query_one(CommandList).option_count > 0)
            found[typed] = str(app.screen.query_one(CommandList).get_option_at_index(0).prompt)
        return prompt, found

    prompt, found = drive(NianbaoApp(str(db_path)), steps, (80, 24))
    assert prompt == "搜索命令（中文或英文）…"
    assert found["主题"].startswith("主题 · Theme") and found["Theme"].startswith("主题 · Theme")
    assert "更换配色" in found["主题"]
