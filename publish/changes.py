"""What changed since the last publish, so that a publish after one correction rebuilds one county.

Each build keeps, beside its site and Datasette folders (never published), a small state file: a
fingerprint of the code and settings that shaped it, and per report a digest of everything the
public sees of it (its row, hence its document; its findings; its corrections) with where it
sits on the site. The next publish compares: under the same fingerprint only the counties and
provinces of reports that changed, came or went are built again. Anything else (another version
of nianbao or of a library that writes pages, the include-unapproved choice, the publisher) rebuilds everything,
as does a change that touches most of the site, which is faster done whole.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
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


def current_state(db: Database, reports: list[dict], include_unapproved: bool, publisher: str = "") -> State:
    """The state of the reports about to be published (read in the publish's snapshot)."""
    findings = _grouped(db, "SELECT * FROM findings ORDER BY report_id, id", skip=("id",))
    corrections = _grouped(db, "SELECT * FROM corrections ORDER BY report_id, id", skip=("id", "who"))
    columns = [k for k in reports[0] if k != "status"] if reports else []  # every one but status, in order
    placed = {}
    for r in reports:
        # published reads as approved; .value: a plain str, so the digest (its repr) stays as before
        status = Status.APPROVED.value if r["status"] in PUBLIC_STATUSES else r["status"]
        public = (*(r[k] for k in columns), status)
        seen = repr((public, findings.get(r["id"]), corrections.get(r["id"])))
        digest = hashlib.blake2b(seen.encode(), digest_size=16).hexdigest()
        placed[r["id"]] = Placed(
            digest,
            r["year"] if isinstance(r["year"], int) else None,
            region_key(r["region_code"], r["id"]),
            province_key(r["region_code"]),
            source_file(r["region_code"], r["year"], r["id"], r["form"]),
        )
    return State(fingerprint(include_unapproved, publisher), placed)


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
        raw = json.loads((build / STATE_FILE).read_text(encoding="utf-8"))
        reports = {int(k): Placed(*v) for k, v in raw["reports"].items()}
        return State(raw["fingerprint"], reports, raw.get("build", ""), raw.get("base"), raw.get("touched"))
    except (TypeError, OSError, ValueError, KeyError):
        return None


def write_state(build: Path, state: State) -> None:
    """Written last, when the build is whole: a build without one is never trusted."""
    reports = {str(k): [p.digest, p.year, p.county, p.province, p.source] for k, p in sorted(state.reports.items())}
    raw = {"fingerprint": state.fingerprint, "build": state.build, "base": state.base, "touched": state.touched}
    text = json.dumps({**raw, "reports": reports}, ensure_ascii=False)
    (build / STATE_FILE).write_text(text, encoding="utf-8")


def forget_state(build: Path) -> None:
    """A build about to be changed is no longer what its state says."""
    (build / STATE_FILE).unlink(missing_ok=True)


def _grouped(db: Database, query: str, skip: tuple[str, ...]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = defaultdict(list)
    cursor = db.execute(query)
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
