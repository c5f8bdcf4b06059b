"""Faults of the machine, not of a file: a locked, full or damaged database, a database of a
newer nianbao, a disk that is full, an --out that cannot be used. Each ends in one line naming
the file and the problem, exit 1, nothing half-made; never a traceback."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.db import schema
from nianbao.db.schema import connect
from nianbao.tui.cli import cli
from tests.helpers import SAMPLES, distinct_copies, sample_path

LOCKED = "数据库被另一个程序锁定（已等待 0.2 秒）；什么也没有更改：请等它结束后再试"
FULL = "磁盘已满；正在进行的这一步什么也没有写入：请腾出空间后再试"


def run(args: list[str]):
    return CliRunner().invoke(cli, args, env={"NIANBAO_DB": None}, catch_exceptions=False)


def one_error_line(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [f"错误：{expected}"], result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def samples_db(tmp_path) -> Path:
    db_file = tmp_path / "n.db"
    assert run(["--db", str(db_file), "import", str(SAMPLES)]).exit_code == 0
    return db_file


def count(db_file: Path, sql: str) -> int:
    with sqlite3.connect(db_file) as conn:
        return conn.execute(sql).fetchone()[0]


def live_target(out: Path) -> str:
    return os.readlink(out / ".live")


# --- A database locked by another program ---------------------------------------------------------


@pytest.fixture
def locked(samples_db, monkeypatch):
    """The database with another program holding its write lock past the busy timeout (0.2 s
    here, 10 s in use)."""
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(samples_db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield samples_db
    other.execute("ROLLBACK")
    other.close()


@pytest.mark.parametrize(
    "command",
    [
        ["import", str(sample_path("000").parent / "..")],  # a folder: every sample is known
        ["correct", "1", "table3.total.natural", "7", "--reason", "test"],
        ["approve", "2"],
        ["accept", "4"],  # report 4 has suggested values
    ],
    ids=["import", "correct", "approve", "accept"],
)
def test_a_locked_database_is_one_line(locked, tmp_path, command):
    new = tmp_path / "new.txt"  # a report not yet imported: storing it needs the lock
    new.write_text(sample_path("000").read_text("utf-8").replace("夏县", "夏二县"), "utf-8")
    if command[0] == "import":
        command = ["import", str(new)]
    before = {table: count(locked, f"SELECT count(*) FROM {table}") for table in WRITTEN}
    result = run(["--db", str(locked), *command])
    if command[0] == "import":
        assert result.stdout == ""
    one_error_line(result, f"{locked}: {LOCKED}")
    assert {table: count(locked, f"SELECT count(*) FROM {table}") for table in WRITTEN} == before


WRITTEN = ("reports", "imports", "corrections", "status_log")


def test_a_publish_that_cannot_record_itself_does_not_go_live(samples_db, tmp_path, monkeypatch):
    """The swap and its record are one outcome: with the database locked at the end of a
    publish, the previous build stays live and no publish is logged."""
    out = tmp_path / "pub"
    assert run(["--db", str(samples_db), "publish", "--out", str(out), "--include-unapproved"]).exit_code == 0
    live, logged = live_target(out), count(samples_db, "SELECT count(*) FROM publishes")
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(samples_db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = run(["--db", str(samples_db), "publish", "--out", str(out), "--include-unapproved", "--full"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    one_error_line(result, f"{samples_db}: {LOCKED}")
    assert live_target(out) == live
    assert count(samples_db, "SELECT count(*) FROM publishes") == logged
    again = run(["--db", str(samples_db), "publish", "--out", str(out), "--include-unapproved", "--full"])
    assert again.exit_code == 0 and live_target(out) != live
    assert count(samples_db, "SELECT count(*) FROM publishes") == logged + 1


def test_a_swap_that_fails_midway_swaps_back(samples_db, tmp_path, monkeypatch):
    """If the record cannot be committed once the new build is live, the previous one is
    swapped back: never live without its record."""
    from nianbao.publish import run as publish_run

    out = tmp_path / "pub"
    assert run(["--db", str(samples_db), "publish", "--out", str(out), "--include-unapproved"]).exit_code == 0
    live = live_target(out)
    real = publish_run.swap_in

    def swap_then_fill_disk(out_, build, names):
        real(out_, build, names)
        raise OSError(errno.ENOSPC, "No space left on device", str(out_ / ".live"))

    monkeypatch.setattr(publish_run, "swap_in", swap_then_fill_disk)
    result = run(["--db", str(samples_db), "publish", "--out", str(out), "--include-unapproved", "--full"])
    assert result.exit_code == 1
    assert result.stderr == f"错误：{out}/.live: 磁盘已满（系统：No space left on device）\n"
    monkeypatch.setattr(publish_run, "swap_in", real)
    assert live_target(out) == live
    assert count(samples_db, "SELECT count(*) FROM publishes") == 1


# --- A full disk -----------------------------------------------------------------------------------


def test_disk_full_during_import_is_one_line_and_the_database_stays_whole(tmp_path, monkeypatch):
    """SQLITE_FULL (a database that may grow no more stands in for a full disk): the report in
    hand is rolled back, those before it stay, one line."""
    db_file = tmp_path / "n.db"
    assert run(["--db", str(db_file), "import", str(sample_path("000"))]).exit_code == 0
    pages = count(db_file, "PRAGMA page_count")
    real_connect = schema.connect

    def connect_full(path, **kwargs):
        db = real_connect(path, **kwargs)
        db.execute(f"PRAGMA max_page_count = {pages + 2}")
        return db

    monkeypatch.setattr("nianbao.tui.cli.connect", connect_full)
    result = run(["--db", str(db_file), "import", str(SAMPLES)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"错误：{db_file}: {FULL}"]
    assert "Traceback" not in result.output
    db = connect(db_file)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM cells").fetchone()[0] == 200
    finally:
        db.close()


def test_disk_full_during_publish_keeps_the_previous_build_live(samples_db, tmp_path, monkeypatch):
    from nianbao.publish import fsutil

    out = tmp_path / "pub"
    assert run(["--db", str(samples_db), "publish", "--out", str(out), "--include-unapproved"]).exit_code == 0
    live = live_target(out)

    real = Path.write_bytes

    def full(path, data):
        if ".builds" in path.parts:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(fsutil.Path, "write_bytes", full)
    result = run(["--db", str(samples_db), "publish", "--out", str(out), "--include-unapproved", "--full"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"错误：{out}/.builds/") and line.endswith(": 磁盘已满（系统：No space left on device）")
    assert live_target(out) == live
    assert count(samples_db, "SELECT count(*) FROM publishes") == 1


# --- A damaged database, not a database, a newer nianbao's -----------------------------------------


def _damage(db_file: Path) -> None:
    """Overwrite pages in the middle of the file (a disk error, a half-copied file)."""
    with sqlite3.connect(db_file) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db_file.stat().st_size
    with db_file.open("r+b") as f:
        f.seek(size // 3)
        f.write(b"\xa5" * (size // 3))


@pytest.mark.parametrize(
    "command",
    [["check"], ["publish", "--include-unapproved"], ["list"], ["show", "2"]],
    ids=["check", "publish", "list", "show"],
)
def test_a_damaged_database_is_one_line(samples_db, tmp_path, command):
    _damage(samples_db)
    if command[0] == "publish":
        command = [*command, "--out", str(tmp_path / "pub")]
    result = run(["--db", str(samples_db), *command])
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"错误：{samples_db}: 数据库已损坏或不是数据库（sqlite3：")
    assert line.endswith("）；请从备份恢复")
    assert not (tmp_path / "pub").exists()


def test_the_app_refuses_a_file_that_is_not_sqlite(tmp_path):
    """The app (no command) used to crash with a Rich traceback and exit 0."""
    not_db = tmp_path / "notes.db"
    not_db.write_text("not a database\n" * 100, encoding="utf-8")
    result = run(["--db", str(not_db)])
    one_error_line(
        result,
        f"{not_db}: 数据库已损坏或不是数据库（sqlite3：file is not a database）；请从备份恢复",
    )


def test_a_database_of_a_newer_nianbao_is_refused(samples_db):
    with sqlite3.connect(samples_db) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('nianbao', 'm099_future', 'x')"
        )
    before = samples_db.read_bytes()
    for command in (["list"], ["import", str(sample_path("000"))], ["check"]):
        result = run(["--db", str(samples_db), *command])
        assert result.exit_code == 1
        (line,) = result.stderr.splitlines()
        assert line.startswith(
            f"错误：{samples_db}: 数据库来自更新版本的 nianbao：其结构已到 m099_future，本 nianbao（"
        )
        assert line.endswith(f"）只认识到 {schema.migrations._migrations[-1].name}；请升级 nianbao 后再打开")
    assert samples_db.read_bytes() == before  # not written


# --- An --out that cannot be used ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "problem"),
    [
        ("afile/pub", "不是文件夹（系统：Not a directory）"),
        ("afile", "不是文件夹"),
        ("/dev/null", "不是文件夹"),
        ("/proc/nianbao-test", "不存在（系统：No such file or directory）"),
    ],
    ids=["under-a-file", "a-file", "dev-null", "proc"],
)
def test_an_unusable_out_is_one_line_and_nothing_is_made(samples_db, tmp_path, monkeypatch, out, problem):
    monkeypatch.chdir(tmp_path)
    Path("afile").write_text("x")
    before = sorted(os.listdir(tmp_path))
    result = run(["--db", str(samples_db), "publish", "--out", out, "--include-unapproved"])
    one_error_line(result, f"{out}: {problem}")
    assert sorted(os.listdir(tmp_path)) == before
    assert count(samples_db, "SELECT count(*) FROM publishes") == 0


def test_an_out_that_cannot_be_written_is_one_line(samples_db, tmp_path, monkeypatch):
    """No permission (simulated: the tests run as root): the first file written fails, the
    folder this publish made is removed."""
    real = Path.write_bytes

    def denied(self, data):
        if ".write-test-" in self.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", denied)
    out = tmp_path / "pub"
    result = run(["--db", str(samples_db), "publish", "--out", str(out), "--include-unapproved"])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"错误：{out}/.write-test-") and line.endswith(": 没有权限（系统：Permission denied）")
    assert not out.exists()


def test_an_out_that_sqlite_would_take_for_a_uri_is_a_folder(samples_db, tmp_path, monkeypatch):
    """`--out 'file:pub?mode=ro'` is a folder of that name, not an SQLite URI (which left half
    a folder behind)."""
    monkeypatch.chdir(tmp_path)
    result = run(["--db", str(samples_db), "publish", "--out", "file:pub?mode=ro", "--include-unapproved"])
    assert result.exit_code == 0, result.output
    published = tmp_path / "file:pub?mode=ro" / "datasette" / "nianbao.db"
    assert count(published, "SELECT count(*) FROM reports") == 5


# --- Ctrl-C ----------------------------------------------------------------------------------------

INTERRUPTED = "已中断（Ctrl-C）：已完成的保留，进行中的一步已撤销"


def _as_at_a_terminal() -> None:
    """Ctrl-C reaches the command as it does a terminal's foreground job, however the tests were
    started: a job a shell starts in the background (`pytest &`) ignores SIGINT, its children
    inherit that, and Python then installs no handler (the import ran to its end, exit 0)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _interrupt_after(argv: list[str], lines: int, folder: Path) -> tuple[int, str, list[str]]:
    """Run `argv` in its own process group, press Ctrl-C (SIGINT to the whole group, as a
    terminal does) once it has printed `lines` lines; its exit code, stderr and stdout lines.
    (Output goes to files: nothing read ahead from a pipe is lost.)"""
    out_file, err_file = folder / "stdout", folder / "stderr"
    with out_file.open("wb") as out, err_file.open("wb") as err:
        # preexec_fn only sets a signal's disposition and mask: safe beside the test process's threads
        process = subprocess.Popen(
            argv,
            stdout=out,
            stderr=err,
            start_new_session=True,
            preexec_fn=_as_at_a_terminal,  # noqa: PLW1509
        )
    deadline = time.monotonic() + 120
    while out_file.read_bytes().count(b"\n") < lines and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail(f"hung after Ctrl-C: {argv}")
    return process.returncode, err_file.read_text("utf-8"), out_file.read_text("utf-8").splitlines()


@pytest.mark.parametrize("lines", [1, 5, 40])
def test_ctrl_c_with_worker_processes_ends_cleanly(tmp_path, lines):
    """An import with worker processes interrupted at a few points: it ends (no hang), with one
    line and no worker's traceback; every report it said it imported is stored whole (and at
    most one more: stored, then interrupted before its line was printed)."""
    folder = tmp_path / "in"
    distinct_copies(folder, 150)
    db_file = tmp_path / "n.db"
    argv = [sys.executable, "-m", "nianbao.tui.cli", "--db", str(db_file), "import", str(folder), "--workers", "2"]
    code, err, out = _interrupt_after(argv, lines, tmp_path)
    assert (code, err.splitlines()) == (130, [INTERRUPTED]), err
    imported = [line for line in out if line.startswith(("已导入", "有待审核"))]
    assert len(imported) >= lines
    db = connect(db_file)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = db.execute("SELECT count(*) FROM reports").fetchone()[0]
        assert len(imported) <= stored <= len(imported) + 1
        assert db.execute("SELECT count(*) FROM cells").fetchone()[0] == 200 * stored
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.parametrize("lines", [3, 5])
def test_ctrl_c_during_a_full_publish_with_site_workers(tmp_path, lines):
    """`publish --full` of enough counties for the site's worker processes, interrupted while
    gathering or writing pages: one line, no worker traceback, the previous publish still live."""
    from nianbao.publish.static_site import PARALLEL_FROM

    db_file, out = tmp_path / "n.db", tmp_path / "pub"
    distinct_copies(tmp_path / "in", PARALLEL_FROM + 10)
    assert run(["--db", str(db_file), "import", str(tmp_path / "in")]).exit_code == 0
    assert run(["--db", str(db_file), "publish", "--out", str(out), "--include-unapproved"]).exit_code == 0
    live = live_target(out)
    argv = [sys.executable, "-m", "nianbao.tui.cli", "--db", str(db_file), "publish", "--out", str(out)]
    code, err, _ = _interrupt_after([*argv, "--include-unapproved", "--full"], lines, tmp_path)
    assert (code, err.splitlines()) == (130, [INTERRUPTED]), err
    assert live_target(out) == live
    assert count(db_file, "SELECT count(*) FROM publishes") == 1


def test_a_reader_that_goes_away_is_no_error(samples_db):
    """`nianbao list | head -1`: the output's reader closes early; no traceback, no error line."""
    argv = [sys.executable, "-m", "nianbao.tui.cli", "--db", str(samples_db), "list"]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # before it writes: its first line meets a closed pipe
    _, err = process.communicate(timeout=60)
    assert err.decode() == ""
    assert process.returncode == 1


def test_a_transaction_left_by_ctrl_c_is_collected_quietly():
    """A Ctrl-C between BEGIN and the `with` block leaves `atomic` suspended; collected after the
    database is closed, it printed "Exception ignored … Cannot operate on a closed database"."""
    code = (
        "from nianbao.db.schema import connect\n"
        "db = connect(':memory:')\n"
        "left = db.atomic(); left.__enter__(); db.conn.close(); del left\n"
        "import gc; gc.collect()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
