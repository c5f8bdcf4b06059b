"""The app, driven with Pilot: it shows what is in the database."""

from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Static

from db.pipeline import import_paths
from tests.conftest import sample_path
from tui.app import NianbaoApp


def run(app: NianbaoApp, steps):
    async def go():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    return asyncio.run(go())


def test_lists_reports_with_errors_first(db, db_path):
    list(import_paths(db, [sample_path("001"), sample_path("000")]))

    async def steps(app, pilot):
        table = app.query_one("#reports", DataTable)
        return (
            [table.get_row_at(i)[1:] for i in range(table.row_count)],
            str(app.query_one("#summary", Static).content),
        )

    rows, summary = run(NianbaoApp(str(db_path)), steps)
    assert rows == [
        ["夏县人民政府办公室", "2024", "needs_review", "1", "0"],
        ["巨鹿县人民政府办公室", "2024", "ready", "0", "0"],
    ]
    assert summary == "2 reports · 1 with errors to review"


def test_empty_database_says_how_to_start(db_path):
    async def steps(app, pilot):
        return str(app.query_one("#summary", Static).content)

    assert "nianbao import" in run(NianbaoApp(str(db_path)), steps)


def test_refresh_key_picks_up_new_imports(db, db_path):
    async def steps(app, pilot):
        list(import_paths(db, [sample_path("002")]))
        await pilot.press("r")
        return app.query_one("#reports", DataTable).row_count

    assert run(NianbaoApp(str(db_path)), steps) == 1
