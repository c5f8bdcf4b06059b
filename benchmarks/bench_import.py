"""Throughput of reading + parsing, and of a full import into a fresh database.

    python benchmarks/bench_import.py [--copies 200]

Copies of the five bundled samples are written with the county renamed (夏县 -> 夏7县), so every
copy is a distinct report and the import takes the normal insert path.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from importlib.resources import files
from pathlib import Path

from db.pipeline import import_paths, parse_file
from db.schema import connect


def make_corpus(folder: Path, copies: int) -> list[Path]:
    samples = Path(str(files("db") / "samples"))
    out = []
    for sample in sorted(samples.glob("*.txt")):
        region = json.loads((samples / "expected" / f"{sample.stem}.json").read_text("utf-8"))["region"]
        text = sample.read_text("utf-8")
        for i in range(copies):
            path = folder / f"{sample.stem}-{i:04d}.txt"
            path.write_text(text.replace(region, f"{region[:-1]}{i}{region[-1]}"), "utf-8")
            out.append(path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200, help="copies of each sample")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_corpus(Path(tmp), args.copies)
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
