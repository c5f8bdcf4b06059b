"""Limits on what one file may cost to read: its size, its pages, what it inflates to.

A real report is a few megabytes at most; these limits stop a wrong file (a video, a scanned
archive, a zip bomb named .docx) before it takes the machine's memory or an hour of PDF parsing.
They are settings: each can be raised by an environment variable, read when a file is read (so
an operator sets it for one run, `NIANBAO_MAX_FILE_MB=500 nianbao import big.pdf`). Every refusal
names the variable to raise.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from nianbao.db.errors import NianbaoError, ReadError

MB = 1024 * 1024
A4_AREA = 595.28 * 841.89  # square points


@dataclass(frozen=True)
class Limits:
    file_mb: int = 50  # the file as stored
    pages: int = 200  # pages of a PDF (the longest real reports have some 30)
    unzipped_mb: int = 50  # a .docx's main document part, inflated (real ones: under 5 MB)
    table_cells: int = 50_000  # cells of one table of a web page or .docx (table 三 has some 250)
    convert_seconds: int = 120  # LibreOffice converting one .doc/.wps/.rtf/.odt (real ones: a few seconds)
    page_chars: int = 50_000  # characters on one PDF page (real pages hold 1,000–3,000)
    page_area: int = 20  # one PDF page's area, in A4 pages (real pages are A4 or letter)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        """The defaults, with any set in NIANBAO_MAX_FILE_MB, NIANBAO_MAX_PAGES,
        NIANBAO_MAX_UNZIPPED_MB, NIANBAO_MAX_TABLE_CELLS, NIANBAO_MAX_CONVERT_SECONDS,
        NIANBAO_MAX_PAGE_CHARS or NIANBAO_MAX_PAGE_AREA instead."""
        values = {}
        for field in fields(cls):
            name = ENV[field.name]
            if environ.get(name, "").strip():
                values[field.name] = _positive(name, environ[name])
        return cls(**values)

    def check_file_size(self, size: int) -> None:
        """Refuse a file over the size limit, before it is read into memory."""
        if size > self.file_mb * MB:
            raise ReadError(
                f"文件有 {_mb(size)} MB，超过 {self.file_mb} MB 的上限；如确是报告，请调高 {ENV['file_mb']} 后再导入"
            )

    def check_pages(self, pages: int) -> None:
        if pages > self.pages:
            raise ReadError(
                f"PDF 有 {pages} 页，超过 {self.pages} 页的上限；如确是报告，请调高 {ENV['pages']} 后再导入"
            )

    def check_page_area(self, page: int, width: float, height: float) -> None:
        """Refuse a page larger than any report's before it is parsed: pdfminer's work and memory
        grow with what a page holds, and a 14,400-pt page of small text took 14.5 GB."""
        a4s = width * height / A4_AREA
        if a4s > self.page_area:
            raise ReadError(
                f"第 {page} 页为 {round(width)} × {round(height)} pt，是 A4 页面的 {math.ceil(a4s)} 倍，"
                f"超过 {self.page_area} 个 A4 页面的上限；如确是报告，请调高 {ENV['page_area']} 后再导入"
            )

    def check_page_chars(self, page: int, chars: int) -> None:
        """Refuse a page of more characters than any report's before it is parsed."""
        if chars > self.page_chars:
            raise ReadError(
                f"第 {page} 页有 {chars} 个字符，超过 {self.page_chars} 个字符的上限；"
                f"如确是报告，请调高 {ENV['page_chars']} 后再导入"
            )

    def check_table_cells(self, cells: int) -> None:
        """Refuse a table of more cells than any report's, before its cells are read: a web page
        of a 1,500×1,500 table took 44 s and 1.6 GB."""
        if cells > self.table_cells:
            raise ReadError(
                f"有一个表格有 {cells} 个单元格，超过 {self.table_cells} 个单元格的上限；"
                f"如确是报告，请调高 {ENV['table_cells']} 后再导入"
            )

    def unzipped_too_large(self, size: int, *, at_least: bool = False) -> ReadError:
        more = "超过" if at_least else ""
        return ReadError(
            f".docx 解压后有{more} {_mb(size)} MB，超过 {self.unzipped_mb} MB 的上限（zip 炸弹？）；"
            f"如确是报告，请调高 {ENV['unzipped_mb']} 后再导入"
        )


ENV = {
    "file_mb": "NIANBAO_MAX_FILE_MB",
    "pages": "NIANBAO_MAX_PAGES",
    "unzipped_mb": "NIANBAO_MAX_UNZIPPED_MB",
    "table_cells": "NIANBAO_MAX_TABLE_CELLS",
    "convert_seconds": "NIANBAO_MAX_CONVERT_SECONDS",
    "page_chars": "NIANBAO_MAX_PAGE_CHARS",
    "page_area": "NIANBAO_MAX_PAGE_AREA",
}


def current() -> Limits:
    """The limits in force now (the environment is read each time: settings, not constants)."""
    return Limits.from_env()


def _positive(name: str, text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise NianbaoError(f"{name} 须为正整数，而不是 {text!r}")
    return value


def _mb(size: int) -> int:
    """Megabytes, rounded up: 50.2 MB is over a 50 MB limit, and says so."""
    return math.ceil(size / MB)
