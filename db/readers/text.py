"""Read a plain-text report (as exported from Word, PDF or a web page) into blocks.

Three table layouts occur, often in one file:
- one cell per line, each cell line starting with a tab, rows separated by blank lines, a cell's
  text wrapped onto following lines without a tab (Word's "save as text");
- one row per line, cells separated by tabs (PDF text export);
- Markdown pipe tables (PDF converters, OCR), a header row of placeholders dropped.
Every other line is a paragraph. Blank cells are kept: a blank is a value the report left blank.
"""

from __future__ import annotations

import re

from nianbao.db.document import Cell, Document, Paragraph, Source, Table
from nianbao.db.readers.encoding import decode

_LINE_BREAK = re.compile(r"\r\n|\r|\n|\f")
_CELL_LINE = re.compile(r"^[ \u3000]*\t([^\t]*)$")
# Word artefacts that leak into text exports: bookmarks, and the conditional comments of its web
# pages (<!--[if !supportLists]-->) that a saved page keeps as text.
_ARTEFACT = re.compile(r"\[bookmark: [^\]]*\]|<!--\[(?:if [^\]]*|endif)\]>?-->|<!\[(?:if [^\]]*|endif)\]>")
_SPACE = " \u3000\xa0"
# Markdown tables, as PDF converters and OCR tools write them: | cell | cell | and a |---|---| rule.
_PIPE_ROW = re.compile(r"^\|.*\|$")
_PIPE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _pipe_cells(line: str) -> list[str]:
    return line[1:-1].split("|")


def read_text(data: bytes) -> Document:
    text, encoding = decode(data)
    document = split_blocks(text)
    document.encoding = encoding
    document.lines = split_lines(text)  # kept with the file, for provenance (db/store.py)
    return document


def split_lines(text: str) -> list[str]:
    """Lines of the text; CRLF, CR and form feeds (page breaks) all end a line."""
    return _LINE_BREAK.split(text)


def split_blocks(text: str) -> Document:
    builder = _BlockBuilder()
    artefacts = (
        "[bookmark: " in text or "[if " in text or "[endif]" in text
    )  # rare: most texts skip the substitution on every line
    for number, raw in enumerate(split_lines(text), start=1):
        builder.feed(_ARTEFACT.sub("", raw) if artefacts else raw, number)
    return Document(blocks=builder.finish(), form="text")


class _BlockBuilder:
    def __init__(self) -> None:
        self.blocks: list[Paragraph | Table] = []
        self.table: Table | None = None
        self.group: list[Cell] | None = None  # the cell-per-line row being collected
        self.last_was_cell = False

    def feed(self, line: str, number: int) -> None:
        stripped = line.strip(_SPACE)
        if not stripped:  # a line with a tab in it is a (blank) cell, not a break
            self._close_group()
            self.last_was_cell = False
            return
        if _PIPE_RULE.match(stripped):
            self._drop_placeholder_header()
            return
        if _PIPE_ROW.match(stripped):
            self._close_group()
            cells = [Cell(t.strip(_SPACE), Source(line=number, col=i)) for i, t in enumerate(_pipe_cells(stripped))]
            self._table().rows.append(cells)
            self.last_was_cell = False
            return
        cell_line = _CELL_LINE.match(line)
        if cell_line:
            self._table()
            if self.group is None:
                self.group = []
            source = Source(line=number, col=len(self.group))
            self.group.append(Cell(cell_line.group(1).strip(_SPACE), source))
            self.last_was_cell = True
        elif "\t" in line:
            self._close_group()
            cells = [Cell(text.strip(_SPACE), Source(line=number, col=i)) for i, text in enumerate(line.split("\t"))]
            self._table().rows.append(cells)
            self.last_was_cell = False
        elif self.last_was_cell and self.group:
            last = self.group[-1]
            self.group[-1] = Cell(last.text + stripped, last.source)
        else:
            self._close_table()
            self.blocks.append(Paragraph(stripped, Source(line=number)))

    def _drop_placeholder_header(self) -> None:
        """A Markdown table's header row that is only placeholders (Column1, 0 1 2 …, Unnamed: 0),
        as converters write when the table had no header: no part of the report."""
        if self.table is not None and self.table.rows and not any(_CJK.search(c.text) for c in self.table.rows[-1]):
            self.table.rows.pop()

    def finish(self) -> list[Paragraph | Table]:
        self._close_table()
        return self.blocks

    def _table(self) -> Table:
        if self.table is None:
            self.table = Table()
            self.blocks.append(self.table)
        return self.table

    def _close_group(self) -> None:
        if self.group:
            self._table().rows.append(self.group)
        self.group = None

    def _close_table(self) -> None:
        self._close_group()
        self.table = None
        self.last_was_cell = False
