"""The public static site, built from the published database in three steps: gather per-page
context objects (publish/home.py, publish/pages.py), render each in memory through the Jinja
templates of site/templates/, write it under `target`; and the search index (Pagefind, offline),
each bundle as soon as its pages are written.

Pages are produced county by county so memory stays bounded; everything is sorted and carries
no time, so two builds from the same database give the same bytes (Pagefind's filter files
included, see publish/search_index.py). Files already in `target`
(the original reports under sources/, written by the orchestrator) are left alone.

Given a `Scope`, `target` holds the previous site (publish/changes.py says what changed) and only
the scope's counties, the site-wide pages, and its counties' prefectures' downloads and search
bundles (one a prefecture) are written again; every file is
replaced, never written into (it may be the live site's too).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, as_completed
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from nianbao.db.workers import WorkerPool
from nianbao.publish import downloads
from nianbao.publish.assets import STATIC, TEMPLATES
from nianbao.publish.downloads import DATABASE
from nianbao.publish.fsutil import write_file
from nianbao.publish.home import home_pages
from nianbao.publish.pages import HOME_SERIES, DownloadsPage, File, SearchPage, county_outputs, methodology_page
from nianbao.publish.search_index import WORKERS as INDEXING_THREADS
from nianbao.publish.search_index import Indexer, bundle_of, start_services
from nianbao.publish.site_data import SiteData, load, with_narratives
from nianbao.publish.site_data import open_published as connect
from nianbao.publish.stamp import DEFAULT_PUBLISHER, Stamp
from nianbao.publish.untrusted import prefecture_key

WORKERS = min(2, os.cpu_count() or 1)  # page-writing processes for a whole site
PARALLEL_FROM = 200  # counties; fewer are written in this process (starting workers costs ~1 s)
CHUNK = 50  # counties a worker task


@dataclass(frozen=True)
class Scope:
    """The part of a site to build again over a copy of the previous one."""

    counties: set[str]  # folders under region/
    provinces: set[str]  # publish.untrusted.province_key (downloads and search go by the counties' prefectures)
    years: set[int | None] | None = None  # home pages; None: all


def build_site(
    published_db: Path,
    target: Path,
    *,
    progress: Callable[[str], object] | None = None,
    scope: Scope | None = None,
    publisher: str = DEFAULT_PUBLISHER,
    alongside: Callable[[], object] | None = None,
) -> None:
    """Build the site from the published database into `target` (created if needed): all of
    it, or the `scope` over the previous site already in `target`. Every page's foot names the
    `publisher` and when its data last changed (publish/stamp.py). `alongside`: the caller's
    own work for this site (the original files), done in this process while the pages are
    written.

    Nothing waits for what it does not need: the county and report pages and the downloads are
    tasks for the same worker processes, and each search bundle's Pagefind run starts as soon as
    its counties' pages are written (the largest bundles first), beside the pages still to come."""
    say = progress or (lambda message: None)
    target.mkdir(parents=True, exist_ok=True)
    if scope is not None:
        _clear(target, scope)
    env = environment(publisher)
    bundles = None if scope is None else {bundle_of(county) for county in scope.counties}
    with closing(connect(published_db)) as conn, start_services(_services_wanted(conn, bundles)) as services:
        data = load(conn, HOME_SERIES)
        keys = [key for key, _ in data.counties() if scope is None or key in scope.counties]
        say(f"网站：{len(data.reports)} 份报告，写入 {len(keys)} 个县的页面和下载文件")
        prefectures = None if scope is None else {prefecture_key(county) for county in scope.counties}
        places, parts = downloads.plan(conn, target, prefectures)
        every = _bundles(data)
        todo = _todo(every, set(keys), bundles)
        with Indexer(target, bundles, present=every, services=services) as indexer:
            if len(keys) >= PARALLEL_FROM and WORKERS > 1:
                _in_workers(published_db, target, (todo, every), parts, indexer, (alongside, say), publisher)
            else:
                for bundle, writing in todo:  # pages first: their Pagefind runs go on beside the rest
                    _write_counties(conn, env, target, data, writing)
                    indexer.add(bundle, every.get(bundle, []))
                if alongside is not None:
                    alongside()
                for part in parts:
                    downloads.write_part(conn, target, part)
            say(f"网站：{len(keys)} 个县，{len(data.reports)} 份报告")
            datasets, db_size = downloads.datasets(published_db, conn, target, places)
            fixed = [
                *home_pages(data, scope.years if scope else None),
                methodology_page(data),
                DownloadsPage(datasets, (DATABASE, db_size), data.updated),
                SearchPage(enabled=bool(data.reports), updated=data.updated),
            ]
            _write(target, _render(env, fixed))
            _copy_static(target)
            say("网站：搜索索引")  # what is left: the Pagefind runs still going


def _services_wanted(conn: sqlite3.Connection, bundles: set[str] | None) -> int:
    """The Pagefind services to start before the site data is read (`start_services`): for an
    update one a bundle to index (`bundles`), for a whole site (None) one an indexing thread (its
    bundles are known only from the data), at most one a thread either way; none for a site
    without reports."""
    if bundles is not None:
        return len(bundles)
    return INDEXING_THREADS if conn.execute("SELECT EXISTS (SELECT 1 FROM reports)").fetchone()[0] else 0


Todo = list[tuple[str, list[str]]]  # (search bundle, its counties to write), largest bundle first


def _bundles(data: SiteData) -> dict[str, list[str]]:
    """Every county key of the site, by search bundle."""
    out: dict[str, list[str]] = {}
    for key, _ in data.counties():
        out.setdefault(bundle_of(key), []).append(key)
    return out


def _todo(every: dict[str, list[str]], keys: set[str], bundles: set[str] | None) -> Todo:
    """The bundles to index again (all, or those of the scope) with their counties to write,
    the largest first (by pages): its Pagefind run, the longest, starts first."""
    names = set(every) if bundles is None else set(bundles)
    return sorted(
        ((name, [k for k in every.get(name, []) if k in keys]) for name in names),
        key=lambda item: (-len(item[1]), item[0]),
    )


def _write_counties(conn: sqlite3.Connection, env: Environment, target: Path, data: SiteData, keys: list[str]) -> None:
    if keys:
        pages_data = with_narratives(conn, data, set(keys))
        for _, outputs in county_outputs(conn, pages_data, set(keys)):
            _write(target, _render(env, outputs))


def _in_workers(
    published_db: Path,
    target: Path,
    bundles: tuple[Todo, dict[str, list[str]]],
    parts: list[downloads.Part],
    indexer: Indexer,
    caller: tuple[Callable[[], object] | None, Callable[[str], object]],
    publisher: str,
) -> None:
    """The county and report pages, CHUNK counties a task, then the download files, in WORKERS
    processes (CPU-bound Python and SQLite: one process uses one core); a bundle's last chunk
    done starts its Pagefind run. Meanwhile this process does the caller's work. Spawned, not
    forked: the caller may be the app, with threads."""
    (todo, every), (alongside, say) = bundles, caller
    with WorkerPool(WORKERS, initializer=_start_worker, initargs=(published_db, publisher)) as pool:
        pages: list[Future] = []
        for bundle, writing in todo:
            chunks = [writing[i : i + CHUNK] for i in range(0, len(writing), CHUNK)]
            index = partial(indexer.add, bundle, every.get(bundle, []))
            if not chunks:
                index()
            countdown = _Countdown(len(chunks), index)
            for chunk in chunks:
                future = pool.submit(_write_chunk, target, chunk)
                future.add_done_callback(countdown.done)
                pages.append(future)
        files = [pool.submit(_write_part, target, part) for part in parts]
        if alongside is not None:
            alongside()
        written, total = 0, sum(len(writing) for _, writing in todo)
        for future in as_completed(pages):
            written += future.result()
            say(f"网站：{written:,}/{total:,} 个县")
        for future in files:
            future.result()


class _Countdown:
    """Calls `then` once `count` tasks have succeeded (from the pool's thread)."""

    def __init__(self, count: int, then: Callable[[], object]) -> None:
        self._left, self._then, self._lock = count, then, threading.Lock()

    def done(self, future: Future) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        with self._lock:
            self._left -= 1
            finished = self._left == 0
        if finished:
            self._then()


_worker: dict = {}  # a worker process's connection, site data (without narratives) and Jinja


def _start_worker(published_db: Path, publisher: str) -> None:
    conn = connect(published_db)
    _worker.update(conn=conn, data=load(conn, HOME_SERIES), env=environment(publisher))


def _write_chunk(target: Path, keys: list[str]) -> int:
    _write_counties(_worker["conn"], _worker["env"], target, _worker["data"], keys)
    return len(keys)


def _write_part(target: Path, part: downloads.Part) -> None:
    downloads.write_part(_worker["conn"], target, part)


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
