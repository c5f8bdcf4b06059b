"""The PDF reader's two engines (issue 18): PDFium's characters and paths give the same Document
as pdfminer's, block for block, box for box, and a file PDFium cannot open is read by pdfminer.
The PDF reader's own tests run here again under the engine that is not the default, so both
engines pass them all (benchmarks/gate_pdf.py compares the engines on every PDF the tests make)."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

import tests.test_pdf_real as pdf_real_tests
import tests.test_reader_pdf as reader_pdf_tests
from nianbao.db.document import Document
from nianbao.db.errors import ReadError
from nianbao.db.pipeline import parse_file
from nianbao.db.readers import pdf_pdfium
from nianbao.db.readers.pdf import TOO_LARGE, read_pdf
from nianbao.db.readers.pdf_pdfium import DEFAULT_ENGINE, ENGINE_VARIABLE
from tests.font_check import font_checks
from tests.forms.layout import RowBreak
from tests.forms.pdf import render
from tests.helpers import SAMPLE_NAMES, sample_path

OTHER_ENGINE = "pdfminer" if DEFAULT_ENGINE == "pdfium" else "pdfium"
REAL_101 = Path(__file__).parent / "data" / "real" / "raw" / "101.pdf"

FORMS = {
    "ruled": {},
    "unruled": {"ruled": False},
    "three-pages": {"rows_per_page": 9},
    "split-row": {"split_row": RowBreak("4.保护第三方合法权益", at=5, values_first=True)},
    "page-numbers-border": {"page_numbers": True, "frame": "border"},
    "framed-paragraphs": {"frame": "boxes"},
    "white-boxes": {"frame": "white"},
    "white-rounded-boxes": {"frame": "rounded"},
    "running-head": {"running_head": "霍城县人民政府办公室", "new_page": ("table3",)},
    "rotated": {"rotate": 90},
    "large-font": {"font_size": 14, "ruled": False},
}


def read_with(engine: str, data: bytes, monkeypatch: pytest.MonkeyPatch) -> Document:
    monkeypatch.setenv(ENGINE_VARIABLE, engine)
    return read_pdf(data)


@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_engines_read_the_fixtures_alike(name, form, tmp_path, monkeypatch):
    data = render(parse_file(sample_path(name)), tmp_path / "report.pdf", **FORMS[form]).read_bytes()
    pdfminer = read_with("pdfminer", data, monkeypatch)
    pdfium = read_with("pdfium", data, monkeypatch)
    assert pdfium.blocks == pdfminer.blocks
    assert pdfium.details == pdfminer.details


def test_engines_read_the_real_pdf_alike(monkeypatch):
    data = REAL_101.read_bytes()
    pdfminer = read_with("pdfminer", data, monkeypatch)
    pdfium = read_with("pdfium", data, monkeypatch)
    assert [str(block) for block in pdfium.blocks] == [str(block) for block in pdfminer.blocks]


def test_a_pdf_pdfium_cannot_open_is_read_by_pdfminer(tmp_path, monkeypatch):
    """PDFium looks for the %PDF header in the first 1,024 bytes; pdfminer reads on past junk."""
    data = render(parse_file(sample_path(SAMPLE_NAMES[0])), tmp_path / "report.pdf").read_bytes()
    expected = read_with("pdfminer", data, monkeypatch)
    behind_junk = b"%" + b"x" * 2000 + b"\n" + data
    assert read_with("pdfium", behind_junk, monkeypatch).blocks == expected.blocks


def test_pdfium_running_out_of_memory_is_too_large(monkeypatch):
    """Out of memory while PDFium's objects are taken is the file's size, not its damage."""

    def exhaust(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(pdf_pdfium, "_text_chars", exhaust)
    with pytest.raises(ReadError, match=f"^{re.escape(TOO_LARGE)}"):
        read_with("pdfium", REAL_101.read_bytes(), monkeypatch)


def test_an_unknown_engine_is_one_line(monkeypatch):
    with pytest.raises(ReadError, match=f"{ENGINE_VARIABLE}='pdfbox' 不是 PDF 引擎：请用 pdfium 或 pdfminer"):
        read_with("pdfbox", REAL_101.read_bytes(), monkeypatch)


@pytest.mark.parametrize("source", ["101", "sample"])
def test_fonts_read_light_say_what_pdfminer_says(source, tmp_path):
    """The PDFium reader matches fonts on values read from their dictionaries (pdf_fonts.Light),
    making pdfminer's font only where its widths or character map are needed: every such value
    is pdfminer's own, and a font not made lists no width with a fraction and leaves no code out."""
    if source == "101":
        path = REAL_101
    else:
        path = render(parse_file(sample_path(SAMPLE_NAMES[0])), tmp_path / "report.pdf")
    with pdfplumber.open(path) as pdf:
        checks = list(font_checks(pdf))
    light = [c for c in checks if c.light]
    assert [c for c in light if not (c.agrees and c.unneeded)] == []
    # 101.pdf (WPS): its Identity-H fonts read light; the reportlab sample's Helvetica too, its
    # STSong-Light (UniGB-UCS2-H: a predefined map may leave codes out) pdfminer's own.
    assert light and (len(light) < len(checks) or source == "101")


# --- The PDF reader's tests, again under the engine that is not the default --------------------


@pytest.fixture(autouse=True)
def other_engine(monkeypatch):
    monkeypatch.setenv(ENGINE_VARIABLE, OTHER_ENGINE)


def _tests_of(module) -> dict[str, object]:
    return {name: getattr(module, name) for name in dir(module) if name.startswith("test_")}


globals().update({f"{name}__{OTHER_ENGINE}": test for name, test in _tests_of(reader_pdf_tests).items()})
globals().update({f"{name}__{OTHER_ENGINE}": test for name, test in _tests_of(pdf_real_tests).items()})
text_reports = reader_pdf_tests.text_reports  # the fixtures those tests take
parsed_101 = pdf_real_tests.parsed_101
printed_portal_pages = pdf_real_tests.printed_portal_pages
exported_word_documents = pdf_real_tests.exported_word_documents
