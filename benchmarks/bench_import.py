"""Throughput of reading + parsing, and of a full import into a fresh database.

    python benchmarks/bench_import.py [--copies 200] [--rounds 3] [--profile FILE]

Copies of the five bundled samples are written with the county renamed (夏县 -> 夏7县), so every
copy is a distinct report and the import takes the normal insert path. Best of the rounds; the
CPU time of this process is printed beside the wall time (on a shared machine it is the steadier
figure). The steps of an import are then timed one by one (CPU ms per report), and `--profile`
writes a cProfile of one import for `python -m pstats`.
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ is not installed

from nianbao.db.checks import run_checks
from nianbao.db.parse.report import parse_document
from nianbao.db.pipeline import import_paths, parse_file
from nianbao.db.readers import read_document
from nianbao.db.review import recheck
from nianbao.db.schema import connect
from nianbao.db.store import save_report
from tests.helpers import SAMPLE_NAMES, distinct_copies


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """(wall s, CPU s of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def import_all(folder: Path, paths: list[Path], profile: Path | None = None) -> None:
    db = connect(folder / "bench.db")
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    results = list(import_paths(db, paths))
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    assert all(r.status == "imported" for r in results), {r.status for r in results}
    assert db["reports"].count == len(paths)
    db.close()


def steps(folder: Path, paths: list[Path]) -> dict[str, float]:
    """CPU seconds of each step of an import, as `import_file` runs them, summed over the files;
    "rules" is timed in a pass of its own (it is part of "checks + findings stored")."""
    db = connect(folder / "steps.db")
    spent = dict.fromkeys(("read", "parse", "store", "checks + findings stored", "commit", "rules"), 0.0)
    clock = time.process_time
    for path in paths:
        data = path.read_bytes()
        start = clock()
        document = read_document(data, path.name)
        read = clock()
        report = parse_document(document)
        parsed = clock()
        with db.atomic():
            stored = save_report(db, str(path), data, document, report)
            saved = clock()
            recheck(db, stored.report_id)
            checked = clock()
        spent["commit"] += clock() - checked
        spent["read"] += read - start
        spent["parse"] += parsed - read
        spent["store"] += saved - parsed
        spent["checks + findings stored"] += checked - saved
        start = clock()
        run_checks(report)
        spent["rules"] += clock() - start
    db.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200, help="copies of each sample")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs")
    parser.add_argument("--profile", type=Path, help="write a cProfile of one import here")
    args = parser.parse_args()
    n = args.copies * len(SAMPLE_NAMES)
    parse_best = import_best = (float("inf"), 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        paths = distinct_copies(Path(tmp) / "files", n)
        for round_ in range(args.rounds):
            parse_best = min(parse_best, timed(lambda: [parse_file(p) for p in paths]))
            folder = Path(tmp) / f"round{round_}"
            folder.mkdir()
            import_best = min(import_best, timed(lambda folder=folder: import_all(folder, paths)))
        spent = steps(Path(tmp), paths)
        if args.profile:
            (Path(tmp) / "profiled").mkdir()
            import_all(Path(tmp) / "profiled", paths, args.profile)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {n} text reports, best of {args.rounds}")
    for what, (wall, cpu) in (("read + parse", parse_best), ("import (parse + store)", import_best)):
        print(
            f"{what + ':':23s} {n / wall:7.0f} reports/s  ({wall / n * 1000:.2f} ms each; CPU {cpu / n * 1000:.2f} ms)"
        )
    print("steps of an import, CPU ms per report:")
    for step, seconds in spent.items():
        print(f"  {step:26s} {seconds / n * 1000:6.2f}")


if __name__ == "__main__":
    main()
