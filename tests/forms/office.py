"""A report written in Word's format and exported to PDF by LibreOffice, as agencies make them:
a page border, a box drawn around every paragraph (Word's paragraph borders, which LibreOffice
draws as one frame around a run of bordered paragraphs), and the organ and the year's title as
one centred title that wraps over two lines.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt

from nianbao.db.model import Report
from tests.forms.docx import add_table
from tests.forms.layout import parts

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
_BOX = "".join(
    f'<w:{side} w:val="single" w:sz="6" w:space="4" w:color="000000"/>' for side in ("top", "left", "bottom", "right")
)


def document(report: Report) -> docx.document.Document:
    """The report as a Word document with its borders and its one-paragraph title."""
    out = docx.Document()
    _page_border(out)
    report_parts = parts(report)
    organ, title, *rest = report_parts
    heading = out.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(organ.text + title.text)
    run.bold, run.font.size = True, Pt(22)
    for part in rest:
        if part.kind == "table" and part.grid is not None:
            add_table(out, part.grid, True)
            continue
        paragraph = out.add_paragraph(part.text)
        if part.kind == "paragraph":
            paragraph.paragraph_format.first_line_indent = Pt(24)
        elif part.kind == "closing":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph._p.get_or_add_pPr().append(parse_xml(f"<w:pBdr {nsdecls('w')}>{_BOX}</w:pBdr>"))
    return out


def _page_border(out: docx.document.Document) -> None:
    borders = "".join(
        f'<w:{side} w:val="double" w:sz="12" w:space="24" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right")
    )
    out.sections[0]._sectPr.append(
        parse_xml(f'<w:pgBorders {nsdecls("w")} w:offsetFrom="text">{borders}</w:pgBorders>')
    )


def render(report: Report, folder: Path) -> Path:
    """Write the .docx and export it to PDF with LibreOffice (its own profile, so that runs in
    parallel do not share a lock): the path of the PDF."""
    assert SOFFICE is not None
    source = folder / "report.docx"
    document(report).save(str(source))
    profile = (folder / "lo-profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / "report.pdf"
