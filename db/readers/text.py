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
    """One loop over the lines with its state in locals: a call per line (and three regexes
    tried on each) was most of reading a text. A line is tried as a Markdown row or rule only
    when it starts with | or holds ---, as a cell-per-line cell only when it holds a tab."""
    lines = split_lines(text)
    if "[bookmark: " in text or "[if " in text or "[endif]" in text:  # rare: most texts skip this
        lines = [_ARTEFACT.sub("", line) for line in lines]
    blocks: list[Paragraph | Table] = []
    table: Table | None = None
    group: list[Cell] | None = None  # the cell-per-line row being collected
    last_was_cell = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip(_SPACE)
        if not stripped:  # a line with a tab in it is a (blank) cell, not a break
            if group and table is not None:
                table.rows.append(group)
            group, last_was_cell = None, False
            continue
        if "---" in stripped and _PIPE_RULE.match(stripped):
            _drop_placeholder_header(table)
            continue
        if stripped[0] == "|" and len(stripped) > 1 and stripped[-1] == "|":
            if group and table is not None:
                table.rows.append(group)
            group = None
            if table is None:
                table = Table()
                blocks.append(table)
            table.rows.append(
                [Cell(t.strip(_SPACE), Source(line=number, col=i)) for i, t in enumerate(_pipe_cells(stripped))]
            )
            last_was_cell = False
        elif "\t" in line:
            if table is None:
                table = Table()
                blocks.append(table)
            cell_line = _CELL_LINE.match(line)
            if cell_line:
                if group is None:
                    group = []
                group.append(Cell(cell_line.group(1).strip(_SPACE), Source(line=number, col=len(group))))
                last_was_cell = True
                continue
            if group:
                table.rows.append(group)
            group = None
            table.rows.append(
                [Cell(t.strip(_SPACE), Source(line=number, col=i)) for i, t in enumerate(line.split("\t"))]
            )
            last_was_cell = False
        elif last_was_cell and group:
            last = group[-1]
            group[-1] = Cell(last.text + stripped, last.source)
        else:
            if group and table is not None:
                table.rows.append(group)
            group, table, last_was_cell = None, None, False
            blocks.append(Paragraph(stripped, Source(line=number)))
    if group and table is not None:
        table.rows.append(group)
    return Document(blocks=blocks, form="text")


def _drop_placeholder_header(table: Table | None) -> None:
    """A Markdown table's header row that is only placeholders (Column1, 0 1 2 …, Unnamed: 0),
    as converters write when the table had no header: no part of the report."""
    if table is not None and table.rows and not any(_CJK.search(c.text) for c in table.rows[-1]):
        table.rows.pop()
