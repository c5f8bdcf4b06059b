"""The data behind the site as files: CSV and JSON per table of the published database, and the
database itself.

Written straight from the database to disk, row by row (the cells of every report would not fit
a page in memory). Values are exact, as in the database, with one exception for spreadsheet
users: a CSV text that starts like a formula (=, +, -, @) gets a leading apostrophe so a
spreadsheet shows it instead of running it. The JSON and the database are untouched.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

from db.format import NARRATIVE_SECTIONS, SECTION_BY_KEY
from publish.pages import Dataset

FOLDER = "downloads"
DATABASE = f"{FOLDER}/nianbao.db"
# (table, order, what it holds)
TABLES: tuple[tuple[str, str, str], ...] = (
    ("reports", "id", "每份报告一行：机关、地区（代码、省、地市）、年度、格式、发布日期、审核状态、原始文件"),
    ("table2", "report_id", "表二（主动公开）宽表：每份报告一行，每个数值一列"),
    ("table3", "report_id, row_order, row_key", "表三（依申请公开）宽表：每份报告每行一行，申请人类别为列"),
    ("table4", "report_id", "表四（行政复议、行政诉讼）宽表：每份报告一行"),
    ("cells", "report_id, table_name, row_key, column_key", "全部单元格长表：数值、报告原文、是否更正、出处"),
    ("findings", "id", "检查发现：规则、严重程度、涉及单元格、说明"),
    ("narratives", "report_id, section", "正文：" + "、".join(SECTION_BY_KEY[k].title for k in NARRATIVE_SECTIONS)),
    ("corrections", "id", "更正记录：原值、更正值、理由、日期"),
    ("rules", "rowid", "检查规则及其说明"),
    ("labels", "table_name, kind, position, key", "各表行、列、单元格键名对应的中文标签"),
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def write_downloads(published_db: Path, conn: sqlite3.Connection, target: Path) -> tuple[list[Dataset], int]:
    """Write every table as CSV and JSON and copy the database; return what was written and the
    database's size."""
    folder = target / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    datasets = [_write_table(conn, folder, name, order, description) for name, order, description in TABLES]
    (target / DATABASE).unlink(missing_ok=True)  # replaced, never written into: it may be the live site's
    shutil.copyfile(published_db, target / DATABASE)
    return datasets, (target / DATABASE).stat().st_size


def _write_table(conn: sqlite3.Connection, folder: Path, name: str, order: str, description: str) -> Dataset:
    cursor = conn.execute(f"SELECT * FROM {name} ORDER BY {order}")
    columns = [c[0] for c in cursor.description]
    csv_path, json_path = folder / f"{name}.csv", folder / f"{name}.json"
    rows = 0
    csv_path.unlink(missing_ok=True)  # replaced, never written into: they may be the live site's
    json_path.unlink(missing_ok=True)
    with (
        csv_path.open("w", encoding="utf-8-sig", newline="") as csv_file,
        json_path.open("w", encoding="utf-8", newline="\n") as json_file,
    ):
        writer = csv.writer(csv_file, lineterminator="\r\n")
        writer.writerow(columns)
        json_file.write("[")
        for row in cursor:
            writer.writerow([_spreadsheet_safe(v) for v in row])
            json_file.write(("\n" if rows == 0 else ",\n") + json.dumps(dict(zip(columns, row)), ensure_ascii=False))
            rows += 1
        json_file.write("\n]\n")
    return Dataset(
        name,
        description,
        rows,
        [
            ("CSV", f"{FOLDER}/{csv_path.name}", csv_path.stat().st_size),
            ("JSON", f"{FOLDER}/{json_path.name}", json_path.stat().st_size),
        ],
    )


def _spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_START):
        return "'" + value
    return value
