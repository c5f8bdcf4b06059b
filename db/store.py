"""Write parsed reports to the database: one report, one transaction.

The original file is kept whole (bytes + sha256), so importing the same file again changes
nothing, and a newer file for the same organ and year replaces the report's values while the
older file stays on record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import PurePath

from nianbao.db.document import Document, Source
from nianbao.db.model import Report
from nianbao.db.schema import Database
from nianbao.db.vocabulary import ImportStatus, Status


@dataclass(frozen=True)
class Stored:
    status: ImportStatus
    report_id: int | None
    message: str = ""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")  # orders the audit trail


def find_document(db: Database, digest: str) -> tuple[bool, int | None]:
    """Whether this exact file was imported before, and the report it currently backs (None
    when a newer file for the same report replaced it)."""
    if not db.execute("SELECT 1 FROM documents WHERE sha256 = ?", [digest]).fetchone():
        return False, None
    row = db.execute("SELECT id FROM reports WHERE document = ?", [digest]).fetchone()
    return True, row[0] if row else None


def save_report(db: Database, path: str, data: bytes, document: Document, report: Report) -> Stored:
    """Store the file and its report atomically. Nothing is written if anything fails."""
    digest = sha256(data)
    with db.atomic():
        known, report_id = find_document(db, digest)
        if known:
            return Stored(ImportStatus.UNCHANGED, report_id, "同一文件已导入过")
        insert_row(
            db,
            "documents",
            {
                "sha256": digest,
                "name": PurePath(path).name,
                "size": len(data),
                "form": document.form,
                "encoding": document.encoding,
                "content": data,
                "lines": json.dumps(document.lines, ensure_ascii=False) if document.lines else None,
                "imported_at": now(),
            },
        )
        previous = _same_report(db, report)
        row = _report_row(report, digest)
        if previous is None:
            report_id = insert_row(db, "reports", row)
            stored = Stored(ImportStatus.IMPORTED, report_id)
        else:
            report_id, old_name = previous
            for table in ("cells", "narratives", "parse_notes"):
                db.execute(f"DELETE FROM {table} WHERE report_id = ?", [report_id])
            update_row(db, "reports", report_id, row)
            stored = Stored(ImportStatus.REPLACED, report_id, f"取代从 {old_name} 导入的报告")
        _write_contents(db, report_id, report)
        _log(db, path, digest, stored)
    return stored


def log_failure(db: Database, name: str, data: bytes | None, message: str) -> None:
    with db.atomic():
        _log(db, name, sha256(data) if data else None, Stored(ImportStatus.FAILED, None, message))


# Rows are written with plain SQL built once per table and columns: sqlite-utils' insert and
# insert_all inspect the table and every value on each call, which cost more than the writing
# itself in an import (BENCHMARKS.md, issue 7). The same SQL text reuses sqlite3's prepared statement.


@cache
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def insert_row(db: Database, table: str, row: dict) -> int:
    """Insert one row; its rowid."""
    rowid = db.conn.execute(_insert_sql(table, tuple(row)), tuple(row.values())).lastrowid
    assert rowid is not None  # an INSERT always sets it
    return rowid


def insert_rows(db: Database, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows given as value tuples in the order of `columns`."""
    db.conn.executemany(_insert_sql(table, tuple(columns)), rows)


@cache
def _update_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"


def update_row(db: Database, table: str, row_id: int, values: dict) -> None:
    db.conn.execute(_update_sql(table, tuple(values)), (*values.values(), row_id))


def _same_report(db: Database, report: Report) -> tuple[int, str] | None:
    if report.organ is None or report.year is None:
        return None
    row = db.execute(
        "SELECT r.id, d.name FROM reports r JOIN documents d ON d.sha256 = r.document"
        " WHERE r.organ = ? AND r.year = ? AND r.region_code IS ?",
        [report.organ, report.year, report.region_code],
    ).fetchone()
    return (row[0], row[1]) if row else None


def _report_row(report: Report, digest: str) -> dict:
    return {
        "document": digest,
        "organ": report.organ,
        "region": report.region,
        "year": report.year,
        "format": report.format,
        "published": report.published,
        "title": report.title,
        "period": report.period,
        "website": report.website,
        "region_code": report.region_code,
        "province": report.province,
        "prefecture": report.prefecture,
        "region_note": report.region_note,
        "preamble": report.preamble,
        "status": Status.IMPORTED,
        "imported_at": now(),
    }


_CELL_COLUMNS = (
    "report_id",
    "table_name",
    "row_key",
    "column_key",
    "value",
    "raw",
    "source_line",
    "source_page",
    "source_table",
    "source_row",
    "source_col",
    "source_bbox",
    "source_text",
)


def _write_contents(db: Database, report_id: int, report: Report) -> None:
    cells = report.cells()
    # OCR's confidence is written only for a report read by OCR (the column came with m006).
    ocr = any(v.source is not None and v.source.confidence is not None for *_, v in cells)
    insert_rows(
        db,
        "cells",
        _CELL_COLUMNS + (("source_confidence",) if ocr else ()),
        [
            (
                report_id,
                table,
                row,
                column,
                value.value,
                value.raw,
                *_source_columns(value.source),
                *((value.source.confidence if value.source else None,) if ocr else ()),
            )
            for table, row, column, value in cells
        ],
    )
    insert_rows(
        db,
        "narratives",
        ("report_id", "section", "text", "source_line"),
        [
            (report_id, key, text, report.section_sources[key].line if key in report.section_sources else None)
            for key, text in report.sections.items()
        ],
    )
    insert_rows(
        db,
        "parse_notes",
        ("report_id", "code", "cells", "message", "source_line", "raw"),
        [
            (
                report_id,
                note.code,
                json.dumps(list(note.cells)),
                note.message,
                note.source.line if note.source else None,
                json.dumps(list(note.raw), ensure_ascii=False) if note.raw else None,
            )
            for note in report.notes
        ],
    )


def _source_columns(source: Source | None) -> tuple[int | str | None, ...]:
    """The stored source columns, the last one where the value sits in words (Source.describe(),
    written now so that every reader of the cell says it the same way)."""
    if source is None:
        return (None,) * 6 + (_UNKNOWN_PLACE,)
    if source.bbox:  # a PDF's: each its own (and -0.0 equals 0.0 but is printed otherwise)
        bbox = ",".join(f"{x:.1f}" for x in source.bbox)
        return source.line, source.page, source.table, source.row, source.col, bbox, source.describe()
    return _place_columns(source.line, source.page, source.table, source.row, source.col)


@lru_cache(maxsize=4096)
def _place_columns(
    line: int | None, page: int | None, table: int | None, row: int | None, col: int | None
) -> tuple[int | str | None, ...]:
    """`_source_columns` of a source without a box, kept: the same lines, tables and cells come
    back in every report of a batch."""
    return line, page, table, row, col, None, Source(line, page, table, row, col).describe()


_UNKNOWN_PLACE = Source().describe()


def _log(db: Database, name: str, digest: str | None, stored: Stored) -> None:
    insert_row(
        db,
        "imports",
        {
            "path": name,
            "sha256": digest,
            "status": stored.status,
            "message": stored.message,
            "report_id": stored.report_id,
            "at": now(),
        },
    )
