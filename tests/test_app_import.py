"""The import screen, driven with Pilot: a folder import, cancel and resume, an 80×24 fit, and a PDF
batch parsed by two worker processes (cancelled too)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer, ProgressBar, Static
from textual.widgets._footer import FooterKey

from nianbao.db import pipeline
from nianbao.db.pipeline import import_file, parse_file
from nianbao.db.schema import connect
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens.help import HelpScreen
from tests.app_pilot import Gate, Host, run, start_import, until, wait_done
from tests.forms.pdf import render
from tests.helpers import SAMPLE_NAMES, distinct_copies, sample_path
from tests.worker_faults import plant


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
    failed = [r for r in got if r[0].endswith("失败")]
    assert len(failed) == 1 and failed[0][1] == "bad.txt" and "二进制数据" in failed[0][2]  # the reason
    assert count_reports(db_path) == 5
    assert line == "6 个文件：已导入 5，失败 1；4 个有待审核的问题"
    assert opened == [int(got[1][3])]


def test_cancel_keeps_what_was_done_and_rerun_imports_the_rest(tmp_path, db_path, monkeypatch):
    gate = Gate(import_file, at=5)  # the 5th file is in hand when the operator presses c
    monkeypatch.setattr(pipeline, "import_file", gate)
    folder = tmp_path / "many"
    distinct_copies(folder, 60, names=["002"])

    async def steps(app, pilot):
        await start_import(pilot, folder, typed=False)
        try:
            await until(pilot, lambda: gate.holding.is_set() and len(app.screen.results) == 4)
            timing = str(app.screen.query_one("#timing", Static).content)
            await pilot.press("c")
        finally:
            gate.released.set()
        await wait_done(pilot)
        first = summary(app), count_reports(db_path)
        assert "用时" in timing and "约剩" in timing
        await start_import(pilot, folder, typed=False)
        await wait_done(pilot)
        return first, rows(app), summary(app)

    (cancelled, kept), second, line = run(Host(str(db_path), str(tmp_path)), steps)
    assert "已取消：完成 5/60 个文件" in cancelled  # the file in hand is finished, no other begun
    assert kept == 5
    assert count_reports(db_path) == 60
    statuses = [r[0].split()[-1] for r in second]
    assert statuses.count("未变") == kept and statuses.count("已导入") == 60 - kept
    assert line.startswith("60 个文件：")


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


def test_importing_200_reports_keeps_the_screen_responsive(tmp_path, db_path, monkeypatch):
    """The import runs in a worker thread. Held at its 21st file (so the test needs no guess of the
    machine's pace), the screen shows 20 of 200 done and answers keys: the help opens and closes
    while the import waits behind it. Released, it goes on to 200 of 200."""
    gate = Gate(import_file, at=21)
    monkeypatch.setattr(pipeline, "import_file", gate)
    folder = tmp_path / "batch"
    distinct_copies(folder, 200)

    async def steps(app, pilot):
        await pilot.press("i")  # the real app, whose F1 opens the help
        await pilot.pause()
        await start_import(pilot, folder, typed=False)
        screen = app.screen
        bar = screen.query_one("#progress", ProgressBar)
        try:
            await until(pilot, lambda: gate.holding.is_set() and screen._done == 20)
            midway = (bar.progress, bar.total)
            await pilot.press("f1")
            await pilot.pause()
            help_shown = isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
            back = app.screen is screen and screen.importing
        finally:
            gate.released.set()
        await wait_done(pilot)
        return midway, help_shown, back, (bar.progress, bar.total), len(rows(app)), summary(app)

    midway, help_shown, back, end, results, line = run(NianbaoApp(str(db_path)), steps)
    assert threading.main_thread() not in gate.threads and len(gate.threads) == 1  # one worker thread
    assert midway == (20, 200)
    assert help_shown and back  # the screen answered F1 and Escape while the import was under way
    assert end == (200, 200) and results == 200 and line.startswith("200 个文件：已导入 200")


# --- Worker processes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_batch(tmp_path_factory) -> Path:
    """The five samples as PDFs (tests/forms/pdf.py), where worker processes pay."""
    folder = tmp_path_factory.mktemp("pdfs")
    for name in SAMPLE_NAMES:
        render(parse_file(sample_path(name)), folder / f"{name}.pdf")
    return folder


def test_a_pdf_batch_is_parsed_by_two_worker_processes(tmp_path, db_path, pdf_batch, monkeypatch):
    """The app's default, as the CLI's: one parse process per core when the batch has PDFs (two
    cores here, whatever the machine); a bug on one file fails it alone, its traceback carried
    back from the worker process to the log."""
    folder = tmp_path / "in"
    shutil.copytree(pdf_batch, folder)
    shutil.copy(pdf_batch / f"{SAMPLE_NAMES[0]}.pdf", folder / "boom.pdf")
    (folder / "boom.pdf").write_bytes((folder / "boom.pdf").read_bytes() + b"\n")  # a distinct file
    plant(monkeypatch, tmp_path / "site")
    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    async def steps(app, pilot):
        await start_import(pilot, folder, typed=False)
        await wait_done(pilot)
        return app.screen.parse_workers, str(app.screen.query_one("#timing", Static).content), rows(app), summary(app)

    workers, timing, got, line = run(Host(str(db_path), str(tmp_path)), steps)
    assert workers == 2 and timing.endswith(" · 2 个解析进程")
    assert line == "6 个文件：已导入 5，失败 1；4 个有待审核的问题"
    assert [r[1] for r in got if r[0].endswith("失败")] == ["boom.pdf"]
    assert "in parse_read" in Path(f"{db_path}.errors.log").read_text()  # the worker's traceback
    assert count_reports(db_path) == 5


def test_cancel_with_worker_processes_keeps_what_was_done(tmp_path, db_path, pdf_batch, monkeypatch):
    """Cancelled at its 3rd file while two workers parse ahead: the file in hand is finished, the
    workers are stopped, nothing else is stored, and the import ends as cancelled (not broken)."""
    folder = tmp_path / "in"
    shutil.copytree(pdf_batch, folder)
    distinct_copies(folder, 5)  # other counties than the PDFs': ten distinct reports
    gate = Gate(import_file, at=3)
    monkeypatch.setattr(pipeline, "import_file", gate)

    async def steps(app, pilot):
        await start_import(pilot, folder, typed=False)
        try:
            await until(pilot, lambda: gate.holding.is_set())
            await pilot.press("c")
        finally:
            gate.released.set()
        await wait_done(pilot)
        return app.screen.parse_workers, summary(app)

    workers, line = run(Host(str(db_path), str(tmp_path), processes=2), steps)
    assert workers == 2
    assert line.startswith("已取消：完成 3/10 个文件 · 3 个文件：")
    assert count_reports(db_path) == 3


@pytest.mark.parametrize("processes", [1, 2], ids=["this-process", "two-workers"])
def test_the_pages_of_a_long_pdf_show_while_it_is_in_hand(tmp_path, db_path, monkeypatch, processes):
    """A 26-page PDF (a page break after every row of table 三), held once imported: the line of
    the file in hand ends with its last page, "第 26/26 页", from this process or a worker's."""
    folder = tmp_path / "in"
    folder.mkdir()
    render(parse_file(sample_path(SAMPLE_NAMES[1])), folder / "a_long.pdf", rows_per_page=1)
    shutil.copy(sample_path(SAMPLE_NAMES[0]), folder)
    gate = Gate(import_file, at=2, after=True)  # the PDF comes second (000_….txt, a_long.pdf)
    monkeypatch.setattr(pipeline, "import_file", gate)

    async def steps(app, pilot):
        line = app.screen.query_one("#in-hand", Static)
        await start_import(pilot, folder, typed=False)
        try:
            await until(pilot, lambda: "第 26/26 页" in str(line.content))
            shown = str(line.content)
        finally:
            gate.released.set()
        await wait_done(pilot)
        return shown, summary(app)

    shown, done = run(Host(str(db_path), str(tmp_path), processes=processes), steps)
    assert shown == "2/2 a_long.pdf · 第 26/26 页"
    assert done.startswith("2 个文件：已导入 2")
