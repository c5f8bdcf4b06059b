"""The form-neutral document every reader produces and the parser consumes.

Every reader (text, PDF with OCR for scans, DOCX and the office forms converted to it, HTML) turns
a file into blocks: paragraphs of text and tables of cells, each carrying where it came from. The parser never sees the file's form, only this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# Source and Cell are named tuples, not frozen dataclasses: a report makes hundreds of each, and
# a frozen dataclass sets every field through object.__setattr__ — a third of reading a text
# report went into making them (profiled, BENCHMARKS.md issue 7). Both stay immutable.


class Source(NamedTuple):
    """Where a piece of text sits in the original file, so an operator can be shown it."""

    line: int | None = None  # 1-based line of the decoded text (text form)
    page: int | None = None  # 1-based page (PDF)
    table: int | None = None  # 0-based table index (DOCX/HTML/PDF)
    row: int | None = None
    col: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom in PDF points
    confidence: float | None = None  # OCR: the lowest recognition confidence of its characters (0–1)

    def describe(self) -> str:
        """Where, in Chinese, as an operator looks for it: 第88行 (a text line), 第88行第4列 (a cell
        of a tab row), 第2页，表格1第5行第3列 (PDF), 表格1第5行第3列 (Word, web page); 位置未知."""
        page = f"第{self.page}页" if self.page is not None else ""
        line = f"第{self.line}行" if self.line is not None and self.page is None else ""
        cell = "".join(
            f"{head}{index + 1}{unit}"
            for head, index, unit in (("表格", self.table, ""), ("第", self.row, "行"), ("第", self.col, "列"))
            if index is not None
        )
        return "，".join(p for p in (page, line + cell) if p) or "位置未知"

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self._asdict().items() if v is not None}


class Cell(NamedTuple):
    text: str
    source: Source


@dataclass(frozen=True)
class Paragraph:
    text: str
    source: Source


@dataclass
class Table:
    """Rows of cells as the file lays them out; rows may be ragged, labels may span rows."""

    rows: list[list[Cell]] = field(default_factory=list)

    @property
    def source(self) -> Source:
        for row in self.rows:
            for cell in row:
                return cell.source
        return Source()


Block = Paragraph | Table


@dataclass
class Document:
    """A file read into blocks, with how it was read (form, encoding) for the record. `lines`:
    a text file's lines as the reader split them (sources count them from 1), stored with the
    file so that provenance shows the lines around a value without reading the file again."""

    blocks: list[Block]
    form: str
    encoding: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
