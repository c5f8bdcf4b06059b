"""Fonts the PDFium reader reads light (db/readers/pdf_fonts.py) held to pdfminer's own: one check
for the test (tests/test_reader_pdf_engines.py) and the gate over every PDF (benchmarks/gate_pdf.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pdfminer.pdfinterp import PDFResourceManager

from nianbao.db.readers import pdf_fonts, pdf_pdfium


@dataclass(frozen=True)
class FontCheck:
    page: int
    light: bool  # read from the font's dictionary; else pdfminer's font was made
    values: tuple[Any, ...]  # what the reader matches on (name, base font, flags, descents, angle)
    pdfminer: tuple[Any, ...]  # the same, from pdfminer's own font
    unneeded: bool  # pdfminer's font lists no width with a fraction and leaves no code out

    @property
    def agrees(self) -> bool:
        return self.values == self.pdfminer


def font_values(font: Any) -> tuple[Any, ...]:
    found = (font.fontname, font.basefont, font.flags, font.descent, font.italic_angle, font.get_descent())
    return tuple((type(value), value) for value in found)


def font_checks(pdf: Any) -> Iterator[FontCheck]:
    """Every font of an open pdfplumber PDF's pages, the light ones beside pdfminer's."""
    for page in pdf.pages:
        for font in pdf_fonts.page_fonts(pdf.rsrcmgr, page.page_obj.resources):
            if not isinstance(font, pdf_fonts.Light):
                yield FontCheck(page.page_number, False, (), (), True)
                continue
            real = PDFResourceManager(caching=False).get_font(font.objid, font.spec)
            widths = pdf_pdfium._widths(real)
            unneeded = (widths is None or not widths.by_char) and pdf_pdfium._Unmapped.of(real) is None
            yield FontCheck(page.page_number, True, font_values(font), font_values(real), unneeded or font.needed)
