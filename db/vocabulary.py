"""One vocabulary: every status and severity has one Chinese name (and one English), defined here
and used by the app, the CLI's human output, the site and Datasette's metadata. Stored values and
`--json` keys stay the English codes (`needs_review`, `error`); people read `zh`.

Rules have their Chinese titles in db/checks/registry.py; `rule_zh` reads them from there.
"""

from __future__ import annotations

from enum import StrEnum

from nianbao.db.regions import COUNTY, PREFECTURE, PROVINCE


class Status(StrEnum):
    """Where a report is in review: imported → needs_review | ready → approved → published;
    removed is a tombstone (out of the queue and the site, file and audit trail kept)."""

    IMPORTED = "imported"
    NEEDS_REVIEW = "needs_review"
    READY = "ready"
    APPROVED = "approved"
    PUBLISHED = "published"
    REMOVED = "removed"

    @property
    def zh(self) -> str:
        return _STATUS_ZH[self]

    @property
    def en(self) -> str:
        return _STATUS_EN[self]


_STATUS_ZH = {
    Status.IMPORTED: "已导入",
    Status.NEEDS_REVIEW: "待审核",
    Status.READY: "待批准",
    Status.APPROVED: "已批准",
    Status.PUBLISHED: "已发布",
    Status.REMOVED: "已移除",
}
_STATUS_EN = {
    Status.IMPORTED: "imported, not yet checked",
    Status.NEEDS_REVIEW: "errors to review",
    Status.READY: "no errors, awaiting approval",
    Status.APPROVED: "approved",
    Status.PUBLISHED: "published",
    Status.REMOVED: "removed",
}


class Severity(StrEnum):
    """How much a finding weighs: an error means the numbers cannot all be right; a warning is
    worth a look."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def zh(self) -> str:
        return {Severity.ERROR: "错误", Severity.WARNING: "提示"}[self]

    @property
    def en(self) -> str:
        return self.value


class ImportStatus(StrEnum):
    """What became of one file in an import."""

    IMPORTED = "imported"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    FAILED = "failed"

    @property
    def zh(self) -> str:
        return {
            ImportStatus.IMPORTED: "已导入",
            ImportStatus.REPLACED: "已替换",
            ImportStatus.UNCHANGED: "未变",
            ImportStatus.FAILED: "失败",
        }[self]


# What the audit trail records, by kind.
TRAIL_KINDS = {"correction": "更正", "status": "状态", "blank": "空白照录"}
# Fixed reasons the program itself records for a change of status (db/review/findings.py), by their code.
TRAIL_REASONS_ZH = {"checks": "检查后自动设定"}


def trail_reason_zh(reason: str | None) -> str:
    """A trail entry's reason as a person reads it: the program's own fixed codes in Chinese, an
    operator's words as they wrote them."""
    return TRAIL_REASONS_ZH.get(reason or "", reason or "")


def status_zh(code: str | None) -> str:
    """The Chinese name of a stored status code; an unknown code as it is."""
    return _lookup(Status, code)


def severity_zh(code: str | None) -> str:
    return _lookup(Severity, code)


def import_status_zh(code: str | None) -> str:
    return _lookup(ImportStatus, code)


def rule_zh(rule_id: str) -> str:
    """A rule's Chinese title from the registry, or its id when unknown."""
    from nianbao.db.checks import RULES  # the registry imports the model, not this module

    rule = RULES.get(rule_id)
    return rule.title_zh if rule else rule_id


def _lookup(kind: type[StrEnum], code: str | None) -> str:
    if code is None:
        return "—"
    try:
        return kind(code).zh  # type: ignore[attr-defined]
    except ValueError:
        return code


# The levels of administrative divisions (GB/T 2260), as the region search lists them.
DIVISION_LEVELS_ZH = {PROVINCE: "省级", PREFECTURE: "地级", COUNTY: "县级"}


def division_level_zh(level: str) -> str:
    """'county' → '县级'; an unknown level as it is."""
    return DIVISION_LEVELS_ZH.get(level, level)


FORMS_ZH = {"text": "文本", "pdf": "PDF", "docx": "Word", "html": "网页"}


def source_zh(source) -> str:
    """Where a value is printed, in Chinese: `db.document.Source.describe()` (第88行, 第2页，表格1第5行第3列)."""
    return "位置未知" if source is None else source.describe()


def import_summary_zh(results) -> str:
    """One line for a batch of `db.pipeline.FileResult`s, the same in the CLI and the app:
    '6 个文件：已导入 5，失败 1；4 个有待审核的问题'."""
    counts: dict[str, int] = {}
    for r in results:
        counts[import_status_zh(r.status)] = counts.get(import_status_zh(r.status), 0) + 1
    detail = "，".join(f"{status} {n}" for status, n in counts.items()) or "没有可导入的文件"
    flagged = sum(1 for r in results if (r.errors or r.warnings) and r.status != ImportStatus.FAILED)
    return f"{len(results)} 个文件：{detail}" + (f"；{flagged} 个有待审核的问题" if flagged else "")


TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}
IDENTITY_NAMES = {"organ": "发布机关", "year": "年度", "region_code": "地区代码", "published": "发布日期"}


def cell_name(path: str, version: str | None = None) -> str:
    """A cell path as the form names it: 'table3.deny_state_secret.natural' →
    '表三 （三）不予公开 1.属于国家秘密 · 自然人'; `ROW.*` → the row. An unknown path as it is."""
    from nianbao.db.format import (
        FORMATS,
        RESULTS_GROUP,
        TABLE3_COLUMNS,
        TABLE4_GROUPS,
        TABLE4_RESULTS,
        parse_cell_path,
        table4_key,
    )

    if path in IDENTITY_NAMES:
        return IDENTITY_NAMES[path]
    table, key, column = parse_cell_path(path)
    name = TABLE_NAMES.get(table, "")
    specs = [FORMATS[version]] if version in FORMATS else list(FORMATS.values())
    for spec in specs:
        if table == "table2":
            for row in spec.table2:
                for f in row.fields:
                    if f.key == key:
                        return f"{name} {row.label} · {f.column}" if len(row.fields) > 1 else f"{name} {row.label}"
        elif table == "table3":
            row3 = next((r for r in spec.table3_rows if r.key == key), None)
            if row3 is not None:
                label = f"{row3.group} {row3.label}" if row3.group not in (None, RESULTS_GROUP) else row3.label
                names = {c.key: c.label for c in TABLE3_COLUMNS}
                return f"{name} {label}" + (f" · {names[column]}" if column in names else "")
        elif table == "table4":
            for group in TABLE4_GROUPS:
                for result in TABLE4_RESULTS:
                    if key == table4_key(group.key, result.key):
                        return f"{name} {group.label} · {result.label}"
    return path


def message_zh(finding: dict, version: str | None = None) -> str:
    """A stored finding's Chinese message with its cell paths named as the form names them
    ('table3.unable_no_info.* 空缺' → '表三 （四）无法提供 1.本机关不掌握相关政府信息 空缺')."""
    import json

    text = finding["message_zh"]
    cells = finding["cells"]
    for cell in sorted(json.loads(cells) if isinstance(cells, str) else cells, key=len, reverse=True):
        text = text.replace(cell, cell_name(cell, version))
    return text
