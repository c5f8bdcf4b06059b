"""The front ends (tui/: the CLI and the app) read and write the database through db/ functions,
never SQL of their own: a query written twice is two places where the app and the CLI can come to
disagree (issue 19)."""

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


# A status or severity compared to a bare string: the enums (db/vocabulary.py) are the one spelling.
CODES = "approved|needs_review|ready|imported|published|removed|error|warning"
BARE_CODE = re.compile(rf"""(==|!=)\s*["']({CODES})["']|["']({CODES})["']\s*(==|!=)|["']({CODES})["']\s+in\b""")
FRONT_FILES = [
    *sorted(TUI.rglob("*.py")),
    *(
        TUI.parent / "publish" / name
        for name in ("site_data.py", "report_tables.py", "home.py", "charts.py", "pages.py", "changes.py")
    ),
]


@pytest.mark.parametrize(
    "line", ['if f["severity"] == "error":', 'status != "removed"', '"approved" == row["status"]', '"error" in found']
)
def test_the_pattern_finds_a_bare_code(line):
    assert BARE_CODE.search(line)


def test_statuses_and_severities_are_compared_to_their_enums():
    found = [
        f"{path.relative_to(TUI.parent)}: {line.strip()}"
        for path in FRONT_FILES
        for line in path.read_text(encoding="utf-8").splitlines()
        if BARE_CODE.search(line)
    ]
    assert found == []


# A cell path built or taken apart by hand: format.cell_path / parse_cell_path / table4_key are the one way.
HAND_PATH = re.compile(
    r"""f["']table[234]?\.|f["']\{table\}\.|\.partition\(["']\.["']\)|\.split\(["']\.["']\)|"\."\.join"""
)


@pytest.mark.parametrize(
    "line",
    ['path = f"table3.{row}.{column}"', 'f"{table}.{key}"', 'table, _, rest = path.partition(".")', '".".join(key)'],
)
def test_the_pattern_finds_a_hand_made_path(line):
    assert HAND_PATH.search(line)


def test_cell_paths_are_made_by_format():
    found = [
        f"{path.relative_to(TUI.parent)}: {line.strip()}"
        for path in FRONT_FILES
        for line in path.read_text(encoding="utf-8").splitlines()
        if HAND_PATH.search(line)
    ]
    assert found == []
