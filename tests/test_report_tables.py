"""The official tables as HTML a reader gets: one layout per format shared by every report, so
one report's values must never show in another's; every value cell says what it is, escaped."""

from __future__ import annotations

from lxml import html as lxml_html

from nianbao.publish.report_tables import BLANK_TITLE, CellView, report_tables

KEY = ("table3", "granted", "natural")
REASON = '理由：" onmouseover="alert(1)" <b>原文</b>错印（2025-01-01）'


def cell(version: str | None, cells: dict, key: tuple[str, str, str] = KEY) -> lxml_html.HtmlElement:
    """The <td> of `key` in the tables of a report with these cells."""
    path = ".".join(k for k in key if k)
    for table in report_tables(version, cells):
        doc = lxml_html.fromstring(f"<table><tbody>{''.join(f'<tr>{r}</tr>' for r in table.body)}</tbody></table>")
        found = doc.xpath(f"//td[@data-cell='{path}']")
        if found:
            return found[0]
    raise AssertionError(f"no cell {path}")


def test_reports_sharing_a_layout_keep_their_own_values():
    first = cell("2021", {KEY: CellView(7)})
    second = cell("2021", {})
    again = cell("2021", {KEY: CellView(7)})
    assert (first.text, first.get("class")) == ("7", "number")
    assert (second.text, second.get("class"), second.get("title")) == (None, "blank", BLANK_TITLE)
    assert lxml_html.tostring(first) == lxml_html.tostring(again)


def test_a_value_cell_says_marker_corrected_and_flagged():
    td = cell("2021", {KEY: CellView("/", "—", REASON, ("T3-TOTAL", "T3-ROW"))})
    assert td.text == "/"
    assert td.get("class") == "marker corrected flagged"
    title = td.get("title")
    assert "原文如此" in title and "报告原为：—" in title and REASON in title and "T3-TOTAL、T3-ROW" in title
    assert td.get("onmouseover") is None and not td.xpath(".//b")  # the reason is text, never markup
