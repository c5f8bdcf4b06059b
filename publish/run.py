"""Publish: the approved reports (or all, marked) as a Datasette directory and a static site.

    gather (publish/database.py) -> datasette/ (nianbao.db, metadata.json) -> site/ (pages, search)
    -> swapped in atomically (publish/fsutil.py) -> approved reports marked published

`out/datasette` and `out/site` are links through `out/.live`, itself a link to `out/.builds/NNNNNN/`;
the previous build stays whole until the new one is complete, then one rename switches both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from db.review import mark_published
from db.schema import Database
from db.store import now
from db.wording import plural
from publish import database
from publish.fsutil import new_build_dir, remove_old_builds, swap_in

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Published:
    out: Path
    reports: int
    unapproved: int  # published only because include_unapproved was asked, marked on the site
    seconds: float

    @property
    def datasette(self) -> Path:
        return self.out / "datasette"

    @property
    def site(self) -> Path:
        return self.out / "site"


def publish(
    db: Database, out: Path, *, include_unapproved: bool = False, progress: Progress | None = None
) -> Published:
    from publish.datasette import write_metadata  # heavy imports only when publishing
    from publish.static_site import build_site

    say = progress or (lambda message: None)
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    build = new_build_dir(out)
    with db.snapshot():  # reports, values and findings as of one moment, while others write
        reports = database.public_reports(db, include_unapproved)
        say(f"gathering {plural(len(reports), 'report')}")
        published_db = database.build(db, reports, _mkdir(build / "datasette") / "nianbao.db")
        say("writing the original files")
        _write_sources(db, reports, _mkdir(build / "site"))
    write_metadata(build / "datasette")
    say("building the site")
    build_site(published_db, build / "site", progress=say)
    swap_in(out, build, ("datasette", "site"))
    remove_old_builds(out, build)
    unapproved = sum(1 for r in reports if r["status"] not in database.PUBLIC_STATUSES)
    done = Published(out, len(reports), unapproved, time.perf_counter() - start)
    with db.atomic():  # the reports marked published and the publish logged, or neither
        mark_published(db, [r["id"] for r in reports if r["status"] == "approved"])
        db["publishes"].insert(
            {
                "at": now(),
                "out": str(out.resolve()),
                "reports": done.reports,
                "unapproved": unapproved,
                "seconds": done.seconds,
            }
        )
    return done


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_sources(db: Database, reports: list[dict], site: Path) -> None:
    """The original files, as agencies published them, at their stable paths."""
    for r in reports:
        path = site / database.source_file(r["region_code"], r["year"], r["id"], r["form"])
        path.parent.mkdir(parents=True, exist_ok=True)
        (content,) = db.execute("SELECT content FROM documents WHERE sha256 = ?", [r["sha256"]]).fetchone()
        path.write_bytes(content)
