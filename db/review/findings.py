"""The checks kept up to date: findings, suggested values and the status they settle, stored per
report; blanks an operator reviewed count as settled.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from nianbao.db.checks import Finding, run_checks
from nianbao.db.checks.registry import Suggestion
from nianbao.db.format import ROW_WILDCARD, cell_path, parse_cell_path
from nianbao.db.model import Report
from nianbao.db.review.log import OPEN_STATUSES, set_status
from nianbao.db.review.stored import load_report, neighbour
from nianbao.db.schema import Database
from nianbao.db.store import insert_rows
from nianbao.db.vocabulary import Severity, Status


def recheck(db: Database, report_id: int, *, neighbours: bool = True) -> list[Finding]:
    """Run every rule on a report and store the findings, suggestions and status; then the next
    year's report of the same organ, whose cross-year rules depend on this one. The rules read
    the report as stored (`load_report`, the effective cells), never the parser's copy, so an
    import and a later re-check judge the same cells (about 2 ms a report to read back)."""
    report = load_report(db, report_id)
    previous_id = neighbour(db, report, -1)
    previous = load_report(db, previous_id) if previous_id else None
    findings = without_reviewed_blanks(run_checks(report, previous), report, reviewed_blanks(db, report_id))
    with db.atomic():
        db.execute("DELETE FROM findings WHERE report_id = ?", [report_id])
        db.execute("DELETE FROM suggestions WHERE report_id = ?", [report_id])
        insert_rows(db, "findings", _FINDING_COLUMNS, [_finding_row(report_id, f) for f in findings])
        insert_rows(
            db,
            "suggestions",
            ("report_id", "cell", "value", "rule", "derivation"),
            [(report_id, s.cell, s.value, s.rule, s.derivation) for s in _offered(findings)],
        )
        _settle_status(db, report_id, findings)
        if neighbours and (next_id := neighbour(db, report, +1)):
            recheck(db, next_id, neighbours=False)
    return findings


def reviewed_blanks(db: Database, report_id: int) -> set[str]:
    """Cells an operator recorded as blank as printed: their latest correction keeps a blank blank
    (old and new both null)."""
    latest = db.execute(
        "SELECT cell, old_value, new_value FROM corrections WHERE id IN"
        " (SELECT max(id) FROM corrections WHERE report_id = ? GROUP BY cell)",
        [report_id],
    ).fetchall()
    return {cell for cell, old, new in latest if old is None and new is None}


def without_reviewed_blanks(found: list[Finding], report: Report, reviewed: set[str]) -> list[Finding]:
    """CELL-MISSING findings whose every cell is a reviewed blank are settled: the blank stays
    (null, never 0), the review with its reason is in the audit trail."""
    if not reviewed:
        return found
    columns = [c.key for c in report.spec.table3_columns]

    def settled(pattern: str) -> bool:
        table, row, column = parse_cell_path(pattern)
        if column == ROW_WILDCARD:
            return all(cell_path(table, row, c) in reviewed for c in columns)
        return pattern in reviewed

    return [f for f in found if not (f.rule == "CELL-MISSING" and all(settled(c) for c in f.cells))]


def _offered(findings: list[Finding]) -> Iterable:
    """Suggested values, once per cell: those the findings propose (CELL-MISSING carries what
    the sums give for blank cells, SPLIT-DIGITS the joined reading)."""
    seen: dict[str, Suggestion] = {}
    for finding in findings:
        for s in finding.suggestions:
            seen.setdefault(s.cell, s)
    return seen.values()


_FINDING_COLUMNS = ("report_id", "rule", "severity", "cells", "message", "message_zh", "expected", "found")


def _finding_row(report_id: int, f: Finding) -> tuple:
    return (report_id, f.rule, f.severity, json.dumps(list(f.cells)), f.message, f.message_zh, f.expected, f.found)


def _settle_status(db: Database, report_id: int, findings: list[Finding]) -> None:
    (status,) = db.execute("SELECT status FROM reports WHERE id = ?", [report_id]).fetchone()
    if status in OPEN_STATUSES:
        new = Status.NEEDS_REVIEW if any(f.severity == Severity.ERROR for f in findings) else Status.READY
        if new != status:
            set_status(db, report_id, new, "checks")


def findings(db: Database, report_id: int) -> list[dict]:
    return list(
        db.query("SELECT * FROM findings WHERE report_id = ? ORDER BY severity != ?, id", [report_id, Severity.ERROR])
    )


def error_count(db: Database, report_id: int) -> int:
    return db.execute(
        "SELECT count(*) FROM findings WHERE report_id = ? AND severity = ?", [report_id, Severity.ERROR]
    ).fetchone()[0]
