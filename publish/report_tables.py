"""Tables 二, 三 and 四 in the official layout, built from the published cells.

A table is a grid of rows; each row holds the cells that start in it, with their row and column
spans, as HTML does. Every label comes from db/format.py; a value cell says whether it is blank
(the report printed nothing), a not-applicable marker as written, corrected, or flagged by a
check. A format's tables are laid out once (`layouts`), with a Slot where each value goes, and a
report fills the slots. Cells are their <th>/<td> HTML, escaped here once, a row its cells joined:
the template prints a row in one lookup (a macro per cell of a 200-cell table was the report
page's slowest part: BENCHMARKS.md, "Pages and charts").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from markupsafe import Markup, escape

from nianbao.db.format import (
    APPLICANTS_GROUP,
    FORMATS,
    ORGANISATIONS_GROUP,
    RESULTS_GROUP,
    SECTION_BY_KEY,
    TABLE3_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    ReportFormat,
    cell_path,
)

NUMERALS = "〇一二三四五六七八九"
BLANK_TITLE = "报告未填写"
# Words of the printed form that are neither a row nor a column of data.
CONTENT_HEADER = "信息内容"
SUITS_HEADER = "行政诉讼"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
OUTSIDE_RESULTS = ("new_received", "carried_over", "carried_forward")


class CellView(NamedTuple):
    """One published value: as the site shows it, with what was printed and why it changed. (A
    named tuple: ~200 are made per report, twice as fast as a frozen dataclass.)"""

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
        """blank, marker or number; then corrected, flagged (words of ours: never needs escaping)."""
        v = self.value
        css = "blank" if v is None else "marker" if isinstance(v, str) else "number"
        if self.corrected:
            css += " corrected"
        if self.flagged:
            css += " flagged"
        return css

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

    @property
    def td(self) -> Markup:
        """Its <td>, escaped, with class and title."""
        return value_td(self)


BLANK = CellView(None)
Cells = Mapping[tuple[str, str, str], CellView]


GridCell = Markup  # a <th> or <td> with its attributes and text, escaped
Grid = list[list[GridCell]]


@dataclass(frozen=True)
class TableView:
    name: str  # table2, table3, table4
    caption: str
    head: list[Markup]  # rows of <thead>: each the HTML of its cells
    body: list[Markup]


def _html(row: list[GridCell]) -> Markup:
    return Markup("".join(row))  # every cell is Markup already


class Slot(NamedTuple):
    """Where a value goes in a table's layout: its cell key, its colspan and data-cell attributes,
    and the cell as it is when the report left it blank (the same for every report)."""

    key: tuple[str, str, str]
    spans: str
    path: str
    blank: GridCell

    def fill(self, cells: Cells) -> GridCell:
        view = cells.get(self.key)
        if view is None:
            return self.blank
        if isinstance(view.value, float):  # -0.0 equals 0.0 but prints otherwise: never kept
            return value_td(view, self.spans, self.path)
        return _slot_td(type(view.value).__name__, view, self.spans, self.path)


@lru_cache(maxsize=1 << 16)
def _slot_td(kind: str, view: CellView, spans: str, path: str) -> GridCell:
    """value_td, kept: most slots hold the same few values in report after report (0, a marker).
    `kind`: 1 and True are equal keys but print differently."""
    return value_td(view, spans, path)


def value_td(view: CellView, spans: str = "", path: str = "") -> GridCell:
    """<td> of a value: class and title say blank, marker, corrected or flagged; then a table's
    colspan and data-cell (its path) attributes."""
    title = view.title
    return Markup(
        f'<td{spans} class="{view.css}"{_attr("title", title) if title else ""}{path}>{escape(view.text)}</td>'
    )


def _attr(name: str, value: object) -> str:
    return f' {name}="{escape(value)}"'


def _spans(rowspan: int, colspan: int) -> str:
    """rowspan and colspan as attributes, when they span."""
    return (_attr("rowspan", rowspan) if rowspan > 1 else "") + (_attr("colspan", colspan) if colspan > 1 else "")


def value_slot(key: tuple[str, str, str], colspan: int = 1) -> Slot:
    spans, path = _spans(1, colspan), _attr("data-cell", cell_path(*key))
    return Slot(key, spans, path, value_td(BLANK, spans, path))


def section_caption(key: str) -> str:
    section = SECTION_BY_KEY[key]
    return f"{NUMERALS[section.number]}、{section.title}"


def spec_of(version: str | None) -> ReportFormat:
    return FORMATS.get(version or "", FORMATS["2021"])


def _col(text: str, colspan: int = 1, rowspan: int = 1) -> GridCell:
    return _header("colgroup" if colspan > 1 else "col", text, rowspan, colspan)


def _row(text: str, colspan: int = 1, rowspan: int = 1) -> GridCell:
    return _header("rowgroup" if rowspan > 1 else "row", text, rowspan, colspan)


def _header(scope: str, text: str, rowspan: int, colspan: int) -> GridCell:
    return Markup(f"<th{_attr('scope', scope)}{_spans(rowspan, colspan)}>{escape(text)}</th>")


def _widths(width: int, count: int) -> list[int]:
    """Spread `count` cells over `width` columns; the last takes what is left."""
    base = max(width // count, 1)
    return [base] * (count - 1) + [width - base * (count - 1)]


Layout = list[list[GridCell | Slot]]


@dataclass(frozen=True)
class TableLayout:
    """A table of one format with a Slot where each value goes: the same for every report."""

    name: str
    caption: str
    head: list[Markup]
    body: Layout

    def fill(self, cells: Cells) -> TableView:
        body = [_html([c.fill(cells) if isinstance(c, Slot) else c for c in row]) for row in self.body]
        return TableView(self.name, self.caption, self.head, body)


def table2(spec: ReportFormat) -> TableLayout:
    """Per article item: a heading row, a column-header row, then its rows."""
    width = max(len(row.fields) for row in spec.table2)
    body: Layout = []
    item = None
    for row in spec.table2:
        spans = _widths(width, len(row.fields))
        if row.item != item:
            item = row.item
            body.append([_col(item, colspan=width + 1)])
            body.append([_col(CONTENT_HEADER), *(_col(f.column, s) for f, s in zip(row.fields, spans))])
        body.append([_row(row.label), *(value_slot(("table2", f.key, ""), s) for f, s in zip(row.fields, spans))])
    return TableLayout("table2", section_caption("proactive"), [], body)


def table3(spec: ReportFormat) -> TableLayout:
    """Three header rows; row labels in up to three merged label columns."""
    columns = TABLE3_COLUMNS
    head: Grid = [
        [Markup(f"<td{_spans(3, 3)}>{escape(BALANCE_NOTE)}</td>"), _col(APPLICANTS_GROUP, colspan=len(columns))],
        [
            _col(columns[0].label, rowspan=2),
            _col(ORGANISATIONS_GROUP, len(columns) - 2),
            _col(columns[-1].label, rowspan=2),
        ],
        [_col(c.label) for c in columns[1:-1]],
    ]
    rows = spec.table3_rows
    results = [r for r in rows if r.key not in OUTSIDE_RESULTS]
    body: Layout = []
    seen: set[str] = set()
    for row in rows:
        labels: list[GridCell | Slot] = []
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
        body.append(labels + [value_slot(("table3", row.key, c.key)) for c in columns])
    return TableLayout("table3", section_caption("requests"), [_html(r) for r in head], body)


def table4(spec: ReportFormat) -> TableLayout:
    """Review (5 columns) and lawsuits (2 × 5): three header rows, one row of values."""
    review, *suits = TABLE4_GROUPS
    results = [r.label for r in TABLE4_RESULTS]
    head: Grid = [
        [_col(review.label, colspan=len(results)), _col(SUITS_HEADER, colspan=len(results) * len(suits))],
        [*(_col(r, rowspan=2) for r in results), *(_col(g.label, colspan=len(results)) for g in suits)],
        [_col(r) for _ in suits for r in results],
    ]
    body: Layout = [[value_slot(("table4", f.key, "")) for f in spec.table4]]
    return TableLayout("table4", section_caption("reviews"), [_html(r) for r in head], body)


@cache
def layouts(version: str | None) -> tuple[TableLayout, ...]:
    """Tables 二, 三 and 四 of a format, laid out once per process."""
    spec = spec_of(version)
    return table2(spec), table3(spec), table4(spec)


def report_tables(version: str | None, cells: Cells) -> list[TableView]:
    return [layout.fill(cells) for layout in layouts(version)]
