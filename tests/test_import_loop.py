"""One import loop for the CLI and the app (db/pipeline.py `import_paths`), one policy for a bug
met on one file: that file fails with one Chinese line naming the error log, the batch goes on,
and the traceback (a worker process's too) is in the log (db/errorlog.py)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from nianbao.db.pipeline import WORKER_DIED, import_paths, parse_file
from nianbao.db.progress import PageRead, Started
from nianbao.db.schema import connect
from tests.app_pilot import Host, run, start_import, wait_done
from tests.forms.pdf import render
from tests.helpers import SAMPLE_NAMES, sample_bytes, sample_path
from tests.worker_faults import PLANTED, plant

UNEXPECTED = "意外错误（程序缺陷），详情见 "


def batch(folder: Path) -> Path:
    """The five samples and `boom.txt`, a sixth report (a sample with one more line) that the
    planted fault strikes."""
    folder.mkdir(parents=True)
    for name in SAMPLE_NAMES:
        shutil.copy(sample_path(name), folder)
    (folder / "boom.txt").write_bytes(sample_bytes(SAMPLE_NAMES[0]) + b"\n")
    return folder


def nianbao(db_file: Path, *args: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "nianbao.tui.cli", "--db", str(db_file), *args]
    return subprocess.run(argv, check=False, capture_output=True, text=True, timeout=600)  # a hang guard only


def stored(db_file: Path, sql: str) -> list[tuple]:
    db = connect(db_file)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_cli_with_two_workers_fails_the_buggy_file_alone(tmp_path, monkeypatch):
    folder = batch(tmp_path / "in")
    plant(monkeypatch, tmp_path / "site")
    db_file = tmp_path / "t.db"

    done = nianbao(db_file, "import", "--workers", "2", str(folder))

    log = Path(f"{db_file}.errors.log")
    lines = done.stdout.splitlines()
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert f"失败      {folder / 'boom.txt'}: {UNEXPECTED}{log}" in lines
    assert len(lines) == 7 and lines[-1].startswith("6 个文件：") and "失败 1" in lines[-1]
    assert stored(db_file, "SELECT count(*) FROM reports") == [(5,)]
    assert stored(db_file, "SELECT message FROM imports WHERE status = 'failed'") == [(f"{UNEXPECTED}{log}",)]
    text = log.read_text()
    assert text.count("Traceback (most recent call last)") == 1 and f"RuntimeError: {PLANTED}" in text
    assert "in parse_read" in text  # the worker's own traceback, carried back to the parent
    assert f"· {folder / 'boom.txt'}" in text  # which file


def test_one_process_logs_to_the_state_folder_when_beside_the_database_cannot_be_written(
    tmp_path, db, db_path, monkeypatch
):
    folder = batch(tmp_path / "in")
    plant(monkeypatch, tmp_path / "site")
    Path(f"{db_path}.errors.log").mkdir()  # not a file that can be appended to (even as root)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    results = list(import_paths(db, [folder], workers=1))

    log = tmp_path / "state" / "nianbao" / "errors.log"
    assert [r.status for r in results].count("failed") == 1
    (failed,) = [r for r in results if r.failed]
    assert failed.path == str(folder / "boom.txt") and failed.message == f"{UNEXPECTED}{log}"
    assert f"RuntimeError: {PLANTED}" in log.read_text() and "in import_file" in log.read_text()


def test_the_app_fails_the_buggy_file_alone(tmp_path, db_path, monkeypatch):
    folder = batch(tmp_path / "in")
    plant(monkeypatch, tmp_path / "site")

    async def steps(app, pilot):
        await start_import(pilot, folder, typed=False)
        await wait_done(pilot)
        table = app.screen.query_one("#results", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        return rows, str(app.screen.query_one("#summary", Static).content)

    rows, summary = run(Host(str(db_path), str(tmp_path)), steps)
    log = Path(f"{db_path}.errors.log")
    assert [r[1:3] for r in rows if r[0].endswith("失败")] == [["boom.txt", f"{UNEXPECTED}{log}"]]
    assert summary == "6 个文件：已导入 5，失败 1；4 个有待审核的问题"
    assert f"RuntimeError: {PLANTED}" in log.read_text()


def test_worker_processes_start_under_a_captured_stderr(tmp_path):
    """Inside the Textual app `sys.stderr` is a capture whose fileno() is -1; the first spawn of a
    process (which starts multiprocessing's resource tracker, handed stderr by descriptor) failed
    there with "bad value(s) in fds_to_keep", the app's import ending "导入中断". A fresh process,
    so that no earlier test has started the tracker."""
    script = tmp_path / "captured.py"
    script.write_text(
        "import sys\n"
        "from nianbao.db.workers import WorkerPool\n"
        "class Captured:\n"
        "    def write(self, text): return len(text)\n"
        "    def flush(self): pass\n"
        "    def fileno(self): return -1\n"
        "if __name__ == '__main__':\n"
        "    sys.stderr = Captured()\n"
        "    with WorkerPool(2) as pool:\n"
        "        print(pool.submit(abs, -7).result())\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert (done.returncode, done.stdout) == (0, "7\n"), done.stderr


# --- Any executor: a Dask cluster --------------------------------------------------------------------


def snapshot(db_file: Path) -> tuple[list, list]:
    """The reports (without their ids and import times) and their cells, by organ."""
    return (
        stored(
            db_file,
            "SELECT organ, region, region_code, year, format, published, title, period, website, status,"
            " province, prefecture, region_note FROM reports ORDER BY organ",
        ),
        stored(
            db_file,
            "SELECT r.organ, c.table_name, c.row_key, c.column_key, c.value, c.raw, c.source_line FROM cells c"
            " JOIN reports r ON r.id = c.report_id ORDER BY 1, 2, 3, 4",
        ),
    )


def test_a_dask_local_cluster_parses_into_the_same_database(tmp_path):
    distributed = pytest.importorskip("distributed")
    folder = batch(tmp_path / "in")
    (folder / "boom.txt").unlink()
    (folder / "empty.txt").write_bytes(b"")  # a file that fails, read in this process, never sent

    by_processes = connect(tmp_path / "processes.db")
    try:
        expected = [(r.path, r.status, r.message) for r in import_paths(by_processes, [folder], workers=2)]
    finally:
        by_processes.close()
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    )
    with cluster, distributed.Client(cluster) as client:
        by_dask = connect(tmp_path / "dask.db")
        try:
            got = [
                (r.path, r.status, r.message)
                for r in import_paths(by_dask, [folder], workers=2, executor=client.get_executor())
            ]
        finally:
            by_dask.close()

    assert got == expected and [s for _, s, _ in got].count("failed") == 1
    assert snapshot(tmp_path / "dask.db") == snapshot(tmp_path / "processes.db")
    assert len(snapshot(tmp_path / "dask.db")[1]) == 1000


# --- A memory cap for parse workers -------------------------------------------------------------------


def test_a_file_over_the_worker_memory_cap_fails_alone_as_too_large(tmp_path, db, monkeypatch):
    folder = batch(tmp_path / "in")
    plant(monkeypatch, tmp_path / "site", "allocate")  # boom.txt allocates until refused
    monkeypatch.setenv("NIANBAO_MAX_WORKER_MEMORY", "400")

    results = list(import_paths(db, [folder], workers=2))

    assert [r.status for r in results] == ["imported"] * 5 + ["failed"]
    assert results[-1].path == str(folder / "boom.txt")
    assert results[-1].message.startswith("文件太大：解析超出内存上限（400 MB，NIANBAO_MAX_WORKER_MEMORY）")
    assert "damaged" not in results[-1].message and "意外错误" not in results[-1].message
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 5


def test_a_worker_that_dies_fails_its_file_alone_and_is_replaced(tmp_path, db, monkeypatch):
    """The worker ends without a word on boom.txt (as the kernel's OOM killer would end it): the
    pool breaks with every file in hand; a new pool parses those again one at a time, boom.txt
    fails alone, and the files after it are parsed as usual."""
    folder = batch(tmp_path / "in")
    (folder / "boom.txt").rename(folder / "002_boom.txt")  # in the middle of the batch
    plant(monkeypatch, tmp_path / "site", "die")

    results = list(import_paths(db, [folder], workers=2))

    assert [Path(r.path).name for r in results] == sorted(p.name for p in folder.iterdir())
    assert [(r.path, r.message) for r in results if r.failed] == [(str(folder / "002_boom.txt"), WORKER_DIED)]
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 5


# --- Progress for long PDFs ---------------------------------------------------------------------------

PAGES = 30


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory) -> Path:
    """A 30-page report: sample 001 printed with a page break after every row of table 三
    (tests/forms/pdf.py: 26 pages), and four blank pages at the end."""
    import pypdfium2

    folder = tmp_path_factory.mktemp("long")
    printed = render(parse_file(sample_path(SAMPLE_NAMES[1])), folder / "printed.pdf", rows_per_page=1)
    pdf = pypdfium2.PdfDocument(printed.read_bytes())
    width, height = pdf[0].get_size()
    while len(pdf) < PAGES:
        pdf.new_page(width, height)
    out = folder / "long.pdf"
    pdf.save(str(out))
    pdf.close()
    return out


def pages_of(events: list, path: Path) -> list[tuple[int, int]]:
    return [(e.page, e.pages) for e in events if isinstance(e, PageRead) and e.path == str(path)]


@pytest.mark.parametrize("workers", [1, 2], ids=["this-process", "two-workers"])
def test_the_pages_of_a_long_pdf_are_reported_in_order(tmp_path, db, long_pdf, workers):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(long_pdf, folder / "a_long.pdf")
    shutil.copy(sample_path(SAMPLE_NAMES[0]), folder)  # a second file: the pool is used
    events: list = []

    results = list(import_paths(db, [folder], progress=events.append, workers=workers))

    assert [r.status for r in results] == ["imported", "imported"]
    assert events[0] == Started(2, workers)
    assert pages_of(events, folder / "a_long.pdf") == [(n, PAGES) for n in range(1, PAGES + 1)]
    assert not pages_of(events, folder / SAMPLE_NAMES[0])  # a text file has no pages to tell


def test_the_cli_shows_the_pages_on_a_terminal_only(tmp_path, long_pdf):
    """On a terminal, stderr carries "第 n/30 页" overwritten in place and cleared before the
    file's line; into a pipe (a log, a script), nothing but the lines."""
    import pty

    main, terminal = pty.openpty()
    argv = [sys.executable, "-m", "nianbao.tui.cli", "--db", str(tmp_path / "t.db"), "import", str(long_pdf)]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=terminal, text=True) as process:
        os.close(terminal)
        seen = b""
        while chunk := _read(main):
            seen += chunk
        out, _ = process.communicate(timeout=600)  # a hang guard only
    os.close(main)
    shown = seen.decode()
    steps = [f"\r\x1b[K第 {n}/{PAGES} 页 {long_pdf}" for n in range(1, PAGES + 1)]
    assert shown == "".join(steps) + "\r\x1b[K"
    assert out.startswith(f"已导入    {long_pdf} → 报告 1")
    piped = nianbao(tmp_path / "u.db", "import", str(long_pdf))
    assert piped.stderr == "" and piped.stdout.startswith("已导入    ")


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: the other end is closed
        return b""


def test_cli_imports_through_dask(tmp_path):
    pytest.importorskip("distributed")
    done = nianbao(tmp_path / "t.db", "import", "--dask", "local", *map(str, map(sample_path, SAMPLE_NAMES)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "5 个文件：已导入 5；4 个有待审核的问题"


def test_cli_without_dask_installed_says_what_to_install(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from nianbao.tui.cli import cli

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: import fails
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "import", "--dask", "local", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == "错误：Dask 未安装：请安装 pip install 'nianbao[dask]'\n"
