"""Read scanned reports offline: PDF pages without a text layer, and PNG/JPEG images, through OCR.

RapidOCR (PP-OCRv4 models inside its wheel: nothing is downloaded at run time) reads the text and
gives each character a box and a recognition confidence. The page's ruled tables are found in the
image itself (its ruling lines, with OpenCV), and the recognised characters are then laid out
exactly as the PDF reader lays out a PDF's characters: the same code (pdf.py's page reader) puts
them into the cells of the ruled tables, into tables without lines (text set in columns) and into
text lines. So a scan gives the same form-neutral document as the PDF it was printed from, and
the same parser reads it.

Before reading, a page is cleaned the way a scan needs: a red seal's ink is whitened (a stamp over
table 三 would otherwise hide or change digits) and a slightly rotated page is turned straight
by the angle of its ruling lines. A coarse scan (under 200 dpi) is read in black and white, and a
small picture (a table on a web page) enlarged: the recogniser misses lone digits otherwise.

Every cell keeps its page, its box (PDF points; pixels for an image file) and the lowest
confidence of its characters (`Source.confidence`), for the checks to name a doubtful value.
The extra is optional: `pip install 'nianbao[ocr]'`; without it a scanned PDF gets one line
saying so.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from nianbao.db.document import Block, Cell, Document, Paragraph, Source, Table
from nianbao.db.errors import ReadError
from nianbao.db.limits import current as current_limits
from nianbao.db.progress import page_read
from nianbao.db.readers import pdf as pdf_reader
from nianbao.db.readers.pdf_furniture import running_heads

if TYPE_CHECKING:
    import numpy as np

INSTALL = "pip install 'nianbao[ocr]'"
DPI = 300  # PDF pages are rendered at this resolution for OCR
COARSE_DPI = 200  # a scan below this resolution is read in black and white (binarised)
MIN_SCORE = 0.3  # recognised text below this is noise (speckles, a stamp's edge), not text
_RED_INK = 60  # a pixel whose red exceeds its green and blue by this much is a seal's ink
_LINE_SHARE = 0.5  # a cell border exists where at least this share of its length is ruled
_READ_WIDTH = 2500  # pixels across a small picture is enlarged to (an A4 text width at some 350 dpi)
_SMALL_WIDTH = 2000  # a picture narrower than this is small (a page image at 300 dpi is 2,480 across)


def available() -> bool:
    """Whether the OCR extra is installed."""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


def read_scanned_pdf(data: bytes) -> Document:
    """A PDF whose pages carry no text, each page rendered at DPI and read by OCR."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ReadError(f"{pdf_reader.DAMAGED}（pdfium：{exc}）；请重新下载") from None
    try:
        current_limits().check_pages(len(pdf))
        scale = DPI / 72
        pages, resolutions = [], []
        for page in pdf:
            pages.append(_page_image(page, scale))
            resolutions.append(scan_dpi(page))
            page.close()
    finally:
        pdf.close()
    return _read_pages(pages, scale, form="pdf", resolutions=resolutions)


def scan_dpi(page: Any) -> float | None:
    """The resolution the page was scanned at: the pixels across its largest picture per inch
    of the page it covers (None for a page without pictures)."""
    import pypdfium2

    best: tuple[float, float] | None = None  # (area covered, dpi)
    for picture in page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = picture.get_bounds()
        width = picture.get_px_size()[0]
        if right - left > 1 and (best is None or (right - left) * (top - bottom) > best[0]):
            best = ((right - left) * (top - bottom), width / ((right - left) / 72))
    return None if best is None else best[1]


def read_image(data: bytes) -> Document:
    """A PNG or JPEG image of a report page (boxes in pixels)."""
    import cv2
    import numpy as np

    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ReadError("图片无法解码（已损坏，或不是 PNG/JPEG）")
    scale = _enlargement(image)
    if scale > 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return _read_pages([image], scale, form="image")


def _enlargement(image: np.ndarray) -> float:
    """How much a small picture is enlarged before reading: a table pictured at screen
    resolution (1,000 pixels across) loses its lone "0"s to the recogniser, which finds them at
    the size a 300 dpi page gives. Boxes stay in the picture's own pixels."""
    width = image.shape[1]
    return 1.0 if width >= _SMALL_WIDTH else min(_READ_WIDTH / width, 3.0)


def _page_image(page: Any, scale: float) -> np.ndarray:
    """The page rendered as a BGR image."""
    import cv2

    bitmap = page.render(scale=scale)
    image = bitmap.to_numpy()
    bitmap.close()
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return image[:, :, :3] if image.shape[2] == 4 else image


def _read_pages(
    images: list[np.ndarray], scale: float, form: str, resolutions: list[float | None] | None = None
) -> Document:
    """`resolutions`: each PDF page's scan resolution (None: unknown, an image file). A picture
    is read in grey whatever its size: enlarged to be read, a clean screen-resolution picture of
    a table read no better in black and white (the saved-page benchmark: 200 → 199 of 200 on 003)."""
    reader = pdf_reader._Reader()
    confidences: list[float] = []
    coarse = [dpi is not None and dpi < COARSE_DPI for dpi in resolutions or [None] * len(images)]
    pages = []
    for image, low in zip(images, coarse, strict=True):
        pages.append(OcrPage.read(image, scale, low))
        page_read(len(pages), len(images))  # a page takes seconds: say so (db/progress.py)
    layouts = [reader.lay_out_objects(p.chars, p.tables, p.height, n) for n, p in enumerate(pages, 1)]
    furniture = running_heads([(layout.height, layout.lines) for layout in layouts])  # as in a PDF
    for page, layout in zip(pages, layouts):
        start = len(reader.blocks)
        reader.read_page(layout, furniture)
        reader.blocks[start:] = [page.with_confidence(block) for block in reader.blocks[start:]]
        confidences += [c["confidence"] for c in page.chars]
    if reader.glyphs == 0:
        raise ReadError(
            f"{'PDF 没有文字层，OCR 也' if form == 'pdf' else '图片经 OCR '}未识别出任何文字（扫描件是否清晰？）"
        )
    details = {
        "pages": str(reader.pages),
        "ocr": "RapidOCR PP-OCRv4",
        "ocr_dpi": str(DPI) if form == "pdf" else "image",
        "ocr_mean_confidence": f"{sum(confidences) / len(confidences):.3f}",
    }
    if reader.unruled:
        details["tables_without_lines"] = str(reader.unruled)
    known = [round(dpi) for dpi in resolutions or [] if dpi is not None]
    if known:
        details["scan_dpi"] = ",".join(str(dpi) for dpi in sorted(set(known)))
    if any(coarse):
        details["ocr_binarised_pages"] = ",".join(str(n) for n, low in enumerate(coarse, 1) if low)
    return Document(reader.blocks, form=form, details=details)


# --- One page ------------------------------------------------------------------------------------


@dataclass
class OcrPage:
    """A page read by OCR: its characters (in points, in pdfplumber's shape) and its ruled tables
    (shaped like pdfplumber's), which pdf.py's reader lays out as it does a PDF page's."""

    chars: list[dict[str, Any]]
    tables: list[RuledTable]
    height: float
    width: float

    @classmethod
    def read(cls, image: np.ndarray, scale: float, coarse: bool = False) -> OcrPage:
        """`coarse`: a scan under COARSE_DPI, enlarged to be read: its strokes are blurred, and
        black and white reads them better (sample 003 scanned at 150 dpi: 135 → 171 of 200 cells
        right; BENCHMARKS.md). A finer scan is read in grey, as printed."""
        image = straighten(without_specks(grey(without_red_ink(image))))
        chars = [_scaled(char, scale) for char in recognise(binarised(image) if coarse else image)]
        tables = [table.scaled(scale) for table in ruled_tables(image)]
        return cls(chars, tables, image.shape[0] / scale, image.shape[1] / scale)

    def with_confidence(self, block: Block) -> Block:
        """The block with each cell's (or line's) lowest character confidence in its source."""
        if isinstance(block, Paragraph):
            return Paragraph(block.text, self._scored(block.source))
        return Table([[Cell(cell.text, self._scored(cell.source)) for cell in row] for row in block.rows])

    def _scored(self, source: Source) -> Source:
        if source.bbox is None:
            return source
        x0, top, x1, bottom = source.bbox
        inside = [
            c["confidence"]
            for c in self.chars
            if x0 - 1 <= (c["x0"] + c["x1"]) / 2 <= x1 + 1 and top - 1 <= (c["top"] + c["bottom"]) / 2 <= bottom + 1
        ]
        return source._replace(confidence=round(min(inside), 3)) if inside else source


def _scaled(char: dict[str, Any], scale: float) -> dict[str, Any]:
    return {**char, **{k: float(char[k]) / scale for k in ("x0", "x1", "top", "bottom", "size")}}


# --- Recognition ---------------------------------------------------------------------------------


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    # The angle classifier is for text turned upside down, which scans of reports are not.
    return RapidOCR(text_score=MIN_SCORE, use_cls=False, print_verbose=False)


def recognise(image: np.ndarray) -> list[dict[str, Any]]:
    """The characters RapidOCR reads, each with its box (pixels) and confidence, in pdfplumber's
    shape (text, x0, x1, top, bottom, size)."""
    result, _ = _engine()(image, use_cls=False, return_word_box=True)
    chars: list[dict[str, Any]] = []
    for line in result or []:
        box, text, score = line[0], line[1], float(line[2])
        words = line[3] if len(line) > 3 else []
        size = 0.8 * (max(p[1] for p in box) - min(p[1] for p in box))
        chars += _label_numbering(_characters(box, text, score, words, size))
    return chars


# Letters OCR reads for the digit of a label's numbering ("l.属于国家秘密" for 1.属于国家秘密).
_LOOKALIKE_DIGITS = {"l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "S": "5"}
_NUMBERING_MARKS = ".．、"


def _label_numbering(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A label's leading item number read as its look-alike letter is put back as the digit, so the
    label matches. Only in a label (a line holding Chinese), only before the numbering's mark:
    a value (digits alone) is never touched, so a misread digit in a value stays visible."""
    if len(chars) < 3 or chars[1]["text"] not in _NUMBERING_MARKS or chars[0]["text"] not in _LOOKALIKE_DIGITS:
        return chars
    if not any(ord(c["text"][0]) >= 0x4E00 for c in chars[2:]):
        return chars
    return [{**chars[0], "text": _LOOKALIKE_DIGITS[chars[0]["text"]]}, *chars[1:]]


def _characters(box: list, text: str, score: float, words: list, size: float) -> list[dict[str, Any]]:
    """One entry per character: the engine's own character boxes (and scores) when it gives one
    box per character, else the line's box shared out (CJK full width, the rest half). A line OCR
    read across two cells ("0 0") is then cut by the table's rules through its characters' places."""
    top, bottom = min(p[1] for p in box), max(p[1] for p in box)
    units = _units(words, text, score)
    if units:
        return [
            _char(letter, min(p[0] for p in b), max(p[0] for p in b), top, bottom, size, s) for b, letter, s in units
        ]
    x0, x1 = min(p[0] for p in box), max(p[0] for p in box)
    weights = [1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text]
    unit, out, at = (x1 - x0) / (sum(weights) or 1), [], x0
    for ch, weight in zip(text, weights, strict=True):
        out.append(_char(ch, at, at + weight * unit, top, bottom, size, score))
        at += weight * unit
    return out


def _units(words: list, text: str, score: float) -> list[tuple[list, str, float]]:
    """The engine's character boxes of a line as (box, character, score), when they match its text
    (spaces aside). RapidOCR gives either (boxes, characters, scores) or the boxes alone."""
    letters = list(text.replace(" ", ""))
    if len(words) == 3 and isinstance(words[1], list) and all(isinstance(x, str) for x in words[1]):
        boxes, found, scores = words
        if found == letters and len(boxes) == len(scores) == len(letters):
            return [(b, ch, float(s)) for b, ch, s in zip(boxes, found, scores, strict=True)]
        return []
    if len(words) == len(letters) and all(_is_box(b) for b in words):
        return [(b, ch, score) for b, ch in zip(words, letters, strict=True)]
    return []


def _is_box(value: object) -> bool:
    return isinstance(value, list | tuple) and len(value) == 4 and all(len(p) == 2 for p in value)


def _char(text: str, x0: float, x1: float, top: float, bottom: float, size: float, score: float) -> dict[str, Any]:
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "size": size, "confidence": score}


# --- Cleaning the image --------------------------------------------------------------------------


def without_red_ink(image: np.ndarray) -> np.ndarray:
    """The image with a seal's red ink turned white; black text under it stays black."""
    import numpy as np

    blue, green, red = (image[:, :, i].astype(np.int16) for i in range(3))
    # Bright red well above green and blue: the seal's ink and its pink edges. A dark pixel with a
    # red tint is black ink under the seal (JPEG bleeds the seal's colour into thin black strokes):
    # it stays, or ruling lines and digits under the seal would be erased with it.
    ink = (red - np.maximum(green, blue) > _RED_INK) & (red > 130)
    out = image.copy()
    out[ink] = 255
    return out


def grey(image: np.ndarray) -> np.ndarray:
    """The page in grey (as three channels, which the engine takes): the strokes left under a seal
    keep a red tint that the recogniser reads worse than the same strokes in grey."""
    import cv2

    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def without_specks(image: np.ndarray) -> np.ndarray:
    """The image without isolated dark specks of one or two pixels (scanner noise): OCR reads them
    as dots and commas beside digits. A printed full stop is larger even at 150 dpi."""
    import cv2
    import numpy as np

    _, labels, stats, _ = cv2.connectedComponentsWithStats(_ink(image), connectivity=8)
    specks = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= 2)
    specks = specks[specks > 0]  # 0 is the paper
    out = image.copy()
    out[np.isin(labels, specks)] = 255
    if image.shape[1] >= 2000:  # ~170 dpi and more: strokes are 3+ pixels, a 3×3 median keeps them
        out = cv2.medianBlur(out, 3)
    return out


def binarised(image: np.ndarray) -> np.ndarray:
    """The page in black and white (Otsu's threshold)."""
    import cv2

    ink = _ink(image)
    return cv2.cvtColor(255 - ink, cv2.COLOR_GRAY2BGR)


def straighten(image: np.ndarray) -> np.ndarray:
    """The page turned by the angle of its long horizontal ruling lines (a scan fed in slightly
    askew); a page without such lines is left as it is. The lines are isolated by a wide opening,
    and each long one's slope fitted to its pixels."""
    import cv2
    import numpy as np

    ink = _ink(image)
    width = image.shape[1]
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(width // 30, 10), 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(across)
    angles = []
    for i in range(1, count):
        x, y, w, h = stats[i][:4]
        if w >= width // 6:
            ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
            angles.append(float(np.degrees(np.arctan(np.polyfit(xs, ys, 1)[0]))))
    angles = [a for a in angles if abs(a) < 5]
    if not angles:
        return image
    angle = float(np.median(angles))
    if abs(angle) < 0.05:
        return image
    centre = (image.shape[1] / 2, image.shape[0] / 2)
    turn = cv2.getRotationMatrix2D(centre, angle, 1.0)
    size = (image.shape[1], image.shape[0])
    return cv2.warpAffine(image, turn, size, flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def _ink(image: np.ndarray) -> np.ndarray:
    """Dark pixels as 255, the paper as 0 (Otsu's threshold)."""
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]


# --- Ruled tables --------------------------------------------------------------------------------


@dataclass
class _Row:
    cells: list[tuple[float, float, float, float] | None]


@dataclass
class RuledTable:
    """A table found from its ruling lines, shaped like a pdfplumber table: its box, its cells, and
    its rows with, per grid column, the box of the cell starting there or None where a merged
    cell covers it."""

    bbox: tuple[float, float, float, float]
    rows: list[_Row]
    cells: list[tuple[float, float, float, float]] = field(default_factory=list)

    def scaled(self, scale: float) -> RuledTable:
        def box(b):
            return None if b is None else tuple(float(v) / scale for v in b)

        return RuledTable(
            box(self.bbox), [_Row([box(c) for c in row.cells]) for row in self.rows], [box(c) for c in self.cells]
        )


def ruled_tables(image: np.ndarray) -> list[RuledTable]:
    """The page's tables drawn with ruling lines: horizontal and vertical strokes found by
    morphology, their crossings as the grid, a cell border kept where the stroke is drawn (so a
    merged cell is one cell)."""
    import cv2

    ink = _ink(image)
    height, width = ink.shape
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(width // 30, 10), 1)))
    down = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(height // 60, 10))))
    frame = cv2.dilate(cv2.bitwise_or(across, down), cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(frame)
    tables = []
    for i in range(1, count):
        x, y, w, h, _ = stats[i]
        if w < width // 4 or h < height // 40:
            continue
        table = _grid(across[y : y + h, x : x + w], down[y : y + h, x : x + w], x, y)
        if table is not None:
            tables.append(table)
    return tables


def _positions(mask: np.ndarray, axis: int, share: float) -> list[float]:
    """Where the strokes of a mask lie across `axis` (0: rows of horizontal strokes), as the
    centres of runs of rows (columns) ruled over at least `share` of their length."""
    filled = (mask > 0).mean(axis=1 - axis)
    ruled = [i for i, f in enumerate(filled) if f >= share]
    runs: list[list[int]] = []
    for i in ruled:
        if runs and i - runs[-1][-1] <= 3:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [sum(run) / len(run) for run in runs]


def _grid(across: np.ndarray, down: np.ndarray, x: int, y: int) -> RuledTable | None:
    """The cells of one ruled region: the grid of its lines, neighbours merged where the border
    between them is not drawn."""
    ys = _positions(across, 0, 0.05)
    xs = _positions(down, 1, 0.05)
    if len(ys) < 2 or len(xs) < 2:
        return None
    parent = {(i, j): (i, j) for i in range(len(ys) - 1) for j in range(len(xs) - 1)}

    def root(at):
        while parent[at] != at:
            parent[at] = parent[parent[at]]
            at = parent[at]
        return at

    for i in range(len(ys) - 1):
        for j in range(len(xs) - 1):
            if j + 1 < len(xs) - 1 and not _drawn(down, xs[j + 1], ys[i], ys[i + 1], vertical=True):
                parent[root((i, j + 1))] = root((i, j))
            if i + 1 < len(ys) - 1 and not _drawn(across, ys[i + 1], xs[j], xs[j + 1], vertical=False):
                parent[root((i + 1, j))] = root((i, j))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for at in parent:
        groups.setdefault(root(at), []).append(at)
    starts: dict[tuple[int, int], tuple[float, float, float, float]] = {}
    for members in groups.values():
        i0, j0 = min(m[0] for m in members), min(m[1] for m in members)
        i1, j1 = max(m[0] for m in members), max(m[1] for m in members)
        starts[(i0, j0)] = (x + xs[j0], y + ys[i0], x + xs[j1 + 1], y + ys[i1 + 1])
    rows = [_Row([starts.get((i, j)) for j in range(len(xs) - 1)]) for i in range(len(ys) - 1)]
    rows = [row for row in rows if any(row.cells)]
    bbox = (x + xs[0], y + ys[0], x + xs[-1], y + ys[-1])
    return RuledTable(bbox, rows, list(starts.values()))


def _drawn(mask: np.ndarray, at: float, start: float, end: float, *, vertical: bool) -> bool:
    """Whether a border is ruled: the stroke at `at` covers most of the way from start to end."""
    a, b = int(start) + 3, int(end) - 3
    if b <= a:
        return True
    lo, hi = max(int(at) - 3, 0), int(at) + 4
    band = mask[a:b, lo:hi] if vertical else mask[lo:hi, a:b]
    covered = (band > 0).any(axis=1 if vertical else 0)
    return covered.mean() >= _LINE_SHARE
