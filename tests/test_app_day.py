"""A Chinese operator's day at 80×24, key by key: import a folder, review, accept every suggestion,
record a blank as printed, remove a stray copy, approve, publish. Each step's text is Chinese."""

from __future__ import annotations

import asyncio
import re
import shutil

from textual.widgets import DataTable, Log, Static

from nianbao.db import review
from nianbao.db.schema import connect
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens.dialogs import ActionDialog
from nianbao.tui.screens.importing import ImportScreen
from nianbao.tui.screens.publishing import PublishScreen
from nianbao.tui.screens.queue import QueueScreen
from nianbao.tui.screens.report import ReportScreen
from tests.app_pilot import until
from tests.helpers import SAMPLE_NAMES, NoticeRecorder, sample_path

# English a person would read: two or more words of letters (keys such as CELL-MISSING, file names
# and paths are not sentences).
ENGLISH = re.compile(r"\b[A-Za-z]{3,}\b[ ,]+\b[A-Za-z]{3,}\b")


class App(NoticeRecorder, NianbaoApp):
    pass


def rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def test_a_chinese_operators_day(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in SAMPLE_NAMES:
        shutil.copy(sample_path(name), reports)
    monkeypatch.chdir(tmp_path)
    read: list[str] = []

    async def steps(app, pilot):
        glance = app.screen.query_one("#glance", Static)
        read.append(str(glance.content))
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImportScreen))
        await pilot.press(*"reports", "enter")
        await until(pilot, lambda: not app.screen.importing and app.screen.results)
        summary = str(app.screen.query_one("#summary", Static).content)
        imported = rows(app.screen.query_one("#results", DataTable))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        queue = rows(app.screen.query_one("#queue", DataTable))
        read.append(str(glance.content))
        await pilot.press("enter")  # 交口县 first: the most errors
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        read.append(str(app.screen.query_one("#identity", Static).content))
        await pilot.press("S")  # every suggested value at once
        await pilot.pause()
        accepted = app.shown[-1][1]
        await pilot.press("a")
        await pilot.pause()
        approved = app.shown[-1][1]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("enter")  # 夏县 now first: one blank cell
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ActionDialog))
        await pilot.press(*"原文此处空白", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        blanked = app.shown[-1][1]
        await pilot.press("x")  # say it is a stray copy: removed
        await until(pilot, lambda: isinstance(app.screen, ActionDialog))
        await pilot.press(*"重复导入", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        removed = app.shown[-1][1]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        after = rows(app.screen.query_one("#queue", DataTable))
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PublishScreen))
        read.append(str(app.screen.query_one("#about", Static).content))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.published is not None)
        log = list(app.screen.query_one(Log).lines)
        return summary, imported, queue, accepted, approved, blanked, removed, after, log

    async def go():
        app = App("nianbao.db")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    summary, imported, queue, accepted, approved, blanked, removed, after, log = asyncio.run(go())
    assert read[0] == "尚无报告。按 i 导入一个报告文件夹（F1 帮助）"
    assert summary == "5 个文件：已导入 5；4 个有待审核的问题"
    assert {row[0] for row in imported} <= {"✓ 已导入", "⚠ 已导入"}
    assert [row[3] for row in queue] == ["待审核", "待审核", "待审核", "待批准", "待批准"]
    assert read[1].startswith("报告 5 份 · 待审核 3 · 待批准 2")
    assert "交口县人民政府办公室" in read[2] and "待审核" in read[2]
    assert accepted == "8 个单元格已更改 · 错误 2 → 0"
    assert approved == "已批准"
    assert blanked == "表二 行政规范性文件 · 现行有效件数：— → — · 错误 1 → 0"
    assert removed == "已移除：不再出现在队列和发布中"
    assert len(after) == 4 and "夏县" not in {row[1] for row in after}
    assert read[3].startswith("可发布（已批准）1 份")
    assert log[-1].startswith("已发布 1 份报告，用时")
    for text in [*read, summary, accepted, approved, blanked, removed, *log]:
        assert not ENGLISH.search(text), text
    with connect("nianbao.db") as db:
        statuses = [review.report_row(db, i)["status"] for i in range(1, 6)]
    assert statuses.count("published") == 1 and statuses.count("removed") == 1
