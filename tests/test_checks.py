"""The arithmetic, cell and cross-year rules, each firing and not firing on small hand-made
reports; suggested values; the rule registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nianbao.db.checks import RULES, run_checks
from nianbao.db.checks.arithmetic import suggestions
from nianbao.db.format import FORMAT_2019, FORMAT_2021, ReportFormat
from nianbao.db.model import Report, Value
from nianbao.db.parse.report import parse_document
from nianbao.db.readers.text import split_blocks
from tests.helpers import sample_bytes

ROOT = Path(__file__).resolve().parents[1]
# The rule ids of the format reference's table (docs/format.md): the registry and the contract agree.
FORMAT_MD_RULES = set(
    re.findall(
        r"^\| ([A-Z0-9-]+) \| (?:error|warning) \|", (ROOT / "docs" / "format.md").read_text("utf-8"), re.MULTILINE
    )
)


def clean(spec: ReportFormat = FORMAT_2021, year: int = 2024) -> Report:
    """A report whose every figure is right: 3 applications from natural persons, 2 granted,
    1 partly granted; one administrative review upheld."""
    report = Report("夏县人民政府办公室", "夏县", year, spec.version, f"{year + 1}-01-20", region_code="140828")
    report.table2 = {f.key: Value(0, "0") for f in spec.table2_fields}
    report.table3 = {k: [Value(0, "0")] * 7 for k in spec.table3_row_keys}
    report.table4 = {f.key: Value(0, "0") for f in spec.table4}
    for path, value in {
        "table3.new_received.natural": 3, "table3.new_received.total": 3,
        "table3.granted.natural": 2, "table3.granted.total": 2,
        "table3.partial.natural": 1, "table3.partial.total": 1,
        "table3.total.natural": 3, "table3.total.total": 3,
        "table4.review_upheld": 1, "table4.review_total": 1,
    }.items():  # fmt: skip
        put(report, path, value)
    return report


def put(report: Report, path: str, value) -> Report:
    table, _, rest = path.partition(".")
    if table == "table3":
        row, column = rest.split(".")
        values = list(report.table3[row])
        values[[c.key for c in report.spec.table3_columns].index(column)] = Value(value, str(value))
        report.table3[row] = values
    else:
        getattr(report, table)[rest] = Value(value, str(value))
    return report


def fired(report: Report, rule: str, previous: Report | None = None) -> list[tuple[str, ...]]:
    return [f.cells for f in run_checks(report, previous) if f.rule == rule]


def test_registry_has_every_rule_of_format_md():
    assert set(RULES) == FORMAT_MD_RULES
    for rule in RULES.values():
        assert rule.severity in ("error", "warning")
        assert rule.title and rule.title_zh and len(rule.explanation) > 40


def test_clean_report_has_no_findings():
    assert run_checks(clean()) == []
    assert run_checks(clean(FORMAT_2019)) == []


def test_t3_balance():
    report = put(clean(), "table3.carried_forward.natural", 1)
    assert fired(report, "T3-BALANCE") == [
        (
            "table3.new_received.natural",
            "table3.carried_over.natural",
            "table3.total.natural",
            "table3.carried_forward.natural",
        )
    ]
    (finding,) = [f for f in run_checks(report) if f.rule == "T3-BALANCE"]
    assert (finding.expected, finding.found, finding.severity) == ("3", "4", "error")
    assert "自然人" in finding.message_zh
    assert fired(clean(), "T3-BALANCE") == []


@pytest.mark.parametrize(("field", "cell"), [("organ", "organ"), ("year", "year"), ("region_code", "region_code")])
def test_identity_fires_for_each_unknown(field, cell):
    report = clean()
    setattr(report, field, None)
    assert fired(report, "IDENTITY") == [(cell,)]


def test_identity_quiet_when_known():
    assert fired(clean(), "IDENTITY") == []


def test_t3_total():
    report = put(put(clean(), "table3.granted.natural", 3), "table3.granted.total", 3)
    natural, total = fired(report, "T3-TOTAL")
    assert natural[-1] == "table3.total.natural" and "table3.granted.natural" in natural
    assert total[-1] == "table3.total.total" and "table3.granted.total" in total
    assert fired(clean(), "T3-TOTAL") == []


def test_t3_rowsum():
    report = put(clean(), "table3.granted.total", 5)
    assert ("table3.granted.total",) == fired(report, "T3-ROWSUM")[0][-1:]
    assert len(fired(report, "T3-ROWSUM")) == 1
    assert fired(clean(), "T3-ROWSUM") == []


def test_t4_sum():
    report = put(clean(), "table4.suit_direct_pending", 2)
    assert fired(report, "T4-SUM") == [
        (
            "table4.suit_direct_upheld",
            "table4.suit_direct_corrected",
            "table4.suit_direct_other",
            "table4.suit_direct_pending",
            "table4.suit_direct_total",
        )
    ]
    assert fired(clean(), "T4-SUM") == []


def test_cell_missing_single_cell_and_whole_row():
    report = put(clean(), "table2.licensing", None)
    report.table3["deny_law"] = [Value(None)] * 7
    assert fired(report, "CELL-MISSING") == [("table2.licensing",), ("table3.deny_law.*",)]
    assert fired(clean(), "CELL-MISSING") == []


def test_blank_is_not_zero_and_markers_are_kept():
    report = put(clean(), "table2.fees_wan", "/")
    assert fired(report, "CELL-MISSING") == [] and fired(report, "CELL-TYPE") == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("table2.licensing", "若干"),
        ("table3.granted.commercial", -1),
        ("table4.review_other", 1.5),
        ("table2.fees_wan", -3.0),
    ],
)
def test_cell_type_fires(path, value):
    assert fired(put(clean(), path, value), "CELL-TYPE") == [(path,)]


def test_cell_type_accepts_decimal_fees_and_negative_change_in_2019():
    assert fired(put(clean(), "table2.fees_wan", 12.75), "CELL-TYPE") == []
    assert fired(put(clean(FORMAT_2019), "table2.licensing_change", -4), "CELL-TYPE") == []
    assert fired(put(clean(FORMAT_2019), "table2.licensing_prev_items", -4), "CELL-TYPE") == [
        ("table2.licensing_prev_items",)
    ]


def test_split_digits_within_a_row():
    report = clean()
    for path, value in {
        "table3.new_received.natural": 1, "table3.new_received.commercial": 2, "table3.new_received.total": 12,
    }.items():  # fmt: skip
        put(report, path, value)
    (finding,) = [f for f in run_checks(report) if f.rule == "SPLIT-DIGITS"]
    assert finding.cells == ("table3.new_received.natural", "table3.new_received.commercial")
    assert [(s.cell, s.value) for s in finding.suggestions] == [
        ("table3.new_received.natural", 12),
        ("table3.new_received.commercial", 0),
    ]
    assert fired(report, "T3-ROWSUM")  # the row sum still fails: SPLIT-DIGITS explains it


def test_split_digits_not_for_an_unexplained_break():
    report = put(put(clean(), "table3.new_received.natural", 5), "table3.new_received.total", 12)
    assert fired(report, "T3-ROWSUM") and fired(report, "SPLIT-DIGITS") == []


def test_split_digits_from_a_row_with_one_value_too_many():
    text = sample_bytes("002").decode("utf-8")
    row = "一、本年新收政府信息公开申请数量\t\t33\t0\t0\t0\t0\t0\t33\t"
    assert row in text
    report = parse_document(
        split_blocks(text.replace(row, "一、本年新收政府信息公开申请数量\t\t3\t3\t0\t0\t0\t0\t0\t33\t"))
    )
    assert report.to_json()["table3"]["rows"]["new_received"] is None  # nothing guessed
    (finding,) = [f for f in run_checks(report) if f.rule == "SPLIT-DIGITS"]
    assert [s.value for s in finding.suggestions] == [33, 0, 0, 0, 0, 0, 33]


def test_suggestion_for_the_only_unknown_and_chains():
    report = put(clean(), "table3.partial.natural", None)
    assert {c: s.value for c, s in suggestions(report).items()} == {"table3.partial.natural": 1}
    # Two blanks in one column: the row sum gives one, then the column gives the other.
    report = put(put(clean(), "table3.partial.natural", None), "table3.partial.total", None)
    got = {c: s.value for c, s in suggestions(report).items()}
    assert got == {"table3.partial.natural": 1, "table3.partial.total": 1}


def test_no_suggestion_when_undetermined_or_negative():
    report = clean()
    for path in ("granted.natural", "granted.commercial", "partial.natural", "partial.commercial"):
        put(report, f"table3.{path}", None)  # every row and column through them has two blanks
    assert suggestions(report) == {}
    report = put(put(clean(), "table3.total.natural", 1), "table3.partial.natural", None)
    assert "table3.partial.natural" not in suggestions(report)  # 1 − 2 would be −1


def test_year_carry_fires_on_exactly_the_wrong_columns():
    previous = put(put(clean(year=2023), "table3.carried_forward.natural", 2), "table3.total.natural", 1)
    put(previous, "table3.carried_forward.total", 2)
    this = clean()
    assert fired(this, "YEAR-CARRY", previous) == [("table3.carried_over.natural",), ("table3.carried_over.total",)]
    put(put(this, "table3.carried_over.natural", 2), "table3.carried_over.total", 2)
    assert fired(this, "YEAR-CARRY", previous) == []
    assert fired(this, "YEAR-CARRY") == []  # no previous year: not run


def test_t2_stock():
    previous = put(clean(year=2023), "table2.normative_in_force", 10)
    this = put(put(clean(), "table2.normative_made", 3), "table2.normative_repealed", 1)
    put(this, "table2.normative_in_force", 11)
    (finding,) = [f for f in run_checks(this, previous) if f.rule == "T2-STOCK"]
    assert (finding.expected, finding.found) == ("12", "11")
    put(this, "table2.normative_in_force", 12)
    assert fired(this, "T2-STOCK", previous) == []


def test_readme_lists_every_rule_with_its_severity():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| {rule.id} | {rule.severity} |" in readme, rule.id


def test_numbers_are_number_for_every_cell():
    """The rules read `Report.numbers` (one dict) where they read `Report.number` cell by cell:
    both must agree on every cell, blanks, markers, text and bools being no number."""
    report = parse_document(split_blocks(sample_bytes("000").decode("utf-8")))
    put(report, "table3.total.natural", None)
    put(report, "table3.granted.natural", "/")
    put(report, "table2.normative_made", True)
    numbers = report.numbers()
    for table, row, column, _ in report.cells():
        path = ".".join(p for p in (table, row, column) if p)
        assert numbers.get(path) == report.number(path), path
    assert "table3.total.natural" not in numbers and "table2.normative_made" not in numbers
