"""PDFs as agencies really make them. 101.pdf (洪泽区人民政府 2023, WPS, re-exported by a PDF editor)
draws a white box behind every line of text; its values must all read right or be named by a
check, its table 四 (which does not add up as printed) kept as printed with T4-SUM naming the
break, and every value must point at its page and box."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pytest
from reportlab.pdfgen import canvas

from nianbao.db.checks import run_checks
from nianbao.db.document import Paragraph, Source, Table
from nianbao.db.parse.identity import closing_lines, find_title, opening_organ, resolve_identity
from nianbao.db.parse.sections import heading_section
from nianbao.db.pipeline import parse_bytes, parse_file
from nianbao.db.readers.pdf import read_pdf
from nianbao.db.readers.pdf_rulings import invisible
from tests.forms import office, portal
from tests.forms.pdf import FONT, register_font, render
from tests.helpers import SAMPLE_NAMES, sample_path

REAL = Path(__file__).parent / "data" / "real"
PDF_101 = REAL / "raw" / "101.pdf"
T2 = ("rules_made", "rules_repealed", "rules_in_force", "normative_made", "normative_repealed")
T2 += ("normative_in_force", "licensing", "punishment", "enforcement", "fees_wan")
T3_COLUMNS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
T4 = tuple(
    f"{group}_{result}"
    for group in ("review", "suit_direct", "suit_after_review")
    for result in ("upheld", "corrected", "other", "pending", "total")
)


@pytest.fixture(scope="module")
def parsed_101():
    report = parse_file(PDF_101)
    return report.to_json(), [finding.as_json() for finding in run_checks(report)]


def truth_cells(truth: dict) -> dict[str, object]:
    """Every cell the truth file states, by its path (table3.granted.natural …)."""
    cells = {f"table2.{k}": truth["table2"][k] for k in T2}
    for row, values in truth["table3"]["rows"].items():
        for column, value in zip(T3_COLUMNS, values or [None] * 7, strict=True):
            cells[f"table3.{row}.{column}"] = value
    cells |= {f"table4.{k}": v for k, v in zip(T4, truth["table4"], strict=True)}
    return cells


def parsed_cell(data: dict, path: str) -> object:
    table, *rest = path.split(".")
    if table == "table3":
        row, column = rest
        values = data["table3"]["rows"].get(row)
        return None if values is None else values[T3_COLUMNS.index(column)]
    return data[table][rest[0]]


def named(path: str, findings: list[dict]) -> bool:
    row = path.rsplit(".", 1)[0]
    return any(path in f["cells"] or f"{row}.*" in f["cells"] for f in findings)


def test_101_every_cell_right_or_named_by_a_check(parsed_101):
    data, findings = parsed_101
    truth = json.loads((REAL / "truth" / "101.json").read_text("utf-8"))
    cells = truth_cells(truth)
    assert len(cells) == 10 + 25 * 7 + 15
    wrong = {p: (parsed_cell(data, p), v) for p, v in cells.items() if parsed_cell(data, p) != v}
    assert {p: got for p, got in wrong.items() if not named(p, findings)} == {}
    # The single （六）其他处理 row of this 2021-format table: its three sub-rows stay blank, named.
    assert set(wrong) <= {
        f"table3.{row}.{c}" for row in ("other_overdue_correction", "other_overdue_fee") for c in T3_COLUMNS
    } | {f"table3.other_other.{c}" for c in T3_COLUMNS}


def test_101_identity(parsed_101):
    data, _ = parsed_101
    assert (data["organ"], data["region"], data["year"], data["format"]) == ("洪泽区人民政府", "洪泽区", 2023, "2021")
    assert (data["province"], data["prefecture"], data["region_code"]) == ("江苏省", "淮安市", "320813")
    assert data["period"] == "2023-01-01/2023-12-31"


def test_101_table4_kept_as_printed_and_the_break_named(parsed_101):
    data, findings = parsed_101
    assert [data["table4"][k] for k in T4] == [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]
    broken = [f for f in findings if f["id"] == "T4-SUM"]
    assert {c for f in broken for c in f["cells"]} >= {"table4.review_total", "table4.suit_after_review_total"}
    assert {(f["expected"], f["found"]) for f in broken} == {("11", "0"), ("5", "0")}


def test_101_sections_are_paragraphs_not_a_table_of_lines(parsed_101):
    data, _ = parsed_101
    assert set(data["sections"]) == {"overview", "problems", "other"}
    assert (
        data["sections"]["other"]
        == "2023年，区政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费0元。"
    )


@pytest.mark.parametrize(
    ("path", "printed"),
    [
        ("table3.new_received.total", "21"),
        ("table3.reject_complaint.natural", "1"),
        ("table2.punishment", "4119"),
        ("table4.review_upheld", "10"),
    ],
)
def test_101_values_point_at_their_page_and_box(parsed_101, path, printed):
    data, _ = parsed_101
    source = data["sources"][path]
    with pdfplumber.open(PDF_101) as pdf:
        words = pdf.pages[source["page"] - 1].within_bbox(tuple(source["bbox"])).extract_words()
    assert [w["text"] for w in words] == [printed]


# --- Page furniture: frames, text boxes, white boxes behind the text -----------------------------

COMPARED = ("organ", "year", "region", "published", "table2", "table3", "table4")


@pytest.mark.parametrize("frame", ["border", "boxes", "white", "rounded"])
@pytest.mark.parametrize("name", ["001", "003"])
def test_framed_pages_read_like_the_text_form(name, frame, tmp_path):
    """A page border, a visible text box around every paragraph (touching the tables), and WPS's
    white boxes behind the text, square or rounded (curves): the headings are read as headings,
    the tables as tables."""
    text = parse_file(sample_path(name))
    report, document = parse_bytes(render(text, tmp_path / "r.pdf", frame=frame).read_bytes(), "r.pdf")
    got, want = report.to_json(), text.to_json()
    assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}
    headings = [b.text for b in document.blocks if isinstance(b, Paragraph) and heading_section(b.text)]
    assert len(headings) == 6
    assert all(max(len(row) for row in b.rows) > 1 for b in document.blocks if isinstance(b, Table))


WHITE, BLACK, GREY = (1.0, 1.0, 1.0), (0.0, 0.0, 0.0), (0.5, 0.5, 0.5)


@pytest.mark.parametrize(
    ("paint", "seen"),
    [
        ({"fill": True, "non_stroking_color": WHITE}, False),  # WPS's box behind a line of text
        ({"fill": True, "non_stroking_color": (0, 0, 0, 0)}, False),  # white in CMYK: no ink
        ({"stroke": True, "stroking_color": WHITE}, False),
        ({}, False),  # neither stroked nor filled
        ({"stroke": True, "stroking_color": BLACK}, True),
        ({"stroke": True, "stroking_color": BLACK, "fill": True, "non_stroking_color": WHITE}, True),
        ({"fill": True, "non_stroking_color": GREY}, True),  # a shaded band
    ],
)
@pytest.mark.parametrize("shape", ["rect", "line", "curve"])
def test_what_cannot_be_seen_is_no_ruling_whatever_its_shape(shape, paint, seen):
    """Paint alone decides (a rounded white box is curves, a square one a rectangle), so the PDFium
    reader can leave such paths out before reading their points."""
    assert invisible({"object_type": shape, **paint}) is not seen


# --- Paragraphs as the author wrote them ----------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    """A narrative's paragraphs, without spaces: a PDF cannot tell a typed space beside a CJK
    character from the spacing of the layout."""
    return [re.sub(r"\s", "", p) for p in text.split("\n\n")]


@pytest.mark.parametrize("font_size", [9, 12])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_narratives_of_the_pdf_equal_those_of_the_text_form(name, font_size, tmp_path):
    """Every paragraph wraps over several lines and some over a page break; read back, the
    narratives have the paragraphs of the text form, no more and no fewer."""
    text = parse_file(sample_path(name))
    data = render(text, tmp_path / "r.pdf", font_size=font_size).read_bytes()
    report, _ = parse_bytes(data, "r.pdf")
    want = {key: paragraphs(value) for key, value in text.sections.items()}
    assert {key: paragraphs(value) for key, value in report.sections.items()} == want
    assert sum(len(p) for p in want.values()) >= 8


def test_101_a_paragraph_is_one_block_however_many_lines(parsed_101):
    """101's numbered paragraphs start with a heading-like （一）…: read as whole paragraphs, not
    a heading and the rest."""
    data, _ = parsed_101
    overview = data["sections"]["overview"].split("\n\n")
    assert overview[1] == (
        "（一）主动公开情况。主要通过政府门户网站主动公开政府文件、项目审批、通知公告等各类政府信息。"
        "2023年，我区在政府网站平台主动公开政府信息1136条。"
    )
    assert len(overview) == 7
    assert data["sections"]["problems"].count("\n\n") == 0  # one paragraph over pages 4 and 5


# --- Identity from what the document says --------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_title_wrapped_over_two_lines_reads_organ_region_and_year(name, tmp_path):
    text = parse_file(sample_path(name))
    path = render(text, tmp_path / "r.pdf", one_line_title=True, font_size=14)
    with pdfplumber.open(path) as pdf:
        first, second = pdf.pages[0].extract_text().splitlines()[:2]
    assert first.startswith(text.organ) and not first.endswith("报告") and second.endswith("告")  # it wraps
    report, _ = parse_bytes(path.read_bytes(), "r.pdf")
    assert (report.organ, report.region, report.region_code, report.year) == (
        text.organ,
        text.region,
        text.region_code,
        text.year,
    )


def lines(*texts: str) -> list[Paragraph]:
    return [Paragraph(t, Source(line=i)) for i, t in enumerate(texts, start=1)]


@pytest.mark.parametrize(
    ("front", "organ", "year"),
    [
        (("洪泽区发展和改革委员会2023年", "政府信息公开工作年度报告"), "洪泽区发展和改革委员会", 2023),
        (
            ("江苏省淮安市洪泽区", "发展和改革委员会", "2023年政府信息公开工作年度报告"),
            "江苏省淮安市洪泽区发展和改革委员会",
            2023,
        ),
        (("洪泽区人民政府", "2023 年政府信息公开工作年度报告"), "洪泽区人民政府", 2023),
        (
            ("2023年政府信息公开工作年度报告", "本报告由淮安市洪泽区人民政府办公室根据《条例》要求编制此报告。"),
            None,
            2023,
        ),
    ],
)
def test_title_and_organ_from_the_front_matter(front, organ, year):
    title, found, found_year = find_title(lines(*front))
    assert (found or None, found_year) == (organ, year)
    assert title is None or title.replace(" ", "").endswith("报告")


@pytest.mark.parametrize(
    ("opening", "organ"),
    [
        ("本报告由淮安市洪泽区人民政府办公室根据《条例》要求编制此报告。", "淮安市洪泽区人民政府办公室"),
        ("根据《条例》要求，现公布夏县人民政府办公室2024年政府信息公开工作年度报告。", "夏县人民政府办公室"),
        ("本报告根据《条例》要求编制。", None),
    ],
)
def test_the_organ_the_opening_sentence_names(opening, organ):
    assert opening_organ(lines("2024年政府信息公开工作年度报告", opening)) == organ


def test_the_opening_sentence_names_the_organ_only_when_title_and_signature_do_not():
    """The office that compiled the report is not the organ that signed it."""
    office = "淮安市洪泽区人民政府办公室"
    assert resolve_identity("", "淮安市洪泽区人民政府", 2023, None, office).organ == "淮安市洪泽区人民政府"
    assert resolve_identity("", None, 2023, None, office).organ == office
    assert resolve_identity("", None, 2023, None, office).region == "洪泽区"


@pytest.mark.parametrize(
    ("organ", "region"),
    [
        ("交口县发展和改革局", "交口县"),
        ("南京市江宁区城市管理局", "江宁区"),
        ("沛县经济开发区管理委员会", "沛县"),
        ("淮安市洪泽区人民政府办公室", "洪泽区"),
    ],
)
def test_a_department_belongs_to_its_county(organ, region):
    assert resolve_identity(organ, None, 2023, None).region == region


def test_a_signature_on_one_line():
    _, organ, date = closing_lines(lines("全年收取信息处理费0元。", "淮安市洪泽区人民政府 2024年1月20日"))
    assert (organ, date) == ("淮安市洪泽区人民政府", "2024-01-20")


# --- Page furniture: running heads, page numbers, a browser's print header and footer --------------


@pytest.mark.parametrize("name", ["002", "003"])
def test_running_heads_and_page_numbers_are_not_text(name, tmp_path):
    text = parse_file(sample_path(name))
    head = f"{text.organ}政务公开专刊"
    path = render(text, tmp_path / "r.pdf", running_head=head, page_numbers=True)
    with pdfplumber.open(path) as pdf:
        assert all(head in page.extract_text() for page in pdf.pages)
    report, document = parse_bytes(path.read_bytes(), "r.pdf")
    got, want = report.to_json(), text.to_json()
    assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}
    assert not [b.text for b in document.blocks if isinstance(b, Paragraph) and "专刊" in b.text]
    assert {key: paragraphs(value) for key, value in report.sections.items()} == {
        key: paragraphs(value) for key, value in text.sections.items()
    }


needs_chromium = pytest.mark.skipif(portal.CHROMIUM is None, reason="Chromium is not installed")


@pytest.fixture(scope="module")
def printed_portal_pages(tmp_path_factory):
    """Portal pages of three samples printed by headless Chromium (2 s each), by name."""
    out = {}
    for name in ("000", "002", "004"):
        text = parse_file(sample_path(name))
        out[name] = (text, portal.render(text, tmp_path_factory.mktemp(name)))
    return out


@needs_chromium
@pytest.mark.parametrize("name", ["000", "002", "004"])
def test_portal_page_printed_by_a_browser_reads_like_the_text_form(name, printed_portal_pages):
    text, path = printed_portal_pages[name]
    with pdfplumber.open(path) as pdf:
        first = pdf.pages[0].extract_text()
    assert "file://" in first and f"1/{len(pdf.pages)}" in first  # the browser's footer is printed
    report, document = parse_bytes(path.read_bytes(), "r.pdf")
    got, want = report.to_json(), text.to_json()
    assert {k: got[k] for k in (*COMPARED, "region_code")} == {k: want[k] for k in (*COMPARED, "region_code")}
    assert {key: paragraphs(value) for key, value in report.sections.items()} == {
        key: paragraphs(value) for key, value in text.sections.items()
    }
    texts = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    assert not [t for t in texts if "file://" in t or re.match(r"\d+/\d+/\d+, \d+:\d+", t)]


# --- Rotated pages --------------------------------------------------------------------------------


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_a_page_turned_in_a_viewer_reads(degrees, tmp_path):
    """/Rotate on every page, the text written upright: as displayed, the text lies on its side
    or upside down; the reader reads it as it is written."""
    text = parse_file(sample_path("002"))
    path = render(text, tmp_path / "r.pdf", rotate=degrees)
    with pdfplumber.open(path) as pdf:
        a, b = pdf.pages[0].chars[0]["matrix"][:2]
        assert pdf.pages[0].rotation == degrees and not (a > 0 and b == 0)  # displayed turned
    report, _ = parse_bytes(path.read_bytes(), "r.pdf")
    got, want = report.to_json(), text.to_json()
    assert {k: got[k] for k in COMPARED} == {k: want[k] for k in COMPARED}
    assert {key: paragraphs(value) for key, value in report.sections.items()} == {
        key: paragraphs(value) for key, value in text.sections.items()
    }


# --- Word documents exported by LibreOffice: page border, boxed paragraphs, a wrapped title ------

needs_libreoffice = pytest.mark.skipif(office.SOFFICE is None, reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def exported_word_documents(tmp_path_factory):
    """Two samples as .docx exported to PDF by LibreOffice (2 s each), by name."""
    out = {}
    for name in ("000", "003"):
        text = parse_file(sample_path(name))
        out[name] = (text, office.render(text, tmp_path_factory.mktemp(name)))
    return out


@needs_libreoffice
@pytest.mark.parametrize("name", ["000", "003"])
def test_word_document_exported_by_libreoffice_reads_like_the_text_form(name, exported_word_documents):
    text, path = exported_word_documents[name]
    with pdfplumber.open(path) as pdf:
        first, second = pdf.pages[0].extract_text().splitlines()[:2]
        assert len(pdf.pages[0].lines) > 8  # the page border and the paragraphs' boxes are drawn
    assert first.startswith(text.organ) and not first.endswith("报告") and second.endswith("报告")  # it wraps
    report, _ = parse_bytes(path.read_bytes(), "r.pdf")
    got, want = report.to_json(), text.to_json()
    assert {k: got[k] for k in (*COMPARED, "region_code")} == {k: want[k] for k in (*COMPARED, "region_code")}
    assert {key: paragraphs(value) for key, value in report.sections.items()} == {
        key: paragraphs(value) for key, value in text.sections.items()
    }


# --- Frames and grids drawn as rectangles ---------------------------------------------------------


def test_cells_drawn_as_boxes_are_a_table_and_a_box_around_text_is_a_frame(tmp_path):
    """Geometry alone tells them apart: boxes side by side (each around its text, nothing inside
    any of them) are the cells of a table; a box around a paragraph with nothing beside it is a
    frame, and its lines are one paragraph."""
    register_font()
    path = tmp_path / "boxes.pdf"
    page = canvas.Canvas(str(path), pagesize=(595, 842), invariant=1)
    page.setFont(FONT, 12)
    page.rect(60, 640, 470, 50)  # a frame around two lines of one paragraph
    page.drawString(70, 670, "一、总体情况。本机关坚持以公开为常态、不公开为例外，")
    page.drawString(70, 650, "全面推进决策、执行、管理、服务、结果公开。")
    for r, row in enumerate(
        [("信息内容", "本年制发件数", "本年废止件数"), ("规章", "1", "2"), ("行政规范性文件", "3", "4")]
    ):
        for c, text in enumerate(row):
            x, y = 60 + 150 * c, 560 - 30 * r
            page.rect(x, y, 150, 30)
            page.drawString(x + 6, y + 10, text)
    page.showPage()
    page.save()
    document = read_pdf(path.read_bytes())
    (paragraph,) = [b for b in document.blocks if isinstance(b, Paragraph)]
    assert (
        paragraph.text
        == "一、总体情况。本机关坚持以公开为常态、不公开为例外，全面推进决策、执行、管理、服务、结果公开。"
    )
    (table,) = [b for b in document.blocks if isinstance(b, Table)]
    assert [[c.text for c in row] for row in table.rows] == [
        ["信息内容", "本年制发件数", "本年废止件数"],
        ["规章", "1", "2"],
        ["行政规范性文件", "3", "4"],
    ]


def test_101_paragraphs_and_tables_keep_their_place():
    """Every table of 101 is found by its rulings (none rebuilt from text columns, table 三 closed
    where the page cuts it); a paragraph's source is the page it starts on and the box of its
    lines there."""
    document = read_pdf(PDF_101.read_bytes())
    assert document.details == {"pages": "5"}
    texts = [b for b in document.blocks if isinstance(b, Paragraph)]
    assert len(texts) == 20  # title (2), preamble, 6 headings, 2 item lines of table 二, 9 narrative paragraphs
    with pdfplumber.open(PDF_101) as pdf:
        for block in texts:
            inside = pdf.pages[block.source.page - 1].crop(block.source.bbox).extract_text()
            assert re.sub(r"\s", "", block.text).startswith(re.sub(r"\s", "", inside))
