"""Bound the work a PDF's pages may cost before they are parsed.

pdfminer's time and memory grow with what a page holds: one 14,400-pt page of small text in a
206 KB file grew to 14.5 GB in 370 s. pdfium (pypdfium2, which pdfplumber already depends on)
reads each page's size and counts its characters cheaply, in bounded memory; a page over the
limits (`db/limits.py`) is refused naming the page, what it holds, the limit and its variable.
A file pdfium cannot open (None) is left to pdfplumber, which says what is wrong with it.
"""

from __future__ import annotations

import pypdfium2

from nianbao.db.limits import Limits

Loaded = dict[int, tuple[pypdfium2.PdfPage, pypdfium2.PdfTextPage]]


def check_page_bounds(pdf: pypdfium2.PdfDocument | None, limits: Limits, keep: Loaded | None = None) -> None:
    """Refuse the first page larger or denser than the limits allow; raises ReadError. With
    `keep`, the pages and their text within the limits are kept there, open, for the reader
    (PDFium loads each page's text once); whoever passes it closes them."""
    if pdf is None:
        return  # damaged, encrypted, …: pdfplumber's reading names the problem
    try:
        for index in range(len(pdf)):
            _check_page(pdf, index, limits, keep)
    except pypdfium2.PdfiumError:
        return  # a page pdfium cannot load: not a reason to refuse what pdfplumber may read


def _check_page(pdf: pypdfium2.PdfDocument, index: int, limits: Limits, keep: Loaded | None) -> None:
    page = pdf[index]
    text = None
    try:
        width, height = page.get_size()
        limits.check_page_area(index + 1, width, height)
        text = page.get_textpage()
        limits.check_page_chars(index + 1, text.count_chars())
        if keep is not None:
            keep[index] = (page, text)
            page = text = None
    finally:
        if text is not None:
            text.close()
        if page is not None:
            page.close()
