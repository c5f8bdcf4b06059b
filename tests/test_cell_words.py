"""Words in a value cell (issue 17's remainder): a row label is a label the format knows (its rows,
headings and columns, with the variants real reports print, db/parse/labels.py `is_known_label`); text in
a value's place that is no such label (不详, 见附注, 约十一, 11（见附注）) is that cell's value, kept as
printed in its own column and named by CELL-TYPE, in every form. Where the borders were lost
(running text) such a row is named, never split around the words.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from nianbao.db.checks import run_checks
from nianbao.db.format import FORMATS, SECTIONS, TABLE3_GROUP_LABELS, TABLE4_GROUPS, TABLE4_RESULTS
from nianbao.db.parse.report import parse_document
from nianbao.db.pipeline import parse_bytes
from nianbao.db.readers.text import split_blocks
from tests.forms import text
from tests.forms.layout import report_from_json
from tests.helpers import expected, sample_bytes
from tests.real_scoring import cells, flagged, same
from tests.test_cell_text import EXAMPLES, FORMS, PATHS, PROPERTY, moved, render, with_cell

# Words printed where a number belongs: no digit, numerals beside a word, a number with two or
# more characters of words.
WORDS = ["不详", "见附注", "无此项", "暂无数据", "约十一", "十一（注）", "11（见附注）", "12（含转办）"]
# (table, row, column index or None): a column of table 三 at either end and inside, a row of one
# value and a row of three in table 二, the first and last cells of table 四.
PLACES = [
    ("table3", "granted", 0),
    ("table3", "granted", 3),
    ("table3", "total", 6),
    ("table3", "new_received", 0),
    ("table2", "licensing", None),
    ("table2", "fees_wan", None),
    ("table2", "normative_made", None),
    ("table4", "review_upheld", None),
    ("table4", "suit_after_review_total", None),
]


def _path(report, table: str, key: str, index: int | None) -> str:
    return f"{table}.{key}" if index is None else f"{table}.{key}.{report.spec.table3_columns[index].key}"


def _value(report, table: str, key: str, index: int | None) -> object:
    return (report.table3[key][index] if table == "table3" else getattr(report, table)[key]).value


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("word", WORDS)
def test_words_in_a_value_cell_read_as_printed_in_their_own_column(word, form, tmp_path):
    table, key, index = PLACES[WORDS.index(word) % len(PLACES)]
    want = expected("001")
    values = with_cell(expected("001"), table, key, index, word)
    report, _ = parse_bytes(*render(values, form, tmp_path))
    place = f"{table}.{key}" + ("" if index is None else f".{index}")
    assert moved(report.to_json(), want, place) == {}
    value = _value(report, table, key, index)
    assert isinstance(value, str) and value.replace(" ", "") == word
    findings = {(f.rule, c) for f in run_checks(report) for c in f.cells}
    assert ("CELL-TYPE", _path(report, table, key, index)) in findings
    assert not [n for n in report.notes if n.code.startswith("row-")]


@pytest.mark.parametrize("layout", text.LAYOUTS)
@pytest.mark.parametrize(("table", "key", "index"), PLACES)
def test_words_in_every_place_of_the_text_forms(table, key, index, layout):
    want = expected("002")
    values = with_cell(expected("002"), table, key, index, "不详")
    report = parse_bytes(text.text(report_from_json(values), layout=layout).encode(), "report.txt")[0]
    assert moved(report.to_json(), want, f"{table}.{key}" + ("" if index is None else f".{index}")) == {}
    assert _value(report, table, key, index) == "不详"


@pytest.mark.parametrize("form", FORMS)
def test_a_label_of_the_format_in_a_value_cell_is_named_never_moved(form, tmp_path):
    """其他 is a label (a column of table 三, the row 3.其他): which it is cannot be told, so the row
    is named; no value moves."""
    want = expected("001")
    values = with_cell(expected("001"), "table3", "granted", 3, "其他")
    report, _ = parse_bytes(*render(values, form, tmp_path))
    got = report.to_json()
    for path, (have, wanted) in moved(got, want, "table3.granted.3").items():
        assert have is None, (path, have, wanted)  # blank and named, never another cell's value
    named = {c for n in report.notes for c in n.cells}
    assert named & {"table3.granted.*", "table3.granted.legal"}


# --- Running text: the borders lost ---------------------------------------------------------------


def _running(word: str, separator: str, after: str) -> str:
    """Sample 001's text on one line, the row after the line holding `after` starting with `word`."""
    lines = sample_bytes("001").decode("utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if after in line) + 1
    lines[at] = "\t" + word
    return re.sub(r"[ \u3000]*\n\s*", separator, "\n".join(lines)).replace("\t", separator)


@pytest.mark.parametrize("separator", ["", " "], ids=["run-together", "spaced"])
@pytest.mark.parametrize("after", ["本年新收", "予以公开", "（七）总计"])
@pytest.mark.parametrize("word", [*WORDS, "其他"])
def test_words_in_running_text_are_named_never_shifted(word, after, separator):
    report = parse_document(split_blocks(_running(word, separator, after)))
    got = report.to_json() | {"checks": [f.as_json() for f in run_checks(report)]}
    want = expected("001")
    have = cells(got, want["format"])
    silent = [
        p for p, v in cells(want, want["format"]).items() if not same(have[p], v) and not flagged(p, got["checks"])
    ]
    assert silent == []
    assert report.table3["carried_over"][0].value == 0  # the next row keeps its own label and values


def test_a_running_row_of_words_and_no_number_is_blank_and_named():
    """一行只印了文字、没有数字：空缺，并以中文说明。"""
    flat = _running("不详", "", "予以公开")
    flat = re.sub(r"不详[\d ]*", "不详", flat, count=1)  # the row holds the words alone
    report = parse_document(split_blocks(flat))
    assert [v.value for v in report.table3["granted"]] == [None] * 7
    (note,) = [n for n in report.notes if n.cells == ("table3.granted.*",)]
    assert "不详" in note.message and "不是数字" in note.message


# --- The property: random words in random cells -----------------------------------------------------

_FORMAT_TEXT = "".join(
    [
        *(label for spec in FORMATS.values() for row in spec.table3_rows for label in (*row.labels, row.group or "")),
        *(t for spec in FORMATS.values() for row in spec.table2 for t in (*row.labels, row.item)),
        *(f.column for spec in FORMATS.values() for f in spec.table2_fields),
        *(c.label for spec in FORMATS.values() for c in spec.table3_columns),
        *TABLE3_GROUP_LABELS,
        *(c.label for c in (*TABLE4_GROUPS, *TABLE4_RESULTS)),
        *(label for s in SECTIONS for label in s.labels),
    ]
)
# Characters of words that no label of the format holds: whatever they spell is no label. The
# domain is made here, from the format's text, not by the reader under test.
WORD_CHARS = "".join(c for c in "详见附注暂缺略约近余估待查核填报统未数据含转办另" if c not in _FORMAT_TEXT)
NUMBER = st.one_of(st.integers(0, 999).map(str), st.sampled_from(["十一", "三十三", "壹拾壹", "一百零五"]))
WORD = st.text(alphabet=st.sampled_from(WORD_CHARS), min_size=1, max_size=4)
BRACKETS = st.sampled_from([("", ""), ("（", "）"), ("(", ")")])
WORDY = st.one_of(
    WORD,  # no digit: 不详
    st.builds(lambda w, n: w + n, WORD, NUMBER),  # words before a number: 约十一
    st.builds(lambda n, b, w: f"{n}{b[0]}{w}{b[1]}", NUMBER, BRACKETS, WORD),  # 11（见附注）
)


@settings(PROPERTY, max_examples=min(EXAMPLES, 80))
@given(where=st.sampled_from(PATHS), cell=WORDY, layout=st.sampled_from(text.LAYOUTS))
def test_words_in_a_random_cell_move_no_value(where, cell, layout):
    _words_move_no_value(where, cell, layout)


@pytest.mark.slow
@settings(PROPERTY, max_examples=EXAMPLES)
@given(where=st.sampled_from(PATHS), cell=WORDY, layout=st.sampled_from(text.LAYOUTS))
def test_words_in_a_random_cell_move_no_value_long(where, cell, layout):
    _words_move_no_value(where, cell, layout)


def _words_move_no_value(where: tuple, cell: str, layout: str) -> None:
    name, table, key, index = where
    assume(sum("\u3400" <= c <= "\u9fff" for c in cell if c in WORD_CHARS) >= 1)
    want = expected(name)
    values = with_cell(expected(name), table, key, index, cell)
    report = parse_bytes(text.text(report_from_json(values), layout=layout).encode(), "report.txt")[0]
    place = f"{table}.{key}" + ("" if index is None else f".{index}")
    assert moved(report.to_json(), want, place) == {}, (place, cell)
    value = _value(report, table, key, index)
    assert value == cell, (place, cell, value)
    path = _path(report, table, key, index)
    assert any(f.rule == "CELL-TYPE" and path in f.cells for f in run_checks(report)), (place, cell)


_LINES = sample_bytes("001").decode("utf-8").split("\n")
_VALUE_LINES = [i for i, line in enumerate(_LINES) if line.startswith("\t") and line.strip().isdigit()]


_NEW_RECEIVED = next(i for i, line in enumerate(_LINES) if "本年新收" in line) + 1


@settings(PROPERTY, max_examples=min(EXAMPLES, 80))
@given(at=st.sampled_from(_VALUE_LINES), cell=WORDY, separator=st.sampled_from(["", " "]))
@example(at=_NEW_RECEIVED, cell="不详", separator=" ")  # was silent: the row's label found again by its half
def test_words_in_a_random_running_cell_are_never_silent(at, cell, separator):
    """Sample 001 with its borders lost and words in a random value cell: every cell is read right
    or named by a check."""
    lines = list(_LINES)
    lines[at] = "\t" + cell
    flat = re.sub(r"[ \u3000]*\n\s*", separator, "\n".join(lines)).replace("\t", separator)
    report = parse_document(split_blocks(flat))
    got = report.to_json() | {"checks": [f.as_json() for f in run_checks(report)]}
    want = expected("001")
    have = cells(got, want["format"])
    assert [
        p for p, v in cells(want, want["format"]).items() if not same(have[p], v) and not flagged(p, got["checks"])
    ] == [], (at, cell)
