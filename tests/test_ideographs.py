"""CJK radicals and compatibility ideographs (what a PDF made without a CJK font gives for 民, 一
…) are read as the ideographs they stand for, in every form, and the file's line says how many."""

from __future__ import annotations

import unicodedata

import pytest
from click.testing import CliRunner

from nianbao.db.parse.ideographs import normalise, table
from nianbao.db.pipeline import import_paths, parse_file
from nianbao.db.schema import connect
from nianbao.tui.cli import cli
from tests.helpers import sample_bytes, sample_path

ORGAN = "巨鹿县人民政府办公室"
# What a PDF made without a CJK font prints: radicals from the Radicals Supplement (⺠ 民, ⻓ 长,
# ⻔ 门) and the Kangxi block (⼀ 一, ⼈ 人), and a compatibility ideograph (U+F9B4 零).
LOOK_ALIKES = {"民": "\u2ea0", "长": "\u2ed3", "门": "\u2ed4", "一": "\u2f00", "人": "\u2f08", "零": "\uf9b2"}


def with_look_alikes(text: str) -> tuple[str, int]:
    count = sum(text.count(ch) for ch in LOOK_ALIKES)
    for ideograph, look_alike in LOOK_ALIKES.items():
        text = text.replace(ideograph, look_alike)
    return text, count


def test_the_look_alikes_are_what_they_claim():
    names = {unicodedata.name(ch) for ch in LOOK_ALIKES.values()}
    assert names == {
        "CJK RADICAL CIVILIAN",
        "CJK RADICAL C-SIMPLIFIED LONG",
        "CJK RADICAL C-SIMPLIFIED GATE",
        "KANGXI RADICAL ONE",
        "KANGXI RADICAL MAN",
        "CJK COMPATIBILITY IDEOGRAPH-F9B2",
    }
    assert all(look_alike != ideograph for ideograph, look_alike in LOOK_ALIKES.items())


def test_each_look_alike_reads_as_its_ideograph():
    for ideograph, look_alike in LOOK_ALIKES.items():
        assert normalise(f"x{look_alike}y") == (f"x{ideograph}y", 1)
    assert normalise(ORGAN) == (ORGAN, 0)
    assert normalise("\ufa11") == ("\ufa11", 0)  # 﨑: a unified ideograph in the compatibility block
    assert normalise("\u2e9f") == ("母", 1)
    assert len(table()) > 1000


def test_a_report_with_radicals_is_the_same_report(tmp_path):
    """The text form of sample 001 with its 民, 一, 人 … printed as radicals: the same organ, the
    same values; importing it beside the original replaces the report, never stores a second."""
    text, count = with_look_alikes(sample_bytes("001").decode("utf-8"))
    assert count > 20 and "\u2ea0" in text
    radical = tmp_path / "radicals.txt"
    radical.write_text(text, encoding="utf-8")
    parsed, original = parse_file(radical), parse_file(sample_path("001"))
    assert parsed.organ == ORGAN
    assert parsed.to_json()["table3"] == original.to_json()["table3"]
    (note,) = [n for n in parsed.notes if n.code == "ideographs-normalised"]
    assert note.message.startswith(f"有{count}个部首或兼容汉字")
    db = connect(tmp_path / "n.db")
    try:
        first, second = list(import_paths(db, [sample_path("001"), radical]))
        assert (first.status, second.status) == ("imported", "replaced")
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
        stored = db.execute("SELECT message FROM parse_notes WHERE code = 'ideographs-normalised'").fetchall()
        assert [m for (m,) in stored] == [note.message]
    finally:
        db.close()


@pytest.mark.parametrize("form", ["html", "docx"])
def test_every_form_is_normalised(tmp_path, form):
    from tests.forms import docx, html

    report = parse_file(sample_path("001"))
    path = tmp_path / f"r.{form}"
    if form == "html":
        html.render(report, path, style="modern")
    else:
        docx.render(report, path)
    text = path.read_bytes()
    if form == "html":
        path.write_bytes(text.replace("民".encode(), "\u2ea0".encode()))
    else:
        import io
        import zipfile

        source, out = zipfile.ZipFile(io.BytesIO(text)), io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == "word/document.xml":
                    assert "民".encode() in data
                    data = data.replace("民".encode(), "\u2ea0".encode())
                target.writestr(item, data)
        path.write_bytes(out.getvalue())
    assert parse_file(path).organ == ORGAN


def test_the_file_line_says_so(tmp_path):
    text, count = with_look_alikes(sample_bytes("001").decode("utf-8"))
    radical = tmp_path / "radicals.txt"
    radical.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "n.db"), "import", str(radical)], env={"NIANBAO_DB": None})
    assert result.exit_code == 0, result.output
    line = result.stdout.splitlines()[0]
    assert line.startswith(f"已导入    {radical} → 报告 1：{ORGAN} 2024 — 有{count}个部首或兼容汉字")


def test_a_pdf_printing_radicals_reads_as_the_report(tmp_path):
    """A real PDF whose text layer has ⺠ where the report says 民 (as a PDF made without a CJK
    font has): read as 巨鹿县人民政府办公室, with the count."""
    from dataclasses import replace

    import pdfplumber

    from tests.forms import pdf

    report = parse_file(sample_path("001"))
    radical = replace(
        report,
        organ=report.organ.replace("民", "\u2ea0"),
        preamble=report.preamble.replace("民", "\u2ea0"),
        sections={k: v.replace("民", "\u2ea0") for k, v in report.sections.items()},
    )
    path = pdf.render(radical, tmp_path / "radicals.pdf")
    with pdfplumber.open(path) as document:
        assert document.pages[0].extract_text().startswith("巨鹿县人\u2ea0政府办公室")
    parsed = parse_file(path)
    assert parsed.organ == ORGAN
    assert [n.message.split("个")[0] for n in parsed.notes if n.code == "ideographs-normalised"] == ["有6"]
