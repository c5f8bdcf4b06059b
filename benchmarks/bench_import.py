"""Throughput of reading + parsing, and of a full import into a fresh database.

    python benchmarks/bench_import.py [--copies 200]

Copies of the five bundled samples are written with the county renamed (夏县 -> 夏7县), so every
copy is a distinct report and the import takes the normal insert path.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ is not installed

from db.pipeline import import_paths, parse_file
from db.schema import connect
from tests.conftest import SAMPLE_NAMES, distinct_copies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200, help="copies of each sample")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = distinct_copies(Path(tmp), args.copies * len(SAMPLE_NAMES))
        start = time.perf_counter()
        for path in paths:
            parse_file(path)
        parse_s = time.perf_counter() - start
        db = connect(Path(tmp) / "bench.db")
        start = time.perf_counter()
        results = list(import_paths(db, [tmp]))
        import_s = time.perf_counter() - start
        assert all(r.status == "imported" for r in results), {r.status for r in results}
        assert db["reports"].count == len(paths)
    n = len(paths)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {n} text reports")
    print(f"read + parse:           {n / parse_s:7.0f} reports/s  ({parse_s / n * 1000:.2f} ms each)")
    print(f"import (parse + store): {n / import_s:7.0f} reports/s  ({import_s / n * 1000:.2f} ms each)")


if __name__ == "__main__":
    main()
