"""Reading stored reports back: the report row, the report as its effective cells say (db/schema.py),
the same organ's neighbouring years, the paths of a report's cells.
"""

from __future__ import annotations

import json

from nianbao.db.document import Source
from nianbao.db.errors import NianbaoError
from nianbao.db.format import cell_path
from nianbao.db.model import Note, Report, Value
from nianbao.db.schema import Database


class ReviewError(NianbaoError):
    """An operator's request that cannot be carried out (unknown report or cell, no reason…)."""


def report_row(db: Database, report_id: int) -> dict:
    rows = list(db.query("SELECT * FROM reports WHERE id = ?", [report_id]))
    if not rows:
        raise ReviewError(f"数据库中没有报告 {report_id}")
    return rows[0]


def load_report(db: Database, report_id: int) -> Report:
    """The report as stored, as `effective_cells` (db/schema.py) says its cells read now:
    corrections applied, short rows filled."""
    row = report_row(db, report_id)
    report = Report(
        **{k: row[k] for k in ("organ", "region", "year", "format", "published", "title", "period", "website")},
        region_code=row["region_code"],
        province=row["province"],
        prefecture=row["prefecture"],
        region_note=row["region_note"] or "",
        preamble=row["preamble"] or "",
    )
    table3: dict[str, list[Value]] = {}
    for table, key, value, text, stored, *source in db.execute(
        "SELECT table_name, row_key, value, text, source IS NOT NULL, source_line, source_page, source_table,"
        " source_row, source_col, source_bbox, source_confidence FROM effective_cells WHERE report_id = ?"
        " ORDER BY position",
        [report_id],
    ):
        cell = Value(value, text, _source(*source) if stored else None)
        if table == "table3":
            table3.setdefault(key, []).append(cell)
        else:
            getattr(report, table)[key] = cell
    report.table3 = table3
    report.sections = dict(
        db.execute("SELECT section, text FROM narratives WHERE report_id = ?", [report_id]).fetchall()
    )
    report.notes = [
        Note(
            n["code"],
            tuple(json.loads(n["cells"])),
            n["message"],
            Source(n["source_line"]),
            tuple(json.loads(n["raw"] or "[]")),
        )
        for n in db.query("SELECT * FROM parse_notes WHERE report_id = ? ORDER BY id", [report_id])
    ]
    return report


def _source(
    line: int | None, page: int | None, table: int | None, row: int | None, col: int | None,
    bbox: str | None, confidence: float | None,
) -> Source:  # fmt: skip
    """A stored cell's source columns as a Source; a box is stored "x0,top,x1,bottom" in points."""
    if bbox:
        x0, top, x1, bottom = (float(x) for x in bbox.split(","))
        return Source(line, page, table, row, col, (x0, top, x1, bottom), confidence)
    return Source(line, page, table, row, col, None, confidence)


def neighbour(db: Database, report: Report, offset: int) -> int | None:
    """The same organ's report `offset` years away (-1: the year before, +1: the year after), in
    the same place: offices of two counties may share a name."""
    if report.organ is None or report.year is None:
        return None
    row = db.execute(
        "SELECT id FROM reports WHERE organ = ? AND year = ? AND region_code IS ?",
        [report.organ, report.year + offset, report.region_code],
    ).fetchone()
    return row[0] if row else None


def cell_paths(report: Report) -> list[str]:
    return [cell_path(t, r, c) for t, r, c, _ in report.cells()]
