"""The report review screen, driven with Pilot like an operator would."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.widgets import Footer

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect
from nianbao.tui.screens.dialogs import CorrectionDialog, OverrideDialog
from nianbao.tui.screens.report import ReportScreen
from nianbao.tui.widgets.report_table import ReportTable
from nianbao.tui.widgets.source_panel import SourcePanel
from tests.helpers import sample_path


class Host(App):
    """A bare app that opens the review screen at once, as NianbaoApp does on Enter."""

    def __init__(self, db_path: str, report_id: int) -> None:
        super().__init__()
        self.db_path, self.report_id = db_path, report_id

    def on_mount(self) -> None:
        self.push_screen(ReportScreen(self.db_path, self.report_id))


def imported(db, name: str) -> int:
    return next(iter(import_paths(db, [sample_path(name)]))).report_id


def run(db_path, report_id: int, steps, size=(140, 40)):
    async def go():
        app = Host(str(db_path), report_id)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    return asyncio.run(go())


def cell_text(app, table: str, path: str) -> tuple[str, str]:
    grid = app.screen.query_one(f"#grid-{table}", ReportTable)
    text = grid.get_cell_at(grid.coordinate_of(path))
    return text.plain, str(text.style)


def panel(app) -> str:
    return str(app.screen.query_one(SourcePanel).content)


def status(db_path, report_id: int) -> str:
    with connect(db_path) as db:
        return review.report_row(db, report_id)["status"]


def test_correct_a_blank_cell_then_approve(db, db_path):
    report_id = imported(db, "000")
    path = "table2.normative_in_force"

    async def steps(app, pilot):
        before = cell_text(app, "table2", path)
        shown = panel(app)  # the screen opens on the first flagged cell
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, CorrectionDialog)
        await pilot.press("5", "tab", *"source says 5", "enter")
        await pilot.pause()
        after = cell_text(app, "table2", path)
        await pilot.press("a")
        await pilot.pause()
        return before, shown, after

    before, shown, after = run(db_path, report_id, steps)
    assert before == ("—", "reverse red")
    assert path in shown and "表二 行政规范性文件 · 现行有效件数" in shown and "单元格空缺" in shown
    assert after == ("5", "")
    with connect(db_path) as check:
        assert not [f for f in review.findings(check, report_id) if f["rule"] == "CELL-MISSING"]
        assert check.execute("SELECT reason FROM corrections").fetchone()[0] == "source says 5"
    assert status(db_path, report_id) == "approved"


def test_correction_needs_a_reason(db, db_path):
    report_id = imported(db, "000")

    async def steps(app, pilot):
        await pilot.press("e", "5", "enter", "enter")
        await pilot.pause()
        return isinstance(app.screen, CorrectionDialog)

    assert run(db_path, report_id, steps)
    with connect(db_path) as check:
        assert check.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0


def test_accept_suggestions_one_key_each(db, db_path):
    report_id = imported(db, "003")
    first = "table3.carried_forward.commercial"

    async def steps(app, pilot):
        await pilot.press("2")  # 表三
        await pilot.pause()
        grid = app.screen.query_one("#grid-table3", ReportTable)
        coordinate = grid.coordinate_of(first)
        grid.move_cursor(row=coordinate.row, column=coordinate.column)
        await pilot.pause()
        shown = cell_text(app, "table3", first)
        await pilot.press("s")
        await pilot.pause()
        with connect(db_path) as check:
            value = review.load_report(check, report_id).get(first).value
        for _ in range(10):  # then the others, each reached with n
            if not app.screen.suggestions:
                break
            await pilot.press("n", "s")
            await pilot.pause()
        return shown, value

    shown, value = run(db_path, report_id, steps)
    assert shown[0] == "— (0?)"
    assert value == 0
    with connect(db_path) as check:
        assert [f for f in review.findings(check, report_id) if f["severity"] == "error"] == []
        cells = {c["cell"] for c in check.query("SELECT cell FROM corrections")}
    assert first in cells and any(c.startswith("table3.unable_no_info.") for c in cells)


def test_approve_with_errors_needs_an_override(db, db_path):
    report_id = imported(db, "004")

    async def steps(app, pilot):
        await pilot.press("a")
        await pilot.pause()
        asked = isinstance(app.screen, OverrideDialog)
        await pilot.press("enter")  # empty: refused
        await pilot.pause()
        refused = isinstance(app.screen, OverrideDialog) and status(db_path, report_id) != "approved"
        await pilot.press(*"checked by phone", "enter")
        await pilot.pause()
        return asked, refused

    assert run(db_path, report_id, steps) == (True, True)
    assert status(db_path, report_id) == "approved"
    with connect(db_path) as check:
        reasons = [t["reason"] for t in review.audit_trail(check, report_id)]
    assert "带错误批准：checked by phone" in reasons


def test_panel_shows_the_source_line(db, db_path):
    report_id = imported(db, "003")

    async def steps(app, pilot):
        await pilot.press("2")
        await pilot.pause()
        grid = app.screen.query_one("#grid-table3", ReportTable)
        grid.move_cursor(row=0, column=1)  # 本年新收 · 自然人
        await pilot.pause()
        return panel(app)

    text = run(db_path, report_id, steps)
    with connect(db_path) as check:
        source = review.cell_source(check, report_id, "table3.new_received.natural")
    line = dict(source.excerpt)[source.source.line]
    assert "table3.new_received.natural" in text
    assert f"{source.source.line:>4} │ {line}" in text
    assert "▶" in text


def test_small_terminal_renders_with_bindings(db, db_path):
    report_id = imported(db, "003")

    async def steps(app, pilot):
        for key in ("1", "2", "3", "4", "5", "6", "p", "p", "2"):
            await pilot.press(key)
            await pilot.pause()
        screen = app.screen
        footer = screen.query_one(Footer)
        keys = {b.key for (_, b, enabled, _) in screen.active_bindings.values() if b.show}
        return isinstance(screen, ReportScreen), footer.size.height, keys, screen.has_class("-narrow")

    is_report, footer_height, keys, narrow = run(db_path, report_id, steps, size=(80, 24))
    assert is_report and footer_height == 1 and narrow
    assert {"e", "s", "a", "n", "p", "escape"} <= keys


def test_escape_goes_back(db, db_path):
    report_id = imported(db, "000")

    async def steps(app, pilot):
        await pilot.press("escape")
        await pilot.pause()
        return isinstance(app.screen, ReportScreen)

    assert run(db_path, report_id, steps) is False
