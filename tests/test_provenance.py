"""For any value, the operator can be shown where it is printed, whatever the file's form: the
line (text), the page and box (PDF), the table cell (DOCX, HTML) — stored and read back."""

from __future__ import annotations

import re

import pdfplumber
import pytest
from click.testing import CliRunner
from docx import Document as WordDocument

from nianbao.db import review
from nianbao.db.pipeline import import_paths, parse_file
from nianbao.db.vocabulary import cell_name
from nianbao.tui.cli import cli
from tests.forms import docx, html, pdf
from tests.helpers import sample_path

CELL = "table3.new_received.total"  # 003 prints 12 there


@pytest.fixture(scope="module")
def report():
    return parse_file(sample_path("003"))


def imported_source(db, path):
    (result,) = import_paths(db, [path])
    assert result.status == "imported", result.message
    return review.cell_source(db, result.report_id, CELL)


def test_pdf_value_has_page_and_box(db, tmp_path, report):
    path = pdf.render(report, tmp_path / "r.pdf")
    found = imported_source(db, path)
    assert found.form == "pdf" and found.value == 12
    assert found.source.page is not None and found.source.describe().startswith(f"第{found.source.page}页，表格")
    x0, top, x1, bottom = found.source.bbox
    with pdfplumber.open(path) as document:
        words = document.pages[found.source.page - 1].within_bbox((x0, top, x1, bottom)).extract_words()
    assert [w["text"] for w in words] == ["12"]


def test_docx_value_has_its_table_cell(db, tmp_path, report):
    path = docx.render(report, tmp_path / "r.docx")
    found = imported_source(db, path)
    s = found.source
    assert found.form == "docx" and (s.page, s.line, s.bbox) == (None, None, None)
    cell = WordDocument(str(path)).tables[s.table].rows[s.row].cells[s.col]
    assert cell.text == "12"
    assert found.source.describe() == f"表格{s.table + 1}第{s.row + 1}行第{s.col + 1}列"


@pytest.mark.parametrize("style", ["modern", "legacy", "word"])
def test_html_value_has_its_table_cell(db, tmp_path, report, style):
    found = imported_source(db, html.render(report, tmp_path / "r.html", style=style))
    assert found.form == "html" and found.value == 12
    assert (found.source.table, found.source.col) == (1, 9)  # table 三 is the page's second data table


def test_cli_shows_the_page_and_box(db_path, tmp_path, report):
    path = pdf.render(report, tmp_path / "r.pdf")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db_path), "import", str(path)]).exit_code == 0  # findings are not failures
    out = runner.invoke(cli, ["--db", str(db_path), "show", "1", CELL]).stdout.splitlines()
    assert out[0] == f"报告 1 {cell_name(CELL)}（{CELL}）= 12   （原文：“12”）"
    assert re.fullmatch(r"来源（PDF）：第\d+页，表格\d+第\d+行第\d+列", out[1])
    assert out[2].startswith("页面上的位置：")
