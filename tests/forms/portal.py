"""A portal's report page printed to PDF by a browser, as people save reports they find online.

`render` prints a page of its own; `render_style` prints the page of one of the three portal styles
of tests/forms/html.py (legacy, modern, word), with their sidebars of other reports' titles and the
heading a script writes above the title.

The page is shaped like a real portal article: the site's header (name, navigation, search), a
breadcrumb, the title and a line of metadata (date, source, hits), the report itself (tables with
merged cells, ruled by CSS borders), share and print links, and a footer (copyright, site code,
ICP licence). Headless Chromium prints it with its own header and footer on every page: the date
and time of printing with the page's title, and the page's address with "N/M".
"""

from __future__ import annotations

import shutil
import subprocess
from html import escape
from pathlib import Path

from nianbao.db.model import Report
from tests.forms import html as portal_html
from tests.forms.layout import Grid, GridCell, Part, parts

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
_NAV = ("首页", "政务公开", "政府信息公开", "政策文件", "互动交流", "办事服务")


def page(report: Report) -> str:
    """The report as a portal article page (HTML)."""
    title = "".join(p.text for p in parts(report) if p.kind == "title")
    site = f"{report.region or '本县'}人民政府"
    body = "\n".join(_part(p) for p in parts(report) if p.kind != "title")
    nav = " | ".join(f'<a href="/{i}/">{n}</a>' for i, n in enumerate(_NAV))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}_{escape(site)}</title>
<style>
body {{ font-family: sans-serif; font-size: 15px; margin: 0 }}
.header {{ background: #b5212a; color: #fff; padding: 12px 24px }} .header a {{ color: #fff }}
.site-name {{ font-size: 26px; font-weight: bold }}
.crumb, .meta {{ color: #666; font-size: 13px; margin: 10px 24px }}
h1 {{ text-align: center; font-size: 22px; margin: 18px 24px }}
.content {{ margin: 0 24px; line-height: 1.9 }} .content p {{ text-indent: 2em; margin: 6px 0 }}
table {{ border-collapse: collapse; width: 100%; margin: 8px 0 }}
td, th {{ border: 1px solid #000; padding: 3px; text-align: center; font-size: 13px; font-weight: normal }}
.footer {{ border-top: 3px solid #b5212a; margin-top: 30px; padding: 12px 24px; color: #555; font-size: 12px;
  text-align: center }}
</style></head>
<body>
<div class="header"><div class="site-name">{escape(site)}</div>
<div class="nav">{nav} &nbsp; <input placeholder="请输入关键词"> 搜索</div></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<h1>{escape(title)}</h1>
<div class="meta">发布时间：{report.published or "2025-01-20"} &nbsp; 来源：{escape(report.organ or "")} &nbsp;
浏览次数：1024 &nbsp; 字号：大 中 小</div>
<div class="content">
{body}
</div>
<div class="meta">【打印本页】 【关闭窗口】</div>
<div class="footer"><p>版权所有：{escape(site)}办公室 &nbsp; 主办：{escape(site)}办公室</p>
<p>网站标识码：1411290001 &nbsp; 晋ICP备05001234号-1 &nbsp; 晋公网安备 14112902000001号</p></div>
</body></html>
"""


def _part(part: Part) -> str:
    if part.kind == "heading":
        return f"<p><strong>{escape(part.text)}</strong></p>"
    if part.kind == "paragraph":
        return f"<p>{escape(part.text)}</p>"
    if part.kind == "closing":
        return f'<p style="text-align:right">{escape(part.text)}</p>'
    return _table(part.grid or [])


def _table(grid: Grid) -> str:
    rows = "\n".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in grid)
    return f"<table>\n{rows}\n</table>"


def _cell(cell: GridCell) -> str:
    spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
        f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    )
    return f"<td{spans}>{escape(cell.text)}</td>"


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print the page with headless Chromium, its header and footer included."""
    assert CHROMIUM is not None
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}", html.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf


def render(report: Report, folder: Path) -> Path:
    """The report's portal page, printed: the path of the PDF."""
    html = folder / "report.html"
    html.write_text(page(report), "utf-8")
    return print_pdf(html, folder / "report.pdf")


STYLES = portal_html.STYLES


def render_style(report: Report, folder: Path, style: str) -> Path:
    """The report's page in a portal style of tests/forms/html.py, printed: the path of the PDF."""
    page = portal_html.render(report, folder / f"{style}.html", style=style)
    return print_pdf(page, folder / f"{style}.pdf")
