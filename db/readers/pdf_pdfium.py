"""A PDF page's characters and drawn lines from PDFium (pypdfium2), shaped as pdfplumber gives them
from pdfminer, so that the reader and pdfplumber's table finder work on them unchanged.

pdfminer interprets every page's content stream in Python: some 90 % of the time a PDF took to
read. PDFium does the same work in C. What the reader uses is rebuilt with pdfminer's geometry:
a character's box runs from its origin along its advance (the font's width of the glyph) and, up
the page, from the font's descent over one font size (pdfminer's LTChar), not the glyph's drawn
shape; a path is cut into its subpaths and each becomes a line, a rectangle or a curve by
pdfminer's rules (PDFLayoutAnalyzer.paint_path), in pdfminer's coordinates (the page's /Rotate
turned in, the media box's corner at the origin), then pdfplumber's (top down). A character
carries only the keys of pdfplumber's that the reader reads (text, x0, x1, top, bottom, size,
and as matrix the linear part of pdfplumber's): its table finder reads no character, and the
fifteen keys took some 4 % of the time a PDF took to read.

The file is still opened and its page tree listed by pdfplumber (cheap: no page is interpreted),
so that a damaged file is refused with the same words; the page boxes and /Rotate come from there.
The engine is chosen by NIANBAO_PDF_ENGINE (`pdfium` or `pdfminer`, DEFAULT_ENGINE when unset);
where PDFium cannot open a file or load a page, the page objects come from pdfminer as before.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import struct
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
from pdfminer.pdffont import PDFCIDFont, PDFType3Font
from pdfplumber.page import Page

from nianbao.db.errors import ReadError
from nianbao.db.readers import pdf_fonts
from nianbao.db.readers.pdf_bounds import Loaded
from nianbao.db.readers.pdf_rulings import invisible

ENGINE_VARIABLE = "NIANBAO_PDF_ENGINE"
ENGINES = ("pdfium", "pdfminer")
DEFAULT_ENGINE = "pdfium"

Obj = dict[str, Any]
Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_WHITESPACE = " \r\n"
DRIFT = 0.002  # points: PDFium's 32-bit sums of a line's advances stray less than this


def engine() -> str:
    """The engine the environment asks for; a name that is none is refused in one line."""
    name = os.environ.get(ENGINE_VARIABLE, "").strip().lower() or DEFAULT_ENGINE
    if name not in ENGINES:
        raise ReadError(f"{ENGINE_VARIABLE}={name!r} 不是 PDF 引擎：请用 {' 或 '.join(ENGINES)}")
    return name


def open_document(data: bytes) -> pypdfium2.PdfDocument | None:
    """The document as PDFium reads it, or None where PDFium cannot open it."""
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None


def reads(document: pypdfium2.PdfDocument | None, pages: int) -> bool:
    """Whether PDFium reads this document's pages: asked for, opened with as many pages as
    pdfminer lists, and not encrypted (pdfminer leaves an encrypted file's font strings
    encrypted and refuses it as such; PDFium would read it: the engines would differ)."""
    if document is None or engine() != "pdfium" or len(document) != pages:
        return False
    return bool(pdfium_c.FPDF_GetSecurityHandlerRevision(document.raw) == -1)


class PdfiumPage(Page):
    """A pdfplumber page whose characters, lines, rectangles and curves come from PDFium.

    It takes the page boxes and rotation of the pdfplumber page it stands for (so coordinates
    are converted exactly as pdfplumber converts pdfminer's) and never interprets the content
    stream with pdfminer."""

    def __init__(self, like: Page, document: pypdfium2.PdfDocument, index: int, loaded: Loaded) -> None:
        self.pdf = like.pdf
        self.root_page = self
        self.page_obj = like.page_obj
        self.page_number = like.page_number
        self.initial_doctop = like.initial_doctop
        self.rotation = like.rotation
        self.mediabox = like.mediabox
        self.cropbox = like.cropbox
        self.bbox = like.bbox
        self.get_textmap = lru_cache()(self._get_textmap)
        self._like = like
        self._document = document
        self._index = index
        self._loaded = loaded  # pages and texts PDFium loaded already (pdf_bounds), by index

    @property
    def objects(self) -> dict[str, list[Obj]]:
        if hasattr(self, "_objects"):
            return self._objects
        try:
            self._objects: dict[str, list[Obj]] = page_objects(self._document, self._index, self, self._loaded)
        except (pypdfium2.PdfiumError, Unresolved):  # a page PDFium cannot load: pdfminer reads it
            self._objects = self._like.objects
        return self._objects

    def over(self, like: Page) -> PdfiumPage:
        """The same PDFium page under other pdfplumber boxes (the page read with its /Rotate set aside)."""
        return PdfiumPage(like, self._document, self._index, self._loaded)


# --- Coordinates, as pdfminer and pdfplumber make them ------------------------------------------


def _rotation_matrix(page: Page) -> Matrix:
    """pdfminer's starting CTM (PDFPageInterpreter.process_page): user space to its device space."""
    x0, y0, x1, y1 = page.page_obj.mediabox
    rotate = page.page_obj.rotate
    if rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def _apply(m: Matrix, x: float, y: float) -> Point:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def _times(m1: Matrix, m0: Matrix) -> Matrix:
    """m1 then m0 (pdfminer's mult_matrix order)."""
    a1, b1, c1, d1, e1, f1 = m1
    a0, b0, c0, d0, e0, f0 = m0
    return (
        a0 * a1 + c0 * b1,
        b0 * a1 + d0 * b1,
        a0 * c1 + c0 * d1,
        b0 * c1 + d0 * d1,
        a0 * e1 + c0 * f1 + e0,
        b0 * e1 + d0 * f1 + f0,
    )


class _Frame:
    """pdfplumber's conversion of pdfminer's coordinates (Page.process_object, point2coord)."""

    def __init__(self, page: Page) -> None:
        self.rotate = page.page_obj.rotate
        self.ctm = _rotation_matrix(page)
        self.height = page.height
        self.mb_x0, self.mb_top = page.mediabox[0], page.mediabox[1]
        self.doctop = page.initial_doctop
        self.number = page.page_number

    def place(self, obj: Obj) -> Obj:
        """pdfminer's x0, y0, x1, y1 of `obj` as pdfplumber gives them, with top and bottom."""
        obj["top"] = (self.height - obj["y1"]) + self.mb_top
        obj["bottom"] = (self.height - obj["y0"]) + self.mb_top
        obj["doctop"] = self.doctop + obj["top"]
        if self.mb_x0 != 0:
            obj["x0"] += self.mb_x0
            obj["x1"] += self.mb_x0
        obj["page_number"] = self.number
        return obj

    def coord(self, pt: Point) -> Point:
        return (self.mb_x0 + pt[0], self.mb_top + self.height - pt[1])


@lru_cache(maxsize=65536)
def written(value: float) -> float:
    """The shortest decimal that PDFium's 32-bit float `value` stands for: the number as the
    content stream most likely wrote it (6947.3, not 6947.2998046875), so that sums and boxes come
    out as pdfminer's double-precision ones do (a box's edge at 494.865 rounds either way)."""
    if value == 0 or not math.isfinite(value):
        return value
    for digits in range(6, 10):
        shorter = float(f"{value:.{digits}g}")
        if _single(shorter) == value:
            return shorter
    return value


def _single(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


# --- Objects of one page ---------------------------------------------------------------------


def page_objects(document: pypdfium2.PdfDocument, index: int, page: Page, loaded: Loaded) -> dict[str, list[Obj]]:
    """The page's characters (the keys the reader reads), lines, rectangles and curves (pdfplumber's)."""
    frame = _Frame(page)
    descents = _Descents(page)
    if index not in loaded:
        pdfium_page = document[index]
        loaded[index] = (pdfium_page, pdfium_page.get_textpage())  # closed with the others
    pdfium_page, textpage = loaded[index]
    objects: dict[str, list[Obj]] = {"char": _text_chars(textpage.raw, textpage.count_chars(), frame, descents)}
    for obj in _paths(pdfium_page, frame):
        objects.setdefault(obj["object_type"], []).append(obj)
    return objects


# --- Fonts: the descent pdfminer gives each ----------------------------------------------------


class Unresolved(Exception):
    """A font of the page that cannot be told from another with a different descent."""


class _Descents:
    """Each font's descent as pdfminer takes it: the font descriptor's /Descent as written (0
    where it has none; a Type 3 font's from its /FontBBox and /FontMatrix). PDFium reads the
    descriptor's value cut to a whole number, and falls back on the font program's where it has
    none, so a character's box would sit a little or much lower (LibreOffice's TrueType fonts,
    Chromium's Type 3 fonts). The page's fonts are read as pdfminer makes them (its resources and
    its forms': no content is read; pdf_fonts.py); each PDFium font is matched to them by name, flags and italic angle. A
    font that matches fonts of different descents leaves the page to pdfminer (`Unresolved`)."""

    def __init__(self, page: Page) -> None:
        self.fonts: list[Any] = []
        self.found: dict[int, tuple[float, Any]] = {}
        if page.pdf is not None:
            self.fonts = pdf_fonts.page_fonts(page.pdf.rsrcmgr, page.page_obj.resources)

    def of(self, font: Any, key: int) -> tuple[float, Any]:
        """The font's descent, and pdfminer's font where exactly one is it (else None)."""
        if key not in self.found:
            self.found[key] = self._resolve(font)
        return self.found[key]

    def _resolve(self, font: Any) -> tuple[float, Any]:
        candidates = self.fonts
        for narrow in (_by_name, _by_descent, _by_flags, _by_angle):
            if len({id(f) for f in candidates}) == 1:
                break
            candidates = narrow(font, candidates)
        descents = {f.get_descent() for f in candidates}
        if len(descents) != 1:
            raise Unresolved
        one = {id(f): f for f in candidates}
        return float(descents.pop()), next(iter(one.values())) if len(one) == 1 else None


class _Widths:
    """pdfminer's width of a character of one font where PDFium's would differ: PDFium cuts the
    widths a font lists (/W, /Widths) to whole numbers, so only a font that lists a width with a
    fraction needs this. Such a width is found through the glyph (CID) the font maps to the
    character; None where PDFium's width is pdfminer's (whole numbers; a character no listed
    glyph maps to) or where two listed glyphs of different widths share the character."""

    def __init__(self, font: Any) -> None:
        listed: dict[Any, Any] = getattr(font, "widths", None) or {}
        fractional = [cid for cid, width in listed.items() if isinstance(width, float) and not width.is_integer()]
        self.by_char: dict[str, float | None] = {}
        if not fractional:
            return
        cid2unichr = font.unicode_map.cid2unichr
        for cid in listed:
            char = cid2unichr.get(cid)
            if char is None:
                continue
            width = font.char_width(cid)
            if self.by_char.setdefault(char, width) != width:
                self.by_char[char] = None

    def get(self, char: str) -> float | None:
        return self.by_char.get(char)


def _widths(font: Any) -> _Widths | None:
    """The font's widths by character, kept with the font (pdfminer keeps one font object per
    font of the document)."""
    if not isinstance(getattr(getattr(font, "unicode_map", None), "cid2unichr", None), dict):
        return None
    widths = getattr(font, "_nianbao_widths", None)
    if widths is None:
        widths = _Widths(font)
        font._nianbao_widths = widths
    return widths


def _by_name(font: Any, fonts: list[Any]) -> list[Any]:
    buffer = ctypes.create_string_buffer(256)
    pdfium_c.FPDFFont_GetBaseFontName(font, buffer, 256)
    name = buffer.value.decode("utf-8", errors="replace")
    if not name:  # a Type 3 font has no /BaseFont
        return [f for f in fonts if isinstance(f, PDFType3Font)]
    tag = name[:7] if _SUBSET.match(name) else None  # ABCDEF+: the subset's own tag
    return [f for f in fonts if any(_same_name(name, tag, str(n)) for n in _names(f))]


_SUBSET = re.compile(r"[A-Z]{6}\+")


def _names(font: Any) -> list[str]:
    return [str(n) for n in (font.fontname, getattr(font, "basefont", None)) if n]


def _same_name(name: str, tag: str | None, other: str) -> bool:
    if tag is not None and other.startswith(tag):
        return True
    return other == name or other.startswith(name) or name.startswith(other)


def _by_descent(font: Any, fonts: list[Any]) -> list[Any]:
    """PDFium's descent is the descriptor's cut to a whole number (where the descriptor has one)."""
    descent = ctypes.c_float()
    if not pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), descent):
        return fonts
    whole = round(descent.value)  # at size 1000: the descriptor units
    return [f for f in fonts if not isinstance(f, PDFType3Font) and int(f.descent) == whole]


def _by_flags(font: Any, fonts: list[Any]) -> list[Any]:
    flags = pdfium_c.FPDFFont_GetFlags(font)
    return [f for f in fonts if getattr(f, "flags", None) == flags]


def _by_angle(font: Any, fonts: list[Any]) -> list[Any]:
    angle = ctypes.c_int()
    if not pdfium_c.FPDFFont_GetItalicAngle(font, angle):
        return fonts
    return [f for f in fonts if int(getattr(f, "italic_angle", 0)) == angle.value]


# --- Characters --------------------------------------------------------------------------------


def _page_text(raw: Any, count: int) -> str | None:
    """The page's text in one call, one character per index (None if some index holds more
    than one UTF-16 unit: a character beyond the BMP)."""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = pdfium_c.FPDFText_GetText(raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: max(written - 1, 0) * 2].decode("utf-16-le", errors="replace")
    return text if len(text) == count else None


def _address_of(function: Any, *argtypes: Any) -> Any:
    """A PDFium function called through its address, returning an address (an int, or None):
    a key without a ctypes.cast per character, its arguments passed without pypdfium2's checks."""
    address = int(ctypes.cast(function, ctypes.c_void_p).value or 0)
    return ctypes.CFUNCTYPE(ctypes.c_void_p, *argtypes)(address)


_text_object_address = _address_of(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p, ctypes.c_int)
_font_address = _address_of(pdfium_c.FPDFTextObj_GetFont, ctypes.c_void_p)


def _text_chars(raw: Any, count: int, frame: _Frame, descents: _Descents) -> list[Obj]:
    """Each character drawn on the page (PDFium's generated spaces and line breaks left out).

    One pass over the page's characters, three PDFium calls each (its text object, whether its
    font maps it to Unicode, its origin); what a text object's characters share (font, size,
    matrix, descent: `_Styles`) is worked out once per object, what a font's share once per
    font, and each character's box is computed here rather than through method calls (most of
    the reader's time went into that per-character overhead)."""
    text = _page_text(raw, count)
    styles = _Styles(raw, frame, descents)
    runs: dict[int, _Run] = {}
    x, y = ctypes.c_double(), ctypes.c_double()
    get_origin, unmapped_code = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_HasUnicodeMapError
    is_generated, object_address, shortest = pdfium_c.FPDFText_IsGenerated, _text_object_address, written
    p, q, r, s, e, f = frame.ctm
    height, mb_top, mb_x0 = frame.height, frame.mb_top, frame.mb_x0
    out: list[Obj] = []
    for i in range(count):
        char = text[i] if text is not None else chr(pdfium_c.FPDFText_GetUnicode(raw, i))
        if char in _WHITESPACE and is_generated(raw, i):
            continue
        key = object_address(raw, i) or 0
        run = runs.get(key)
        if run is None:
            run = runs[key] = _Run(styles.of(i, key))
        if unmapped_code(raw, i):
            char = "(cid:0)"
        get_origin(raw, i, x, y)  # 32-bit floats inside PDFium
        ox, oy = shortest(x.value), shortest(y.value)
        if run.dropped is not None:  # PDFium advanced past the code left out; pdfminer did not
            shift = run.shift or (0.0, 0.0)
            run.shift = (shift[0] + ox - run.dropped[0], shift[1] + oy - run.dropped[1])
            run.dropped = None
        font = run.font
        if font.left_out is not None:
            left_out = font.left_out.get(char)
            if left_out is None:
                left_out = font.unmapped.left_out(char)  # type: ignore[union-attr]
            if left_out:
                run.dropped = (ox, oy)
                continue
        if run.shift is not None:
            ox, oy = ox - run.shift[0], oy - run.shift[1]
        # Where the character before it in its object ends, in double precision as pdfminer adds
        # the advances, where PDFium's own sum in 32-bit floats (drifting by some 1e-4 pt along
        # a line) agrees; else PDFium's (a kerning, a spacing: the characters were moved apart).
        start = run.next
        if start is not None and abs(ox - start[0]) < DRIFT and abs(oy - start[1]) < DRIFT:
            ox, oy = start
        width = font.by_char.get(char)
        if width is None:
            width = font.width(char)
        a, b, c_low, d_low, c_high, d_high, size, linear = run.style
        adv = width * size
        run.next = (ox + a * adv, oy + b * adv)
        # pdfminer's LTChar box: from (0, descent) to (advance, descent + size) in text space,
        # both corners through the page's starting CTM; pdfplumber's top and bottom from it.
        u0, v0 = ox + c_low, oy + d_low
        u1, v1 = ox + a * adv + c_high, oy + b * adv + d_high
        x0, y0 = p * u0 + r * v0 + e, q * u0 + s * v0 + f
        x1, y1 = p * u1 + r * v1 + e, q * u1 + s * v1 + f
        if x1 < x0:
            x0, x1 = x1, x0
        if y1 < y0:
            y0, y1 = y1, y0
        top = (height - y1) + mb_top
        if mb_x0 != 0:
            x0, x1 = x0 + mb_x0, x1 + mb_x0
        out.append(
            {
                "text": char,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": (height - y0) + mb_top,
                "size": y1 - y0,
                "matrix": linear,
            }
        )
    return out


class _Unmapped:
    """Codes a font's predefined Unicode CMap (UniGB-UCS2-H and the like: the code is the
    character) does not map to any glyph: pdfminer makes no character of them and does not
    advance; PDFium draws glyph 0 (nothing, in most fonts) and names it by its code. Such a
    character is left out, and the characters after it in its text object are moved back by
    PDFium's advance, as pdfminer reads them."""

    def __init__(self, cmap: Any, encoding: str) -> None:
        self.cmap = cmap
        self.encoding = encoding
        self.known: dict[str, bool] = {}

    @classmethod
    def of(cls, font: Any) -> _Unmapped | None:
        """The font's, made once and kept with its CMap: pdfminer keeps one object per predefined
        CMap, so what is known of its codes holds for every file of the process."""
        cmap = getattr(font, "cmap", None)
        name = str(getattr(cmap, "attrs", {}).get("CMapName", ""))
        if not isinstance(font, PDFCIDFont) or not ("UCS2" in name or "UTF16" in name):
            return None
        unmapped = getattr(cmap, "_nianbao_unmapped", None)
        if unmapped is None:
            unmapped = cls(cmap, "utf-16-be")
            setattr(cmap, "_nianbao_unmapped", unmapped)  # noqa: B010 (pdfminer's class has no such slot)
        return unmapped

    def left_out(self, char: str) -> bool:
        if char not in self.known:
            try:
                self.known[char] = not any(True for _ in self.cmap.decode(char.encode(self.encoding)))
            except (UnicodeEncodeError, ValueError):
                self.known[char] = False
        return self.known[char]


class _Font:
    """What the characters of one PDFium font share on a page: pdfminer's descent, the font's
    widths by character (pdfminer's where PDFium's would differ), the codes it leaves out."""

    def __init__(self, handle: Any, key: int, descents: _Descents) -> None:
        self.handle = handle
        self.descent, matched = descents.of(handle, key)
        pdfminer_font = pdf_fonts.made(matched)
        self.widths = _widths(pdfminer_font) if pdfminer_font is not None else None
        self.unmapped = _Unmapped.of(pdfminer_font)
        self.left_out = self.unmapped.known if self.unmapped is not None else None  # found so far
        self.by_char: dict[str, float] = {}  # the widths found so far

    def width(self, char: str) -> float:
        """The glyph's advance at size 1, from the font's widths (as pdfminer's char_width)."""
        width = self.by_char[char] = self._width(char)
        return width

    def _width(self, char: str) -> float:
        known = self.widths.get(char) if self.widths is not None else None
        if known is not None:
            return known
        if self.handle is None or len(char) != 1:
            return 0.0
        out = ctypes.c_float()
        if not pdfium_c.FPDFFont_GetGlyphWidth(self.handle, ord(char), ctypes.c_float(1.0), out):
            return 0.0
        return written(out.value)


# What the characters of a text object share in their boxes: a, b (the text matrix's first
# column), c and d times the descent and times descent + size, the size, and the linear part of
# the characters' matrix on the page.
Style = tuple[float, float, float, float, float, float, float, tuple[float, float, float, float]]


class _Run:
    """One text object's characters read so far: where the next one starts, and the advances
    of the codes left out (see _Unmapped)."""

    __slots__ = ("dropped", "font", "next", "shift", "style")

    def __init__(self, found: tuple[_Font, Style]) -> None:
        self.font, self.style = found
        self.shift: tuple[float, float] | None = None  # the advances of the codes left out so far
        self.dropped: tuple[float, float] | None = None  # the origin of the last one
        self.next: tuple[float, float] | None = None  # where the next character starts


class _Styles:
    """Fonts and styles of one page's text objects, each worked out once: many objects share one
    font, size and matrix (a line of a table is a dozen objects of the same style)."""

    def __init__(self, raw: Any, frame: _Frame, descents: _Descents) -> None:
        self.raw = raw
        self.ctm = frame.ctm
        self.descents = descents
        self.fonts: dict[int, _Font] = {}
        self.styles: dict[tuple[int, float, float, float, float, float], tuple[_Font, Style]] = {}
        self.matrix = pdfium_c.FS_MATRIX()  # filled for each text object

    def of(self, index: int, key: int) -> tuple[_Font, Style]:
        """The font and style of the character at `index`, of the text object at address `key`."""
        m = self.matrix
        if not pdfium_c.FPDFText_GetMatrix(self.raw, index, m):
            m.a = m.b = m.c = m.d = m.e = m.f = 0.0  # as a new FS_MATRIX left unfilled
        size = pdfium_c.FPDFText_GetFontSize(self.raw, index)
        font_key = (_font_address(key) or 0) if key else 0
        as_given = (font_key, m.a, m.b, m.c, m.d, size)  # PDFium's 32-bit values: the same style
        found = self.styles.get(as_given)
        if found is None:
            font = self._font(font_key)
            matrix = (written(m.a), written(m.b), written(m.c), written(m.d), 0.0, 0.0)
            found = self.styles[as_given] = (font, self._style(matrix, written(size), font.descent))
        return found

    def _font(self, key: int) -> _Font:
        font = self.fonts.get(key)
        if font is None:
            handle = ctypes.cast(key, pdfium_c.FPDF_FONT) if key else None
            font = self.fonts[key] = _Font(handle, key, self.descents)
        return font

    def _style(self, matrix: Matrix, size: float, descent: float) -> Style:
        a, b, c, d = matrix[:4]
        low = descent * size
        high = low + size
        return (a, b, c * low, d * low, c * high, d * high, size, _linear(self.ctm, a, b, c, d))


def _linear(ctm: Matrix, a: float, b: float, c: float, d: float) -> tuple[float, float, float, float]:
    m = _times((a, b, c, d, 0.0, 0.0), (ctm[0], ctm[1], ctm[2], ctm[3], 0.0, 0.0))
    return m[0], m[1], m[2], m[3]


# --- Paths ---------------------------------------------------------------------------------------


class _Buffers:
    """The ctypes values PDFium fills for each path of a page, made once per page (not per call)."""

    def __init__(self) -> None:
        self.matrix = pdfium_c.FS_MATRIX()
        self.fill_mode, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.r, self.g, self.b, self.a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
        self.width, self.x, self.y = ctypes.c_float(), ctypes.c_float(), ctypes.c_float()


def _paths(pdfium_page: pypdfium2.PdfPage, frame: _Frame) -> list[Obj]:
    """The page's lines, rectangles and curves, those of its forms included."""
    raw = pdfium_page.raw
    out: list[Obj] = []
    handles = [pdfium_c.FPDFPage_GetObject(raw, i) for i in range(pdfium_c.FPDFPage_CountObjects(raw))]
    _collect(handles, IDENTITY, frame, _Buffers(), out)
    return out


def _collect(handles: list[Any], outer: Matrix, frame: _Frame, buffers: _Buffers, out: list[Obj]) -> None:
    """The paths among `handles` (a form's objects: through its matrix), in order, into `out`;
    one loop, not a generator for each object of the page (mostly text objects)."""
    kind_of, path, form = pdfium_c.FPDFPageObj_GetType, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    for handle in handles:
        kind = kind_of(handle)
        if kind == path:
            out.extend(_painted(handle, _times(_matrix(handle, buffers), outer), frame, buffers))
        elif kind == form:
            inner = _times(_matrix(handle, buffers), outer)
            count = pdfium_c.FPDFFormObj_CountObjects(handle)
            _collect([pdfium_c.FPDFFormObj_GetObject(handle, i) for i in range(count)], inner, frame, buffers, out)


def _matrix(handle: Any, buffers: _Buffers) -> Matrix:
    m = buffers.matrix
    if not pdfium_c.FPDFPageObj_GetMatrix(handle, m):
        return IDENTITY
    return (written(m.a), written(m.b), written(m.c), written(m.d), written(m.e), written(m.f))


def _color(getter: Any, handle: Any, buffers: _Buffers) -> tuple[float, ...] | None:
    r, g, b = buffers.r, buffers.g, buffers.b
    if not getter(handle, r, g, b, buffers.a):
        return None
    return (r.value / 255, g.value / 255, b.value / 255)


_SEGMENT = {pdfium_c.FPDF_SEGMENT_MOVETO: "m", pdfium_c.FPDF_SEGMENT_LINETO: "l", pdfium_c.FPDF_SEGMENT_BEZIERTO: "c"}


def _segments(handle: Any, matrix: Matrix, buffers: _Buffers) -> list[tuple[str, Point]]:
    """The path as pdfminer's operators, each with its end point on the page (user space);
    a Bézier curve (three points in PDFium) is one `c`, a closed subpath ends with `h`."""
    out: list[tuple[str, Point]] = []
    x, y = buffers.x, buffers.y
    x.value = y.value = 0.0  # a point PDFium cannot give is the one before it (0, 0 first)
    pending = 0
    start = (0.0, 0.0)
    for i in range(pdfium_c.FPDFPath_CountSegments(handle)):
        segment = pdfium_c.FPDFPath_GetPathSegment(handle, i)
        op = _SEGMENT.get(pdfium_c.FPDFPathSegment_GetType(segment), "l")
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        if op == "c":
            pending += 1
            if pending < 3:
                continue
            pending = 0
        if op == "m":
            start = (x.value, y.value)
        point = (_coordinate(x.value, start[0]), _coordinate(y.value, start[1]))
        out.append((op, _apply(matrix, *point)))
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            out.append(("h", out[0][1]))
    return out


@lru_cache(maxsize=65536)
def _coordinate(value: float, start: float) -> float:
    """A path coordinate as written: a number of the content stream, or the corner of a
    rectangle (`re` x y w h), which PDFium sums in 32-bit floats (x + w) where pdfminer sums the
    written numbers: that sum is found again from the width it must have been written with.
    (Kept for the process: a table's rulings repeat a few coordinates on every page.)"""
    shortest = written(value)
    if value == start or len(f"{shortest:.9g}".rstrip("0").replace(".", "").lstrip("-0")) <= 7:
        return shortest
    delta = value - start
    for places in range(7):
        width = round(delta, places)
        if width and _single(start + _single(width)) == value:
            return written(start) + width
    return shortest


def _painted(handle: Any, matrix: Matrix, frame: _Frame, buffers: _Buffers) -> Iterator[Obj]:
    fill_mode, stroke = buffers.fill_mode, buffers.stroke
    if not pdfium_c.FPDFPath_GetDrawMode(handle, fill_mode, stroke):
        return
    style = {
        "stroke": bool(stroke.value),
        "fill": fill_mode.value != 0,
        "evenodd": fill_mode.value == pdfium_c.FPDF_FILLMODE_ALTERNATE,
        "stroking_color": _color(pdfium_c.FPDFPageObj_GetStrokeColor, handle, buffers),
        "non_stroking_color": _color(pdfium_c.FPDFPageObj_GetFillColor, handle, buffers),
    }
    if invisible(style):  # never a ruling (pdf_rulings): its points are not worth reading
        return
    width = buffers.width
    style["linewidth"] = width.value if pdfium_c.FPDFPageObj_GetStrokeWidth(handle, width) else 0.0
    path = _segments(handle, matrix, buffers)
    shape = "".join(op for op, _ in path)
    for found in re.finditer(r"m[^m]+", shape):
        obj = _shape(path[found.start() : found.end()], frame)
        if obj is not None:
            obj.update(style)
            yield frame.place(obj)


def _shape(path: list[tuple[str, Point]], frame: _Frame) -> Obj | None:
    """One subpath as pdfminer's LTLine, LTRect or LTCurve (PDFLayoutAnalyzer.paint_path)."""
    first = path[0][1]
    pts = [_apply(frame.ctm, *(first if op == "h" else pt)) for op, pt in path]
    shape = "".join(op for op, _ in path)
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop()
    if shape in {"mlh", "ml"}:
        kind, pts = "line", pts[:2]
    elif shape in {"mlllh", "mllll"} and pts[0] == pts[4] and _square(pts):
        kind = "rect"
        (x0, y0), (x1, y1) = pts[0], pts[2]
        pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    else:
        kind = "curve"
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    return {
        "object_type": kind,
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "width": x1 - x0,
        "height": y1 - y0,
        "pts": [frame.coord(p) for p in pts],
    }


def _square(pts: list[Point]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
    return (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
