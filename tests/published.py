"""Published output for the tests: the samples' published database (with hostile text put in
for the site's tests), what readers of a publish see (files and tables), and a real `datasette
serve` of a published folder. Shared by the site, publish, crash, hostile and browser tests."""

from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect
from nianbao.publish import database
from nianbao.publish.datasette import serve_command
from tests.helpers import SAMPLE_NAMES, sample_path

HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
    '![img](http://evil.example/x.png) <a href="javascript:alert(1)">j</a> &lt;b&gt; &amp; '
    "\u202edesrever\u202c zero\u200bwidth"
)


LONG_LINE = "长" * 10_000


def published_samples(folder: Path) -> Path:
    """The five samples, 霍城县 once more as a 2024 report (a county with two years), 温县
    approved, one cell of 夏县 corrected: the published database."""
    folder.mkdir(parents=True, exist_ok=True)
    second_year = folder / "654023-2024.txt"
    text = sample_path("004").read_text(encoding="utf-8")
    second_year.write_text(text.replace("2024", "2025").replace("2023", "2024"), encoding="utf-8")
    db = connect(folder / "work.db")
    results = list(import_paths(db, [*(sample_path(n) for n in SAMPLE_NAMES), second_year]))
    assert [r.status for r in results] == ["imported"] * 6, [r.message for r in results]
    ids = {(r["region_code"], r["year"]): r["id"] for r in db.query("SELECT id, region_code, year FROM reports")}
    review.correct(
        db, ids["140828", 2024], "table2.normative_in_force", "3", "原文第 2 页写明现行有效 3 件", who="test"
    )
    review.approve(db, ids["410825", 2024], who="test")
    target = folder / "nianbao.db"
    database.build(db, database.public_reports(db, include_unapproved=True), target)
    db.close()
    add_marker(target, ids["654023", 2024], "suit_after_review_pending", "/")
    return target


def add_marker(published: Path, report_id: int, key: str, marker: str) -> None:
    """A not-applicable marker in table 四 as the readers keep it (no sample prints one)."""
    conn = sqlite3.connect(published)
    conn.execute(
        "UPDATE cells SET value = ?, printed = ? WHERE report_id = ? AND table_name = 'table4' AND row_key = ?",
        [marker, marker, report_id, key],
    )
    conn.execute(f"UPDATE table4 SET {key} = ? WHERE report_id = ?", [marker, report_id])
    conn.commit()
    conn.close()


def make_hostile(published: Path, region_code: str = "130529") -> None:
    """Put hostile text everywhere report text reaches the site, in one county's report."""
    conn = sqlite3.connect(published)
    (report_id,) = conn.execute("SELECT id FROM reports WHERE region_code = ?", [region_code]).fetchone()
    organ = "巨鹿县<script>alert(1)</script>\u202e办公室"
    conn.execute(
        "UPDATE reports SET organ = ?, title = ?, website = ?, period = ?, source_file = ? WHERE id = ?",
        [organ, HOSTILE, "javascript:alert(1)", "<b>2024</b>", "javascript:alert(1)", report_id],
    )
    conn.execute(
        "UPDATE narratives SET text = ? WHERE report_id = ?",
        [f"{HOSTILE}\n\n{LONG_LINE}\n\n# 标题\n\n1. 列表", report_id],
    )
    conn.execute(
        "INSERT INTO findings (report_id, rule, severity, cells, message, message_zh) VALUES (?, ?, ?, ?, ?, ?)",
        [report_id, "T3-BALANCE", "error", json.dumps(["<script>x</script>"]), HOSTILE, HOSTILE],
    )
    conn.execute(
        "INSERT INTO corrections (report_id, cell, printed_value, corrected_value, reason, date) VALUES (?,?,?,?,?,?)",
        [report_id, "table3.total.natural", "<i>1</i>", "2", HOSTILE, "2025-01-01"],
    )
    conn.commit()
    conn.close()


# --- What readers of a publish see ------------------------------------------------------------


def files_of(out: Path) -> dict[str, str]:
    """What readers of a publish see: every file under out/site and out/datasette (through the
    links), with its sha256. The staging area out/.builds is not part of it."""
    return {
        f"{part}/{p.relative_to((out / part).resolve())}": hashlib.sha256(p.read_bytes()).hexdigest()
        for part in ("site", "datasette")
        for p in sorted((out / part).resolve().rglob("*"))
        if p.is_file()
    }


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# A finding's or correction's id is its row number, and rows written again are numbered after the others; the
# database is not vacuumed after an update: these files, and the sizes the downloads page gives
# of them, differ from a publish from nothing.
NUMBERED = ("downloads/findings", "downloads/corrections", "downloads/nianbao.db", "downloads/index.html")


def site_of(out: Path) -> dict[str, str]:
    """The site's files as readers get them, but those of NUMBERED."""
    return {k: v for k, v in tree((out / "site").resolve()).items() if not k.startswith(NUMBERED)}


def tables_of(out: Path) -> dict[str, list[tuple]]:
    """Every table of the published database, rows sorted, findings and corrections without ids."""
    conn = sqlite3.connect(out / "datasette" / "nianbao.db")
    names = [
        n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")
    ]
    out_tables = {}
    for name in names:
        columns = [
            c[1]
            for c in conn.execute(f"PRAGMA table_info({name})")
            if not (name in ("findings", "corrections") and c[1] == "id")
        ]
        out_tables[name] = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall(), key=repr)
    out_tables["search"] = conn.execute(
        "SELECT count(*) FROM narratives_fts WHERE narratives_fts MATCH '依申请公开'"
    ).fetchall()
    conn.close()
    return out_tables


# --- A real server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(base: str, process: subprocess.Popen, hang_guard: float = 300) -> bool:
    """Wait until a Datasette started as `process` answers at `base`; False if the process ends
    first. The time limit only keeps a hung run from hanging: startup is slow on a busy machine."""
    deadline = time.monotonic() + hang_guard
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=1).read()
            return True
        except OSError:
            if process.poll() is not None:
                return False
            time.sleep(0.1)
    return False


@contextmanager
def serving(directory: Path, log: Path) -> Iterator[str]:
    """`datasette serve` of a published directory, as published, on a free local port; always
    stopped. Its base URL."""
    port = free_port()
    with log.open("wb") as out:
        command = serve_command(directory, port=port)
        process = subprocess.Popen(command.argv, cwd=command.cwd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        if not answers(base, process):
            raise RuntimeError(f"datasette did not start:\n{log.read_text(errors='replace')}")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
