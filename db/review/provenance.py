"""Where a value came from, for an operator judging it against the report: its place, the text as
printed, the lines around it, its corrections; and a report's audit trail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from nianbao.db.document import Source
from nianbao.db.review.stored import ReviewError, cell_paths, load_report
from nianbao.db.schema import Database


@dataclass(frozen=True)
class CellSource:
    """Everything an operator needs to judge one value against the report."""

    cell: str
    value: object  # effective value (after corrections)
    raw: str  # the text as printed
    source: Source | None
    form: str  # text, pdf, docx, html
    excerpt: list[tuple[int, str]]  # for text: (line number, line) around the value
    corrections: list[dict]


def cell_source(db: Database, report_id: int, cell: str, context: int = 2) -> CellSource:
    """Where a value came from: its source position and, for text files, the lines around it
    (as stored at import: the file is not read again)."""
    report = load_report(db, report_id)
    if cell not in cell_paths(report):
        raise ReviewError(f"报告 {report_id} 没有单元格 {cell}")
    value = report.get(cell)
    printed = db.execute(
        "SELECT printed FROM effective_cells WHERE report_id = ? AND path = ?", [report_id, cell]
    ).fetchone()
    form, stored_lines = db.execute(
        "SELECT d.form, d.lines FROM documents d JOIN reports r ON r.document = d.sha256 WHERE r.id = ?",
        [report_id],
    ).fetchone()
    excerpt = []
    if stored_lines and value.source and value.source.line:
        lines = json.loads(stored_lines)
        first = max(1, value.source.line - context)
        excerpt = [(n, lines[n - 1]) for n in range(first, min(len(lines), value.source.line + context) + 1)]
    corrections = list(
        db.query("SELECT * FROM corrections WHERE report_id = ? AND cell = ? ORDER BY id", [report_id, cell])
    )
    return CellSource(cell, value.value, printed[0] or "" if printed else "", value.source, form, excerpt, corrections)


def audit_trail(db: Database, report_id: int) -> list[dict]:
    """Corrections and status changes, oldest first."""
    return list(
        db.query(
            "SELECT at, who, CASE WHEN old_value IS NULL AND new_value IS NULL THEN 'blank' ELSE 'correction' END"
            " AS kind, cell AS what, old_value, new_value, reason FROM corrections"
            " WHERE report_id = :id UNION ALL"
            " SELECT at, who, 'status', status, NULL, NULL, reason FROM status_log WHERE report_id = :id"
            " ORDER BY at, kind",
            {"id": report_id},
        )
    )
