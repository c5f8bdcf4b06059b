"""What the front ends read from the database besides the review queue (db/overview.py) and the
stored reports (db/review/): the CLI's list, a report's suggested values, the demo's summary.
The app and the CLI call these functions; neither writes SQL of its own."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from nianbao.db.overview import QueueFilter, QueueRow, queue
from nianbao.db.schema import Database
from nianbao.db.vocabulary import Severity, Status


@dataclass(frozen=True)
class ListedReport:
    """A report as `nianbao list` shows it: the queue's row, with where it is and which file it came from."""

    id: int
    organ: str | None
    region: str | None
    region_code: str | None
    year: int | None
    format: str | None
    status: str
    errors: int
    warnings: int
    file: str | None

    def as_json(self) -> dict:
        return asdict(self)


def listing(db: Database) -> list[ListedReport]:
    """Every report in the order of the app's review queue (most errors first), then the removed
    ones: the queue is the one definition of that order and of the counts."""
    rows: list[QueueRow] = queue(db) + queue(db, QueueFilter(status=Status.REMOVED))
    # read after the queue: a report is never deleted (removal is a tombstone), so every id is here
    extra = {
        report_id: {"region_code": region_code, "format": form, "file": file}
        for report_id, region_code, form, file in db.execute(
            "SELECT r.id, r.region_code, r.format, d.name FROM reports r LEFT JOIN documents d ON d.sha256 = r.document"
        )
    }
    return [
        ListedReport(
            id=row.id,
            organ=row.organ,
            region=row.region,
            year=row.year,
            status=row.status,
            errors=row.errors,
            warnings=row.warnings,
            **extra[row.id],
        )
        for row in rows
    ]


def active_report_ids(db: Database) -> list[int]:
    """The reports the checks run on: all but the removed ones (tombstones)."""
    return [r for (r,) in db.execute("SELECT id FROM reports WHERE status != ? ORDER BY id", [Status.REMOVED])]


def suggestions(db: Database, report_id: int) -> list[dict]:
    """A report's suggested values (cell, value, rule, derivation), in cell-path order."""
    return list(db.query("SELECT * FROM suggestions WHERE report_id = ? ORDER BY cell", [report_id]))


def suggestion_count(db: Database) -> int:
    """Suggested values offered over the whole database."""
    return db["suggestions"].count


def severity_counts(db: Database) -> dict[Severity, int]:
    """Findings by severity over the whole database (every severity present, 0 where none)."""
    found = dict(db.execute("SELECT severity, count(*) FROM findings GROUP BY severity").fetchall())
    return {severity: found.get(severity, 0) for severity in Severity}


@dataclass(frozen=True)
class Received:
    """One report's applications newly received this year (table 三, row new_received, total)."""

    organ: str | None
    year: int | None
    region_code: str | None
    province: str | None
    prefecture: str | None
    total: object


def new_received(db: Database) -> list[Received]:
    """Each report's total of new applications, in the order they were imported (the demo's summary)."""
    return [
        Received(**row)
        for row in db.query(
            "SELECT r.organ, r.year, r.region_code, r.province, r.prefecture, t.total FROM reports r"
            " JOIN table3_wide t ON t.report_id = r.id WHERE t.row_key = 'new_received' ORDER BY r.id"
        )
    ]
