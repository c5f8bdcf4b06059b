"""Readers: one per form a report is published in, each turning bytes into a `Document`.

`read_document` looks at the bytes (magic numbers first, then the file name) and says which form
it found; the choice is recorded with the document.
"""

from __future__ import annotations

from pathlib import PurePath

from db.document import Document
from db.errors import ReadError
from db.readers.text import read_text

# Suffixes a folder import picks up; any file named explicitly is tried whatever its name.
REPORT_SUFFIXES = (".txt", ".text", ".md", ".pdf", ".docx", ".doc", ".wps", ".html", ".htm")


def detect_form(data: bytes, name: str = "") -> str:
    """The form of a file: text, pdf, docx, doc, zip or html."""
    head = data[:1024].lstrip()
    suffix = PurePath(name).suffix.lower()
    if head.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # OLE2: old binary Word, WPS
    if data.startswith(b"PK\x03\x04"):
        return "docx" if suffix == ".docx" or b"word/" in data[:65536] else "zip"
    lowered = head[:512].lower()
    if suffix in (".html", ".htm") or lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


_UNSUPPORTED = {
    "pdf": "PDF files cannot be read yet; export the report as text",
    "docx": "Word .docx files cannot be read yet; export the report as text",
    "html": "web pages cannot be read yet; save the report as text",
    "doc": "old binary Word (.doc/.wps) cannot be read; save it as .docx or PDF",
    "zip": "a zip archive, not a report document",
}


def read_document(data: bytes, name: str = "") -> Document:
    form = detect_form(data, name)
    if form != "text":
        raise ReadError(_UNSUPPORTED[form])
    return read_text(data)
