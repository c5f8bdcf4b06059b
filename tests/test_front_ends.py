"""The front ends (tui/: the CLI and the app) read and write the database through db/ functions,
never SQL of their own: a query written twice is two places where the app and the CLI can come to
disagree (issue 19). Statuses, severities and cell paths spelled once: tests/test_one_definition.py,
over the whole tree."""

import re
from pathlib import Path

import pytest

TUI = Path(__file__).resolve().parent.parent / "tui"

# SQL statements, and the database handles' own ways in (sqlite-utils' db.query / db.execute /
# db["table"]); Textual's self.query(...) is a DOM query and not matched.
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b|\b(db|conn)\.(query|execute|executemany)\(|\bdb\[")


def sql_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if SQL.search(line)]


@pytest.mark.parametrize(
    "line",
    [
        'rows = db.query("select 1")',
        'db.execute("DELETE FROM findings")',
        "n = db['suggestions'].count",
        '"SELECT id FROM reports"',
    ],
)
def test_the_pattern_finds_sql(line):
    assert sql_lines(line) == [line]


def test_textual_queries_are_not_sql():
    assert sql_lines('self.query_one("#findings", DataTable)') == []
    assert sql_lines("for grid in self.query(ReportTable):") == []


def test_no_sql_in_the_front_ends():
    found = {
        str(path.relative_to(TUI.parent)): lines
        for path in sorted(TUI.rglob("*.py"))
        if (lines := sql_lines(path.read_text(encoding="utf-8")))
    }
    assert found == {}
