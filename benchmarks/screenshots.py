"""Screenshots of the public site for a person to look at: the methodology page, a county page
and the search page with a query typed, each on a phone (390×844) and a desktop (1280×900).

    python benchmarks/screenshots.py OUT                     # the bundled samples, published afresh
    python benchmarks/screenshots.py OUT --site DIR/site     # a site already published
        [--county 654023] [--query 霍城县] [--publisher 本站编者]

Without --site the five bundled samples are imported into a temporary database and published
(all of them, marked as not reviewed), as `nianbao demo` does. The site is served over HTTP on
127.0.0.1 under its folder's name (/site/, as `nianbao serve` does) and opened in the system
Chromium, headless, offline. OUT receives methodology-phone.png, county-desktop.png,
search-phone.png … (whole pages), and the script prints their paths. The county is the first
one of the site unless --county says which; the query typed is the county's name unless
--query says otherwise.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import as_file, files
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
WAIT_MS = 120_000  # a hang guard for a busy machine, not a speed requirement


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(site: Path) -> Iterator[str]:
    """`site` served on 127.0.0.1 under its folder's name; the URL of its root, with a slash."""
    site = site.resolve()  # a published site is a link through out/.live
    handler = functools.partial(_QuietHandler, directory=str(site.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{site.name}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def publish_samples(folder: Path, publisher: str) -> Path:
    """The bundled samples imported into a fresh database in `folder` and published; the site."""
    from nianbao.db.pipeline import import_paths
    from nianbao.db.schema import connect
    from nianbao.publish.run import publish

    db = connect(folder / "nianbao.db")
    try:
        with as_file(files("nianbao.db") / "samples") as samples:
            list(import_paths(db, sorted(Path(samples).glob("*.txt"))))
        return publish(db, folder / "published", include_unapproved=True, publisher=publisher).site
    finally:
        db.close()


def first_county(site: Path) -> str:
    counties = sorted(p.name for p in (site / "region").iterdir() if (p / "index.html").is_file())
    if not counties:
        raise SystemExit(f"{site}: no county page (is it a published site?)")
    return counties[0]


def take(site: Path, out: Path, county: str, query: str | None) -> list[Path]:
    """The screenshots, written to `out`; their paths."""
    from playwright.sync_api import expect, sync_playwright

    if not (site / "region" / county / "index.html").is_file():
        raise SystemExit(f"{site}: no page for county {county}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serving(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for size, viewport in SIZES.items():
                page = browser.new_page(viewport=viewport)
                page.goto(base + "methodology/index.html")
                written.append(_shot(page, out / f"methodology-{size}.png"))
                page.goto(base + f"region/{county}/index.html")
                name = query or page.evaluate("document.querySelector('h1').firstChild.textContent.trim()")
                written.append(_shot(page, out / f"county-{size}.png"))
                page.goto(base + "search/index.html")
                page.locator(".pagefind-ui__search-input").press_sequentially(name, delay=50)  # typed
                expect(page.locator(".pagefind-ui__message")).to_contain_text(name, timeout=WAIT_MS)
                expect(page.locator(".pagefind-ui__result-link").first).to_be_visible(timeout=WAIT_MS)
                written.append(_shot(page, out / f"search-{size}.png"))
                page.close()
        finally:
            browser.close()
    return written


def _shot(page, path: Path) -> Path:
    page.wait_for_load_state("networkidle")  # the charts and the search's index have come
    page.screenshot(path=path, full_page=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNG files")
    parser.add_argument("--site", type=Path, help="a published site (DIR/site); default: the samples, published")
    parser.add_argument("--county", help="the county's code (its folder under region/); default: the first")
    parser.add_argument("--query", help="what to type in the search box; default: the county's name")
    parser.add_argument("--publisher", default="本站编者", help="publisher named when the samples are published")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-screenshots-") as scratch:
        site = args.site or publish_samples(Path(scratch), args.publisher)
        for path in take(site, args.out, args.county or first_county(site), args.query):
            print(path)


if __name__ == "__main__":
    main()
