"""Readers: one per form a report is published in, each turning bytes into a `Document`.

`read_document` looks at the bytes (magic numbers first, then the file name) and says which form
it found; the choice is recorded with the document. Old Word (.doc), WPS, RTF and OpenDocument
files are converted to .docx by LibreOffice first (office.py); only bytes that are one of these
by their magic numbers are given to LibreOffice (which would open anything else as plain text).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePath

from nianbao.db.document import Document
from nianbao.db.errors import ReadError
from nianbao.db.limits import current as current_limits
from nianbao.db.parse.ideographs import normalise_document
from nianbao.db.readers.text import read_text

# Suffixes a folder import picks up; any file named explicitly is tried whatever its name.
REPORT_SUFFIXES = (".txt", ".text", ".md", ".pdf", ".docx", ".doc", ".wps", ".rtf", ".odt", ".html", ".htm")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: old binary Word, WPS, a password-protected .docx
_ODT_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.text"  # an .odt zip's first, stored member


def detect_form(data: bytes, name: str = "") -> str:
    """The form of a file: text, pdf, docx, doc, wps, rtf, odt, image, zip or html."""
    head = data[:1024].lstrip()
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return "wps" if suffix == ".wps" else "doc"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return "image"  # a scan or a picture of a table: read by OCR
    if data.startswith(b"PK\x03\x04"):
        if _ODT_MIMETYPE in data[:128]:
            return "odt"
        return "docx" if suffix == ".docx" or b"word/" in data[:65536] else "zip"
    if suffix in (".html", ".htm") or _looks_like_html(data):
        return "html"
    return "text"


def _looks_like_html(data: bytes) -> bool:
    sniff = data[:2048].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<head", b"<meta")):
        return True
    return sniff.startswith((b"<?xml", b"<!--")) and b"<html" in sniff


def read_document(data: bytes, name: str = "", folder: Path | None = None) -> Document:
    """Read a file of any supported form into blocks; the form found is recorded on the document.
    Every form's text leaves here with CJK radicals read as the ideographs they stand for.
    `folder`: where the file lies, for a saved web page's pictures beside it (never fetched)."""
    current_limits().check_file_size(len(data))
    form = detect_form(data, name)
    if form == "zip":
        raise ReadError("是 zip 压缩包，不是报告文档（.docx 是含有 word/document.xml 的 zip）")
    if form in ("doc", "wps"):  # a password-protected .docx is an OLE2 container too: named at once
        from nianbao.db.readers.docx import is_encrypted_ole, ole_message

        if is_encrypted_ole(data):
            raise ReadError(ole_message(data))
    return normalise_document(_reader(form, folder)(data))


def _reader(form: str, folder: Path | None = None) -> Callable[[bytes], Document]:
    """The reader of a form, imported when first needed (pdfplumber and lxml take time to load)."""
    if form == "pdf":
        return _read_pdf_or_scan
    if form == "image":
        from nianbao.db.readers import ocr

        if not ocr.available():
            raise ReadError(f"图片须经 OCR 读取，但 OCR 未安装：{ocr.INSTALL}")
        return ocr.read_image
    if form == "docx":
        from nianbao.db.readers.docx import read_docx

        return read_docx
    if form == "html":
        from nianbao.db.readers.html import read_html

        return lambda data: read_html(data, folder)
    if form in ("doc", "wps", "rtf", "odt"):
        from nianbao.db.readers.office import read_office

        return lambda data: read_office(data, form)
    return read_text


def _read_pdf_or_scan(data: bytes) -> Document:
    """A PDF through its text layer; one without any (a scan) through OCR when the extra is
    installed, else the reader's line and how to install it."""
    from nianbao.db.readers import ocr
    from nianbao.db.readers.pdf import NO_TEXT, read_pdf

    try:
        return read_pdf(data)
    except ReadError as exc:
        if str(exc) != NO_TEXT:
            raise
        if not ocr.available():
            raise ReadError(f"{NO_TEXT}；请安装 OCR 扩展：{ocr.INSTALL}") from None
    return ocr.read_scanned_pdf(data)
