"""The import screen, driven with Pilot: a folder import, cancel and resume, and an 80×24 fit."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

from textual.app import App
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static
from textual.widgets._footer import FooterKey

from nianbao.db.pipeline import import_file
from nianbao.db.schema import connect
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens import importing
from nianbao.tui.screens.help import HelpScreen
from nianbao.tui.screens.importing import ImportScreen
from tests.conftest import SAMPLE_NAMES, distinct_copies, sample_path


class Host(App):
    """A tiny app that shows the import screen and records the reports it is asked to open."""

    def __init__(self, db_path: str, start: str) -> None:
        super().__init__()
        self.db_path, self.start, self.opened = db_path, start, []

    def on_mount(self) -> None:
        self.push_screen(ImportScreen(self.db_path, self.start))

    def open_report(self, report_id: int) -> None:
        self.opened.append(report_id)


def run(app: App, steps, size=(120, 36)):
    async def go():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    return asyncio.run(go())


async def start_import(pilot, folder: Path, typed: bool = True) -> None:
    """Put the folder's path in the path box (typed key by key, or set) and press Enter."""
    box = pilot.app.screen.query_one("#path", Input)
    box.value = "" if typed else str(folder)
    box.focus()
    if typed:
        await pilot.press(*str(folder))
    await pilot.press("enter")
    await pilot.pause()


async def wait_done(pilot, limit: float = 10.0) -> None:
    screen = pilot.app.screen
    for _ in range(int(limit / 0.05)):
        if not screen.importing:
            return
        await pilot.pause(0.05)
    raise AssertionError("the import did not finish")


def rows(app) -> list[list[str]]:
    table = app.screen.query_one("#results", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def summary(app) -> str:
    return str(app.screen.query_one("#summary", Static).content)


def count_reports(db_path: Path) -> int:
    db = connect(db_path)
    try:
        return db["reports"].count
    finally:
        db.close()


def test_imports_a_folder_with_a_bad_file(tmp_path, db_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SAMPLE_NAMES:
        shutil.copy(sample_path(name), folder)
    (folder / "bad.txt").write_bytes(b"\x00\x01binary")

    async def steps(app, pilot):
        await start_import(pilot, folder)
        await wait_done(pilot)
        table = app.screen.query_one("#results", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        return rows(app), summary(app), app.opened

    got, line, opened = run(Host(str(db_path), str(tmp_path)), steps)
    assert len(got) == 6
    failed = [r for r in got if r[0].endswith("failed")]
    assert len(failed) == 1 and failed[0][1] == "bad.txt" and "binary" in failed[0][2]  # the reason
    assert count_reports(db_path) == 5
    assert line == "6 files: 5 imported, 1 failed; 4 with findings to review"
    assert opened == [int(got[1][3])]


def test_cancel_keeps_what_was_done_and_rerun_imports_the_rest(tmp_path, db_path, monkeypatch):
    def slow_import(db, path):
        time.sleep(0.03)  # a steady pace, so that the cancel lands mid-import on any machine
        return import_file(db, path)

    monkeypatch.setattr(importing, "import_file", slow_import)
    folder = tmp_path / "many"
    distinct_copies(folder, 60, names=["002"])

    async def steps(app, pilot):
        await start_import(pilot, folder, typed=False)
        for _ in range(500):
            if app.screen.results:  # the first progress update has arrived
                break
            await pilot.pause(0.01)
        timing = str(app.screen.query_one("#timing", Static).content)
        await pilot.press("c")
        await wait_done(pilot)
        first = summary(app), count_reports(db_path)
        assert "elapsed" in timing and "left" in timing
        await start_import(pilot, folder, typed=False)
        await wait_done(pilot)
        return first, rows(app), summary(app)

    (cancelled, kept), second, line = run(Host(str(db_path), str(tmp_path)), steps)
    assert "Cancelled after" in cancelled and f"after {kept} of 60" in cancelled
    assert 0 < kept < 60
    assert count_reports(db_path) == 60
    statuses = [r[0].split()[-1] for r in second]
    assert statuses.count("unchanged") == kept and statuses.count("imported") == 60 - kept
    assert line.startswith("60 files:")


def test_fits_80_by_24_with_the_bindings_in_the_footer(tmp_path, db_path):
    async def steps(app, pilot):
        app.screen.query_one("#tree").focus()  # in the path box, printable keys type instead
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        keys = {b.key for _, b, enabled, _ in app.screen.active_bindings.values() if b.show and enabled}
        labels = " ".join(str(k.render()) for k in footer.query(FooterKey))
        return app.size, footer.region.height, keys, labels, app.screen.query_one("#results").region.height

    size, footer_height, keys, labels, table_height = run(Host(str(db_path), str(tmp_path)), steps, size=(80, 24))
    assert (size.width, size.height) == (80, 24) and footer_height == 1
    assert {"c", "p", "escape", "ctrl+s"} <= keys
    assert "取消" in labels and "导入" in labels and "返回" in labels
    assert table_height >= 5


def test_importing_200_reports_keeps_the_screen_responsive(tmp_path, db_path):
    """While 200 reports import, the progress moves, the help opens and closes, and the import
    goes on behind it."""
    folder = tmp_path / "batch"
    distinct_copies(folder, 200)

    async def steps(app, pilot):
        await pilot.press("i")  # the real app, whose F1 opens the help
        await pilot.pause()
        await start_import(pilot, folder, typed=False)
        screen = app.screen
        seen: list[float] = []  # the bar, read by a UI timer: it fires only if the loop is free
        ticker = app.set_interval(0.02, lambda: seen.append(screen.query_one("#progress", ProgressBar).progress))
        help_at = None
        while screen.importing:
            if help_at is None and screen._done >= 20:
                await pilot.press("f1")
                await pilot.pause()
                help_at = (screen._done, isinstance(app.screen, HelpScreen))
                await pilot.pause(0.3)
                await pilot.press("escape")
                await pilot.pause()
                help_at += (screen._done, app.screen is screen)
            await pilot.pause(0.02)
        ticker.stop()
        return seen, help_at, len(rows(app)), summary(app)

    seen, help_at, results, line = run(NianbaoApp(str(db_path)), steps)
    assert len(set(seen)) >= 10  # the bar moved, seen at many points along the way
    opened_at, was_help, closed_at, back = help_at
    assert was_help and back and opened_at < 200
    assert closed_at > opened_at  # the import went on while the help was open
    assert results == 200 and line.startswith("200 files: 200 imported")
