"""The annual report format (政府信息公开工作年度报告) as data.

This module is the one place that knows the sections, the rows and columns of tables 二/三/四,
their canonical keys (the project's contract, see docs/format.md) and the label variants met in real
reports. The parser, the store, the checks and the publishers all import it; nothing else in the
project spells a label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class Kind(str, Enum):
    """What a cell may hold; decides how a value is read and what CELL-TYPE accepts."""

    COUNT = "count"  # a non-negative integer
    CHANGE = "change"  # an integer that may be negative (2019: 本年增/减)
    AMOUNT = "amount"  # a non-negative decimal, 万元


@dataclass(frozen=True)
class Section:
    key: str
    number: int
    title: str
    variants: tuple[str, ...] = ()
    narrative: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.title, *self.variants)


SECTIONS: tuple[Section, ...] = (
    Section("overview", 1, "总体情况", ("工作概述", "基本情况", "概述"), narrative=True),
    Section("proactive", 2, "主动公开政府信息情况", ("主动公开情况",)),
    Section(
        "requests",
        3,
        "收到和处理政府信息公开申请情况",
        ("收到和处理政府信息公开申请的情况", "依申请公开政府信息情况"),
    ),
    Section(
        "reviews",
        4,
        "政府信息公开行政复议、行政诉讼情况",
        (
            "政府信息公开行政复议行政诉讼情况",
            "行政复议、行政诉讼情况",
            "因政府信息公开申请行政复议、提起行政诉讼情况",
            "政府信息公开行政法复议、行政诉讼情况",  # a typo met in real reports
        ),
    ),
    Section(
        "problems",
        5,
        "存在的主要问题及改进情况",
        ("存在的主要问题和改进情况", "工作不足及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
        narrative=True,
    ),
    Section("other", 6, "其他需要报告的事项", ("其他需要报告的事情",), narrative=True),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}
NARRATIVE_SECTIONS = tuple(s.key for s in SECTIONS if s.narrative)


# --- Table 二 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One value of table 二 or 四: its key, the column it sits under, and what it holds."""

    key: str
    column: str
    kind: Kind = Kind.COUNT


@dataclass(frozen=True)
class Table2Row:
    """A row of table 二: its label (and variants) and the fields it carries, in column order."""

    label: str
    fields: tuple[Field, ...]
    item: str  # the article item heading the row's block, e.g. 第二十条第（一）项
    variants: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    variants: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


# Column headers of the 规章/规范性文件 block, with the variants and typos seen in real reports.
MADE = Column("made", "本年制发件数", ("本年制作件数", "本年新制发件数", "本年制发数量"))
REPEALED = Column("repealed", "本年废止件数", ("本年废止数量", "本年度止件数", "本年废止"))
IN_FORCE = Column("in_force", "现行有效件数", ("现行有效数量", "现行有效"))
DECISIONS = "本年处理决定数量"
FEES = "本年收费金额（单位：万元）"

TABLE2_2021: tuple[Table2Row, ...] = (
    Table2Row(
        "规章",
        (
            Field("rules_made", MADE.label),
            Field("rules_repealed", REPEALED.label),
            Field("rules_in_force", IN_FORCE.label),
        ),
        "第二十条第（一）项",
    ),
    Table2Row(
        "行政规范性文件",
        (
            Field("normative_made", MADE.label),
            Field("normative_repealed", REPEALED.label),
            Field("normative_in_force", IN_FORCE.label),
        ),
        "第二十条第（一）项",
        ("规范性文件",),
    ),
    Table2Row("行政许可", (Field("licensing", DECISIONS),), "第二十条第（五）项"),
    Table2Row("行政处罚", (Field("punishment", DECISIONS),), "第二十条第（六）项"),
    Table2Row("行政强制", (Field("enforcement", DECISIONS),), "第二十条第（六）项"),
    Table2Row("行政事业性收费", (Field("fees_wan", FEES, Kind.AMOUNT),), "第二十条第（八）项"),
)
TABLE2_COLUMNS_2021 = (MADE, REPEALED, IN_FORCE)
# The rows of table 二 (2021) that count documents made, repealed and in force, in that column order:
# their stock carries from year to year (T2-STOCK).
TABLE2_STOCK_ROWS = tuple(row for row in TABLE2_2021 if len(row.fields) == len(TABLE2_COLUMNS_2021))


def _prev_change_decisions(prefix: str) -> tuple[Field, ...]:
    return (
        Field(f"{prefix}_prev_items", "上一年项目数量"),
        Field(f"{prefix}_change", "本年增/减", Kind.CHANGE),
        Field(prefix, "处理决定数量"),
    )


TABLE2_2019: tuple[Table2Row, ...] = (
    Table2Row(
        "规章",
        (
            Field("rules_made", "本年新制作数量"),
            Field("rules_published", "本年新公开数量"),
            Field("rules_public_total", "对外公开总数量"),
        ),
        "第二十条第（一）项",
    ),
    Table2Row(
        "规范性文件",
        (
            Field("normative_made", "本年新制作数量"),
            Field("normative_published", "本年新公开数量"),
            Field("normative_public_total", "对外公开总数量"),
        ),
        "第二十条第（一）项",
        ("行政规范性文件",),
    ),
    Table2Row("行政许可", _prev_change_decisions("licensing"), "第二十条第（五）项"),
    Table2Row("其他对外管理服务事项", _prev_change_decisions("other_services"), "第二十条第（五）项"),
    Table2Row("行政处罚", _prev_change_decisions("punishment"), "第二十条第（六）项"),
    Table2Row("行政强制", _prev_change_decisions("enforcement"), "第二十条第（六）项"),
    Table2Row(
        "行政事业性收费",
        (Field("fees_prev_items", "上一年项目数量"), Field("fees_change", "本年增/减", Kind.CHANGE)),
        "第二十条第（八）项",
    ),
    Table2Row(
        "政府集中采购",
        (Field("procurement_items", "采购项目数量"), Field("procurement_wan", "采购总金额", Kind.AMOUNT)),
        "第二十条第（九）项",
    ),
)

# Labels found only in the 2019 table 二; any of them marks a report as the 2019 format.
FORMAT_2019_MARKERS = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年增/减",
    "政府集中采购",
)


# --- Table 三 ------------------------------------------------------------------------------------

TABLE3_COLUMNS: tuple[Column, ...] = (
    Column("natural", "自然人"),
    Column("commercial", "商业企业"),
    Column("research", "科研机构"),
    Column("social", "社会公益组织"),
    Column("legal", "法律服务机构"),
    Column("other_org", "其他"),
    Column("total", "总计"),
)
TABLE3_COLUMN_KEYS = tuple(c.key for c in TABLE3_COLUMNS)
ORG_COLUMN_KEYS = ("commercial", "research", "social", "legal", "other_org")
# Some agencies add a subtotal column over the five 法人或其他组织 columns, before 总计.
TABLE3_SUBTOTAL_COLUMN = Column("org_subtotal", "小计", ("法人或其他组织小计",))


@dataclass(frozen=True)
class Table3Row:
    key: str
    label: str  # the label as the national format prints it, with its numbering
    variants: tuple[str, ...] = ()
    group: str | None = None  # the heading the row sits under, e.g. （三）不予公开

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


# The headings inside table 三 that group rows but carry no values of their own, by name: compare to
# these, never to a position in TABLE3_GROUP_LABELS or to a label's first character.
RESULTS_GROUP = "三、本年度办理结果"
APPLICANTS_GROUP = "申请人情况"
ORGANISATIONS_GROUP = "法人或其他组织"
_DENY, _UNABLE, _REJECT, _OTHER = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"

TABLE3_ROWS_2021: tuple[Table3Row, ...] = (
    Table3Row("new_received", "一、本年新收政府信息公开申请数量", ("本年新收申请数量",)),
    Table3Row("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转申请数量",)),
    Table3Row("granted", "（一）予以公开", group=RESULTS_GROUP),
    Table3Row(
        "partial",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        ("（二）部分公开",),
        group=RESULTS_GROUP,
    ),
    Table3Row("deny_state_secret", "1.属于国家秘密", group=_DENY),
    Table3Row(
        "deny_law", "2.其他法律行政法规禁止公开", ("2.其他法律行政法规止公开",), group=_DENY
    ),  # a typo met in real reports
    Table3Row("deny_three_safety", "3.危及“三安全一稳定”", group=_DENY),
    Table3Row("deny_third_party", "4.保护第三方合法权益", group=_DENY),
    Table3Row("deny_internal", "5.属于三类内部事务信息", group=_DENY),
    Table3Row("deny_process", "6.属于四类过程性信息", group=_DENY),
    Table3Row("deny_enforcement", "7.属于行政执法案卷", group=_DENY),
    Table3Row("deny_inquiry", "8.属于行政查询事项", group=_DENY),
    Table3Row("unable_no_info", "1.本机关不掌握相关政府信息", group=_UNABLE),
    Table3Row("unable_need_create", "2.没有现成信息需要另行制作", group=_UNABLE),
    Table3Row("unable_unclear", "3.补正后申请内容仍不明确", group=_UNABLE),
    Table3Row("reject_complaint", "1.信访举报投诉类申请", group=_REJECT),
    Table3Row("reject_duplicate", "2.重复申请", group=_REJECT),
    Table3Row("reject_publication", "3.要求提供公开出版物", group=_REJECT),
    Table3Row("reject_massive", "4.无正当理由大量反复申请", group=_REJECT),
    Table3Row("reject_confirm", "5.要求行政机关确认或重新出具已获取信息", group=_REJECT),
    Table3Row(
        "other_overdue_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        group=_OTHER,
    ),
    Table3Row(
        "other_overdue_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        group=_OTHER,
    ),
    Table3Row("other_other", "3.其他", group=_OTHER),
    Table3Row("total", "（七）总计"),
    Table3Row("carried_forward", "四、结转下年度继续办理", ("结转下年度继续办理",)),
)

# The 2019 format has one row for （六）其他处理, with no sub-items.
TABLE3_ROWS_2019: tuple[Table3Row, ...] = tuple(row for row in TABLE3_ROWS_2021 if row.group != _OTHER)[:-2] + (
    Table3Row("other_total", "（六）其他处理"),
    *TABLE3_ROWS_2021[-2:],
)

# Headings inside table 三 that group rows but carry no values of their own.
TABLE3_GROUP_LABELS = (RESULTS_GROUP, _DENY, _UNABLE, _REJECT, _OTHER, APPLICANTS_GROUP, ORGANISATIONS_GROUP)


# --- Table 四 ------------------------------------------------------------------------------------

TABLE4_GROUPS: tuple[Column, ...] = (
    Column("review", "行政复议"),
    Column("suit_direct", "未经复议直接起诉"),
    Column("suit_after_review", "复议后起诉"),
)
# The heading table 四 prints over its two lawsuit groups (未经复议直接起诉, 复议后起诉).
SUITS_HEADING = "行政诉讼"
TABLE4_RESULTS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)


def table4_key(group: str, result: str) -> str:
    """The key of a table 四 cell: ('review', 'upheld') → 'review_upheld'."""
    return f"{group}_{result}"


TABLE4_FIELDS: tuple[Field, ...] = tuple(
    Field(table4_key(group.key, result.key), f"{group.label}·{result.label}")
    for group in TABLE4_GROUPS
    for result in TABLE4_RESULTS
)


# --- Both formats --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFormat:
    """One version of the national format: the rows of its tables."""

    version: str
    table2: tuple[Table2Row, ...]
    table3_rows: tuple[Table3Row, ...]
    table3_columns: tuple[Column, ...] = TABLE3_COLUMNS
    table4: tuple[Field, ...] = TABLE4_FIELDS
    table2_fields: tuple[Field, ...] = field(init=False)
    table3_column_index: dict[str, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table2_fields", tuple(f for row in self.table2 for f in row.fields))
        object.__setattr__(self, "table3_column_index", {c.key: i for i, c in enumerate(self.table3_columns)})

    @property
    def table3_row_keys(self) -> tuple[str, ...]:
        return tuple(row.key for row in self.table3_rows)


FORMAT_2021 = ReportFormat("2021", TABLE2_2021, TABLE3_ROWS_2021)
FORMAT_2019 = ReportFormat("2019", TABLE2_2019, TABLE3_ROWS_2019)
FORMATS = {f.version: f for f in (FORMAT_2021, FORMAT_2019)}

# Cells a reader may find that mean "not applicable": kept as written, neither 0 nor an error.
NOT_APPLICABLE = ("/", "-", "—", "－", "／", "无", "不适用")
# Units sometimes stuck to a number (12件); the number is read and the unit noted.
UNITS = ("件", "个", "项", "条", "次", "万元", "元")

TABLES = ("table2", "table3", "table4")


# --- Cell paths ----------------------------------------------------------------------------------
# A cell is named by a path: `table2.KEY`, `table3.ROW.COLUMN` (`table3.ROW.*` for the whole row),
# `table4.KEY`. These two functions are the only place that builds or reads one.

ROW_WILDCARD = "*"


class CellPath(NamedTuple):
    """A parsed cell path; `column` is '' outside table 三."""

    table: str
    key: str
    column: str = ""


def cell_path(table: str, key: str, column: str = "") -> str:
    """('table3', 'granted', 'natural') → 'table3.granted.natural'; ('table2', 'rules_made') →
    'table2.rules_made'."""
    return f"{table}.{key}.{column}" if column else f"{table}.{key}"


def parse_cell_path(path: str) -> CellPath:
    """'table3.granted.natural' → CellPath('table3', 'granted', 'natural'); any other table's path
    keeps everything after the table name as its key."""
    table, _, rest = path.partition(".")
    if table == "table3":
        key, _, column = rest.partition(".")
        return CellPath(table, key, column)
    return CellPath(table, rest)


_LABEL_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)\s*")
_LABEL_ASIDE = re.compile(r"（[^（）]*）$")


def short_label(label: str, *, numbered: bool = False) -> str:
    """A label without its numbering and trailing aside, where space is short (the app's narrow
    table, the site's charts): '（二）部分公开（区分处理的…）' → '部分公开'; `numbered` keeps the
    numbering ('（二）部分公开': the app's rows, read beside the printed form). The one shortener."""
    return _LABEL_ASIDE.sub("", label if numbered else _LABEL_NUMBERING.sub("", label)).strip() or label
