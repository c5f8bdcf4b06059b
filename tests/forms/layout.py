"""A report laid out as agencies publish it, independent of the file form: the title, the six
sections, the narratives, and tables 二/三/四 in the official layout with merged cells.

Renderers (docx.py, pdf.py, html.py beside this file) turn these parts into a file. Every label
comes from db/format.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from nianbao.db.format import SECTIONS, TABLE3_COLUMNS, TABLE4_GROUPS, TABLE4_RESULTS
from nianbao.db.model import Report, Value

NUMERALS = "一二三四五六"


@dataclass(frozen=True)
class GridCell:
    """A table cell starting at this row: its text and how many rows/columns it spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


Grid = list[list[GridCell]]  # per row, the cells that start in it, left to right (as HTML does)
Matrix = list[list[GridCell | None]]  # a grid with None where a merged cell covers a position


@dataclass(frozen=True)
class Part:
    kind: Literal["title", "heading", "paragraph", "table", "closing"]
    text: str = ""
    grid: Grid | None = None
    name: str = ""  # for tables: table2, table3, table4


def value_text(value: Value) -> str:
    v = value.value
    if v is None:
        return ""
    return repr(v) if isinstance(v, float) else str(v)  # repr keeps every decimal: 9669.2526


def report_from_json(data: dict) -> Report:
    """A report from its canonical JSON (docs/format.md; sections optional), for the renderers: the
    samples' expected values and generated corpora are written out from JSON."""
    report = Report(
        **{k: data.get(k) for k in ("organ", "region", "year", "published", "title", "period", "region_code")},
        format=data.get("format", "2021"),
        sections=dict(data.get("sections") or {}),
        preamble=data.get("preamble", ""),
    )
    width = len(report.spec.table3_columns)
    report.table2 = {key: _value(v) for key, v in data["table2"].items()}
    report.table3 = {
        key: [_value(v) for v in (values if values is not None else [None] * width)]
        for key, values in data["table3"]["rows"].items()
    }
    report.table4 = {key: _value(v) for key, v in data["table4"].items()}
    return report


def _value(v) -> Value:
    value = Value(v)
    return Value(v, value_text(value))


def parts(report: Report) -> list[Part]:
    """The whole report in reading order."""
    out = [Part("title", report.organ or ""), Part("title", f"{report.year}年政府信息公开工作年度报告")]
    out += [Part("paragraph", p) for p in _paragraphs(report.preamble) if "年度报告" not in p or len(p) > 40]
    tables = {
        "proactive": ("table2", table2_grid),
        "requests": ("table3", table3_grid),
        "reviews": ("table4", table4_grid),
    }
    for section in SECTIONS:
        out.append(Part("heading", f"{NUMERALS[section.number - 1]}、{section.title}"))
        if section.key in tables:
            name, grid = tables[section.key]
            out.append(Part("table", grid=grid(report), name=name))
        else:
            out += [Part("paragraph", p) for p in _paragraphs(report.sections.get(section.key, ""))]
    if report.organ:
        out.append(Part("closing", report.organ))
    if report.published:
        y, m, d = (int(x) for x in report.published.split("-"))
        out.append(Part("closing", f"{y}年{m}月{d}日"))
    return out


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def table2_grid(report: Report) -> Grid:
    """Table 二: per article item, a heading row, a column-header row, and its rows."""
    grid: Grid = []
    width = max(len(row.fields) for row in report.spec.table2) + 1
    item = None
    for row in report.spec.table2:
        if row.item != item:
            item = row.item
            grid.append([GridCell(item, colspan=width, header=True)])
            columns = [f.column for f in row.fields]
            span = (width - 1) // len(columns)
            grid.append([GridCell("信息内容", header=True), *(GridCell(c, colspan=span, header=True) for c in columns)])
        span = (width - 1) // len(row.fields)
        grid.append(
            [GridCell(row.label), *(GridCell(value_text(report.table2[f.key]), colspan=span) for f in row.fields)]
        )
    return grid


def table3_grid(report: Report) -> Grid:
    """Table 三: three header rows; row labels in up to three merged label columns."""
    columns = TABLE3_COLUMNS
    grid: Grid = [
        [
            GridCell(
                "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                rowspan=3,
                colspan=3,
                header=True,
            ),
            GridCell("申请人情况", colspan=len(columns), header=True),
        ],
        [
            GridCell(columns[0].label, rowspan=2, header=True),
            GridCell("法人或其他组织", colspan=len(columns) - 2, header=True),
            GridCell(columns[-1].label, rowspan=2, header=True),
        ],
        [GridCell(c.label, header=True) for c in columns[1:-1]],
    ]
    rows = report.spec.table3_rows
    results = [r for r in rows if r.key not in ("new_received", "carried_over", "carried_forward")]
    seen_groups: set[str] = set()
    for row in rows:
        values = [GridCell(value_text(v)) for v in report.table3[row.key]]
        labels: list[GridCell] = []
        if row is results[0]:
            labels.append(GridCell("三、本年度办理结果", rowspan=len(results)))
        if row.key in ("new_received", "carried_over", "carried_forward"):
            labels.append(GridCell(row.label, colspan=3))
        elif row.group and row.group.startswith("（") and row.group not in seen_groups:
            seen_groups.add(row.group)
            labels.append(GridCell(row.group, rowspan=sum(1 for r in rows if r.group == row.group)))
            labels.append(GridCell(row.label))
        elif row.group and row.group.startswith("（"):
            labels.append(GridCell(row.label))
        else:
            labels.append(GridCell(row.label, colspan=2))
        grid.append(labels + values)
    return grid


def table4_grid(report: Report) -> Grid:
    """Table 四: review (5 columns) and lawsuits (2 × 5), three header rows, one row of values."""
    results = [r.label for r in TABLE4_RESULTS]
    review, *suits = TABLE4_GROUPS
    return [
        [GridCell(review.label, colspan=5, header=True), GridCell("行政诉讼", colspan=10, header=True)],
        [
            *(GridCell(r, rowspan=2, header=True) for r in results),
            *(GridCell(g.label, colspan=5, header=True) for g in suits),
        ],
        [GridCell(r, header=True) for _ in suits for r in results],
        [GridCell(value_text(report.table4[f.key])) for f in report.spec.table4],
    ]


def occupancy(grid: Grid) -> list[list[GridCell | None]]:
    """The grid as a full matrix: each position holds the cell that starts there, or None where
    a merged cell covers it. For renderers that address cells by (row, column)."""
    width = sum(c.colspan for c in grid[0])
    matrix: list[list[GridCell | None | bool]] = [[False] * width for _ in grid]
    for r, row in enumerate(grid):
        col = 0
        for cell in row:
            while matrix[r][col] is not False:
                col += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    matrix[r + dr][col + dc] = None
            matrix[r][col] = cell
            col += cell.colspan
    return [[c if c is not False else GridCell("") for c in row] for row in matrix]  # type: ignore[misc]


@dataclass(frozen=True)
class RowBreak:
    """Break a row of table 三 across two pages, as word processors do when a row may split:
    the first `at` characters of its label on one page, the rest on the next, and the values
    with the first part (`values_first`) or with the second."""

    label: str  # the start of the row's label
    at: int
    values_first: bool = True


def break_row(matrix: Matrix, split: RowBreak) -> tuple[Matrix, int]:
    """Table 三 with the row labelled `split.label` made into two rows (label head, label tail);
    cells merged over the row grow by one. Returns the new matrix and the first row's index."""
    values_from = len(matrix[0]) - len(TABLE3_COLUMNS)
    row, col = next(
        (r, c)
        for r, cells in enumerate(matrix)
        for c, cell in enumerate(cells[:values_from])
        if cell is not None and cell.text.startswith(split.label)
    )
    label = matrix[row][col]
    assert label is not None
    first, second = list(matrix[row]), [None] * len(matrix[row])
    first[col], second[col] = replace(label, text=label.text[: split.at]), replace(label, text=label.text[split.at :])
    for c in range(values_from, len(first)):
        value, blank = matrix[row][c], GridCell("")
        first[c], second[c] = (value, blank) if split.values_first else (blank, value)
    out = [list(cells) for cells in matrix[:row]] + [first, second] + [list(cells) for cells in matrix[row + 1 :]]
    for r in range(row + 1):
        for c, cell in enumerate(out[r]):
            if cell is not None and r + cell.rowspan > row and cell.rowspan > 1:
                out[r][c] = replace(cell, rowspan=cell.rowspan + 1)
    return out, row
