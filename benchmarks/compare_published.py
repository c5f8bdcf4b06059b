"""Compare two published databases table by table, row by row (by each table's key, not by rowid).

    python benchmarks/compare_published.py A.db B.db [--ignore-ids]

Exits non-zero and prints the first differences if any table differs. `--ignore-ids` leaves out
the integer ids of findings and corrections (a `database.replace` numbers its new rows after the
existing ones). Used to check a rewrite of `publish/database.py` against the code it replaces.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

RENUMBERED = {"findings", "corrections"}


def tables(conn: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if not name.startswith(("sqlite_", "narratives_fts"))
    ]


def rows(conn: sqlite3.Connection, table: str, ignore_ids: bool) -> list[tuple]:
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    if ignore_ids and table in RENUMBERED:
        columns.remove("id")
    listed = ", ".join(columns)
    # typeof too: 1 and 1.0 and '1' are different values
    typed = ", ".join(f"typeof({c})" for c in columns)
    return conn.execute(f"SELECT {listed}, {typed} FROM {table} ORDER BY {listed}").fetchall()


def schema(conn: sqlite3.Connection) -> set[tuple]:
    return set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


def search(conn: sqlite3.Connection) -> list[tuple]:
    """What the full-text index finds, by (report, section), for a few phrases."""
    return [
        tuple(
            conn.execute(
                "SELECT n.report_id, n.section FROM narratives_fts f JOIN narratives n ON n.rowid = f.rowid"
                " WHERE narratives_fts MATCH ? ORDER BY 1, 2",
                [phrase],
            )
        )
        for phrase in ("政府信息公开", "行政复议", "依申请公开", "工作")
    ]


def compare(a: Path, b: Path, ignore_ids: bool) -> list[str]:
    one, two = sqlite3.connect(f"file:{a}?mode=ro", uri=True), sqlite3.connect(f"file:{b}?mode=ro", uri=True)
    problems = []
    if schema(one) != schema(two):
        problems.append(f"schema differs: {sorted(schema(one) ^ schema(two))[:4]}")
    for table in tables(one):
        x, y = rows(one, table, ignore_ids), rows(two, table, ignore_ids)
        if x != y:
            diff = sorted(set(x) ^ set(y))[:3]
            problems.append(f"{table}: {len(x)} vs {len(y)} rows; e.g. {diff}")
        else:
            print(f"{table}: {len(x)} rows equal")
    if search(one) != search(two):
        problems.append("the full-text index finds other narratives")
    for conn in (one, two):
        conn.close()
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--ignore-ids", action="store_true")
    args = parser.parse_args()
    problems = compare(args.a, args.b, args.ignore_ids)
    print("\n".join(problems) or "same tables, same rows")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
