"""A report published as a web page inside a government portal, in three hand-written styles:

- "modern": HTML5 portal; header, nav, breadcrumb, a sidebar of ten other reports' links (titles
  that look like reports), the <h1> title outside `div.article-content`, tables with th/colspan/
  rowspan and `&nbsp;` in blank cells, inline styles, a footer with 版权所有 and 备案号.
- "legacy": a 2000s page laid out with nested tables (980 wide, a left menu table of links, the
  article in `td#content`), declared GB2312 and encoded GB18030 (GB2312 bytes where they exist),
  `<font>` tags, lines separated by `<br>` instead of paragraphs.
- "word": a Word "save as web page" export pasted into a portal: MsoNormal paragraphs, <o:p>,
  runs split into spans by script and by revision, list numbering in <![if !supportLists]>,
  MsoNormalTable tables with mso- styles, header text split by <br> or across spans.

The report's content comes from tests/forms/layout.py; the chrome around it is made up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from html import escape
from pathlib import Path

from nianbao.db.model import Report
from tests.forms.layout import Grid, GridCell, Part, parts

STYLES = ("modern", "legacy", "word")
_GB = {"gb2312", "gbk", "gb18030"}
_OTHER_COUNTIES = ("平遥县", "孝义市", "汾阳市", "文水县", "交城县", "兴县", "临县", "柳林县", "石楼县", "岚县")
_NAV = ("首页", "政务公开", "政府信息公开", "政策文件", "政策解读", "互动交流", "办事服务", "走进本县")


def render(report: Report, path: Path, *, style: str, encoding: str | None = None) -> Path:
    """Write the report as a portal page in `style`. `encoding` is the charset declared and
    written (default: gb2312 for legacy, utf-8 otherwise); GB pages are written as GB18030, which
    is GB2312 where GB2312 has the character, as real GB2312-declared pages are."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; one of {STYLES}")
    charset = encoding or ("gb2312" if style == "legacy" else "utf-8")
    page = _STYLES[style](report, charset)
    path.write_bytes(_encode(page, charset))
    return path


def render_404(path: Path) -> Path:
    """A portal's "page not found" page: the modern chrome around a 404 message."""
    body = (
        '<div class="error-page"><h1>404</h1><p class="msg">抱歉，您访问的页面不存在！</p>'
        "<p>页面不存在或已被删除，请检查网址是否正确。</p>"
        '<p><a href="/">返回首页</a> <a href="javascript:history.back()">返回上一页</a></p></div>'
    )
    page = _modern_page("页面不存在", "交口县", "交口县人民政府", 2024, body, "utf-8")
    path.write_bytes(page.encode("utf-8"))
    return path


def _encode(page: str, charset: str) -> bytes:
    if charset.lower() in _GB:
        return page.encode("gb18030")
    return page.encode(charset, "xmlcharrefreplace")


def _title(report: Report) -> str:
    return "".join(p.text for p in parts(report) if p.kind == "title")


def _place(report: Report) -> str:
    return report.region or (report.organ or "本县")[:3]


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _split_point(text: str) -> int | None:
    """A place near the middle of `text` between two CJK characters, if any."""
    middle = len(text) // 2
    for i in sorted(range(1, len(text)), key=lambda i: abs(i - middle)):
        if _wide(text[i - 1]) and _wide(text[i]):
            return i
    return None


def _is_subheading(text: str) -> bool:
    return text.startswith(("（", "(")) and len(text) <= 30 and not text.endswith("。")


def _sidebar_reports(report: Report) -> list[str]:
    """Ten other reports' titles: other counties, and this organ's previous year."""
    year = report.year or 2024
    titles = [f"{county}{year}年政府信息公开工作年度报告" for county in _OTHER_COUNTIES[:9]]
    return [f"{report.organ}{year - 1}年政府信息公开工作年度报告", *titles]


# --- modern --------------------------------------------------------------------------------------


def _modern(report: Report, charset: str) -> str:
    content = "\n".join(_modern_part(p) for p in parts(report) if p.kind != "title")
    article = (
        f'<h1 class="article-title">{escape(_title(report))}</h1>\n'
        f'<div class="article-meta"><span>发布时间：{report.published or "2025-01-20"}</span>'
        f'<span>来源：{escape(report.organ or "")}</span><span>浏览次数：<em id="hits">1024</em></span>'
        '<span class="font-size">字号：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a>'
        ' <a href="javascript:doZoom(12)">小</a></span></div>\n'
        f'<div class="article-content" id="zoom" style="font-size:16px;line-height:2">\n{content}\n</div>\n'
        '<div class="share">分享到：<a href="javascript:void(0)" class="wx">微信</a>'
        '<a href="javascript:void(0)" class="wb">微博</a> <a href="javascript:window.print()">【打印本页】</a>'
        ' <a href="javascript:window.close()">【关闭窗口】</a></div>\n'
        '<div class="related"><h4>相关文章</h4><ul>'
        + "".join(
            f'<li><a href="/zwgk/nb/{i}.html">{escape(t)}</a></li>' for i, t in enumerate(_sidebar_reports(report)[:3])
        )
        + "</ul></div>"
    )
    place = _place(report)
    return _modern_page(_title(report), place, f"{place}人民政府", report.year or 2024, article, charset)


def _modern_page(title: str, place: str, site: str, year: int, main: str, charset: str) -> str:
    sidebar = "".join(
        f'<li><a href="/zwgk/nb/{1000 + i}.html" title="{escape(t)}">{escape(t)}</a><span>{year + 1}-01-{10 + i}</span></li>'
        for i, t in enumerate(
            [f"{c}{year}年政府信息公开工作年度报告" for c in _OTHER_COUNTIES[:9]]
            + [f"{place}{year - 1}年政府信息公开工作年度报告"]
        )
    )
    nav = "".join(f'<li><a href="/{i}/">{n}</a></li>' for i, n in enumerate(_NAV))
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="ArticleTitle" content="{escape(title)}">
<title>{escape(title)}_{escape(site)}</title>
<link rel="stylesheet" href="/static/css/main.css">
<style>.article-content p{{text-indent:2em}} .sidebar li{{list-style:none}}</style>
<script>var _hmt = _hmt || []; document.write("<p>三、收到和处理政府信息公开申请情况</p>");</script>
</head>
<body>
<header class="site-header">
  <div class="logo"><a href="/"><img src="/static/img/logo.png" alt="{escape(site)}"></a><span class="site-name">{escape(site)}</span></div>
  <form class="search" action="/search"><input type="text" name="q" placeholder="请输入关键词"><button type="submit">搜索</button></form>
  <nav class="main-nav"><ul>{nav}</ul></nav>
</header>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/nb/">政府信息公开年报</a></div>
<!-- 一、总体情况 二、主动公开政府信息情况 (template comment) -->
<div class="container">
  <aside class="sidebar">
    <h3>年度报告</h3>
    <ul class="report-list">{sidebar}</ul>
    <h3>专题专栏</h3><ul><li><a href="/zt/1/">优化营商环境</a></li><li><a href="/zt/2/">乡村振兴</a></li></ul>
  </aside>
  <main class="main">
{main}
  </main>
</div>
<footer class="site-footer">
  <p><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a> | <a href="/contact/">联系我们</a></p>
  <p>版权所有：{escape(site)}办公室　主办：{escape(site)}办公室　网站标识码：1411290001</p>
  <p>备案号：<a href="https://beian.miit.gov.cn/">晋ICP备05001234号-1</a>　晋公网安备 14112902000001号</p>
  <script src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>
</footer>
</body>
</html>
"""


def _modern_part(part: Part) -> str:
    if part.kind == "heading":
        return f'<p style="text-indent:2em"><strong>{escape(part.text)}</strong></p>'
    if part.kind == "paragraph" and _is_subheading(part.text):
        return (
            f'<p style="text-indent:2em"><strong><span style="font-family:楷体">{escape(part.text)}</span></strong></p>'
        )
    if part.kind == "paragraph":
        return f'<p style="text-indent:2em"><span style="font-family:仿宋_GB2312;font-size:16px">{escape(part.text)}</span></p>'
    if part.kind == "closing":
        return f'<p style="text-align:right">{escape(part.text)}</p>'
    assert part.grid is not None
    return _html_table(
        part.grid,
        table='<table border="1" cellspacing="0" cellpadding="4" style="border-collapse:collapse;width:100%">',
        cell=_modern_cell,
    )


def _modern_cell(cell: GridCell) -> str:
    tag = "th" if cell.header else "td"
    text = escape(cell.text) if cell.text else "&nbsp;"
    if cell.header and (at := _split_point(cell.text)) is not None and len(cell.text) >= 5:
        text = f"{escape(cell.text[:at])}<br>{escape(cell.text[at:])}"
    return f'<{tag}{_spans(cell)} style="text-align:center;border:1px solid #000">{text}</{tag}>'


def _spans(cell: GridCell) -> str:
    out = ""
    if cell.rowspan > 1:
        out += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        out += f' colspan="{cell.colspan}"'
    return out


def _html_table(grid: Grid, *, table: str, cell: Callable[[GridCell], str], tr: str = "<tr>") -> str:
    rows = "\n".join(f"{tr}{''.join(cell(c) for c in row)}</tr>" for row in grid)
    return f"{table}\n<tbody>\n{rows}\n</tbody></table>"


# --- legacy --------------------------------------------------------------------------------------


def _legacy(report: Report, charset: str) -> str:
    place = _place(report)
    site = f"{place}人民政府"
    title = _title(report)
    menu = "".join(
        f'<tr><td height="28" background="/images/menu_bg.gif">&nbsp;<img src="/images/dot.gif">'
        f'&nbsp;<a href="/list.asp?id={i}"><font color="#333333">{escape(t)}</font></a></td></tr>'
        for i, t in enumerate(["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", *_sidebar_reports(report)])
    )
    nav = " | ".join(f'<a href="/{i}.asp"><font color="#FFFFFF">{n}</font></a>' for i, n in enumerate(_NAV))
    content = "\n".join(_legacy_part(p) for p in parts(report) if p.kind != "title")
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{escape(title)}--{escape(site)}</title>
<link href="/css/style.css" rel="stylesheet" type="text/css">
<script language="javascript" src="/js/menu.js"></script>
<script language="javascript">function MM_openBrWindow(u){{window.open(u)}}</script>
</head>
<body leftmargin="0" topmargin="0" marginwidth="0" marginheight="0" bgcolor="#FFFFFF">
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
  <tr><td colspan="2"><img src="/images/banner.jpg" width="980" height="120" alt="{escape(site)}"></td></tr>
  <tr><td colspan="2" height="32" bgcolor="#0066CC" align="center">{nav}</td></tr>
  <tr>
    <td width="200" valign="top" bgcolor="#F2F7FC">
      <table width="100%" border="0" cellspacing="0" cellpadding="0">
        <tr><td height="30" bgcolor="#3A7BC8"><font color="#FFFFFF"><b>&nbsp;政府信息公开</b></font></td></tr>
        {menu}
      </table>
    </td>
    <td width="780" valign="top">
      <table width="100%" border="0" cellspacing="0" cellpadding="0">
        <tr><td height="30">&nbsp;当前位置：<a href="/">首页</a> &gt;&gt; <a href="/zwgk.asp">政府信息公开</a> &gt;&gt; <a href="/nb.asp">年度报告</a></td></tr>
      </table>
      <table width="96%" border="0" align="center" cellpadding="0" cellspacing="0">
        <tr><td height="50" align="center"><font size="4" color="#CC0000"><b>{escape(title)}</b></font></td></tr>
        <tr><td align="center"><font color="#666666">发布日期：{report.published or "2025-01-20"}&nbsp;&nbsp;&nbsp;来源：{escape(report.organ or "")}&nbsp;&nbsp;&nbsp;点击数：<script>document.write(1234)</script></font></td></tr>
        <tr><td><hr size="1" color="#CCCCCC"></td></tr>
      </table>
      <table width="96%" border="0" align="center" cellpadding="0" cellspacing="0">
        <tr><td class="content" id="content" style="line-height:28px;font-size:14px">
{content}
        </td></tr>
      </table>
      <table width="96%" border="0" align="center"><tr><td align="right"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></td></tr></table>
    </td>
  </tr>
  <tr><td colspan="2" height="80" align="center" bgcolor="#E6E6E6"><font color="#666666">版权所有：{escape(site)}办公室&nbsp;&nbsp;技术支持：某某网络公司<br>备案号：晋ICP备05001234号&nbsp;&nbsp;建议使用IE6.0以上浏览器，1024*768分辨率浏览</font></td></tr>
</table>
</body>
</html>
"""


def _legacy_part(part: Part) -> str:
    if part.kind == "heading":
        return f'<b><font face="黑体">{escape(part.text)}</font></b><br>'
    if part.kind in ("paragraph", "closing"):
        indent = "" if part.kind == "closing" else "\u3000\u3000"
        return f'<font face="仿宋_GB2312" size="3">{indent}{escape(part.text)}</font><br>'
    assert part.grid is not None
    return _html_table(
        part.grid,
        table='<table width="100%" border="1" cellpadding="2" cellspacing="0" bordercolor="#000000" style="border-collapse:collapse">',
        cell=_legacy_cell,
        tr='<tr align="center">',
    )


def _legacy_cell(cell: GridCell) -> str:
    text = escape(cell.text) if cell.text else "&nbsp;"
    bold = ("<b>", "</b>") if cell.header else ("", "")
    return f'<td{_spans(cell)} height="24"><font size="2">{bold[0]}{text}{bold[1]}</font></td>'


# --- word ----------------------------------------------------------------------------------------

_RUN = "font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:&quot;Times New Roman&quot;"
_ASCII_RUN = "font-size:16.0pt;font-family:&quot;Times New Roman&quot;,serif;mso-fareast-font-family:仿宋_GB2312"
_CELL_RUN = "font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体;color:black;mso-font-kerning:0pt"
_RUN_LENGTH = 70  # Word splits runs at revisions and proofing marks; here every 70 characters
_WRAP = 30  # Word wraps its HTML source lines; here inside CJK text, where a browser adds no space


def _word(report: Report, charset: str) -> str:
    place = _place(report)
    site = f"{place}人民政府"
    body = "\n".join(_word_part(p) for p in parts(report))
    export = f"""<style>
<!--
 /* Font Definitions */
 @font-face {{font-family:宋体; panose-1:2 1 6 0 3 1 1 1 1 1; mso-font-charset:134;}}
 p.MsoNormal, li.MsoNormal, div.MsoNormal {{mso-style-unhide:no; margin:0cm; text-align:justify; font-size:10.5pt;}}
-->
</style>
<!--[if gte mso 9]><xml>
 <o:DocumentProperties><o:Author>三、收到和处理政府信息公开申请情况</o:Author></o:DocumentProperties>
</xml><![endif]-->
<div class=WordSection1 style='layout-grid:15.6pt'>
{body}
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>
</div>"""
    article = (
        f'<h1 class="article-title">{escape(_title(report))}</h1>\n'
        f'<div class="article-meta">发布时间：{report.published or "2025-01-20"}　来源：{escape(report.organ or "")}</div>\n'
        f'<div id="zoom" class="TRS_Editor">\n{export}\n</div>\n'
        '<div class="attachments">附件：<a href="/files/nb.docx">年度报告.docx</a></div>'
    )
    return _modern_page(_title(report), place, site, report.year or 2024, article, charset)


def _word_part(part: Part) -> str:
    if part.kind == "title":
        runs = f"<span style='font-size:22.0pt;font-family:方正小标宋简体'>{_wrap(escape(part.text))}</span>"
        return f"<p class=MsoNormal align=center style='text-align:center;line-height:28.0pt'><b>{runs}</b></p>"
    if part.kind == "heading":
        number, _, title = part.text.partition("、")
        return (
            "<p class=MsoNormal style='text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt'>"
            f"<span style='font-size:16.0pt;font-family:黑体'>{escape(number)}、</span>"
            f"<span style='font-size:16.0pt;font-family:黑体'>{escape(title)}<span lang=EN-US><o:p></o:p></span></span></p>"
            "\n<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
        )
    if part.kind == "closing":
        return f"<p class=MsoNormal align=right style='text-align:right;line-height:28.0pt'>{_runs(part.text)}</p>"
    if part.kind == "paragraph":
        return _word_paragraph(part.text)
    assert part.grid is not None
    return _html_table(
        part.grid,
        table=(
            "<div align=center><table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 width=604"
            " style='width:453.0pt;border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
            "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>"
        ),
        cell=_word_cell,
        tr="<tr style='mso-yfti-irow:0;height:20.0pt'>",
    ).replace("</tbody></table>", "</tbody></table></div>")


def _word_paragraph(text: str) -> str:
    style = "text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;mso-line-height-rule:exactly"
    if _is_subheading(text) and "）" in text:
        number, rest = text[: text.index("）") + 1], text[text.index("）") + 1 :]
        numbering = (
            f"<![if !supportLists]><span style='font-size:16.0pt;font-family:楷体_GB2312'>"
            f"<span style='mso-list:Ignore'>{escape(number)}</span></span><![endif]>"
        )
        return f"<p class=MsoListParagraph style='{style};mso-list:l0 level1 lfo1'>{numbering}{_runs(rest)}</p>"
    return f"<p class=MsoNormal style='{style}'>{_runs(text)}</p>"


def _runs(text: str) -> str:
    """Word's runs: a span per script (EN-US for ASCII), long runs cut every few characters."""
    out: list[str] = []
    run = ""
    for char in text:
        if run and (_wide(char) != _wide(run[-1]) or len(run) >= _RUN_LENGTH) and not char.isspace():
            out.append(_run(run))
            run = ""
        run += char
    if run:
        out.append(_run(run))
    return "".join(out)


def _run(text: str) -> str:
    if _wide(text[0]):
        return f"<span\nstyle='{_RUN}'>{_wrap(escape(text))}</span>"
    return f"<span lang=EN-US style='{_ASCII_RUN}'>{escape(text)}</span>"


def _wrap(text: str) -> str:
    """Break a long CJK text over source lines, as Word does, between two CJK characters."""
    out = ""
    width = 0
    for i, char in enumerate(text):
        if width >= _WRAP and i and _wide(text[i - 1]) and _wide(char):
            out += "\r\n"
            width = 0
        out += char
        width += 1
    return out


def _word_cell(cell: GridCell) -> str:
    style = (
        "width:40.0pt;border:solid windowtext 1.0pt;border-top:none;mso-border-top-alt:solid windowtext .5pt;"
        "mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt;height:20.0pt"
    )
    if not cell.text:
        inner = "<span lang=EN-US><o:p>&nbsp;</o:p></span>"
    elif cell.header and (at := _split_point(cell.text)) is not None and len(cell.text) >= 4:
        first, rest = escape(cell.text[:at]), escape(cell.text[at:])
        if len(cell.text) % 2:  # header text split by a line break
            inner = f"<span style='{_CELL_RUN}'>{first}<br>{rest}<o:p></o:p></span>"
        else:  # or across runs
            inner = f"<span style='{_CELL_RUN}'>{first}</span><span style='{_CELL_RUN}'>{rest}<o:p></o:p></span>"
    else:
        lang = "" if cell.text and _wide(cell.text[0]) else " lang=EN-US"
        inner = f"<span{lang} style='{_CELL_RUN}'>{escape(cell.text)}<o:p></o:p></span>"
    paragraph = f"<p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>{inner}</p>"
    return f"<td width=53{_spans(cell)} valign=center style='{style}'>{paragraph}</td>"


_STYLES: dict[str, Callable[[Report, str], str]] = {"modern": _modern, "legacy": _legacy, "word": _word}
