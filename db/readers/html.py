"""Read a report published as a web page: the article out of a government portal's page.

Agencies post the report as an article: the page around it brings a header, menus, breadcrumbs,
sidebars of links (often to other years' reports), share buttons and a footer. The reader walks the
page once into lines and tables, picks the smallest element holding all the report's section
headings and its table 三 (the article), and keeps the title line if the portal prints it just
before the article. Nothing in the page is executed or fetched: scripts, styles, frames, comments
and hidden elements contribute no text, and links only their visible text.

Tables: a table holding other tables lays out the page (2000s portals); its cells are read as
blocks of text. A table without nested tables and with at least two cells in a row is data.
In data tables a `colspan` cell appears once; a `rowspan` label is repeated in the rows it
covers (every row of a group then has the same cells, so the parser sees one row shape); a
`rowspan` value or blank is not repeated (that would count it twice) but leaves a blank cell,
so the values after it keep their columns.

Pictures: an `<img>` of the article (table 三 shown as a picture) is read by OCR when the page was
saved with its files beside it; never fetched (ocr_images.py). Its tables and lines take the
picture's place; a picture not read is named in the document's details.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from lxml import etree

from nianbao.db.document import Block, Cell, Document, Paragraph, Source, Table
from nianbao.db.errors import ReadError
from nianbao.db.format import FORMATS
from nianbao.db.limits import current as current_limits
from nianbao.db.parse.identity import find_title
from nianbao.db.parse.labels import normalize, read_cell
from nianbao.db.parse.sections import heading_section
from nianbao.db.readers import ocr_images
from nianbao.db.readers.encoding import decode

Element: TypeAlias = etree._Element  # plain elements: lxml.html's element classes cost a lookup per node

# --- Encoding ------------------------------------------------------------------------------------

_SNIFF_BYTES = 8192  # where <meta charset> must sit (the HTML standard says 1024; Word pages run longer)
_META_CHARSET = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:\-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([a-z0-9_.:\-]+)", re.IGNORECASE)
_GB_FAMILY = {"gb2312", "gbk", "gb18030"}  # codec names after codecs.lookup (cp936, x-gbk → gbk)
# Declarations no Chinese report is written in: template defaults; trust the bytes instead.
_IMPLAUSIBLE = {"latin-1", "iso8859-1", "cp1252", "ascii", "utf-16", "utf-16-le", "utf-16-be", "utf-32"}


def decode_page(data: bytes) -> tuple[str, str, str | None]:
    """(text, encoding used, charset the page declares). A BOM wins, then the declared charset
    (GB2312/GBK read as GB18030, their superset) decoded strictly, then the project's decoder."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return (*decode(data), None)
    declared = declared_charset(data[:_SNIFF_BYTES])
    codec = _codec(declared)
    if codec is not None and codec not in _IMPLAUSIBLE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            pass  # the declaration is wrong; the bytes decide
        else:
            if not text.strip():
                raise ReadError("文件是空的：请从发布机关的网站重新下载")
            return text, codec, declared
    return (*decode(data), declared)


def declared_charset(head: bytes) -> str | None:
    """The charset a page declares in <meta charset>, <meta http-equiv> or an XML declaration."""
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label; None if unknown or not a text encoding (a page that
    declares hex, rot13, base64 or zlib is read as if it declared nothing)."""
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None
    name = info.name
    return "gb18030" if name in _GB_FAMILY else name


# --- Text ----------------------------------------------------------------------------------------

_SKIP = frozenset(
    ("script", "style", "noscript", "template", "head", "title")  # code and metadata
    + ("iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "canvas", "audio", "video", "map")
    + ("select", "option", "textarea", "button", "input")  # form controls
)
_BLOCK = frozenset(
    ("html", "body", "main", "article", "section", "header", "footer", "nav", "aside", "div", "center", "form")
    + ("p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "address", "hr", "fieldset", "legend")
    + ("ul", "ol", "li", "dir", "menu", "dl", "dt", "dd", "details", "summary", "dialog", "figure", "figcaption")
    + ("table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th", "hgroup")
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f\xa0]+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_EDGE_SPACE = " \u3000"
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.IGNORECASE)


def _wide(char: str) -> bool:
    """A CJK character or CJK punctuation: text that is written without spaces."""
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


def clean_text(raw: str) -> str:
    """HTML's whitespace rules: runs collapse to one space, NBSP is a space; a line break
    between two CJK characters is no space at all (the source was wrapped mid-word)."""
    raw = _INVISIBLE.sub("", raw)

    def space(m: re.Match[str]) -> str:
        run = m.group(0)
        broken = "\n" in run or "\r" in run
        inside = 0 < m.start() and m.end() < len(raw)
        if broken and inside and _wide(raw[m.start() - 1]) and _wide(raw[m.end()]):
            return ""
        return " "

    return _HTML_SPACE.sub(space, raw).strip(_EDGE_SPACE)


def join_lines(lines: Iterable[str]) -> str:
    """Lines of one table cell as one text: no space where CJK meets CJK (本年<br>制作件数)."""
    out = ""
    for line in lines:
        if not line:
            continue
        out = line if not out else out + ("" if _wide(out[-1]) and _wide(line[0]) else " ") + line
    return out


# --- Walking the page ----------------------------------------------------------------------------


@dataclass
class _Line:
    """A line of text of the page and the block element holding it."""

    text: str
    element: Element
    linked: bool  # mostly link text: menus, link lists, breadcrumbs


@dataclass
class _RawCell:
    text: str
    row: int
    col: int  # the grid column the cell starts in


@dataclass
class _Grid:
    """A data table of the page, before the article is chosen."""

    rows: list[list[_RawCell]]
    element: Element


@dataclass
class _Picture:
    """An <img> of the page: its src, read by OCR if it is in the article."""

    src: str
    element: Element


_Item = _Line | _Grid | _Picture


@dataclass
class _Walker:
    """Turns a subtree into lines and data tables in document order."""

    items: list[_Item] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)
    link_chars: int = 0
    holder: Element | None = None

    def walk(self, element: Element, block: Element, linked: bool) -> None:
        """The element's text and children (its tail belongs to the parent). One call per
        element: a page has some 1,500, and this is most of reading it."""
        tag = element.tag.lower()
        if tag in _SKIP or _hidden(element):
            return
        if tag == "br":
            if self.pieces:
                self.flush()
            return
        if tag == "img":
            if self.pieces:
                self.flush()
            self.items.append(_Picture(element.get("src") or "", element))
            return
        if tag == "table" and is_data_table(element):
            if self.pieces:
                self.flush()
            for caption in element.iterchildren("caption"):  # may name the section: a line before
                self.walk(caption, caption, linked)
            self.items.append(_Grid(table_rows(element), element))
            return
        is_block = tag in _BLOCK
        if is_block:
            if self.pieces:
                self.flush()
            block = element
        linked = linked or tag == "a"
        text = element.text
        if text:
            self.add(text, block, linked)
        for child in element:
            if isinstance(child.tag, str):  # comments and processing instructions are dropped
                self.walk(child, block, linked)
            tail = child.tail
            if tail:
                self.add(tail, block, linked)
        if is_block and self.pieces:
            self.flush()

    def add(self, text: str, block: Element, linked: bool) -> None:
        if not self.pieces:
            self.holder = block
        self.pieces.append(text)
        if linked:
            self.link_chars += len(text.strip())

    def flush(self) -> None:
        """End the current line (nothing to do when no text was added since the last one)."""
        if not self.pieces:
            return
        text = clean_text("".join(self.pieces))
        if text and self.holder is not None:
            self.items.append(_Line(text, self.holder, 2 * self.link_chars > len(text.replace(" ", ""))))
        self.pieces, self.link_chars, self.holder = [], 0, None


_hidden_styles: dict[str, bool] = {}  # a page repeats a few style attributes on most of its elements


def _hidden(element: Element) -> bool:
    """Hidden from readers of the page: not part of what the agency published."""
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    if not style:
        return False
    hidden = _hidden_styles.get(style)
    if hidden is None:
        if len(_hidden_styles) > 10_000:
            _hidden_styles.clear()
        hidden = _hidden_styles[style] = bool(_HIDDEN_STYLE.search(style))
    return hidden


def walk_page(root: Element) -> list[_Item]:
    walker = _Walker()
    walker.walk(root, root, False)
    walker.flush()
    return walker.items


# --- Tables --------------------------------------------------------------------------------------

_MAX_SPAN = 1000


def _cells(tr: Element) -> list[Element]:
    return [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]


def _rows(table: Element) -> list[Element]:
    return list(table.iter("tr"))


def is_data_table(table: Element) -> bool:
    """Data: no nested table, and some row with two cells or more. A table of tables, or of
    one cell per row, lays the page out."""
    if next(table.iterdescendants("table"), None) is not None:
        return False
    return any(len(_cells(tr)) >= 2 for tr in _rows(table))


_DIGITS = re.compile(r"\s*(\d+)")


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan attribute as a count in [1, limit]; 0 (to the end) is `limit`."""
    if not value:
        return 1
    digits = _DIGITS.match(value)
    if not digits:
        return 1
    n = int(digits.group(1)[:6])
    return limit if n == 0 else max(1, min(n, limit))


def cell_text(cell: Element) -> str:
    """The cell's lines joined; a cell of text alone (most cells) is its text, cleaned."""
    if not len(cell):
        text = cell.text
        return clean_text(text) if text and not _hidden(cell) and cell.tag.lower() not in _SKIP else ""
    flat = _flat_cell_text(cell)
    return flat if flat is not None else walked_cell_text(cell)


def walked_cell_text(cell: Element) -> str:
    """The cell's lines as the page's walk reads them, joined: what `cell_text` gives any cell."""
    walker = _Walker()
    walker.walk(cell, cell, False)
    walker.flush()
    return join_lines(item.text for item in walker.items if isinstance(item, _Line))


_BREAKING = _SKIP | {"br", "img", "table"}  # what ends a line or holds no text of the cell


def _flat_cell_text(cell: Element) -> str | None:
    """The text of a cell whose children are paragraphs and inline elements holding text and
    inline elements only (a Word page's <td><p><span>12</span></p></td>), as the walk reads
    it, without walking it: a line per paragraph and per run of text between them. None when
    the cell holds anything else (a line break, a picture, a hidden or skipped element, nested
    blocks): the walk reads it."""
    if cell.tag.lower() in _SKIP or _hidden(cell):
        return None
    lines: list[str] = []
    pieces = [cell.text or ""]
    for child in cell:
        tag = child.tag
        if not isinstance(tag, str):
            return None
        tag = tag.lower()
        if tag in _BREAKING or _hidden(child) or not _inline_only(child):
            return None
        if tag in _BLOCK:
            lines.append(clean_text("".join(pieces)))
            lines.append(clean_text("".join(child.itertext())))
            pieces = []
        else:
            pieces.append("".join(child.itertext()))
        pieces.append(child.tail or "")
    lines.append(clean_text("".join(pieces)))
    return join_lines(lines)


def _inline_only(element: Element) -> bool:
    """Whether everything under the element is inline text: no block, break, picture, hidden
    or skipped element, comment or processing instruction."""
    for inner in element.iterdescendants():
        tag = inner.tag
        if not isinstance(tag, str):
            return False
        tag = tag.lower()
        if tag in _BLOCK or tag in _BREAKING or _hidden(inner):
            return False
    return True


@dataclass
class _Carry:
    """A rowspan cell still covering rows below the one it starts in."""

    cell: _RawCell
    rows_left: int
    colspan: int


def table_rows(table: Element) -> list[list[_RawCell]]:
    """The rows of a data table, one cell per <td>/<th>; rowspan cells carried down (see the
    module's docstring)."""
    trs = _rows(table)
    limits = current_limits()
    limits.check_table_cells(sum(len(_cells(tr)) for tr in trs))
    carried: dict[int, _Carry] = {}
    out: list[list[_RawCell]] = []
    placed = 0  # with the cells rowspans carry down, which may outnumber the <td>s
    for r, tr in enumerate(trs):
        row: list[_RawCell] = []
        col = 0
        for td in _cells(tr):
            col = _carry_down(carried, row, r, col, stop_at_gap=True)
            cell = _RawCell(cell_text(td), r, col)
            row.append(cell)
            colspan = _span(td.get("colspan"), _MAX_SPAN)
            rowspan = _span(td.get("rowspan"), len(trs) - r)
            if rowspan > 1:
                carried[col] = _Carry(cell, rowspan - 1, colspan)
            col += colspan
        _carry_down(carried, row, r, col, stop_at_gap=False)
        placed += len(row)
        limits.check_table_cells(placed)
        if row:
            out.append(row)
    return out


def _carry_down(carried: dict[int, _Carry], row: list[_RawCell], r: int, col: int, *, stop_at_gap: bool) -> int:
    """Place the rowspan cells covering row `r` from column `col` on: up to the first free
    column (before a cell of the row), or all that remain (at the row's end)."""
    while True:
        at = col if col in carried else None
        if at is None and not stop_at_gap:
            at = min((c for c in carried if c >= col), default=None)
        if at is None:
            return col
        carry = carried[at]
        is_label = read_cell(carry.cell.text).kind == "label"
        row.append(carry.cell if is_label else _RawCell("", r, at))
        carry.rows_left -= 1
        if carry.rows_left <= 0:
            del carried[at]
        col = at + carry.colspan


# --- Choosing the article ------------------------------------------------------------------------

_TABLE3_LABELS = frozenset(
    normalize(label) for spec in FORMATS.values() for row in spec.table3_rows for label in row.labels
)
_TABLE3_MIN_LABELS = 3
_TITLE_LOOKBACK = 12  # lines before the article where the portal prints the title
_TITLE_TAGS = ("h1", "h2", "h3")


def _marker(item: _Item) -> str | None:
    """What part of the report an item shows: a section heading, or table 三."""
    if isinstance(item, _Line):
        if item.linked:
            return None
        section = heading_section(item.text)
        return section.key if section else None
    if isinstance(item, _Picture):
        return None
    labels = sum(1 for row in item.rows for c in row if normalize(c.text) in _TABLE3_LABELS)
    return "table3" if labels >= _TABLE3_MIN_LABELS else None


def choose_article(items: list[_Item], root: Element) -> Element:
    """The smallest element holding every part of the report found in the page. Copies of a
    heading in the chrome do not matter: parts are counted once per element."""
    found: dict[Element, set[str]] = {}
    for item in items:
        key = _marker(item)
        if key is None:
            continue
        for element in (item.element, *item.element.iterancestors()):
            found.setdefault(element, set()).add(key)
    if not found:
        return root
    most = max(len(keys) for keys in found.values())
    holders = [element for element, keys in found.items() if len(keys) == most]
    return max(holders, key=_depth)  # of equally deep holders (the report twice), the first found


def _depth(element: Element) -> int:
    return sum(1 for _ in element.iterancestors())


def _is_title(line: _Line) -> bool:
    """A line naming the report; a link only as a heading (<h1><a>title</a></h1> links to itself)."""
    if line.linked and line.element.tag.lower() not in _TITLE_TAGS:
        return False
    return find_title([Paragraph(line.text, Source())])[0] is not None


def title_before(items: list[_Item], start: int) -> _Line | None:
    """The report's title printed just before the article (an <h1> outside the content div)."""
    for item in reversed(items[max(0, start - _TITLE_LOOKBACK) : start]):
        if isinstance(item, _Line) and _is_title(item):
            return item
    return None


def _has_title(article_items: list[_Item]) -> bool:
    """True when the article's own front matter names the report (title line)."""
    front: list[Block] = []
    for item in article_items:
        if isinstance(item, _Line):
            if heading_section(item.text) is not None:
                break
            front.append(Paragraph(item.text, Source()))
    return find_title(front)[0] is not None


def _without_trailing_links(items: list[_Item]) -> list[_Item]:
    """Drop link lines after the report's text (【打印本页】【关闭窗口】, attachments, share
    buttons inside the content div): the closing organ and date must end the document."""
    end = len(items)
    while end and isinstance(last := items[end - 1], _Line) and last.linked:
        end -= 1
    return items[:end]


def describe(element: Element) -> str:
    """tag#id.class of an element, for the record of what was read."""
    name = element.tag.lower()
    if element.get("id"):
        name += f"#{element.get('id').strip()}"
    classes = (element.get("class") or "").split()
    return name + "".join(f".{c}" for c in classes)


# --- The reader ----------------------------------------------------------------------------------


def parse_page(text: str) -> Element | None:
    """The page as a tree (None if it holds no element); lxml never fetches anything."""
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ReadError(f"不是可读的网页（lxml：{exc}）") from exc
    limit = next((e for e in parser.error_log if e.type_name == "ERR_RESOURCE_LIMIT"), None)
    if limit is not None:
        # libxml2 stops at a limit (256 nested elements, a huge text node) and drops the rest of
        # the page: say so, never hand on a silently truncated report
        raise ReadError(f"网页超出 HTML 解析器的限度，其余部分会被丢弃（libxml2：{limit.message.strip()}）")
    return root


def read_html(data: bytes, folder: Path | None = None) -> Document:
    """Read the report article of a web page into blocks; `folder`: where the page was saved,
    for the pictures kept beside it."""
    text, encoding, declared = decode_page(data)
    root = parse_page(text)
    if root is None:
        return Document([], form="html", encoding=encoding, details={"article": ""})
    body = root.find("body")
    start = body if body is not None else root
    items = walk_page(start)
    article = choose_article(items, start)
    inside = set(article.iter())
    chosen = [i for i, item in enumerate(items) if item.element in inside]
    article_items = _without_trailing_links([items[i] for i in chosen])
    details = {"article": describe(article)}
    if chosen and not _has_title(article_items):
        title = title_before(items, chosen[0])
        if title is not None:
            article_items.insert(0, title)
            details["title"] = describe(title.element)
    if declared:
        details["declared_charset"] = declared
    pictures = _Pictures(folder)
    blocks = to_blocks(article_items, pictures)
    details.update(pictures.details())
    return Document(blocks, form="html", encoding=encoding, details=details)


@dataclass
class _Pictures:
    """The article's pictures: read by OCR in order (the Nth read is page N of its cells'
    provenance), or named with why not."""

    folder: Path | None
    read: list[str] = field(default_factory=list)
    unread: list[tuple[str, str]] = field(default_factory=list)

    def blocks(self, src: str) -> list[Block]:
        if len(self.read) + len(self.unread) >= ocr_images.MAX_PICTURES:
            self.unread.append((src, f"正文中的图片超过 {ocr_images.MAX_PICTURES} 张"))
            return []
        blocks, why = ocr_images.read_picture(src, self.folder)
        if why is not None:
            self.unread.append((src, why))
            return []
        self.read.append(src)
        return blocks

    def details(self) -> dict[str, str]:
        out = {}
        if self.read:
            out[ocr_images.READ] = " | ".join(ocr_images.shown_src(src) for src in self.read)
        if self.unread:
            out[ocr_images.NOT_READ] = ocr_images.not_read_message(self.unread)
        return out


def to_blocks(items: list[_Item], pictures: _Pictures | None = None) -> list[Block]:
    """Blocks with provenance: paragraphs by block number, cells by table, row and column; a
    picture's blocks in its place, on page N (the Nth picture read) with their boxes in pixels."""
    blocks: list[Block] = []
    tables = 0
    for item in items:
        if isinstance(item, _Line):
            blocks.append(Paragraph(item.text, Source(line=len(blocks) + 1)))
            continue
        if isinstance(item, _Picture):
            page = len(pictures.read) + 1 if pictures else 0
            for block in pictures.blocks(item.src) if pictures else []:
                if isinstance(block, Paragraph):
                    blocks.append(Paragraph(block.text, block.source._replace(line=len(blocks) + 1, page=page)))
                else:
                    blocks.append(_renumbered(block, tables, page))
                    tables += 1
            continue
        rows = [[Cell(c.text, Source(table=tables, row=c.row, col=c.col)) for c in row] for row in item.rows]
        blocks.append(Table(rows))
        tables += 1
    return blocks


def _renumbered(table: Table, number: int, page: int) -> Table:
    """A picture's table as the page's table `number`, on the picture's page."""
    return Table([[Cell(c.text, c.source._replace(table=number, page=page)) for c in row] for row in table.rows])
