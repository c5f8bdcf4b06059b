"""What runs into a row's run in running text (a report whose table borders were lost): a cell's
unit and remark, a remark after a table's last row, a number of what follows. Each is read as the
table forms read the cell (its text as printed, CELL-TYPE naming it) or named by a finding; never
taken silently as the row's number.

The fixtures in tests/data/running/ were written by hand (one report of a made-up agency, on one
line as a portal dump prints it), each varying table 二 in one place.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nianbao.db.checks import run_checks
from nianbao.db.parse.report import parse_document
from nianbao.db.pipeline import parse_bytes
from nianbao.db.readers.text import split_blocks

DATA = Path(__file__).parent / "data" / "running"
TABLE2 = {
    "rules_made": 0,
    "rules_repealed": 0,
    "rules_in_force": 0,
    "normative_made": 2,
    "normative_repealed": 0,
    "normative_in_force": 15,
    "licensing": 11,
    "punishment": 3,
    "enforcement": 0,
    "fees_wan": 0,
}
ROW = [0] * 7
TABLE3 = {
    "new_received": [5, 1, 0, 0, 0, 0, 6],
    "granted": [3, 1, 0, 0, 0, 0, 4],
    "unable_no_info": [1, 0, 0, 0, 0, 0, 1],
    "total": [4, 1, 0, 0, 0, 0, 5],
    "carried_forward": [1, 0, 0, 0, 0, 0, 1],
}
TABLE4 = {"review_upheld": 1, "review_total": 1}


def _parsed(name: str):
    report = parse_bytes((DATA / name).read_bytes(), name)[0]
    return report, run_checks(report)


def _others_right(report, but: str) -> None:
    """Every cell but `but` holds the value the fixture prints."""
    assert {k: v.value for k, v in report.table2.items() if k != but} == {k: v for k, v in TABLE2.items() if k != but}
    assert {k: [v.value for v in vs] for k, vs in report.table3.items()} == {
        k: TABLE3.get(k, ROW) for k in report.table3
    }
    assert {k: v.value for k, v in report.table4.items()} == {k: TABLE4.get(k, 0) for k in report.table4}


@pytest.mark.parametrize(
    ("name", "cell", "printed"),
    [("licensing_remark.txt", "licensing", "11 件(含转办)"), ("fees_remark.txt", "fees_wan", "0 (另代收0.5)")],
)
def test_a_remark_stuck_to_a_cell_is_its_text_as_printed(name, cell, printed):
    """行政许可11 件（含转办）第二十条…: not 11 silently, but the cell as printed, which CELL-TYPE names."""
    report, findings = _parsed(name)
    assert report.table2[cell].value == printed
    assert any(f.rule == "CELL-TYPE" and f.cells == (f"table2.{cell}",) for f in findings)
    _others_right(report, cell)


def test_spaces_inside_a_one_cell_row_are_named():
    """行政强制 1 2: one number (12) or a 1 and a figure run into the row; no sum can tell."""
    report, findings = _parsed("spaced_cell.txt")
    assert report.table2["enforcement"].value == 12  # the only reading, kept
    (finding,) = [f for f in findings if f.rule == "SPLIT-AMBIGUOUS"]
    assert finding.cells == ("table2.enforcement",)
    _others_right(report, "enforcement")


def _text(name: str, old: str, new: str) -> str:
    """A fixture's text with `old` (which it prints) replaced by `new`."""
    text = (DATA / name).read_text("utf-8")
    assert old in text
    return text.replace(old, new, 1)


def test_words_between_two_rows_of_table_three_name_the_row():
    """（一）予以公开 3 1 0 0 0 0 4（含转办）（二）部分公开…: the words are the row's; where they sit
    among its cells cannot be told, so the row is blank and named, never split around them."""
    text = _text("spaced_cell.txt", "3 1 0 0 0 0 4 （二）", "3 1 0 0 0 0 4（含转办） （二）")
    report = parse_document(split_blocks(text))
    assert [v.value for v in report.table3["granted"]] == [None] * 7
    (note,) = [n for n in report.notes if n.cells == ("table3.granted.*",)]
    assert "（含转办）" in note.message.replace("(", "（").replace(")", "）")
    assert [v.value for v in report.table3["partial"]] == ROW


def test_the_narrative_after_the_last_row_is_no_cell():
    """Table 四's run followed at once by the narrative (…0 0我局严格规范…，…): the sentence is no
    cell; the run is read."""
    text = _text("spaced_cell.txt", "0 0 0 0 0 五、", "0 0 0 0 0我局严格规范政府信息公开流程，确保答复规范。五、")
    report = parse_document(split_blocks(text))
    assert {k: v.value for k, v in report.table4.items()} == {k: TABLE4.get(k, 0) for k in report.table4}
