"""What changed since the last publish, so that a publish after one correction rebuilds one county.

Each build keeps, beside its site and Datasette folders (never published), a small state file: a
fingerprint of the code and settings that shaped it, and per report a digest of everything the
public sees of it (its row, hence its document; its findings; its corrections) with where it
sits on the site, and the report's mark then (db/schema.py m010: triggers give a report a new
mark at every write that may change its digest), so that only the reports whose mark moved are
digested again. The next publish compares: under the same fingerprint only the counties and
provinces of reports that changed, came or went are built again. Anything else (another version
of nianbao or of a library that writes pages, the include-unapproved choice, the publisher) rebuilds everything,
as does a change that touches most of the site, which is faster done whole.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import nianbao.db as db_package
from nianbao.db.schema import Database
from nianbao.db.vocabulary import Status
from nianbao.publish.assets import SITE
from nianbao.publish.database import PUBLIC_STATUSES, source_file
from nianbao.publish.untrusted import province_key, region_key

STATE_FILE = "state.json"
# The folders whose files shape what a publish writes: nianbao's own, wherever it is installed
# (never whatever else is importable as `db`).
SHAPERS = {"db": Path(db_package.__file__).parent, "publish": Path(__file__).parent, "site": SITE}
LIBRARIES = ("jinja2", "markdown-it-py", "pagefind", "sqlite-utils", "lxml")
WHOLE_SHARE = 0.25  # rebuild everything when more than this share of counties changed
WHOLE_MIN = 100  # … and more than this many: a small site is always updated


@dataclass(frozen=True)
class Placed:
    """A published report: its digest and where it sits on the site."""

    digest: str
    year: int | None  # its home page
    county: str  # its folder under region/
    province: str  # its search shard and download files
    source: str  # its original file's path on the site
    mark: str = field(default="", compare=False)  # its mark when digested; "": unknown, digest again


@dataclass(frozen=True)
class State:
    fingerprint: str
    reports: dict[int, Placed]
    build: str = ""  # this build's own id
    base: str | None = None  # the id of the build an update started from (the live one then)
    touched: list[str] | None = None  # site paths the update wrote or removed; None: all of them


@dataclass(frozen=True)
class Changes:
    """What a publish must redo, given the last one."""

    changed: list[int]  # reports new or different: their rows are written again
    removed: list[int]  # reports no longer published
    counties: set[str]  # county folders to build again (where reports were, and are)
    provinces: set[str]  # search shards and download files to write again
    years: set[int | None] | None  # home pages to write again; None: all (the set of years changed)
    stale_sources: set[str]  # original files to delete (the old paths of changed and removed reports)

    @property
    def none(self) -> bool:
        return not self.changed and not self.removed


def fingerprint(include_unapproved: bool, publisher: str = "") -> str:
    """The code, templates and libraries that shape a publish, and its settings (the publisher
    is named on every page)."""
    h = hashlib.sha256(f"unapproved={include_unapproved}\0publisher={publisher}".encode())
    for name, folder in SHAPERS.items():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix != ".pyc":
                h.update(f"{name}/{path.relative_to(folder)}".encode() + b"\0" + path.read_bytes())
    for name in LIBRARIES:
        h.update(f"{name}={_version(name)}".encode())
    return h.hexdigest()


def current_state(
    db: Database, reports: list[dict], include_unapproved: bool, publisher: str = "", last: State | None = None
) -> State:
    """The state of the reports about to be published (read in the publish's snapshot). A report
    whose mark is the one `last` (made under the same fingerprint) saw keeps its digest from
    there; the others are digested again."""
    printed = fingerprint(include_unapproved, publisher)
    marks: dict[int, str] = dict(db.execute("SELECT report_id, mark FROM report_marks").fetchall())
    known = last.reports if last is not None and last.fingerprint == printed else {}
    digests = _digests(db, [r for r in reports if not _same_mark(known.get(r["id"]), marks.get(r["id"]))])
    placed = {}
    for r in reports:
        placed[r["id"]] = Placed(
            digests[r["id"]] if r["id"] in digests else known[r["id"]].digest,
            r["year"] if isinstance(r["year"], int) else None,
            region_key(r["region_code"], r["id"]),
            province_key(r["region_code"]),
            source_file(r["region_code"], r["year"], r["id"], r["form"]),
            marks.get(r["id"], ""),
        )
    return State(printed, placed)


def _same_mark(seen: Placed | None, mark: str | None) -> bool:
    return seen is not None and bool(mark) and seen.mark == mark


def _digests(db: Database, reports: list[dict]) -> dict[int, str]:
    """Each report's digest: its row (every column but status, in order), its findings and its
    corrections."""
    if not reports:
        return {}
    ids = [json.dumps([r["id"] for r in reports])]
    only = "WHERE report_id IN (SELECT value FROM json_each(?))"
    findings = _grouped(db, f"SELECT * FROM findings {only} ORDER BY report_id, id", ids, skip=("id",))
    corrections = _grouped(db, f"SELECT * FROM corrections {only} ORDER BY report_id, id", ids, skip=("id", "who"))
    columns = [k for k in reports[0] if k != "status"]  # every one but status, in order
    out = {}
    for r in reports:
        # published reads as approved; .value: a plain str, so the digest (its repr) stays as before
        status = Status.APPROVED.value if r["status"] in PUBLIC_STATUSES else r["status"]
        public = (*(r[k] for k in columns), status)
        seen = repr((public, findings.get(r["id"]), corrections.get(r["id"])))
        out[r["id"]] = hashlib.blake2b(seen.encode(), digest_size=16).hexdigest()
    return out


def compare(old: State | None, new: State) -> Changes | None:
    """What to redo to go from `old` to `new`; None when everything must be built."""
    if old is None or old.fingerprint != new.fingerprint:
        return None
    changed = [i for i, p in new.reports.items() if old.reports.get(i) != p]
    removed = [i for i in old.reports if i not in new.reports]
    before = [old.reports[i] for i in (*changed, *removed) if i in old.reports]
    after = [new.reports[i] for i in changed]
    counties = {p.county for p in (*before, *after)}
    if len(counties) > max(WHOLE_MIN, WHOLE_SHARE * len({p.county for p in new.reports.values()})):
        return None
    years = {p.year for p in (*before, *after)}
    every_year = {p.year for p in old.reports.values()} != {p.year for p in new.reports.values()} or None in years
    return Changes(
        changed,
        removed,
        counties,
        {p.province for p in (*before, *after)},
        None if every_year else years,  # undated reports are listed on every home page
        {p.source for p in before},
    )


def touched_paths(changes: Changes, new: State, site: Path) -> list[str]:
    """The site paths an update wrote or removed: its counties' folders, the original files it
    deleted or wrote, its provinces' search shards, and everything site-wide (every top-level
    entry but region/, sources/ and pagefind/, and pagefind/'s own files). The next update makes
    the build before it level through these alone."""
    paths = {f"region/{c}" for c in changes.counties} | set(changes.stale_sources)
    paths |= {new.reports[i].source for i in changes.changed}
    paths |= {f"pagefind/{p}" for p in changes.provinces}
    paths |= {e.name for e in site.iterdir() if e.name not in ("region", "sources", "pagefind")}
    if (site / "pagefind").is_dir():
        paths |= {f"pagefind/{e.name}" for e in (site / "pagefind").iterdir() if not e.is_dir()}
    return sorted(paths)


def read_state(build: Path | None) -> State | None:
    """The state a build was made from, or None (no build, or one from before states)."""
    if build is None:
        return None
    try:
        with (build / STATE_FILE).open(encoding="utf-8") as file:
            head, reports = json.loads(file.readline()), json.loads(file.readline())
        placed = {int(k): Placed(*v) for k, v in reports.items()}
        return State(head["fingerprint"], placed, head["build"], head["base"], head["touched"])
    except (TypeError, OSError, ValueError, KeyError, AttributeError):
        return None


def build_id(build: Path) -> str | None:
    """The id in a build's state (None without one), its first line alone: the reports after
    it (some 2 MB at 15,000 reports) are not read."""
    try:
        with (build / STATE_FILE).open(encoding="utf-8") as file:
            built = json.loads(file.readline())["build"]
    except (TypeError, OSError, ValueError, KeyError):
        return None
    return built if isinstance(built, str) and built else None


def write_state(build: Path, state: State) -> None:
    """Written last, when the build is whole: a build without one is never trusted. Two lines of
    JSON: what the build is (`build_id` reads this line alone), then its reports."""
    reports = {
        str(k): [p.digest, p.year, p.county, p.province, p.source, p.mark] for k, p in sorted(state.reports.items())
    }
    head = {"fingerprint": state.fingerprint, "build": state.build, "base": state.base, "touched": state.touched}
    text = f"{json.dumps(head, ensure_ascii=False)}\n{json.dumps(reports, ensure_ascii=False)}\n"
    (build / STATE_FILE).write_text(text, encoding="utf-8")


def forget_state(build: Path) -> None:
    """A build about to be changed is no longer what its state says."""
    (build / STATE_FILE).unlink(missing_ok=True)


def _grouped(db: Database, query: str, params: list, skip: tuple[str, ...]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = defaultdict(list)
    cursor = db.execute(query, params)
    names = [c[0] for c in cursor.description]
    keep = [i for i, name in enumerate(names) if name not in skip]
    report = names.index("report_id")
    for row in cursor:
        out[row[report]].append(tuple(row[i] for i in keep))
    return out


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"
