"""Reviewing stored reports: effective values (parsed, then corrected), checks kept up to date,
corrections with an audit trail, and the status workflow.

    imported -> needs_review (errors) | ready (no errors) -> approved -> published

The parsed value of a cell is never overwritten: a correction is a row of its own (old, new,
reason, who, when) and the effective value is the latest correction. Approving a report with
open errors takes an explicit override with a reason.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nianbao.db.checks import ERROR, Finding, run_checks
from nianbao.db.checks.registry import Suggestion
from nianbao.db.document import Source
from nianbao.db.errors import NianbaoError
from nianbao.db.model import Note, Report, Value
from nianbao.db.parse.identity import parse_date
from nianbao.db.parse.labels import read_cell
from nianbao.db.readers.encoding import decode
from nianbao.db.readers.text import split_lines
from nianbao.db.regions import lookup_code
from nianbao.db.schema import Database
from nianbao.db.store import insert_row, insert_rows, now, update_row

OPEN_STATUSES = ("imported", "needs_review", "ready")


class ReviewError(NianbaoError):
    """An operator's request that cannot be carried out (unknown report or cell, no reason…)."""


class IdentityClash(ReviewError):
    """Setting an identity another report already has: the two are likely one report imported
    twice; the operator can merge this copy into the other, or remove it."""

    def __init__(self, report_id: int, other: int, what: str) -> None:
        super().__init__(
            f"报告 {other} 已是 {what}：报告 {report_id} 可能是它的重复副本，可合并（nianbao merge {report_id} {other}"
            f" --reason …）或移除（nianbao remove {report_id} --reason …）"
        )
        self.report_id, self.other = report_id, other


class NeedsOverride(ReviewError):
    """Approving a report with open errors without saying why they are accepted."""


@dataclass(frozen=True)
class Change:
    """What a correction did, for the operator to see."""

    cell: str
    old: object
    new: object
    errors_before: int
    errors_after: int


def operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (some containers)
        return "unknown"


# --- Loading -------------------------------------------------------------------------------------


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


# --- Checks --------------------------------------------------------------------------------------


def recheck(db: Database, report_id: int, *, neighbours: bool = True, parsed: Report | None = None) -> list[Finding]:
    """Run every rule on a report and store the findings, suggestions and status; then the next
    year's report of the same organ, whose cross-year rules depend on this one. The rules read
    the report as stored (`load_report`, the effective cells), never the parser's copy, so an
    import and a later re-check judge the same cells. `parsed` is accepted and not used (the
    import loop passes it; about 2 ms a report to read back instead)."""
    del parsed
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
        if pattern.endswith(".*"):
            return all(f"{pattern[:-2]}.{c}" in reviewed for c in columns)
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
        new = "needs_review" if any(f.severity == ERROR for f in findings) else "ready"
        if new != status:
            _set_status(db, report_id, new, "checks")


def _set_status(db: Database, report_id: int, status: str, reason: str | None, who: str = "nianbao") -> None:
    update_row(db, "reports", report_id, {"status": status})
    insert_row(db, "status_log", {"report_id": report_id, "status": status, "reason": reason, "who": who, "at": now()})


def findings(db: Database, report_id: int) -> list[dict]:
    return list(db.query("SELECT * FROM findings WHERE report_id = ? ORDER BY severity != 'error', id", [report_id]))


# --- Operator actions ----------------------------------------------------------------------------


def cell_paths(report: Report) -> list[str]:
    return [".".join(p for p in (t, r, c) if p) for t, r, c, _ in report.cells()]


def read_value(text: str) -> object:
    """What an operator typed: a number, a not-applicable mark, or blank ('' or 'null')."""
    if text.strip().lower() in ("", "null", "none", "blank"):
        return None
    reading = read_cell(text)
    if reading.kind in ("label", "text"):
        raise ReviewError(f"“{text}”不是数字、不适用标记（/ — 无）或空白")
    return reading.value


# Who, where, when: corrected like a cell, and written to the report's row so that lists,
# neighbours and the map use them. The correction row keeps the value as parsed.
IDENTITY_FIELDS = ("organ", "year", "region_code", "published")


def _identity_update(db: Database, report_id: int, field: str, text: str) -> tuple[object, dict]:
    """The new value of an identity field and the columns of `reports` it sets."""
    text = text.strip()
    if field == "year":
        if not (text.isdigit() and 1990 <= int(text) <= 2100):
            raise ReviewError(f"“{text}”不是有效的报告年度")
        return int(text), {"year": int(text)}
    if field == "region_code":
        division = lookup_code(text)
        if division is None:
            raise ReviewError(f"{text} 不是行政区划代码（6 位数字，GB/T 2260）")
        return text, {
            "region_code": division.code,
            "region": division.name,
            "province": division.province,
            "prefecture": division.prefecture,
            "region_note": f"由操作员设定：{division.full_name()}",
        }
    if field == "published":
        iso = parse_date(text)
        if iso is None:
            raise ReviewError(f"“{text}”不是日期（2025-01-22 或 2025年1月22日）")
        return iso, {"published": iso}
    if not text:
        raise ReviewError("发布机关不能为空")
    return text, {"organ": text}


def correct(db: Database, report_id: int, cell: str, text: str, reason: str, who: str | None = None) -> Change:
    """Record a correction of one cell (or of organ, year, region_code, published) and re-run
    the checks at once."""
    if not reason.strip():
        raise ReviewError("更正需要理由：原文怎么写、在哪里")
    report = load_report(db, report_id)
    update: dict = {}
    if cell in IDENTITY_FIELDS:
        new, update = _identity_update(db, report_id, cell, text)
        old = report_row(db, report_id)[cell]
    elif cell in cell_paths(report):
        new, old = read_value(text), report.get(cell).value
    else:
        raise ReviewError(
            f"报告 {report_id}（{report.format} 格式）没有单元格 {cell}；"
            f"应如 table3.total.natural，或为 {', '.join(IDENTITY_FIELDS)} 之一"
        )
    before = _error_count(db, report_id)
    with db.atomic():
        if update:
            _update_identity(db, report_id, report, update)
        db.table("corrections").insert(
            {
                "report_id": report_id,
                "cell": cell,
                "old_value": old,
                "new_value": new,
                "reason": reason.strip(),
                "who": who or operator(),
                "at": now(),
            }
        )
        if report_row(db, report_id)["status"] in ("approved", "published"):
            _set_status(db, report_id, "needs_review", f"批准后更正 {cell}", who or operator())
        recheck(db, report_id)
    return Change(cell, old, new, before, _error_count(db, report_id))


def _update_identity(db: Database, report_id: int, report: Report, update: dict) -> None:
    organ, year = update.get("organ", report.organ), update.get("year", report.year)
    place = update.get("region_code", report.region_code)
    clash = db.execute(
        "SELECT id FROM reports WHERE organ = ? AND year = ? AND region_code IS ? AND id != ?",
        [organ, year, place, report_id],
    ).fetchone()
    if clash:
        raise IdentityClash(report_id, clash[0], f"{organ} {year}{f'（{place}）' if place else ''}")
    old_next = neighbour(db, report, +1)
    db.table("reports").update(report_id, update)
    if old_next:  # it compared itself with this report's old identity
        recheck(db, old_next, neighbours=False)


def accept_suggestions(db: Database, report_id: int, cells: Iterable[str] = (), who: str | None = None) -> list[Change]:
    """Write suggested values (all, or those of `cells`) as corrections whose reason is the
    derivation: one correction per cell, all in one transaction, the checks run once."""
    wanted = set(cells)
    offered = list(db.query("SELECT * FROM suggestions WHERE report_id = ? ORDER BY cell", [report_id]))
    if wanted - {s["cell"] for s in offered}:
        missing = ", ".join(sorted(wanted - {s["cell"] for s in offered}))
        raise ReviewError(f"没有建议值：{missing}")
    edits = [
        (s["cell"], s["value"], f"采纳建议值：{s['derivation']}") for s in offered if not wanted or s["cell"] in wanted
    ]
    return _correct_cells(db, report_id, edits, who)


def record_blanks(
    db: Database, report_id: int, cells: Iterable[str] = (), reason: str = "", who: str | None = None
) -> list[Change]:
    """Record blank cells (those of `cells`, or every blank cell of the report) as blank as printed:
    each stays null, one audited correction per cell (old and new null, with the reason), all in
    one transaction; their CELL-MISSING findings then count as reviewed."""
    if not reason.strip():
        raise ReviewError("空白照录需要理由：原文怎么写")
    report = load_report(db, report_id)
    blank = [p for p in cell_paths(report) if report.get(p).value is None]
    wanted = list(dict.fromkeys(cells)) or blank
    unknown = [c for c in wanted if c not in cell_paths(report)]
    if unknown:
        raise ReviewError(f"报告 {report_id} 没有单元格 {', '.join(unknown)}")
    filled = [c for c in wanted if c not in blank]
    if filled:
        raise ReviewError(f"不是空白单元格：{', '.join(filled)}；请改用更正")
    settled = reviewed_blanks(db, report_id)
    edits = [(c, None, f"空白照录：{reason.strip()}") for c in wanted if c not in settled]
    return _correct_cells(db, report_id, edits, who)


def _correct_cells(
    db: Database, report_id: int, edits: Sequence[tuple[str, object, str]], who: str | None = None
) -> list[Change]:
    """Corrections of cell values (cell, new value, reason), one row each, in one transaction with
    one re-run of the checks."""
    if not edits:
        return []
    report = load_report(db, report_id)
    before = _error_count(db, report_id)
    rows = [(cell, report.get(cell).value, new, reason) for cell, new, reason in edits]
    who = who or operator()
    at = now()
    with db.atomic():
        insert_rows(
            db,
            "corrections",
            ("report_id", "cell", "old_value", "new_value", "reason", "who", "at"),
            [(report_id, cell, old, new, reason, who, at) for cell, old, new, reason in rows],
        )
        if report_row(db, report_id)["status"] in ("approved", "published"):
            _set_status(db, report_id, "needs_review", f"批准后更正 {len(rows)} 处", who)
        recheck(db, report_id)
    after = _error_count(db, report_id)
    return [Change(cell, old, new, before, after) for cell, old, new, _ in rows]


def approve_many(db: Database, report_ids: Iterable[int], override: str | None = None, who: str | None = None) -> None:
    """Approve several reports with one reason, all or none: one status change each, in one
    transaction. Reports with open errors need the override reason."""
    with db.atomic():
        for report_id in report_ids:
            approve(db, report_id, override, who)


def approve(db: Database, report_id: int, override: str | None = None, who: str | None = None) -> None:
    """Approve a report for publication. Open errors need an override reason."""
    status = report_row(db, report_id)["status"]
    if status in ("approved", "published"):
        return
    if status == "removed":
        raise ReviewError(f"报告 {report_id} 已移除，不能批准")
    errors = _error_count(db, report_id)
    if errors and not (override and override.strip()):
        raise NeedsOverride(f"报告 {report_id} 仍有 {errors} 个错误，批准须说明为何接受")
    reason = f"带错误批准：{override.strip()}" if errors and override else None
    with db.atomic():
        _set_status(db, report_id, "approved", reason, who or operator())


def remove(db: Database, report_id: int, reason: str, who: str | None = None) -> None:
    """Remove a report (a stray copy, a file that is no report): a tombstone, status removed. It
    leaves the queue and the next publish; its file, cells and audit trail stay."""
    if not reason.strip():
        raise ReviewError("移除报告需要理由")
    if report_row(db, report_id)["status"] == "removed":
        return
    with db.atomic():
        _set_status(db, report_id, "removed", reason.strip(), who or operator())


def merge(db: Database, stray_id: int, into_id: int, reason: str, who: str | None = None) -> list[Change]:
    """Merge a stray copy into the report it duplicates: the stray's corrections of cells the other
    report has not corrected itself are recorded there too (its own corrections stay as they are),
    then the stray is removed (a tombstone). One transaction."""
    if stray_id == into_id:
        raise ReviewError("不能把报告并入它自己")
    if not reason.strip():
        raise ReviewError("合并报告需要理由")
    for report_id in (stray_id, into_id):
        if report_row(db, report_id)["status"] == "removed":
            raise ReviewError(f"报告 {report_id} 已移除")
    target = load_report(db, into_id)
    paths = set(cell_paths(target))
    own = {c for (c,) in db.execute("SELECT DISTINCT cell FROM corrections WHERE report_id = ?", [into_id])}
    taken = [
        (cell, new, f"并入自报告 {stray_id}：{why}")
        for cell, new, why in db.execute(
            "SELECT cell, new_value, reason FROM corrections WHERE report_id = ? ORDER BY id", [stray_id]
        ).fetchall()
        if cell in paths and cell not in own
    ]
    latest = list({cell: (cell, new, why) for cell, new, why in taken}.values())  # the stray's last word per cell
    with db.atomic():
        changes = _correct_cells(db, into_id, latest, who)
        _set_status(db, stray_id, "removed", f"并入报告 {into_id}：{reason.strip()}",
                    who or operator())  # fmt: skip
    return changes


def mark_published(db: Database, report_ids: list[int], who: str | None = None) -> None:
    """Approved reports that went online become published."""
    with db.atomic():
        for report_id in report_ids:
            _set_status(db, report_id, "published", None, who or operator())


def _error_count(db: Database, report_id: int) -> int:
    return db.execute(
        "SELECT count(*) FROM findings WHERE report_id = ? AND severity = 'error'", [report_id]
    ).fetchone()[0]


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
    """Where a value came from: its source position and, for text files, the lines around it."""
    report = load_report(db, report_id)
    if cell not in cell_paths(report):
        raise ReviewError(f"报告 {report_id} 没有单元格 {cell}")
    value = report.get(cell)
    table, row, column = (cell.split(".") + [""])[:3]
    raw = db.execute(
        "SELECT raw FROM cells WHERE report_id = ? AND table_name = ? AND row_key = ? AND column_key = ?",
        [report_id, table, row, column],
    ).fetchone()
    document = db.execute(
        "SELECT d.form, d.content FROM documents d JOIN reports r ON r.document = d.sha256 WHERE r.id = ?",
        [report_id],
    ).fetchone()
    excerpt = []
    if document[0] == "text" and value.source and value.source.line:
        lines = split_lines(decode(document[1])[0])
        first = max(1, value.source.line - context)
        excerpt = [(n, lines[n - 1]) for n in range(first, min(len(lines), value.source.line + context) + 1)]
    corrections = list(
        db.query("SELECT * FROM corrections WHERE report_id = ? AND cell = ? ORDER BY id", [report_id, cell])
    )
    return CellSource(cell, value.value, raw[0] if raw else "", value.source, document[0], excerpt, corrections)


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
