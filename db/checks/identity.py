"""IDENTITY: who published the report, where and for which year must be known before its figures
can be placed on the map and compared across years."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from nianbao.db.checks.registry import ERROR, Context, Finding, rule

FIRST_YEAR = 2008  # the regulation (条例) took effect on 1 May 2008: no report covers an earlier year


@rule(
    "IDENTITY",
    ERROR,
    "Organ, region and year known",
    "机关、地区、年度可确定",
    "The publishing organ, its administrative division (a 6-digit GB/T 2260 code) and the report year must be "
    "determined; when a county name is shared by several places or no longer exists, the operator chooses.",
)
def identity(context: Context) -> Iterable[Finding]:
    report = context.report
    if not report.organ:
        yield Finding("IDENTITY", ERROR, ("organ",), "the publishing organ could not be determined", "无法确定发布机关")
    if report.year is None:
        yield Finding("IDENTITY", ERROR, ("year",), "the report year could not be determined", "无法确定报告年度")
    else:
        yield from _impossible_year(report.year, report.published)
    if not report.region_code:
        yield Finding(
            "IDENTITY",
            ERROR,
            ("region_code",),
            f"the region {report.region or '(none)'} has no division code"
            + (f": {report.region_note}" if report.region_note else ""),
            f"无法确定地区“{report.region or '无'}”的行政区划代码"
            + (f"：{report.region_note}" if report.region_note else ""),
        )


def _impossible_year(year: int, published: str | None) -> Iterator[Finding]:
    """A year read but impossible: before the regulation, not over yet, or after the report's own
    date. Its figures would be placed in the wrong year, so the operator decides."""
    last = date.today().year - 1  # a report covers a year that is over
    if not FIRST_YEAR <= year <= last:
        yield Finding(
            "IDENTITY",
            ERROR,
            ("year",),
            f"the report year {year} is impossible: reports cover {FIRST_YEAR} to {last}",
            f"报告年度{year}年不可能：年度报告只涵盖{FIRST_YEAR}年至{last}年",
        )
    elif published and published < f"{year + 1}-01-01":
        yield Finding(
            "IDENTITY",
            ERROR,
            ("year", "published"),
            f"the report is dated {published}, before its year {year} was over: the year or the date is wrong",
            f"落款日期{published}早于报告年度{year}年结束，年度或日期有误",
        )
