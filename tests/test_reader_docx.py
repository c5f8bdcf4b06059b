"""The Word (.docx) reader: the five samples rendered as .docx parse to what their text forms
parse to; merged cells, split headers, paragraph features and provenance are read exactly; bad
.docx files fail with one clear line and leave nothing but a failed import line."""

from __future__ import annotations

import io
import re
import struct
import tempfile
import tracemalloc
import zipfile
from functools import cache
from pathlib import Path

import docx
import pytest

from nianbao.db.document import Paragraph, Table
from nianbao.db.errors import ReadError
from nianbao.db.format import NARRATIVE_SECTIONS
from nianbao.db.limits import Limits
from nianbao.db.model import Report
from nianbao.db.pipeline import import_paths, parse_bytes, parse_file
from nianbao.db.readers.docx import read_docx
from tests.forms.docx import render, zip_bomb
from tests.helpers import SAMPLE_NAMES, sample_path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
COMPARED = ("organ", "year", "region", "published", "table2", "table3", "table4")


@cache
def text_report(name: str) -> Report:
    return parse_file(sample_path(name))


@cache
def docx_bytes(name: str, split_headers: bool = True, heading_style: bool = True) -> bytes:
    """The sample rendered as .docx (cached: rendering takes ~0.25 s)."""
    with tempfile.TemporaryDirectory() as folder:
        path = render(
            text_report(name), Path(folder) / "report.docx", split_headers=split_headers, heading_style=heading_style
        )
        return path.read_bytes()


def docx_report(name: str, **options: bool) -> Report:
    return parse_bytes(docx_bytes(name, **options), "x.docx")[0]


def document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


def with_document_xml(data: bytes, xml: str, name: str = "word/document.xml") -> bytes:
    """The .docx `data` with its main part replaced by `xml` (stored under `name`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "word/document.xml":
                target.writestr(name, xml)
            elif info.filename == "_rels/.rels" and name != "word/document.xml":
                rels = source.read(info).decode("utf-8").replace("word/document.xml", name)
                target.writestr(info.filename, rels)
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


def minimal_docx(body: str, namespace: str = W) -> bytes:
    """A .docx whose body is `body` (WordprocessingML with the w: prefix)."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{namespace}" '
        f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def tc(text: str = "", props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{p(r(text)) if text else p()}</w:tc>"


def tbl(*rows: str) -> str:
    return "<w:tbl><w:tblPr/><w:tblGrid/>" + "".join(f"<w:tr>{row}</w:tr>" for row in rows) + "</w:tbl>"


def texts(data: bytes) -> list[str]:
    return [b.text for b in read_docx(data).blocks if isinstance(b, Paragraph)]


def table_texts(data: bytes) -> list[list[list[str]]]:
    return [[[c.text for c in row] for row in b.rows] for b in read_docx(data).blocks if isinstance(b, Table)]


# --- The samples, as Word documents ------------------------------------------------------------------


def assert_same_report(text: Report, word: Report) -> None:
    a, b = text.to_json(), word.to_json()
    for key in COMPARED:
        assert b[key] == a[key], key
    for key in NARRATIVE_SECTIONS:
        assert b["sections"][key].split("\n\n") == a["sections"][key].split("\n\n"), key


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_as_docx_parses_like_its_text(name):
    assert_same_report(text_report(name), docx_report(name))


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_as_docx_plain_headings_unsplit_headers(name):
    """Section headings as bold Normal paragraphs, headers on one line in their cells."""
    data = docx_bytes(name, split_headers=False, heading_style=False)
    assert "Heading1" not in document_xml(data)
    assert_same_report(text_report(name), docx_report(name, split_headers=False, heading_style=False))


def test_samples_have_tables_and_narratives():
    """Guards the comparison above: it compares real values, not empty ones."""
    for name in SAMPLE_NAMES:
        word = docx_report(name).to_json()
        assert word["organ"] and word["year"] and word["region"]
        assert sum(v is not None for v in word["table2"].values()) >= 5
        assert word["table3"]["rows"]["new_received"] is not None
        assert all(word["sections"][key] for key in NARRATIVE_SECTIONS)
        assert document_xml(docx_bytes(name)).count('<w:pStyle w:val="Heading1"/>') == 6
        document = read_docx(docx_bytes(name))
        assert document.form == "docx"
        assert document.details["tables"] == "3"
        assert int(document.details["paragraphs"]) > 15


def test_sample_003_short_row_is_null_in_both_forms():
    """交口县's row 1.本机关不掌握相关政府信息 has 6 values for 7 columns in the text export (a null
    row with a note); the layout renders that null row as 7 blank cells, which read as null too.
    Its 结转下年度继续办理 row has one blank among values: the blank stays in its column."""
    text = text_report("003").to_json()["table3"]["rows"]
    assert text["unable_no_info"] is None
    assert text["carried_forward"] == [0, None, 0, 0, 0, 0, 0]
    table3 = table_texts(docx_bytes("003"))[1]
    row = next(row for row in table3 if "1.本机关不掌握相关政府信息" in row)
    assert row[row.index("1.本机关不掌握相关政府信息") + 1 :] == [""] * 7
    row = next(row for row in table3 if row[0] == "四、结转下年度继续办理")
    assert row[1:] == ["0", "", "0", "0", "0", "0", "0"]
    word = docx_report("003").to_json()["table3"]["rows"]
    assert word["unable_no_info"] is None
    assert word["carried_forward"] == [0, None, 0, 0, 0, 0, 0]


def test_sample_is_rendered_deterministically(tmp_path):
    first = render(text_report("001"), tmp_path / "a.docx").read_bytes()
    assert render(text_report("001"), tmp_path / "b.docx").read_bytes() == first


# --- Merged cells and split headers --------------------------------------------------------------


def test_gridspan_value_is_read_once():
    """行政许可's value spans 3 grid columns: python-docx repeats it, the reader has it once."""
    data = docx_bytes("003")
    table2 = read_docx(data).blocks
    table = next(b for b in table2 if isinstance(b, Table))
    row = next(row for row in table.rows if row[0].text == "行政许可")
    assert [(c.text, c.source.col) for c in row] == [("行政许可", 0), ("1939", 1)]
    word_row = next(r for r in docx.Document(io.BytesIO(data)).tables[0].rows if r.cells[0].text == "行政许可")
    assert [c.text for c in word_row.cells] == ["行政许可", "1939", "1939", "1939"]  # what python-docx gives
    assert '<w:gridSpan w:val="3"/>' in document_xml(data)


def test_vmerge_label_is_repeated_in_every_row_it_covers():
    """三、本年度办理结果 spans 22 rows (w:vMerge): each of them starts with the label."""
    table3 = table_texts(docx_bytes("000"))[1]
    covered = [row for row in table3 if row[0] == "三、本年度办理结果"]
    assert len(covered) == 22
    assert covered[0][1] == "（一）予以公开" and covered[-1][1] == "（七）总计"
    assert len(re.findall(r"<w:vMerge/>", document_xml(docx_bytes("000")))) > 21


def test_header_split_over_two_paragraphs_is_one_label():
    data = docx_bytes("000")
    xml = document_xml(data)
    assert "<w:t>本年</w:t></w:r></w:p><w:p><w:r><w:t>制发件数</w:t>" in xml
    assert "<w:t>商业</w:t></w:r></w:p><w:p><w:r><w:t>企业</w:t>" in xml
    tables = table_texts(data)
    assert tables[0][1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert "商业企业" in tables[1][2]


def test_vmerge_of_a_number_is_dropped_blank_stays_and_label_repeats():
    """A value merged over two rows is not copied into the second (that would invent a value):
    the row comes up short and the parser notes it."""
    restart, cont = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    data = minimal_docx(
        tbl(
            tc("组", restart) + tc("甲") + tc("5", restart) + tc("", restart) + tc("1"),
            tc("", cont) + tc("乙") + tc("", cont) + tc("", cont) + tc("2"),
        )
    )
    table = next(b for b in read_docx(data).blocks if isinstance(b, Table))
    assert [[(c.text, c.source.col) for c in row] for row in table.rows] == [
        [("组", 0), ("甲", 1), ("5", 2), ("", 3), ("1", 4)],
        [("组", 0), ("乙", 1), ("", 3), ("2", 4)],
    ]


def test_legacy_hmerge_and_grid_before():
    """Old Word's w:hMerge continuation cells belong to the cell on their left; w:gridBefore
    shifts a row's cells right."""
    data = minimal_docx(
        tbl(
            tc("规章") + tc("7", '<w:hMerge w:val="restart"/>') + tc("7", "<w:hMerge/>") + tc("3"),
            tc("1", '<w:gridSpan w:val="2"/>') + tc("2"),
        ).replace("<w:tr>", "<w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>", 2)
    )
    table = next(b for b in read_docx(data).blocks if isinstance(b, Table))
    assert [[(c.text, c.source.col) for c in row] for row in table.rows] == [
        [("规章", 1), ("7", 2), ("3", 4)],
        [("1", 1), ("2", 3)],
    ]


# --- Paragraph text ----------------------------------------------------------------------------------


def test_paragraph_text_keeps_links_and_field_results_drops_bookmarks_codes_and_hidden_text():
    data = minimal_docx(
        p(
            '<w:bookmarkStart w:id="0" w:name="_Toc1"/>',
            r("网址："),
            '<w:hyperlink r:id="rId9" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
            r("www.jiaokou.gov.cn"),
            "</w:hyperlink>",
            '<w:bookmarkEnd w:id="0"/>',
            "<w:r><w:fldChar w:fldCharType='begin'/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>",
            "<w:r><w:fldChar w:fldCharType='separate'/></w:r>",
            r("，第3页"),
            "<w:r><w:fldChar w:fldCharType='end'/></w:r>",
            '<w:fldSimple w:instr=" DATE ">',
            r("，2025年1月16日"),
            "</w:fldSimple>",
            "<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>",
            "<w:del><w:r><w:delText>删除</w:delText></w:r></w:del>",
            "<w:ins>",
            r("。"),
            "</w:ins>",
        )
    )
    assert texts(data) == ["网址：www.jiaokou.gov.cn，第3页，2025年1月16日。"]


def test_soft_line_breaks_join_cjk_without_space_and_latin_with_one():
    data = minimal_docx(
        p(r("坚持以习近平新时代中国特色社会主义思想为指"), "<w:r><w:br/></w:r>", r("导，认真贯彻落实"))
        + p(r("Open Government"), "<w:r><w:br/><w:t>Information</w:t></w:r>")
        + p(r("\u3000\u3000一、总体情况\xa0"))
        + p(r("规章"), "<w:r><w:tab/></w:r>", r("0"))
        + p(r("  "))
    )
    assert texts(data) == [
        "坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实",
        "Open Government Information",
        "一、总体情况",
        "规章 0",
    ]


def test_text_boxes_are_not_read_twice_into_the_paragraph():
    box = "<w:txbxContent>" + p(r("框内")) + "</w:txbxContent>"
    data = minimal_docx(
        p(
            r("正文"),
            f"<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing>{box}</w:drawing></mc:Choice>"
            f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r>",
        )
    )
    assert texts(data) == ["正文"]


def test_content_controls_are_read_in_place_and_in_order():
    data = minimal_docx(
        p(r("一"))
        + "<w:sdt><w:sdtPr/><w:sdtContent>"
        + p(r("二"))
        + tbl(tc("甲") + tc("1"))
        + "</w:sdtContent></w:sdt>"
        + p(r("三"))
    )
    blocks = read_docx(data).blocks
    assert [b.text if isinstance(b, Paragraph) else "table" for b in blocks] == ["一", "二", "table", "三"]
    assert [b.source.line for b in blocks if isinstance(b, Paragraph)] == [1, 2, 3]


# --- Layout tables -----------------------------------------------------------------------------------


def test_report_inside_a_one_cell_frame_table_parses():
    """Web pages saved as Word put the whole report in a one-cell table: it is layout."""
    data = docx_bytes("002")
    xml = document_xml(data)
    start, end = xml.index("<w:body>") + len("<w:body>"), xml.index("<w:sectPr")
    framed = xml[:start] + tbl(f"<w:tc>{xml[start:end]}</w:tc>") + xml[end:]
    word = parse_bytes(with_document_xml(data, framed), "x.docx")[0]
    assert_same_report(text_report("002"), word)


def test_one_column_table_is_layout_its_paragraphs_are_paragraphs():
    """A single-column table frames text: its headings must stay paragraphs for the outline."""
    data = minimal_docx(
        p(r("前言"))
        + tbl(
            f"<w:tc>{p(r('一、总体情况'))}{p(r('本年度，'))}{p(r('工作有序推进。'))}</w:tc>",
            f"<w:tc>{p(r('二、主动公开政府信息情况'))}</w:tc>",
        )
    )
    blocks = read_docx(data).blocks
    assert all(isinstance(b, Paragraph) for b in blocks)
    assert [(b.text, b.source.line) for b in blocks] == [
        ("前言", 1),
        ("一、总体情况", 2),
        ("本年度，", 3),
        ("工作有序推进。", 4),
        ("二、主动公开政府信息情况", 5),
    ]


def test_nested_table_makes_the_outer_table_layout():
    inner = tbl(tc("规章") + tc("0"))
    data = minimal_docx(tbl(tc("左") + f"<w:tc>{p(r('说明'))}{inner}{p()}</w:tc>"))
    blocks = read_docx(data).blocks
    assert [b.text for b in blocks if isinstance(b, Paragraph)] == ["左", "说明"]
    inner_table = next(b for b in blocks if isinstance(b, Table))
    assert [[(c.text, c.source.table) for c in row] for row in inner_table.rows] == [[("规章", 1), ("0", 1)]]


# --- Provenance --------------------------------------------------------------------------------------


def test_cell_source_points_at_the_cell_in_word():
    data = docx_bytes("000")
    word = docx_report("000")
    source = word.to_json()["sources"]["table3.new_received.total"]
    assert set(source) == {"table", "row", "col"}
    assert (source["table"], source["row"], source["col"]) == (1, 3, 9)
    document = docx.Document(io.BytesIO(data))
    cell = document.tables[source["table"]].rows[source["row"]].cells[source["col"]]
    assert (
        cell.text
        == str(word.table3["new_received"][-1].value)
        == str(text_report("000").table3["new_received"][-1].value)
    )
    fees = word.to_json()["sources"]["table2.fees_wan"]
    cell = document.tables[fees["table"]].rows[fees["row"]].cells[fees["col"]]
    assert cell.text == str(word.table2["fees_wan"].value)


def test_paragraph_source_is_its_number_in_the_body():
    data = docx_bytes("004")
    word = docx_report("004")
    paragraphs = docx.Document(io.BytesIO(data)).paragraphs
    for key, source in word.section_sources.items():
        assert source.line is not None and source.table is None
        heading = paragraphs[source.line - 1].text
        assert heading.endswith(("情况", "事项")), (key, heading)
    assert paragraphs[word.section_sources["overview"].line - 1].text == "一、总体情况"


# --- Bad files ---------------------------------------------------------------------------------------


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048

# (the file, a regex its one-line message matches)
BAD = {
    "other-zip": (
        lambda: zip_of({"notes/readme.txt": b"hello", "data.csv": b"a,b"}),
        r"不是 Word 文档（zip 中没有 word/document\.xml）$",
    ),
    "truncated": (
        lambda: docx_bytes("001")[:20000],
        r"该 \.docx 已损坏：不是完整的 zip 压缩包（被截断，或根本不是 zip）$",
    ),
    "zip-bomb": (
        lambda: zip_bomb(200),
        (
            r"\.docx 解压后有 200 MB，超过 50 MB 的上限（zip 炸弹？）；"
            r"如确是报告，请调高 NIANBAO_MAX_UNZIPPED_MB 后再导入$"
        ),
    ),
    # detect_form routes OLE2 to LibreOffice as old binary Word (tests/test_reader_office.py),
    # which cannot open an OLE2 header and nothing else; without LibreOffice the line says to install it
    "ole-header": (
        lambda: OLE,
        (
            r"(LibreOffice 无法打开该 \.doc 文件：文件设有密码或已损坏（请取消密码，或另存为 \.docx 或 PDF）"
            r"|\.doc 文件须经 LibreOffice 读取，但 LibreOffice 未安装：请安装 libreoffice-writer-nogui"
            r"（apt-get install libreoffice-writer-nogui），或把文件另存为 \.docx 或 PDF)$"
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_docx_fails_with_one_line_and_writes_nothing(tmp_path, db, case):
    make, pattern = BAD[case]
    path = tmp_path / "report.docx"
    path.write_bytes(make())

    results = list(import_paths(db, [tmp_path]))

    assert [(r.path, r.status) for r in results] == [(str(path), "failed")]
    assert re.match(pattern, results[0].message), results[0].message
    for table in ("documents", "reports", "cells", "narratives", "parse_notes", "findings"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    rows = db.execute("SELECT path, status, message FROM imports").fetchall()
    assert rows == [(str(path), "failed", results[0].message)]


def test_zip_bomb_is_refused_without_inflating_it():
    data = zip_bomb(Limits().unzipped_mb + 10)
    tracemalloc.start()
    try:
        with pytest.raises(ReadError, match=r"^\.docx 解压后有 60 MB，超过 50 MB 的上限"):
            read_docx(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def test_zip_bomb_with_a_lying_directory_is_not_inflated_past_its_declared_size():
    """The zip directory claims 1,000 bytes for 60 MB of zeros: reading stops there."""
    data = bytearray(zip_bomb(60))
    central = data.rfind(b"PK\x01\x02")
    while central >= 0 and not data[central + 46 :].startswith(b"word/document.xml"):
        central = data.rfind(b"PK\x01\x02", 0, central)
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size in the central directory
    tracemalloc.start()
    try:
        with pytest.raises(ReadError, match=r"^该 \.docx 已损坏：zip 数据有误（zipfile：Bad CRC-32"):
            read_docx(bytes(data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024


def test_encrypted_docx_is_named_as_such():
    """A password-protected .docx is an OLE2 container with an EncryptedPackage stream."""
    encrypted = OLE + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    with pytest.raises(ReadError, match=r"^该 \.docx 已加密（设有密码）"):
        read_docx(encrypted)
    with pytest.raises(ReadError, match=r"^已加密的文件或旧版二进制 Word 文件"):
        read_docx(OLE)


def test_damaged_xml_and_other_office_files():
    good = docx_bytes("001")
    broken = with_document_xml(good, document_xml(good)[:-500])
    with pytest.raises(ReadError, match=r"^该 \.docx 已损坏：XML 格式不正确（libxml2："):
        read_docx(broken)
    workbook = zip_of(
        {
            "_rels/.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": b"<workbook/>",
        }
    )
    with pytest.raises(ReadError, match=r"^不是 Word 文档（zip 中没有 word/document.xml）$"):
        read_docx(workbook)
    with pytest.raises(ReadError, match=r"^不是 Word 文档（主体部分是 <html>"):
        read_docx(zip_of({"word/document.xml": b"<html><body/></html>"}))


def test_main_part_found_through_the_package_relationship():
    """Some producers name the main part word/document2.xml; _rels/.rels says so."""
    good = docx_bytes("001")
    moved = with_document_xml(good, document_xml(good), name="word/document2.xml")
    with zipfile.ZipFile(io.BytesIO(moved)) as archive:
        assert "word/document.xml" not in archive.namelist()
    assert_same_report(text_report("001"), parse_bytes(moved, "x.docx")[0])


def test_strict_ooxml_namespace_is_read():
    data = minimal_docx(p(r("一、总体情况")) + tbl(tc("规章") + tc("0")), namespace=STRICT)
    assert texts(data) == ["一、总体情况"]
    assert table_texts(data) == [[["规章", "0"]]]
