"""Write a report as a real PDF, the way agencies print theirs: a title, six sections, narratives
wrapped into lines, and tables 二/三/四 with merged cells, table 三 breaking across pages.

reportlab's built-in CID font STSong-Light needs no system font and gives pdfplumber exact text.
On A4 at the default 10.5 pt, table 三 (narrow label columns, labels wrapped) is taller than a
page, so it always breaks; the header is repeated on the next page, as Word does. Options exercise what the PDF reader must cope with: no ruling lines (`ruled=False`), a header
not repeated on the next page (`repeat_header=False`), page breaks after every few rows of table
三 (`rows_per_page`), a row of table 三 broken by the page (`split_row`), page numbers in the
footer (`page_numbers`), page furniture (`rotate`: /Rotate on every page; `running_head`: a line at the top of every page; `one_line_title`: organ and year in one
title, which wraps at a large `font_size`; `frame`: "border" draws a box around each page's text,
"boxes" a visible text box around every paragraph and heading, stacked so that they touch the
tables, "white" the same boxes filled white and not stroked, as WPS draws them, "rounded" white
boxes with rounded corners: curves, not rectangles).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate, Spacer
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from nianbao.db.model import Report
from tests.forms.layout import GridCell, Matrix, Part, RowBreak, break_row, occupancy, parts

FONT = "STSong-Light"
PAGE = A4
MARGIN = 2 * cm
TABLE3_HEADER_ROWS = 3
# Widths of each table's label columns, as shares of the text width; value columns share the rest.
LABEL_WIDTHS = {"table2": (0.28,), "table3": (0.07, 0.13, 0.22), "table4": ()}


@dataclass(frozen=True)
class _Options:
    ruled: bool
    repeat_header: bool
    rows_per_page: int | None
    split_row: RowBreak | None


def register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def render(
    report: Report,
    path: Path,
    *,
    ruled: bool = True,
    repeat_header: bool = True,
    font_size: float = 10.5,
    rows_per_page: int | None = None,
    split_row: RowBreak | None = None,
    page_numbers: bool = False,
    new_page: tuple[str, ...] = (),
    frame: str | None = None,
    one_line_title: bool = False,
    running_head: str | None = None,
    rotate: int = 0,
) -> Path:
    """Write `report` to `path` as a PDF and return the path. Table 三 breaks where the page
    ends, and also after every `rows_per_page` body rows, and inside the row `split_row`.
    `page_numbers`: print "- N -" at the foot of every page, as most reports do. `new_page`: tables
    (table2, table3, table4) that start a new page, their heading left at the foot of the last."""
    register_font()
    styles = _styles(font_size)
    options = _Options(ruled, repeat_header, rows_per_page, split_row)
    story: list[Flowable] = []
    for part in _titled(parts(report), one_line_title):
        if part.kind == "table":
            story += [PageBreak()] if part.name in new_page else []
            story += _table(part, styles["cell"], options)
        else:
            story.append(_framed(RLParagraph(escape(part.text), styles[part.kind]), frame))
    document = SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        invariant=1,
        title=report.title or "",
        rotation=rotate,  # /Rotate on every page; the text is still written upright
    )
    footer = _page_number if page_numbers else _no_footer
    if frame == "border":
        footer = _bordered(footer)
    if running_head:
        footer = _headed(footer, running_head)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return path


def _titled(report_parts: list[Part], one_line: bool) -> list[Part]:
    """The parts, the organ and the year's title printed as one title (which wraps when the
    organ's name is long) if `one_line`."""
    if not one_line or len(report_parts) < 2 or report_parts[1].kind != "title":
        return report_parts
    organ, title, *rest = report_parts
    return [Part("title", organ.text + title.text), *rest]


def _framed(paragraph: RLParagraph, frame: str | None) -> Flowable:
    """The paragraph in a text box (a one-cell table with no padding below or above, so that
    boxes stack and touch the table that follows), or as it is."""
    if frame == "rounded":
        return _RoundedWhite(paragraph, PAGE[0] - 2 * MARGIN)
    if frame not in ("boxes", "white"):
        return paragraph
    style = [("BOX", (0, 0), (-1, -1), 0.5, colors.black)] if frame == "boxes" else []
    style.append(("BACKGROUND", (0, 0), (-1, -1), colors.white))
    return RLTable([[paragraph]], colWidths=[PAGE[0] - 2 * MARGIN], style=style)


class _RoundedWhite(Flowable):
    """A paragraph on a white box with rounded corners, filled and not stroked: a path of lines
    and Bézier curves (pdfplumber's curve), which nothing on white paper shows."""

    def __init__(self, paragraph: RLParagraph, width: float) -> None:
        super().__init__()
        self.paragraph, self.width = paragraph, width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _, self.height = self.paragraph.wrap(self.width, available_height)
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setFillColor(colors.white)
        self.canv.roundRect(0, 0, self.width, self.height, 4, stroke=0, fill=1)
        self.paragraph.drawOn(self.canv, 0, 0)


def _headed(footer, text: str):
    """A running head over a rule at the top of every page, with the page number beside it."""

    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, PAGE[1] - MARGIN / 2, f"{text}    第{document.page}页")
        canvas.line(MARGIN, PAGE[1] - MARGIN / 2 - 4, PAGE[0] - MARGIN, PAGE[1] - MARGIN / 2 - 4)
        footer(canvas, document)

    return draw


def _bordered(footer):
    """A page border around the text area (Word's 页面边框), drawn on every page."""

    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.setLineWidth(1.5)
        canvas.rect(MARGIN * 0.6, MARGIN * 0.6, PAGE[0] - 1.2 * MARGIN, PAGE[1] - 1.2 * MARGIN)
        footer(canvas, document)

    return draw


def _page_number(canvas: Canvas, document: SimpleDocTemplate) -> None:
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(PAGE[0] / 2, MARGIN / 2, f"- {document.page} -")


def _no_footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
    pass


def _styles(size: float) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=size, leading=size * 1.6, wordWrap="CJK", alignment=TA_JUSTIFY
    )
    return {
        "title": ParagraphStyle("title", body, fontSize=size * 1.6, leading=size * 2.4, alignment=TA_CENTER),
        "heading": ParagraphStyle("heading", body, fontSize=size * 1.2, leading=size * 2.2, spaceBefore=size * 0.5),
        "paragraph": ParagraphStyle("paragraph", body, firstLineIndent=size * 2, spaceAfter=size * 0.3),
        "closing": ParagraphStyle("closing", body, alignment=TA_RIGHT),
        "cell": ParagraphStyle("cell", body, leading=size * 1.25, alignment=TA_CENTER),
    }


def _table(part: Part, style: ParagraphStyle, options: _Options) -> list[Flowable]:
    """One table as flowables: table 三 in runs of rows with a page break between runs."""
    matrix = occupancy(part.grid or [])
    header = TABLE3_HEADER_ROWS if part.name == "table3" else 0
    starts = {header}
    if part.name == "table3" and options.split_row:
        matrix, row = break_row(matrix, options.split_row)
        starts.add(row + 1)
    if part.name == "table3" and options.rows_per_page:
        starts |= set(range(header, len(matrix), options.rows_per_page))
    bounds = [*sorted(starts), len(matrix)]
    out: list[Flowable] = []
    for start, end in pairwise(bounds):
        if start != header:
            out.append(PageBreak())
        head = header if start == header or options.repeat_header else 0
        out.append(_GridTable(matrix, part.name, style, options, head, (start, end)))
    out.append(Spacer(1, style.fontSize))
    return out


class _GridTable(Flowable):
    """Rows of a grid (a header, then a run of body rows) as a reportlab table that breaks
    between any two rows, merged cells included: reportlab's own Table refuses to break inside a
    row span, and table 三's label column spans 22 rows."""

    def __init__(
        self, matrix: Matrix, name: str, style: ParagraphStyle, options: _Options, head: int, body: tuple[int, int]
    ) -> None:
        super().__init__()
        self.matrix, self.name, self.style, self.options = matrix, name, style, options
        self.head, self.body = head, body
        self.table: RLTable | None = None

    def _make(self, end: int) -> RLTable:
        runs = [(0, self.head), (self.body[0], end)] if self.head else [(self.body[0], end)]
        return _rl_table(_rows(self.matrix, runs), self.name, self.style, self.options.ruled)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.table = self._make(self.body[1])
        return self.table.wrap(available_width, available_height)

    def draw(self) -> None:
        assert self.table is not None
        self.table.drawOn(self.canv, 0, 0)

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """The most rows that fit, and the rest for the next page (a binary search: the height
        grows with the rows)."""
        first, end = self.body
        fits, low, high = None, first + 1, end - 1
        while low <= high:
            cut = (low + high) // 2
            table = self._make(cut)
            if table.wrap(available_width, available_height)[1] <= available_height:
                fits, low = (cut, table), cut + 1
            else:
                high = cut - 1
        if fits is None:
            return []
        cut, table = fits
        head = TABLE3_HEADER_ROWS if self.options.repeat_header and self.name == "table3" else 0
        return [table, _GridTable(self.matrix, self.name, self.style, self.options, head, (cut, end))]


def _rows(matrix: Matrix, runs: list[tuple[int, int]]) -> Matrix:
    """The rows of `runs` (ranges of row numbers) as a table of their own. A merged cell cut by a
    run's edge is cut to the run; where it began in an earlier run it is printed again, empty, as
    word processors do when a merged cell breaks across pages."""
    out: Matrix = []
    for first, end in runs:
        block: Matrix = [[None] * len(matrix[0]) for _ in range(first, end)]
        for r, row in enumerate(matrix):
            for c, cell in enumerate(row):
                if cell is None or r + cell.rowspan <= first or r >= end:
                    continue
                top, bottom = max(r, first), min(r + cell.rowspan, end)
                text = cell.text if r >= first else ""
                block[top - first][c] = GridCell(text, bottom - top, cell.colspan, cell.header)
        out += block
    return out


def _rl_table(matrix: Matrix, name: str, style: ParagraphStyle, ruled: bool) -> RLTable:
    data = [[_cell(cell, style) for cell in row] for row in matrix]
    commands: list[tuple] = [
        ("FONT", (0, 0), (-1, -1), FONT, style.fontSize),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ]
    for r, row in enumerate(matrix):
        for c, cell in enumerate(row):
            if cell is not None and (cell.rowspan > 1 or cell.colspan > 1):
                commands.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    if ruled:
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    return RLTable(data, colWidths=_widths(name, len(matrix[0])), style=commands)


def _cell(cell: GridCell | None, style: ParagraphStyle) -> object:
    if cell is None or not cell.text:
        return ""
    return RLParagraph(escape(cell.text), style)


def _widths(name: str, columns: int) -> list[float]:
    width = PAGE[0] - 2 * MARGIN
    labels = [width * share for share in LABEL_WIDTHS.get(name, ())]
    rest = (width - sum(labels)) / (columns - len(labels))
    return labels + [rest] * (columns - len(labels))


def encrypted(user_password: str) -> bytes:
    """A one-line PDF encrypted with `user_password` ("" for an owner password only)."""
    register_font()
    buffer = io.BytesIO()
    lock = StandardEncryption(user_password, ownerPassword="owner", canCopy=0)
    page = Canvas(buffer, invariant=1, encrypt=lock)
    page.setFont(FONT, 12)
    page.drawString(100, 700, "三、收到和处理政府信息公开申请情况")
    page.showPage()
    page.save()
    return buffer.getvalue()


def image_only(path: Path) -> Path:
    """A scanned report: one page holding only an image (a grey page with dark lines), no text."""
    scan = Image.new("L", (420, 594), 235)
    for y in range(60, 540, 18):
        scan.paste(40, (50, y, 370, y + 6))
    page = Canvas(str(path), pagesize=PAGE, invariant=1)
    page.drawImage(ImageReader(scan), MARGIN, MARGIN, PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN)
    page.showPage()
    page.save()
    return path


def one_page_of_text(path: Path, chars: int, size: tuple[float, float] = PAGE, font_size: float = 2) -> Path:
    """One page holding `chars` small letters in lines across it (the probe's file: a huge page of
    small text); Helvetica, so the letters are as many characters to pdfium as to pdfminer."""
    page = Canvas(str(path), pagesize=size, invariant=1)
    page.setFont("Helvetica", font_size)
    per_line = max(1, int((size[0] - 20) / font_size))
    y = size[1] - 10
    while chars > 0:
        page.drawString(10, y, "x" * min(chars, per_line))
        chars -= per_line
        y -= font_size * 1.2
    page.showPage()
    page.save()
    return path
