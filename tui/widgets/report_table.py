"""Tables 二/三/四 of one report laid out like the official form, each cell tied to its path.

A `DataTable` holds only text; this widget also remembers which cell path every coordinate shows,
so the screen can act on "the selected cell" (edit, accept a suggestion, show its source).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from nianbao.db.format import RESULTS_GROUP, TABLE4_GROUPS, TABLE4_RESULTS, cell_path, short_label, table4_key
from nianbao.db.model import Report, Value
from nianbao.db.vocabulary import Severity
from nianbao.tui.plain import BLANK

LABEL_WIDTH = 18  # table 三's row labels when narrow, cropped: the side panel gives them in full
WIDE_LABEL_WIDTH = 30  # when wide: whole, wrapped onto a second line if need be
STYLES: dict[str, str] = {Severity.ERROR: "reverse red", Severity.WARNING: "reverse yellow"}


@dataclass
class Marks:
    """What the checks say about cells: severities by cell pattern (`table3.ROW.*` allowed) and
    suggested values by cell path."""

    flags: list[tuple[str, str]] = field(default_factory=list)  # (cell pattern, severity)
    suggestions: dict[str, object] = field(default_factory=dict)

    def severity(self, path: str) -> str | None:
        """The worst severity of the findings on `path`, or None."""
        found = {sev for pattern, sev in self.flags if pattern == path or fnmatchcase(path, pattern)}
        return Severity.ERROR if Severity.ERROR in found else next(iter(found), None)


def show_value(value: Value | None, path: str, marks: Marks) -> Text:
    """A cell as the operator should read it: blank is "—" (never 0), a suggestion is shown."""
    shown = BLANK if value is None or value.value is None else str(value.value)
    if path in marks.suggestions:
        shown += f" ({marks.suggestions[path]}?)"
    severity = marks.severity(path)
    return Text(shown, style=STYLES.get(severity or "", ""), justify="right")


class ReportTable(DataTable):
    """One of tables 二/三/四; `path_at` says which cell path the cursor is on."""

    def __init__(self, table: str, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, fixed_columns=1, **kwargs)
        self.table = table
        self.wide = False
        self.paths: dict[tuple[int, int], str] = {}

    def path_at(self, coordinate: Coordinate | None = None) -> str | None:
        c = coordinate or self.cursor_coordinate
        return self.paths.get((c.row, c.column))

    def coordinate_of(self, path: str) -> Coordinate | None:
        for (row, column), p in self.paths.items():
            if p == path and column >= 1:
                return Coordinate(row, column)
        return None

    def ordered_paths(self) -> list[str]:
        """Cell paths in reading order, each once."""
        return list(dict.fromkeys(self.paths[k] for k in sorted(self.paths)))

    def show(self, report: Report, marks: Marks, wide: bool = False) -> None:
        """(Re)fill the table, keeping the cursor where it was. `wide`: labels whole (a terminal of
        160 columns); else cropped, the selected row's full label shown in the side panel."""
        cursor = self.cursor_coordinate
        self.wide = wide
        self.clear(columns=True)
        self.paths = {}
        getattr(self, f"_fill_{self.table}")(report, marks)
        if self.row_count:
            self.move_cursor(row=min(cursor.row, self.row_count - 1), column=cursor.column, animate=False)

    def _label(self, label: str, indent: int = 0) -> str:
        return "  " * indent + (label if self.wide else short_label(label, numbered=True))

    @property
    def _height(self) -> int | None:
        """Rows as tall as their wrapped label when wide; one line when narrow."""
        return None if self.wide else 1

    def _fill_table2(self, report: Report, marks: Marks) -> None:
        """As printed: each article item a heading row naming its columns, its rows below."""
        blocks = [(row.item, tuple(f.column for f in row.fields)) for row in report.spec.table2]
        width = max(len(columns) for _, columns in blocks)
        self.add_column("信息内容", width=None if self.wide else 14)
        for i in range(width):
            self.add_column("", key=f"v{i}")
        last = None
        for row, block in zip(report.spec.table2, blocks):
            if block != last:
                item, columns = block
                headers = [Text(c if self.wide else short_label(c), style="bold") for c in columns]
                self.add_row(Text(item, style="bold"), *headers, *[""] * (width - len(columns)))
                last = block
            index = self.row_count
            cells = []
            for c, f in enumerate(row.fields, start=1):
                path = cell_path("table2", f.key)
                self.paths[(index, c)] = path
                cells.append(show_value(report.table2.get(f.key), path, marks))
            self.add_row(self._label(row.label, 1), *cells, *[""] * (width - len(cells)), key=row.label)
            self.paths[(index, 0)] = cell_path("table2", row.fields[0].key)

    def _fill_table3(self, report: Report, marks: Marks) -> None:
        """As printed: the group rows （三）不予公开 … （六）其他处理 carry no values, their items sit
        indented below them."""
        columns = report.spec.table3_columns
        self.add_column("项目", width=WIDE_LABEL_WIDTH if self.wide else LABEL_WIDTH)
        self.add_columns(*(c.label for c in columns))
        group = None
        for row in report.spec.table3_rows:
            if row.group != group and row.group is not None:
                self.add_row(
                    Text(self._label(row.group, _depth(row.group)), style="bold"), *[""] * len(columns), height=None
                )
            group = row.group
            values = report.table3.get(row.key, [None] * len(columns))
            index = self.row_count
            cells = []
            for c, (column, value) in enumerate(zip(columns, values), start=1):
                path = cell_path("table3", row.key, column.key)
                self.paths[(index, c)] = path
                cells.append(show_value(value, path, marks))
            depth = 0 if row.group is None else _depth(row.group) + 1
            self.add_row(Text(self._label(row.label, depth)), *cells, key=row.key, height=self._height)
            self.paths[(index, 0)] = cell_path("table3", row.key, columns[0].key)

    def _fill_table4(self, report: Report, marks: Marks) -> None:
        self.add_columns("", *(r.label for r in TABLE4_RESULTS))
        for group in TABLE4_GROUPS:
            index = self.row_count
            cells = []
            for c, result in enumerate(TABLE4_RESULTS, start=1):
                key = table4_key(group.key, result.key)
                self.paths[(index, c)] = cell_path("table4", key)
                cells.append(show_value(report.table4.get(key), cell_path("table4", key), marks))
            self.add_row(group.label, *cells, key=group.key)
            self.paths[(index, 0)] = cell_path("table4", table4_key(group.key, TABLE4_RESULTS[0].key))


def _depth(group: str) -> int:
    """三、本年度办理结果 heads the results; （三）不予公开 and its kind sit one step in."""
    return 0 if group == RESULTS_GROUP else 1
