"""A portal's report page saved with its files, its table 三 shown as a picture.

Many portals publish table 三 as a picture of the printed table. A browser's "save as complete
page" writes `report.html` and the pictures into `report_files/` beside it. Here the page is the
portal article of tests/forms/portal.py with table 三's HTML table replaced by an <img>; the
picture is the table drawn by reportlab (tests/forms/pdf.py's ruled table, on a page of its own
just tall enough) and rendered with pypdfium2 at `dpi`.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from reportlab.pdfgen.canvas import Canvas

from nianbao.db.model import Report
from tests.forms import pdf, portal
from tests.forms.layout import occupancy, parts

FILES = "report_files"
PICTURE = f"{FILES}/table3.png"
_EDGE = 12  # points of paper around the table


def render(report: Report, folder: Path, *, dpi: int = 144, src: str = PICTURE) -> Path:
    """Write the page (its table 三 as <img src=`src`>) and the picture at `PICTURE`; the page's path."""
    grid = next(p.grid for p in parts(report) if p.kind == "table" and p.name == "table3")
    page = portal.page(report)
    table = portal._table(grid or [])
    assert table in page
    img = f'<p style="text-align:center"><img src="{src}" alt="" style="width:100%"></p>'
    (folder / FILES).mkdir(parents=True, exist_ok=True)
    table_png(report, folder / PICTURE, dpi)
    path = folder / "report.html"
    path.write_text(page.replace(table, img), "utf-8")
    return path


def table_png(report: Report, path: Path, dpi: int) -> Path:
    """Table 三 as a picture: drawn on a page of its own (table_pdf), rendered at `dpi`."""
    drawn = table_pdf(report, path.with_suffix(".pdf"))
    document = pypdfium2.PdfDocument(str(drawn))
    try:
        document[0].render(scale=dpi / 72).to_pil().convert("RGB").save(path, "PNG")
    finally:
        document.close()
    drawn.unlink()
    return path


def table_pdf(report: Report, path: Path) -> Path:
    """Table 三 drawn on a PDF page of its own, just large enough (its text layer gives each
    cell's box: in the picture, the box times dpi/72)."""
    pdf.register_font()
    grid = next(p.grid for p in parts(report) if p.kind == "table" and p.name == "table3")
    style = pdf._styles(10.5)["cell"]
    table = pdf._rl_table(occupancy(grid or []), "table3", style, ruled=True)
    width, height = table.wrap(pdf.PAGE[0] - 2 * pdf.MARGIN, 10_000)
    canvas = Canvas(str(path), pagesize=(width + 2 * _EDGE, height + 2 * _EDGE), invariant=1)
    table.drawOn(canvas, _EDGE, _EDGE)
    canvas.save()
    return path
