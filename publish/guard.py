"""Nothing replaced silently: a publish that would leave the live site with fewer reports, or
without a county it shows, says what would disappear and goes ahead only when asked to
(`--allow-removals`, or the operator's confirmation in the app). An empty database over a live
site is the extreme case."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from nianbao.db.errors import NianbaoError

SHOWN = 5  # reports named in the message; the rest counted


@dataclass(frozen=True)
class Removals:
    """What the live site shows that the publish in hand would not."""

    live_reports: int
    new_reports: int
    live_counties: int
    new_counties: int
    reports: list[str]  # "霍城县人民政府 2023 (report 5)", those gone
    counties: list[str]  # counties (by name) with no report left

    @property
    def any(self) -> bool:
        """Fewer reports or fewer counties than live (a report moved to another county, a
        correction of its place, is not a loss)."""
        return self.new_reports < self.live_reports or self.new_counties < self.live_counties

    def describe(self) -> str:
        """'网站现有 7 份报告，这次发布只有 0 份；将消失：…'."""
        named = "、".join(self.reports[:SHOWN]) + (f" 等 {len(self.reports)} 份" if len(self.reports) > SHOWN else "")
        lost = f"；不再有报告的县：{'、'.join(self.counties[:SHOWN])}" if self.counties else ""
        if len(self.counties) > SHOWN:
            lost += f" 等 {len(self.counties)} 个"
        return (
            f"网站现有 {self.live_reports} 份报告、{self.live_counties} 个县，"
            f"这次发布只有 {self.new_reports} 份、{self.new_counties} 个县"
            + (f"；将消失：{named}" if named else "")
            + lost
        )


class WouldRemove(NianbaoError):
    """A publish refused because it would remove reports or counties from the live site."""

    def __init__(self, removals: Removals) -> None:
        super().__init__(f"{removals.describe()}。确需如此请加 --allow-removals")
        self.removals = removals


def removals(live_db: Path | None, reports: list[dict]) -> Removals | None:
    """Compare the live published database with the reports about to be published."""
    if live_db is None or not live_db.is_file():
        return None
    try:
        with sqlite3.connect(f"file:{live_db}?mode=ro", uri=True) as conn:
            live = conn.execute("SELECT id, organ, year, region_code, province, region FROM reports").fetchall()
    except sqlite3.Error:
        return None
    kept = {r["id"] for r in reports}
    counties = {_county(r["region_code"], r["province"], r["region"]) for r in reports}
    gone = [f"{organ or '（机关未定）'} {year or ''}（报告 {id}）" for id, organ, year, *_ in live if id not in kept]
    live_counties = {_county(code, province, region) for _, _, _, code, province, region in live}
    lost = sorted(live_counties - counties)
    return Removals(len(live), len(reports), len(live_counties), len(counties), gone, lost)


def _county(code: str | None, province: str | None, region: str | None) -> str:
    return f"{province or ''}{region or ''}" if code else f"{region or '地区未定'}（无代码）"
