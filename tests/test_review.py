"""Checks on stored reports: the samples' expected findings, cross-year rules through real
imports, corrections with their audit trail, approval, identity chosen by the operator."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.tui.cli import cli
from tests.helpers import SAMPLE_NAMES, expected, sample_path

REGION_CODES = {"000": "140828", "001": "130529", "002": "410825", "003": "141130", "004": "654023"}


def imported(db, *paths) -> list[int]:
    return [r.report_id for r in import_paths(db, list(paths))]


def stored_findings(db, report_id: int) -> list[tuple[str, str, list[str]]]:
    return [(f["rule"], f["severity"], json.loads(f["cells"])) for f in review.findings(db, report_id)]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_samples_get_exactly_their_expected_checks(db, name):
    (report_id,) = imported(db, sample_path(name))
    got = stored_findings(db, report_id)
    want = expected(name)["expect_checks"]
    assert sorted((rule, cells) for rule, _, cells in got if rule != "NARRATIVE-MATCH") == sorted(
        (c["id"], c["cells"]) for c in want if c["id"] != "NARRATIVE-MATCH"
    )
    assert [r for r, _, _ in got if r == "NARRATIVE-MATCH"] == [c["id"] for c in want if c["id"] == "NARRATIVE-MATCH"]
    errors = [r for r, severity, _ in got if severity == "error"]
    assert errors == [c["id"] for c in want if c["id"] != "NARRATIVE-MATCH"]  # no other error fires
    row = review.report_row(db, report_id)
    assert row["region_code"] == REGION_CODES[name[:3]]
    assert row["status"] == ("needs_review" if errors else "ready")


def test_sample_003_suggests_zero_for_both_blanks(db):
    (report_id,) = imported(db, sample_path("003"))
    offered = {s["cell"]: (s["value"], s["rule"]) for s in db.query("SELECT * FROM suggestions")}
    row = {
        f"table3.unable_no_info.{c}"
        for c in ("natural", "commercial", "research", "social", "legal", "other_org", "total")
    }
    assert set(offered) == row | {"table3.carried_forward.commercial"}
    assert {value for value, _ in offered.values()} == {0}
    changes = review.accept_suggestions(db, report_id, who="tester")
    assert len(changes) == 8 and changes[-1].errors_after == 0
    assert review.report_row(db, report_id)["status"] == "ready"


def next_year(tmp_path, wrong: dict[str, int]) -> object:
    """Sample 004 (霍城县人民政府 2023) a year later, its 上年结转 row changed in some columns."""
    text = (
        sample_path("004").read_text(encoding="utf-8").replace("2023", "2024").replace("2024年1月31日", "2025年1月31日")
    )
    lines = text.split("\n")
    start = lines.index("\t二、上年结转政府信息公开申请数量")
    columns = ["natural", "commercial", "research", "social", "legal", "other_org", "total"]
    for column, value in wrong.items():
        lines[start + 1 + columns.index(column)] = f"\t{value}"
    path = tmp_path / "004-2024.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_year_carry_through_imports(db, tmp_path, order):
    newer = next_year(tmp_path, {"natural": 2, "total": 2})
    paths = [sample_path("004"), newer] if order == "older first" else [newer, sample_path("004")]
    ids = dict(zip(paths, imported(db, *paths), strict=True))
    carry = [cells for rule, _, cells in stored_findings(db, ids[newer]) if rule == "YEAR-CARRY"]
    assert carry == [["table3.carried_over.natural"], ["table3.carried_over.total"]]


def test_correcting_last_year_rechecks_this_year(db, tmp_path):
    older, newer = imported(db, sample_path("004"), next_year(tmp_path, {"legal": 3}))
    assert [c for r, _, c in stored_findings(db, newer) if r == "YEAR-CARRY"] == [["table3.carried_over.legal"]]
    review.correct(db, older, "table3.carried_forward.legal", "3", "source p.4 shows 3", who="tester")
    assert [c for r, _, c in stored_findings(db, newer) if r == "YEAR-CARRY"] == []


def test_correction_is_recorded_and_survives_reimport_and_recheck(db):
    (report_id,) = imported(db, sample_path("000"))
    change = review.correct(db, report_id, "table2.normative_in_force", "7", "printed copy, p.2", who="li")
    assert (change.old, change.new, change.errors_before, change.errors_after) == (None, 7, 1, 0)
    parsed = db.execute("SELECT value FROM cells WHERE row_key = 'normative_in_force'").fetchone()[0]
    assert parsed is None  # the parsed value is never overwritten
    assert [r.status for r in import_paths(db, [sample_path("000")])] == ["unchanged"]
    review.recheck(db, report_id)
    assert review.load_report(db, report_id).get("table2.normative_in_force").value == 7
    assert stored_findings(db, report_id) == []
    (trail,) = [t for t in review.audit_trail(db, report_id) if t["kind"] == "correction"]
    assert (trail["what"], trail["old_value"], trail["new_value"], trail["reason"], trail["who"]) == (
        "table2.normative_in_force",
        None,
        7,
        "printed copy, p.2",
        "li",
    )


def test_latest_correction_wins(db):
    (report_id,) = imported(db, sample_path("001"))
    review.correct(db, report_id, "table2.licensing", "5", "first reading", who="a")
    review.correct(db, report_id, "table2.licensing", "4", "second look", who="b")
    assert review.load_report(db, report_id).get("table2.licensing").value == 4
    olds = [t["old_value"] for t in review.audit_trail(db, report_id) if t["kind"] == "correction"]
    assert olds == [0, 5]


def test_correction_refused_without_reason_or_for_unknown_cell(db):
    (report_id,) = imported(db, sample_path("001"))
    with pytest.raises(review.ReviewError, match="理由"):
        review.correct(db, report_id, "table2.licensing", "5", "  ")
    with pytest.raises(review.ReviewError, match="没有单元格"):
        review.correct(db, report_id, "table9.x", "5", "why")
    with pytest.raises(review.ReviewError, match="不是数字"):
        review.correct(db, report_id, "table2.licensing", "five", "why")
    assert db["corrections"].count == 0


def test_approval_needs_override_when_errors_remain(db):
    (report_id,) = imported(db, sample_path("004"))
    with pytest.raises(review.ReviewError, match="仍有 1 个错误"):
        review.approve(db, report_id)
    review.approve(db, report_id, override="行政处罚 merged cell; office confirmed 0 by phone", who="li")
    row = review.report_row(db, report_id)
    assert row["status"] == "approved"
    (approval,) = [t for t in review.audit_trail(db, report_id) if t["what"] == "approved"]
    assert approval["reason"].startswith("带错误批准：行政处罚") and approval["who"] == "li"


def test_clean_report_approves_without_override_and_a_later_correction_reopens_it(db):
    (report_id,) = imported(db, sample_path("001"))
    review.approve(db, report_id, who="li")
    review.correct(db, report_id, "table2.licensing", "5", "typo in source", who="li")
    assert review.report_row(db, report_id)["status"] == "ready"  # approval must be given again


def test_ambiguous_region_fires_identity_and_the_operator_chooses(db, tmp_path):
    text = sample_path("002").read_text(encoding="utf-8").replace("温县", "朝阳区")
    path = tmp_path / "chaoyang.txt"
    path.write_text(text, encoding="utf-8")
    (report_id,) = imported(db, path)
    (identity,) = [f for f in review.findings(db, report_id) if f["rule"] == "IDENTITY"]
    assert "110105" in identity["message"] and "220104" in identity["message"]
    review.correct(db, report_id, "region_code", "110105", "the report's web site is bjchy.gov.cn", who="li")
    row = review.report_row(db, report_id)
    assert (row["region_code"], row["province"], row["region"]) == ("110105", "北京市", "朝阳区")
    assert not [f for f in review.findings(db, report_id) if f["rule"] == "IDENTITY"]
    with pytest.raises(review.ReviewError, match="不是行政区划代码"):
        review.correct(db, report_id, "region_code", "999999", "why")


# --- the CLI -------------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_cli_check_exit_codes_and_summary(db_path):
    assert run("--db", str(db_path), "import", str(sample_path("001")), str(sample_path("002"))).exit_code == 0
    result = run("--db", str(db_path), "check")
    assert result.exit_code == 0  # a warning alone does not fail
    assert result.stdout.splitlines()[-1] == "检查了 2 份报告：0 份有错误，共 0 个错误，1 个提示"
    run("--db", str(db_path), "import", str(sample_path("003")))
    result = run("--db", str(db_path), "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "报告 3：交口县人民政府办公室 2024（待审核）"  # errors first
    assert lines[-1] == "检查了 3 份报告：1 份有错误，共 2 个错误，1 个提示"
    result = run("--db", str(db_path), "check", "--json", "3")
    data = json.loads(result.stdout)
    assert result.stderr.strip() == "检查了 1 份报告：1 份有错误，共 2 个错误，0 个提示"
    assert [f["rule"] for f in data[0]["findings"]] == ["CELL-MISSING", "CELL-MISSING"]


def test_cli_correct_accept_approve_show(db_path):
    run("--db", str(db_path), "import", str(sample_path("003")))
    result = run("--db", str(db_path), "approve", "1")
    assert result.exit_code == 1 and result.stderr.startswith("错误：报告 1 仍有 2 个错误，批准须说明为何接受")
    assert "--override" in result.stderr  # names the option that approves anyway
    assert run("--db", str(db_path), "correct", "1", "table2.licensing", "5").exit_code == 2  # --reason required
    result = run("--db", str(db_path), "accept", "1")
    assert result.exit_code == 0 and result.stdout.splitlines()[-1] == "采纳建议值 8 个；现有错误 0"
    assert run("--db", str(db_path), "approve", "1").exit_code == 0
    shown = run("--db", str(db_path), "show", "1").stdout
    assert "交口县人民政府办公室 · 2024 · 已批准" in shown and "141130 山西省吕梁市" in shown
    assert "采纳建议值：T3-BALANCE" in shown


def test_parse_json_includes_single_report_checks():
    result = run("parse", str(sample_path("003")), "--json")
    data = json.loads(result.stdout)
    assert data["region_code"] == "141130" and data["prefecture"] == "吕梁市"
    assert [(c["id"], c["cells"]) for c in data["checks"]] == [
        ("CELL-MISSING", ["table3.unable_no_info.*"]),
        ("CELL-MISSING", ["table3.carried_forward.commercial"]),
    ]
    assert {s["value"] for s in data["checks"][0]["suggestions"]} == {0}


def test_cell_source_shows_the_lines_around_a_value(db):
    (report_id,) = imported(db, sample_path("003"))
    review.correct(db, report_id, "table3.carried_forward.commercial", "0", "sums", who="li")
    found = review.cell_source(db, report_id, "table3.carried_forward.commercial")
    assert (found.value, found.raw, found.form) == (0, "", "text")
    assert found.source.describe() == "第88行第4列"
    assert dict(found.excerpt)[88].startswith("四、结转下年度继续办理\t\t0\t\t0")
    assert [n for n, _ in found.excerpt] == [86, 87, 88, 89, 90]
    assert [c["reason"] for c in found.corrections] == ["sums"]


def test_cli_show_cell(db_path):
    run("--db", str(db_path), "import", str(sample_path("000")))
    out = run("--db", str(db_path), "show", "1", "table3.new_received.natural").stdout.splitlines()
    assert (
        out[0]
        == "报告 1 表三 一、本年新收政府信息公开申请数量 · 自然人（table3.new_received.natural）= 2   （原文：“2”）"
    )
    assert re.fullmatch(r"来源（文本）：第\d+行(第\d+列)?", out[1])
    assert any(line.startswith("▶") and line.endswith("│  ⇥ 2") for line in out)
