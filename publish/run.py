"""Publish: the approved reports (or all, marked) as a Datasette directory and a static site.

    gather (publish/database.py) -> datasette/ (nianbao.db, metadata.json) -> site/ (pages, search)
    -> swapped in atomically (publish/fsutil.py) -> approved reports marked published

`out/datasette` and `out/site` are links through `out/.live`, itself a link to `out/.builds/NNNNNN/`;
the previous build stays whole until the new one is complete, then one rename switches both.

A publish after a few changes (publish/changes.py compares with the live build's state) does not
start from nothing: it takes the build before the live one, brings it level with the live one by
hard links (publish/fsutil.py `mirror`), replaces the changed reports' rows in a copy of the live
database and builds again only their counties, the site-wide pages, and their prefectures' search
bundles and downloads. With nothing changed the live build stays as it is.
"""

from __future__ import annotations

import errno
import os
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.db.review import mark_published
from nianbao.db.schema import Database
from nianbao.db.store import now
from nianbao.db.vocabulary import Status
from nianbao.publish import database
from nianbao.publish.changes import (
    Changes,
    State,
    build_id,
    compare,
    current_state,
    forget_state,
    read_state,
    touched_paths,
    write_state,
)
from nianbao.publish.fsutil import (
    BUILDS,
    live_build,
    mirror,
    mirror_paths,
    new_build_dir,
    point_live,
    remove_old_builds,
    spare_build_dir,
    swap_in,
    write_file,
)
from nianbao.publish.guard import WouldRemove, removals
from nianbao.publish.stamp import DEFAULT_PUBLISHER, Stamp, checked_publisher, newest

Progress = Callable[[str], object]  # told each step; what it returns is ignored
PUBLISHED_DB = Path("datasette", "nianbao.db")


@dataclass(frozen=True)
class Published:
    out: Path
    reports: int
    unapproved: int  # published only because include_unapproved was asked, marked on the site
    seconds: float
    changed: int | None = None  # reports written again by an incremental publish; None: all of them
    publisher: str = DEFAULT_PUBLISHER

    @property
    def datasette(self) -> Path:
        return self.out / "datasette"

    @property
    def site(self) -> Path:
        return self.out / "site"

    def summary(self) -> str:
        """已发布 5 份报告（4 份未批准，已标注），重建有变化的报告 1 份，用时 2.1 秒"""
        unapproved = f"（{self.unapproved} 份未批准，已标注）" if self.unapproved else ""
        if self.changed is None:
            rebuilt = ""
        elif self.changed == 0:
            rebuilt = "，没有变化"
        else:
            rebuilt = f"，重建有变化的报告 {self.changed} 份"
        return f"已发布 {self.reports} 份报告{unapproved}{rebuilt}，用时 {self.seconds:.1f} 秒"


def publish(
    db: Database,
    out: Path,
    *,
    include_unapproved: bool = False,
    full: bool = False,
    progress: Progress | None = None,
    allow_removals: bool = False,
    publisher: str | None = None,
) -> Published:
    """Publish into `out`: only what changed since the last publish there, or everything
    (`full`, a first publish, another version of nianbao, or most of the site changed).
    `publisher` is named on every page; None: the one the last publish into `out` named
    (the publish log), else DEFAULT_PUBLISHER."""
    from nianbao.publish.datasette import write_metadata  # heavy imports only when publishing
    from nianbao.publish.static_site import Scope, build_site

    say = progress or (lambda message: None)
    start = time.perf_counter()
    publisher = checked_publisher(publisher) if publisher is not None else last_publisher(db, out)
    created = prepare_out(out)
    live = live_build(out)
    last = None if full else read_state(live)
    build: Path | None = None
    try:
        # The snapshot: reports, values and findings as of one moment, while others write.
        with ThreadPoolExecutor(1, thread_name_prefix="copy-ahead") as ahead, db.snapshot():
            copy = None if last is None or live is None else _copy_ahead(ahead, out, live)
            reports = database.public_reports(db, include_unapproved)
            gone = removals(live / PUBLISHED_DB if live else None, reports)
            if gone is not None and gone.any:
                if not allow_removals:
                    raise WouldRemove(gone)
                say(f"按要求移除：{gone.describe()}")
            state = current_state(db, reports, include_unapproved, publisher, last)
            changes = compare(last, state)
            if changes is not None and changes.none:
                say(f"自上次发布以来没有变化（{len(reports)} 份报告）")
                assert live is not None  # changes are only known from the state of a live build
                build = live
            elif changes is None:
                build, sources = _gather_all(db, reports, out, say), reports
            else:  # changes are only known from the live build's state, whose copy is under way
                assert copy is not None and live is not None and last is not None
                build, sources = _gather_changes(db, reports, changes, copy, (live, last), say)
        if build != live:
            write_metadata(build / "datasette", Stamp(publisher, newest(r["updated"] for r in reports)))
            say("生成网站")
            scope = None if changes is None else Scope(changes.counties, changes.provinces, changes.years)
            site = build / "site"
            # The original files, while the page workers run: read after the snapshot, which is
            # safe for documents alone (stored once by their sha256, never changed or deleted).
            build_site(
                build / PUBLISHED_DB,
                site,
                progress=say,
                scope=scope,
                publisher=publisher,
                alongside=lambda: _write_sources(db, sources, site, say),
            )
            write_state(build, _stamped(state, last, changes, build))
        unapproved = sum(1 for r in reports if r["status"] not in database.PUBLIC_STATUSES)
        changed = None if changes is None else len(changes.changed) + len(changes.removed)
        done = Published(out, len(reports), unapproved, time.perf_counter() - start, changed, publisher)
        _go_live(db, done, build, live, [r["id"] for r in reports if r["status"] == Status.APPROVED])
    except BaseException:
        _discard(out, created)
        raise
    remove_old_builds(out, build)
    return done


LIVE_NAMES = ("datasette", "site")


def last_publisher(db: Database, out: Path) -> str:
    """The publisher the last publish into `out` named (the publish log), so an update keeps it;
    DEFAULT_PUBLISHER for a first publish there."""
    row = db.execute(
        "SELECT publisher FROM publishes WHERE out = ? AND publisher IS NOT NULL ORDER BY id DESC LIMIT 1",
        [str(out.resolve())],
    ).fetchone()
    return row[0] if row else DEFAULT_PUBLISHER


def prepare_out(out: Path) -> bool:
    """Make `out` (True if this publish made it) and prove a file can be written in it, before
    anything is built: a file, a device, a folder without permission or on a read-only or
    virtual file system (/proc) fails here, with its own reason, and nothing is left behind."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "不是文件夹", str(out))
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        probe = out / f".write-test-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
        if (out / BUILDS).exists():
            probe = out / BUILDS / f".write-test-{uuid.uuid4().hex}"
            probe.write_bytes(b"")
            probe.unlink()
    except OSError:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return created


def _go_live(db: Database, done: Published, build: Path | None, live: Path | None, approved: list[int]) -> None:
    """The swap and its record, one outcome. The write lock is taken first: a database locked
    past the busy timeout fails here, with the previous build still live. The record is written,
    the build swapped in, the record committed; if the swap or the commit fails, the previous
    build is live again and nothing is recorded."""
    swapping = build if build != live else None  # the build to swap in, if not live already
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        _record(db, done, approved)
        if swapping is not None:
            swap_in(done.out, swapping, LIVE_NAMES)
        db.conn.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        if swapping is not None:
            point_live(done.out, live)
        raise


def _discard(out: Path, created: bool) -> None:
    """A failed first publish leaves no folder behind. Into an existing folder, its unfinished
    build stays in out/.builds, where the next publish takes it as its spare."""
    if created:
        shutil.rmtree(out, ignore_errors=True)


def _gather_all(db: Database, reports: list[dict], out: Path, say: Progress) -> Path:
    """A new build with every report in its published database (the original files come with
    the site)."""
    build = new_build_dir(out)
    say(f"汇集 {len(reports)} 份报告")
    database.build(db, reports, _mkdir(build / "datasette") / "nianbao.db")
    return build


def _copy_ahead(pool: ThreadPoolExecutor, out: Path, live: Path) -> Future[Path]:
    """The live published database copied into the spare build (`_copy_database`), started
    before the publish knows it is an update (the usual case when the live build has a state):
    the copy, ~400 MiB and 0.15–0.3 s at 15,000 reports, goes on while the reports are read and
    compared. When it is not an update the copy stays in the spare, which the next update
    copies again."""
    return pool.submit(_copy_database, live, spare_build_dir(out, live))


def _copy_database(live: Path, build: Path) -> Path:
    """The live build's published database copied into `build` as a new file (Datasette may be
    reading the live one) and flushed to disk, so that the commit which then writes the changed
    reports into it flushes those pages alone, not the whole copy. Returns `build`."""
    shutil.rmtree(build / "datasette", ignore_errors=True)
    target = _mkdir(build / "datasette") / PUBLISHED_DB.name
    shutil.copyfile(live / PUBLISHED_DB, target)
    with target.open("rb") as copied:
        os.fsync(copied.fileno())
    return build


def _gather_changes(
    db: Database, reports: list[dict], changes: Changes, copy: Future[Path], last: tuple[Path, State], say: Progress
) -> tuple[Path, list[dict]]:
    """The spare build (`copy`: its published database being copied from the live one) made
    level with the live one, then the changed reports written again; returns the build and the
    reports whose original files are to be written."""
    say(f"{len(changes.counties)} 个县的 {len(changes.changed) + len(changes.removed)} 份报告有变化：更新上次的发布")
    live, live_state = last
    build = copy.result()
    linked = _level(build, live, live_state)
    say(f"沿用上次发布的文件 {linked} 个")
    changed = set(changes.changed)
    rows = [r for r in reports if r["id"] in changed]
    database.replace(db, rows, build / PUBLISHED_DB, changes.removed)
    say("已更新发布的数据库")
    for source in sorted(changes.stale_sources):
        (build / "site" / source).unlink(missing_ok=True)
    return build, rows


def _level(build: Path, live: Path, live_state: State) -> int:
    """Make the spare build's site level with the live one's. When the spare is the build the
    live one was updated from, only the paths that update touched can differ; otherwise (a full
    publish since, an interrupted update) every file is compared."""
    spare = build_id(build)
    forget_state(build)  # from here on the spare is neither its old self nor the new build
    if spare is not None and live_state.touched is not None and live_state.base == spare:
        return mirror_paths(live / "site", build / "site", live_state.touched)
    return mirror(live / "site", build / "site")


def _stamped(state: State, last: State | None, changes: Changes | None, build: Path) -> State:
    """The state to keep with a finished build: its own id, and for an update the build it
    started from and what it touched."""
    if changes is None:
        return replace(state, build=uuid.uuid4().hex)
    touched = touched_paths(changes, state, build / "site")
    return replace(state, build=uuid.uuid4().hex, base=last.build if last else None, touched=touched)


def _record(db: Database, done: Published, approved: list[int]) -> None:
    """The reports marked published and the publish logged, or neither (in `_go_live`'s
    transaction)."""
    with db.atomic():
        mark_published(db, approved)
        db.table("publishes").insert(
            {
                "at": now(),
                "out": str(done.out.resolve()),
                "reports": done.reports,
                "unapproved": done.unapproved,
                "seconds": done.seconds,
                "publisher": done.publisher,
            }
        )


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_sources(db: Database, reports: list[dict], site: Path, say: Progress) -> None:
    """The original files, as agencies published them, at their stable paths."""
    say(f"写入原始文件 {len(reports)} 个")
    for r in reports:
        path = site / database.source_file(r["region_code"], r["year"], r["id"], r["form"])
        (content,) = db.execute("SELECT content FROM documents WHERE sha256 = ?", [r["sha256"]]).fetchone()
        write_file(path, content)
