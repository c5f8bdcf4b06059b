"""Tables 二/三/四 of one report laid out like the official form, each cell tied to its path.

A `DataTable` holds only text; this widget also remembers which cell path every coordinate shows,
so the screen can act on "the selected cell" (edit, accept a suggestion, show its source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from nianbao.db.format import TABLE4_GROUPS, TABLE4_RESULTS
from nianbao.db.model import Report, Value
from nianbao.tui.plain import BLANK

LABEL_WIDTH = 18  # table 三's row labels, cropped: the side panel and the form give them in full
STYLES = {"error": "reverse red", "warning": "reverse yellow"}
_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)\s*")
_ASIDE = re.compile(r"（[^）]*）$")


def short_label(label: str) -> str:
    """The label without its numbering and trailing aside, to fit a narrow terminal."""
    return _ASIDE.sub("", _NUMBERING.sub("", label)) or label


@dataclass
class Marks:
    """What the checks say about cells: severities by cell pattern (`table3.ROW.*` allowed) and
    suggested values by cell path."""

    flags: list[tuple[str, str]] = field(default_factory=list)  # (cell pattern, severity)
    suggestions: dict[str, object] = field(default_factory=dict)

    def severity(self, path: str) -> str | None:
        """The worst severity of the findings on `path`, or None."""
        found = {sev for pattern, sev in self.flags if pattern == path or fnmatchcase(path, pattern)}
        return "error" if "error" in found else next(iter(found), None)


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
        self.paths: dict[tuple[int, int], str] = {}

    def path_at(self, coordinate: Coordinate | None = None) -> str | None:
        c = coordinate or self.cursor_coordinate
        return self.paths.get((c.row, c.column))

    def coordinate_of(self, path: str) -> Coordinate | None:
        value_column = (lambda c: c == 2) if self.table == "table2" else (lambda c: c >= 1)
        for (row, column), p in self.paths.items():
            if p == path and value_column(column):
                return Coordinate(row, column)
        return None

    def ordered_paths(self) -> list[str]:
        """Cell paths in reading order, each once."""
        return list(dict.fromkeys(self.paths[k] for k in sorted(self.paths)))

    def show(self, report: Report, marks: Marks) -> None:
        """(Re)fill the table, keeping the cursor where it was."""
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        self.paths = {}
        getattr(self, f"_fill_{self.table}")(report, marks)
        if self.row_count:
            self.move_cursor(row=min(cursor.row, self.row_count - 1), column=cursor.column, animate=False)

    def _fill_table2(self, report: Report, marks: Marks) -> None:
        self.add_column("项目", width=14)
        self.add_column("栏目", width=18)
        self.add_column("数值")
        for row in report.spec.table2:
            for f in row.fields:
                path = f"table2.{f.key}"
                index = self.row_count
                self.add_row(row.label, f.column, show_value(report.table2.get(f.key), path, marks), key=path)
                self.paths.update({(index, c): path for c in range(3)})

    def _fill_table3(self, report: Report, marks: Marks) -> None:
        columns = report.spec.table3_columns
        self.add_column("项目", width=LABEL_WIDTH)
        self.add_columns(*(c.label for c in columns))
        for row in report.spec.table3_rows:
            values = report.table3.get(row.key, [None] * len(columns))
            index = self.row_count
            cells = []
            for c, (column, value) in enumerate(zip(columns, values), start=1):
                path = f"table3.{row.key}.{column.key}"
                self.paths[(index, c)] = path
                cells.append(show_value(value, path, marks))
            label = ("  " if row.group and not row.group.startswith("三") else "") + min(
                map(short_label, row.labels), key=len
            )
            self.add_row(label, *cells, key=row.key)
            self.paths[(index, 0)] = f"table3.{row.key}.{columns[0].key}"

    def _fill_table4(self, report: Report, marks: Marks) -> None:
        self.add_columns("", *(r.label for r in TABLE4_RESULTS))
        for group in TABLE4_GROUPS:
            index = self.row_count
            cells = []
            for c, result in enumerate(TABLE4_RESULTS, start=1):
                key = f"{group.key}_{result.key}"
                self.paths[(index, c)] = f"table4.{key}"
                cells.append(show_value(report.table4.get(key), f"table4.{key}", marks))
            self.add_row(group.label, *cells, key=group.key)
            self.paths[(index, 0)] = f"table4.{group.key}_{TABLE4_RESULTS[0].key}"
