"""The whole day's work in the real app, key by key: import a folder, open 000, fix the blank cell
the checks flagged, approve, publish, start Datasette and query it; 003's two suggestions; the
identity dialog; a finding's Enter; help and the command palette."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import urllib.request
from pathlib import Path

import pytest
from textual.command import CommandList
from textual.widgets import DataTable, Input, OptionList

from nianbao.db import review
from nianbao.db.schema import connect
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens.dialogs import CorrectionDialog, IdentityDialog
from nianbao.tui.screens.help import HelpScreen
from nianbao.tui.screens.importing import ImportScreen
from nianbao.tui.screens.publishing import PublishScreen
from nianbao.tui.screens.queue import QueueScreen
from nianbao.tui.screens.report import ReportScreen
from nianbao.tui.widgets.report_table import ReportTable
from nianbao.tui.widgets.step_log import StepLog
from tests.helpers import SAMPLE_NAMES, sample_path


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    """A folder as an operator has it: reports/ with the five samples; the app started inside."""
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in SAMPLE_NAMES:
        shutil.copy(sample_path(name), reports)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def drive(steps, size=(140, 40), db: str = "nianbao.db"):
    async def go():
        app = NianbaoApp(db)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    return asyncio.run(go())


async def until(pilot, condition, limit: float = 600.0) -> None:
    """Until `condition()` holds. `limit` only keeps a hung app from hanging the suite: far beyond
    any machine's pace, never a speed requirement."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)
    await pilot.pause()  # let the new screen mount and lay out


async def import_folder(app, pilot, folder: str = "reports") -> None:
    await pilot.press("i")
    await until(pilot, lambda: isinstance(app.screen, ImportScreen))
    await pilot.press(*folder, "enter")
    await until(pilot, lambda: not app.screen.importing and app.screen.results)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode("utf-8")


def cell(app, table: str, path: str) -> tuple[str, str]:
    grid = app.screen.query_one(f"#grid-{table}", ReportTable)
    text = grid.get_cell_at(grid.coordinate_of(path))
    return text.plain, str(text.style)


def rules_shown(app) -> list[str]:
    table = app.screen.query_one("#findings", DataTable)
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def test_import_fix_approve_publish_serve(workspace):
    missing = "table2.normative_in_force"  # 000 leaves it blank: CELL-MISSING

    async def steps(app, pilot):
        seen = {}
        await import_folder(app, pilot)
        results = app.screen.query_one("#results", DataTable)
        assert results.row_count == 5
        results.focus()
        results.move_cursor(row=0)  # 000 is the first file
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        seen["before"] = cell(app, "table2", missing)
        seen["selected"] = app.screen.selected  # the screen opens on the first flagged cell
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        await pilot.press("5", "tab", *"第五部分写明现行有效5件", "enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.pause()
        seen["after"] = cell(app, "table2", missing)
        seen["rules"] = rules_shown(app)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape", "escape")  # the report, then the import results
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PublishScreen))
        seen["about"] = str(app.screen.query_one("#about").content)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.published is not None)
        seen["log"] = list(app.screen.query_one(StepLog).written)
        seen["where"] = str(app.screen.query_one("#where").content)
        await pilot.press("ctrl+r")
        await until(
            pilot, lambda: app.screen.server is not None and "正在服务" in str(app.screen.query_one("#where").content)
        )
        server = app.screen.server
        served = await asyncio.to_thread(fetch, f"{server.datasette_url}nianbao/reports.json?_shape=array")
        seen["served"] = json.loads(served)
        seen["site"] = await asyncio.to_thread(fetch, server.site_url)
        seen["process"] = server.process
        return seen

    seen = drive(steps)
    assert seen["before"] == ("—", "reverse red") and seen["selected"] == missing
    assert seen["after"] == ("5", "")
    assert "CELL-MISSING" not in seen["rules"]
    assert "可发布（已批准）1 份 ·" in seen["about"]
    assert seen["log"][-1].startswith("已发布 1 份报告，用时")
    assert "published/site/index.html" in seen["where"] and "published/datasette" in seen["where"]
    assert [r["organ"] for r in seen["served"]] == ["夏县人民政府办公室"]
    assert "夏县" in seen["site"]
    assert seen["process"].poll() is not None  # Datasette stopped with the app
    with connect("nianbao.db") as db:
        assert review.report_row(db, 1)["status"] == "published"
        assert db.execute("SELECT reason FROM corrections").fetchone()[0] == "第五部分写明现行有效5件"
    assert (workspace / "published" / "site" / "index.html").exists()


def test_accept_both_suggestions_of_003(workspace):
    async def steps(app, pilot):
        await import_folder(app, pilot, "reports/" + sample_path("003").name)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        screen = app.screen
        offered = dict(screen.suggestions)
        accepted = []
        for _ in offered:
            await pilot.press("n")  # to the next flagged cell that has a suggestion
            while screen.selected not in screen.suggestions:
                await pilot.press("n")
            accepted.append(screen.selected)
            await pilot.press("s")
            await pilot.pause()
        return offered, accepted, dict(screen.suggestions)

    offered, accepted, left = drive(steps)
    # 003's short row (7 cells) and 商业企业 of 结转下年度: each solved from the table's sums
    assert len(offered) == 8 and "table3.carried_forward.commercial" in offered
    assert sorted(accepted) == sorted(offered)
    assert left == {}
    with connect("nianbao.db") as db:
        values = dict(db.execute("SELECT cell, new_value FROM corrections").fetchall())
    assert {c: str(v) for c, v in values.items()} == {c: str(s["value"]) for c, s in offered.items()}


def test_identity_dialog_sets_the_region_from_a_search(workspace):
    with connect("nianbao.db") as db:
        from nianbao.db.pipeline import import_paths

        (result,) = import_paths(db, [sample_path("001")])
        db.execute("UPDATE reports SET region_code = NULL WHERE id = ?", [result.report_id])
        db.conn.commit()
        review.recheck(db, result.report_id)

    async def steps(app, pilot):
        app.open_report(1)
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        banner = str(app.screen.query_one("#identity").content)
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, IdentityDialog))
        dialog = app.screen
        search = dialog.query_one("#region-search", Input)
        prefilled = search.value
        search.value = ""
        search.focus()
        await pilot.press(*"巨鹿")
        await pilot.pause()
        options = dialog.query_one("#divisions", OptionList)
        choices = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        await pilot.press("enter")  # the best match, highlighted; the focus stays in the search
        await pilot.press("tab", "tab", *"标题写明巨鹿县", "enter")  # past the list to the reason
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.pause()
        return banner, prefilled, choices, str(app.screen.query_one("#identity").content), rules_shown(app)

    banner, prefilled, choices, after, rules = drive(steps)
    assert "IDENTITY" not in rules and "按 i 设置" in banner and "按 i 设置" not in after
    assert prefilled == "巨鹿县"
    assert choices[0].startswith("130529  河北省邢台市巨鹿县")
    assert "130529" in after
    with connect("nianbao.db") as db:
        assert db.execute("SELECT cell, new_value, reason FROM corrections").fetchall() == [
            ("region_code", "130529", "标题写明巨鹿县")
        ]


def test_enter_on_a_finding_goes_to_its_cell(workspace):
    with connect("nianbao.db") as db:
        from nianbao.db.pipeline import import_paths

        list(import_paths(db, [sample_path("003")]))

    async def steps(app, pilot):
        app.open_report(1)
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        screen = app.screen
        await pilot.press("5")  # the checks tab
        await pilot.pause()
        table = screen.query_one("#findings", DataTable)
        table.focus()
        row = next(i for i, f in enumerate(screen.findings) if f["cells"] == '["table3.unable_no_info.*"]')
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        return screen.query_one("#tabs").active, screen.selected, json.loads(screen.findings[row]["cells"])

    tab, selected, cells = drive(steps)
    assert tab == "table3"
    assert selected is not None and selected.startswith("table3.")
    assert cells == ["table3.unable_no_info.*"] and selected.startswith("table3.unable_no_info.")


def test_help_lists_every_screens_keys_and_the_palette_runs_actions(workspace):
    async def steps(app, pilot):
        await pilot.press("f1")
        await pilot.pause()
        helped = isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown").source
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Publish")
        commands = app.screen.query_one(CommandList)

        def listed() -> list[str]:
            return [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]

        # the palette searches in the background: wait for the command, however long that takes
        await until(pilot, lambda: any(line.startswith("发布 (p)") for line in listed()))
        listed = listed()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PublishScreen))
        return helped, text, listed

    helped, text, listed = drive(steps)
    assert helped
    for screen in ("首页与审核队列", "导入", "报告审核", "发布"):
        assert f"## {screen}" in text or screen in text
    for key, action in (
        ("e", "修改 | 更正所选单元格"),
        ("s", "采纳 | 采纳所选单元格的建议值"),
        ("Ctrl+s", "发布 | 发布到框里的文件夹"),
        ("Ctrl+r", "Datasette"),
    ):
        assert f"`{key}` | {action}" in text
    assert any(
        line.startswith("发布 (p) · 发布已批准的报告：网站和 Datasette · Publish the approved") for line in listed
    )
