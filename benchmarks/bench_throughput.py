"""Import throughput per form on a generated corpus (benchmarks/corpus.py): one process, and
with worker processes parsing while the main process stores (`import_paths(..., workers=N)`).

    python benchmarks/bench_throughput.py --corpus DIR [--workers 1,2] [--rounds 3] [--limit 100]
    python benchmarks/bench_throughput.py --n 400 --seed 1 [--workers 1,2]   # generates a corpus first
    python benchmarks/bench_throughput.py --n 60 --limit 20 --dask 2   # also a Dask LocalCluster of 2 workers

The floor is the one-process import of the same files in the same run (the first --workers
count, 1 by default): each other column also gives its rate as a multiple of it.

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
from contextlib import ExitStack, contextmanager
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


def seconds(paths: list[Path], workers: int, rounds: int, executor=None) -> tuple[float, float, float]:
    """Best wall time of the rounds, with the CPU time of this process and of the workers in that
    round: on a shared machine the CPU times show what the wall time cannot (who waited for a core).
    A Dask cluster's workers are not this process's children: their CPU time reads 0."""
    best = (float("inf"), 0.0, 0.0)
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            db = connect(Path(tmp) / "bench.db")
            before, start = os.times(), time.perf_counter()
            results = list(import_paths(db, paths, workers=workers, executor=executor))
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
    parser.add_argument("--dask", type=int, metavar="N", help="also parse on a Dask LocalCluster of N worker processes")
    parser.add_argument("--forms", help="comma-separated forms to run (default: all)")
    args = parser.parse_args()
    with ExitStack() as stack:
        executor = stack.enter_context(_dask(args.dask)) if args.dask else None
        _run(args, executor)


@contextmanager
def _dask(workers: int):
    """A LocalCluster's executor (one thread per worker process: parsing holds the GIL)."""
    import logging

    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    )
    with cluster, Client(cluster) as client:
        yield client.get_executor()


def _run(args: argparse.Namespace, executor) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp)
        if args.corpus is None:
            generate(corpus, args.n, args.seed, 0.05)
        forms = files_by_form(corpus, args.limit)
        if args.forms:
            forms = {f: p for f, p in forms.items() if f in args.forms.split(",")}
        counts = [int(w) for w in args.workers.split(",")]
        runs_of = [(w, None) for w in counts] + ([(args.dask, executor)] if executor else [])
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; ", end="")
        print(f"best of {args.rounds}")
        heads = [f"{w} worker{'s' * (w > 1)}: reports/s (CPU ms per report: main + workers)" for w in counts]
        heads += [f"Dask LocalCluster, {args.dask} workers: reports/s (CPU ms: main)"] if executor else []
        print("| form | reports | " + " | ".join(heads) + " |")
        print("|---|---|" + "---|" * len(heads))
        for form, paths in forms.items():
            runs = [seconds(paths, w, args.rounds, ex) for w, ex in runs_of]
            floor = runs[0][0]
            cells = [
                f"{len(paths) / wall:.1f}{_ratio(floor, wall) if i else ''}"
                f" ({1000 * main / len(paths):.0f} + {1000 * work / len(paths):.0f})"
                for i, (wall, main, work) in enumerate(runs)
            ]
            print(f"| {form} | {len(paths)} | " + " | ".join(cells) + " |", flush=True)


def _ratio(floor: float, wall: float) -> str:
    """The rate as a multiple of the floor's (the first column)."""
    return f" = {floor / wall:.2f}×"


if __name__ == "__main__":
    main()
