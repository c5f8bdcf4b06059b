"""The home page of each year: national totals, the year selector, provinces → prefectures →
counties with their figures and findings, and the findings counted by rule.

The latest year is index.html, every other year year/YYYY/index.html; each links to all.
Totals add only the figures a report printed: blanks and not-applicable markers are counted
apart, never as 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from nianbao.db.vocabulary import Severity, severity_zh
from nianbao.publish.pages import HOME_SERIES, ReportLink, report_link
from nianbao.publish.report_tables import CellView
from nianbao.publish.site_data import SiteData, SiteFinding, SiteReport
from nianbao.publish.stamp import newest


@dataclass(frozen=True)
class YearLink:
    year: int
    href: str
    current: bool


@dataclass(frozen=True)
class Total:
    label: str
    value: str
    blanks: int  # reports that left this figure blank (not counted as 0)


@dataclass(frozen=True)
class CountyRow:
    name: str
    code: str
    href: str
    report: ReportLink
    values: list[CellView]
    errors: int
    warnings: int


@dataclass(frozen=True)
class PrefectureGroup:
    name: str
    counties: list[CountyRow]


@dataclass(frozen=True)
class ProvinceGroup:
    name: str
    anchor: str
    prefectures: list[PrefectureGroup]
    count: int


@dataclass(frozen=True)
class RuleCount:
    rule: str
    title: str
    severity_label: str
    count: int


@dataclass(frozen=True)
class HomePage:
    path: str
    year: int | None
    years: list[YearLink]
    reports: int
    counties: int
    unapproved: int
    errors: int
    warnings: int
    totals: list[Total]
    series: list[str]
    provinces: list[ProvinceGroup]
    rule_counts: list[RuleCount]
    undated: list[CountyRow]
    updated: str | None  # the newest change of the reports it lists (publish/stamp.py)
    template: str = "home.html"

    @property
    def title(self) -> str:
        return f"{self.year}年度政府信息公开工作年度报告" if self.year else "政府信息公开工作年度报告"


def home_pages(data: SiteData, only: set[int | None] | None = None) -> Iterator[HomePage]:
    """The home page (latest year) and one page per year; the year links reach all of them.
    `only`: just these years' pages (an update that changed reports of these years alone)."""
    years = data.years
    latest = years[0] if years else None
    undated_reports = [r for r in data.reports if not r.year]  # listed on every year's page
    undated = [_county_row(data, r) for r in undated_reports]
    pages: list[int | None] = [*years] if years else [None]  # no year: one home page all the same
    for year in pages:
        if only is not None and year not in only:
            continue
        reports = [r for r in data.reports if year and r.year == year]
        findings = [f for r in reports for f in data.findings.get(r.id, [])]
        rows = [_county_row(data, r) for r in reports]
        yield HomePage(
            path=_home_path(year, latest),
            year=year,
            years=[YearLink(y, _home_path(y, latest), y == year) for y in years],
            reports=len(reports),
            counties=len({r.county_key for r in reports}),
            unapproved=sum(not r.approved for r in reports),
            errors=sum(f.severity == Severity.ERROR for f in findings),
            warnings=sum(f.severity != Severity.ERROR for f in findings),
            totals=_totals(data, reports),
            series=[data.labels.series(*k) for k in HOME_SERIES],
            provinces=_provinces(reports, rows),
            rule_counts=_rule_counts(data, findings),
            undated=undated,
            updated=newest(r.updated for r in (*reports, *undated_reports)),
        )


def _home_path(year: int | None, latest: int | None) -> str:
    return "index.html" if year == latest else f"year/{year}/index.html"


def _county_row(data: SiteData, report: SiteReport) -> CountyRow:
    figures = data.figures.get(report.id, {})
    findings = data.findings.get(report.id, [])
    errors = sum(f.severity == Severity.ERROR for f in findings)
    return CountyRow(
        report.name,
        report.region_code or "",
        report.county_page,
        report_link(report, {}),
        [CellView(figures.get(k)) for k in HOME_SERIES],
        errors,
        len(findings) - errors,
    )


def _totals(data: SiteData, reports: list[SiteReport]) -> list[Total]:
    out = []
    for key in HOME_SERIES:
        values = [data.figures.get(r.id, {}).get(key) for r in reports]
        numbers = [v for v in values if isinstance(v, int | float)]
        out.append(Total(data.labels.series(*key), CellView(sum(numbers)).text, len(values) - len(numbers)))
    return out


def _provinces(reports: list[SiteReport], rows: list[CountyRow]) -> list[ProvinceGroup]:
    """Provinces → prefectures → counties, in the order of the division codes (reports come
    sorted by code); places without a code last."""
    tree: dict[str, dict[str, list[CountyRow]]] = defaultdict(lambda: defaultdict(list))
    for report, row in sorted(
        zip(reports, rows), key=lambda pair: (not pair[0].region_code, pair[0].region_code or "")
    ):
        tree[report.province or "（省份未定）"][report.prefecture or "（地市未定）"].append(row)
    return [
        ProvinceGroup(
            name,
            f"p{i}",
            [PrefectureGroup(p, counties) for p, counties in prefectures.items()],
            sum(len(c) for c in prefectures.values()),
        )
        for i, (name, prefectures) in enumerate(tree.items(), 1)
    ]


def _rule_counts(data: SiteData, findings: list[SiteFinding]) -> list[RuleCount]:
    counts = Counter(f.rule for f in findings)
    return [RuleCount(r.id, r.title_zh, severity_zh(r.severity), counts[r.id]) for r in data.rules if counts[r.id]]
