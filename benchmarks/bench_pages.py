"""County pages, report pages and charts: the per-county part of the static site, timed alone.

    python benchmarks/bench_pages.py [--db PUBLISHED_DB] [--first N] [--counties 60] [--years 5]
                                     [--runs 3] [--profile FILE]

Gathers and renders every county's outputs of a published database (the datasette/nianbao.db of
a publish) as publish/static_site.py `build_site` does (publish.pages.county_outputs, then the
same Jinja environment), `--runs` times, without writing files; --first N stops after N counties.
Without --db it publishes a small generated corpus first (benchmarks/bench_publish.py's database,
kept under /tmp). The chart and table builders are wrapped with timers, so the figures split into:
a chart (publish.charts `bar_chart`); a report page (its tables, publish.report_tables `report_tables`,
plus report.html); a county page (county.html); and the rest of the gathering, per county (its
reports' cells streamed from SQLite, narratives as Markdown, findings, links). Prints the best run,
in CPU time of this process (see `clock`).
"""

from __future__ import annotations

import argparse
import cProfile
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from jinja2 import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nianbao.publish import charts, pages
from nianbao.publish.pages import HOME_SERIES, File, county_outputs
from nianbao.publish.site_data import SiteData, load, open_published, with_narratives
from nianbao.publish.static_site import environment, root_of

Timings = dict[str, float]
# CPU seconds of this process, not wall time: on the shared machine the wall time of the same run
# varied 2-3x with the other engineers' load; the work here is one thread (SQLite reads included).
clock = time.process_time


def timed(totals: Timings, name: str, function: Callable) -> Callable:
    """`function`, adding its time to totals[name]."""

    def wrapper(*args, **kwargs):
        start = clock()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += clock() - start

    return wrapper


def one_run(
    env: Environment, conn: sqlite3.Connection, data: SiteData, first: int | None
) -> tuple[Timings, dict[str, int]]:
    """Seconds per part and counts of one pass over every county (or the first ones)."""
    totals: Timings = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    chart, tables = charts.bar_chart, pages.report_tables
    charts.bar_chart = timed(totals, "chart", chart)
    pages.report_tables = timed(totals, "tables", tables)
    try:
        outputs = county_outputs(conn, data)
        while counts["county.html"] != first:
            start = clock()
            item = next(outputs, None)
            totals["gather"] += clock() - start
            if item is None:
                break
            for output in item[1]:
                kind = "chart" if isinstance(output, File) else output.template
                counts[kind] += 1
                if not isinstance(output, File):
                    start = clock()
                    env.get_template(output.template).render(page=output, root=root_of(output.path))
                    totals[output.template] += clock() - start
    finally:
        charts.bar_chart, pages.report_tables = chart, tables
    return totals, counts


def summary(totals: Timings, counts: dict[str, int]) -> list[tuple[str, float, int]]:
    """(what, total s, count) rows: per chart, per county page, per report page."""
    counties, reports = counts["county.html"], counts["report.html"]
    rest = totals["gather"] - totals["chart"] - totals["tables"]
    everything = totals["gather"] + totals["county.html"] + totals["report.html"]
    return [
        ("chart (bar_chart)", totals["chart"], counts["chart"]),
        ("report page (report_tables + report.html)", totals["tables"] + totals["report.html"], reports),
        ("  of which report.html", totals["report.html"], reports),
        ("county page (county.html)", totals["county.html"], counties),
        ("rest of the gathering, per county (cells, narratives, findings)", rest, counties),
        ("everything, per county", everything, counties),
    ]


def small_database(counties: int, years: int) -> Path:
    """A published database of a generated corpus (made once, then reused)."""
    from benchmarks.bench_publish import build_database
    from nianbao.publish.run import publish

    keep = Path(f"/tmp/bench_pages_{counties}x{years}")
    published = keep / "out" / "datasette" / "nianbao.db"
    if not published.exists():
        from nianbao.db.schema import connect as connect_work

        build_database(keep, counties, years, 7, [])
        publish(connect_work(keep / "nianbao.db"), keep / "out")
    return published


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a published database (datasette/nianbao.db); opened read-only")
    parser.add_argument("--counties", type=int, default=60, help="without --db: counties of the generated corpus")
    parser.add_argument("--years", type=int, default=5, choices=range(1, 6))
    parser.add_argument("--first", type=int, help="only the first N counties")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write a cProfile of one more run here")
    args = parser.parse_args()
    path = args.db or small_database(args.counties, args.years)
    with closing(open_published(path)) as conn:
        data = with_narratives(conn, load(conn, HOME_SERIES))
        env = environment()  # templates compiled in the first run, as in one build
        runs = [one_run(env, conn, data, args.first) for _ in range(args.runs)]
        if args.profile:
            cProfile.runctx("one_run(env, conn, data, args.first)", globals(), locals(), str(args.profile))
    totals, counts = min(runs, key=lambda run: sum(run[0].values()))
    print(
        f"{path}: {counts['county.html']:,} county pages, {counts['report.html']:,} report pages, "
        f"{counts['chart']:,} charts; best of {args.runs} runs\n"
    )
    print("| part | ms each | count | s total |\n|---|---|---|---|")
    for what, seconds, count in summary(totals, counts):
        print(f"| {what} | {1000 * seconds / max(count, 1):.2f} | {count:,} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
