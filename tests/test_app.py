"""The app's home: the database at a glance and the review queue, driven with Pilot."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Select, Static

from nianbao.db.pipeline import import_paths
from nianbao.tui.app import NianbaoApp
from tests.helpers import SAMPLE_NAMES, sample_path


def run(app: NianbaoApp, steps, size=(120, 36)):
    async def go():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    return asyncio.run(go())


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#queue", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]  # cells are Text


def test_queue_puts_errors_first_and_glance_counts(db, db_path):
    list(import_paths(db, [sample_path(n) for n in SAMPLE_NAMES]))

    async def steps(app, pilot):
        return rows(app), str(app.screen.query_one("#glance", Static).content)

    got, glance = run(NianbaoApp(str(db_path)), steps)
    assert [r[1] for r in got] == ["交口县", "夏县", "霍城县", "温县", "巨鹿县"]
    assert got[0][1:6] == ["交口县", "2024", "待审核", "2", "0"] and got[0][-1] == "CELL-MISSING"
    assert glance.startswith("报告 5 份 · 待审核 3 · 待批准 2 · 错误 4 · 提示 1")
    assert "上次发布 —" in glance


def test_filter_by_rule(db, db_path):
    list(import_paths(db, [sample_path(n) for n in SAMPLE_NAMES]))

    async def steps(app, pilot):
        app.screen.query_one("#rule", Select).value = "NARRATIVE-MATCH"
        await pilot.pause()
        return rows(app)

    assert [r[1] for r in run(NianbaoApp(str(db_path)), steps)] == ["温县"]


def test_empty_database_says_how_to_start(db_path):
    async def steps(app, pilot):
        return str(app.screen.query_one("#glance", Static).content)

    assert "按 i 导入" in run(NianbaoApp(str(db_path)), steps)


def test_refresh_key_picks_up_new_imports(db, db_path):
    async def steps(app, pilot):
        list(import_paths(db, [sample_path("002")]))
        await pilot.press("r")
        return len(rows(app))

    assert run(NianbaoApp(str(db_path)), steps) == 1


def test_fits_80_by_24(db, db_path):
    list(import_paths(db, [sample_path("003")]))

    async def steps(app, pilot):
        return app.screen.query_one("#queue", DataTable).row_count, app.size

    count, size = run(NianbaoApp(str(db_path)), steps, size=(80, 24))
    assert count == 1 and (size.width, size.height) == (80, 24)


def test_enter_opens_the_report_and_coming_back_refreshes(db, db_path):
    list(import_paths(db, [sample_path("003"), sample_path("001")]))

    async def steps(app, pilot):
        from nianbao.tui.screens.report import ReportScreen

        await pilot.press("enter")  # the first row: 交口县, the report with errors
        await pilot.pause()
        opened = isinstance(app.screen, ReportScreen) and app.screen.report_id
        for _ in range(8):  # accept every suggested value, one key each
            await pilot.press("s")
            await pilot.pause()
            await pilot.press("n")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        return opened, rows(app)

    opened, after = run(NianbaoApp(str(db_path)), steps)
    assert opened == 1
    assert [(r[1], r[3], r[4]) for r in after] == [("交口县", "待批准", "0"), ("巨鹿县", "待批准", "0")]


def test_i_opens_the_import_screen(db_path):
    async def steps(app, pilot):
        from nianbao.tui.screens.importing import ImportScreen

        await pilot.press("i")
        await pilot.pause()
        return isinstance(app.screen, ImportScreen)

    assert run(NianbaoApp(str(db_path)), steps)
