"""The search index per prefecture: what it costs to build and what it costs a visitor.

    python benchmarks/bench_search.py index SITE     # a built site (nianbao publish --out DIR: DIR/site)
    python benchmarks/bench_search.py visit SITE [--query 政府信息公开 --province 13]

index: publish.search_index.build_index over the whole site (every bundle, one a prefecture, two
at a time, each thread's bundles by one Pagefind service), its wall time, the largest Pagefind process (getrusage RUSAGE_CHILDREN) and the peak of
all its Pagefind processes together (their RSS summed, sampled every 20 ms from /proc); then the
re-index of one bundle (the largest and the median by pages), as a publish after one change
would run it. It rewrites SITE/pagefind/ in place.

visit: SITE served on 127.0.0.1 under /site/, the search page opened in a fresh headless Chromium
(system /usr/bin/chromium, cold cache) with ?q= for the whole country (every bundle merged) and
with ?p= for one province (its prefectures' bundles merged): time from navigation to the first result shown, requests and bytes received (bodies
as sent, Playwright's request.sizes()), split into Pagefind's code (js, wasm, css) and index data.
Prints Markdown tables. The machine is shared: figures vary with the other work on it.
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import statistics
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from typing import Self

from nianbao.publish.search_index import BUNDLE, SHARDS, build_index

MIB = 1024 * 1024
CHROMIUM = "/usr/bin/chromium"
CODE_SUFFIXES = (".js", ".css", ".pagefind")


# --- index ---------------------------------------------------------------------------------------


class ChildrenPeak(threading.Thread):
    """Sums the RSS of this process's descendants every 20 ms; keeps the largest sum."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kib = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak_kib = max(
                self.peak_kib, sum(_rss_kib(pid) for pid in _descendants(Path("/proc/self").resolve().name))
            )
            time.sleep(0.02)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.running = False
        self.join()


def _descendants(pid: str) -> list[str]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def _rss_kib(pid: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed_index(site: Path, provinces: list[str] | None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds of the Pagefind processes (less moved by the other work on a
    shared machine) and their peak MiB together, for one build_index call."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with ChildrenPeak() as peak:
        start = time.perf_counter()
        build_index(site, provinces)
        seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, peak.peak_kib / 1024


def bench_index(site: Path) -> None:
    pages = sum(1 for _ in (site / "region").rglob("*.html"))
    seconds, cpu, together = timed_index(site, None)
    largest_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    shards = sorted(json.loads((site / BUNDLE / SHARDS).read_text(encoding="utf-8")), key=lambda s: s["pages"])
    print(f"\n{pages:,} pages, {len(shards)} bundles (pages per bundle: {shards[0]['pages']}–{shards[-1]['pages']})\n")
    print("| step | wall s | CPU s | peak, all Pagefind processes (MiB) | largest Pagefind process (MiB) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| every bundle, 2 at a time | {seconds:.1f} | {cpu:.1f} | {together:.0f} | {largest_child:.0f} |")
    for label, shard in (("largest", shards[-1]), ("median", shards[len(shards) // 2])):
        seconds, cpu, together = timed_index(site, [shard["key"]])
        name = "、".join(shard["names"]) or shard["key"]
        print(
            f"| one bundle again, {label} ({shard['key']}, {name}, {shard['pages']} pages) | {seconds:.1f} | {cpu:.1f} | {together:.0f} | — |"
        )


# --- visit ---------------------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def bench_visit(site: Path, query: str, province: str) -> None:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(site.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/{site.name}/search/index.html"
    listing = site / BUNDLE / SHARDS  # absent: one bundle for the whole site (before issue 7)
    shards = json.loads(listing.read_text(encoding="utf-8")) if listing.is_file() else []
    searches = [(f"全国 ({len(shards)} bundles merged)" if shards else "whole site, one bundle", f"?q={query}")]
    if shards:
        searches.append((f"one province ({province})", f"?q={query}&p={province}"))
    print(f"\n{len(shards)} bundles, query {query!r}\n")
    print("| search | first result (s) | requests | Pagefind code (KiB) | index data (KiB) | total (KiB) |")
    print("|---|---:|---:|---:|---:|---:|")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for label, params in searches:
            runs = [_visit(browser, base + params) for _ in range(3)]
            seconds = statistics.median(r[0] for r in runs)
            count, code, data = runs[-1][1:]
            print(
                f"| {label} | {seconds:.2f} | {count} | {code / 1024:.0f} | {data / 1024:.0f} | {(code + data) / 1024:.0f} |"
            )
        browser.close()
    server.shutdown()


def _visit(browser, url: str) -> tuple[float, int, int, int]:
    """Seconds to the first result, and requests, bytes of code and of index data (cold cache)."""
    context = browser.new_context()
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    start = time.perf_counter()
    page.goto(url)
    page.locator(".pagefind-ui__result").first.wait_for(timeout=60_000)
    seconds = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    code = data = 0
    for request in finished:
        if f"/{BUNDLE}/" not in request.url:
            continue
        size = request.sizes()["responseBodySize"]
        if request.url.split("?")[0].endswith(CODE_SUFFIXES):
            code += size
        else:
            data += size
    count = len([r for r in finished if f"/{BUNDLE}/" in r.url])
    context.close()
    return seconds, count, code, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["index", "visit"])
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", default="政府信息公开")
    parser.add_argument("--province", default="13")
    args = parser.parse_args()
    if args.what == "index":
        bench_index(args.site)
    else:
        bench_visit(args.site, args.query, args.province)


if __name__ == "__main__":
    main()
