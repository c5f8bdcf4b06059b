"""One definition of each thing (issue 19): cell paths are built and read only by db/format.py
(`cell_path`, `parse_cell_path`, `table4_key`), labels are shortened only by `format.short_label`,
and statuses and severities are compared only through their enums (db/vocabulary.py). A second
spelling is where the app and the site start to disagree without a test noticing, so this test
reads the source of db/, publish/ and tui/ and names every line that spells one again.

The patterns are heuristics, each tested below on a planted line that must be caught and on the
lines that must not be (Textual's own `severity="error"`, the identity field `published`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("db", "publish", "tui")

# An f-string that starts a cell path: f"table3.{row}.{column}".
_PATH_FSTRING = re.compile(r"""\bf["']table[234]\.""")
# An f-string that joins a table 四 group and result: f"{group.key}_{result.key}".
_TABLE4_KEY = re.compile(r"""\bf["'][^"']*\{[^{}]*group[^{}]*\}_\{""")
# A cell path taken apart by hand: cell.split("."), path.partition("."), cell.rsplit(".", 1).
_SPLIT = re.compile(r"""\.r?(?:split|partition)\(\s*["']\.["']""")
_ABOUT_PATHS = re.compile(r"cell|path|table", re.IGNORECASE)
# A table 三 group by its position or first character, not by its name (format.RESULTS_GROUP, …).
_GROUP_BY_POSITION = re.compile(r"""TABLE3_GROUP_LABELS\[\d|\.startswith\(\s*["']三""")
# A label-shortening regex: a trailing aside （…） cut off.
_LABEL_ASIDE = re.compile(r"（\[\^[^\]]*\]\*）\$")

_STATUS = r"(?:imported|needs_review|ready|approved|published|removed|replaced|unchanged|failed)"
_LITERALS = (
    # needs_review means nothing else.
    re.compile(r"""["']needs_review["']"""),
    # A severity as a string or in SQL, but not as a keyword argument: Textual's notify(severity="error"),
    # Button(variant="error") and id="error" are the toolkit's words, not findings'.
    re.compile(r"""(?<!\w=)["'](?:error|warning)["']"""),
    # A status compared, assigned, listed or passed where the word "status" stands: status == "approved",
    # r["status"] in ("approved", …), WHERE status != 'removed', OPEN_STATUSES = ("imported", …),
    # by_status.get("approved"), _set_status(db, id, "approved"). `published` is also the identity field
    # (the publication date), so a status word alone is not flagged.
    re.compile(
        rf"""status\w*["'\]\s)]*(?:==|!=|=|:|\bnot\s+in\b|\bin\b)\s*[(\[{{]?\s*["']{_STATUS}["']""", re.IGNORECASE
    ),
    re.compile(rf"""status\w*(?:\.get)?\([^()]*["']{_STATUS}["']""", re.IGNORECASE),
)

# Where each definition lives: the only files allowed to spell it.
PATH_HOME = {"db/format.py"}
LITERAL_HOME = {"db/vocabulary.py", "db/checks/registry.py"}

# Lines whose literal is Textual's word, not ours (a button variant passed by position), by file.
TOOLKIT_WORDS = {
    ("tui/screens/dialogs.py", 'yield from self._buttons("批准", "warning")'),
    ("tui/screens/report.py", 'self.app.push_screen(ActionDialog(title, "移除", "warning"), done)'),
}


def violations(name: str, text: str) -> list[str]:
    """Every line of a source file (`name` relative to the repository) that spells a cell path, a
    label shortener, a status or a severity outside its one definition, as 'FILE:LINE: what'."""
    found: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#") or (name, line.strip()) in TOOLKIT_WORDS:
            continue
        for what in _line_violations(name, line):
            found.append(f"{name}:{number}: {what}: {line.strip()}")
    return found


def _line_violations(name: str, line: str) -> list[str]:
    out: list[str] = []
    if name not in PATH_HOME:
        if _PATH_FSTRING.search(line):
            out.append("cell path built with an f-string (use format.cell_path)")
        if _TABLE4_KEY.search(line):
            out.append("table 四 key built with an f-string (use format.table4_key)")
        if _SPLIT.search(line) and _ABOUT_PATHS.search(line):
            out.append("cell path split by hand (use format.parse_cell_path)")
        if _GROUP_BY_POSITION.search(line):
            out.append("table 三 group by position (use format.RESULTS_GROUP, APPLICANTS_GROUP, …)")
        if _LABEL_ASIDE.search(line):
            out.append("label shortened by its own regex (use format.short_label)")
    if name not in LITERAL_HOME and any(p.search(line) for p in _LITERALS):
        out.append("status or severity as a bare string (use vocabulary.Status / Severity)")
    return out


def _sources() -> list[tuple[str, Path]]:
    return sorted(
        (path.relative_to(ROOT).as_posix(), path) for folder in FOLDERS for path in (ROOT / folder).rglob("*.py")
    )


def test_the_source_tree_spells_each_definition_once():
    found = [v for name, path in _sources() for v in violations(name, path.read_text("utf-8"))]
    assert found == [], "\n".join(found)


def test_the_tree_is_read():
    names = {name for name, _ in _sources()}
    assert {"db/format.py", "db/checks/arithmetic.py", "publish/site_data.py", "tui/cli.py"} <= names


@pytest.mark.parametrize(
    "line",
    [
        'return f"table3.{row}.{column}"',
        "cells = [f'table2.{kind}_made']",
        'key = f"{group.key}_{result.key}"',
        'row = eq.cells[0].split(".")[1]',
        'table, _, rest = path.partition(".")',
        "values = cell.rsplit('.', 1)[-1]",
        '_ASIDE = re.compile(r"（[^）]*）$")',
        "RESULTS, APPLICANTS = TABLE3_GROUP_LABELS[0], TABLE3_GROUP_LABELS[5]",
        'return 0 if group.startswith("三") else 1',
        'if status == "approved":',
        "if report_row(db, report_id)[\"status\"] in ('approved', 'published'):",
        'new = "needs_review" if errors else "ready"',
        "    \" WHERE r.status != 'removed'\"",
        "OPEN_STATUSES = ('imported', 'needs_review', 'ready')",
        'return self.by_status.get("approved", 0)',
        '_set_status(db, report_id, "approved", reason, who)',
        'errors = sum(f.severity == "error" for f in findings)',
        "\"SELECT count(*) FROM findings WHERE severity = 'error'\"",
        'STYLES = {"error": "reverse red", "warning": "reverse yellow"}',
    ],
)
def test_a_planted_violation_is_named(line):
    (found,) = violations("db/planted.py", line)
    assert found.startswith("db/planted.py:1: ")


@pytest.mark.parametrize(
    "line",
    [
        'path = cell_path("table3", row, column)',
        "key = table4_key(group.key, result.key)",
        'host_labels = host.split(".")',
        'whole = all(len(p.split(".")[0]) <= 12 for p in parts)',
        'self.notify("请先发布", severity="warning")',
        'yield Button("取消", id="cancel", variant="error")',
        'IDENTITY_FIELDS = ("organ", "year", "region_code", "published")',
        '"sortable_columns": ["id", "year", "published", "status"],',
        'conditions.append("r.status != ?")',
        "# a comment may quote status == 'approved'",
    ],
)
def test_a_correct_line_is_not_named(line):
    assert violations("db/planted.py", line) == []


def test_the_homes_may_spell_their_own_definition():
    assert violations("db/format.py", 'return f"table3.{key}.{column}"') == []
    assert violations("db/vocabulary.py", '    NEEDS_REVIEW = "needs_review"') == []
    assert violations("db/checks/arithmetic.py", 'return f"table3.{key}.{column}"') != []
