"""The text renderer (tests/forms/text.py) writes what the samples show: the five samples'
expected values, written out in both text layouts, with and without a row of table 三 broken
over two lines or a page, parse back to exactly those values."""

from __future__ import annotations

import pytest

from nianbao.db.pipeline import parse_bytes
from tests.forms import text
from tests.forms.layout import RowBreak, report_from_json
from tests.helpers import SAMPLE_NAMES, expected

COMPARED = ("organ", "region", "region_code", "year", "published", "table2", "table3", "table4")
SPLIT = RowBreak("1.本机关不掌握", at=7)


@pytest.mark.parametrize("layout", text.LAYOUTS)
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_expected_values_round_trip(name, layout):
    values = expected(name)
    data = text.text(report_from_json(values), layout=layout).encode()
    parsed = parse_bytes(data, "report.txt")[0].to_json()
    assert {k: parsed[k] for k in COMPARED} == {k: values[k] for k in COMPARED}


@pytest.mark.parametrize("values_first", [True, False])
@pytest.mark.parametrize("page_break", [False, True])
@pytest.mark.parametrize("layout", text.LAYOUTS)
def test_label_split_over_lines_reads_as_one_row(layout, page_break, values_first):
    values = expected("002")
    split = RowBreak(SPLIT.label, SPLIT.at, values_first)
    written = text.text(report_from_json(values), layout=layout, split_row=split, page_break=page_break)
    assert "1.本机关不掌\n" in written.replace("\t", "\n")  # the label really is broken
    assert ("\f" in written) == page_break
    parsed = parse_bytes(written.encode(), "report.txt")[0].to_json()
    assert parsed["table3"] == values["table3"]


def test_word_layout_is_one_cell_per_line_with_split_headers():
    written = text.text(report_from_json(expected("001")), layout="word")
    assert "\t商业\n企业\n\t科研机构\n" in written
    assert "\t一、本年新收政府信息公开申请数量\n\t11\n" in written
    assert "\n\t\n\t（二）部分公开" in written  # the merged 三、本年度办理结果 continues as an empty cell


def test_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="unknown layout"):
        text.text(report_from_json(expected("001")), layout="markdown")


@pytest.mark.parametrize("first", [True, False], ids=["first-blank", "last-blank"])
@pytest.mark.parametrize("layout", text.LAYOUTS)
def test_blank_at_either_end_of_table4_stays_in_its_column(layout, first):
    """Table 四's values sit on a row of their own, with no label: a blank first value is that
    value, not nothing (it was dropped, and the whole table lost; found by the generated corpus)."""
    values = expected("003")
    key = "review_upheld" if first else "suit_after_review_total"
    values["table4"][key] = None
    parsed = parse_bytes(text.text(report_from_json(values), layout=layout).encode(), "report.txt")[0].to_json()
    assert parsed["table4"] == values["table4"]


@pytest.mark.parametrize("label", ["2.重复申请", "（一）予以公开"])
@pytest.mark.parametrize("page_break", [False, True])
@pytest.mark.parametrize("layout", text.LAYOUTS)
def test_short_label_head_with_the_values_joins_its_tail(layout, page_break, label):
    """2.重 | 1 0 0 … and 复申请 on the next line, or （一） | 2 0 0 … and 予以公开: the head alone
    names no row, head and tail together do (found by the generated corpus: the row was lost)."""
    values = expected("002")
    values["table3"]["rows"]["reject_duplicate"] = [1, 0, 0, 0, 0, 0, 1]
    values["table3"]["rows"]["granted"][0] -= 1
    values["table3"]["rows"]["granted"][6] -= 1
    split = RowBreak(label, at=3, values_first=True)
    written = text.text(report_from_json(values), layout=layout, split_row=split, page_break=page_break)
    assert f"{label[:3]}\n" in written.replace("\t", "\n")
    parsed = parse_bytes(written.encode(), "report.txt")[0].to_json()
    assert parsed["table3"] == values["table3"]
    assert parsed["notes"] == []
