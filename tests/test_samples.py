"""The five bundled samples parse to exactly the values of their expected JSON."""

from __future__ import annotations

import pytest

from nianbao.db.format import FORMAT_2021, NARRATIVE_SECTIONS
from nianbao.db.pipeline import parse_file
from tests.helpers import SAMPLE_NAMES, expected, sample_path

IDENTITY = ("organ", "region", "year", "format", "published")


@pytest.fixture(scope="module", params=SAMPLE_NAMES)
def parsed(request):
    name = request.param
    return name, parse_file(sample_path(name)).to_json(), expected(name)


def test_identity(parsed):
    _, got, want = parsed
    assert {k: got[k] for k in IDENTITY} == {k: want[k] for k in IDENTITY}


def test_table2(parsed):
    _, got, want = parsed
    assert got["table2"] == want["table2"]
    assert list(got["table2"]) == [f.key for f in FORMAT_2021.table2_fields]


def test_table3(parsed):
    _, got, want = parsed
    assert got["table3"]["columns"] == want["table3"]["columns"]
    assert got["table3"]["rows"] == want["table3"]["rows"]
    assert list(got["table3"]["rows"]) == list(FORMAT_2021.table3_row_keys)


def test_table4(parsed):
    _, got, want = parsed
    assert got["table4"] == want["table4"]


def test_narratives_present(parsed):
    _, got, _ = parsed
    for key in NARRATIVE_SECTIONS:
        assert got["sections"][key].strip(), key


def notes(name: str) -> list[tuple[str, list[str]]]:
    return [(n["code"], n["cells"]) for n in parse_file(sample_path(name)).to_json()["notes"]]


def test_missing_cells_are_reported_not_guessed():
    # 000: 行政规范性文件 prints 2 of its 3 values; the missing one is the last (Word export).
    assert notes("000") == [("row-incomplete", ["table2.normative_in_force"])]
    # 003: a tab-separated row of 6 values for 7 columns: which one is missing is unknown.
    assert notes("003") == [("row-incomplete", ["table3.unable_no_info.*"])]
    # 004: 行政处罚 lost its value cell.
    assert notes("004") == [("row-incomplete", ["table2.punishment"])]
    assert notes("001") == notes("002") == []


def test_blank_cell_is_null_not_zero():
    rows = parse_file(sample_path("003")).to_json()["table3"]["rows"]
    assert rows["carried_forward"] == [0, None, 0, 0, 0, 0, 0]


def test_values_keep_their_source_line():
    path = sample_path("002")
    lines = path.read_text(encoding="utf-8").splitlines()
    sources = parse_file(path).to_json()["sources"]
    line = lines[sources["table3.new_received.total"]["line"] - 1]
    assert line.startswith("一、本年新收政府信息公开申请数量") and "\t33\t" in line
    line = lines[sources["table4.review_upheld"]["line"] - 1]
    assert line.split("\t")[:5] == ["2", "0", "0", "0", "2"]
