"""Reading the published database for the site: a handful of queries, nothing per cell.

Site-wide data (reports, rules, labels, findings, corrections, narratives, the few figures the
home page lists) is read once; the cells, the bulk, are streamed county by county in one query
ordered like the reports, so memory stays bounded by the largest county.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from nianbao.db.format import FORMATS, RESULTS_GROUP, cell_path, parse_cell_path, short_label
from nianbao.db.model import CellValue
from nianbao.db.vocabulary import IDENTITY_NAMES
from nianbao.publish.report_tables import OUTSIDE_RESULTS, CellView
from nianbao.publish.stamp import newest
from nianbao.publish.untrusted import clean, clean_row, clean_rows, region_key, source_path

REPORT_ORDER = "ORDER BY region_code, year, id"


@dataclass(frozen=True)
class SiteReport:
    """One published report and where its pages are."""

    id: int
    organ: str
    region: str
    region_code: str | None
    province: str
    prefecture: str
    year: int | None
    format: str | None
    published: str | None
    title: str
    period: str
    website: str
    approved: bool
    source_file: str | None  # vetted path under the site root, or None
    source_form: str
    county_key: str
    slug: str  # the report's folder under its county: the year, or year-ID when a county has two
    updated: str | None = None  # when its data last changed, UTC (publish/stamp.py)

    @property
    def county_page(self) -> str:
        return f"region/{self.county_key}/index.html"

    @property
    def page(self) -> str:
        return f"region/{self.county_key}/{self.slug}/index.html"

    @property
    def name(self) -> str:
        """What the county is called: the region, or the organ when no region was found."""
        return self.region or self.organ or f"报告 {self.id}"

    @property
    def year_label(self) -> str:
        return f"{self.year}年" if self.year else "年度未定"


@dataclass(frozen=True)
class PublishedRule:
    id: str
    severity: str
    title: str
    title_zh: str
    explanation: str


@dataclass(frozen=True)
class SiteFinding:
    report_id: int
    rule: str
    severity: str
    cells: tuple[str, ...]
    message_zh: str


@dataclass(frozen=True)
class SiteCorrection:
    report_id: int
    cell: str
    printed_value: object
    corrected_value: object
    reason: str
    date: str


class Labels:
    """Chinese labels of keys and cell paths, from the published labels table."""

    def __init__(self, rows: list[dict]) -> None:
        self._by_key = {(r["table_name"], r["kind"], r["key"]): r["label"] for r in rows}

    def get(self, table: str, kind: str, key: str) -> str:
        return self._by_key.get((table, kind, key), key)

    def series(self, table: str, row: str, column: str) -> str:
        """A figure's label: table 三's row as the format prints it without numbering or remark,
        under its heading when it is a result (本年度办理结果·总计), with its column unless it is
        总计; or the cell's label in tables 二 and 四."""
        if table != "table3":
            return self.get(table, "cell", row)
        label = row_label(row)
        return label if column == "total" else f"{label}·{self.get('table3', 'column', column)}"

    def path(self, path: str) -> str:
        """A cell path (table3.total.natural, table3.total.*, table2.licensing, organ) in words."""
        if path in IDENTITY_NAMES:
            return IDENTITY_NAMES[path]
        table, key, column = parse_cell_path(path)
        if table == "table3":
            row_label = self.get("table3", "row", key)
            return (
                f"{row_label}（整行）" if column in ("*", "") else f"{row_label}·{self.get('table3', 'column', column)}"
            )
        return self.get(table, "cell", key) if key else path


@dataclass
class SiteData:
    reports: list[SiteReport]
    rules: list[PublishedRule]
    labels: Labels
    findings: dict[int, list[SiteFinding]]
    corrections: dict[int, list[SiteCorrection]]
    narratives: dict[int, dict[str, str]]
    figures: Mapping[int, dict[tuple[str, str, str], CellValue]]  # the home page's figures per report

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.reports if r.year}, reverse=True)

    @property
    def updated(self) -> str | None:
        """When the data of the whole site last changed (publish/stamp.py)."""
        return newest(r.updated for r in self.reports)

    def counties(self) -> Iterator[tuple[str, list[SiteReport]]]:
        """(county key, its reports by year) in the order of the reports."""
        for key, group in groupby(self.reports, key=lambda r: r.county_key):
            yield key, list(group)


_TABLE3_ROWS = {row.key: row for spec in (FORMATS["2019"], FORMATS["2021"]) for row in spec.table3_rows}


def row_label(key: str) -> str:
    """Table 三's row in short words, under its heading when it is a result: 本年度办理结果·部分公开."""
    row = _TABLE3_ROWS.get(key)
    if row is None:
        return key
    if key in OUTSIDE_RESULTS:
        return short_label(row.label)
    return f"{short_label(RESULTS_GROUP)}·{short_label(row.label)}"


def open_published(path: Path) -> sqlite3.Connection:
    """The published copy, read-only."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def load(conn: sqlite3.Connection, home_series: tuple[tuple[str, str, str], ...]) -> SiteData:
    """What every page may need, read once; not the narratives, the bulk, which only county and
    report pages show (`with_narratives`, for the counties about to be written), and the home
    page's figures a year at a time, as its pages ask for them (`Figures`: `conn` stays open)."""
    reports = _reports(conn)
    return SiteData(
        reports=reports,
        rules=[PublishedRule(**clean_row(dict(r))) for r in conn.execute("SELECT * FROM rules ORDER BY rowid")],
        labels=Labels([clean_row(dict(r)) for r in conn.execute("SELECT * FROM labels")]),
        findings=_findings(conn),
        corrections=_corrections(conn),
        narratives={},
        figures=Figures(conn, home_series, reports),
    )


class Figures(Mapping[int, dict[tuple[str, str, str], CellValue]]):
    """The home page's figures per report (report id → figures; a report without any is not
    there), read from the published database the first time a report of a year is asked for,
    for all the reports of that year: an update writes one year's home page, not every year's."""

    def __init__(
        self, conn: sqlite3.Connection, series: tuple[tuple[str, str, str], ...], reports: list[SiteReport]
    ) -> None:
        self._conn, self._series = conn, series
        self._read: dict[int | None, dict[int, dict[tuple[str, str, str], CellValue]]] = {}
        self._year = {r.id: r.year for r in reports}
        self._ids: dict[int | None, list[int]] = defaultdict(list)
        for r in reports:
            self._ids[r.year].append(r.id)

    def __getitem__(self, report_id: int) -> dict[tuple[str, str, str], CellValue]:
        year = self._year[report_id]
        if year not in self._read:
            self._read[year] = dict(_figures(self._conn, self._series, self._ids[year]))
        return self._read[year][report_id]

    def __iter__(self) -> Iterator[int]:
        return (i for year in list(self._ids) for i in self._ids[year] if i in self)

    def __contains__(self, report_id: object) -> bool:
        try:
            self[report_id]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __len__(self) -> int:
        return sum(1 for _ in self)


def with_narratives(conn: sqlite3.Connection, data: SiteData, counties: set[str] | None = None) -> SiteData:
    """`data` with the narratives of these counties' reports (None: of every report)."""
    ids = None if counties is None else [r.id for r in data.reports if r.county_key in counties]
    return replace(data, narratives=_narratives(conn, ids))


# The columns `_reports` reads, in the order it unpacks them.
_REPORT_COLUMNS = (
    "id", "organ", "region", "region_code", "province", "prefecture", "year", "format", "published", "title",
    "period", "website", "approved", "source_file", "source_form", "updated",
)  # fmt: skip


def _reports(conn: sqlite3.Connection) -> list[SiteReport]:
    """Every published report, in REPORT_ORDER (14,815 in ~0.15 s: plain tuples, one search for
    what `clean` removes over the whole table)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute(f"SELECT {', '.join(_REPORT_COLUMNS)} FROM reports {REPORT_ORDER}")
    seen: dict[tuple[str, object], int] = defaultdict(int)
    out = []
    for (
        id_, organ, region, code, province, prefecture, year, fmt, published, title, period, website,
        approved, source_file, source_form, updated,
    ) in clean_rows(cursor.fetchall()):  # fmt: skip
        key = region_key(code, id_)
        seen[key, year] += 1
        slug = str(year) if year else f"report-{id_}"
        if seen[key, year] > 1:  # a second organ of the same county and year keeps its id in the URL
            slug = f"{slug}-{id_}"
        out.append(
            SiteReport(
                id=id_,
                organ=organ or "",
                region=region or "",
                region_code=code,
                province=province or "",
                prefecture=prefecture or "",
                year=year if isinstance(year, int) else None,
                format=fmt,
                published=published,
                title=title or "",
                period=period or "",
                website=website or "",
                approved=bool(approved),
                source_file=source_path(source_file),
                source_form=source_form or "",
                county_key=key,
                slug=slug,
                updated=updated,
            )
        )
    return out


def _findings(conn: sqlite3.Connection) -> dict[int, list[SiteFinding]]:
    out: dict[int, list[SiteFinding]] = defaultdict(list)
    for r in conn.execute("SELECT * FROM findings ORDER BY report_id, severity, rule, id"):
        out[r["report_id"]].append(
            SiteFinding(
                r["report_id"], clean(r["rule"]), r["severity"], _paths(r["cells"]), clean(r["message_zh"] or "")
            )
        )
    return out


def _paths(cells_json: str | None) -> tuple[str, ...]:
    try:
        cells = json.loads(cells_json or "[]")
    except ValueError:
        return ()
    return tuple(clean(c) for c in cells if isinstance(c, str)) if isinstance(cells, list) else ()


def _corrections(conn: sqlite3.Connection) -> dict[int, list[SiteCorrection]]:
    out: dict[int, list[SiteCorrection]] = defaultdict(list)
    for r in conn.execute("SELECT * FROM corrections ORDER BY report_id, id"):
        row = clean_row(dict(r))
        out[row["report_id"]].append(
            SiteCorrection(
                row["report_id"],
                row["cell"] or "",
                row["printed_value"],
                row["corrected_value"],
                row["reason"] or "",
                row["date"] or "",
            )
        )
    return out


def _narratives(conn: sqlite3.Connection, ids: list[int] | None) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = defaultdict(dict)
    where, params = _only(ids, "report_id")
    for r in conn.execute(
        f"SELECT report_id, section, text FROM narratives {where} ORDER BY report_id, section", params
    ):
        out[r["report_id"]][r["section"]] = clean(r["text"] or "")
    return out


def _figures(
    conn: sqlite3.Connection, series: tuple[tuple[str, str, str], ...], ids: list[int]
) -> dict[int, dict[tuple[str, str, str], CellValue]]:
    """A few figures of these reports, from the wide tables (two queries)."""
    out: dict[int, dict[tuple[str, str, str], CellValue]] = defaultdict(dict)
    table3 = [s for s in series if s[0] == "table3"]
    rows = sorted({row for _, row, _ in table3})
    columns = sorted({column for _, _, column in table3})
    only = "report_id IN (SELECT value FROM json_each(?))"
    query = (
        f"SELECT report_id, row_key, {', '.join(columns)} FROM table3"
        f" WHERE row_key IN ({', '.join('?' * len(rows))}) AND {only}"
    )
    for r in conn.execute(query, [*rows, json.dumps(ids)]):
        for column in columns:
            out[r["report_id"]]["table3", r["row_key"], column] = r[column]
    table4 = [row for table, row, _ in series if table == "table4"]
    for r in conn.execute(f"SELECT report_id, {', '.join(table4)} FROM table4 WHERE {only}", [json.dumps(ids)]):
        for key in table4:
            out[r["report_id"]]["table4", key, ""] = r[key]
    return out


def stream_cells(
    conn: sqlite3.Connection, data: SiteData, ids: list[int] | None = None
) -> Iterator[tuple[int, dict[tuple[str, str, str], CellView]]]:
    """(report id, its cells) for every report with cells (or those of `ids`), in the order of
    `data.reports`: one query, read as it goes. Corrections and findings are folded into each cell."""
    where, params = _only(ids, "r.id")
    query = (
        "SELECT c.report_id, c.table_name, c.row_key, c.column_key, c.value, c.printed, c.corrected "
        f"FROM reports r JOIN cells c ON c.report_id = r.id {where} "
        "ORDER BY r.region_code, r.year, r.id"
    )
    for report_id, rows in groupby(conn.execute(query, params), key=itemgetter(0)):
        reasons = _correction_notes(data.corrections.get(report_id, []))
        flags = _flags(data.findings.get(report_id, []))
        cells = {}
        for _, table, row, column, value, printed, corrected in rows:
            value = clean(value) if isinstance(value, str) else value
            printed = clean(printed) if isinstance(printed, str) else printed
            if not (corrected or flags):  # most cells: neither corrected nor named by a finding
                cells[table, row, column] = CellView(value, printed)
                continue
            path = cell_path(table, row, column)
            rules = flags.get(path, ()) + (flags.get(cell_path(table, row, "*"), ()) if table == "table3" else ())
            cells[table, row, column] = CellView(
                value, printed, reasons.get(path, "已更正") if corrected else "", tuple(sorted(set(rules)))
            )
        yield report_id, cells


def _only(ids: list[int] | None, column: str) -> tuple[str, list[str]]:
    """A WHERE clause for these ids (all rows when None), through json_each: no limit on how many."""
    if ids is None:
        return "", []
    return f"WHERE {column} IN (SELECT value FROM json_each(?))", [json.dumps(ids)]


def _correction_notes(corrections: list[SiteCorrection]) -> dict[str, str]:
    """The latest correction of each cell, in words: why and when."""
    return {c.cell: f"理由：{c.reason}（{c.date}）" for c in corrections}


def _flags(findings: list[SiteFinding]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = defaultdict(tuple)
    for f in findings:
        for path in f.cells:
            out[path] += (f.rule,)
    return out
