"""One database, three users at once: the app open on it (refreshing the queue, opening a report,
accepting suggested values), `nianbao import` of a 120-file batch, and `nianbao publish` run again
and again. No "database is locked" reaches anyone, and at the end the counts agree everywhere."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect
from nianbao.publish import database
from nianbao.publish.run import publish
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens.report import ReportScreen
from tests.helpers import NoticeRecorder, distinct_copies, sample_path

BATCH = 120


class RecordingApp(NoticeRecorder, NianbaoApp):
    """The app, keeping the notifications it shows (app.shown)."""


def nianbao(db_file: Path, *args: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "nianbao.tui.cli", "--db", str(db_file), *args]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate()
    return process.returncode, out + err


async def operate(app: RecordingApp, pilot) -> int:
    """What an operator does meanwhile: refresh the queue, open the first report, accept a
    suggested value if there is one, go back. 1 if a report was opened."""
    await pilot.press("r")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    if not isinstance(app.screen, ReportScreen):
        return 0
    await pilot.press("n", "s")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()
    return 1


@pytest.mark.slow
def test_app_import_and_publish_at_once(db, db_path, tmp_path):
    list(import_paths(db, [sample_path("003")]))  # one report with suggested values to accept
    db.close()
    inbox = tmp_path / "inbox"
    distinct_copies(inbox, BATCH)
    out = tmp_path / "out"
    app = RecordingApp(str(db_path))
    ends: dict[str, list[tuple[int, str]]] = {"import": [], "publish": []}

    async def go() -> int:
        opened = 0
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            importer = nianbao(db_path, "import", str(inbox))
            publisher = nianbao(db_path, "publish", "--out", str(out), "--include-unapproved")
            deadline = time.monotonic() + 300
            try:
                while importer.poll() is None:
                    assert time.monotonic() < deadline, "the import did not finish"
                    opened += await operate(app, pilot)
                    if publisher.poll() is not None:
                        ends["publish"].append(finished(publisher))
                        publisher = nianbao(db_path, "publish", "--out", str(out), "--include-unapproved")
            finally:
                ends["import"].append(finished(importer))
                ends["publish"].append(finished(publisher))
            await operate(app, pilot)
            # one publish more, once everything is written: the published copy must match the database
            ends["publish"].append(finished(nianbao(db_path, "publish", "--out", str(out), "--include-unapproved")))
            await pilot.press("r")
            await pilot.pause()
            queue_rows = app.screen.query_one("#queue").row_count
        assert queue_rows == BATCH + 1
        return opened

    opened = asyncio.run(go())
    for what, results in ends.items():
        for code, output in results:
            assert code == 0 and "locked" not in output, f"{what}: {output[-2000:]}"
    assert not [m for severity, m in app.shown if severity == "error" or "locked" in m], app.shown
    assert opened >= 1  # reports opened (and suggestions accepted) while the import ran

    work = sqlite3.connect(db_path)
    assert work.execute("SELECT count(*) FROM reports").fetchone() == (BATCH + 1,)
    assert work.execute("SELECT count(*) FROM imports WHERE status = 'imported'").fetchone() == (BATCH + 1,)
    assert work.execute("SELECT count(*) FROM reports r JOIN documents d ON d.sha256 = r.document").fetchone() == (
        BATCH + 1,
    )
    accepted = work.execute("SELECT count(*) FROM corrections").fetchone()[0]
    logged = [n for (n,) in work.execute("SELECT reports FROM publishes ORDER BY id")]
    work_findings = work.execute("SELECT count(*) FROM findings").fetchone()[0]
    work.close()
    assert accepted >= 1
    assert len(logged) == len(ends["publish"]) and logged == sorted(logged) and logged[-1] == BATCH + 1
    assert logged[0] < BATCH + 1  # publishing overlapped the import
    published = sqlite3.connect(out / "datasette" / "nianbao.db")
    assert published.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert published.execute("SELECT count(*) FROM reports").fetchone() == (BATCH + 1,)
    assert published.execute("SELECT count(*) FROM findings").fetchone() == (work_findings,)
    assert published.execute("SELECT count(*) FROM corrections").fetchone() == (accepted,)
    published.close()
    print(
        f"\n{len(logged)} publishes ({logged} reports) during a {BATCH}-file import; app opened a report "
        f"{opened} times meanwhile and accepted {accepted} suggested values; no error shown"
    )


# --- The two rules behind it, each shown on its own -------------------------------------------------


def test_a_write_after_a_read_waits_for_another_writer_instead_of_failing(db_path):
    """save_report and correct read before they write, inside their transaction. Had another
    process committed in between, SQLite would answer "database is locked" at once (no busy
    timeout applies); a transaction that holds the write lock from its start makes the other
    writer wait its turn instead."""
    first = connect(db_path)
    other_done = threading.Event()

    def other_process() -> None:
        other = connect(db_path)
        other["publishes"].insert({"at": "b", "out": "", "reports": 0, "unapproved": 0, "seconds": 0})
        other.close()
        other_done.set()

    with first.atomic():
        first.execute("SELECT count(*) FROM publishes").fetchone()
        thread = threading.Thread(target=other_process)
        thread.start()
        time.sleep(0.3)
        assert not other_done.is_set()  # it waits for this transaction
        first["publishes"].insert({"at": "a", "out": "", "reports": 0, "unapproved": 0, "seconds": 0})
    thread.join()  # the busy timeout bounds its wait
    assert [at for (at,) in first.execute("SELECT at FROM publishes ORDER BY id")] == ["a", "b"]
    first.close()


def test_publish_reads_one_moment_while_the_app_corrects(db, tmp_path, monkeypatch):
    """A correction committed while a publish is gathering reports does not reach that publish
    half-way: values and findings of the published copy are those of one moment."""
    (result,) = import_paths(db, [sample_path("003")])
    errors_before = len(review.findings(db, result.report_id))
    insert_cells = database._insert_cells

    def meanwhile(source):  # the publish has read the reports and is about to read their cells
        other = connect(source.conn.execute("PRAGMA database_list").fetchone()[2])
        review.accept_suggestions(other, result.report_id, who="app")  # every error fixed, committed
        other.close()
        insert_cells(source)

    monkeypatch.setattr(database, "_insert_cells", meanwhile)
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    published = sqlite3.connect(out / "datasette" / "nianbao.db")
    assert published.execute("SELECT count(*) FROM findings").fetchone() == (errors_before,)
    assert published.execute("SELECT count(*) FROM corrections").fetchone() == (0,)
    published.close()
    assert review.findings(db, result.report_id) == []  # the correction itself went through
