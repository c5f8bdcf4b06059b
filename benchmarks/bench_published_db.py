"""Time the published database and the downloads on an existing working database.

    python benchmarks/bench_published_db.py WORKING.db --out DIR [--replace-one]

Opens WORKING.db (it is migrated if needed: pass a copy, never a database in use), then, each
step with its wall time, its CPU time (the machine may be shared) and peak memory (VmHWM, reset
before each step through /proc/self/clear_refs):

    build      database.build of every approved report, in one snapshot, into DIR/nianbao.db
    downloads  downloads.write_downloads of it into DIR/site
    replace    (--replace-one) database.replace of one report into a copy of DIR/nianbao.db,
               and the downloads of its province only
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from nianbao.db.schema import connect
from nianbao.publish import database, downloads
from nianbao.publish.untrusted import province_key


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def step(name: str):
    reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    yield
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{name:<28} {wall:8.2f} s wall {cpu:8.2f} s CPU {peak_mib():8.0f} MiB peak", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("working", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--replace-one", action="store_true")
    parser.add_argument("--skip-downloads", action="store_true")
    parser.add_argument("--all", action="store_true", help="unapproved reports too")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "nianbao.db"
    target.unlink(missing_ok=True)
    db = connect(args.working)
    with step("build"), db.snapshot():
        reports = database.public_reports(db, args.all)
        database.build(db, reports, target)
    print(f"{len(reports)} reports, published database {target.stat().st_size / 2**20:.0f} MiB")
    site = args.out / "site"
    if not args.skip_downloads:
        with step("downloads"), sqlite3.connect(target) as conn:
            downloads.write_downloads(target, conn, site)
    if args.replace_one:
        copy = args.out / "replaced.db"
        shutil.copyfile(target, copy)
        one = reports[len(reports) // 2]
        with step(f"replace report {one['id']}"), db.snapshot():
            changed = [r for r in database.public_reports(db, args.all) if r["id"] == one["id"]]
            database.replace(db, changed, copy, [])
        with step("downloads, one province"), sqlite3.connect(copy) as conn:
            province = province_key(one["region_code"])
            downloads.write_downloads(copy, conn, site, provinces={province})


if __name__ == "__main__":
    main()
