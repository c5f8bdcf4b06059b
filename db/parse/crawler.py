"""A crawler's metadata header (标题: … 发布时间: … 原文链接: …) above a saved page's text.

Portal archives save a page as text with a few `key: value` lines and a separator before the
report. The header is no part of the report: it is taken off before the report is read, and its
title, date of publication and address help the identity where the report itself is silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.db.document import Block, Paragraph
from nianbao.db.parse.labels import nfkc

_FIELD = re.compile(r"^(标题|发布时间|发布日期|文号|发布机构|栏目|原文链接|本地目录|来源|索引号)\s*[:：]\s*(.*)$")
_SEPARATOR = re.compile(r"^[=\-—*#\s]{3,}(?:正文)?[=\-—*#\s]*$|^页面链接与图片详见")
_DATE = re.compile(r"((?:19|20)\d{2})[-/年.](\d{1,2})[-/月.](\d{1,2})")


@dataclass
class CrawlerHeader:
    title: str | None = None
    published: str | None = None  # ISO date of the page
    url: str | None = None


def strip_header(blocks: list[Block]) -> tuple[list[Block], CrawlerHeader | None]:
    """The blocks without a leading crawler header (the title kept as the first line), and the
    header's fields; the blocks unchanged and None when there is no header."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(blocks) and isinstance(block := blocks[i], Paragraph):
        text = nfkc(block.text).strip()
        m = _FIELD.match(text)
        if m:
            fields.setdefault(m.group(1), m.group(2).strip())
        elif not _SEPARATOR.match(text):
            break
        i += 1
    if "标题" not in fields and "原文链接" not in fields:
        return blocks, None
    header = CrawlerHeader(fields.get("标题") or None, _iso(fields.get("发布时间") or fields.get("发布日期")))
    header.url = fields.get("原文链接") or None
    rest = list(blocks[i:])
    if header.title:
        rest.insert(0, Paragraph(header.title, blocks[0].source))
    return rest, header


def _iso(text: str | None) -> str | None:
    m = _DATE.search(text or "")
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None
