"""The status workflow:

    imported -> needs_review (errors) | ready (no errors) -> approved -> published

Approving a report with open errors takes an explicit override with a reason; removing leaves a
tombstone; merging carries a stray copy's corrections over, then removes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from nianbao.db.review.corrections import Change, correct_cells
from nianbao.db.review.findings import error_count
from nianbao.db.review.log import operator, set_status
from nianbao.db.review.stored import ReviewError, cell_paths, load_report, report_row
from nianbao.db.schema import Database
from nianbao.db.vocabulary import Status


class NeedsOverride(ReviewError):
    """Approving a report with open errors without saying why they are accepted."""


def approve_many(db: Database, report_ids: Iterable[int], override: str | None = None, who: str | None = None) -> None:
    """Approve several reports with one reason, all or none: one status change each, in one
    transaction. Reports with open errors need the override reason."""
    with db.atomic():
        for report_id in report_ids:
            approve(db, report_id, override, who)


def approve(db: Database, report_id: int, override: str | None = None, who: str | None = None) -> None:
    """Approve a report for publication. Open errors need an override reason."""
    status = report_row(db, report_id)["status"]
    if status in (Status.APPROVED, Status.PUBLISHED):
        return
    if status == Status.REMOVED:
        raise ReviewError(f"报告 {report_id} 已移除，不能批准")
    errors = error_count(db, report_id)
    if errors and not (override and override.strip()):
        raise NeedsOverride(f"报告 {report_id} 仍有 {errors} 个错误，批准须说明为何接受")
    reason = f"带错误批准：{override.strip()}" if errors and override else None
    with db.atomic():
        set_status(db, report_id, Status.APPROVED, reason, who or operator())


def remove(db: Database, report_id: int, reason: str, who: str | None = None) -> None:
    """Remove a report (a stray copy, a file that is no report): a tombstone, status removed. It
    leaves the queue and the next publish; its file, cells and audit trail stay."""
    if not reason.strip():
        raise ReviewError("移除报告需要理由")
    if report_row(db, report_id)["status"] == Status.REMOVED:
        return
    with db.atomic():
        set_status(db, report_id, Status.REMOVED, reason.strip(), who or operator())


def merge(db: Database, stray_id: int, into_id: int, reason: str, who: str | None = None) -> list[Change]:
    """Merge a stray copy into the report it duplicates: the stray's corrections of cells the other
    report has not corrected itself are recorded there too (its own corrections stay as they are),
    then the stray is removed (a tombstone). One transaction."""
    if stray_id == into_id:
        raise ReviewError("不能把报告并入它自己")
    if not reason.strip():
        raise ReviewError("合并报告需要理由")
    for report_id in (stray_id, into_id):
        if report_row(db, report_id)["status"] == Status.REMOVED:
            raise ReviewError(f"报告 {report_id} 已移除")
    target = load_report(db, into_id)
    paths = set(cell_paths(target))
    own = {c for (c,) in db.execute("SELECT DISTINCT cell FROM corrections WHERE report_id = ?", [into_id])}
    taken = [
        (cell, new, f"并入自报告 {stray_id}：{why}")
        for cell, new, why in db.execute(
            "SELECT cell, new_value, reason FROM corrections WHERE report_id = ? ORDER BY id", [stray_id]
        ).fetchall()
        if cell in paths and cell not in own
    ]
    latest = list({cell: (cell, new, why) for cell, new, why in taken}.values())  # the stray's last word per cell
    with db.atomic():
        changes = correct_cells(db, into_id, latest, who)
        set_status(db, stray_id, Status.REMOVED, f"并入报告 {into_id}：{reason.strip()}",
                    who or operator())  # fmt: skip
    return changes


def mark_published(db: Database, report_ids: list[int], who: str | None = None) -> None:
    """Approved reports that went online become published."""
    with db.atomic():
        for report_id in report_ids:
            set_status(db, report_id, Status.PUBLISHED, None, who or operator())
