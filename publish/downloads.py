"""The data behind the site as files: CSV and JSON per table of the published database, and the
database itself.

The tables of reports (reports, table2, table3, table4, cells, findings, narratives, corrections)
come as one CSV and one JSON per prefecture, named by `publish.untrusted.prefecture_key`
(downloads/cells-1301.csv, downloads/cells-other.json): one changed report rewrites its
prefecture's files (河北's largest, some 4 MB), not its province's (45 MB) or the country's. rules and labels are single files. The database is a hard link to
the published copy (a copy only across file systems).

Written by SQLite as far as it can: the formula guard and each JSON object are SQL expressions,
so Python only moves finished lines. Values are exact, as in the database, with one exception for
spreadsheet users: a CSV text that starts like a formula (=, +, -, @) gets a leading apostrophe so
a spreadsheet shows it instead of running it. The JSON and the database are untouched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from nianbao.db.format import NARRATIVE_SECTIONS, SECTION_BY_KEY
from nianbao.publish.pages import Dataset, DownloadFile, ProvinceFiles
from nianbao.publish.untrusted import prefecture_key

FOLDER = "downloads"
DATABASE = f"{FOLDER}/nianbao.db"
OTHER_PROVINCE = "未定位地区"  # reports whose region code is unknown or not a code


@dataclass(frozen=True)
class Table:
    name: str
    title: str  # a short Chinese name for headings
    order: str
    description: str
    report: str | None = "report_id"  # the column naming the report: split by prefecture; None: one file


TABLES: tuple[Table, ...] = (
    Table(
        "reports",
        "报告",
        "id",
        "每份报告一行：机关、地区（代码、省、地市）、年度、格式、发布日期、审核状态、原始文件",
        "id",
    ),
    Table("table2", "表二", "report_id", "表二（主动公开）宽表：每份报告一行，每个数值一列"),
    Table(
        "table3", "表三", "report_id, row_order, row_key", "表三（依申请公开）宽表：每份报告每行一行，申请人类别为列"
    ),
    Table("table4", "表四", "report_id", "表四（行政复议、行政诉讼）宽表：每份报告一行"),
    Table(
        "cells",
        "单元格",
        "report_id, table_name, row_key, column_key",
        "全部单元格长表：数值、报告原文、是否更正、出处",
    ),
    Table("findings", "检查发现", "id", "检查发现：规则、严重程度、涉及单元格、说明"),
    Table(
        "narratives",
        "正文",
        "report_id, section",
        "正文：" + "、".join(SECTION_BY_KEY[k].title for k in NARRATIVE_SECTIONS),
    ),
    Table("corrections", "更正", "id", "更正记录：原值、更正值、理由、日期"),
    Table("rules", "规则", "rowid", "检查规则及其说明", None),
    Table("labels", "标签", "table_name, kind, position, key", "各表行、列、单元格键名对应的中文标签", None),
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 20_000  # JSON lines fetched at a time
TABLE_BY_NAME = {table.name: table for table in TABLES}


@dataclass(frozen=True)
class Province:
    """A prefecture's files (named Province before they were split finer)."""

    key: str  # prefecture_key: 4 digits or "other"
    name: str  # 河北省 石家庄市
    report_ids: list[int]


@dataclass(frozen=True)
class Part:
    """One file pair to write: a table's rows of one prefecture, or a national table (key None)."""

    table: str
    key: str | None
    report_ids: list[int] | None


def write_downloads(
    published_db: Path, conn: sqlite3.Connection, target: Path, provinces: set[str] | None = None
) -> tuple[list[Dataset], int]:
    """Write the tables as CSV and JSON and link the database; return what is there to download
    and the database's size. `provinces` (prefecture_key values): only those prefectures' files
    are (re)written, and removed if the prefecture has no report left; None: every file. The other
    files are taken as they are on disk (an incremental build starts from the previous site)."""
    places, parts = plan(conn, target, provinces)
    for part in parts:
        write_part(conn, target, part)
    return datasets(published_db, conn, target, places)


def plan(
    conn: sqlite3.Connection, target: Path, provinces: set[str] | None = None
) -> tuple[list[Province], list[Part]]:
    """The prefectures with reports and the files to write (largest first, so that parts written
    in parallel end together), as `write_downloads` writes them; files of prefectures in
    `provinces` with no report left are removed here."""
    folder = target / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    places = _provinces(conn)
    rewrite = ({p.key for p in places} | _on_disk(folder)) if provinces is None else set(provinces)
    parts = []
    for table in TABLES:
        if not table.report:
            if provinces is None or not (folder / f"{table.name}.json").exists():
                parts.append(Part(table.name, None, None))
            continue
        for key in rewrite - {p.key for p in places}:
            for suffix in (".csv", ".json"):
                (folder / f"{table.name}-{key}{suffix}").unlink(missing_ok=True)
        for place in places:
            if place.key in rewrite or not (folder / f"{table.name}-{place.key}.json").exists():
                parts.append(Part(table.name, place.key, place.report_ids))
    weight = {"cells": 200, "table3": 12}  # rows per report, roughly
    parts.sort(key=lambda part: -weight.get(part.table, 1) * len(part.report_ids or ()))
    return places, parts


def write_part(conn: sqlite3.Connection, target: Path, part: Part) -> None:
    """One part's CSV and JSON (from any process with its own connection to the published copy)."""
    conn.create_function("json_real", 1, json.dumps, deterministic=True)
    name = part.table if part.key is None else f"{part.table}-{part.key}"
    _write(conn, target / FOLDER / name, TABLE_BY_NAME[part.table], part.report_ids)


def datasets(
    published_db: Path, conn: sqlite3.Connection, target: Path, places: list[Province]
) -> tuple[list[Dataset], int]:
    """What there is to download, read from the files written, and the database linked."""
    folder = target / FOLDER
    out = []
    for table in TABLES:
        if table.report:
            parts = [
                ProvinceFiles(p.key, p.name, len(p.report_ids), _files(folder, f"{table.name}-{p.key}")) for p in places
            ]
            out.append(Dataset(table.name, table.description, _count(conn, table.name), [], parts, table.title))
        else:
            files = _files(folder, table.name)
            out.append(Dataset(table.name, table.description, _count(conn, table.name), files, [], table.title))
    return out, _link(published_db, target / DATABASE)


def _provinces(conn: sqlite3.Connection) -> list[Province]:
    """Every prefecture with reports, in code order ("other" last), named as the reports name it
    (河北省 石家庄市; a province-level city's districts by the province alone)."""
    ids: dict[str, list[int]] = {}
    names: dict[str, set[str]] = {}
    query = "SELECT id, region_code, province, prefecture FROM reports ORDER BY id"
    for report_id, code, province, prefecture in conn.execute(query):
        key = prefecture_key(code)
        ids.setdefault(key, []).append(report_id)
        if province:
            name = province if not prefecture or prefecture in (province, "市辖区") else f"{province} {prefecture}"
            names.setdefault(key, set()).add(name)
    return [
        Province(key, OTHER_PROVINCE if key == "other" else min(names.get(key, {key})), ids[key])
        for key in sorted(ids, key=lambda k: (k == "other", k))
    ]


def _on_disk(folder: Path) -> set[str]:
    """The provinces of the per-province files already in the folder (to remove those now empty)."""
    split = {t.name for t in TABLES if t.report}
    keys = set()
    for path in folder.glob("*-*.csv"):
        table, _, key = path.stem.rpartition("-")
        if table in split:
            keys.add(key)
    return keys


def _write(conn: sqlite3.Connection, stem: Path, table: Table, report_ids: list[int] | None) -> None:
    """One table (or its rows of some reports) as CSV and JSON, rows in the table's order: SQLite
    makes both lines of a row in one pass, as UTF-8 bytes (a BLOB: never decoded to str and
    encoded again, ~0.6 s of 3.3 s for the cells of 3,000 reports), Python writes them a chunk
    at a time."""
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table.name})")]
    where, params = (
        ("", [])
        if report_ids is None
        else (f"WHERE {table.report} IN (SELECT value FROM json_each(?))", [json.dumps(report_ids)])
    )
    csv_line = " || ',' || ".join(_csv_field(c) for c in columns)
    json_line = "json_object(" + ", ".join(f"'{c}', {_exact_json(c)}" for c in columns) + ")"
    lines = f"CAST({csv_line} AS BLOB), CAST({json_line} AS BLOB)"
    cursor = conn.execute(f"SELECT {lines} FROM {table.name} {where} ORDER BY {table.order}", params)
    for suffix in (".csv", ".json"):  # replaced, never written into: the file may be the live site's too
        stem.with_suffix(suffix).unlink(missing_ok=True)
    header = io.StringIO(newline="")
    csv.writer(header, lineterminator="\r\n").writerow(columns)
    with stem.with_suffix(".csv").open("wb") as csv_file, stem.with_suffix(".json").open("wb") as json_file:
        csv_file.write(("\ufeff" + header.getvalue()).encode("utf-8"))  # the BOM: spreadsheets then read UTF-8
        json_file.write(b"[")
        separator = b"\n"
        while rows := cursor.fetchmany(CHUNK):
            csv_file.write(b"".join(line + b"\r\n" for line, _ in rows))
            json_file.write(separator + b",\n".join(line for _, line in rows))
            separator = b",\n"
        json_file.write(b"\n]\n")


def _csv_field(column: str) -> str:
    """SQL for the column as Python's csv module writes it (QUOTE_MINIMAL: quoted if it holds a
    comma, a quote or a line break; a real as repr), after the formula guard: a text of two or
    more characters that starts like a formula gets a leading apostrophe."""
    starts = ", ".join(f"char({ord(c)})" for c in FORMULA_START)
    guarded = f"CASE WHEN length({column}) > 1 AND substr({column}, 1, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END"
    quoted = f"""'"' || replace({guarded}, '"', '""') || '"'"""
    return (
        f"CASE typeof({column}) WHEN 'null' THEN '' WHEN 'real' THEN json_real({column}) WHEN 'text' THEN"
        f" CASE WHEN {column} GLOB '*[,\"\r\n]*' THEN {quoted} ELSE {guarded} END ELSE {column} END"
    )


def _exact_json(column: str) -> str:
    """SQL for the column as a JSON value: SQLite writes a real with 15 digits, Python's
    json.dumps as many as it takes to read back the same number."""
    return f"CASE WHEN typeof({column}) = 'real' THEN json(json_real({column})) ELSE {column} END"


def _files(folder: Path, stem: str) -> list[DownloadFile]:
    return [
        DownloadFile(kind, f"{FOLDER}/{stem}{suffix}", (folder / f"{stem}{suffix}").stat().st_size)
        for kind, suffix in (("CSV", ".csv"), ("JSON", ".json"))
    ]


def _count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _link(published_db: Path, path: Path) -> int:
    """The database for download: a hard link to the published copy (370 MiB not copied), a copy
    if they are on different file systems. The published copy is never written after a build."""
    path.unlink(missing_ok=True)
    try:
        os.link(published_db, path)
    except OSError:
        shutil.copyfile(published_db, path)
    return path.stat().st_size
