"""Import throughput per form on a generated corpus (benchmarks/corpus.py): one process, and
with worker processes parsing while the main process stores (`import_paths(..., workers=N)`).

    python benchmarks/bench_throughput.py --corpus DIR [--workers 1,2] [--rounds 3] [--limit 100]
    python benchmarks/bench_throughput.py --n 400 --seed 1 [--workers 1,2]   # generates a corpus first

Each form's files are imported into a fresh database (read, parse, store, the 14 rules, one
transaction per report); best of the rounds. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import generate
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect


def files_by_form(corpus: Path, limit: int | None) -> dict[str, list[Path]]:
    truth = json.loads((corpus / "truth.json").read_text("utf-8"))["files"]
    out: dict[str, list[Path]] = defaultdict(list)
    for name, entry in sorted(truth.items()):
        out[entry["form"]].append(corpus / name)
    return {form: paths[:limit] for form, paths in sorted(out.items())}


def seconds(paths: list[Path], workers: int, rounds: int) -> tuple[float, float, float]:
    """Best wall time of the rounds, with the CPU time of this process and of the workers in that
    round: on a shared machine the CPU times show what the wall time cannot (who waited for a core)."""
    best = (float("inf"), 0.0, 0.0)
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            db = connect(Path(tmp) / "bench.db")
            before, start = os.times(), time.perf_counter()
            results = list(import_paths(db, paths, workers=workers))
            wall, after = time.perf_counter() - start, os.times()
            db.close()
        cpu = (
            after.user + after.system - before.user - before.system,
            max(0.0, after.children_user + after.children_system - before.children_user - before.children_system),
        )
        best = min(best, (wall, *cpu))
        failed = [r.message for r in results if r.failed]
        assert not failed, failed[:3]
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--n", type=int, default=400, help="reports to generate when no --corpus is given")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (1: one process)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, help="at most this many files per form")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp)
        if args.corpus is None:
            generate(corpus, args.n, args.seed, 0.05)
        forms = files_by_form(corpus, args.limit)
        counts = [int(w) for w in args.workers.split(",")]
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; ", end="")
        print(f"best of {args.rounds}")
        heads = [f"{w} worker{'s' * (w > 1)}: reports/s (CPU ms per report: main + workers)" for w in counts]
        print("| form | reports | " + " | ".join(heads) + " |")
        print("|---|---|" + "---|" * len(counts))
        for form, paths in forms.items():
            runs = [seconds(paths, w, args.rounds) for w in counts]
            cells = [
                f"{len(paths) / wall:.1f} ({1000 * main / len(paths):.0f} + {1000 * work / len(paths):.0f})"
                for wall, main, work in runs
            ]
            print(f"| {form} | {len(paths)} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
