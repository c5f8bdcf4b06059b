"""Tables printed without ruling lines (text set in columns): rebuilt from the runs of a page's
text lines that look like rows of numbers, with the header lines just above them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from nianbao.db.parse.labels import read_cell
from nianbao.db.parse.sections import heading_section
from nianbao.db.readers.pdf_lines import BBox, Line, Row, join_lines

COLUMN_GAP = 1.5  # in a table without ruling lines, a gap this many font sizes wide separates cells


def text_blocks(lines: list[Line]) -> list[tuple[float, Line | list[Row]]]:
    """The free text lines of a page, as paragraphs, except runs of lines laid out in columns
    around numbers (a table printed without ruling lines), which become tables. Returned with
    the top of each block, for the page's reading order."""
    cells = [_row_cells(line) for line in lines]
    numeric = [_is_number_row(c) for c in cells]
    zones = _zones(lines, cells, numeric)
    in_zone = {i for zone in zones for i in zone}
    out: list[tuple[float, Line | list[Row]]] = [
        (line.bbox[1], line) for i, line in enumerate(lines) if i not in in_zone
    ]
    for zone in zones:
        rows = _zone_rows([lines[i] for i in zone], [cells[i] for i in zone], [numeric[i] for i in zone])
        out.append((lines[zone[0]].bbox[1], rows))
    return out


def _row_cells(line: Line) -> list[Line]:
    return line.segments(COLUMN_GAP * line.size)


def _plain(cells: list[Line]) -> Row:
    return [(c.text, c.bbox) for c in cells]


def _is_number_row(cells: list[Line]) -> bool:
    """A line cut into cells whose last cell is a number (or a not-applicable mark)."""
    return len(cells) >= 2 and read_cell(cells[-1].text).kind in ("number", "marker")


def _zones(lines: list[Line], cells: list[list[Line]], numeric: list[bool]) -> list[list[int]]:
    """Runs of lines holding one table without ruling lines: from its header (the lines just
    above its first row of numbers) to its last row of numbers. A run stops at a gap of a few
    line heights and never takes in a section heading."""
    zones: list[list[int]] = []
    i = 0
    while i < len(lines):
        if not numeric[i]:
            i += 1
            continue
        start = i
        while start > 0 and _close(lines[start - 1], lines[start]) and not numeric[start - 1]:
            start -= 1
        end = j = i
        while j + 1 < len(lines) and _close(lines[j], lines[j + 1]):
            j += 1
            if numeric[j]:
                end = j
        left = min(_value_left(cells[k]) for k in range(i, end + 1) if numeric[k])
        while end + 1 < len(lines) and _close(lines[end], lines[end + 1]) and lines[end + 1].bbox[2] <= left:
            end += 1  # the tail of a label wrapped below the last row of numbers
        zones.append(list(range(start, end + 1)))
        i = end + 1
    return zones


def _value_left(cells: list[Line]) -> float:
    """Where the numbers of a row start."""
    return min((c.bbox[0] for c in cells if read_cell(c.text).kind != "label"), default=float("inf"))


def _close(upper: Line, lower: Line) -> bool:
    """Two lines of one table: near each other, and neither a section heading."""
    near = lower.bbox[1] - upper.bbox[3] < 2.5 * lower.size
    return near and heading_section(upper.text) is None and heading_section(lower.text) is None


@dataclass
class _Block:
    """The label text of one cell of a table without ruling lines: line pieces stacked in one
    column, close under each other."""

    parts: list[Line]

    @cached_property
    def bbox(self) -> BBox:
        boxes = [p.bbox for p in self.parts]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))

    @cached_property
    def text(self) -> str:
        return join_lines([p.text for p in self.parts])


def _zone_rows(lines: list[Line], cells: list[list[Line]], numeric: list[bool]) -> list[Row]:
    """The rows of one table without ruling lines. A line with text over the value columns but
    no numbers (a header) is a row of its own, cut at the gaps. Each row of numbers takes the
    label cells (stacks of label pieces) that reach its line, left to right, and its numbers
    laid into the table's columns; a label reaching no row of numbers (a row left blank, a
    label wrapped away from its numbers) is a row of its own. Rows in top-to-bottom order."""
    columns = _columns([c for c, n in zip(cells, numeric, strict=True) if n])
    left = columns[0][0] if columns else float("inf")
    rows: list[tuple[float, Row]] = []
    labels: list[Line] = []
    numbered = [i for i, n in enumerate(numeric) if n]
    for i, line in enumerate(lines):
        if numeric[i] or line.bbox[2] <= left:
            labels += [c for c in cells[i] if c.bbox[2] <= left]
        else:
            rows.append((line.bbox[1], _plain(cells[i])))
    attached: dict[int, list[_Block]] = {i: [] for i in numbered}
    for block in _stacks(labels):
        owner = _owner(block, [lines[i] for i in numbered])
        if owner is None:
            rows.append((block.bbox[1], [(block.text, block.bbox)]))
        else:
            attached[numbered[owner]].append(block)
    for i in numbered:
        blocks = sorted(attached[i], key=lambda b: b.bbox[0] + b.bbox[2])
        top = min([lines[i].bbox[1]] + [b.bbox[1] for b in blocks])
        values = _slot([c for c in cells[i] if c.bbox[2] > left], columns, lines[i])
        label_cells: Row = [(b.text, b.bbox) for b in blocks]
        rows.append((top, label_cells + values))
    rows.sort(key=lambda r: r[0])
    return [row for _, row in rows]


def _stacks(pieces: list[Line]) -> list[_Block]:
    """Label pieces stacked into cells: a piece continues the block above it when the two
    overlap horizontally and the line gap between them is less than half a font size."""
    blocks: list[_Block] = []
    for piece in sorted(pieces, key=lambda p: p.bbox[1]):
        x0, top, x1, _ = piece.bbox
        for block in blocks:
            last = block.parts[-1].bbox
            if last[0] < x1 and x0 < last[2] and -0.5 * piece.size < top - last[3] < 0.5 * piece.size:
                block.parts.append(piece)
                break
        else:
            blocks.append(_Block([piece]))
    return blocks


def _owner(block: _Block, rows: list[Line]) -> int | None:
    """The row of numbers whose line the block reaches (the one nearest its middle), if any."""
    _, top, _, bottom = block.bbox
    slack = 0.25 * block.parts[0].size
    reached = [i for i, line in enumerate(rows) if top - slack <= _centre(line) <= bottom + slack]
    return min(reached, key=lambda i: abs(_centre(rows[i]) - (top + bottom) / 2), default=None)


def _centre(line: Line) -> float:
    return (line.bbox[1] + line.bbox[3]) / 2


def _columns(rows: list[list[Line]]) -> list[tuple[float, float]]:
    """The value columns of a table without ruling lines, as x ranges, learnt from where its
    numbers sit."""
    spans = sorted((c.bbox[0], c.bbox[2]) for cells in rows for c in cells if read_cell(c.text).kind != "label")
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _slot(values: list[Line], columns: list[tuple[float, float]], line: Line) -> Row:
    """The numbers of a row laid into the table's columns, blank where the row prints nothing."""
    row: Row = []
    top, bottom = line.bbox[1], line.bbox[3]
    for x0, x1 in columns:
        inside = [c for c in values if x0 <= (c.bbox[0] + c.bbox[2]) / 2 <= x1]
        if inside:
            row.extend((c.text, c.bbox) for c in inside)
        else:
            row.append(("", (x0, top, x1, bottom)))
        values = [c for c in values if c not in inside]
    row.extend((c.text, c.bbox) for c in values)  # outside every column: kept, after the rest
    return row
