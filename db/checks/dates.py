"""When a report was published and which period it covers: LATE and PERIOD.

The deadlines come from the regulation (条例 第四十九、五十条, see docs/format.md "Who publishes, when"):
a department's or an office's own report by 31 January of the following year, a people's
government's report for its whole level by 31 March.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date

from nianbao.db.checks.registry import WARNING, Context, Finding, rule
from nianbao.db.model import Report
from nianbao.db.parse.labels import nfkc
from nianbao.db.parse.numerals import chinese_year

_WHOLE_GOVERNMENT = "人民政府"
# A year named in a title: 2024年, 2024 年度, 二〇二四年.
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})(?!\d)\s*年")


def is_whole_government(report: Report) -> bool:
    """A people's government reporting for its whole level (霍城县人民政府, or just 霍城县), as
    opposed to a department or a government office (…人民政府办公室), which reports for itself."""
    organ = (report.organ or "").strip()
    if not organ:
        return False
    return organ.endswith(_WHOLE_GOVERNMENT) or (report.region is not None and organ == report.region)


def deadline(report: Report) -> date | None:
    """The legal publication deadline of a report, or None without a year."""
    if report.year is None:
        return None
    return date(report.year + 1, 3 if is_whole_government(report) else 1, 31)


def _iso(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@rule(
    "LATE",
    WARNING,
    "Published after the deadline",
    "逾期发布",
    "The date a report carries is compared with its legal deadline: 31 January of the following year for a "
    "department's or an office's report, 31 March for a people's government's report for its whole level "
    "(条例 第四十九、五十条). A later date means the public got the figures late.",
)
def late(context: Context) -> Iterable[Finding]:
    report = context.report
    published, due = _iso(report.published), deadline(report)
    if published is None or due is None or published <= due:
        return
    whole = is_whole_government(report)
    kind = "a people's government's report for its whole level" if whole else "a department's or office's report"
    kind_zh = "本级人民政府年度报告" if whole else "部门（含政府办公室）年度报告"
    days = (published - due).days
    yield Finding(
        "LATE",
        WARNING,
        ("published",),
        f"dated {published.isoformat()}, {days} day(s) after the deadline of {due.isoformat()} for {kind}",
        f"落款日期{published.isoformat()}，晚于{kind_zh}的发布期限{due.isoformat()}（逾期{days}天）",
        due.isoformat(),
        published.isoformat(),
    )


def _period_dates(period: str) -> tuple[date, date] | None:
    start, _, end = period.partition("/")
    first, last = _iso(start), _iso(end)
    return (first, last) if first and last else None


def title_years(title: str) -> list[int]:
    """Every year the title names (2024年, 二〇二四年), in order."""
    years = (chinese_year(m.group(1)) for m in _TITLE_YEAR.finditer(nfkc(title)))
    return [year for year in years if year is not None]  # the pattern admits only years: none is dropped


def _period_findings(report: Report, year: int) -> Iterator[Finding]:
    dates = _period_dates(report.period) if report.period else None
    if dates is None:
        return  # not stated, or not read as two dates: nothing to compare
    expected = f"{year}-01-01/{year}-12-31"
    if (dates[0], dates[1]) != (date(year, 1, 1), date(year, 12, 31)):
        yield Finding(
            "PERIOD",
            WARNING,
            ("period",),
            f"the statistics period stated is {report.period}, not the calendar year {year} ({expected})",
            f"报告所述统计期限为{report.period}，与报告年度{year}年（{expected}）不符",
            expected,
            report.period,
        )


def _title_findings(report: Report, year: int) -> Iterator[Finding]:
    others = sorted({y for y in title_years(report.title or "") if y != year})
    if others:
        named = ", ".join(map(str, others))
        yield Finding(
            "PERIOD",
            WARNING,
            ("title",),
            f"the title names {named}, but the report is for {year}: “{report.title}”",
            f"标题中出现{named}年，与报告年度{year}年不符：“{report.title}”",
            str(year),
            named,
        )


@rule(
    "PERIOD",
    WARNING,
    "Period or title year differs from the report year",
    "统计期限或标题年份与报告年度不符",
    "Statistics cover 1 January to 31 December of the report year. A report that states another period, or "
    "whose title names another year, may count the wrong months or carry a title left over from another year.",
)
def period(context: Context) -> Iterable[Finding]:
    report = context.report
    if report.year is None:
        return  # IDENTITY reports a missing year
    yield from _period_findings(report, report.year)
    yield from _title_findings(report, report.year)
