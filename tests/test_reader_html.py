"""The web-page reader: each sample written as a portal page in three styles reads back to the
text form's values; the article is picked out of the chrome; encodings, merged cells, hostile
markup and a portal's 404 page."""

from __future__ import annotations

import codecs
import copy
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.db.document import Paragraph, Table
from nianbao.db.errors import ReadError
from nianbao.db.model import Value
from nianbao.db.pipeline import import_paths, parse_bytes, parse_file
from nianbao.db.readers import read_document
from nianbao.db.readers.html import cell_text, parse_page, read_html, walked_cell_text
from tests.forms.html import STYLES, render, render_404
from tests.helpers import SAMPLE_NAMES, sample_path

COMPARED = ("organ", "year", "region", "published", "table2", "table3", "table4", "sections")
ARTICLE = {"modern": "div#zoom.article-content", "legacy": "td#content.content", "word": "div.WordSection1"}


def text_report(name: str):
    return parse_file(sample_path(name))


def page(report, tmp_path: Path, style: str, **kw) -> bytes:
    return render(report, tmp_path / f"{style}.html", style=style, **kw).read_bytes()


def compared(report) -> dict:
    data = report.to_json()
    return {key: data[key] for key in COMPARED}


def texts(document) -> list[str]:
    """Every paragraph and cell text of a document."""
    out = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        else:
            out.extend(cell.text for row in block.rows for cell in row)
    return out


def small_page(body: str, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


# --- The samples in every style ------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_page_reads_like_text(name, style, tmp_path):
    want = text_report(name)
    got, document = parse_bytes(page(want, tmp_path, style), "x.html")
    assert document.form == "html"
    assert compared(got) == compared(want)


def test_sample_003_blank_row_is_null(tmp_path):
    """The text form has 6 values in the row (null); the page has 7 blank cells: null too."""
    want = text_report("003")
    assert want.to_json()["table3"]["rows"]["unable_no_info"] is None
    for style in STYLES:
        got, document = parse_bytes(page(want, tmp_path, style), "x.html")
        row = next(
            r
            for b in document.blocks
            if isinstance(b, Table)
            for r in b.rows
            if any("本机关不掌握" in c.text for c in r)
        )
        assert [c.text for c in row[-7:]] == [""] * 7
        assert got.to_json()["table3"]["rows"]["unable_no_info"] is None


# --- The article out of the portal ---------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES)
def test_article_is_the_content_not_the_sidebar(style, tmp_path):
    report = text_report("003")
    got, document = parse_bytes(page(report, tmp_path, style), "x.html")
    assert document.details["article"] == ARTICLE[style]
    lines = texts(document)
    assert not any("平遥县" in t or "2023年政府信息公开工作年度报告" in t for t in lines)  # sidebar links
    assert not any(t in lines for t in ("首页", "政务公开", "当前位置：首页 > 政务公开 > 政府信息公开年报"))
    assert not any("版权所有" in t or "备案号" in t or "分享到" in t or "打印本页" in t for t in lines)
    assert got.title == "交口县人民政府办公室2024年政府信息公开工作年度报告"
    assert got.organ == "交口县人民政府办公室"


def test_title_outside_the_content_div_is_kept(tmp_path):
    """The modern portal prints the <h1> title above the content div; it heads the document."""
    _, document = parse_bytes(page(text_report("000"), tmp_path, "modern"), "x.html")
    first = document.blocks[0]
    assert isinstance(first, Paragraph)
    assert first.text == "夏县人民政府办公室2024年政府信息公开工作年度报告"
    assert first.source.line == 1
    assert document.details["title"] == "h1.article-title"


def test_links_after_the_closing_and_a_linked_title(tmp_path):
    """Print/close links inside the content div do not hide the closing date; a title printed as
    a link in <h1> is still the title."""
    report = text_report("003")
    data = page(report, tmp_path, "modern").decode("utf-8")
    end = '\n</div>\n<div class="share">'
    links = '<p><a href="javascript:window.print()">【打印本页】</a> <a href="/nb.docx">附件：年报.docx</a></p>'
    assert end in data
    data = data.replace(end, links + end)
    data = re.sub(r'(<h1 class="article-title">)(.*?)(</h1>)', r'\1<a href="#">\2</a>\3', data)
    got, document = parse_bytes(data.encode("utf-8"), "x.html")
    assert document.blocks[-1].text == "2025年1月16日"
    assert got.published == "2025-01-16"
    assert got.title == "交口县人民政府办公室2024年政府信息公开工作年度报告"
    assert compared(got) == compared(report)


def test_heading_copies_in_chrome_do_not_move_the_article():
    """A heading copied into the sidebar (not a link) and one in a link list: the article is still
    the element holding all parts of the report, not the page body."""
    report = (
        "<p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p>"
        "<p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p>"
    )
    body = (
        '<div class="side"><p>三、收到和处理政府信息公开申请情况</p><a href="/x">一、总体情况</a></div>'
        f'<div class="content" id="c">{report}</div>'
    )
    document = read_html(small_page(body))
    assert document.details["article"] == "div#c.content"
    assert [b.text for b in document.blocks][:2] == ["一、总体情况", "正文。"]


def test_page_without_report_reads_whole_body():
    document = read_html(small_page("<nav><a href='/'>首页</a></nav><p>欢迎访问</p>"))
    assert document.details["article"] == "body"
    assert [b.text for b in document.blocks] == ["首页", "欢迎访问"]


# --- Encodings -----------------------------------------------------------------------------------


def test_gb2312_page_with_gbk_and_gb18030_characters(tmp_path):
    report = text_report("001")
    report.sections["other"] = report.sections["other"] + "朱镕基㐀䶵。"
    with pytest.raises(UnicodeEncodeError):
        "镕".encode("gb2312")  # GBK only: real "GB2312" pages carry such bytes
    data = page(report, tmp_path, "legacy")
    assert b'charset=gb2312"' in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    got, document = parse_bytes(data, "x.html")
    assert document.encoding == "gb18030"
    assert document.details["declared_charset"] == "gb2312"
    assert got.sections["other"].endswith("朱镕基㐀䶵。")
    assert compared(got) == compared(report)


def test_gbk_page_declaring_nothing(tmp_path):
    report = text_report("002")
    data = page(report, tmp_path, "legacy", encoding="gbk")
    data = re.sub(rb"<meta http-equiv[^>]*>", b"", data)
    assert b"charset" not in data
    got, document = parse_bytes(data, "x.html")
    assert document.encoding == "gb18030"
    assert "declared_charset" not in document.details
    assert compared(got) == compared(report)


def test_utf8_page_with_bom(tmp_path):
    report = text_report("004")
    data = codecs.BOM_UTF8 + page(report, tmp_path, "modern")
    got, document = parse_bytes(data, "x.html")
    assert document.encoding == "utf-8-sig"
    assert compared(got) == compared(report)


def test_bom_wins_over_declared_charset(tmp_path):
    data = codecs.BOM_UTF8 + render(text_report("004"), tmp_path / "m.html", style="modern").read_bytes().replace(
        b'charset="utf-8"', b'charset="gb2312"'
    )
    _, document = parse_bytes(data, "x.html")
    assert document.encoding == "utf-8-sig"
    assert document.blocks[0].text == "霍城县人民政府2023年政府信息公开工作年度报告"


def test_wrong_declaration_falls_back_to_the_bytes(tmp_path):
    """Declared UTF-8, written GBK: strict UTF-8 fails, the project's decoder reads GB18030."""
    report = text_report("000")
    data = page(report, tmp_path, "modern", encoding="gbk").replace(b'charset="gbk"', b'charset="utf-8"')
    got, document = parse_bytes(data, "x.html")
    assert document.encoding == "gb18030"
    assert document.details["declared_charset"] == "utf-8"
    assert compared(got) == compared(report)


def test_western_declaration_is_not_trusted():
    """A template's default charset=iso-8859-1 on a UTF-8 page would turn the text to mojibake."""
    document = read_html(small_page("<p>一、总体情况</p>", head='<meta charset="iso-8859-1">'))
    assert document.encoding == "utf-8"
    assert document.blocks[0].text == "一、总体情况"


def test_declared_charset_is_honoured_where_guessing_fails():
    """Big5 bytes also decode as GB18030 (garbage); the page's declaration decides."""
    words = "政府資訊公開年報"
    data = small_page(f"<p>{words}</p>", head='<meta http-equiv="Content-Type" content="text/html; charset=big5">')
    data = data.decode("utf-8").encode("big5")
    assert data.decode("gb18030") != data.decode("big5")  # a guess would read it wrong
    document = read_html(data)
    assert (document.encoding, document.blocks[0].text) == ("big5", words)


def test_xml_declaration_names_the_encoding():
    data = '<?xml version="1.0" encoding="gb2312"?>\n<html><body><p>一、总体情况</p></body></html>'.encode("gb18030")
    document = read_html(data)
    assert (document.encoding, document.blocks[0].text) == ("gb18030", "一、总体情况")


# --- Tables --------------------------------------------------------------------------------------


def test_colspan_value_appears_once(tmp_path):
    """行政处罚's blank value spans three columns in the page: one blank cell, and null."""
    report = text_report("004")
    got, document = parse_bytes(page(report, tmp_path, "modern"), "x.html")
    row = next(r for b in document.blocks if isinstance(b, Table) for r in b.rows if r[0].text == "行政处罚")
    assert [c.text for c in row] == ["行政处罚", ""]
    assert [c.source.col for c in row] == [0, 1]
    assert got.table2["punishment"].value is None
    licensing = next(r for b in document.blocks if isinstance(b, Table) for r in b.rows if r[0].text == "行政许可")
    assert len(licensing) == 2 and got.table2["licensing"].value == report.table2["licensing"].value


def test_rowspan_label_repeats_and_value_leaves_a_blank():
    body = (
        "<table><tr><th>分类</th><th>项目</th><th>甲</th><th>乙</th></tr>"
        "<tr><td rowspan='2'>（三）不予公开</td><td>1.属于国家秘密</td><td rowspan='2'>5</td><td>1</td></tr>"
        "<tr><td>2.其他法律行政法规禁止公开</td><td>2</td></tr>"
        "<tr><td colspan='2'>（七）总计</td><td colspan='2'>9</td></tr></table>"
    )
    (table,) = read_html(small_page(body)).blocks
    rows = [[(c.text, c.source.row, c.source.col) for c in row] for row in table.rows]
    assert rows[1] == [("（三）不予公开", 1, 0), ("1.属于国家秘密", 1, 1), ("5", 1, 2), ("1", 1, 3)]
    # the label again (from where it is printed); the value not again, its column kept blank
    assert rows[2] == [("（三）不予公开", 1, 0), ("2.其他法律行政法规禁止公开", 2, 1), ("", 2, 2), ("2", 2, 3)]
    assert rows[3] == [("（七）总计", 3, 0), ("9", 3, 2)]
    assert all(c.source.table == 0 for row in table.rows for c in row)


@pytest.mark.parametrize("style", STYLES)
def test_blanks_at_row_edges_under_rowspan_labels(style, tmp_path):
    """Why rowspan labels are repeated: then every row of a group has the same cells, the same
    shape as complete rows elsewhere, and a blank at the edge of a group's first row stays a blank
    in its column. (Dropped instead, the first rows of the groups would form a shape of their own
    with no complete row to learn from, and the parser would null them.)"""
    report = text_report("001")
    want = copy.deepcopy(report)
    firsts = ("deny_state_secret", "unable_no_info", "reject_complaint", "other_overdue_correction")
    for key in firsts:
        want.table3[key][-1] = Value(None)
    want.table3["unable_no_info"][0] = Value(None)
    got, _ = parse_bytes(page(want, tmp_path, style), "x.html")
    for key in firsts:
        assert [v.value for v in got.table3[key]] == [v.value for v in want.table3[key]]
    assert compared(got) == compared(want)


def test_layout_tables_are_descended_into():
    """A table holding tables lays out the page; a one-cell-per-row table holds lines of text."""
    body = (
        "<table width='980'><tr><td>左栏<table><tr><td><a href='/a'>菜单一</a></td></tr></table></td>"
        "<td><table><tr><td>标题行</td></tr><tr><td>说明行</td></tr></table>"
        "<table><caption>表一　主动公开</caption><tr><td>规章</td><td>3</td></tr></table></td></tr></table>"
    )
    blocks = read_html(small_page(body)).blocks
    assert [type(b).__name__ for b in blocks] == ["Paragraph"] * 5 + ["Table"]
    assert [b.text for b in blocks[:5]] == ["左栏", "菜单一", "标题行", "说明行", "表一　主动公开"]
    assert [[c.text for c in row] for row in blocks[5].rows] == [["规章", "3"]]


# --- Text ----------------------------------------------------------------------------------------


def test_whitespace_and_line_breaks():
    body = (
        "<p>　　坚持以习近平新时代中国特色社会主义思想为指\n导，认真贯彻&nbsp;落实。</p>"
        "<p>第一行<br>第二行</p><div>外<p>内</p>尾</div>"
        "<table><tr><td>本年<br>制作件数</td><td>2024<br>年</td><td>&nbsp;</td><td> 1\n2 </td></tr></table>"
    )
    blocks = read_html(small_page(body)).blocks
    assert [b.text for b in blocks if isinstance(b, Paragraph)] == [
        "坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻 落实。",
        "第一行",
        "第二行",
        "外",
        "内",
        "尾",
    ]
    assert [b.source.line for b in blocks if isinstance(b, Paragraph)] == [1, 2, 3, 4, 5, 6]
    (table,) = [b for b in blocks if isinstance(b, Table)]
    assert [c.text for c in table.rows[0]] == ["本年制作件数", "2024 年", "", "1 2"]


# --- Untrusted input -----------------------------------------------------------------------------


def test_hostile_text_is_literal_and_markup_contributes_nothing(tmp_path):
    report = text_report("001")
    literal = "<script>alert(1)</script>。javascript:alert(1)。&lt;b&gt;粗&lt;/b&gt;。<b>不是粗体</b>。"
    report.sections["other"] = literal
    data = page(report, tmp_path, "modern").decode("utf-8")
    injected = (
        "<p>前文<script>document.write('注入文字')</script><a href=\"javascript:alert(2)\">链接文字</a>"
        "<iframe src='http://example.invalid/'>框架文字</iframe><style>p{color:red}</style>"
        "<noscript>无脚本文字</noscript><span style='display:none'>隐藏文字</span>后文。</p>"
    )
    heading = "<strong>六、其他需要报告的事项</strong></p>"
    assert heading in data
    data = data.replace(heading, heading + injected)
    got, document = parse_bytes(data.encode("utf-8"), "x.html")
    assert got.sections["other"] == "前文链接文字后文。\n\n" + literal
    everything = "\n".join(texts(document))
    for absent in ("注入文字", "alert(2)", "框架文字", "color:red", "无脚本文字", "隐藏文字", "document.write"):
        assert absent not in everything


def test_portal_404_page_fails_import(tmp_path, db):
    path = render_404(tmp_path / "nb2024.html")
    results = list(import_paths(db, [path]))
    assert len(results) == 1
    (result,) = results
    assert result.failed
    assert "不是政府信息公开工作年度报告" in result.message
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM cells").fetchone()[0] == 0
    rows = db.execute("SELECT path, status FROM imports").fetchall()
    assert rows == [(str(path), "failed")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"   \n", "文件是空的"),
        (b"<html>\x00\x01\x02\x03\x04\x05\x06\x07\x00\x00</html>", "二进制数据"),
    ],
)
def test_unreadable_pages_raise_read_error(data, message):
    with pytest.raises(ReadError, match=message):
        read_html(data)


def test_page_of_only_a_comment_has_no_blocks():
    document = read_html(
        b"<html><!-- \xe4\xb8\x80\xe3\x80\x81\xe6\x80\xbb\xe4\xbd\x93\xe6\x83\x85\xe5\x86\xb5 --></html>"
    )
    assert document.blocks == []


def test_deep_nesting_is_refused_not_truncated():
    """libxml2 stops at 256 levels and drops the rest: a ReadError, not half a report."""
    data = small_page("<div>" * 20000 + "一、总体情况" + "</div>" * 20000 + "<p>后文</p>")
    with pytest.raises(ReadError, match="限度.*Excessive depth"):
        read_html(data)
    assert [b.text for b in read_html(small_page("<div>" * 200 + "深处" + "</div>" * 200)).blocks] == ["深处"]


def test_ten_megabyte_page(tmp_path):
    report = text_report("000")
    data = page(report, tmp_path, "modern")
    filler = "".join(f'<li><a href="/nb/{i}.html">某县{i}号文件关于政务公开的通知</a></li>' for i in range(120_000))
    data = data.replace(b'<ul class="report-list">', b'<ul class="report-list">' + filler.encode("utf-8"))
    assert len(data) > 10_000_000
    got, document = parse_bytes(data, "x.html")
    assert document.details["article"] == ARTICLE["modern"]
    assert compared(got) == compared(report)


def test_dispatch_by_content(tmp_path):
    """A page saved without a suffix is still read as HTML (<!DOCTYPE html> / <html>)."""
    data = page(text_report("002"), tmp_path, "word")
    assert read_document(data, "download").form == "html"


# --- A cell read without the walk reads as the walk reads it --------------------------------------

_CELL_TAGS = ("p", "div", "span", "b", "font", "a", "o:p", "em", "br", "img", "script")
_CELL_TEXTS = ("12", "本年", "制作件数", " ", "\n", "\xa0", "\u3000", "a b", "数\n量", "", "\u200b", "—")


@st.composite
def _cell_html(draw, depth: int = 0) -> str:
    """Markup inside a <td>: paragraphs and inline runs as Word and portals write them, now and
    then a break, a picture, a script or a hidden run."""
    out = draw(st.sampled_from(_CELL_TEXTS))
    for _ in range(draw(st.integers(0, 3 if depth < 2 else 0))):
        tag = draw(st.sampled_from(_CELL_TAGS))
        style = draw(st.sampled_from(("", "", "", ' style="display:none"', ' style="font-size:10pt"')))
        if tag in ("br", "img"):
            out += f"<{tag}{style}>"
        else:
            out += f"<{tag}{style}>{draw(_cell_html(depth + 1))}</{tag}>"
        out += draw(st.sampled_from(_CELL_TEXTS))
    return out


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(_cell_html(), min_size=2, max_size=3))
def test_a_cell_of_paragraphs_and_runs_reads_as_the_walk_reads_it(cells):
    """Most cells (a Word page's <td><p><span>12</span></p></td>) are read without walking them;
    whatever a cell holds, its text is what the page's walk reads."""
    page = parse_page("<table><tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr></table>")
    for td in page.iter("td"):
        assert cell_text(td) == walked_cell_text(td)


def test_a_header_over_two_paragraphs_is_one_label():
    page = parse_page("<table><tr><td><p><span>本年</span></p>\n<p>制作件数<o:p></o:p></p></td><td>2</td></tr></table>")
    assert [cell_text(td) for td in page.iter("td")] == ["本年制作件数", "2"]
