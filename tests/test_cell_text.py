"""A non-number in a value cell (issue 17): the cell's text is that cell's value, kept as printed in
its own column (CELL-TYPE names it), or read as the number with a note where Chinese numerals can
mean one number only; no value ever moves to another column, in any form a report comes in.

The case table runs every input of the adversarial probe in each form (text one cell per line, text
tab rows, DOCX, HTML, PDF); the property test puts random non-numbers into random cells of the
samples, in the text forms, and checks that every other cell keeps its value and column. Where the
table's borders were lost (running text) such a row cannot be split: it is named, never shifted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nianbao.db.checks import run_checks
from nianbao.db.parse.labels import is_numbering, read_cell
from nianbao.db.parse.numerals import NUMERAL_CHARS, cell_numeral
from nianbao.db.parse.report import parse_document
from nianbao.db.pipeline import parse_bytes
from nianbao.db.readers.text import split_blocks
from tests.forms import docx, html, pdf, text
from tests.forms.layout import report_from_json
from tests.helpers import SAMPLE_NAMES, expected, sample_bytes
from tests.real_scoring import cells, flagged, same

NUMERAL, NUMBER, TEXT = "numeral", "number", "text"
# The probe's inputs: (text, what the cell reads as). A numeral is the number, noted; −11 (U+2212,
# the minus sign) is the number -11, which CELL-TYPE names as negative; the rest is text as printed.
CASES = [
    ("十一", NUMERAL, 11),
    ("一十一", NUMERAL, 11),
    ("壹拾壹", NUMERAL, 11),
    ("三十三", NUMERAL, 33),
    ("\u221211", NUMBER, -11),
    ("1.1e1", TEXT, None),
    ("11%", TEXT, None),
    ("NaN", TEXT, None),
    ("Infinity", TEXT, None),
    ("1\u200b1", TEXT, None),
    ("10~12", TEXT, None),
    ("约11", TEXT, None),
    ("11（注）", TEXT, None),
    ("11¹", TEXT, None),
    ("三", TEXT, None),  # a bare digit may number an item: not read as 3
    ("三百五", TEXT, None),  # 350 to a speaker, 305 to a parser: not read
]
FORMS = ("word", "tabs", "docx", "html", "pdf")
# What a form shows of a text: a web page's invisible characters are no part of its text (the HTML
# reader drops them); the PDF fixture's font (STSong-Light) has no glyph for the minus sign, a
# superscript or a zero-width space, so its page prints 11 for −11, 11¹ and 1\u200b1.
NOT_SHOWN = {"html": "\u200b", "pdf": "\u2212\u00b9\u200b"}
# The cells the cases go into, in turn: each column of table 三, a row in the middle and the last.
PLACES = [("granted", c) for c in range(7)] + [("total", 0), ("new_received", 6)]


def render(values: dict, form: str, folder: Path) -> tuple[bytes, str]:
    report = report_from_json(values)
    if form in text.LAYOUTS:
        return text.text(report, layout=form).encode(), "report.txt"
    path = folder / f"report.{form}"
    {"docx": lambda: docx.render(report, path), "html": lambda: html.render(report, path, style="modern")}.get(
        form, lambda: pdf.render(report, path)
    )()
    return path.read_bytes(), path.name


def with_cell(values: dict, table: str, key: str, index: int | None, cell: object) -> dict:
    if table == "table3":
        values["table3"]["rows"][key][index] = cell
    else:
        values[table][key] = cell
    return values


def flat(doc: dict) -> dict[str, object]:
    """Every cell of a report's JSON by place: table2.KEY, table3.ROW.INDEX, table4.KEY."""
    rows = doc["table3"]["rows"]
    width = max(len(r) for r in rows.values() if r)
    return (
        {f"table2.{k}": v for k, v in doc["table2"].items()}
        | {f"table3.{r}.{i}": v for r, row in rows.items() for i, v in enumerate(row or [None] * width)}
        | {f"table4.{k}": v for k, v in doc["table4"].items()}
    )


def moved(report_json: dict, want: dict, skip: str) -> dict:
    """The cells, but `skip`, whose value is not the one expected: place → (parsed, expected)."""
    have = flat(report_json)
    return {p: (have.get(p), v) for p, v in flat(want).items() if p != skip and have.get(p) != v}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(("case", "kind", "number"), CASES, ids=[repr(c[0]) for c in CASES])
def test_a_non_number_reads_as_printed_in_its_own_column(case, kind, number, form, tmp_path):
    row, column = PLACES[[c[0] for c in CASES].index(case) % len(PLACES)]
    want = expected("001")
    values = with_cell(expected("001"), "table3", row, column, case)
    report, _ = parse_bytes(*render(values, form, tmp_path))
    assert moved(report.to_json(), want, f"table3.{row}.{column}") == {}  # no value moved
    path = f"table3.{row}.{report.spec.table3_columns[column].key}"
    value = report.table3[row][column].value
    findings = {(f.rule, c) for f in run_checks(report) for c in f.cells}
    notes = {(n.code, c) for n in report.notes for c in n.cells}
    shown = "".join(c for c in case if c not in NOT_SHOWN.get(form, ""))
    if shown != case and read_cell(shown).kind == "number":  # the page prints a plain number
        assert value == read_cell(shown).value
        assert not any(code.startswith("row-") for code, _ in notes)
    elif kind == NUMERAL:
        assert value == number
        assert ("numeral-read", path) in notes
    elif kind == NUMBER:
        assert value == number
        assert ("CELL-TYPE", path) in findings
    else:
        assert isinstance(value, str) and value.replace(" ", "") == shown  # a PDF may space letters
        assert ("CELL-TYPE", path) in findings
    assert not any(code.startswith("row-") for code, _ in notes)


@pytest.mark.parametrize("separator", ["", " "], ids=["run-together", "spaced"])
@pytest.mark.parametrize(("case", "kind", "number"), CASES, ids=[repr(c[0]) for c in CASES])
def test_a_non_number_in_running_text_is_named_never_shifted(case, kind, number, separator):
    """The samples' text with its borders lost (one line, cells run together or spaced): a row with
    a non-number among its digits cannot be split; every cell is read right or named."""
    lines = sample_bytes("001").decode("utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if "本年新收" in line) + 1
    lines[at] = "\t" + case
    flat = re.sub(r"[ \u3000]*\n\s*", separator, "\n".join(lines)).replace("\t", separator)
    report = parse_document(split_blocks(flat))
    got = report.to_json() | {"checks": [f.as_json() for f in run_checks(report)]}
    want = expected("001")
    have = cells(got, want["format"])
    silent = [
        p for p, v in cells(want, want["format"]).items() if not same(have[p], v) and not flagged(p, got["checks"])
    ]
    assert silent == []
    stuck = [n for n in report.notes if n.code == "row-incomplete" and n.cells == ("table3.new_received.*",)]
    assert stuck and "不是数字" in stuck[0].message


# --- The property: random non-numbers in random cells ---------------------------------------------

EXAMPLES = int(os.environ.get("NIANBAO_FUZZ_EXAMPLES", "500"))
PROPERTY = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
_DIGITS = "零一二三四五六七八九"


def chinese(n: int) -> str:
    """n (1–9999) in Chinese numerals as written out in full: 十一, 一百零五, 一千零二十."""
    th, h, t, u = n // 1000, n // 100 % 10, n // 10 % 10, n % 10
    out = f"{_DIGITS[th]}千" if th else ""
    out += f"{_DIGITS[h]}百" if h else ("零" if th and (t or u) else "")
    out += f"{'' if t == 1 and not out else _DIGITS[t]}十" if t else ("零" if h and u else "")
    return out + (_DIGITS[u] if u else "")


FINANCIAL = str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟")
NUMERALS = st.integers(1, 9999).flatmap(lambda n: st.sampled_from([chinese(n), chinese(n).translate(FINANCIAL)]))
STUCK = st.sampled_from(
    ["%", "¹", "²", "（注）", "(注)", "e1", "E3", "~12", "～3", "\u200b1", ".5.5", "余", "多", "万"]
)
LEAD = st.sampled_from(["约", "近", "~", "\u2212", "\u200b", "≈", "+", "NaN", ""])
NUMBERISH = st.builds(lambda a, n, b: a + n + b, LEAD, st.integers(0, 99999).map(str), STUCK)
WORDS = ["NaN", "Infinity", "-Infinity", "inf"]
JUNK = st.text(
    alphabet=st.sampled_from("0123456789.,%~eE+−约注()（）¹²³\u200bNaIifnty十一二百千壹拾"), min_size=1, max_size=8
)
NON_NUMBERS = st.one_of(st.sampled_from([c[0] for c in CASES] + WORDS), NUMERALS, NUMBERISH, JUNK)
PATHS = [
    (name, table, key, index)
    for name in SAMPLE_NAMES
    for table, key, index in [
        *(("table2", k, None) for k in expected(name)["table2"]),
        *(("table3", k, i) for k, row in expected(name)["table3"]["rows"].items() if row for i in range(len(row))),
        *(("table4", k, None) for k in expected(name)["table4"]),
    ]
]


def _a_non_number_moves_no_value(where: tuple, cell: str, layout: str) -> None:
    name, table, key, index = where
    # A label's numbering alone or with a word (1., （一）, 三、, 2.重) heads a label broken over lines;
    # words (不详, 第一, 11（见附注）) are a value only when no label of the format holds them: that
    # domain is tests/test_cell_words.py's.
    is_word = [("\u3400" <= c <= "\u9fff" and c not in NUMERAL_CHARS) for c in cell]
    words = sum(is_word)
    assume(not any(is_numbering(cell[:k]) and any(is_word[k:]) for k in range(1, len(cell))))  # 2.重: a head
    assume(not is_numbering(cell) and any(c.isdigit() or c in NUMERAL_CHARS for c in cell) or cell in WORDS)
    assume(words <= (1 if any(c.isdigit() for c in cell) else 0))
    want = expected(name)
    values = with_cell(expected(name), table, key, index, cell)
    report = parse_bytes(text.text(report_from_json(values), layout=layout).encode(), "report.txt")[0]
    place = f"{table}.{key}" + ("" if index is None else f".{index}")
    assert moved(report.to_json(), want, place) == {}, (place, cell)
    path = place if index is None else f"{table}.{key}.{report.spec.table3_columns[index].key}"
    value = (report.table3[key][index] if table == "table3" else getattr(report, table)[key]).value
    if isinstance(value, str):  # as printed, which CELL-TYPE names
        assert value == cell.strip(), (place, cell)
        assert any(f.rule == "CELL-TYPE" and path in f.cells for f in run_checks(report)), (place, cell)
    else:  # a number: what the digits say, or the numerals, noted
        assert isinstance(value, int | float), (place, cell, value)
        numeral = cell_numeral(cell)
        if numeral is not None:
            assert value == numeral and any(n.code == "numeral-read" and path in n.cells for n in report.notes)


@settings(PROPERTY, max_examples=min(EXAMPLES, 80))
@given(where=st.sampled_from(PATHS), cell=NON_NUMBERS, layout=st.sampled_from(text.LAYOUTS))
def test_a_non_number_in_a_random_cell_moves_no_value(where, cell, layout):
    _a_non_number_moves_no_value(where, cell, layout)


@pytest.mark.slow
@settings(PROPERTY, max_examples=EXAMPLES)
@given(where=st.sampled_from(PATHS), cell=NON_NUMBERS, layout=st.sampled_from(text.LAYOUTS))
def test_a_non_number_in_a_random_cell_moves_no_value_long(where, cell, layout):
    _a_non_number_moves_no_value(where, cell, layout)
