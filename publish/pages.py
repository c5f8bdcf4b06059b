"""Gathering: one context object per page, from the published database, before any rendering.

Every page is a frozen dataclass with its path under the site root (stable URLs by region code
and year) and its template; every link inside it is relative to the site root, and the renderer
prefixes it with the way back to the root from the page's folder. Untrusted report text arrives
here cleaned (site_data) and leaves either as plain strings for Jinja to escape or as Markup
rendered from escaped Markdown by the one MarkdownIt.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import Markup

from nianbao.db.checks.explanations_zh import explanation_zh
from nianbao.db.format import NARRATIVE_SECTIONS, SECTION_BY_KEY
from nianbao.db.model import CellValue
from nianbao.db.vocabulary import severity_zh
from nianbao.publish import charts
from nianbao.publish.markdown import render_text
from nianbao.publish.report_tables import BLANK, NUMERALS, CellView, TableView, report_tables
from nianbao.publish.site_data import SiteCorrection, SiteData, SiteReport, stream_cells
from nianbao.publish.stamp import newest
from nianbao.publish.untrusted import prefecture_key, website_text

Key = tuple[str, str, str]  # (table, row, column); column is "" in tables 二 and 四

# The figures a reader looks for first (home page, latest figures), then the rest of the series
# a county page lays side by side. Labels come from the published labels table.
HOME_SERIES: tuple[Key, ...] = (
    ("table3", "new_received", "total"),
    ("table3", "granted", "total"),
    ("table3", "carried_forward", "total"),
    ("table4", "review_total", ""),
    ("table4", "suit_direct_total", ""),
    ("table4", "suit_after_review_total", ""),
)
COUNTY_SERIES: tuple[Key, ...] = (
    ("table3", "new_received", "total"),
    ("table3", "carried_over", "total"),
    ("table3", "granted", "total"),
    ("table3", "partial", "total"),
    ("table3", "total", "total"),
    ("table3", "carried_forward", "total"),
    ("table4", "review_total", ""),
    ("table4", "suit_direct_total", ""),
    ("table4", "suit_after_review_total", ""),
    ("table2", "normative_made", ""),
    ("table2", "licensing", ""),
    ("table2", "punishment", ""),
    ("table2", "enforcement", ""),
    ("table2", "fees_wan", ""),
)
CHARTS: tuple[tuple[str, str, tuple[Key, ...]], ...] = (
    ("applications", "政府信息公开申请（件）", HOME_SERIES[:3]),
    ("reviews", "行政复议、行政诉讼（件）", HOME_SERIES[3:]),
)
METHODOLOGY = "methodology/index.html"
DOWNLOADS = "downloads/index.html"
SEARCH = "search/index.html"


@dataclass(frozen=True)
class File:
    """Bytes to write at a path under the site root."""

    path: str
    content: bytes


# --- Shared pieces -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLink:
    label: str  # the year, with the organ when a county has two reports that year
    year: str  # 2024, or 未定
    organ: str
    href: str
    approved: bool
    source_href: str | None
    source_form: str


@dataclass(frozen=True)
class FindingView:
    report: ReportLink
    rule: str
    rule_title: str
    severity: str
    severity_label: str
    cells: str
    message: Markup


@dataclass(frozen=True)
class NarrativeView:
    title: str
    html: Markup


@dataclass(frozen=True)
class SeriesRow:
    label: str
    cells: list[CellView]


def report_link(report: SiteReport, labels: dict[int, str]) -> ReportLink:
    return ReportLink(
        labels.get(report.id, report.year_label),
        str(report.year or "未定"),
        report.organ,
        report.page,
        report.approved,
        report.source_file,
        report.source_form,
    )


def column_labels(reports: list[SiteReport]) -> dict[int, str]:
    """A county's reports named by year; a year with two reports adds the organ."""
    per_year = Counter(r.year for r in reports)
    return {r.id: f"{r.year_label}（{r.organ}）" if per_year[r.year] > 1 else r.year_label for r in reports}


def finding_views(data: SiteData, report: SiteReport, link: ReportLink) -> list[FindingView]:
    titles = {r.id: r.title_zh for r in data.rules}
    return [
        FindingView(
            link,
            f.rule,
            titles.get(f.rule, f.rule),
            f.severity,
            severity_zh(f.severity),
            "、".join(data.labels.path(p) for p in f.cells),
            render_text(_named(f.message_zh, f.cells, data)),
        )
        for f in data.findings.get(report.id, [])
    ]


def _named(message: str, cells, data: SiteData) -> str:
    """A finding's message with its cell paths named as the form names them (table3.ROW.* → the
    row's label): a reader never meets a key."""
    for path in sorted(cells, key=len, reverse=True):
        message = message.replace(path, data.labels.path(path))
    return message


def narrative_views(texts: dict[str, str]) -> list[NarrativeView]:
    out = []
    for key in NARRATIVE_SECTIONS:
        section = SECTION_BY_KEY[key]
        out.append(NarrativeView(f"{NUMERALS[section.number]}、{section.title}", render_text(texts.get(key, ""))))
    return out


def search_chars(name: str) -> str:
    """A name spelled out one character at a time (夏 县): Pagefind keeps a two-character name as
    one word while the browser splits the query into characters, so 夏县 would not be found. The
    copy is bracketed 〔…〕 so that the search page cuts it out of the excerpts it shows
    (site/static/search.js).

    Only a county's own page carries the copies (site/templates/county.html): its name, weighted
    heaviest, and its prefecture's, light. The query 霍城县 is searched as 霍, 城 and 县, and each
    province's bundle scores its pages by its own counts (publish/search_index.py): a character
    on every page of a bundle counts for almost nothing there. When 霍城县's report pages carried
    the copy too, 霍城县 was the only county of its bundle and its name's characters were on every
    page of it, so 夏县's page, whose 运城市 gave 城 in a bundle where 城 is rare, came first.
    A report page is found by its own words and from its county's page, which lists it."""
    return f"〔{' '.join(name)}〕" if name else ""


# --- County and report pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    src: str
    alt: str
    caption: str


@dataclass(frozen=True)
class CountyPage:
    path: str
    name: str
    code: str
    province: str
    prefecture: str
    reports: list[ReportLink]
    latest: ReportLink
    latest_figures: list[tuple[str, CellView]]
    rows: list[SeriesRow]
    charts: list[Chart]
    narratives: list[NarrativeView]
    findings: list[FindingView]
    search_name: str  # search_chars of the county's name and of its prefecture
    search_place: str
    years: list[int]
    updated: str | None  # the newest change of the county's reports (publish/stamp.py)
    template: str = "county.html"

    @property
    def title(self) -> str:
        return f"{self.name} · 政府信息公开工作年度报告"

    @property
    def download_key(self) -> str:
        """Names its prefecture's download files (downloads/table3-1305.csv)."""
        return prefecture_key(self.code)


@dataclass(frozen=True)
class CorrectionView:
    cell: str
    printed: str
    corrected: str
    reason: Markup
    date: str


@dataclass(frozen=True)
class ReportPage:
    path: str
    report: SiteReport
    link: ReportLink
    county_href: str
    website: str
    tables: list[TableView]
    narratives: list[NarrativeView]
    findings: list[FindingView]
    corrections: list[CorrectionView]
    others: list[ReportLink]
    updated: str | None  # as its county page: a neighbouring year's change may change its findings
    template: str = "report.html"

    @property
    def title(self) -> str:
        return f"{self.report.organ or self.report.name} {self.report.year_label} · 政府信息公开工作年度报告"


def county_outputs(
    conn: sqlite3.Connection, data: SiteData, only: set[str] | None = None
) -> Iterator[tuple[str, list[CountyPage | ReportPage | File]]]:
    """Per county (name, its page, its reports' pages, its charts), streaming the cells; every
    county, or those whose keys are in `only`."""
    ids = None if only is None else [r.id for r in data.reports if r.county_key in only]
    feed = _CellFeed(stream_cells(conn, data, ids))
    for key, reports in data.counties():
        if only is not None and key not in only:
            continue
        cells = {r.id: feed.take(r.id) for r in reports}
        yield reports[0].name, list(_county(data, reports, cells))


class _CellFeed:
    """Cells come in the order of the reports, but a report may have none."""

    def __init__(self, stream: Iterator[tuple[int, dict[Key, CellView]]]) -> None:
        self._stream = stream
        self._next = next(stream, None)

    def take(self, report_id: int) -> dict[Key, CellView]:
        if self._next is None or self._next[0] != report_id:
            return {}
        cells = self._next[1]
        self._next = next(self._stream, None)
        return cells


def _county(
    data: SiteData, reports: list[SiteReport], cells: dict[int, dict[Key, CellView]]
) -> Iterator[CountyPage | ReportPage | File]:
    labels = column_labels(reports)
    links = {r.id: report_link(r, labels) for r in reports}
    findings = {r.id: finding_views(data, r, links[r.id]) for r in reports}
    narratives = {r.id: narrative_views(data.narratives.get(r.id, {})) for r in reports}  # the latest's twice
    first, latest = reports[0], reports[-1]
    updated = newest(r.updated for r in reports)
    files = [_chart(first, key, title, series, reports, labels, cells, data) for key, title, series in CHARTS]
    yield from (f for f, _ in files)
    yield CountyPage(
        path=first.county_page,
        name=first.name,
        code=first.region_code or "",
        province=first.province,
        prefecture=first.prefecture,
        reports=[links[r.id] for r in reversed(reports)],
        latest=links[latest.id],
        latest_figures=[(data.labels.series(*k), cells[latest.id].get(k, BLANK)) for k in HOME_SERIES],
        rows=[SeriesRow(data.labels.series(*k), [cells[r.id].get(k, BLANK) for r in reports]) for k in COUNTY_SERIES],
        charts=[chart for _, chart in files],
        narratives=narratives[latest.id],
        findings=[f for r in reversed(reports) for f in findings[r.id]],
        search_name=search_chars(first.region),
        search_place=search_chars(first.prefecture if first.prefecture != first.region else ""),
        years=sorted({r.year for r in reports if r.year}),
        updated=updated,
    )
    for report in reports:
        yield ReportPage(
            path=report.page,
            report=report,
            link=links[report.id],
            county_href=report.county_page,
            website=website_text(report.website),
            tables=report_tables(report.format, cells[report.id]),
            narratives=narratives[report.id],
            findings=findings[report.id],
            corrections=[_correction_view(data, c) for c in data.corrections.get(report.id, [])],
            others=[links[r.id] for r in reversed(reports) if r is not report],
            updated=updated,
        )


def _chart(
    county: SiteReport,
    key: str,
    title: str,
    series: tuple[Key, ...],
    reports: list[SiteReport],
    labels: dict[int, str],
    cells: dict[int, dict[Key, CellView]],
    data: SiteData,
) -> tuple[File, Chart]:
    x_labels = [labels[r.id] for r in reports]
    lines = [(data.labels.series(*k), [cells[r.id].get(k, BLANK).value for r in reports]) for k in series]
    path = f"region/{county.county_key}/chart-{key}.svg"
    svg = charts.bar_chart(key, title, x_labels, lines)
    described = "；".join(
        f"{label}：" + "，".join(f"{x} {_figure(v)}" for x, v in zip(x_labels, values)) for label, values in lines
    )
    return File(path, svg), Chart(path, f"{title}。{described}", title)


def _figure(value: CellValue) -> str:
    return "空缺" if value is None else CellView(value).text


def _correction_view(data: SiteData, c: SiteCorrection) -> CorrectionView:
    return CorrectionView(
        data.labels.path(c.cell),
        "空白" if c.printed_value in (None, "") else str(c.printed_value),
        "空白" if c.corrected_value in (None, "") else str(c.corrected_value),
        render_text(c.reason),
        c.date,
    )


# --- Methodology, downloads, search --------------------------------------------------------------


@dataclass(frozen=True)
class RuleView:
    id: str
    severity: str
    severity_label: str
    title_zh: str
    title: str
    explanation: Markup
    count: int
    explanation_zh: str = ""


@dataclass(frozen=True)
class MethodologyPage:
    rules: list[RuleView]
    updated: str | None  # the newest change of any report shown (publish/stamp.py)
    path: str = METHODOLOGY
    template: str = "methodology.html"
    title: str = "方法说明"


def methodology_page(data: SiteData) -> MethodologyPage:
    counts = Counter(f.rule for findings in data.findings.values() for f in findings)
    return MethodologyPage(
        [
            RuleView(
                r.id,
                r.severity,
                severity_zh(r.severity),
                r.title_zh,
                r.title,
                render_text(r.explanation),
                counts[r.id],
                explanation_zh(r.id),
            )
            for r in data.rules
        ],
        data.updated,
    )


class DownloadFile(NamedTuple):
    kind: str  # CSV, JSON
    href: str
    size: int  # bytes

    @property
    def size_text(self) -> str:
        """The size as people read it: 1.2 MB, 830 KB."""
        for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
            if self.size >= scale:
                return f"{self.size / scale:.1f} {unit}"
        return f"{self.size} B"


@dataclass(frozen=True)
class ProvinceFiles:
    key: str  # publish.untrusted.prefecture_key
    name: str  # as the reports name it (河北省 石家庄市)
    reports: int
    files: list[DownloadFile]


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    rows: int
    files: list[DownloadFile] = field(default_factory=list)  # one national file per format
    parts: list[ProvinceFiles] = field(default_factory=list)  # or one per prefecture
    title: str = ""  # short, in Chinese: 表三, 单元格


@dataclass(frozen=True)
class DownloadsPage:
    datasets: list[Dataset]
    database: tuple[str, int]  # (href, bytes)
    updated: str | None
    path: str = DOWNLOADS
    template: str = "downloads.html"
    title: str = "数据下载"

    @property
    def split(self) -> list[Dataset]:
        """The tables downloaded prefecture by prefecture."""
        return [d for d in self.datasets if d.parts]

    @property
    def provinces(self) -> list[tuple[ProvinceFiles, list[list[DownloadFile]]]]:
        """One row per prefecture: its name and report count, then its files of each split table."""
        split = self.split
        if not split:
            return []
        return [(part, [d.parts[i].files for d in split]) for i, part in enumerate(split[0].parts)]

    @property
    def database_size(self) -> str:
        return DownloadFile("SQLite", *self.database).size_text


@dataclass(frozen=True)
class SearchPage:
    enabled: bool  # Pagefind cannot index a site without reports
    updated: str | None
    path: str = SEARCH
    template: str = "search.html"
    title: str = "搜索"
