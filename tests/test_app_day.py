"""A Chinese operator's day at 80×24, key by key: import a folder (the samples, a stray copy of one
and a file that is no report), review, correct a cell, accept every suggestion, record a blank as
printed, remove the stray copy, read the audit trail and the help, approve, publish, serve. Each
step's text is Chinese."""

from __future__ import annotations

import asyncio
import re
import shutil

from textual.widgets import DataTable, Markdown, Static

from nianbao.db import review
from nianbao.db.schema import connect
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens.dialogs import ActionDialog, CorrectionDialog
from nianbao.tui.screens.help import HelpScreen
from nianbao.tui.screens.importing import ImportScreen
from nianbao.tui.screens.publishing import PublishScreen
from nianbao.tui.screens.queue import QueueScreen
from nianbao.tui.screens.report import ReportScreen
from nianbao.tui.widgets.step_log import StepLog
from tests.app_pilot import until
from tests.helpers import SAMPLE_NAMES, NoticeRecorder, sample_path

# English a person would read: two or more words of letters (keys such as CELL-MISSING, file names
# and paths are not sentences).
ENGLISH = re.compile(r"\b[A-Za-z]{3,}\b[ ,]+\b[A-Za-z]{3,}\b")
STRAY_ORGAN = "夏县人民政府"  # 000's text with its organ cut short: a second report of 夏县 2024


class App(NoticeRecorder, NianbaoApp):
    pass


def rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_from_queue(app, pilot, organ: str) -> None:
    """Back on the queue, move to the report of `organ` and press Enter."""
    await until(pilot, lambda: isinstance(app.screen, QueueScreen))
    table = app.screen.query_one("#queue", DataTable)
    table.focus()
    table.move_cursor(row=[row[6] for row in rows(table)].index(organ))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ReportScreen))


async def reason(app, pilot, dialog: type, *keys: str) -> None:
    await until(pilot, lambda: isinstance(app.screen, dialog))
    await pilot.press(*keys, "enter")
    await until(pilot, lambda: isinstance(app.screen, ReportScreen))
    await pilot.pause()


def test_a_chinese_operators_day(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    (reports / "sub").mkdir(parents=True)
    for name in SAMPLE_NAMES:
        shutil.copy(sample_path(name), reports)
    stray = sample_path("000").read_text("utf-8").replace("夏县人民政府办公室", STRAY_ORGAN)
    (reports / "sub" / "000-copy.txt").write_text(stray, "utf-8")
    (reports / "sub" / "bad.txt").write_bytes(b"\x00\x01 not a report")
    monkeypatch.chdir(tmp_path)
    read: dict[str, object] = {}

    async def steps(app, pilot):
        glance = app.screen.query_one("#glance", Static)
        read["empty"] = str(glance.content)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, ImportScreen))
        await pilot.press(*"reports", "enter")
        await until(pilot, lambda: not app.screen.importing and app.screen.results)
        read["summary"] = str(app.screen.query_one("#summary", Static).content)
        read["imported"] = rows(app.screen.query_one("#results", DataTable))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        read["queue"] = rows(app.screen.query_one("#queue", DataTable))
        read["glance"] = str(glance.content)

        await pilot.press("enter")  # 交口县 first: the most errors
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        read["header"] = str(app.screen.query_one("#identity", Static).content)
        await pilot.press("S")  # every suggested value at once
        await pilot.pause()
        read["accepted"] = app.shown[-1][1]
        await pilot.press("a")
        await pilot.pause()
        read["approved"] = app.shown[-1][1]
        await pilot.press("6")  # the audit trail
        await pilot.pause()
        read["trail"] = rows(app.screen.query_one("#audit", DataTable))
        await pilot.press("escape")

        await open_from_queue(app, pilot, "夏县人民政府办公室")  # opens on its blank cell
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        read["correct"] = str(app.screen.query_one(".title", Static).content)
        await reason(app, pilot, CorrectionDialog, *"32", "tab", *"第五部分写明现行有效32件")
        read["corrected"] = app.shown[-1][1]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")

        await open_from_queue(app, pilot, "霍城县人民政府")
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, ActionDialog))
        read["blank"] = str(app.screen.query_one(".title", Static).content)
        await reason(app, pilot, ActionDialog, *"原文此处空白")
        read["blanked"] = app.shown[-1][1]
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")

        await open_from_queue(app, pilot, STRAY_ORGAN)  # the stray copy: removed
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ActionDialog))
        read["remove"] = str(app.screen.query_one(".title", Static).content)
        await reason(app, pilot, ActionDialog, *"夏县报告的重复副本")
        read["removed"] = app.shown[-1][1]
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        read["after"] = rows(app.screen.query_one("#queue", DataTable))

        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        read["help"] = app.screen.query_one(Markdown).source
        await pilot.press("escape")

        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PublishScreen))
        read["about"] = str(app.screen.query_one("#about", Static).content)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.published is not None)
        read["log"] = list(app.screen.query_one(StepLog).written)
        read["where"] = str(app.screen.query_one("#where", Static).content)
        await pilot.press("ctrl+r")
        await until(
            pilot, lambda: app.screen.server is not None and "正在服务" in str(app.screen.query_one("#where").content)
        )
        read["serving"] = str(app.screen.query_one("#where", Static).content)

    async def go():
        app = App("nianbao.db")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await steps(app, pilot)

    asyncio.run(go())
    assert read["empty"] == "尚无报告。按 i 导入一个报告文件夹（F1 帮助）"
    assert read["summary"] == "7 个文件：已导入 6，失败 1；5 个有待审核的问题"
    statuses = {row[1]: row[0] for row in read["imported"]}
    assert statuses["sub/bad.txt"] == "✗ 失败" and statuses["sub/000-copy.txt"] == "⚠ 已导入"
    assert set(statuses.values()) == {"✓ 已导入", "⚠ 已导入", "✗ 失败"}
    assert sorted(row[3] for row in read["queue"]) == sorted(["待审核"] * 4 + ["待批准"] * 2)
    assert read["glance"].startswith("报告 6 份 · 待审核 4 · 待批准 2")
    assert "交口县人民政府办公室" in read["header"] and "待审核" in read["header"]
    assert read["accepted"] == "8 个单元格已更改 · 错误 2 → 0"
    assert read["approved"] == "已批准"
    cells_named = [row[3] for row in read["trail"] if row[2] == "更正"]
    assert len(cells_named) == 8 and all(name.startswith("表三 ") for name in cells_named)  # never table3.…
    assert {row[6] for row in read["trail"] if row[1] == "nianbao"} == {"检查后自动设定"}  # never "checks"
    assert read["correct"] == "更正 表二 行政规范性文件 · 现行有效件数（现值 —）"
    assert read["corrected"] == "表二 行政规范性文件 · 现行有效件数：— → 32 · 错误 1 → 0"
    assert read["blank"].startswith("将全部 1 个空白单元格记为“空白照录”")
    assert read["blanked"] == "表二 行政处罚：— → — · 错误 1 → 0"
    assert read["remove"].startswith("移除报告 6：")
    assert read["removed"] == "已移除：不再出现在队列和发布中"
    assert len(read["after"]) == 5 and STRAY_ORGAN not in {row[6] for row in read["after"]}
    assert "## 报告审核" in read["help"] and "| 说明 |" in read["help"]
    assert read["about"].startswith("可发布（已批准）3 份")
    assert read["log"][-1].startswith("已发布 3 份报告，用时")
    assert "网站：" in read["where"]
    assert "正在服务：" in read["serving"] and "网站 http://127.0.0.1:" in read["serving"]
    shown = [
        read[key]
        for key in ("empty", "summary", "glance", "header", "accepted", "approved", "correct", "corrected")
        + ("blank", "blanked", "remove", "removed", "help", "about", "where", "serving")
    ]
    for text in [*shown, *read["log"], *cells_named]:
        assert not ENGLISH.search(str(text)), text
    with connect("nianbao.db") as db:
        statuses = {review.report_row(db, i)["organ"]: review.report_row(db, i)["status"] for i in range(1, 7)}
    assert statuses[STRAY_ORGAN] == "removed"
    assert sorted(statuses.values()).count("published") == 3
