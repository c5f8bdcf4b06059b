"""Crash safety: `nianbao import`, `nianbao publish` and a correction killed with SIGKILL.

After every kill the database passes `PRAGMA integrity_check`, every stored report is whole (the
same cells, narratives, notes and findings as a clean import of its file), the previous publish is
still served whole, and a correction is there entirely or not at all. Re-running finishes the job
with no duplicates.

Sizes fit CI (~1 minute); for a longer run:
    NIANBAO_KILLS=200 NIANBAO_KILL_FILES=500 NIANBAO_KILL_SEED=7 python -m pytest tests/test_crash.py -m slow
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect
from nianbao.publish.run import publish
from tests.helpers import distinct_copies, sample_path
from tests.published import files_of, site_of, tables_of

KILLS = int(os.environ.get("NIANBAO_KILLS", "20"))
FILES = int(os.environ.get("NIANBAO_KILL_FILES", "200"))
PUBLISH_KILLS = int(os.environ.get("NIANBAO_PUBLISH_KILLS", "8"))
SEED = int(os.environ.get("NIANBAO_KILL_SEED", "8"))


def nianbao(db_file: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "nianbao.tui.cli", "--db", str(db_file), *args]


def run_killed(argv: list[str], delay: float) -> int:
    """Run `argv`, SIGKILL it after `delay` seconds if still running; its return code."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = process.communicate(timeout=delay)
        assert process.returncode in (0, 1), err.decode()  # finished on its own: a normal end
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    return process.returncode


def query(db_file: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db_file)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def assert_sound(db_file: Path) -> None:
    assert query(db_file, "PRAGMA integrity_check") == [("ok",)]
    assert query(db_file, "PRAGMA foreign_key_check") == []


# --- What a report holds ---------------------------------------------------------------------------


def contents(db_file: Path) -> dict[str, tuple]:
    """Every stored report by its file's sha256: identity, status and everything written with it
    (ids and times left out: they differ between two imports of the same file)."""
    if not query(db_file, "SELECT 1 FROM sqlite_master WHERE name = 'reports'"):
        return {}  # killed before the schema was made (the next run makes it)
    conn = sqlite3.connect(db_file)
    try:
        reports = conn.execute("SELECT id, document, organ, year, status FROM reports").fetchall()
        parts = {
            "cells": "SELECT report_id, table_name, row_key, column_key, value, raw, source_line FROM cells",
            "narratives": "SELECT report_id, section, text FROM narratives",
            "notes": "SELECT report_id, code, cells, message FROM parse_notes",
            "findings": "SELECT report_id, rule, severity, cells, message, expected, found FROM findings",
            "suggestions": "SELECT report_id, cell, value, rule FROM suggestions",
            "imports": "SELECT report_id, status FROM imports",
        }
        rows = {name: conn.execute(sql).fetchall() for name, sql in parts.items()}
    finally:
        conn.close()
    by_report: dict[tuple[str, int], list] = {}
    for name, found in rows.items():
        for r in found:
            by_report.setdefault((name, r[0]), []).append(tuple(map(repr, r[1:])))
    return {
        document: (organ, year, status, *(tuple(sorted(by_report.get((name, report_id), []))) for name in parts))
        for report_id, document, organ, year, status in reports
    }


def assert_whole(db_file: Path, reference: dict[str, tuple]) -> int:
    """Each stored report equals its clean import; no file stored without its report, no import
    logged twice. Returns how many reports are stored."""
    assert_sound(db_file)
    stored = contents(db_file)
    assert set(stored) <= set(reference)
    for digest, held in stored.items():
        assert held == reference[digest], f"report of {digest[:12]} differs from a clean import"
    if not query(db_file, "SELECT 1 FROM sqlite_master WHERE name = 'documents'"):
        assert not stored  # killed before the schema was made (under load, startup can take longer)
        return 0
    assert {d for (d,) in query(db_file, "SELECT sha256 FROM documents")} == set(stored)
    assert query(db_file, "SELECT count(*) FROM imports WHERE status != 'imported'") == [(0,)]
    return len(stored)


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True)
    return time.perf_counter() - start


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, dict[str, tuple], tuple[float, float]]:
    """The batch's folder, what a clean `nianbao import` of it stores, and how long the command
    takes to start (an empty folder) and then per file."""
    root = tmp_path_factory.mktemp("batch")
    distinct_copies(root / "inbox", FILES)
    (root / "empty").mkdir()
    startup = timed(nianbao(root / "clean.db", "import", str(root / "empty")))
    per_file = (timed(nianbao(root / "clean.db", "import", str(root / "inbox"))) - startup) / FILES
    reference = contents(root / "clean.db")
    assert len(reference) == FILES
    return root / "inbox", reference, (startup, per_file)


# --- Import ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_import_killed_at_random_points_loses_nothing(batch, tmp_path):
    """Kill `nianbao import` KILLS times at random moments, each run resuming the last one's
    batch; the kill moment is drawn over the time the rest of the batch takes."""
    inbox, reference, (startup, per_file) = batch
    rng = random.Random(SEED)
    db_file = tmp_path / "killed.db"
    kills, stored_at_kill = 0, []
    while kills < KILLS:
        remaining = FILES - (len(contents(db_file)) if db_file.exists() else 0)
        delay = rng.uniform(startup / 2, startup + per_file * remaining)
        code = run_killed(nianbao(db_file, "import", str(inbox)), delay)
        stored = assert_whole(db_file, reference)
        if code == -signal.SIGKILL:
            kills += 1
            stored_at_kill.append(stored)
        if stored == FILES:  # the batch is complete: start it again in a fresh database
            for path in tmp_path.glob("killed.db*"):
                path.unlink()
    result = subprocess.run(nianbao(db_file, "import", str(inbox)), check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert contents(db_file) == reference  # the batch complete, nothing twice
    assert_whole(db_file, reference)
    print(f"\n{kills} kills of `nianbao import` ({FILES} files, seed {SEED}); reports stored at each kill:")
    print(" ".join(map(str, stored_at_kill)), "— lost data: none")
    assert len(set(stored_at_kill)) > 1  # the kills fell at different points of the batch


# Run in a subprocess: kill itself just before its Nth SQL statement (N=0: never; print the count).
KILL_AT_STATEMENT = """
import os, signal, sys
from nianbao.db.schema import connect
db = connect(sys.argv[1], migrate=False)
limit, seen = int(sys.argv[2]), 0
def trace(sql):
    global seen
    seen += 1
    if seen == limit:
        os.kill(os.getpid(), signal.SIGKILL)
db.conn.set_trace_callback(trace)
{action}
print(seen)
"""


def statements_killed(db_file: Path, action: str, *, points: int, copy_from: Path) -> list[tuple[int, Path]]:
    """Run `action` on copies of `copy_from`, killed before statement 1, 2, … (at most `points` of
    them, spread evenly); each kill point with its database copy."""
    script = KILL_AT_STATEMENT.format(action=action)
    probe = db_file.with_name("probe.db")
    shutil.copy(copy_from, probe)
    total = int(
        subprocess.run(
            [sys.executable, "-c", script, str(probe), "0"], check=True, capture_output=True, text=True
        ).stdout
    )
    out = []
    for n in sorted({1 + i * total // points for i in range(points)} | {total}):
        copy = db_file.with_name(f"kill-{n:04d}.db")
        shutil.copy(copy_from, copy)
        process = subprocess.run([sys.executable, "-c", script, str(copy), str(n)], check=False, capture_output=True)
        assert process.returncode == -signal.SIGKILL, process.stderr.decode()
        out.append((n, copy))
    return out


@pytest.mark.slow
def test_import_of_one_file_killed_before_each_statement_is_all_or_nothing(batch, tmp_path):
    """Finer than the random kills: one file's import stopped before each of its SQL statements
    in turn (the COMMIT included); the report is either absent or whole, and importing again
    stores it once."""
    inbox, reference, _ = batch
    empty = tmp_path / "empty.db"
    connect(empty).close()
    path = min(inbox.iterdir())
    action = (
        f"from nianbao.db.pipeline import import_file; from pathlib import Path; import_file(db, Path({str(path)!r}))"
    )
    killed = statements_killed(tmp_path / "x.db", action, points=KILLS, copy_from=empty)
    stored = {n: assert_whole(copy, reference) for n, copy in killed}
    print(f"\nreports stored when killed before statement N: {stored}")
    for _, copy in killed:
        db = connect(copy)
        assert [r.status for r in import_paths(db, [path])] == ["imported"]
        db.close()
        assert assert_whole(copy, reference) == 1


@pytest.mark.slow
def test_first_open_killed_before_each_statement_still_opens(tmp_path):
    """The schema is made the first time a database is opened; killed before any statement of
    that, the file opens next time with the whole schema."""
    clean_schema = tmp_path / "clean.db"
    connect(clean_schema).close()
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    action = "from nianbao.db.schema import upgrade; upgrade(db)"
    schema = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    for _, copy in statements_killed(tmp_path / "x.db", action, points=KILLS, copy_from=empty):
        assert_sound(copy)
        connect(copy).close()
        assert query(copy, schema) == query(clean_schema, schema)


# --- A correction ----------------------------------------------------------------------------------


def review_state(db_file: Path) -> dict[str, list]:
    """Everything a correction may touch, without ids and times (they differ between runs)."""
    tables = {
        "reports": "SELECT organ, year, region_code, status FROM reports",
        "corrections": "SELECT report_id, cell, old_value, new_value, reason, who FROM corrections",
        "findings": "SELECT report_id, rule, severity, cells, message, expected, found FROM findings",
        "suggestions": "SELECT * FROM suggestions",
        "status_log": "SELECT report_id, status, reason, who FROM status_log",
        "cells": "SELECT * FROM cells",
    }
    return {name: sorted(map(repr, query(db_file, sql))) for name, sql in tables.items()}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("cell", "value"), [("table3.carried_forward.commercial", "0"), ("organ", "交口县人民政府"), ("year", "2023")]
)
def test_correction_killed_before_each_statement_is_all_or_nothing(tmp_path, cell, value):
    """An approved report of sample 003 (2 errors, approved with an override) corrected: killed
    before any of the correction's statements, the database holds the state before it or the
    whole correction (its row, the status back to needs_review, the findings re-run)."""
    start = tmp_path / "start.db"
    db = connect(start)
    (result,) = import_paths(db, [sample_path("003")])
    review.approve(db, result.report_id, override="checked by phone", who="test")
    db.close()
    action = f"from nianbao.db import review; review.correct(db, {result.report_id}, {cell!r}, {value!r}, '原文第 3 页', who='test')"
    done = tmp_path / "done.db"
    shutil.copy(start, done)
    script = KILL_AT_STATEMENT.format(action=action)
    subprocess.run([sys.executable, "-c", script, str(done), "0"], check=True, capture_output=True)
    before, after = review_state(start), review_state(done)
    assert "approved" in before["reports"][0] and "needs_review" in after["reports"][0]
    outcomes = []
    for _, copy in statements_killed(tmp_path / "x.db", action, points=KILLS // 2, copy_from=start):
        assert_sound(copy)
        state = review_state(copy)
        assert state in (before, after), "a correction half applied"
        outcomes.append("after" if state == after else "before")
    print(f"\n{cell}: killed {len(outcomes)} times: {outcomes}")


# --- Publish ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_publish_killed_at_random_points_leaves_the_previous_site_whole(tmp_path):
    """`nianbao publish` killed PUBLISH_KILLS times: out/site and out/datasette still show the
    previous publish, every file of it, and its database opens sound; the next publish completes
    and clears the leftovers (it keeps the live build and the one before, which the next update
    starts from)."""
    db_file, out = tmp_path / "work.db", tmp_path / "out"
    db = connect(db_file)
    list(import_paths(db, distinct_copies(tmp_path / "inbox", 10)))
    served = files_of(publish(db, out, include_unapproved=True).out)
    db.close()
    argv = nianbao(db_file, "publish", "--out", str(out), "--include-unapproved", "--full")  # no change: full
    seconds = timed(argv)
    assert files_of(out) == served  # the same database publishes the same files
    rng = random.Random(SEED)
    kills, builds = 0, []
    while kills < PUBLISH_KILLS:
        kills += run_killed(argv, rng.uniform(0, seconds)) == -signal.SIGKILL
        assert files_of(out) == served
        assert (out / "site").resolve().parent == (out / "datasette").resolve().parent  # one build, not two
        assert_sound(out / "datasette" / "nianbao.db")
        json.loads((out / "datasette" / "metadata.json").read_text(encoding="utf-8"))
        builds.append(len(list((out / ".builds").iterdir())))
    subprocess.run(argv, check=True, capture_output=True)
    assert files_of(out) == served and len(list((out / ".builds").iterdir())) == 2  # live and the one before
    print(f"\n{kills} kills of `nianbao publish` ({seconds:.1f} s each); builds on disk after each: {builds}")


@pytest.mark.slow
def test_publish_after_a_correction_killed_at_random_points_shows_one_state_or_the_other(tmp_path):
    """A publish that updates the last one, killed at random points (PUBLISH_KILLS / 2 times, a
    correction before each): readers see the previous publish or the new one, each whole (the
    build being updated shares files with the live one, which must never be written into), and
    the next publish completes it."""
    db_file, out = tmp_path / "work.db", tmp_path / "out"
    db = connect(db_file)
    ids = [r.report_id for r in import_paths(db, distinct_copies(tmp_path / "inbox", 10))]
    publish(db, out, include_unapproved=True)
    argv = nianbao(db_file, "publish", "--out", str(out), "--include-unapproved")

    def correct(n: int) -> None:
        review.correct(db, ids[n % len(ids)], "table3.new_received.natural", str(n), "per the PDF", who="li")

    correct(0)
    seconds = timed(argv)  # an update of one report, start to end
    rng = random.Random(SEED)
    kills = 0
    for n in range(1, 1 + max(1, PUBLISH_KILLS // 2)):
        before = site_of(out), tables_of(out)
        correct(n)
        fresh = publish(db, tmp_path / f"fresh{n}", include_unapproved=True, full=True).out
        after = site_of(fresh), tables_of(fresh)
        kills += run_killed(argv, rng.uniform(0, seconds)) == -signal.SIGKILL
        assert (site_of(out), tables_of(out)) in (before, after)
        assert (out / "site").resolve().parent == (out / "datasette").resolve().parent
        assert_sound(out / "datasette" / "nianbao.db")
        subprocess.run(argv, check=True, capture_output=True)
        assert (site_of(out), tables_of(out)) == after
    db.close()
    print(f"\n{kills} kills of `nianbao publish` updating the last one ({seconds:.1f} s each)")
