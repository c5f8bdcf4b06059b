"""The database at a glance, and the review queue: what an operator needs first.

Both are plain queries over reports and findings, shared by the app's home screen and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nianbao.db.schema import Database
from nianbao.db.vocabulary import Severity, Status

# The queue's order of statuses; removed reports (tombstones) are counted apart and never queued.
STATUSES = (Status.NEEDS_REVIEW, Status.READY, Status.IMPORTED, Status.APPROVED, Status.PUBLISHED)


@dataclass(frozen=True)
class Overview:
    reports: int
    by_status: dict[str, int]
    by_year: dict[int, int]
    by_province: dict[str, int]
    errors: int
    warnings: int
    last_import: str | None
    last_publish: str | None
    last_publish_out: str | None  # the folder the last publish went to, offered again
    removed: int = 0  # tombstones: not counted in `reports`, never queued or published

    @property
    def publishable(self) -> int:
        """Reports a publish takes without being asked to include unapproved ones."""
        return self.by_status.get(Status.APPROVED, 0) + self.by_status.get(Status.PUBLISHED, 0)


def overview(db: Database) -> Overview:
    def counts(column: str) -> dict:
        return dict(
            db.execute(
                f"SELECT coalesce({column}, '—'), count(*) FROM reports WHERE status != ?"
                " GROUP BY 1 ORDER BY count(*) DESC, 1",
                [Status.REMOVED],
            ).fetchall()
        )

    severities = dict(
        db.execute(
            "SELECT severity, count(*) FROM findings WHERE report_id NOT IN"
            " (SELECT id FROM reports WHERE status = ?) GROUP BY severity",
            [Status.REMOVED],
        ).fetchall()
    )
    (removed,) = db.execute("SELECT count(*) FROM reports WHERE status = ?", [Status.REMOVED]).fetchone()
    last = db.execute("SELECT at, out FROM publishes ORDER BY at DESC, id DESC LIMIT 1").fetchone()
    return Overview(
        reports=db["reports"].count - removed,
        by_status={s: n for s in STATUSES if (n := counts("status").get(s))},
        by_year=dict(sorted(counts("year").items(), key=lambda kv: str(kv[0]), reverse=True)),
        by_province=counts("province"),
        errors=severities.get(Severity.ERROR, 0),
        warnings=severities.get(Severity.WARNING, 0),
        last_import=db.execute("SELECT max(at) FROM imports").fetchone()[0],
        last_publish=last[0] if last else None,
        last_publish_out=last[1] if last else None,
        removed=removed,
    )


@dataclass(frozen=True)
class QueueFilter:
    status: str | None = None
    year: int | None = None
    province: str | None = None
    rule: str | None = None


@dataclass(frozen=True)
class QueueRow:
    id: int
    organ: str | None
    region: str | None
    province: str | None
    year: int | None
    status: str
    errors: int
    warnings: int
    rules: tuple[str, ...] = field(default=())


def queue(db: Database, where: QueueFilter = QueueFilter()) -> list[QueueRow]:
    """Reports by what needs attention: most errors first, then warnings, newest year first."""
    conditions: list[str] = []
    params: list[object] = [Severity.ERROR, Severity.WARNING]  # the counts' placeholders come first
    if where.status != Status.REMOVED:
        conditions.append("r.status != ?")
        params.append(Status.REMOVED)
    for column, value in (("r.status", where.status), ("r.year", where.year), ("r.province", where.province)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    if where.rule:
        conditions.append("r.id IN (SELECT report_id FROM findings WHERE rule = ?)")
        params.append(where.rule)
    rows = db.query(
        "SELECT r.id, r.organ, r.region, r.province, r.year, r.status,"
        " count(CASE WHEN f.severity = ? THEN 1 END) AS errors,"
        " count(CASE WHEN f.severity = ? THEN 1 END) AS warnings,"
        " group_concat(DISTINCT f.rule) AS rules"
        " FROM reports r LEFT JOIN findings f ON f.report_id = r.id"
        + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
        + " GROUP BY r.id ORDER BY errors DESC, warnings DESC, r.year DESC, r.organ",
        params,
    )
    return [
        QueueRow(**{**row, "rules": tuple(sorted((row["rules"] or "").split(","))) if row["rules"] else ()})
        for row in rows
    ]
