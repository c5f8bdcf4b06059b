"""Tables 二, 三 and 四 in the official layout, built from the published cells.

A table is a grid of rows; each row holds the cells that start in it, with their row and column
spans, as HTML does. Every label comes from db/format.py; a value cell says whether it is blank
(the report printed nothing), a not-applicable marker as written, corrected, or flagged by a
check, so the template only has to print it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from db.format import (
    FORMATS,
    SECTION_BY_KEY,
    TABLE3_COLUMNS,
    TABLE3_GROUP_LABELS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    ReportFormat,
)

NUMERALS = "〇一二三四五六七八九"
BLANK_TITLE = "报告未填写"
# Words of the printed form that are neither a row nor a column of data.
CONTENT_HEADER = "信息内容"
SUITS_HEADER = "行政诉讼"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
RESULTS_GROUP, APPLICANTS, ORGANISATIONS = TABLE3_GROUP_LABELS[0], TABLE3_GROUP_LABELS[5], TABLE3_GROUP_LABELS[6]
OUTSIDE_RESULTS = ("new_received", "carried_over", "carried_forward")


@dataclass(frozen=True)
class CellView:
    """One published value: as the site shows it, with what was printed and why it changed."""

    value: int | float | str | None
    printed: str | None = None
    corrected: str = ""  # why and when, when an operator corrected it
    flagged: tuple[str, ...] = ()  # ids of the rules that found something in this cell

    @property
    def text(self) -> str:
        v = self.value
        if v is None:
            return ""
        return repr(v) if isinstance(v, float) else str(v)  # repr keeps every decimal: 9669.2526

    @property
    def css(self) -> str:
        kinds = [
            "blank" if self.value is None else "marker" if isinstance(self.value, str) else "number",
            "corrected" if self.corrected else "",
            "flagged" if self.flagged else "",
        ]
        return " ".join(k for k in kinds if k)

    @property
    def title(self) -> str:
        notes = []
        if self.value is None:
            notes.append(BLANK_TITLE)
        elif isinstance(self.value, str):
            notes.append("原文如此（不适用标记，非数值）")
        if self.corrected:
            printed = self.printed if self.printed else "空白"
            notes.append(f"已更正，报告原为：{printed}；{self.corrected}")
        if self.flagged:
            notes.append(f"检查发现：{'、'.join(self.flagged)}")
        return "；".join(notes)


BLANK = CellView(None)
Cells = Mapping[tuple[str, str, str], CellView]


@dataclass(frozen=True)
class GridCell:
    text: str
    header: bool = False
    scope: str = ""  # col, colgroup, row, rowgroup (header cells)
    rowspan: int = 1
    colspan: int = 1
    css: str = ""
    title: str = ""
    cell: str = ""  # the value's cell path (table3.granted.natural), for readers and tests


Grid = list[list[GridCell]]


@dataclass(frozen=True)
class TableView:
    name: str  # table2, table3, table4
    caption: str
    head: Grid  # rows of <thead>
    body: Grid


def value_cell(cells: Cells, key: tuple[str, str, str], colspan: int = 1) -> GridCell:
    view = cells.get(key, BLANK)
    path = ".".join(k for k in key if k)
    return GridCell(view.text, colspan=colspan, css=view.css, title=view.title, cell=path)


def section_caption(key: str) -> str:
    section = SECTION_BY_KEY[key]
    return f"{NUMERALS[section.number]}、{section.title}"


def spec_of(version: str | None) -> ReportFormat:
    return FORMATS.get(version or "", FORMATS["2021"])


def _col(text: str, colspan: int = 1, rowspan: int = 1) -> GridCell:
    return GridCell(text, True, "colgroup" if colspan > 1 else "col", rowspan, colspan)


def _row(text: str, colspan: int = 1, rowspan: int = 1) -> GridCell:
    return GridCell(text, True, "rowgroup" if rowspan > 1 else "row", rowspan, colspan)


def _spans(width: int, count: int) -> list[int]:
    """Spread `count` cells over `width` columns; the last takes what is left."""
    base = max(width // count, 1)
    return [base] * (count - 1) + [width - base * (count - 1)]


def table2(version: str | None, cells: Cells) -> TableView:
    """Per article item: a heading row, a column-header row, then its rows."""
    spec = spec_of(version)
    width = max(len(row.fields) for row in spec.table2)
    body: Grid = []
    item = None
    for row in spec.table2:
        spans = _spans(width, len(row.fields))
        if row.item != item:
            item = row.item
            body.append([_col(item, colspan=width + 1)])
            body.append([_col(CONTENT_HEADER), *(_col(f.column, s) for f, s in zip(row.fields, spans))])
        values = [value_cell(cells, ("table2", f.key, ""), s) for f, s in zip(row.fields, spans)]
        body.append([_row(row.label), *values])
    return TableView("table2", section_caption("proactive"), [], body)


def table3(version: str | None, cells: Cells) -> TableView:
    """Three header rows; row labels in up to three merged label columns."""
    spec = spec_of(version)
    columns = TABLE3_COLUMNS
    head: Grid = [
        [GridCell(BALANCE_NOTE, rowspan=3, colspan=3), _col(APPLICANTS, colspan=len(columns))],
        [_col(columns[0].label, rowspan=2), _col(ORGANISATIONS, len(columns) - 2), _col(columns[-1].label, rowspan=2)],
        [_col(c.label) for c in columns[1:-1]],
    ]
    rows = spec.table3_rows
    results = [r for r in rows if r.key not in OUTSIDE_RESULTS]
    body: Grid = []
    seen: set[str] = set()
    for row in rows:
        labels: list[GridCell] = []
        if row is results[0]:
            labels.append(_row(RESULTS_GROUP, rowspan=len(results)))
        if row.key in OUTSIDE_RESULTS:
            labels.append(_row(row.label, colspan=3))
        elif row.group and row.group != RESULTS_GROUP:
            if row.group not in seen:
                seen.add(row.group)
                labels.append(_row(row.group, rowspan=sum(1 for r in rows if r.group == row.group)))
            labels.append(_row(row.label))
        else:
            labels.append(_row(row.label, colspan=2))
        values = [value_cell(cells, ("table3", row.key, c.key)) for c in columns]
        body.append(labels + values)
    return TableView("table3", section_caption("requests"), head, body)


def table4(version: str | None, cells: Cells) -> TableView:
    """Review (5 columns) and lawsuits (2 × 5): three header rows, one row of values."""
    spec = spec_of(version)
    review, *suits = TABLE4_GROUPS
    results = [r.label for r in TABLE4_RESULTS]
    head: Grid = [
        [_col(review.label, colspan=len(results)), _col(SUITS_HEADER, colspan=len(results) * len(suits))],
        [*(_col(r, rowspan=2) for r in results), *(_col(g.label, colspan=len(results)) for g in suits)],
        [_col(r) for _ in suits for r in results],
    ]
    body = [[value_cell(cells, ("table4", f.key, "")) for f in spec.table4]]
    return TableView("table4", section_caption("reviews"), head, body)


def report_tables(version: str | None, cells: Cells) -> list[TableView]:
    return [table2(version, cells), table3(version, cells), table4(version, cells)]
