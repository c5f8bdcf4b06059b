"""Which of a PDF page's drawn lines and rectangles rule a table, and which are page furniture.

pdfplumber builds tables from every edge on the page. Word processors and PDF editors draw much
that is not a table: a white box behind each line of text (WPS), a page border, a text box, a
shaded band behind a heading. Taken as rulings they make each framed page a one-column "table" of
wrapped lines, or glue a paragraph onto the table below it. The rules here come from geometry,
not from any one producer:

- what cannot be seen is no ruling: a path (rectangle, line or curve) neither stroked nor filled
  in anything but the page's white (`invisible`);
- a box around text with no grid inside it and no cell beside it is a frame, not a table cell (a
  cell has neighbours: another box sharing a side, or a ruling line running on past it);
- a table needs an inner grid: rows of one cell at the top or bottom of a "table" are frames that
  touch it (pdf.py's _Grid.kept), and a "table" of such rows only is no table at all;
- a table cut by a page break is often left open (no ruling under its last row on the page, or
  over its first on the next): where three or more column rulings stop at one height with
  nothing across them, a line closes it, so the row is read from its cells.
"""

from __future__ import annotations

from typing import Any

from pdfplumber.page import Page
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils import obj_to_bbox

Obj = dict[str, Any]
TOLERANCE = 3.0  # points: pdfplumber's own snapping distance for edges
THIN = 2.0  # a rectangle thinner than this is drawn as a line


def find_tables(page: Page, chars: list[Obj]) -> list[Any]:
    """pdfplumber's tables of the page, found among the lines and rectangles that can rule a
    table (`chars`: the page's text), closed where a page break cut them open."""
    furniture = {id(obj) for obj in _invisible(page)}
    boxes = [r for r in page.rects if id(r) not in furniture and r["width"] > THIN and r["height"] > THIN]
    edges = _visible_edges(page, furniture)
    furniture |= {id(box) for box in _frames(boxes, edges, chars)}
    ruled = page.filter(lambda obj: id(obj) not in furniture) if furniture else page
    closing = _open_ends(*_visible_edges(ruled, set()))
    return _Finder(ruled, TableSettings.resolve({"explicit_horizontal_lines": closing} if closing else {})).tables


class _Finder(TableFinder):
    """pdfplumber's TableFinder, its cells found as pdfplumber finds them (intersections_to_cells)
    but without rebuilding each intersection's set of edges at every comparison, nor scanning
    every later point for those below and to the right: the same cells, in the same order, at a
    fraction of the cost (it was most of a page's table finding)."""

    def __init__(self, page: Page, settings: TableSettings) -> None:
        self.page = page
        self.settings = settings
        self.edges = self.get_edges()
        self.intersections = edges_to_intersections(
            self.edges, settings.intersection_x_tolerance, settings.intersection_y_tolerance
        )
        self.cells = _cells(self.intersections)
        self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]


Point = tuple[float, float]


def _cells(intersections: dict[Point, dict[str, list[Obj]]]) -> list[tuple[float, float, float, float]]:
    """pdfplumber's intersections_to_cells: from each point, the smallest cell whose corners are
    points joined by edges. A point below shares its x, so only a vertical edge can join them; a
    point to the right shares its y, so only a horizontal one can."""
    vertical = {point: set(map(obj_to_bbox, found["v"])) for point, found in intersections.items()}
    horizontal = {point: set(map(obj_to_bbox, found["h"])) for point, found in intersections.items()}
    points = sorted(intersections)
    column: dict[float, list[Point]] = {}
    row: dict[float, list[Point]] = {}
    at: dict[Point, tuple[int, int]] = {}
    for point in points:  # in sorted order, so each list runs as pdfplumber's scan of the rest
        below, right = column.setdefault(point[0], []), row.setdefault(point[1], [])
        at[point] = (len(below), len(right))
        below.append(point)
        right.append(point)
    cells = []
    for pt in points[:-1]:
        down, across = at[pt]
        v, h = vertical[pt], horizontal[pt]
        below = [p for p in column[pt[0]][down + 1 :] if not v.isdisjoint(vertical[p])]
        if not below:
            continue
        right = [p for p in row[pt[1]][across + 1 :] if not h.isdisjoint(horizontal[p])]
        cell = _smallest(pt, below, right, vertical, horizontal)
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest(pt: Point, below: list[Point], right: list[Point], vertical: Any, horizontal: Any) -> Any:
    """The first corner, scanning the joined points below and then those to the right, that is
    joined to both (pdfplumber's order)."""
    for below_pt in below:
        for right_pt in right:
            corner = (right_pt[0], below_pt[1])
            if (
                corner in vertical
                and not vertical[corner].isdisjoint(vertical[right_pt])
                and not horizontal[corner].isdisjoint(horizontal[below_pt])
            ):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def _open_ends(vertical: list[Edge], horizontal: list[Edge]) -> list[Obj]:
    """Lines closing a table cut open by a page break: where three or more rulings of columns
    stop (or start) at one height with no ruling across them there, as word processors leave
    the last row on a page (or the first on the next) without its border."""
    ends: dict[int, list[Edge]] = {}
    for x, top, bottom in vertical:
        for y in (top, bottom):
            ends.setdefault(round(y / TOLERANCE), []).append((x, top, bottom))
    out = []
    for key, found in ends.items():
        xs = sorted({round(x, 1) for x, _, _ in found})
        if len(xs) < 3:
            continue
        y = key * TOLERANCE
        x0, x1 = xs[0], xs[-1]
        if any(abs(hy - y) <= TOLERANCE and _overlap(a, b, x0, x1) > 0.8 * (x1 - x0) for hy, a, b in horizontal):
            continue
        at = sum(top if abs(top - y) <= TOLERANCE else bottom for _, top, bottom in found) / len(found)
        out.append({"x0": x0, "x1": x1, "top": at, "bottom": at, "width": x1 - x0, "height": 0, "object_type": "line"})
    return out


# --- What cannot be seen -----------------------------------------------------------------------


def invisible(obj: Obj) -> bool:
    """A path that leaves nothing on white paper: not stroked, or stroked in white, and not
    filled, or filled with white (a WPS box behind a line of text). Its paint alone decides,
    whatever its shape: the PDFium reader leaves such paths out before reading their points."""
    return not _stroked(obj) and (not obj.get("fill") or _white(obj.get("non_stroking_color")))


def _invisible(page: Page) -> list[Obj]:
    return [obj for obj in (*page.rects, *page.lines, *page.curves) if invisible(obj)]


def _stroked(obj: Obj) -> bool:
    return bool(obj.get("stroke")) and not _white(obj.get("stroking_color"))


def _white(color: Any) -> bool:
    """White in grey, RGB or CMYK (as pdfminer gives colours: a number or a tuple of them)."""
    if isinstance(color, int | float):
        color = (color,)
    if not isinstance(color, tuple | list) or not color or not all(isinstance(c, int | float) for c in color):
        return False
    if len(color) == 4:  # CMYK: no ink
        return all(c <= 0.02 for c in color)
    return all(c >= 0.98 for c in color)


# --- Frames ------------------------------------------------------------------------------------

Edge = tuple[float, float, float]  # position across, start along, end along


def _visible_edges(page: Page, furniture: set[int]) -> tuple[list[Edge], list[Edge]]:
    """Vertical edges (x, top, bottom) and horizontal ones (y, x0, x1) of what is drawn."""
    vertical: list[Edge] = []
    horizontal: list[Edge] = []
    for obj in (*page.lines, *page.rects):
        if id(obj) in furniture:
            continue
        x0, top, x1, bottom = obj["x0"], obj["top"], obj["x1"], obj["bottom"]
        if x1 - x0 <= THIN:
            vertical.append(((x0 + x1) / 2, top, bottom))
        elif bottom - top <= THIN:
            horizontal.append(((top + bottom) / 2, x0, x1))
        else:
            vertical += [(x0, top, bottom), (x1, top, bottom)]
            horizontal += [(top, x0, x1), (bottom, x0, x1)]
    return vertical, horizontal


def _frames(boxes: list[Obj], edges: tuple[list[Edge], list[Edge]], chars: list[Obj]) -> list[Obj]:
    """Boxes around text that are no cell of a grid."""
    vertical, horizontal = edges
    out = []
    for box in boxes:
        if not _holds_text(box, chars):
            continue
        if _crossed(box, vertical, horizontal) or _has_neighbour(box, boxes) or _ruled_past(box, vertical):
            continue
        out.append(box)
    return out


def _holds_text(box: Obj, chars: list[Obj]) -> bool:
    return any(
        box["x0"] <= (c["x0"] + c["x1"]) / 2 <= box["x1"]
        and box["top"] <= (c["top"] + c["bottom"]) / 2 <= box["bottom"]
        for c in chars
    )


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _crossed(box: Obj, vertical: list[Edge], horizontal: list[Edge]) -> bool:
    """A ruling inside the box: it holds a grid (a table, or a frame around one)."""
    x0, top, x1, bottom = box["x0"], box["top"], box["x1"], box["bottom"]
    if any(x0 + TOLERANCE < x < x1 - TOLERANCE and _overlap(a, b, top, bottom) > TOLERANCE for x, a, b in vertical):
        return True
    return any(
        top + TOLERANCE < y < bottom - TOLERANCE and _overlap(a, b, x0, x1) > TOLERANCE for y, a, b in horizontal
    )


def _has_neighbour(box: Obj, boxes: list[Obj]) -> bool:
    """Another box sharing its left or right side: cells of one row."""
    for other in boxes:
        if other is box or _overlap(other["top"], other["bottom"], box["top"], box["bottom"]) <= TOLERANCE:
            continue
        if abs(other["x0"] - box["x1"]) <= TOLERANCE or abs(other["x1"] - box["x0"]) <= TOLERANCE:
            return True
    return False


def _ruled_past(box: Obj, vertical: list[Edge]) -> bool:
    """A ruling along its left or right side that runs on above or below it: the box is a shaded
    cell of a table ruled with lines."""
    top, bottom = box["top"], box["bottom"]
    for x, a, b in vertical:
        if min(abs(x - box["x0"]), abs(x - box["x1"])) > TOLERANCE:
            continue
        if _overlap(a, b, top, bottom) > TOLERANCE and (a < top - TOLERANCE or b > bottom + TOLERANCE):
            return True
    return False
