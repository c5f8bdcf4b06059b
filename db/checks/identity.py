"""IDENTITY: who published the report, where and for which year must be known before its figures
can be placed on the map and compared across years."""

from __future__ import annotations

from collections.abc import Iterable

from db.checks.registry import ERROR, Context, Finding, rule


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
    if not report.region_code:
        note = f": {report.region_note}" if report.region_note else ""
        yield Finding(
            "IDENTITY",
            ERROR,
            ("region_code",),
            f"the region {report.region or '(none)'} has no division code{note}",
            f"无法确定地区“{report.region or '无'}”的行政区划代码{note}",
        )
