"""Corrections of cells and of a report's identity: a correction is a row of its own (old, new,
reason, who, when), never an overwrite; the checks re-run at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nianbao.db.model import Report
from nianbao.db.parse.identity import parse_date
from nianbao.db.parse.labels import read_cell
from nianbao.db.queries import suggestions
from nianbao.db.regions import lookup_code
from nianbao.db.review.findings import error_count, recheck, reviewed_blanks
from nianbao.db.review.log import operator, set_status
from nianbao.db.review.stored import ReviewError, cell_paths, load_report, neighbour, report_row
from nianbao.db.schema import Database
from nianbao.db.store import insert_rows, now
from nianbao.db.vocabulary import Status

APPROVED = (Status.APPROVED, Status.PUBLISHED)  # a correction sends these back to review


class IdentityClash(ReviewError):
    """Setting an identity another report already has: the two are likely one report imported
    twice; the operator can merge this copy into the other, or remove it."""

    def __init__(self, report_id: int, other: int, what: str) -> None:
        super().__init__(
            f"报告 {other} 已是 {what}：报告 {report_id} 可能是它的重复副本，可合并（nianbao merge {report_id} {other}"
            f" --reason …）或移除（nianbao remove {report_id} --reason …）"
        )
        self.report_id, self.other = report_id, other


@dataclass(frozen=True)
class Change:
    """What a correction did, for the operator to see."""

    cell: str
    old: object
    new: object
    errors_before: int
    errors_after: int


def read_value(text: str) -> object:
    """What an operator typed: a number, a not-applicable mark, or blank ('' or 'null')."""
    if text.strip().lower() in ("", "null", "none", "blank"):
        return None
    reading = read_cell(text)
    if reading.kind in ("label", "text"):
        raise ReviewError(f"“{text}”不是数字、不适用标记（/ — 无）或空白")
    return reading.value


# Who, where, when: corrected like a cell, and written to the report's row so that lists,
# neighbours and the map use them. The correction row keeps the value as parsed.
IDENTITY_FIELDS = ("organ", "year", "region_code", "published")


def _identity_update(db: Database, report_id: int, field: str, text: str) -> tuple[object, dict]:
    """The new value of an identity field and the columns of `reports` it sets."""
    text = text.strip()
    if field == "year":
        if not (text.isdigit() and 1990 <= int(text) <= 2100):
            raise ReviewError(f"“{text}”不是有效的报告年度")
        return int(text), {"year": int(text)}
    if field == "region_code":
        division = lookup_code(text)
        if division is None:
            raise ReviewError(f"{text} 不是行政区划代码（6 位数字，GB/T 2260）")
        return text, {
            "region_code": division.code,
            "region": division.name,
            "province": division.province,
            "prefecture": division.prefecture,
            "region_note": f"由操作员设定：{division.full_name()}",
        }
    if field == "published":
        iso = parse_date(text)
        if iso is None:
            raise ReviewError(f"“{text}”不是日期（2025-01-22 或 2025年1月22日）")
        return iso, {"published": iso}
    if not text:
        raise ReviewError("发布机关不能为空")
    return text, {"organ": text}


def correct(db: Database, report_id: int, cell: str, text: str, reason: str, who: str | None = None) -> Change:
    """Record a correction of one cell (or of organ, year, region_code, published) and re-run
    the checks at once."""
    if not reason.strip():
        raise ReviewError("更正需要理由：原文怎么写、在哪里")
    report = load_report(db, report_id)
    update: dict = {}
    if cell in IDENTITY_FIELDS:
        new, update = _identity_update(db, report_id, cell, text)
        old = report_row(db, report_id)[cell]
    elif cell in cell_paths(report):
        new, old = read_value(text), report.get(cell).value
    else:
        raise ReviewError(
            f"报告 {report_id}（{report.format} 格式）没有单元格 {cell}；"
            f"应如 table3.total.natural，或为 {', '.join(IDENTITY_FIELDS)} 之一"
        )
    before = error_count(db, report_id)
    with db.atomic():
        if update:
            _update_identity(db, report_id, report, update)
        db.table("corrections").insert(
            {
                "report_id": report_id,
                "cell": cell,
                "old_value": old,
                "new_value": new,
                "reason": reason.strip(),
                "who": who or operator(),
                "at": now(),
            }
        )
        if report_row(db, report_id)["status"] in APPROVED:
            set_status(db, report_id, Status.NEEDS_REVIEW, f"批准后更正 {cell}", who or operator())
        recheck(db, report_id)
    return Change(cell, old, new, before, error_count(db, report_id))


def _update_identity(db: Database, report_id: int, report: Report, update: dict) -> None:
    organ, year = update.get("organ", report.organ), update.get("year", report.year)
    place = update.get("region_code", report.region_code)
    clash = db.execute(
        "SELECT id FROM reports WHERE organ = ? AND year = ? AND region_code IS ? AND id != ?",
        [organ, year, place, report_id],
    ).fetchone()
    if clash:
        raise IdentityClash(report_id, clash[0], f"{organ} {year}{f'（{place}）' if place else ''}")
    old_next = neighbour(db, report, +1)
    db.table("reports").update(report_id, update)
    if old_next:  # it compared itself with this report's old identity
        recheck(db, old_next, neighbours=False)


def accept_suggestions(db: Database, report_id: int, cells: Iterable[str] = (), who: str | None = None) -> list[Change]:
    """Write suggested values (all, or those of `cells`) as corrections whose reason is the
    derivation: one correction per cell, all in one transaction, the checks run once."""
    report_row(db, report_id)  # a report that does not exist is refused, not "0 accepted"
    wanted = set(cells)
    offered = suggestions(db, report_id)
    if wanted - {s["cell"] for s in offered}:
        missing = ", ".join(sorted(wanted - {s["cell"] for s in offered}))
        raise ReviewError(f"没有建议值：{missing}")
    edits = [
        (s["cell"], s["value"], f"采纳建议值：{s['derivation']}") for s in offered if not wanted or s["cell"] in wanted
    ]
    return correct_cells(db, report_id, edits, who)


def record_blanks(
    db: Database, report_id: int, cells: Iterable[str] = (), reason: str = "", who: str | None = None
) -> list[Change]:
    """Record blank cells (those of `cells`, or every blank cell of the report) as blank as printed:
    each stays null, one audited correction per cell (old and new null, with the reason), all in
    one transaction; their CELL-MISSING findings then count as reviewed."""
    if not reason.strip():
        raise ReviewError("空白照录需要理由：原文怎么写")
    report = load_report(db, report_id)
    blank = [p for p in cell_paths(report) if report.get(p).value is None]
    wanted = list(dict.fromkeys(cells)) or blank
    unknown = [c for c in wanted if c not in cell_paths(report)]
    if unknown:
        raise ReviewError(f"报告 {report_id} 没有单元格 {', '.join(unknown)}")
    filled = [c for c in wanted if c not in blank]
    if filled:
        raise ReviewError(f"不是空白单元格：{', '.join(filled)}；请改用更正")
    settled = reviewed_blanks(db, report_id)
    edits = [(c, None, f"空白照录：{reason.strip()}") for c in wanted if c not in settled]
    return correct_cells(db, report_id, edits, who)


def correct_cells(
    db: Database, report_id: int, edits: Sequence[tuple[str, object, str]], who: str | None = None
) -> list[Change]:
    """Corrections of cell values (cell, new value, reason), one row each, in one transaction with
    one re-run of the checks."""
    if not edits:
        return []
    report = load_report(db, report_id)
    before = error_count(db, report_id)
    rows = [(cell, report.get(cell).value, new, reason) for cell, new, reason in edits]
    who = who or operator()
    at = now()
    with db.atomic():
        insert_rows(
            db,
            "corrections",
            ("report_id", "cell", "old_value", "new_value", "reason", "who", "at"),
            [(report_id, cell, old, new, reason, who, at) for cell, old, new, reason in rows],
        )
        if report_row(db, report_id)["status"] in APPROVED:
            set_status(db, report_id, Status.NEEDS_REVIEW, f"批准后更正 {len(rows)} 处", who)
        recheck(db, report_id)
    after = error_count(db, report_id)
    return [Change(cell, old, new, before, after) for cell, old, new, _ in rows]
