"""Rules about single cells: CELL-MISSING (a blank or absent cell) and CELL-TYPE (not a valid
number for its column)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from nianbao.db.checks.arithmetic import suggestions
from nianbao.db.checks.registry import ERROR, WARNING, Context, Finding, rule
from nianbao.db.format import ROW_WILDCARD, Kind, cell_path, parse_cell_path
from nianbao.db.model import Report, Value
from nianbao.db.parse.labels import read_cell


@rule(
    "CELL-MISSING",
    ERROR,
    "A cell is blank or missing",
    "单元格空缺",
    "Every cell of tables 二, 三 and 四 must hold a number (0 when there is nothing to report). A blank is kept "
    "as blank, never read as 0; where the table's own sums determine it, the value is suggested to the operator.",
)
def cell_missing(context: Context) -> Iterable[Finding]:
    report = context.report
    offered = suggestions(report, context.numbers)
    for cells, why in _blank_groups(report):
        found = tuple(offered[c] for c in _expand(report, cells) if c in offered)
        where = cells[0]
        message = f"{where} is blank" + (f" ({why})" if why else "")
        if found:
            values = ", ".join(f"{_last_part(s.cell)}={s.value}" for s in found)
            message += f"; the table's sums give {values}"
        yield Finding(
            "CELL-MISSING",
            ERROR,
            cells,
            message,
            f"{where} 空缺" + (f"（{why}）" if why else "") + ("；可由表内合计推出" if found else ""),
            suggestions=found,
        )


def _last_part(path: str) -> str:
    """The column of a table 三 path, the key of another: what tells suggested values apart."""
    cell = parse_cell_path(path)
    return cell.column or cell.key


def _blank_groups(report: Report) -> Iterator[tuple[tuple[str, ...], str]]:
    """Blank cells, one group per cell, or per table 三 row when the whole row is blank; with
    the parser's explanation when it left a note."""
    notes = {cell: note.message for note in report.notes for cell in note.cells}
    for key, value in report.table2.items():
        if value.value is None:
            path = cell_path("table2", key)
            yield (path,), notes.get(path, "")
    columns = [c.key for c in report.spec.table3_columns]
    for row, values in report.table3.items():
        whole = cell_path("table3", row, ROW_WILDCARD)
        if all(v.value is None for v in values):
            yield (whole,), notes.get(whole, "")
            continue
        for column, value in zip(columns, values, strict=True):
            if value.value is None:
                path = cell_path("table3", row, column)
                yield (path,), notes.get(path, notes.get(whole, ""))
    for key, value in report.table4.items():
        if value.value is None:
            path = cell_path("table4", key)
            yield (path,), notes.get(path, "")


def _expand(report: Report, cells: tuple[str, ...]) -> list[str]:
    """table3.ROW.* → each cell of the row."""
    out: list[str] = []
    for cell in cells:
        table, key, column = parse_cell_path(cell)
        if column == ROW_WILDCARD:
            out.extend(cell_path(table, key, c.key) for c in report.spec.table3_columns)
        else:
            out.append(cell)
    return out


@rule(
    "CELL-TYPE",
    ERROR,
    "Not a valid number",
    "数值无效",
    "Counts are non-negative whole numbers; the fees of table 二 are a non-negative amount in 万元; the 2019 "
    "format's 本年增/减 may be negative. Not-applicable marks (/, —, 无) are accepted as written. Text where a "
    "number belongs (约11, 11%, 1.1e1) is kept as printed in its own column, never moved or guessed.",
)
def cell_type(context: Context) -> Iterable[Finding]:
    report = context.report
    kinds = {f.key: f.kind for f in report.spec.table2_fields}
    for table, row, column, value in report.cells():
        problem = _problem(value, kinds.get(row, Kind.COUNT) if table == "table2" else Kind.COUNT)
        if problem:
            path = cell_path(table, row, column)
            yield Finding(
                "CELL-TYPE", ERROR, (path,), f"{path}: {problem[0]}", f"{path}：{problem[1]}", found=value.raw
            )


def _problem(value: Value, kind: Kind) -> tuple[str, str] | None:
    v = value.value
    if v is None or (type(v) is int and v >= 0):  # blank, or a count: the common cases
        return None
    if isinstance(v, str):
        if read_cell(v).kind == "marker":
            return None
        return f"text “{v}” where a number belongs", f"应为数字，实为“{v}”"
    if kind is Kind.CHANGE:
        return None if v == int(v) else (f"{v} is not a whole number", f"{v}不是整数")
    if v < 0:
        return f"{v} is negative", f"{v}为负数"
    if kind is Kind.COUNT and v != int(v):
        return f"{v} is not a whole number", f"{v}不是整数"
    return None


# Below this recognition confidence an OCR'd value is shown to the operator to compare with the
# scan. Measured (benchmarks/bench_ocr.py, BENCHMARKS.md): right values run from 0.55 to 1.0 (a
# lone "0" often 0.55–0.8), and a misread is rare and no surer (a worn "12" read "1" at 0.77, the
# test's; 0.90 in the 150 dpi run, named by the sums). Under 0.8 names the worn and the blurred
# at the cost of 5–16 % of right values to look at; the sums catch a confident misreading.
OCR_CONFIDENCE = 0.8


@rule(
    "OCR-LOW-CONFIDENCE",
    WARNING,
    "A value read by OCR with low confidence",
    "识别置信度低",
    "A value read from a scan by OCR whose recognition confidence is low: the operator compares it with the cell "
    f"in the scan (its page and box are kept). Below {OCR_CONFIDENCE:.0%}; values are never altered, and OCR's "
    "look-alike digits (0/O, 1/l, 5/S) are never read as digits.",
)
def ocr_low_confidence(context: Context) -> Iterable[Finding]:
    for table, row, column, value in context.report.cells():
        confidence = value.source.confidence if value.source is not None else None
        if confidence is not None and confidence < OCR_CONFIDENCE:
            path = cell_path(table, row, column)
            yield Finding(
                "OCR-LOW-CONFIDENCE",
                WARNING,
                (path,),
                f"{path}: “{value.raw}” read by OCR with confidence {confidence:.2f}; compare it with the scan",
                f"{path}：“{value.raw}”识别置信度为{confidence:.2f}，请与扫描件核对",
                found=value.raw,
            )
