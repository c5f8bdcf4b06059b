"""Markdown from PDF converters and OCR tools (fixtures in tests/data/markdown, made by hand from
sample 002 in the shapes such tools write): every one reads the sample's values exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.db.checks import run_checks
from nianbao.db.document import Table
from nianbao.db.pipeline import parse_file
from nianbao.db.readers.text import split_blocks
from tests.helpers import expected

MARKDOWN = Path(__file__).parent / "data" / "markdown"
SHAPES = {
    "rows_as_tables": "each row of table 三 its own pipe table under a placeholder header (| 0 | 1 | 2 …)",
    "labels_apart": "labels on their own lines, the numbers spaced on the next; one total alone on a line",
    "ocr": "a character of the organ misread throughout, the header rows after the first row, a label typo",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_converter_markdown_reads_the_sample_exactly(name):
    report = parse_file(MARKDOWN / f"{name}.md")
    want = expected("002")
    j = report.to_json()
    assert j["table2"] == want["table2"]
    assert j["table3"]["rows"] == want["table3"]["rows"]
    assert j["table4"] == want["table4"]
    assert (report.year, report.format, report.published) == (2024, "2021", "2025-01-20")
    assert [f.rule for f in run_checks(report) if f.rule.startswith(("T3", "T4", "CELL", "SPLIT"))] == []


def test_a_placeholder_header_is_no_row():
    blocks = split_blocks("| 0 | 1 | 2 |\n|---|---|---|\n| （一）予以公开 | 2 | 2 |\n").blocks
    (table,) = blocks
    assert isinstance(table, Table)
    assert [[c.text for c in row] for row in table.rows] == [["（一）予以公开", "2", "2"]]


def test_a_real_header_row_is_kept():
    blocks = split_blocks("| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 0 |\n").blocks
    assert [[c.text for c in row] for row in blocks[0].rows] == [["信息内容", "本年制发件数"], ["规章", "0"]]
