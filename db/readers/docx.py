"""Read a Word .docx report into blocks, straight from the main part's XML.

Only the main document part is inflated (never images or other parts), with a size limit checked
before and while reading, so a zip bomb named .docx is refused without being expanded.

The body is walked in order: each non-empty paragraph becomes a `Paragraph`, each table a `Table`.
Merged cells are resolved from the XML:
- a horizontal merge (`w:gridSpan`, or legacy `w:hMerge`) is ONE cell, at its first grid column,
  so a value spanning three columns is read once;
- a vertical merge continuation (`w:vMerge` without "restart") repeats the top cell's text when that
  is a label (the parser takes the last label before the values, so a repeated label helps), stays
  a blank cell when the top cell is blank, and is dropped when the top cell holds a number or a
  not-applicable marker: repeating it would invent a value, while a short row is noted by the
  parser instead of guessed.
A table that holds another table, or has a single column, is page layout (a frame around the
report, as web pages saved as Word produce): its cells' contents are read as body content.

Provenance: a paragraph's `Source.line` is its 1-based number among the body's paragraphs (empty
ones and those of layout tables included, those of data tables not); a cell's is (table, row,
col): the table's 0-based number among all tables in reading order (outer before inner, the same
as python-docx's `Document.tables` when nothing is nested), the row's index, the grid column.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from nianbao.db.document import Cell, Document, Paragraph, Source, Table
from nianbao.db.errors import ReadError
from nianbao.db.limits import MB, Limits
from nianbao.db.limits import current as current_limits
from nianbao.db.parse.labels import read_cell

MAX_RELS_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
MAIN_PART = "word/document.xml"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted Office file is an OLE container with this stream (directory names are UTF-16LE).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_WORD_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",  # transitional (Word, WPS)
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # ISO strict
)
_OFFICE_DOCUMENT = "/officeDocument"  # the end of the package relationship type of the main part
_SPACE = " \u3000\xa0"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_Row = tuple[etree._Element, list[etree._Element]]  # a w:tr and its w:tc cells


def read_docx(data: bytes) -> Document:
    """Read a .docx file's body into paragraphs and tables. Raises ReadError for a file that is
    not a Word document, is damaged, encrypted, or expands beyond the unzipped size limit."""
    if data.startswith(OLE_MAGIC):
        raise ReadError(ole_message(data))
    root = _parse_xml(_main_xml(data))
    walker = _Walker(_word_namespace(root))
    body = _child(root, walker.q("body"))
    if body is None:
        raise ReadError("该 .docx 已损坏：文档没有正文（w:body）")
    walker.content(body)
    tables = sum(isinstance(b, Table) for b in walker.blocks)
    details = {"paragraphs": str(len(walker.blocks) - tables), "tables": str(tables)}
    return Document(blocks=walker.blocks, form="docx", details=details)


def is_encrypted_ole(data: bytes) -> bool:
    """An OLE2 container holding an encrypted Office Open XML package (a password-protected .docx)."""
    return _ENCRYPTED_STREAM in data


def ole_message(data: bytes) -> str:
    """Why an OLE2 file cannot be read: a password-protected .docx is an OLE container holding an
    EncryptedPackage stream; any other OLE2 file is old binary Word (or WPS)."""
    if is_encrypted_ole(data):
        return "该 .docx 已加密（设有密码）：请在 Word 中取消密码后重新保存"
    return "已加密的文件或旧版二进制 Word 文件（.doc/.wps）无法读取：请另存为 .docx 或 PDF"


# --- The zip ---------------------------------------------------------------------------------------


def _main_xml(data: bytes) -> bytes:
    """The main document part's bytes, read without trusting the zip's declared sizes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = _main_part(archive)
            limits = current_limits()
            if info.file_size > limits.unzipped_mb * MB:
                raise limits.unzipped_too_large(info.file_size)
            blob = _read_capped(archive, info, limits)
    except zipfile.BadZipFile as exc:
        raise ReadError(f"该 .docx 已损坏：{_zip_problem(exc)}") from exc
    except (zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # corrupt deflate stream, cut-off member, unknown compression, password-protected member
        raise ReadError(f"该 .docx 已损坏：{MAIN_PART} 无法解压（{type(exc).__name__}：{exc}）") from exc
    return blob


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Inflate a member a megabyte at a time, stopping past the limit: the directory's sizes
    may lie (zipfile stops at the declared size, but asked for 50 MB at once it would first
    inflate 50 MB)."""
    chunks, total, cap = [], 0, limits.unzipped_mb * MB
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            total += len(chunk)
            if total > cap:
                raise limits.unzipped_too_large(cap, at_least=True)
            chunks.append(chunk)
    return b"".join(chunks)


def _main_part(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The main document part: the package relationship's target when it lies under word/
    (some producers write word/document2.xml), else word/document.xml."""
    names = {info.filename: info for info in archive.infolist()}
    target = _relationship_target(archive, names.get("_rels/.rels"))
    for name in (target, MAIN_PART):
        if name in names:
            return names[name]
    raise ReadError(f"不是 Word 文档（zip 中没有 {MAIN_PART}）")


def _relationship_target(archive: zipfile.ZipFile, rels: zipfile.ZipInfo | None) -> str | None:
    """The officeDocument target named by _rels/.rels, if it is a part under word/."""
    if rels is None or rels.file_size > MAX_RELS_BYTES:
        return None
    try:
        root = _parse_xml(archive.read(rels))
    except (ReadError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return None  # the main part is still found by its usual name
    for relationship in root:
        if str(relationship.get("Type", "")).endswith(_OFFICE_DOCUMENT):
            target = str(relationship.get("Target", "")).lstrip("/")
            return target if target.startswith("word/") else None
    return None


def _zip_problem(exc: zipfile.BadZipFile) -> str:
    text = str(exc)
    if text == "File is not a zip file":
        return "不是完整的 zip 压缩包（被截断，或根本不是 zip）"
    return f"zip 数据有误（zipfile：{text}）"  # e.g. "Bad CRC-32 for file 'word/document.xml'"


# --- The XML ---------------------------------------------------------------------------------------


def _parse_xml(blob: bytes) -> etree._Element:
    """Parse untrusted XML: no entity expansion, no network, no comments or processing
    instructions (they would otherwise show up among an element's children)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(blob, parser)
    except etree.XMLSyntaxError as exc:
        detail = " ".join(str(exc).split())  # libxml2's messages can hold line breaks
        raise ReadError(f"该 .docx 已损坏：XML 格式不正确（libxml2：{detail}）") from exc


def _word_namespace(root: etree._Element) -> str:
    """The WordprocessingML namespace the document uses (transitional or strict)."""
    qname = etree.QName(root)
    if qname.localname != "document" or qname.namespace not in _WORD_NAMESPACES:
        raise ReadError(f"不是 Word 文档（主体部分是 <{qname.localname}>，不是 Word 文档正文）")
    return qname.namespace


# --- Text ------------------------------------------------------------------------------------------


def _wide(char: str) -> bool:
    """CJK characters, CJK punctuation and full-width forms: text that is written without spaces."""
    return char >= "\u2e80"


def join_lines(lines: list[str]) -> str:
    """Join pieces of one text (soft line breaks, a cell's paragraphs): no space where either side
    is CJK ("本年" + "制作件数" → "本年制作件数"), one space between Latin words."""
    out = ""
    for line in (piece.strip(_SPACE) for piece in lines):
        if not line:
            continue
        if out and not _wide(out[-1]) and not _wide(line[0]):
            out += " "
        out += line
    return out


@dataclass
class _Walker:
    """Walks the body in reading order, collecting blocks and counting paragraphs and tables."""

    ns: str
    blocks: list[Paragraph | Table] = field(default_factory=list)
    paragraphs: int = 0  # every paragraph met outside data tables, for Source.line
    tables: int = 0  # every table met, for Source.table

    def __post_init__(self) -> None:
        q = self.q
        self.P, self.TBL, self.TR, self.TC = q("p"), q("tbl"), q("tr"), q("tc")
        self.R, self.T, self.TAB, self.BR, self.CR = q("r"), q("t"), q("tab"), q("br"), q("cr")
        self.NO_BREAK_HYPHEN, self.VAL = q("noBreakHyphen"), q("val")
        self.RPR, self.VANISH, self.TR_PR, self.TC_PR = q("rPr"), q("vanish"), q("trPr"), q("tcPr")
        self.GRID_BEFORE, self.GRID_SPAN = q("gridBefore"), q("gridSpan")
        self.V_MERGE, self.H_MERGE = q("vMerge"), q("hMerge")
        # Containers whose children are read as if they stood in their place.
        self.wrappers = {q("sdt"), q("sdtContent"), q("customXml"), q("smartTag"), q("ins"), q("moveTo")}
        # Subtrees with no visible text of the paragraph: properties, deleted and moved-away text,
        # field codes, and drawings/text boxes (which float apart from the text and which
        # mc:AlternateContent would hold twice, once per rendering).
        self.skipped = {
            q("pPr"),
            q("rPr"),
            q("del"),
            q("moveFrom"),
            q("instrText"),
            q("delText"),
            q("drawing"),
            q("pict"),
            q("object"),
            f"{{{_MC}}}AlternateContent",
        }

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    # Block level

    def content(self, parent: etree._Element) -> None:
        """Read the paragraphs and tables under `parent` (the body, or a layout table's cell)."""
        for child in self._children(parent):
            if child.tag == self.P:
                self.paragraphs += 1
                text = self.paragraph_text(child)
                if text:
                    self.blocks.append(Paragraph(text, Source(line=self.paragraphs)))
            elif child.tag == self.TBL:
                self.table(child)

    def _children(self, element: etree._Element) -> Iterator[etree._Element]:
        """Children of an element, content controls and other wrappers opened in place."""
        for child in element:
            if child.tag in self.wrappers:
                yield from self._children(child)
            else:
                yield child

    # Paragraphs

    def paragraph_text(self, p: etree._Element) -> str:
        """The visible text of a paragraph: runs, hyperlinks, fields' results; soft breaks joined."""
        pieces: list[str] = []
        self._collect(p, pieces)
        text = "".join(pieces).replace("\t", " ").replace("\xa0", " ")
        if "\n" not in text:  # one line (most paragraphs): join_lines of it alone is it, stripped
            return text.strip(_SPACE)
        return join_lines(text.split("\n"))

    def _collect(self, element: etree._Element, out: list[str]) -> None:
        for child in element:
            tag = child.tag
            if tag == self.T:
                out.append(child.text or "")
            elif tag == self.TAB:
                out.append("\t")
            elif tag in (self.BR, self.CR):
                out.append("\n")
            elif tag == self.NO_BREAK_HYPHEN:
                out.append("-")
            elif tag in self.skipped or (tag == self.R and self._hidden(child)):
                continue
            else:
                self._collect(child, out)

    def _hidden(self, run: etree._Element) -> bool:
        """A run formatted as hidden text (w:vanish), which Word does not show or print."""
        props = _child(run, self.RPR)
        vanish = _child(props, self.VANISH) if props is not None else None
        return vanish is not None and vanish.get(self.VAL, "true") not in ("0", "false", "off")

    # Tables

    def table(self, tbl: etree._Element) -> None:
        index = self.tables
        self.tables += 1
        rows = [
            (tr, [tc for tc in self._children(tr) if tc.tag == self.TC])
            for tr in self._children(tbl)
            if tr.tag == self.TR
        ]
        current_limits().check_table_cells(sum(len(cells) for _, cells in rows))
        if self._is_layout(tbl, rows):
            for _, cells in rows:
                for tc in cells:
                    self.content(tc)
            return
        self.blocks.append(Table(self._read_rows(index, rows)))

    def _is_layout(self, tbl: etree._Element, rows: list[_Row]) -> bool:
        """A table used to lay out the page rather than hold data: it nests a table, or it has
        one column (a frame around paragraphs)."""
        nested = next(tbl.iterdescendants(self.TBL), None) is not None
        return nested or all(len(cells) <= 1 for _, cells in rows)

    def _read_rows(self, index: int, rows: list[_Row]) -> list[list[Cell]]:
        out: list[list[Cell]] = []
        above: dict[int, str] = {}  # grid column -> text of the cell starting there in the row above
        for r, (tr, row) in enumerate(rows):
            cells: list[Cell] = []
            here: dict[int, str] = {}
            col = self._grid_before(tr)
            for tc in row:
                span, vmerge, hmerge = self._cell_props(tc)
                if hmerge == "continue":
                    col += span  # a legacy horizontal merge: part of the cell on its left
                    continue
                if vmerge == "continue":
                    text = above.get(col, "")
                    keep = read_cell(text).kind in ("label", "blank")
                else:
                    text, keep = self.cell_text(tc), True
                if keep:
                    cells.append(Cell(text, Source(table=index, row=r, col=col)))
                here[col] = text
                col += span
            above = here
            out.append(cells)
        return out

    def cell_text(self, tc: etree._Element) -> str:
        """A cell's paragraphs joined (a header over two lines "本年" / "制作件数" is one label)."""
        texts = [self.paragraph_text(p) for p in self._children(tc) if p.tag == self.P]
        return texts[0] if len(texts) == 1 else join_lines(texts)  # a paragraph's text is joined already

    def _grid_before(self, tr: etree._Element) -> int:
        """Grid columns a row skips before its first cell (w:gridBefore)."""
        props = _child(tr, self.TR_PR)
        prop = _child(props, self.GRID_BEFORE) if props is not None else None
        return _int(prop.get(self.VAL) if prop is not None else None, 0)

    def _cell_props(self, tc: etree._Element) -> tuple[int, str | None, str | None]:
        """A cell's grid span and its vertical and legacy horizontal merge ('restart',
        'continue' or None), read in one pass over its w:tcPr."""
        span, vmerge, hmerge = 1, None, None
        props = _child(tc, self.TC_PR)
        for prop in props if props is not None else ():
            if prop.tag == self.GRID_SPAN:
                span = max(1, _int(prop.get(self.VAL), 1))
            elif prop.tag in (self.V_MERGE, self.H_MERGE):
                state = "restart" if prop.get(self.VAL) == "restart" else "continue"
                vmerge, hmerge = (state, hmerge) if prop.tag == self.V_MERGE else (vmerge, state)
        return span, vmerge, hmerge


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    """The first child with this tag (lxml's find() goes through a slower path parser)."""
    return next(element.iterchildren(tag), None)


def _int(text: str | None, default: int) -> int:
    try:
        return max(0, int(text)) if text is not None else default
    except ValueError:
        return default
