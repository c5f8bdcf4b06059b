"""The picture of one cell as printed: its box cut from the rendered page, for the operator to
set beside the value (a number OCR read, or a PDF's digit run, checked by eye).

A PDF's values (text layer or scan) keep their page and box in points; the page is rendered with
pypdfium2 from the stored file and the box cut out at `dpi` (a page the reader read with its
/Rotate set aside is rendered so too). An image file's values keep their
box in the image's pixels, cut from the stored image as it is. Text, Word and HTML tables have no
page to cut from; a picture of a saved web page is not stored with the report. Each of these is a
CropError saying so in one line. The site never shows these pictures: they are the operator's.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from nianbao.db.document import Source
from nianbao.db.errors import NianbaoError
from nianbao.db.review import cell_source
from nianbao.db.schema import Database

if TYPE_CHECKING:
    from PIL import Image

DPI = 200  # a PDF page is rendered at this resolution to cut a cell from it


class CropError(NianbaoError):
    """The cell has no picture to show (a text report, a value without a box)."""


def cell_png(db: Database, report_id: int, cell: str, dpi: int = DPI) -> bytes:
    """The cell's picture as PNG bytes; CropError when it has none (ReviewError for an unknown
    report or cell)."""
    found = cell_source(db, report_id, cell)
    content = db.execute(
        "SELECT d.content FROM documents d JOIN reports r ON r.document = d.sha256 WHERE r.id = ?", [report_id]
    ).fetchone()[0]
    buffer = io.BytesIO()
    crop(content, found.form, found.source, dpi).save(buffer, "PNG")
    return buffer.getvalue()


def crop(content: bytes, form: str, source: Source | None, dpi: int = DPI) -> Image.Image:
    """The box of `source` cut from the file `content` (of form `form`)."""
    if form not in ("pdf", "image", "html"):
        raise CropError(f"这个值没有图像：{_FORM_ZH.get(form, form)}没有页面可截取")
    if source is None or source.bbox is None or source.page is None:
        raise CropError("这个值没有记录页面上的位置，无法截取图像")
    if form == "html":
        raise CropError("这个值识别自网页旁的图片，图片未随报告保存")
    if form == "image":
        return _from_image(content, source.bbox)
    return _from_pdf(content, source.page, source.bbox, dpi)


_FORM_ZH = {
    "text": "文本文件",
    "docx": "Word 文件",
    "doc": "Word 文件",
    "wps": "WPS 文件",
    "rtf": "RTF 文件",
    "odt": "ODT 文件",
}


def _from_image(content: bytes, bbox: tuple[float, float, float, float]) -> Image.Image:
    from PIL import Image

    image = Image.open(io.BytesIO(content))
    image.load()
    return image.convert("RGB").crop(_pixels(bbox, 1.0))


def _from_pdf(content: bytes, page_number: int, bbox: tuple[float, float, float, float], dpi: int) -> Image.Image:
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        if not 1 <= page_number <= len(document):
            raise CropError(f"这个值所在的第 {page_number} 页不在文件中")
        page = document[page_number - 1]
        if page.get_rotation() and _read_unrotated(content, page_number):
            page.set_rotation(0)
        image = page.render(scale=dpi / 72).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    return image.crop(_pixels(bbox, dpi / 72))


def _read_unrotated(content: bytes, page_number: int) -> bool:
    """Whether the PDF reader read this turned page with its /Rotate set aside (text written
    upright on a page a viewer turns): its boxes are then on the page as written."""
    import pdfplumber

    from nianbao.db.readers.pdf import _sideways  # the reader's own test, so the boxes match

    with pdfplumber.open(io.BytesIO(content), pages=[page_number]) as pdf:
        return _sideways(pdf.pages[0].chars)


def _pixels(bbox: tuple[float, float, float, float], scale: float) -> tuple[int, int, int, int]:
    x0, top, x1, bottom = bbox
    return round(x0 * scale), round(top * scale), round(x1 * scale), round(bottom * scale)
