"""Read a PDF report into blocks: tables drawn with ruling lines become tables of cells, the text
around them paragraphs as the author wrote them, in reading order (pages in order, top to bottom).

Each page is parsed once: its characters and drawn lines come from PDFium (pdf_pdfium.py, in
pdfminer's geometry), or from pdfminer where PDFium cannot read the file or
NIANBAO_PDF_ENGINE=pdfminer asks for it; pdfplumber lists the pages and finds the tables over
those objects. What is drawn but is no table (white boxes behind the text, frames, text boxes:
pdf_rulings.py) is set aside before pdfplumber looks for tables; the
page's characters are sorted into the cells of the tables it finds and into text lines. When every
page is read, the page furniture (page numbers, a browser's print header and footer, running
heads: pdf_furniture.py) is dropped, tables printed without ruling lines (text set in columns)
are rebuilt from the lines that look like rows of numbers, and the other lines are joined into
paragraphs (pdf_paragraphs.py), across a page break too. Lines are made in pdf_lines.py, tables
without ruling lines rebuilt in pdf_columns.py. A page turned by /Rotate whose text is
written upright is read as written. A PDF that cannot be trusted (no text layer, encrypted,
damaged, fonts without Unicode) raises `ReadError`.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO
from operator import itemgetter
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.psexceptions import PSException
from pdfplumber.page import Page
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from nianbao.db.document import Block, Cell, Document, Paragraph, Source, Table
from nianbao.db.errors import ReadError
from nianbao.db.limits import current as current_limits
from nianbao.db.progress import page_read
from nianbao.db.readers.pdf_bounds import Loaded, check_page_bounds
from nianbao.db.readers.pdf_columns import text_blocks
from nianbao.db.readers.pdf_furniture import is_page_number, is_print_stamp, running_heads
from nianbao.db.readers.pdf_lines import SPACES, BBox, Char, Line, Row, cell_text, join_lines, text_lines
from nianbao.db.readers.pdf_paragraphs import Column, column, continues, continues_on_next_page, union
from nianbao.db.readers.pdf_pdfium import PdfiumPage, open_document, reads
from nianbao.db.readers.pdf_rulings import find_tables

NO_TEXT = "PDF 没有文字层（扫描件？）：须先经 OCR 识别才能读取"
ENCRYPTED = "PDF 已加密：请另存一份未加密的副本"
DAMAGED = "PDF 文件已损坏或不完整"
NO_UNICODE = "PDF 的字体不带 Unicode 文字（(cid:…) 字形）：文字不可信，须经 OCR 识别或另找一份副本"
TOO_LARGE = "PDF 太大，无法读取：所需内存超出本机允许（某页对报告而言过大或过密？）"
CID_SHARE = 0.1  # more unreadable glyphs than this share of the text and none of it is trusted

# pdfminer logs every oddity of a damaged file as a warning; without a handler of the
# application's, Python would print them to stderr. Errors reach the user as ReadError instead.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())

_CID = re.compile(r"^\(cid:\d+\)$")


def read_pdf(data: bytes) -> Document:
    """Read a PDF's text and tables into blocks; pages in order, each parsed once."""
    try:
        return _read(data)
    except MemoryError:  # pdfminer's own work, or pdfplumber's (PdfminerException wraps it: _read_error)
        raise ReadError(TOO_LARGE) from None


def _read(data: bytes) -> Document:
    pdf = _open(data)
    reader = _Reader(encrypted=pdf.doc.encryption is not None)
    pages = _pages(pdf)
    limits = current_limits()
    limits.check_pages(len(pages))  # before any page is parsed
    document = open_document(data)
    pdfium = reads(document, len(pages))
    loaded: Loaded = {}
    try:
        check_page_bounds(document, limits, loaded if pdfium else None)  # before any page is parsed
        if pdfium:
            pages = [PdfiumPage(page, document, index, loaded) for index, page in enumerate(pages)]
        return _read_pages(reader, pages)
    finally:
        for page_, text in loaded.values():
            text.close()
            page_.close()
        if document is not None:
            document.close()


def _read_pages(reader: _Reader, pages: list[Page]) -> Document:
    layouts = []
    for page in pages:
        layouts.append(reader.lay_out(page))
        page.close()  # drop the page's parsed objects: only its tables and lines are kept
        page_read(len(layouts), len(pages))  # "第 37/199 页" for whoever listens (db/progress.py)
    reader.check()
    furniture = running_heads([(layout.height, layout.lines) for layout in layouts])
    for layout in layouts:
        reader.read_page(layout, furniture)
    details = {"pages": str(reader.pages)}
    if reader.unruled:
        details["tables_without_lines"] = str(reader.unruled)
    if reader.blank_pages:
        details["pages_without_text"] = ", ".join(map(str, reader.blank_pages))
    return Document(reader.blocks, form="pdf", details=details)


# --- Opening, and what can go wrong ------------------------------------------------------------

# pdfplumber wraps whatever pdfminer raises while opening the file, listing its pages or
# interpreting a page in PdfminerException; the rest surface as pdfminer's own PSException family
# or pdfplumber's MalformedPDFException. These are the classes seen on truncated, cut and
# byte-flipped files (a fuzz of some 2,400 damaged copies of the fixtures).
_BROKEN = (PdfminerException, PSException, MalformedPDFException)


def _open(data: bytes) -> pdfplumber.PDF:
    """The PDF, opened from memory (nothing to close: the stream is ours)."""
    try:
        return pdfplumber.open(BytesIO(data))
    except _BROKEN as exc:
        raise _read_error(exc) from None


def _pages(pdf: pdfplumber.PDF) -> list[Page]:
    """The page objects; a broken page tree shows up here, before any page is read."""
    try:
        return pdf.pages
    except (*_BROKEN, TypeError, IndexError) as exc:
        # pdfplumber reads each page's /Rotate and /MediaBox outside its wrapping: a mangled box
        # fails there as TypeError ("'NoneType' object is not iterable") or IndexError (fewer
        # than four numbers).
        raise _read_error(exc) from None


def _read_error(exc: BaseException) -> ReadError:
    """One line saying what is wrong with the file."""
    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]  # the error pdfminer raised
    if isinstance(exc, PDFEncryptionError):
        return ReadError(ENCRYPTED)
    if isinstance(exc, MemoryError):  # the file's size, not its damage
        return ReadError(TOO_LARGE)
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(message) < 8:  # KeyError('0') and the like: name the kind of error too
        message = f"{type(exc).__name__} {message}".strip()
    return ReadError(f"{DAMAGED}（pdfminer：{message}）；请重新下载")


# --- Pages -------------------------------------------------------------------------------------


@dataclass
class _Reader:
    """Collects the blocks of the pages read so far, and counts what the checks need."""

    encrypted: bool = False
    blocks: list[Block] = field(default_factory=list)
    pages: int = 0
    tables: int = 0  # tables emitted, for the document-wide table index
    lines: int = 0  # paragraphs emitted, for the running line number of their sources
    unruled: int = 0  # tables rebuilt from text set in columns
    glyphs: int = 0  # non-space characters seen
    cids: int = 0  # of which (cid:N): glyphs without Unicode
    head: list[tuple[str, ...]] = field(default_factory=list)  # rows of the last table begun
    head_page: int = 0  # page of the last table emitted
    blank_pages: list[int] = field(default_factory=list)  # pages without any text (scanned?)
    paragraph: list[tuple[int, Line]] = field(default_factory=list)  # (page, line) of the last block
    paragraph_column: Column | None = None  # the text column of the page before

    def lay_out(self, page: Page) -> _PageLayout:
        """The page's ruled tables and its other text lines; the page is parsed here, once."""
        chars, found = _page_objects(page)
        if page.rotation and _sideways(chars):
            page.close()
            page = _unrotated(page)
            chars, found = _page_objects(page)
        return self.lay_out_objects(chars, found, page.height, page.page_number)

    def lay_out_objects(self, chars: list[Char], found: list[Any], height: float, number: int) -> _PageLayout:
        """A page's layout from its characters and ruled tables (pdfplumber's, or the same shapes
        from another source: OCR reads a scan into them)."""
        if not self._count(chars):
            self.blank_pages.append(number)
        grids = [_Grid(table) for table in found]
        free = _untaken(chars, grids)
        for grid in grids:
            free += grid.release()
        tables = [(grid.top, grid.rows()) for grid in grids if grid.kept]
        return _PageLayout(height, tables, text_lines([_slim(char) for char in free]))

    def read_page(self, layout: _PageLayout, furniture: set[int]) -> None:
        """Emit the page's blocks: its furniture dropped, lines joined into paragraphs, a table
        going on from the page before joined to it."""
        self.pages += 1
        first = True
        items = self._items(layout, furniture)
        col = column([item for item in items if isinstance(item, Line)])
        for item in items:
            if isinstance(item, Line):
                self._add_line(item, col)
            else:
                repeated = self._repeated_header(item) if first else self._begun(item)
                first = False
                self.blocks.append(self._table(item, repeated))
                self.paragraph = []
        self.paragraph_column = col

    def _items(self, layout: _PageLayout, furniture: set[int]) -> list[Line | list[Row]]:
        """The page's ruled tables, tables without lines and text lines, top to bottom."""
        height = layout.height
        lines = [
            line
            for line in layout.lines
            if id(line) not in furniture and not is_print_stamp(line, height) and not is_page_number(line, height)
        ]
        text = text_blocks(lines)
        self.unruled += sum(isinstance(item, list) for _, item in text)
        items = [*layout.tables, *text]
        items.sort(key=lambda item: item[0])
        return [item for _, item in items]

    def _count(self, chars: list[Char]) -> int:
        """Count the page's glyphs, and those without Unicode; returns the page's glyphs."""
        glyphs = [text for text in map(_TEXT, chars) if text.strip(SPACES)]
        self.cids += sum(1 for text in glyphs if len(text) > 1 and _CID.match(text))
        self.glyphs += len(glyphs)
        return len(glyphs)

    def _begun(self, rows: list[Row]) -> int:
        """A table that starts on this page: its first rows are the header a continuation may
        repeat. Nothing of it is dropped."""
        self.head = [_row_text(row) for row in rows]
        return 0

    def _repeated_header(self, rows: list[Row]) -> int:
        """How many leading rows of the first table of a page repeat the header of the table it
        goes on from (on the previous page). They are dropped, so that a row broken by the page
        meets its other part with nothing between."""
        if self.head_page != self.pages - 1:
            return self._begun(rows)
        repeated = 0
        while repeated < min(len(self.head), len(rows) - 1) and _row_text(rows[repeated]) == self.head[repeated]:
            repeated += 1
        # Nothing repeated: a new table at the top of the page (table 三 after table 二 ended the
        # page before), whose header a continuation on the next page may repeat in turn.
        return repeated or self._begun(rows)

    def _table(self, rows: list[Row], skip: int) -> Table:
        """The rows from `skip` on as a table; sources keep the row numbers of the page."""
        index, page = self.tables, self.pages
        self.tables += 1
        self.head_page = page
        table = Table()
        for r, row in enumerate(rows[skip:], start=skip):
            cells = [
                Cell(item[0], Source(page=page, table=index, row=r, col=c, bbox=_round(item[1])))
                for c, item in enumerate(row)
                if item is not None
            ]
            if cells:
                table.rows.append(cells)
        return table

    def _add_line(self, line: Line, col: Column | None) -> None:
        """The line as a paragraph of its own, or the next line of the paragraph before it (on
        this page, or on the page before when nothing came between)."""
        if self._goes_on(line, col):
            self.paragraph.append((self.pages, line))
        else:
            self.lines += 1
            self.paragraph = [(self.pages, line)]
            self.blocks.append(Paragraph("", Source()))
        self.blocks[-1] = self._paragraph(self.paragraph)

    def _goes_on(self, line: Line, col: Column | None) -> bool:
        if not self.paragraph:
            return False
        page, last = self.paragraph[-1]
        if page == self.pages:
            return continues(last, line, col)
        return page == self.pages - 1 and continues_on_next_page(last, line, self.paragraph_column, col)

    def _paragraph(self, lines: list[tuple[int, Line]]) -> Paragraph:
        """The lines joined; the source is the page the paragraph starts on and its box there."""
        page = lines[0][0]
        box = union([line.bbox for p, line in lines if p == page])
        text = join_lines([line.text for _, line in lines])
        return Paragraph(text, Source(line=self.lines, page=page, bbox=_round(box)))

    def check(self) -> None:
        """Refuse a document whose text is absent or unreadable, rather than parse garbage."""
        if self.glyphs == 0:
            raise ReadError(NO_TEXT)
        if self.cids > CID_SHARE * self.glyphs:
            # pdfminer leaves the strings of an encrypted file's font dictionaries encrypted, so
            # even a file with only an owner password can come out as (cid:N) glyphs.
            raise ReadError(ENCRYPTED if self.encrypted else NO_UNICODE)


def _untaken(chars: list[Char], grids: list[_Grid]) -> list[Char]:
    """The characters no table's cell takes (each goes to the first table that takes it, by its
    centre)."""
    if not grids:
        return list(chars)
    free = []
    for char in chars:
        cx, cy = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        for grid in grids:
            if grid.take(char, cx, cy):
                break
        else:
            free.append(char)
    return free


def _row_text(row: Row) -> tuple[str, ...]:
    return tuple(item[0] for item in row if item is not None)


def _page_objects(page: Page) -> tuple[list[Char], list[Any]]:
    """The page's characters and its ruled tables (cells side by side, not a frame around text);
    the page is parsed here, once."""
    try:
        chars = page.chars
        tables = [t for t in find_tables(page, chars) if len(t.cells) > 1]
    except _BROKEN as exc:
        raise _read_error(exc) from None
    return chars, tables


_KEPT = ("text", "x0", "x1", "top", "bottom", "size")
_TEXT = itemgetter("text")


def _slim(char: Char) -> Char:
    """What a text line needs of a character: every page's lines are kept until the last page is
    read (running heads are found across pages), and pdfminer's characters carry 22 keys (PDFium's
    carry little more than these: kept as they are)."""
    if len(char) <= len(_KEPT) + 1:
        return char
    return {key: char[key] for key in _KEPT}


def _sideways(chars: list[Char]) -> bool:
    """Text that the page's /Rotate turns on its side or upside down: a page turned in a viewer
    and saved, its text still written upright."""
    turned = upright = 0
    for char in chars:
        a, b = char["matrix"][0], char["matrix"][1]
        if a > 0 and abs(b) <= 0.01 * a:
            upright += 1
        else:
            turned += 1
    return turned > upright


def _unrotated(page: Page) -> Page:
    """The page read as its text is written, its /Rotate set aside (boxes are then given on the
    page as written, before the viewer turns it)."""
    page_obj = page.page_obj
    page_obj.rotate = 0
    page_obj.attrs = {**page_obj.attrs, "Rotate": 0}
    plain = Page(page.pdf, page_obj, page.page_number, page.initial_doctop)
    return page.over(plain) if isinstance(page, PdfiumPage) else plain


def _round(bbox: BBox) -> BBox:
    return (round(bbox[0], 2), round(bbox[1], 2), round(bbox[2], 2), round(bbox[3], 2))


@dataclass
class _PageLayout:
    """A page read: its height, its ruled tables (top, rows) and its other text lines."""

    height: float
    tables: list[tuple[float, list[Row]]]
    lines: list[Line]


# --- Ruled tables ------------------------------------------------------------------------------


class _Grid:
    """A ruled table found by pdfplumber, collecting the characters that fall in its cells.

    pdfplumber's rows hold, per column position, the cell that starts there or None where a
    merged cell covers it. Characters are placed by their centre through a band index (the
    distinct row tops and column lefts), not by testing every cell."""

    def __init__(self, table: Any) -> None:
        self.bbox: BBox = table.bbox
        self.cells: list[list[BBox | None]] = [list(row.cells) for row in table.rows]
        self.chars: dict[tuple[int, int], list[Char]] = {}
        self.xs = sorted({cell[0] for row in self.cells for cell in row if cell})
        self.tops = sorted({cell[1] for row in self.cells for cell in row if cell})
        self.band: dict[tuple[int, int], tuple[int, int]] = {}
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                for i in range(bisect_left(self.tops, cell[1]), bisect_left(self.tops, cell[3])):
                    for j in range(bisect_left(self.xs, cell[0]), bisect_left(self.xs, cell[2])):
                        self.band[(i, j)] = (r, c)

    def take(self, char: Char, cx: float, cy: float) -> bool:
        """Keep the character if its centre (cx, cy) lies in one of the cells."""
        x0, top, x1, bottom = self.bbox
        if not (x0 <= cx <= x1 and top <= cy <= bottom):
            return False
        at = self.band.get((bisect_right(self.tops, cy) - 1, bisect_right(self.xs, cx) - 1))
        if at is None:
            return False
        self.chars.setdefault(at, []).append(char)
        return True

    def rows(self) -> list[Row]:
        return [
            [None if cell is None else (cell_text(self.chars.get((r, c), [])), cell) for c, cell in enumerate(row)]
            for r, row in enumerate(self.cells)
            if r in self.kept
        ]

    @cached_property
    def kept(self) -> range:
        """The rows that belong to the table: all but the rows of one cell at its top and bottom.
        A table needs an inner grid; a text box or a frame around a heading or a paragraph that
        touches a table merges with it into full-width rows, which are read as text instead."""
        first, end = 0, len(self.cells)
        while first < end and self._single(first):
            first += 1
        while end > first and self._single(end - 1):
            end -= 1
        return range(first, end)

    @property
    def top(self) -> float:
        """Where the table starts on the page, for the reading order."""
        row = self.cells[self.kept[0]] if self.kept else []
        return min((cell[1] for cell in row if cell), default=self.bbox[1])

    def _single(self, r: int) -> bool:
        return sum(cell is not None for cell in self.cells[r]) <= 1

    def release(self) -> list[Char]:
        """The characters of the rows that are not the table's (see `kept`)."""
        return [char for (r, _), chars in self.chars.items() if r not in self.kept for char in chars]
