"""Write a report as plain text, in the two layouts real text exports have (see the samples):

- "word": Word's "save as text": one cell per line, each cell line starting with a tab, rows
  separated by blank lines; a header broken inside its cell continues on the next line without a
  tab (商业 / 企业); a cell covered by a vertical merge from above is an empty cell line, a cell
  covered by a horizontal merge is not written at all (samples 000, 001, 004).
- "tabs": a PDF text export: one row per line, cells separated by tabs, every position of the
  table written, merged ones empty (sample 003).

Paragraphs are lines. `split_row` breaks a row of table 三 over two lines (and, with
`page_break`, over a form feed, as a PDF export does at the end of a page), the label's head
with the values or without. Content and labels come from layout.py (and so from db/format.py).
"""

from __future__ import annotations

from pathlib import Path

from nianbao.db.model import Report
from tests.forms.docx import header_lines
from tests.forms.layout import Matrix, Part, RowBreak, break_row, occupancy, parts

LAYOUTS = ("word", "tabs")


def render(
    report: Report,
    path: Path,
    *,
    layout: str = "word",
    split_row: RowBreak | None = None,
    page_break: bool = False,
    encoding: str = "utf-8",
) -> Path:
    """Write `report` as a text file at `path` in `layout` and return the path."""
    path.write_bytes(text(report, layout=layout, split_row=split_row, page_break=page_break).encode(encoding))
    return path


def text(report: Report, *, layout: str = "word", split_row: RowBreak | None = None, page_break: bool = False) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; one of {LAYOUTS}")
    lines: list[str] = []
    for part in parts(report):
        if part.kind == "table":
            lines += _table(part, layout, split_row if part.name == "table3" else None, page_break)
            lines.append("")
        else:
            lines.append(part.text)
            if layout == "tabs":
                lines.append("")  # a PDF export leaves a blank line between paragraphs
    return "\n".join(lines) + "\n"


def _table(part: Part, layout: str, split: RowBreak | None, page_break: bool) -> list[str]:
    matrix = occupancy(part.grid or [])
    broken_at = None
    if split is not None:
        matrix, broken_at = break_row(matrix, split)
    rows = _word_rows(matrix) if layout == "word" else _tab_rows(matrix)
    if broken_at is not None and page_break:
        rows[broken_at + 1] = "\f" + rows[broken_at + 1]
    if layout == "word":
        return [line for row in rows for line in (row, "")][:-1]
    return rows


def _tab_rows(matrix: Matrix) -> list[str]:
    return ["\t".join(cell.text if cell is not None else "" for cell in row) for row in matrix]


def _word_rows(matrix: Matrix) -> list[str]:
    """One string per row: its cell lines. A position covered by a merge starting in an earlier
    row gives an empty cell line at the merge's left edge, as Word writes a vMerge continuation."""
    continued: set[tuple[int, int]] = set()
    for r, row in enumerate(matrix):
        for c, cell in enumerate(row):
            if cell is not None:
                continued |= {(r + dr, c) for dr in range(1, cell.rowspan)}
    out = []
    for r, row in enumerate(matrix):
        cells = []
        for c, cell in enumerate(row):
            if cell is not None:
                lines = header_lines(cell.text) if cell.header else [cell.text]
                cells.append("\t" + "\n".join(lines))
            elif (r, c) in continued:
                cells.append("\t")
        out.append("\n".join(cells))
    return out
