"""Datasette metadata (0.65 format) for the published database: titles, bilingual descriptions of
every table and column, facets, full-text search and the canned queries.

Chinese labels come from db/format.py and rule ids from the rule registry, so the descriptions
follow the format when it changes; only the English glosses of the keys live here.
"""

from __future__ import annotations

from nianbao.db.checks import RULES
from nianbao.db.format import (
    FORMATS,
    NARRATIVE_SECTIONS,
    ORG_COLUMN_KEYS,
    SECTION_BY_KEY,
    SECTIONS,
    TABLE3_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    Field,
    Kind,
)
from nianbao.publish.stamp import Stamp

DATABASE = "nianbao"
# The stylesheet that keeps CJK columns readable (site/static/datasette.css), served by Datasette
# itself from the published folder's static/ (publish/datasette.py): no other host.
DATASETTE_CSS = "datasette.css"
DATASETTE_CSS_URL = f"/static/{DATASETTE_CSS}"
TITLE = "nianbao 政府信息公开工作年度报告数据"
REGULATION = "《中华人民共和国政府信息公开条例》（国务院令第711号）"
FTS_MIN_CHARS = 3  # the trigram tokenizer indexes runs of three characters

# English glosses of the canonical keys (the Chinese labels are db/format.py's).
TABLE2_SUBJECTS_EN = {
    "rules": "rules (规章)",
    "normative": "normative documents (规范性文件)",
    "licensing": "administrative licensing",
    "other_services": "other external management services",
    "punishment": "administrative penalties",
    "enforcement": "administrative enforcement",
    "fees": "administrative fees",
    "procurement": "government procurement",
}
TABLE2_MEASURES_EN = {
    "": "decisions made this year",
    "made": "made this year",
    "repealed": "repealed this year",
    "in_force": "in force at the end of the year",
    "published": "newly published this year",
    "public_total": "published in total",
    "prev_items": "items last year",
    "change": "change in items this year (may be negative)",
    "items": "projects",
    "wan": "amount",
}
TABLE3_COLUMNS_EN = {
    "natural": "natural persons",
    "commercial": "commercial enterprises",
    "research": "research institutions",
    "social": "public-interest organisations",
    "legal": "legal service agencies",
    "other_org": "other organisations",
    "total": "all applicants",
}
TABLE4_GROUPS_EN = {
    "review": "administrative reconsideration",
    "suit_direct": "lawsuits filed without reconsideration",
    "suit_after_review": "lawsuits filed after reconsideration",
}
TABLE4_RESULTS_EN = {
    "upheld": "decision upheld",
    "corrected": "decision corrected",
    "other": "other outcome",
    "pending": "not yet concluded",
    "total": "total",
}
from nianbao.db.vocabulary import Severity, Status

# The statuses a published report can carry (published reads as approved), named as everywhere else.
PUBLISHED_STATUSES = (Status.APPROVED, Status.NEEDS_REVIEW, Status.READY, Status.IMPORTED)
SEVERITY_ZH = "严重程度：" + "；".join(f"{s} {s.zh}" for s in Severity)
SEVERITY_EN = "severity: " + " or ".join(Severity)


def bilingual(zh: str, en: str) -> str:
    """One description string: Chinese first, then English."""
    return f"{zh}\n\n{en}"


def column(zh: str, en: str) -> str:
    """A column description on one line (Datasette shows it under the column name)."""
    return f"{zh} — {en}"


# --- Table 二/三/四 columns, generated from db/format.py ----------------------------------------


def table2_columns() -> dict[str, str]:
    """Every key of table 二 in either format, with its label(s), format and unit."""
    by_key: dict[str, list[tuple[str, str, Field]]] = {}
    for version, spec in FORMATS.items():
        for row in spec.table2:
            for f in row.fields:
                by_key.setdefault(f.key, []).append((version, row.label, f))
    return {key: _table2_column(key, seen) for key, seen in sorted(by_key.items())}


def _table2_column(key: str, seen: list[tuple[str, str, Field]]) -> str:
    unit_zh, unit_en = _table2_unit(key, seen[0][2])
    labels = "；".join(f"{version}年版：{label}·{f.column}" for version, label, f in seen)
    versions = {version for version, _, _ in seen}
    only_zh, only_en = "", ""
    if versions != set(FORMATS):
        (version,) = versions
        only_zh = f"；仅{version}年版格式有此项，其他格式的报告为空"
        only_en = f"; {version} format only, empty for reports in the other format"
    change = "可为负数" if seen[0][2].kind is Kind.CHANGE else ""
    # A label that prints its unit (本年收费金额（单位：万元）) is not followed by the unit again.
    notes = "，".join(n for n in ("" if f"单位：{unit_zh}" in labels else unit_zh, change) if n)
    return column(f"{labels}{f'（{notes}）' if notes else ''}{only_zh}", f"{_table2_english(key)} ({unit_en}){only_en}")


def _table2_unit(key: str, f: Field) -> tuple[str, str]:
    if f.kind is Kind.AMOUNT:
        return "万元", "10,000 yuan, 万元"
    if key.endswith(("_items", "_change")):
        return "项", "items, 项"
    return "件", "count, 件"


def _table2_english(key: str) -> str:
    """rules_in_force → "rules (规章): in force at the end of the year"."""
    subject = max((s for s in TABLE2_SUBJECTS_EN if key == s or key.startswith(f"{s}_")), key=len)
    return f"{TABLE2_SUBJECTS_EN[subject]}: {TABLE2_MEASURES_EN[key[len(subject) + 1 :]]}"


def table3_columns() -> dict[str, str]:
    """The seven applicant columns of table 三 (one row of the table per row_key)."""
    out = {}
    for c in TABLE3_COLUMNS:
        who = f"法人或其他组织·{c.label}" if c.key in ORG_COLUMN_KEYS else c.label
        out[c.key] = column(
            f"申请人：{who}；该行（row_key）的件数（件）",
            f"applicants: {TABLE3_COLUMNS_EN[c.key]}; number for this row_key (applications, 件)",
        )
    return out


def table4_columns() -> dict[str, str]:
    """The fifteen cells of table 四: three groups × five outcomes."""
    return {
        f"{g.key}_{r.key}": column(
            f"{g.label}·{r.label}（件）", f"{TABLE4_GROUPS_EN[g.key]}: {TABLE4_RESULTS_EN[r.key]} (cases, 件)"
        )
        for g in TABLE4_GROUPS
        for r in TABLE4_RESULTS
    }


REPORT_ID = column("报告编号，见 reports 表", "report id, see the reports table")


# --- Tables --------------------------------------------------------------------------------------


def tables() -> dict[str, dict]:
    """Per-table metadata: title, description, column descriptions, facets and sorting."""
    return {
        "reports": _reports(),
        "cells": _cells(),
        "table2": _table2(),
        "table3": _table3(),
        "table4": _table4(),
        "narratives": _narratives(),
        "narratives_fts": _narratives_fts(),
        "findings": _findings(),
        "corrections": _corrections(),
        "rules": _rules(),
        "labels": _labels(),
    }


def _reports() -> dict:
    return {
        "title": "报告 reports",
        "description": bilingual(
            "每行一份年度报告：发布机关、所属行政区划（省、地市、县级代码）、年度、格式、发布日期，以及原文件在网站上的位置。",
            "One row per annual report: the organ, its place (province, prefecture, county-level code), the "
            "year, the format, the date, and where the original file is on the site.",
        ),
        "label_column": "organ",
        "facets": ["province", "year", "status"],
        "sortable_columns": ["id", "organ", "region_code", "province", "prefecture", "year", "published", "status"],
        "columns": {
            "id": column("报告编号", "report id"),
            "organ": column("发布报告的行政机关", "the administrative organ that published the report"),
            "region": column("县级行政区名称", "county-level division name"),
            "region_code": column(
                "县级行政区划代码（GB/T 2260，6位）", "county-level administrative division code (GB/T 2260, 6 digits)"
            ),
            "province": column("省级行政区", "province-level division"),
            "prefecture": column("地级行政区", "prefecture-level division"),
            "year": column("报告年度（统计期为该年1月1日至12月31日）", "report year (statistics cover 1 Jan – 31 Dec)"),
            "format": column(
                "报告格式版本：2021（2021年度起）或 2019（2019–2020年度）",
                "format version: 2021 (report years 2021 on) or 2019 (2019–2020)",
            ),
            "published": column("报告落款日期（ISO），如有", "date the report is signed (ISO), if stated"),
            "title": column("报告标题", "report title"),
            "period": column("报告所述统计期（ISO 起止日期）", "statistics period as stated (ISO start/end)"),
            "website": column("报告所述政府网站", "government website named in the report"),
            "status": column(
                "审核状态：" + "；".join(f"{s} {s.zh}" for s in PUBLISHED_STATUSES),
                "review status: " + "; ".join(f"{s} ({s.en})" for s in PUBLISHED_STATUSES),
            ),
            "approved": column(f"是否{Status.APPROVED.zh}（1/0）", "approved by a reviewer (1/0)"),
            "source_file": column("原文件在网站上的相对路径", "path of the original file on the site"),
            "source_form": column("原文件格式：text、pdf、docx、html", "form of the original: text, pdf, docx, html"),
            "source_sha256": column("原文件的 SHA-256", "SHA-256 of the original file"),
            "source_size": column("原文件大小（字节）", "size of the original file (bytes)"),
            "updated": column(
                "数据最后变更时间（UTC）：导入、更正或审核状态变更中最新的一次",
                "when the report's data last changed (UTC): its import, a correction or a review status",
            ),
        },
    }


def _cells() -> dict:
    return {
        "title": "单元格 cells（长表）",
        "description": bilingual(
            "表二、表三、表四的每个单元格一行：有效值（已应用更正）、原文印刷的文字、是否更正、在原文中的位置。"
            "空白为 NULL（不是0）；“/”“无”等不适用标记按原文保留为文字。",
            "One row per cell of tables 二, 三 and 四: the effective value (corrections applied), the text as "
            "printed, whether it was corrected, and where it is in the original. A blank is NULL (never 0); "
            "not-applicable markers such as “/” are kept as written.",
        ),
        "columns": {
            "report_id": REPORT_ID,
            "table_name": column("所属表：table2、table3、table4", "table: table2, table3 or table4"),
            "row_key": column(
                "行的键（表二、表四为单元格的键），中文含义见 labels 表",
                "row key (the cell key in tables 二 and 四); see labels",
            ),
            "column_key": column(
                "列的键（仅表三；表二、表四为空字符串）", "column key (table 三 only; '' in tables 二 and 四)"
            ),
            "value": column(
                "有效值：件数（件/项）或金额（万元）；空白为 NULL",
                "effective value: a count (件/项) or an amount (万元); NULL when blank",
            ),
            "printed": column("原文印刷的文字", "the cell's text as printed"),
            "corrected": column("是否经人工更正（1/0）", "corrected by a reviewer (1/0)"),
            "source": column(
                "在原文中的位置（行、页、表格单元格）", "where the value is printed (line, page, table cell)"
            ),
        },
    }


def _table2() -> dict:
    return {
        "title": f"表二 {SECTION_BY_KEY['proactive'].title} table2",
        "description": bilingual(
            f"每份报告一行，表二（{SECTION_BY_KEY['proactive'].title}）的全部数值（已应用更正）。规章、规范性文件为件数，处理决定为件数，收费与采购金额单位为万元。"
            "两种格式的列都在此表中，报告没有的项为空。",
            "One row per report with every value of table 二 (proactive disclosure), corrections applied. "
            "Documents and decisions are counts (件), fees and procurement are in 10,000 yuan (万元). Columns of "
            "both formats are here; a report leaves the other format's columns empty.",
        ),
        "columns": {"report_id": REPORT_ID, **table2_columns()},
    }


def _table3() -> dict:
    return {
        "title": f"表三 {SECTION_BY_KEY['requests'].title} table3",
        "description": bilingual(
            f"表三（{SECTION_BY_KEY['requests'].title}）：每份报告每行（row_key）一行，七列为申请人类型，单位为件。row_key 的中文含义见 labels 表；"
            "row_order 为该行在表中的顺序。勾稽关系：new_received + carried_over = total + carried_forward。",
            "One row per report and row of table 三 (applications received and handled); the seven columns are "
            "applicant types, in applications (件). What each row_key means is in the labels table; row_order is "
            "the row's place in the table. Balance: new_received + carried_over = total + carried_forward.",
        ),
        "facets": ["row_key"],
        "sortable_columns": ["report_id", "row_order", *(c.key for c in TABLE3_COLUMNS)],
        "columns": {
            "report_id": REPORT_ID,
            "row_key": column(
                "行的键，如 new_received（本年新收申请）、granted（予以公开）、total（总计）；全部见 labels 表",
                "row key, e.g. new_received, granted, total; all of them in the labels table",
            ),
            "row_order": column("该行在表三中的顺序（从0起）", "the row's place in table 三 (from 0)"),
            **table3_columns(),
        },
    }


def _table4() -> dict:
    return {
        "title": f"表四 {SECTION_BY_KEY['reviews'].title} table4",
        "description": bilingual(
            f"表四（{SECTION_BY_KEY['reviews'].title}）：每份报告一行，{'、'.join(g.label for g in TABLE4_GROUPS)}三组，"
            f"每组{'、'.join(r.label for r in TABLE4_RESULTS)}，单位为件。",
            "One row per report: administrative reconsideration, lawsuits without and after reconsideration, each "
            "as upheld, corrected, other, pending and total (cases, 件).",
        ),
        "columns": {"report_id": REPORT_ID, **table4_columns()},
    }


def _sections_zh() -> str:
    return "、".join(f"{k}（{SECTION_BY_KEY[k].title}）" for k in NARRATIVE_SECTIONS)


def _narratives() -> dict:
    return {
        "title": "正文 narratives",
        "description": bilingual(
            f"报告的文字部分：{_sections_zh()}。全文搜索使用 trigram 分词，每个检索词须至少{FTS_MIN_CHARS}个字"
            f"（如“依申请公开”）；1–2个字的词（如“公开”“复议”）在此搜索框中查不到结果，请用 search_narratives 查询。",
            f"The narrative sections of each report. Full-text search uses the trigram tokenizer: every search "
            f"term needs at least {FTS_MIN_CHARS} characters; terms of 1–2 characters find nothing here, use the "
            f"search_narratives query for them.",
        ),
        "fts_table": "narratives_fts",
        "fts_pk": "rowid",
        "searchmode": "escaped",
        "facets": ["section"],
        "sortable_columns": ["report_id", "section"],
        "columns": {
            "report_id": REPORT_ID,
            "section": column(f"章节：{_sections_zh()}", f"section: {', '.join(NARRATIVE_SECTIONS)}"),
            "text": column("章节全文，保留段落", "the section's text, paragraphs kept"),
        },
    }


def _narratives_fts() -> dict:
    return {
        "title": "正文全文索引 narratives_fts",
        "description": bilingual(
            f"narratives 的 FTS5 全文索引（trigram，检索词至少{FTS_MIN_CHARS}个字）。",
            f"FTS5 index of narratives (trigram: search terms of {FTS_MIN_CHARS}+ characters).",
        ),
        "hidden": True,
        "columns": {"text": column("被索引的正文", "the indexed text")},
    }


def _rule_ids() -> str:
    return ", ".join(RULES)


def _findings() -> dict:
    return {
        "title": "核对结果 findings",
        "description": bilingual(
            f"自动核对发现的问题，每条一行：规则、严重程度（{Severity.ERROR} 数字不可能都对；{Severity.WARNING} 值得一看）、涉及的单元格、说明、应为与实为。"
            "规则说明见 rules 表。",
            f"What the automatic checks found, one row each: the rule, its severity ({Severity.ERROR}: the figures cannot "
            f"all be right; {Severity.WARNING}: worth a look), the cells involved, the message, expected and found. See rules.",
        ),
        "facets": ["rule", "severity"],
        "sortable_columns": ["id", "report_id", "rule", "severity"],
        "columns": {
            "id": column("编号", "finding id"),
            "report_id": REPORT_ID,
            "rule": column(f"规则编号：{_rule_ids()}", f"rule id: {_rule_ids()}"),
            "severity": column(SEVERITY_ZH, SEVERITY_EN),
            "cells": column(
                "涉及的单元格路径（JSON 数组），如 table3.new_received.total；* 表示整行或整列",
                "cell paths involved (JSON array), e.g. table3.new_received.total; * stands for a whole row or column",
            ),
            "message": column("英文说明", "message in English"),
            "message_zh": column("中文说明", "message in Chinese"),
            "expected": column("按规则应为的值（如有）", "the value the rule expects, if any"),
            "found": column("报告中的值（如有）", "the value the report has, if any"),
        },
    }


def _corrections() -> dict:
    return {
        "title": "更正 corrections",
        "description": bilingual(
            "审核人员对印刷错误所做的更正：单元格、原印刷值、更正后的值、理由、日期（不公开人员姓名）。",
            "Corrections reviewers made to printed values: the cell, the printed value, the corrected value, the "
            "reason and the date (no names).",
        ),
        "sortable_columns": ["id", "report_id", "date"],
        "columns": {
            "id": column("编号", "correction id"),
            "report_id": REPORT_ID,
            "cell": column("单元格路径，如 table2.normative_in_force", "cell path, e.g. table2.normative_in_force"),
            "printed_value": column("原文印刷的值", "the value as printed"),
            "corrected_value": column("更正后的值", "the corrected value"),
            "reason": column("更正理由", "why it was corrected"),
            "date": column("更正日期（ISO）", "date of the correction (ISO)"),
        },
    }


def _rules() -> dict:
    return {
        "title": "核对规则 rules",
        "description": bilingual(
            "每条核对规则一行：编号、严重程度、中英文标题和说明。",
            "One row per consistency rule: id, severity, titles in Chinese and English, explanation.",
        ),
        "label_column": "id",
        "columns": {
            "id": column(f"规则编号：{_rule_ids()}", f"rule id: {_rule_ids()}"),
            "severity": column(SEVERITY_ZH, SEVERITY_EN),
            "title": column("英文标题", "title in English"),
            "title_zh": column("中文标题", "title in Chinese"),
            "explanation": column("规则检查什么、为什么（英文）", "what the rule checks and why (English)"),
        },
    }


def _labels() -> dict:
    return {
        "title": "标签 labels",
        "description": bilingual(
            "表二、表三、表四每个键的中文标签（取自国家格式），供 SQL 查询显示键的含义；两种格式共有的键保留2021年版的标签。",
            "The Chinese label of every key of tables 二, 三 and 四 (from the national format), to show what a key "
            "means in SQL; a key both formats share keeps its 2021 label.",
        ),
        "facets": ["table_name", "kind"],
        "columns": {
            "table_name": column("所属表：table2、table3、table4", "table: table2, table3 or table4"),
            "kind": column(
                "键的种类：row（表三的行）、column（表三的列）、cell（表二、表四的单元格）",
                "kind of key: row or column (table 三), cell (tables 二 and 四)",
            ),
            "key": column("规范键，如 new_received", "canonical key, e.g. new_received"),
            "label": column("中文标签", "Chinese label"),
            "position": column("在表中的顺序（从0起）", "position in the table (from 0)"),
        },
    }


# --- Canned queries --------------------------------------------------------------------------------

LATEST_YEAR = "(SELECT max(year) FROM reports)"
YEAR_OR_LATEST = f"CAST(coalesce(nullif(:year, ''), {LATEST_YEAR}) AS INTEGER)"
LONGEST_HISTORY = (
    "(SELECT region_code FROM reports WHERE region_code IS NOT NULL GROUP BY region_code "
    "ORDER BY count(DISTINCT year) DESC, region_code LIMIT 1)"
)
ERRORS = f"(SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.severity = '{Severity.ERROR}')"
WARNINGS = f"(SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.severity = '{Severity.WARNING}')"
# both kinds of lawsuit, when both are numbers (a not-applicable marker must not count as 0)
LAWSUITS = (
    "CASE WHEN typeof(t4.suit_direct_total) = 'integer' AND typeof(t4.suit_after_review_total) = 'integer' "
    "THEN t4.suit_direct_total + t4.suit_after_review_total END"
)


def _table3_join(alias: str, row_key: str) -> str:
    return f"LEFT JOIN table3 {alias} ON {alias}.report_id = r.id AND {alias}.row_key = '{row_key}'"


def _sum(expression: str) -> str:
    """A sum over counts only: a not-applicable marker (text) must not turn the sum into 0.0."""
    return f"sum({expression}) FILTER (WHERE typeof({expression}) = 'integer')"


def county_history() -> dict:
    sql = f"""
SELECT r.year, r.organ, r.region, r.province, r.prefecture, r.id AS report_id, r.status,
  nr.total AS new_received, co.total AS carried_over, g.total AS granted, cf.total AS carried_forward,
  t2.normative_made, t2.normative_in_force,
  t4.review_total AS reviews, {LAWSUITS} AS lawsuits,
  {ERRORS} AS errors, {WARNINGS} AS warnings
FROM reports r
{_table3_join("nr", "new_received")}
{_table3_join("co", "carried_over")}
{_table3_join("g", "granted")}
{_table3_join("cf", "carried_forward")}
LEFT JOIN table2 t2 ON t2.report_id = r.id
LEFT JOIN table4 t4 ON t4.report_id = r.id
WHERE r.region_code = coalesce(nullif(:region_code, ''), {LONGEST_HISTORY})
ORDER BY r.year, r.organ"""
    return {
        "title": "一个县历年的主要数字 A county's history",
        "description": bilingual(
            "参数 region_code：县级行政区划代码（如 141130 交口县）；留空则取报告年度最多的县。每份报告一行，按年度排列："
            "本年新收申请、上年结转、予以公开、结转下年度（表三总计列，件），行政规范性文件本年制发与现行有效（件），"
            "行政复议与行政诉讼总数（件），核对发现的错误与警告条数。",
            "Parameter region_code: a county-level division code (e.g. 141130, 交口县); blank picks the county "
            "with the most report years. One row per report, by year: applications received, carried over, "
            "granted and carried forward (table 三 total column, 件), normative documents made and in force (件), "
            "reconsiderations and lawsuits (件), and the numbers of errors and warnings the checks found.",
        ),
        "params": ["region_code"],
        "sql": sql.strip(),
    }


def applications_by_county() -> dict:
    sql = f"""
SELECT rank() OVER (ORDER BY {_sum("t.total")} DESC) AS rank,
  r.province, r.prefecture, r.region, r.region_code, {_sum("t.total")} AS new_received,
  count(*) AS reports, group_concat(r.organ, '；') AS organs
FROM reports r JOIN table3 t ON t.report_id = r.id AND t.row_key = 'new_received'
WHERE r.year = {YEAR_OR_LATEST} AND (:province = '' OR r.province = :province)
GROUP BY coalesce(r.region_code, -r.id)
ORDER BY new_received DESC, r.region_code"""
    return {
        "title": "各县本年新收申请数排名 Applications received by county",
        "description": bilingual(
            "参数 year：报告年度，留空为最新年度；province：省级行政区，留空为全部。"
            "每个县一行：本年新收政府信息公开申请数（表三 new_received 总计，件；同县多个机关的报告相加），按多少排名；"
            "行政区划未能确定的报告各占一行。",
            "Parameters year (blank: the latest year) and province (blank: all). One row per county: applications "
            "received that year (table 三 new_received, total column, 件; the reports of all organs of the county "
            "added up), ranked; a report whose county is unknown has a row of its own.",
        ),
        "params": ["year", "province"],
        "sql": sql.strip(),
    }


def reports_failing_rule() -> dict:
    sql = """
SELECT r.id AS report_id, r.organ, r.province, r.prefecture, r.region_code, r.year, r.status,
  count(*) AS findings, group_concat(f.message_zh, '；') AS message_zh, group_concat(f.message, ' | ') AS message
FROM findings f JOIN reports r ON r.id = f.report_id
WHERE f.rule = coalesce(nullif(:rule, ''), 'CELL-MISSING') AND (:year = '' OR r.year = CAST(:year AS INTEGER))
GROUP BY r.id
ORDER BY r.year DESC, r.province, r.region_code, r.id"""
    return {
        "title": "未通过某条规则的报告 Reports failing a rule",
        "description": bilingual(
            f"参数 rule：规则编号（{_rule_ids()}），留空为 CELL-MISSING；year：留空为全部年度。"
            "每份报告一行：该规则的发现条数和说明（中文、英文）。",
            f"Parameters rule ({_rule_ids()}; blank: CELL-MISSING) and year (blank: all years). One row per "
            "report: how many findings of that rule it has, and their messages in Chinese and English.",
        ),
        "params": ["rule", "year"],
        "sql": sql.strip(),
    }


def year_carry_breaks() -> dict:
    sql = """
SELECT r.province, r.prefecture, r.region_code, r.organ,
  r.year - 1 AS previous_year, CAST(f.expected AS INTEGER) AS previous_carried_forward,
  r.year, CAST(f.found AS INTEGER) AS carried_over,
  substr(json_extract(f.cells, '$[0]'), length('table3.carried_over.') + 1) AS column_key,
  f.message_zh, f.message, r.id AS report_id, p.id AS previous_report_id
FROM findings f JOIN reports r ON r.id = f.report_id
LEFT JOIN reports p ON p.region_code = r.region_code AND p.year = r.year - 1 AND p.organ = r.organ
WHERE f.rule = 'YEAR-CARRY' AND (:year = '' OR r.year = CAST(:year AS INTEGER))
ORDER BY r.year DESC, r.province, r.region_code, r.organ, f.id"""
    return {
        "title": "上年结转与上年报告不衔接 Carried-over breaks between years",
        "description": bilingual(
            "参数 year：后一年的报告年度，留空为全部。YEAR-CARRY 的每条发现一行：上一年报告的“结转下年度继续办理”"
            "与本年报告的“上年结转”（表三，按列，件）不相等。",
            "Parameter year: the later report's year (blank: all). One row per YEAR-CARRY finding: the previous "
            "year's report carried forward one number, this year's report carried over another (table 三, per "
            "column, 件).",
        ),
        "params": ["year"],
        "sql": sql.strip(),
    }


def totals_by_province() -> dict:
    has_error = f"EXISTS (SELECT 1 FROM findings f WHERE f.report_id = r.id AND f.severity = '{Severity.ERROR}')"
    sql = f"""
SELECT r.province, count(*) AS reports, count(DISTINCT r.region_code) AS counties,
  {_sum("nr.total")} AS new_received, {_sum("g.total")} AS granted, {_sum("cf.total")} AS carried_forward,
  sum({has_error}) AS reports_with_errors
FROM reports r
{_table3_join("nr", "new_received")}
{_table3_join("g", "granted")}
{_table3_join("cf", "carried_forward")}
WHERE r.year = {YEAR_OR_LATEST}
GROUP BY r.province
ORDER BY new_received DESC, r.province"""
    return {
        "title": "各省合计 Totals by province",
        "description": bilingual(
            "参数 year：报告年度，留空为最新年度。每个省一行：报告数、县数、本年新收申请、予以公开、结转下年度"
            "（表三总计列之和，件；空白与不适用不计入），有错误的报告数。",
            "Parameter year (blank: the latest year). One row per province: reports, counties, applications "
            "received, granted and carried forward (sums of table 三's total column, 件; blanks and "
            "not-applicable markers left out), and the reports with errors.",
        ),
        "params": ["year"],
        "sql": sql.strip(),
    }


def _section_title_case(column_name: str) -> str:
    """section key → Chinese heading, from db/format.py."""
    cases = " ".join(f"WHEN '{s.key}' THEN '{s.title}'" for s in SECTIONS)
    return f"CASE {column_name} {cases} END"


SEARCH_LIMIT = 200
SEARCH_DEFAULT = "依申请公开"


def search_narratives() -> dict:
    q = f"coalesce(nullif(:q, ''), '{SEARCH_DEFAULT}')"
    columns = (
        "r.id AS report_id, r.organ, r.province, r.region_code, r.year, n.section, "
        f"{_section_title_case('n.section')} AS section_title"
    )
    phrase = f"""'"' || replace({q}, '"', '""') || '"'"""
    pattern = rf"""'%' || replace(replace(replace({q}, '\', '\\'), '%', '\%'), '_', '\_') || '%' ESCAPE '\'"""
    around = f"substr(n.text, max(1, instr(n.text, {q}) - 24), 48 + length({q}))"
    sql = f"""
WITH fts AS (
  SELECT {columns}, 'fts' AS method,
    replace(snippet(narratives_fts, 0, '【', '】', '…', 24), char(10), ' ') AS snippet
  FROM narratives_fts JOIN narratives n ON n.rowid = narratives_fts.rowid JOIN reports r ON r.id = n.report_id
  WHERE length({q}) >= {FTS_MIN_CHARS} AND narratives_fts MATCH {phrase}
  ORDER BY narratives_fts.rank LIMIT {SEARCH_LIMIT}
), fallback AS (
  SELECT {columns}, 'like' AS method,
    '…' || replace(replace({around}, {q}, '【' || {q} || '】'), char(10), ' ') || '…' AS snippet
  FROM narratives n JOIN reports r ON r.id = n.report_id
  WHERE length({q}) < {FTS_MIN_CHARS} AND n.text LIKE {pattern}
  LIMIT {SEARCH_LIMIT}
)
SELECT * FROM fts UNION ALL SELECT * FROM fallback"""
    return {
        "title": "搜索报告正文 Search the narratives",
        "description": bilingual(
            f"参数 q：要找的词，按原样作为一个短语查找，留空为“{SEARCH_DEFAULT}”。{FTS_MIN_CHARS}个字及以上用全文索引"
            f"（trigram），按相关度排序；trigram 索引查不到1–2个字的词，因此1–2个字的词（如“公开”“复议”）改用 LIKE "
            f"逐条查找原文（method 列为 like，不按相关度排序，较慢）。每个命中的章节一行：机关、年度、章节和摘录"
            f"（命中处用【】标出），最多{SEARCH_LIMIT}行。",
            f"Parameter q: the words to find, searched as one phrase (blank: {SEARCH_DEFAULT}). Queries of "
            f"{FTS_MIN_CHARS}+ characters use the full-text index (trigram), ranked by relevance. The trigram "
            f"index cannot find words of 1–2 characters, so a 1–2 character query (e.g. 公开, 复议) falls back to "
            f"scanning the text with LIKE (method = like; unranked and slower). One row per section found: organ, "
            f"year, section and a snippet with the hit in 【】, at most {SEARCH_LIMIT} rows.",
        ),
        "params": ["q"],
        "sql": sql.strip(),
    }


def queries() -> dict[str, dict]:
    builders = (
        county_history,
        applications_by_county,
        reports_failing_rule,
        year_carry_breaks,
        totals_by_province,
        search_narratives,
    )
    return {build.__name__: build() for build in builders}


# --- The whole ---------------------------------------------------------------------------------------


def build_metadata(database: str = DATABASE, stamp: Stamp | None = None) -> dict:
    """The metadata dict Datasette 0.65 reads with `-m metadata.json`; with a publish's stamp,
    who publishes and when the data last changed, as every page of the site says it."""
    about = {"about": stamp.text} if stamp else {}
    return {
        **about,
        "extra_css_urls": [DATASETTE_CSS_URL],
        "title": TITLE,
        "description": bilingual(
            "各级行政机关每年发布的政府信息公开工作年度报告，逐份读取为结构化数据：主动公开（表二）、"
            "依申请公开（表三）、行政复议和行政诉讼（表四）的全部数字，以及报告正文。每份报告都按国家格式的"
            "勾稽关系和跨年度衔接自动核对（规则见 rules 表，结果见 findings 表），印刷错误经人工更正并留有记录"
            "（corrections 表）；数值为更正后的有效值，原文印刷的文字保留在 cells 表。",
            "The annual reports on open government information that Chinese administrative organs publish "
            "every year, read into data: every figure of tables 二 (proactive disclosure), 三 (applications) "
            "and 四 (reconsideration and lawsuits), and the narrative text. Every report is checked "
            "automatically against the national format's arithmetic and against the previous year (rules in "
            "the rules table, results in findings); printing errors were corrected by reviewers, with a record "
            "(corrections). Values are the effective ones, corrections applied; what was printed is kept in cells.",
        ),
        "source": f"各级行政机关发布的政府信息公开工作年度报告（依据{REGULATION}第四十九、五十条）",
        "license": "报告原文为公开的政府文件；本数据汇编采用 CC BY 4.0 · "
        "The reports are public government documents; this compilation is licensed CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "databases": {
            database: {
                "title": TITLE,
                "description": bilingual(
                    "已发布的年度报告数据（只读）。从 reports 表开始；表二、三、四各有宽表，cells 为长表。",
                    "The published report data (read-only). Start with reports; tables 二, 三 and 四 are wide "
                    "tables, cells is the long form.",
                ),
                "tables": tables(),
                "queries": queries(),
            }
        },
    }
