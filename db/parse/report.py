"""Map a form-neutral document onto the canonical report (docs/format.md).

    document (blocks) -> outline (front matter + six sections) -> identity, tables, narratives

The parser raises ParseError for a document that is not an annual report or is truncated; for
everything else it returns a report whose doubtful cells carry notes.
"""

from __future__ import annotations

from nianbao.db.document import Block, Document
from nianbao.db.errors import ParseError
from nianbao.db.format import FORMAT_2019, FORMAT_2019_MARKERS, FORMAT_2021, SECTION_BY_KEY, ReportFormat
from nianbao.db.model import Note, Report
from nianbao.db.parse.crawler import CrawlerHeader, strip_header
from nianbao.db.parse.identity import (
    closing_lines,
    find_period,
    find_title,
    find_website,
    opening_organ,
    resolve_identity,
)
from nianbao.db.parse.labels import normalize
from nianbao.db.parse.running import RunningTables, find_running, read_running, settle_by_narrative
from nianbao.db.parse.sections import Outline, SectionText, lines_of, narrative, outline, unfold
from nianbao.db.parse.tables import parse_table2, parse_table3, parse_table4, rows_of
from nianbao.db.regions import resolve_region

TABLE_SECTIONS = ("proactive", "requests", "reviews")
GET_COMPLETE = "请导入完整的副本（发布的 PDF 或 Word 文件，或整个网页）"
REPLACEMENT = "\ufffd"  # what a reader puts where bytes could not be decoded
UNDECODABLE = "undecodable"  # the code of the note saying so


def parse_document(document: Document) -> Report:
    """Tables as the blocks lay them out when they do; else (a report whose borders were lost)
    tables found by their content in the running text. Refused only when neither finds them."""
    blocks, header = strip_header(document.blocks)
    try:
        report = _parse_blocks(document, blocks, header)
    except ParseError as refusal:
        running = read_running(blocks)
        if running is None:
            raise refusal from None
        return _parse_running(document, blocks, header, running)
    if not any(note.code in _ROW_TROUBLE for note in report.notes):
        return report
    # Rows the layout could not give (a converter's Markdown: labels apart from their numbers, a
    # number on a line of its own): the running text may read them; the reading with fewer blanks
    # wins. Its blanks are known before its runs are split (`RunningRows.blank_cells`: what the
    # sums settle is never blank, and nothing after them fills a cell), so a reading that cannot
    # win is not finished.
    blanks = _blank_cells(report)
    if blanks == 0:
        return report
    rows = find_running(blocks)
    if rows is None or rows.blank_cells() >= blanks:
        return report
    other = _parse_running(document, blocks, header, rows.settle())
    return other if _blank_cells(other) < blanks else report


_ROW_TROUBLE = ("row-incomplete", "row-missing", "row-extra-values", "row-unrecognised")


def _blank_cells(report: Report) -> int:
    return sum(value.value is None for _, _, _, value in report.cells())


def _parse_blocks(document: Document, blocks: list[Block], header: CrawlerHeader | None) -> Report:
    parts = outline(blocks)
    _require_report(parts)
    spec = detect_format(parts.sections["proactive"].blocks)
    report = _identify(parts, header, spec)
    _read_tables(report, parts, spec)
    return _finish(report, parts, document)


def _parse_running(
    document: Document, blocks: list[Block], header: CrawlerHeader | None, running: RunningTables
) -> Report:
    parts = outline(unfold(blocks))
    report = _identify(parts, header, running.format)
    report.table2 = {k: vs[0] for k, vs in running.table2.values.items()}
    report.table3 = running.table3.values
    report.table4 = {k: vs[0] for k, vs in running.table4.values.items()}
    report.notes = [*running.table2.notes, *running.table3.notes, *running.table4.notes]
    _finish(report, parts, document)
    settle_by_narrative(report)
    return report


def _identify(parts: Outline, header: CrawlerHeader | None, spec: ReportFormat) -> Report:
    signature, published = _close(parts) if parts.sections else (None, None)
    first = min(parts.sections.values(), key=lambda section: section.section.number, default=None)
    body = "\n".join(p.text for p in lines_of(first.blocks)) if first else ""
    title, title_organ, year = find_title(parts.front, body)
    identity = resolve_identity(title_organ, signature, year, title, opening_organ(parts.front))
    front_text = "\n".join(p.text for p in lines_of(parts.front))
    report = Report(
        organ=identity.organ,
        region=identity.region,
        year=identity.year,
        format=spec.version,
        published=published or (header.published if header else None),
        title=title,
        period=find_period(front_text),
        website=find_website(front_text) or (header.url if header else None),
        preamble="\n\n".join(p.text.lstrip("#").strip() for p in lines_of(parts.front)),
    )
    if report.year is None and report.period:
        report.year = int(report.period[:4])
    return report


def _finish(report: Report, parts: Outline, document: Document) -> Report:
    for key, section in parts.sections.items():
        if SECTION_BY_KEY[key].narrative:
            report.sections[key] = narrative(section)
            report.section_sources[key] = section.heading.source
    place(report)
    report.notes += undecodable(document.blocks)
    return report


def undecodable(blocks: list[Block]) -> list[Note]:
    """A note when the text holds characters the reader could not decode (shown as �): the
    report is kept, and the operator is told where to compare it with the original."""
    damaged = [cell for row in rows_of(blocks) for cell in row if REPLACEMENT in cell.text]
    if not damaged:
        return []
    count = sum(cell.text.count(REPLACEMENT) for cell in damaged)
    where = damaged[0].source
    message = f"有{count}个字符无法解码，显示为{REPLACEMENT}，第一个在{where.describe()}：请与原文件核对"
    return [Note(UNDECODABLE, (), message, where)]


def place(report: Report) -> None:
    """Put the report on the map: its region's division code, province and prefecture, using the
    organ, the text and the web address to tell apart counties that share a name."""
    text = "\n".join([report.title or "", report.preamble, *report.sections.values()])
    match = resolve_region(report.region, organ=report.organ, text=text, website=report.website)
    report.region_note = match.reason
    if match.division is not None:
        report.region_code = match.division.code
        report.province = match.division.province
        report.prefecture = match.division.prefecture


def _require_report(parts: Outline) -> None:
    missing = [SECTION_BY_KEY[k] for k in TABLE_SECTIONS if k not in parts.sections]
    if len(missing) == len(TABLE_SECTIONS) and len(parts.sections) < 2:
        raise ParseError("不是政府信息公开工作年度报告：六个部分一个也没有找到；请确认这是报告的文件")
    if missing:
        names = "、".join(f"“{'一二三四五六'[s.number - 1]}、{s.title}”" for s in missing)
        raise ParseError(f"缺少{names}部分：报告似乎不完整；{GET_COMPLETE}")


def _close(parts: Outline) -> tuple[str | None, str | None]:
    """Take the closing organ/date lines off the last section, so the narrative ends where the
    report's text does."""
    last = max(parts.sections.values(), key=lambda s: s.section.number)
    last.blocks, signature, published = closing_lines(last.blocks)
    return signature, published


def detect_format(blocks: list[Block]) -> ReportFormat:
    """2019 if table 二 carries a label only the 2019 format has, else 2021."""
    markers = {normalize(m) for m in FORMAT_2019_MARKERS}
    if any(normalize(cell.text) in markers for row in rows_of(blocks) for cell in row):
        return FORMAT_2019
    return FORMAT_2021


def _read_tables(report: Report, parts: Outline, spec: ReportFormat) -> None:
    sections: dict[str, SectionText] = parts.sections
    t2 = parse_table2(sections["proactive"].blocks, spec)
    t3 = parse_table3(sections["requests"].blocks, spec)
    t4 = parse_table4(sections["reviews"].blocks, spec)
    for name, result in (("二", t2), ("三", t3), ("四", t4)):
        if not result.found:
            raise ParseError(f"表{name}没有可识别的行：报告似乎不完整；{GET_COMPLETE}")
    report.table2 = {k: vs[0] for k, vs in t2.values.items()}
    report.table3 = t3.values
    report.table4 = {k: vs[0] for k, vs in t4.values.items()}
    report.notes = [*t2.notes, *t3.notes, *t4.notes]
