"""Scanned reports through offline OCR (the optional extra nianbao[ocr]): a page image of a sample's
PDF reads with the values its text layer gives, each cell keeping its page, box and confidence; a
red seal, a slight turn and noise are cleaned away before reading; a value read with low confidence
is named by a finding that survives storing; without the extra, a scan gets one line naming it.

The OCR tests read one page each (some 10-30 s a page on two busy cores); the whole-report ones
(four pages) are marked slow. They skip, saying why, where the extra is not installed."""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from nianbao.db.checks import run_checks
from nianbao.db.document import Source, Table
from nianbao.db.errors import ParseError, ReadError
from nianbao.db.model import Value
from nianbao.db.parse.labels import read_cell
from nianbao.db.pipeline import import_paths, parse_bytes, parse_file
from nianbao.db.readers import detect_form, ocr, ocr_images, read_document
from nianbao.db.readers.pdf import NO_TEXT
from nianbao.db.review import load_report, recheck
from nianbao.db.schema import connect
from nianbao.db.store import save_report
from tests.forms import pdf, portal, saved_page, scan
from tests.helpers import sample_path
from tests.test_checks import clean

needs_ocr = pytest.mark.skipif(not ocr.available(), reason="the OCR extra is not installed: pip install 'nianbao[ocr]'")


@cache
def sample_pdf(name: str, folder: Path) -> Path:
    return pdf.render(parse_file(sample_path(name)), folder / f"{name}.pdf")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("scans")


@pytest.fixture(scope="module")
def page2(folder) -> scan.Image.Image:
    """Page 2 of sample 003 (table 二 and the head of table 三) rendered at 300 dpi."""
    return scan.page_images(sample_pdf("003", folder), 300)[1]


def numbers_by_position(tables: list[Table]) -> list[list[tuple[int, str]]]:
    """Each table's numeric cells as (row, text), in order: what the parser takes as values."""
    return [
        [(cell.source.row, cell.text) for row in table.rows for cell in row if read_cell(cell.text).kind == "number"]
        for table in tables
    ]


# --- Without the extra ---------------------------------------------------------------------------


def test_without_the_extra_a_scanned_pdf_names_it(monkeypatch, tmp_path):
    monkeypatch.setattr(ocr, "available", lambda: False)
    data = pdf.image_only(tmp_path / "scan.pdf").read_bytes()
    with pytest.raises(ReadError) as caught:
        read_document(data, "scan.pdf")
    assert str(caught.value) == f"{NO_TEXT}；请安装 OCR 扩展：pip install 'nianbao[ocr]'"


def test_without_the_extra_an_image_names_it(monkeypatch, page2, tmp_path):
    monkeypatch.setattr(ocr, "available", lambda: False)
    data = scan.png(page2, tmp_path / "p.png").read_bytes()
    assert detect_form(data, "p.png") == "image"
    with pytest.raises(ReadError, match=r"^图片须经 OCR 读取，但 OCR 未安装：pip install 'nianbao\[ocr\]'$"):
        read_document(data, "p.png")


# --- Cleaning a scan (no OCR needed) ----------------------------------------------------------------


def bgr(image) -> np.ndarray:
    return np.asarray(image)[:, :, ::-1].copy()


@needs_ocr
def test_red_seal_is_whitened_and_black_text_under_it_kept(page2):
    stamped = bgr(scan.scanned(page2, angle=0, noise=0))
    cleaned = ocr.without_red_ink(stamped)
    blue, green, red = (cleaned[:, :, i].astype(int) for i in range(3))
    assert not (((red - np.maximum(green, blue)) > 60) & (red > 130)).any()  # no bright red ink left
    dark = (bgr(page2).max(axis=2) < 60) & (stamped.max(axis=2) < 60)
    assert dark.sum() > 10_000 and (cleaned[dark].max(axis=1) < 60).all()


@needs_ocr
def test_turned_stamped_noisy_page_has_the_same_ruled_tables(page2):
    def grids(image):
        image = ocr.straighten(ocr.without_specks(ocr.without_red_ink(bgr(image))))
        return [[[cell is not None for cell in row.cells] for row in t.rows] for t in ocr.ruled_tables(image)]

    plain = grids(page2)
    assert [len(g) for g in plain] == [14, 11]  # table 二's rows, and table 三's head on this page
    for angle in (0.6, -0.9):
        assert grids(scan.scanned(page2, angle=angle)) == plain


@needs_ocr
@pytest.mark.parametrize("dpi", [150, 300])
def test_a_scans_resolution_is_that_of_its_picture(folder, tmp_path, dpi):
    """The resolution decides whether a page is read in black and white (under COARSE_DPI)."""
    import pypdfium2

    pages = scan.page_images(sample_pdf("003", folder), dpi)[:1]
    document = pypdfium2.PdfDocument(str(scan.image_pdf(pages, tmp_path / "s.pdf", dpi)))
    try:
        assert round(ocr.scan_dpi(document[0])) == dpi
    finally:
        document.close()
    assert (dpi < ocr.COARSE_DPI) == (dpi == 150)


@needs_ocr
def test_a_coarse_scan_is_read_in_black_and_white(page2):
    cleaned = ocr.grey(bgr(scan.scanned(page2.resize((1240, 1754)), angle=0, noise=0)))
    assert len(np.unique(cleaned)) > 2
    assert set(np.unique(ocr.binarised(cleaned))) == {0, 255}


# --- Reading a page ----------------------------------------------------------------------------


@needs_ocr
def test_page_image_reads_the_values_of_the_text_layer(folder, page2, tmp_path):
    """At 300 dpi, a clean page: every number of both tables as the PDF's own text layer gives it,
    each cell on page 1 with its box and a confidence."""
    text_layer = [
        b for b in read_document(sample_pdf("003", folder).read_bytes(), "r.pdf").blocks if isinstance(b, Table)
    ]
    on_page2 = [t for t in text_layer if t.source.page == 2]
    document = read_document(scan.png(page2, tmp_path / "p.png").read_bytes(), "p.png")
    tables = [b for b in document.blocks if isinstance(b, Table)]
    assert document.form == "image" and document.details["ocr"] == "RapidOCR PP-OCRv4"
    assert numbers_by_position(tables) == numbers_by_position(on_page2)
    for table in tables:
        for row in table.rows:
            for cell in row:
                assert cell.source.page == 1 and cell.source.bbox is not None
                assert 0 < cell.source.confidence <= 1


# --- The low-confidence rule ---------------------------------------------------------------------


def with_confidence(report, path: str, confidence: float | None):
    _, row, column = path.split(".")
    columns = [c.key for c in report.spec.table3_columns]
    values = list(report.table3[row])
    i = columns.index(column)
    values[i] = Value(values[i].value, values[i].raw, Source(page=2, table=1, row=5, col=i + 1, confidence=confidence))
    report.table3[row] = values
    return report


def test_low_confidence_value_is_named_and_others_are_not():
    report = with_confidence(clean(), "table3.granted.natural", 0.31)
    with_confidence(report, "table3.partial.natural", 0.97)
    found = [f for f in run_checks(report) if f.rule == "OCR-LOW-CONFIDENCE"]
    assert [(f.cells, f.severity) for f in found] == [(("table3.granted.natural",), "warning")]
    assert found[0].message == "table3.granted.natural: “2” read by OCR with confidence 0.31; compare it with the scan"
    assert found[0].message_zh == "table3.granted.natural：“2”识别置信度为0.31，请与扫描件核对"
    assert not [f for f in run_checks(clean()) if f.rule == "OCR-LOW-CONFIDENCE"]


def test_confidence_is_stored_and_the_finding_survives_a_recheck(tmp_path):
    """Imported, then re-checked from the database: the confidence was stored with the cell."""
    text = sample_path("003").read_bytes()
    report, document = parse_bytes(text, "r.txt")
    with_confidence(report, "table3.granted.natural", 0.2)
    db = connect(tmp_path / "t.db")
    try:
        with db.atomic():
            stored = save_report(db, "r.txt", text, document, report)
        loaded = load_report(db, stored.report_id)
        assert loaded.get("table3.granted.natural").source.confidence == 0.2
        found = [f.cells for f in recheck(db, stored.report_id) if f.rule == "OCR-LOW-CONFIDENCE"]
        assert found == [("table3.granted.natural",)]
    finally:
        db.close()


# --- Whole reports (four pages each: slow) ---------------------------------------------------------


def cells(report) -> dict[str, object]:
    return {".".join(p for p in (t, r, c) if p): v.value for t, r, c, v in report.cells()}


def named(findings) -> set[str]:
    out = set()
    for finding in findings:
        for cell in finding.cells:
            out.add(cell.removesuffix(".*") if cell.endswith(".*") else cell)
    return out


def assert_read_or_named(text, scanned) -> int:
    """Every cell right, or wrong and named by a finding (its own, or its row's); returns the
    number right."""
    want, got = cells(text), cells(scanned)
    names = named(run_checks(scanned))
    silent = [p for p in want if got.get(p) != want[p] and p not in names and p.rsplit(".", 1)[0] not in names]
    assert silent == []
    assert (scanned.organ, scanned.year, scanned.region) == (text.organ, text.year, text.region)
    return sum(got.get(p) == want[p] for p in want)


@needs_ocr
@pytest.mark.slow
def test_image_only_pdf_at_300_dpi_reads_with_every_wrong_cell_named(folder, tmp_path):
    text = parse_file(sample_path("003"))
    pages = scan.page_images(sample_pdf("003", folder), 300)
    path = scan.image_pdf(pages, tmp_path / "scan.pdf", 300)
    scanned, document = parse_bytes(path.read_bytes(), "scan.pdf")
    assert document.form == "pdf" and document.details["ocr_dpi"] == "300" and document.details["scan_dpi"] == "300"
    assert "ocr_binarised_pages" not in document.details  # read in grey, as printed
    right = assert_read_or_named(text, scanned)
    assert right >= 0.98 * len(cells(text))  # 198 of 200 here; 99.2 % over the five samples (BENCHMARKS.md)


@needs_ocr
@pytest.mark.slow
def test_turned_stamped_noisy_scan_reads_with_every_wrong_cell_named(folder, tmp_path):
    text = parse_file(sample_path("003"))
    pages = [scan.scanned(p, seed=i) for i, p in enumerate(scan.page_images(sample_pdf("003", folder), 300))]
    scanned, _ = parse_bytes(scan.image_pdf(pages, tmp_path / "scan.pdf", 300).read_bytes(), "scan.pdf")
    assert_read_or_named(text, scanned)


def chars_of(text: str) -> list[dict]:
    return [
        {"text": ch, "x0": i, "x1": i + 1, "top": 0, "bottom": 1, "size": 1, "confidence": 0.9}
        for i, ch in enumerate(text)
    ]


@pytest.mark.parametrize(
    "read, label",
    [("l.属于国家秘密", "1.属于国家秘密"), ("I.属于国家秘密", "1.属于国家秘密"), ("S.法律法规", "5.法律法规")],
)
def test_look_alike_letter_of_a_label_number_is_read_as_the_digit(read, label):
    assert "".join(c["text"] for c in ocr._label_numbering(chars_of(read))) == label


@pytest.mark.parametrize("value", ["l.5", "O", "1O", "S", "l.属"[:2]])
def test_look_alike_letters_in_a_value_are_kept(value):
    """Never in a value: "1O" stays "1O" (CELL-TYPE names it), not 10."""
    assert "".join(c["text"] for c in ocr._label_numbering(chars_of(value))) == value


# --- Pictures of tables in a saved web page ------------------------------------------------------


@pytest.fixture(scope="module")
def text_003():
    return parse_file(sample_path("003"))


@needs_ocr
@pytest.mark.slow
def test_saved_page_with_table3_as_a_picture_reads_it_beside_the_page(text_003, tmp_path):
    """report.html with report_files/table3.png (1,012 pixels across): table 三 read by OCR."""
    page = saved_page.render(text_003, tmp_path)
    report, document = parse_bytes(page.read_bytes(), page.name, page.parent)
    assert document.details["ocr_images"] == saved_page.PICTURE and "images_not_read" not in document.details
    right = assert_read_or_named(text_003, report)
    assert right >= 198  # 200 here; 993 of 1,000 over the five samples (BENCHMARKS.md)
    granted = report.get("table3.granted.natural").source
    assert granted.page == 1 and granted.bbox is not None and 0 < granted.confidence <= 1
    assert not [n for n in report.notes if n.code == ocr_images.NOTE]


@pytest.mark.parametrize(
    "src, why",
    [
        ("https://www.example.gov.cn/t3.png", "是网址：nianbao 不下载任何内容；请把网页连同其文件一起保存"),
        ("//cdn.example.com/t3.png", "是网址：nianbao 不下载任何内容；请把网页连同其文件一起保存"),
        ("../outside.png", "在网页所在文件夹之外"),
        ("report_files/../../outside.png", "在网页所在文件夹之外"),
        ("/etc/passwd", "是绝对路径，在网页所在文件夹之外"),
        ("C:\\Users\\a\\t3.png", "是绝对路径，在网页所在文件夹之外"),
        ("report_files/link.png", "在网页所在文件夹之外"),  # a link pointing out of the folder
        ("report_files/missing.png", "网页旁没有这个文件"),
        ("report_files/notes.txt", "不是 PNG 或 JPEG 图片"),
        ("", "图片没有指明文件"),
        ("data:image/png,abc", "内嵌图片不是 base64 编码"),
    ],
)
def test_a_picture_outside_the_pages_folder_or_on_the_web_is_never_read(tmp_path, src, why):
    page = tmp_path / "saved"
    (page / "report_files").mkdir(parents=True)
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\nrest")
    (page / "report_files" / "link.png").symlink_to(tmp_path / "outside.png")
    (page / "report_files" / "notes.txt").write_text("三、收到和处理政府信息公开申请情况")
    with pytest.raises(ReadError, match=f"^{re.escape(why)}$"):
        ocr_images.picture_bytes(src, page)


def test_a_picture_beside_the_page_or_embedded_in_it_is_taken(tmp_path):
    png = b"\x89PNG\r\n\x1a\nrest"
    (tmp_path / "report_files").mkdir()
    (tmp_path / "report_files" / "表 三.png").write_bytes(png)
    assert ocr_images.picture_bytes("report_files/%E8%A1%A8%20%E4%B8%89.png?v=2", tmp_path) == png
    assert ocr_images.picture_bytes("./report_files/表 三.png", tmp_path) == png
    assert ocr_images.picture_bytes("data:image/png;base64," + base64.b64encode(png).decode(), None) == png
    with pytest.raises(ReadError, match="^读取网页时没有给出其所在文件夹$"):
        ocr_images.picture_bytes("report_files/表 三.png", None)


def test_table3_pictured_on_the_web_refuses_the_page_naming_the_picture(text_003, tmp_path):
    page = saved_page.render(text_003, tmp_path, src="https://www.example.gov.cn/t3.png")
    with pytest.raises(ParseError) as caught:
        parse_file(page)
    assert str(caught.value).startswith("表三没有可识别的行")
    assert str(caught.value).endswith(
        "；图片 https://www.example.gov.cn/t3.png 未读取：是网址：nianbao 不下载任何内容；请把网页连同其文件一起保存"
    )


def test_without_the_extra_a_pictured_table_names_it(monkeypatch, text_003, tmp_path):
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(
        ParseError,
        match=r"图片 report_files/table3\.png 未读取：未安装 OCR 扩展：pip install 'nianbao\[ocr\]'$",
    ):
        parse_file(saved_page.render(text_003, tmp_path))


def test_a_picture_not_read_in_a_page_that_reads_is_a_note_on_the_import_line(text_003, tmp_path):
    """The tables are HTML; a picture in the article (a link to the web) is named, not fetched."""
    page = tmp_path / "report.html"
    html = portal.page(text_003).replace("</h1>", '</h1>\n<div class="content"><img src="http://x.cn/seal.png"></div>')
    page.write_text(
        html.replace('<div class="content">\n', '<div class="content">\n<p><img src="http://x.cn/a.gif"></p>\n'),
        "utf-8",
    )
    report = parse_file(page)
    assert cells(report) == cells(text_003)
    (note,) = [n for n in report.notes if n.code == ocr_images.NOTE]
    assert note.message == "图片 http://x.cn/a.gif 未读取：是网址：nianbao 不下载任何内容；请把网页连同其文件一起保存"
    db = connect(tmp_path / "t.db")
    try:
        (result,) = import_paths(db, [page])
    finally:
        db.close()
    assert result.status == "imported" and note.message in result.message


@needs_ocr
@pytest.mark.slow
def test_a_value_misread_from_a_damaged_picture_is_named_low_confidence(text_003, tmp_path):
    """The upper half of table 三's first "12" (new_received.natural) worn away in the picture:
    OCR reads "1", unsure, and OCR-LOW-CONFIDENCE names that cell (the sums name its row too)."""
    drawn = read_document(saved_page.table_pdf(text_003, tmp_path / "t.pdf").read_bytes(), "t.pdf")
    first_12 = next(c for b in drawn.blocks if isinstance(b, Table) for row in b.rows for c in row if c.text == "12")
    page = saved_page.render(text_003, tmp_path, dpi=144)
    picture = np.array(scan.Image.open(tmp_path / saved_page.PICTURE))
    x0, top, x1, bottom = (round(v * 2) for v in first_12.source.bbox)  # points → pixels at 144 dpi
    ys, xs = np.nonzero(picture[top + 4 : bottom - 4, x0 + 4 : x1 - 4].min(axis=2) < 128)  # the digits' ink
    ink_top, ink_bottom = top + 4 + ys.min(), top + 4 + ys.max() + 1
    picture[ink_top : (ink_top + ink_bottom) // 2, x0 + 4 + xs.min() : x0 + 4 + xs.max() + 1] = 255
    scan.Image.fromarray(picture).save(tmp_path / saved_page.PICTURE)
    report, _ = parse_bytes(page.read_bytes(), page.name, page.parent)
    cell = "table3.new_received.natural"
    assert text_003.get(cell).value == 12 and report.get(cell).value != 12
    found = [f for f in run_checks(report) if f.rule == "OCR-LOW-CONFIDENCE"]
    assert cell in {c for f in found for c in f.cells}
