"""Review at scale and tombstones: accept every suggestion, record blanks as printed, approve many
reports with one reason, remove a stray copy or merge it into the report it duplicates. Each action
is one audited change per cell, in one transaction."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from nianbao.db import review
from nianbao.db.overview import overview, queue
from nianbao.db.pipeline import import_paths
from nianbao.publish.database import public_reports
from nianbao.tui.cli import cli
from tests.helpers import sample_path

# 003 (交口县 2024) leaves 8 cells blank: the row 本机关不掌握相关政府信息 (7) and 结转下年度·商业企业.
BLANKS_003 = 8


def imported(db, *names: str) -> list[int]:
    return [r.report_id for r in import_paths(db, [sample_path(n) for n in names])]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def rules(db, report_id: int) -> list[str]:
    return [f["rule"] for f in review.findings(db, report_id)]


def test_accepting_every_suggestion_is_one_transaction_with_a_row_per_cell(db):
    (report_id,) = imported(db, "003")
    changes = review.accept_suggestions(db, report_id)
    rows = db.execute("SELECT cell, old_value, new_value, reason, at FROM corrections").fetchall()
    assert len(changes) == len(rows) == BLANKS_003
    assert len({at for *_, at in rows}) == 1  # written together
    assert all(old is None and new is not None and reason.startswith("采纳建议值") for _, old, new, reason, _ in rows)
    assert changes[-1].errors_after == 0 and "CELL-MISSING" not in rules(db, report_id)


def test_blank_as_printed_keeps_null_and_settles_cell_missing(db):
    (report_id,) = imported(db, "003")
    assert rules(db, report_id).count("CELL-MISSING") == 2
    changes = review.record_blanks(db, report_id, reason="原文此处空白", who="li")
    assert len(changes) == BLANKS_003 and changes[-1].errors_after == 0
    report = review.load_report(db, report_id)
    assert report.get("table3.carried_forward.commercial").value is None  # still null, never 0
    assert report.get("table3.unable_no_info.natural").value is None
    assert "CELL-MISSING" not in rules(db, report_id)
    review.recheck(db, report_id)  # the review holds when the checks run again
    assert "CELL-MISSING" not in rules(db, report_id)
    trail = [t for t in review.audit_trail(db, report_id) if t["kind"] == "blank"]
    assert len(trail) == BLANKS_003 and all("原文此处空白" in t["reason"] and t["who"] == "li" for t in trail)
    assert review.report_row(db, report_id)["status"] == "ready"
    assert review.record_blanks(db, report_id, reason="again") == []  # nothing twice


def test_blank_refuses_a_filled_cell_and_needs_a_reason(db):
    (report_id,) = imported(db, "003")
    with pytest.raises(review.ReviewError, match="不是空白单元格"):
        review.record_blanks(db, report_id, ["table3.new_received.natural"], reason="x")
    with pytest.raises(review.ReviewError, match="理由"):
        review.record_blanks(db, report_id, reason=" ")
    assert db["corrections"].count == 0


def test_a_correction_after_a_blank_review_reopens_nothing_and_counts(db):
    (report_id,) = imported(db, "003")
    review.record_blanks(db, report_id, ["table3.carried_forward.commercial"], reason="空白")
    review.correct(db, report_id, "table3.carried_forward.commercial", "0", "第四部分写明为0")
    assert "table3.carried_forward.commercial" not in review.reviewed_blanks(db, report_id)
    assert review.load_report(db, report_id).get("table3.carried_forward.commercial").value == 0


def test_approve_many_is_all_or_none(db):
    ids = imported(db, "003", "001")  # 003 has errors, 001 none
    with pytest.raises(review.NeedsOverride):
        review.approve_many(db, ids)
    assert [review.report_row(db, i)["status"] for i in ids] == ["needs_review", "ready"]
    review.approve_many(db, ids, override="已与原件核对")
    assert [review.report_row(db, i)["status"] for i in ids] == ["approved", "approved"]


def test_remove_leaves_queue_and_publish_but_keeps_file_and_trail(db):
    keep, stray = imported(db, "003", "001")
    review.remove(db, stray, "重复导入", who="li")
    assert [r.id for r in queue(db)] == [keep]
    glance = overview(db)
    assert (glance.reports, glance.removed) == (1, 1)
    assert [r["id"] for r in public_reports(db, include_unapproved=True)] == [keep]
    assert review.report_row(db, stray)["status"] == "removed"
    assert db.execute("SELECT count(*) FROM cells WHERE report_id = ?", [stray]).fetchone()[0] > 0
    assert review.audit_trail(db, stray)[-1]["reason"] == "重复导入"
    with pytest.raises(review.ReviewError, match="已移除"):
        review.approve(db, stray)


def test_a_colliding_identity_offers_merge_and_remove(db):
    keep, stray = imported(db, "003", "001")
    row = review.report_row(db, keep)
    review.correct(db, keep, "table3.carried_forward.commercial", "0", "原件为0")
    review.correct(db, stray, "table2.licensing", "7", "原件为7")
    review.correct(db, stray, "table3.carried_forward.commercial", "9", "stray's reading")
    review.correct(db, stray, "region_code", row["region_code"], "同一县")
    with pytest.raises(review.IdentityClash) as clash:
        review.correct(db, stray, "organ", row["organ"], "同一机关")
    assert clash.value.other == keep and "nianbao merge" in str(clash.value) and "nianbao remove" in str(clash.value)
    review.merge(db, stray, keep, "同一报告导入两次")
    merged = review.load_report(db, keep)
    assert merged.get("table2.licensing").value == 7  # the stray's correction, carried over
    assert merged.get("table3.carried_forward.commercial").value == 0  # its own correction stays
    assert review.report_row(db, stray)["status"] == "removed"


def test_cli_bulk_review_remove_and_merge(db_path):
    db = str(db_path)
    assert run("--db", db, "import", str(sample_path("003")), str(sample_path("001"))).exit_code == 0
    result = run("--db", db, "blank", "1", "--all", "--reason", "原文空白")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "报告 1：空白照录 8 个单元格；现有错误 0"
    assert run("--db", db, "blank", "1", "--reason", "x").exit_code == 2  # CELLS or --all
    result = run("--db", db, "approve", "1", "2", "--override", "已核对")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "报告 1：交口县人民政府办公室 2024 已批准",
        "报告 2：巨鹿县人民政府办公室 2024 已批准",
    ]
    result = run("--db", db, "remove", "2", "--reason", "重复")
    assert result.exit_code == 0 and "已移除" in result.stdout
    listed = run("--db", db, "check").stdout
    assert "检查了 1 份报告" in listed
    assert run("--db", db, "remove", "2").exit_code == 2  # --reason required
    result = run("--db", db, "merge", "1", "1", "--reason", "x")
    assert result.exit_code == 1 and "不能把报告并入它自己" in result.stderr
