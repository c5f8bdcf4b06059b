"""Import CPU per report for text, HTML and DOCX beside each form's floor, measured in the same
run (issue 18).

    python benchmarks/bench_floors.py [--copies 8] [--rounds 5] [--profile FORM:FILE] [--steps]

Each form's files are distinct reports (the five samples, `--copies` of each with the county
renamed, written out by the test fixture makers: tests/forms/). "import": `import_file` of
every file into a fresh database (read, parse, store, the 14 rules, one transaction each), CPU
time of this process per report, best of the rounds. The floor, as issue 18 defines it, on the
same files into a fresh nianbao database (its schema and pragmas):
- text: the bytes decoded and split into lines, the bytes stored, 200 cell rows with one
  `executemany`, one commit;
- HTML / DOCX: lxml's tree of the page (of word/document.xml), every table cell's text, then the
  same inserts.
`--steps`: then the steps of an import one by one (bench_import.py's `steps`) beside the floor's
read and the floor's store, CPU ms per report.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import platform
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ is not installed

from lxml import etree

from benchmarks.bench_import import steps
from nianbao.db.pipeline import import_file, parse_file
from nianbao.db.schema import connect
from tests.forms import docx, html
from tests.helpers import SAMPLE_NAMES, distinct_copies

Render = Callable[[Path, Path], Path]
FORMS: dict[str, tuple[str, Render | None]] = {
    "text": (".txt", None),
    "html (modern portal)": (".html", lambda src, out: html.render(parse_file(src), out, style="modern")),
    "html (legacy, GB2312)": (".html", lambda src, out: html.render(parse_file(src), out, style="legacy")),
    "html (Word export)": (".html", lambda src, out: html.render(parse_file(src), out, style="word")),
    "docx": (".docx", lambda src, out: docx.render(parse_file(src), out)),
}
CELL_ROWS = 200
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text_floor(data: bytes) -> int:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return len(text.splitlines())


def _html_floor(data: bytes) -> int:
    root = etree.fromstring(data, etree.HTMLParser(remove_comments=True, no_network=True))
    return sum(len("".join(cell.itertext())) for cell in root.iter("td", "th"))


def _docx_floor(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return sum(len("".join(t.text or "" for t in cell.iter(f"{_W}t"))) for cell in root.iter(f"{_W}tc"))


FLOOR_READ = {"text": _text_floor, "html": _html_floor, "docx": _docx_floor}


def floor_round(folder: Path, paths: list[Path], kind: str, reading: list[float] | None = None) -> float:
    """CPU seconds of the floor over the files: into a fresh nianbao database (its schema,
    indexes and pragmas), the bytes in `documents`, a bare `reports` row, 200 `cells` rows.
    `reading`: its first item gets the seconds of the read alone added."""
    reading = reading if reading is not None else [0.0]
    connect(folder / "floor.db").close()
    conn = sqlite3.connect(folder / "floor.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    read = FLOOR_READ[kind]
    start = time.process_time()
    for report_id, path in enumerate(paths, start=1):
        data = path.read_bytes()
        begun = time.process_time()
        read(data)
        reading[0] += time.process_time() - begun
        sha = hashlib.sha256(data).hexdigest()
        rows = [
            (report_id, "table3", f"row{i // 7}", f"col{i % 7}", i, str(i), i, None, 0, i // 7, i % 7)
            for i in range(CELL_ROWS)
        ]
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO documents (sha256, name, size, form, content, imported_at) VALUES (?, ?, ?, ?, ?, ?)",
            (sha, path.name, len(data), kind, data, "2026-12-05"),
        )
        conn.execute(
            "INSERT INTO reports (id, document, format, imported_at) VALUES (?, ?, '2021', ?)",
            (report_id, sha, "2026-12-05"),
        )
        conn.executemany(
            "INSERT INTO cells (report_id, table_name, row_key, column_key, value, raw, source_line, source_page,"
            " source_table, source_row, source_col) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
    spent = time.process_time() - start
    conn.close()
    return spent


def import_round(folder: Path, paths: list[Path], profile: Path | None = None) -> float:
    """CPU seconds of importing the files into a fresh database."""
    db = connect(folder / "import.db")
    profiler = cProfile.Profile() if profile else None
    start = time.process_time()
    if profiler:
        profiler.enable()
    results = [import_file(db, path) for path in paths]
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    spent = time.process_time() - start
    db.close()
    bad = [r.message for r in results if r.status != "imported"]
    assert not bad, bad[:3]
    return spent


def make_files(folder: Path, form: str, copies: int) -> list[Path]:
    suffix, render = FORMS[form]
    texts = distinct_copies(folder / "text", copies * len(SAMPLE_NAMES))
    if render is None:
        return texts
    out = folder / form.split()[0] / form
    out.mkdir(parents=True, exist_ok=True)
    return [render(src, out / f"{src.stem}{suffix}") for src in texts]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=8, help="copies of each sample per form")
    parser.add_argument("--rounds", type=int, default=5, help="best of this many rounds")
    parser.add_argument("--forms", help="comma-separated forms (default: all)")
    parser.add_argument("--profile", help="FORM:FILE: a cProfile of one import round of each FORM style, in FILE.STYLE")
    parser.add_argument("--steps", action="store_true", help="then each step of the import beside the floor's two")
    args = parser.parse_args()
    forms = [f for f in FORMS if not args.forms or f.split()[0] in args.forms.split(",")]
    print(
        f"machine: {platform.machine()}, Python {platform.python_version()}; best of {args.rounds}, CPU ms per report"
    )
    print("| form | reports | import ms | floor ms | import / floor |")
    print("|---|---|---|---|---|")
    step_rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for form in forms:
            folder = Path(tmp) / form.split()[0]
            paths = make_files(folder, form, args.copies)
            kind = form.split()[0]
            imports, floors = [], []
            for r in range(args.rounds):
                work = folder / f"round{len(imports)}-{r}-{form.split()[-1]}"
                work.mkdir(parents=True)
                floors.append(floor_round(work, paths, kind))
                imports.append(import_round(work, paths))
            if args.profile and args.profile.split(":")[0] == kind:
                slug = "-".join(form.replace("(", "").replace(")", "").replace(",", "").split())
                work = folder / f"profiled-{slug}"
                work.mkdir()
                import_round(work, paths, Path(f"{args.profile.split(':', 1)[1]}.{slug}"))
            n = len(paths)
            imp, flo = min(imports) / n * 1000, min(floors) / n * 1000
            print(f"| {form} | {n} | {imp:.2f} | {flo:.2f} | {imp / flo:.1f}× |", flush=True)
            if args.steps:
                step_rows.append(
                    f"| {form} | {step_row(folder / f'steps-{len(step_rows)}', paths, kind, args.rounds)} |"
                )
    if args.steps:
        print("\nsteps, CPU ms per report (best of the rounds each): import's steps as import_file runs them, then")
        print("the floor's read and the floor's store (bytes, report row, 200 cells, commit)")
        print(f"| form | {' | '.join(STEPS)} | floor read | floor store |")
        print("|---|" + "---|" * (len(STEPS) + 2))
        print("\n".join(step_rows))


STEPS = ("read", "parse", "store", "checks + findings stored", "commit", "rules")


def step_row(folder: Path, paths: list[Path], kind: str, rounds: int) -> str:
    """Each step's CPU ms per report, best of `rounds`, and the floor's read and store."""
    best = dict.fromkeys((*STEPS, "floor read", "floor store"), float("inf"))
    for r in range(rounds):
        work = folder / f"round{r}"
        work.mkdir(parents=True)
        for step, seconds in steps(work, paths).items():
            best[step] = min(best[step], seconds)
        reading = [0.0]
        total = floor_round(work, paths, kind, reading)
        best["floor read"] = min(best["floor read"], reading[0])
        best["floor store"] = min(best["floor store"], total - reading[0])
    return " | ".join(f"{seconds / len(paths) * 1000:.2f}" for seconds in best.values())


if __name__ == "__main__":
    main()
