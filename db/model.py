"""A parsed report: the canonical model every later step (store, checks, publish) works on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeGuard

from nianbao.db.document import Source
from nianbao.db.format import FORMATS, NARRATIVE_SECTIONS, ReportFormat, cell_path, parse_cell_path

Number = int | float
CellValue = Number | str | None  # a number, a not-applicable marker as written ("/"), or None


def is_number(value: object) -> TypeGuard[Number]:
    """A count or amount; a bool is no number, though Python calls it an int."""
    return isinstance(value, int | float) and not isinstance(value, bool)


class Value(NamedTuple):
    """One cell of a table: what it means, what the report wrote, and where. A named tuple, like
    `Source`: a report makes hundreds, and a frozen dataclass is several times slower to make."""

    value: CellValue
    raw: str = ""
    source: Source | None = None

    @property
    def is_blank(self) -> bool:
        return self.value is None


BLANK = Value(None)


@dataclass(frozen=True)
class Note:
    """Something the parser saw and will not decide alone (an incomplete row, a unit stuck to a
    number). The checks turn notes into findings; nothing is guessed silently."""

    code: str  # row-incomplete, row-missing, row-extra-values, unit-stripped, subtotal, ...
    cells: tuple[str, ...]  # cell paths: table2.KEY, table3.ROW.COLUMN (ROW.* for a row), table4.KEY
    message: str
    source: Source | None = None
    raw: tuple[str, ...] = ()  # the cells as printed, for a row that did not fit its columns


@dataclass
class Report:
    organ: str | None
    region: str | None
    year: int | None
    format: str
    published: str | None  # ISO date of the closing date line, if any
    title: str | None = None
    period: str | None = None  # the statistics period as stated, e.g. 2024年1月1日至2024年12月31日
    website: str | None = None
    region_code: str | None = None  # 6-digit GB/T 2260 code, when the region could be decided
    province: str | None = None
    prefecture: str | None = None
    region_note: str = ""  # how the code was decided, or why it could not be
    preamble: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    section_sources: dict[str, Source] = field(default_factory=dict)
    table2: dict[str, Value] = field(default_factory=dict)
    table3: dict[str, list[Value]] = field(default_factory=dict)
    table4: dict[str, Value] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    @property
    def spec(self) -> ReportFormat:
        return FORMATS[self.format]

    def cells(self) -> list[tuple[str, str, str, Value]]:
        """Every cell as (table, row key, column key, value); single-valued tables use column ''."""
        out: list[tuple[str, str, str, Value]] = []
        for key, value in self.table2.items():
            out.append(("table2", key, "", value))
        columns = [c.key for c in self.spec.table3_columns]
        for row_key, values in self.table3.items():
            out.extend(("table3", row_key, col, v) for col, v in zip(columns, values))
        for key, value in self.table4.items():
            out.append(("table4", key, "", value))
        return out

    def get(self, path: str) -> Value:
        """The value at a cell path: table2.KEY, table3.ROW.COLUMN, table4.KEY."""
        table, key, column = parse_cell_path(path)
        if table == "table3":
            return self.table3[key][FORMATS[self.format].table3_column_index[column]]
        return (self.table2 if table == "table2" else self.table4)[key]

    def number(self, path: str) -> Number | None:
        """The cell's value if it is a number; None when blank, a marker, text or absent from
        this format (the 2019 format lacks some 2021 cells)."""
        try:
            value = self.get(path).value
        except (KeyError, IndexError):
            return None
        return value if is_number(value) else None

    def numbers(self) -> dict[str, Number]:
        """Every cell that holds a number, by path: `number` for all cells at once, for the
        rules that read many (one dict lookup per term instead of parsing each path)."""
        columns = [c.key for c in self.spec.table3_columns]
        cells = [
            *((cell_path("table2", k), v) for k, v in self.table2.items()),
            *((cell_path("table3", row, c), v) for row, vs in self.table3.items() for c, v in zip(columns, vs)),
            *((cell_path("table4", k), v) for k, v in self.table4.items()),
        ]
        return {path: v.value for path, v in cells if is_number(v.value)}

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON of docs/format.md (plus the parse notes and the values' sources)."""
        columns = [c.key for c in self.spec.table3_columns]
        return {
            "organ": self.organ,
            "region": self.region,
            "region_code": self.region_code,
            "province": self.province,
            "prefecture": self.prefecture,
            "year": self.year,
            "format": self.format,
            "published": self.published,
            "title": self.title,
            "period": self.period,
            "table2": {k: v.value for k, v in self.table2.items()},
            "table3": {
                "columns": columns,
                "rows": {
                    k: None if all(v.is_blank for v in vs) else [v.value for v in vs] for k, vs in self.table3.items()
                },
            },
            "table4": {k: v.value for k, v in self.table4.items()},
            "sections": {k: self.sections.get(k, "") for k in NARRATIVE_SECTIONS},
            "notes": [{"code": n.code, "cells": list(n.cells), "message": n.message} for n in self.notes],
            "sources": {path: v.source.as_dict() for path, v in self._cells_by_path().items() if v.source is not None},
        }

    def _cells_by_path(self) -> dict[str, Value]:
        return {cell_path(table, row, col): value for table, row, col, value in self.cells()}
