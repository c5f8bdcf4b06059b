"""Render a report as a Word .docx the way agencies publish it, for the DOCX reader's tests.

The layout (title, sections, tables with merged cells) comes from layout.py; this module only
writes it with python-docx: real merges (w:gridSpan / w:vMerge from `cell.merge`), blank values
as empty cells, and optionally header words on two paragraphs inside a cell as Word exports do.
The output is byte-for-byte deterministic (fixed core properties and zip timestamps).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.table import Table as DocxTable

from nianbao.db.model import Report
from tests.forms.layout import Grid, GridCell, Part, occupancy, parts

FIXED_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
# Header cells Word exports often break over two lines inside the cell.
_SPLIT_WORDS = {"商业企业": ("商业", "企业")}
_SPLIT_PREFIXES = ("本年", "结果")


def render(report: Report, path: Path, *, split_headers: bool = True, heading_style: bool = True) -> Path:
    """Write `report` as a .docx at `path`. heading_style: section headings use Word's Heading 1
    style (True) or are plain bold paragraphs (False)."""
    document = docx.Document()
    _fix_properties(document)
    for part in parts(report):
        _add_part(document, part, split_headers, heading_style)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))
    return path


def _fix_properties(document: docx.document.Document) -> None:
    """Fixed metadata, so the same report renders to the same bytes."""
    props = document.core_properties
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.author = props.last_modified_by = "nianbao tests"
    props.revision = 1


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed member timestamps (python-docx stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info))
    return out.getvalue()


def _add_part(document: docx.document.Document, part: Part, split_headers: bool, heading_style: bool) -> None:
    if part.kind == "title":
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(part.text)
        run.bold, run.font.size = True, Pt(18)
    elif part.kind == "heading" and heading_style:
        document.add_heading(part.text, level=1)
    elif part.kind == "heading":
        document.add_paragraph().add_run(part.text).bold = True
    elif part.kind == "paragraph":
        document.add_paragraph(part.text).paragraph_format.first_line_indent = Pt(24)
    elif part.kind == "closing":
        document.add_paragraph(part.text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif part.kind == "table" and part.grid is not None:
        add_table(document, part.grid, split_headers)


def add_table(document: docx.document.Document, grid: Grid, split_headers: bool) -> DocxTable:
    """A table with the grid's merges made by python-docx (gridSpan / vMerge in the XML)."""
    matrix = occupancy(grid)
    table = document.add_table(rows=len(matrix), cols=len(matrix[0]))
    table.style = "Table Grid"
    # Cells fetched once before merging: table.cell() rescans the whole table on each call
    # (seconds for table 三), and the corners of disjoint merges stay valid while merging.
    docx_cells = [row.cells for row in table.rows]
    for r, row in enumerate(matrix):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            target = docx_cells[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(docx_cells[r + cell.rowspan - 1][c + cell.colspan - 1])
            _fill(target, cell, split_headers)
    return table


def _fill(target, cell: GridCell, split_headers: bool) -> None:
    lines = header_lines(cell.text) if cell.header and split_headers else [cell.text]
    target.text = lines[0]
    for line in lines[1:]:
        target.add_paragraph(line)


def header_lines(text: str) -> list[str]:
    """A header as Word exports often break it inside its cell: 本年 / 制发件数, 商业 / 企业."""
    if text in _SPLIT_WORDS:
        return list(_SPLIT_WORDS[text])
    for prefix in _SPLIT_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return [prefix, text[len(prefix) :]]
    return [text]


def zip_bomb(megabytes: int) -> bytes:
    """A .docx-shaped zip whose word/document.xml inflates to `megabytes` MB of zeros, written
    streamed (1 MB at a time) so building it stays small in memory: 200 MB make a 0.9 MB file in
    0.3 s at deflate level 1 (level 9: 0.2 MB but 1 s)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                part.write(chunk)
    return out.getvalue()
