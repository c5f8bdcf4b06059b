"""One process against two parse workers on the same batch, cold and warm (issue 18).

    python benchmarks/bench_workers.py [--copies 20] [--rounds 3] [--forms text,html,docx]

The batch: the five bundled samples, `--copies` of each with the county renamed (distinct
reports), as text, or written out as HTML (modern portal) or DOCX by the test fixture makers.
Each import runs in a fresh Python process (nianbao as installed, or as $PYTHONPATH says) (`import_paths` into a fresh database), so "cold" is
what a `nianbao import --workers 2` pays: the worker processes' start included; "warm" is a
second batch in the same process (the app's next import), after the workers' first one. Wall
seconds, best of the rounds; ratio: one process's time over the workers' (over 1 = faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/ is not installed

_CHILD = """
import json, sys, tempfile, time
from pathlib import Path
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect

def batch(paths, workers):
    with tempfile.TemporaryDirectory() as tmp:
        db = connect(Path(tmp) / "bench.db")
        start = time.perf_counter()
        results = list(import_paths(db, paths, workers=workers))
        wall = time.perf_counter() - start
        db.close()
    assert all(r.status == "imported" for r in results), {r.status for r in results}
    return wall

if __name__ == "__main__":
    paths, workers = [Path(p) for p in json.loads(sys.argv[1])], int(sys.argv[2])
    print(json.dumps([batch(paths, workers), batch(paths, workers)]))
"""


def run(paths: list[Path], workers: int) -> tuple[float, float]:
    """(cold, warm) wall seconds of a batch in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps([str(p) for p in paths]), str(workers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=paths[0].parent,  # not the checkout: its nianbao/ folder would come first on the path
    )
    cold, warm = json.loads(out.stdout.strip().splitlines()[-1])
    return cold, warm


def main() -> None:
    from benchmarks.bench_floors import make_files

    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=20, help="copies of each sample")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--forms", default="text,html,docx")
    args = parser.parse_args()
    names = {"text": "text", "html": "html (modern portal)", "docx": "docx"}
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; best of {args.rounds}"
    )
    print("| form | reports | one process: cold s / warm s | 2 workers: cold s (ratio) / warm s (ratio) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for form in args.forms.split(","):
            paths = make_files(Path(tmp) / form, names[form], args.copies)
            best: dict[int, list[float]] = {1: [float("inf")] * 2, 2: [float("inf")] * 2}
            for _ in range(args.rounds):
                for workers in (1, 2):
                    best[workers] = [min(a, b) for a, b in zip(best[workers], run(paths, workers), strict=True)]
            (c1, w1), (c2, w2) = best[1], best[2]
            print(
                f"| {form} | {len(paths)} | {c1:.2f} / {w1:.2f} | {c2:.2f} ({c1 / c2:.2f}×) / {w2:.2f} ({w1 / w2:.2f}×) |",
                flush=True,
            )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s)")
