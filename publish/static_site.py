"""The public static site, built from the published database in three steps: gather per-page
context objects (publish/home.py, publish/pages.py), render each in memory through the Jinja templates of
site/templates/, write it under `target`. Then the search index (Pagefind, offline).

Pages are produced county by county so memory stays bounded; everything is sorted and carries
no time, so two builds from the same database give the same bytes (Pagefind's filter files
included, see publish/search_index.py). Files already in `target`
(the original reports under sources/, written by the orchestrator) are left alone.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from db.wording import plural
from publish.downloads import DATABASE, write_downloads
from publish.home import home_pages
from publish.pages import HOME_SERIES, DownloadsPage, File, SearchPage, county_outputs, methodology_page
from publish.search_index import build_index
from publish.site_data import connect, load

SITE = Path(__file__).resolve().parent.parent / "site"
# Only the county and report pages are indexed: they carry names and narratives. (Original
# report files under sources/ may be HTML; they are never parsed.)
SEARCH_GLOB = "region/**/*.html"


def build_site(published_db: Path, target: Path, *, progress: Callable[[str], None] | None = None) -> None:
    """Build the site from the published database into `target` (created if needed)."""
    say = progress or (lambda message: None)
    target.mkdir(parents=True, exist_ok=True)
    env = environment()
    with closing(connect(published_db)) as conn:
        data = load(conn, HOME_SERIES)
        say(f"site: {plural(len(data.reports), 'report')}, writing the downloads")
        datasets, db_size = write_downloads(published_db, conn, target)
        fixed = [*home_pages(data), methodology_page(data), DownloadsPage(datasets, (DATABASE, db_size))]
        fixed.append(SearchPage(enabled=bool(data.reports)))
        _write(target, _render(env, fixed))
        counties = 0
        for counties, (name, outputs) in enumerate(county_outputs(conn, data), 1):
            _write(target, _render(env, outputs))
            if counties % 200 == 0:
                say(f"site: {plural(counties, 'county', 'counties')} ({name})")
        say(f"site: {plural(counties, 'county', 'counties')}, {plural(len(data.reports), 'report')}")
    _copy_static(target)
    if data.reports:
        say("site: search index")
        build_index(target)


def environment() -> Environment:
    """Jinja for untrusted data: everything escaped, and a missing name is an error, not blank."""
    return Environment(
        loader=FileSystemLoader(SITE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def root_of(path: str) -> str:
    """The relative way from a page back to the site root: links work under any prefix."""
    return "../" * path.count("/")


def _render(env: Environment, outputs: Iterable) -> Iterable[File]:
    for output in outputs:
        if isinstance(output, File):
            yield output
        else:
            html = env.get_template(output.template).render(page=output, root=root_of(output.path))
            yield File(output.path, html.encode("utf-8"))


def _write(target: Path, files: Iterable[File]) -> None:
    for file in files:
        path = target / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.content)


def _copy_static(target: Path) -> None:
    folder = target / "static"
    folder.mkdir(exist_ok=True)
    for path in sorted((SITE / "static").iterdir()):
        if path.is_file():
            shutil.copyfile(path, folder / path.name)
