"""The public static site, built from the published database in three steps: gather per-page
context objects (publish/home.py, publish/pages.py), render each in memory through the Jinja templates of
site/templates/, write it under `target`. Then the search index (Pagefind, offline).

Pages are produced county by county so memory stays bounded; everything is sorted and carries
no time, so two builds from the same database give the same bytes (Pagefind's filter files
included, see publish/search_index.py). Files already in `target`
(the original reports under sources/, written by the orchestrator) are left alone.

Given a `Scope`, `target` holds the previous site (publish/changes.py says what changed) and only
the scope's counties, the site-wide pages, and the scope's provinces' downloads and search shards
are written again; every file is replaced, never written into (it may be the live site's too).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from nianbao.db.workers import WorkerPool
from nianbao.publish.assets import STATIC, TEMPLATES
from nianbao.publish.downloads import DATABASE, write_downloads
from nianbao.publish.fsutil import write_file
from nianbao.publish.home import home_pages
from nianbao.publish.pages import HOME_SERIES, DownloadsPage, File, SearchPage, county_outputs, methodology_page
from nianbao.publish.search_index import build_index
from nianbao.publish.site_data import load, with_narratives
from nianbao.publish.site_data import open_published as connect
from nianbao.publish.stamp import DEFAULT_PUBLISHER, Stamp

WORKERS = min(2, os.cpu_count() or 1)  # page-writing processes for a whole site
PARALLEL_FROM = 200  # counties; fewer are written in this process (starting workers costs ~1 s)
CHUNK = 50  # counties a worker task


@dataclass(frozen=True)
class Scope:
    """The part of a site to build again over a copy of the previous one."""

    counties: set[str]  # folders under region/
    provinces: set[str]  # publish.untrusted.province_key
    years: set[int | None] | None = None  # home pages; None: all


def build_site(
    published_db: Path,
    target: Path,
    *,
    progress: Callable[[str], object] | None = None,
    scope: Scope | None = None,
    publisher: str = DEFAULT_PUBLISHER,
) -> None:
    """Build the site from the published database into `target` (created if needed): all of
    it, or the `scope` over the previous site already in `target`. Every page's foot names the
    `publisher` and when its data last changed (publish/stamp.py)."""
    say = progress or (lambda message: None)
    target.mkdir(parents=True, exist_ok=True)
    if scope is not None:
        _clear(target, scope)
    env = environment(publisher)
    with closing(connect(published_db)) as conn:
        data = load(conn, HOME_SERIES)
        say(f"网站：{len(data.reports)} 份报告，写入下载文件")
        datasets, db_size = write_downloads(published_db, conn, target, scope.provinces if scope else None)
        fixed = [
            *home_pages(data, scope.years if scope else None),
            methodology_page(data),
            DownloadsPage(datasets, (DATABASE, db_size), data.updated),
        ]
        fixed.append(SearchPage(enabled=bool(data.reports), updated=data.updated))
        _write(target, _render(env, fixed))
        keys = [key for key, _ in data.counties() if scope is None or key in scope.counties]
        if len(keys) >= PARALLEL_FROM and WORKERS > 1:
            _write_counties_in_workers(published_db, target, keys, say, publisher)
        else:
            pages_data = with_narratives(conn, data, set(keys))
            for done, (name, outputs) in enumerate(county_outputs(conn, pages_data, set(keys)), 1):
                _write(target, _render(env, outputs))
                if done % 200 == 0:
                    say(f"网站：{done} 个县（{name}）")
        say(f"网站：{len(keys)} 个县，{len(data.reports)} 份报告")
    _copy_static(target)
    if data.reports:
        say("网站：搜索索引")
        build_index(target, scope.provinces if scope else None)
    else:  # Pagefind cannot index a site without pages
        shutil.rmtree(target / "pagefind", ignore_errors=True)


def _write_counties_in_workers(
    published_db: Path, target: Path, keys: list[str], say: Callable[[str], object], publisher: str
) -> None:
    """The county and report pages in WORKERS processes, CHUNK counties a task: the pages are
    CPU-bound Python (Jinja, charts), so one process uses one core. Spawned, not forked: the
    caller may be the app, with threads."""
    chunks = [keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK)]
    with WorkerPool(WORKERS, initializer=_start_worker, initargs=(published_db, publisher)) as pool:
        written = 0
        for count in pool.map(_write_chunk, [target] * len(chunks), chunks):
            written += count
            say(f"网站：{written}/{len(keys):,} 个县")


_worker: dict = {}  # a worker process's connection, site data (without narratives) and Jinja


def _start_worker(published_db: Path, publisher: str) -> None:
    conn = connect(published_db)
    _worker.update(conn=conn, data=load(conn, HOME_SERIES), env=environment(publisher))


def _write_chunk(target: Path, keys: list[str]) -> int:
    conn, env = _worker["conn"], _worker["env"]
    data = with_narratives(conn, _worker["data"], set(keys))
    for _, outputs in county_outputs(conn, data, set(keys)):
        _write(target, _render(env, outputs))
    return len(keys)


def _clear(target: Path, scope: Scope) -> None:
    """Remove what the scope writes again and what may be gone: its counties' folders, and the
    per-year home pages when the set of years changed (a year may have lost its last report)."""
    for name in sorted(scope.counties):
        shutil.rmtree(target / "region" / name, ignore_errors=True)
    if scope.years is None:
        shutil.rmtree(target / "year", ignore_errors=True)


# Pagefind's weights (0–10; a heading counts 7 by default, text 1) of the names on a county's
# page, so that it ranks first for its name: the county's name (heading and spelled copy) the
# heaviest, its prefecture's spelled copy light (publish/pages.py search_chars).
SEARCH_WEIGHTS = {"own_name": "10", "place": "0.5"}


def environment(publisher: str = DEFAULT_PUBLISHER) -> Environment:
    """Jinja for untrusted data: everything escaped, and a missing name is an error, not blank.
    `stamp(page)` is the foot line of a page: the publisher and when its data last changed."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["stamp"] = lambda page: Stamp(publisher, page.updated).text
    env.globals["weights"] = SEARCH_WEIGHTS
    return env


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
        write_file(target / file.path, file.content)


def _copy_static(target: Path) -> None:
    for path in sorted(STATIC.iterdir()):
        if path.is_file():
            write_file(target / "static" / path.name, path.read_bytes())
