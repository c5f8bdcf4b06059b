"""The narrative against the tables and against last year: NARRATIVE-MATCH and NARRATIVE-COPY.

NARRATIVE-MATCH reads the few figures a narrative states in a recognisable phrase (applications
received, normative documents, administrative reviews and lawsuits) and compares them with the
tables. Reading prose is guesswork, so every pattern is narrow and guarded: a figure is only
taken when it follows its phrase directly, never from a clause about another year, a part
(其中…, 网上申请…) or, in an office's report, the whole county; and a topic warns only when no
figure the narrative gives for it agrees with any reading of the table.

NARRATIVE-COPY compares each narrative section with the same organ's section of the year before,
with digits masked, so that a report copied forward with new years and numbers stands out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from nianbao.db.checks.dates import is_whole_government
from nianbao.db.checks.registry import WARNING, Context, Finding, rule
from nianbao.db.format import (
    FORMAT_2019,
    FORMAT_2021,
    NARRATIVE_SECTIONS,
    SECTION_BY_KEY,
    SUITS_HEADING,
    TABLE3_COLUMNS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    cell_path,
    parse_cell_path,
    short_label,
    table4_key,
)
from nianbao.db.model import Report
from nianbao.db.parse.labels import nfkc
from nianbao.db.parse.numerals import DIGIT_CHARS, chinese_number
from nianbao.db.vocabulary import TABLE_NAMES

# --- reading the narrative ------------------------------------------------------------------------

# Whitespace next to a CJK character or punctuation is layout ("共 4 件"); between two ASCII
# characters it may separate numbers, so it stays.
_LAYOUT_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
NUM = rf"(?P<n>\d+|[{DIGIT_CHARS}十百]{{1,5}})"
_UNIT = r"(?:件|份|个|条|宗)"  # applications
_CASE_UNIT = r"(?:件|起|宗|例)"  # reviews and lawsuits
_TOTAL = r"(?:共计|合计|总计|累计|共|计)"
_SENTENCE_END = "。!?！？\n"
_CLAUSE_END = _SENTENCE_END + ",;:，；："

# Applications: 共收到政府信息公开申请33件 · 全年受理县政府信息公开申请11件 · 全县收到依申请公开11件 ·
# 共收到和办理依申请公开2件. The figure must follow the phrase (after 共/为 at most), so the
# bracketed parts of "申请 33 件（其中网上申请 10 件…）" are never read.
_APPLICATIONS = re.compile(
    r"(?:收到|受理|接收|接到|新收|办理)(?:并|和|及)?(?:办理|处理|受理|答复)?"
    r"(?P<gap>[^,;:()。、\d]{0,10}?)"
    r"(?:政府信息公开申请|信息公开申请|依申请公开(?:政府信息)?(?:申请)?)"
    rf"(?:事项|数量|案件)?{_TOTAL}?(?:为|达|了)?{NUM}{_UNIT}"
)
# Normative documents, three shapes: 规范性文件共4件 · 规范性文件，共4件 (the comma is crossed only
# when the next clause is nothing but the count) · 4件规范性文件.
_NORMATIVE = re.compile(
    rf"规范性文件{_TOTAL}?(?:有|为|达)?{NUM}件"
    rf"|规范性文件,{_TOTAL}(?:有|为|达)?{NUM.replace('<n>', '<n2>')}件(?=$|[,;。)])"
    rf"|{NUM.replace('<n>', '<n3>')}件(?:行政)?规范性文件"
)
# A count following a normative figure in the same sentence: "…规范性文件5件，废止2件，现行有效32件".
_NORMATIVE_FOLLOW = re.compile(
    rf"[,、;](?:其中)?(?:本年度?)?(?P<what>新?制发|新?制定|印发|出台|废止|宣布失效|失效|现行有效|有效)"
    rf"(?:规范性文件)?{_TOTAL}?(?:为)?{NUM}件(?=$|[,;。、)])"
)
# Reviews and lawsuits: 收到行政复议2件 · 行政诉讼案件0起 · 发生2起行政复议.
_CASES = re.compile(
    rf"(?P<what>行政复议|行政诉讼)(?P<gap>[^,;:()。、\d]{{0,8}}?){_TOTAL}?(?:为)?{NUM}{_CASE_UNIT}"
    rf"|{NUM.replace('<n>', '<n2>')}(?:件|起)(?:因政府信息公开(?:申请)?(?:引起|引发|产生)的)?(?P<what2>行政复议|行政诉讼)"
)
# 行政复议和行政诉讼案件0件 (together) · 行政复议、行政诉讼各1件 (each).
_BOTH_CASES = re.compile(
    rf"行政复议(?:和|、|及|与|或|以及)行政诉讼(?:案件)?(?P<each>各|均为|均)?{_TOTAL}?(?:为)?{NUM}{_CASE_UNIT}"
)
# None at all: 全年无行政复议案件 · 未发生因政府信息公开引起的行政复议、行政诉讼. Not 无法…, not 有无…,
# and not a statement about results (无行政复议被纠错 says nothing of the number of reviews).
# Only these words may stand between the negation and 行政复议 (因政府信息公开工作被申请…).
_NO_CASES = re.compile(
    r"(?:未发生|未出现|未收到|未接到|未有|没有|(?<!有)无(?!法|正当|论|须|需|关))"
    r"(?P<gap>(?:发生|出现|收到|接到|产生)?(?:因|由于|涉及|针对)?(?:本机关|本单位|我办|我局|我县)?"
    r"(?:政府信息公开|依申请公开|信息公开)?(?:工作|申请|事项|答复)?(?:而|被)?"
    r"(?:引起|引发|提起|产生|申请)?的?(?:一起|一件|任何)?)"
    r"(?P<what>行政复议|行政诉讼)(?P<tail>[^,;。]*)"
)
# No applications at all: 全年未收到政府信息公开申请。 The phrase must end its clause.
_NO_APPLICATIONS = re.compile(
    r"(?:未收到|未受理|未接到|没有收到)(?:任何)?(?:(?:政府)?信息公开申请|依申请公开(?:申请|事项)?)(?=$|[,;。])"
)
_RESULT_WORDS = re.compile(r"纠错|纠正|败诉|撤销|违法|维持|驳回|被改|结果|审结|决定|文书|应诉|出庭|率")
# Words between 行政复议 and a number that make the number count something else.
_CASE_GAP = re.compile(_RESULT_WORDS.pattern + r"|分别|人员|培训|公开|发布|听证|委员|机构|窗口|行政")
_OTHER_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)\s*年")
_PREVIOUS_YEAR = re.compile(r"上年|去年|上一年|前年|以往|历年")
# A part, not the whole: a channel, an applicant type, carried-over cases, an enumerated share.
_PART = re.compile(r"其中|网上|网络|在线|线上|信函|邮寄|当面|现场|传真|邮件|自然人|法人|企业|组织|个人|结转|分别")
# For documents and cases only a share counts as a part: "其中以县政府名义制发规范性文件3件".
_SHARE = re.compile(r"其中|结转|分别")
# The clause speaks of the whole area, not of the organ: only an office's report needs the guard.
_WHOLE_AREA = re.compile(r"全[县市区旗州省盟]|各乡镇|各部门|各单位|各级")
_CASE_CONTEXT = re.compile(r"信息公开|依申请|公开申请")
# Normative figures that count something else than documents made, in force or repealed.
# 规章和规范性文件5件 counts both kinds together: not comparable with one cell.
_NOT_A_STOCK = re.compile(r"清理|备案|审查|审核|解读|征求|起草|报送|评估|梳理|转发|规章")
_IN_FORCE = re.compile(r"现行有效|仍然有效|继续有效|有效的?(?:行政)?规范性文件")
_REPEALED = re.compile(r"废止|失效")


def plain(text: str) -> str:
    """Narrative text ready for the patterns: NFKC (full-width digits and commas to ASCII), no
    layout spaces."""
    return _LAYOUT_SPACE.sub("", nfkc(text))


@dataclass(frozen=True)
class Figure:
    """A figure the narrative states: its topic, value, the phrase quoted and the section."""

    topic: str  # applications, normative, normative_made, normative_in_force, normative_repealed, reviews, suits, cases
    value: int
    phrase: str
    section: str


def _start_of(text: str, index: int, ends: str) -> int:
    return max((text.rfind(c, 0, index) for c in ends), default=-1) + 1


_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})


def _quote(text: str, start: int, end: int) -> str:
    """The phrase to quote, from the start of its clause (at most 30 characters back), with the
    Chinese punctuation NFKC took away given back."""
    return text[max(_start_of(text, start, _CLAUSE_END), start - 30) : end].translate(_FULL_WIDTH)


def _about_another_year(text: str, start: int, year: int | None) -> bool:
    """The sentence names another year, or the clause speaks of last year: not this year's figure."""
    sentence = text[_start_of(text, start, _SENTENCE_END) : start]
    if year is not None and any(int(y) != year for y in _OTHER_YEAR.findall(sentence)):
        return True
    return bool(_PREVIOUS_YEAR.search(text[_start_of(text, start, _CLAUSE_END) : start]))


def _guarded(text: str, start: int, report: Report, part: re.Pattern[str] = _PART) -> bool:
    """True when a figure at `start` must not be compared: another year, a part of the whole
    (its clause so far names one), or, in a department's or office's report, the whole county."""
    clause = text[_start_of(text, start, _CLAUSE_END) : start]
    if _about_another_year(text, start, report.year) or part.search(clause):
        return True
    sentence = text[_start_of(text, start, _SENTENCE_END) : start]
    return not is_whole_government(report) and bool(_WHOLE_AREA.search(sentence))


def _application_figures(text: str, section: str, report: Report) -> Iterator[Figure]:
    if "申请" not in text:  # in every phrase of both patterns: most paragraphs skip their scan
        return
    for m in _APPLICATIONS.finditer(text):
        value = chinese_number(m.group("n"))
        if value is None or _PART.search(m.group("gap")) or _guarded(text, m.start(), report):
            continue
        yield Figure("applications", value, _quote(text, m.start(), m.end()), section)
    for m in _NO_APPLICATIONS.finditer(text):
        if not _guarded(text, m.start(), report):
            yield Figure("applications", 0, _quote(text, m.start(), m.end()), section)


def _normative_topic(clause: str) -> str | None:
    """Which column of table 二 a normative figure means, from the words of its clause."""
    if _NOT_A_STOCK.search(clause):
        return None
    if _IN_FORCE.search(clause):
        return "normative_in_force"
    if _REPEALED.search(clause):
        return "normative_repealed"
    return "normative"


_FOLLOW_TOPIC = {"废止": "normative_repealed", "宣布失效": "normative_repealed", "失效": "normative_repealed"}


def _normative_figures(text: str, section: str, report: Report) -> Iterator[Figure]:
    if "规范性文件" not in text:  # in every shape of the pattern
        return
    for m in _NORMATIVE.finditer(text):
        token = m.group("n") or m.group("n2") or m.group("n3")
        value = chinese_number(token)
        clause_start = _start_of(text, m.start(), _CLAUSE_END)
        topic = _normative_topic(text[clause_start : m.end()])
        if value is None or topic is None or _guarded(text, m.start(), report, _SHARE):
            continue
        yield Figure(topic, value, _quote(text, m.start(), m.end()), section)
        yield from _following_counts(text, m.end(), section)


def _following_counts(text: str, end: int, section: str) -> Iterator[Figure]:
    """Counts chained after a normative figure: "，废止2件，现行有效32件"."""
    while f := _NORMATIVE_FOLLOW.match(text, end):
        value = chinese_number(f.group("n"))
        what = f.group("what")
        topic = _FOLLOW_TOPIC.get(what, "normative_in_force" if "有效" in what else "normative_made")
        if value is not None:
            yield Figure(topic, value, text[end + 1 : f.end()].translate(_FULL_WIDTH), section)
        end = f.end()


def _case_figures(text: str, section: str, report: Report, heading: str) -> Iterator[Figure]:
    """Reviews and lawsuits, in a paragraph (or under a heading) about open-government information:
    a justice bureau's own review caseload is not table 四."""
    if ("行政复议" not in text and "行政诉讼" not in text) or not _CASE_CONTEXT.search(heading + text):
        return  # every pattern below names one of the two
    topics = {"行政复议": "reviews", "行政诉讼": "suits"}
    taken: list[tuple[int, int]] = []
    for m in _BOTH_CASES.finditer(text):
        value = chinese_number(m.group("n"))
        if value is None or _guarded(text, m.start(), report, _SHARE):
            continue
        taken.append(m.span())
        phrase = _quote(text, m.start(), m.end())
        if m.group("each"):
            yield Figure("reviews", value, phrase, section)
            yield Figure("suits", value, phrase, section)
        else:
            yield Figure("cases", value, phrase, section)
    for m in _CASES.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        gap = m.group("gap") or ""
        value = chinese_number(m.group("n") or m.group("n2"))
        if value is None or _CASE_GAP.search(gap) or _guarded(text, m.start(), report, _SHARE):
            continue
        yield Figure(topics[m.group("what") or m.group("what2")], value, _quote(text, m.start(), m.end()), section)
    yield from _no_case_figures(text, section, report)


def _no_case_figures(text: str, section: str, report: Report) -> Iterator[Figure]:
    """ "无行政复议" / "未发生…行政复议、行政诉讼": zero, for one or both."""
    for m in _NO_CASES.finditer(text):
        gap, tail = m.group("gap"), m.group("tail")
        if _RESULT_WORDS.search(gap) or _RESULT_WORDS.search(tail) or re.search(r"\d", tail):
            continue
        if _guarded(text, m.start(), report, _SHARE):
            continue
        phrase = text[m.start() : m.end()].translate(_FULL_WIDTH)
        what = m.group("what")
        yield Figure("reviews" if what == "行政复议" else "suits", 0, phrase, section)
        if what == "行政复议" and "行政诉讼" in tail:
            yield Figure("suits", 0, phrase, section)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
MAX_HEADING = 40  # characters: a paragraph this short before another one is its heading


def paragraphs(text: str) -> list[tuple[str, str]]:
    """The paragraphs of a section as pattern-ready text, each with the heading above it ("" if
    none): "（二）依申请公开方面" tells what the paragraph under it is about."""
    out: list[tuple[str, str]] = []
    previous = ""
    for raw in _PARAGRAPH_BREAK.split(text):
        paragraph = plain(raw).strip()
        if paragraph:
            out.append((paragraph, previous if len(previous) <= MAX_HEADING else ""))
            previous = paragraph
    return out


def figures(report: Report) -> list[Figure]:
    """Every figure the narrative sections state that a rule can compare, in reading order."""
    out: list[Figure] = []
    for section in NARRATIVE_SECTIONS:
        for text, heading in paragraphs(report.sections.get(section, "")):
            out.extend(_application_figures(text, section, report))
            out.extend(_normative_figures(text, section, report))
            out.extend(_case_figures(text, section, report, heading))
    return out


# --- comparing with the tables --------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a topic is compared with: the cells shown, and the readings of the table that agree."""

    cells: tuple[str, ...]
    what: str
    what_zh: str
    readings: tuple[int | float, ...]  # the narrative agrees when it equals any of these
    expected: int | float  # the reading reported
    also: str = ""  # the other readings accepted, for the message
    also_zh: str = ""


def _sum(report: Report, cells: Iterable[str]) -> int | float | None:
    found = [report.number(c) for c in cells]
    values = [v for v in found if v is not None]
    return None if len(values) < len(found) else sum(values)


def _t2(key: str) -> str:
    return cell_path("table2", key)


_NORMATIVE_KEYS = {
    # topic: (keys of table 二, in order of preference; the first present is shown)
    "normative_made": ("normative_made",),
    "normative_in_force": ("normative_in_force", "normative_public_total"),
    "normative_repealed": ("normative_repealed",),
    "normative": ("normative_made", "normative_in_force", "normative_published", "normative_public_total"),
}
_NORMATIVE_CELLS = {topic: tuple(map(_t2, keys)) for topic, keys in _NORMATIVE_KEYS.items()}
# A table 二 cell by its column's name (the 2021 name where both formats have the cell).
_CELL_ZH = {_t2(f.key): f.column for spec in (FORMAT_2019, FORMAT_2021) for f in spec.table2_fields}
_ROW_AND_FIELD = {f.key: (row, f) for row in FORMAT_2021.table2 for f in row.fields}
_NORMATIVE_ZH = {
    topic: f"{row.label}{f.column}" for topic, keys in _NORMATIVE_KEYS.items() for row, f in [_ROW_AND_FIELD[keys[0]]]
}

# Table 四's totals, and the names the findings give them.
_RESULT_TOTAL = next(r for r in TABLE4_RESULTS if r.key == "total")
_T4_TOTAL = {group.key: cell_path("table4", table4_key(group.key, _RESULT_TOTAL.key)) for group in TABLE4_GROUPS}
_REVIEW, _SUIT_DIRECT, _SUIT_AFTER = TABLE4_GROUPS
_CASE_CELLS = {
    "reviews": (_T4_TOTAL[_REVIEW.key],),
    "suits": (_T4_TOTAL[_SUIT_DIRECT.key], _T4_TOTAL[_SUIT_AFTER.key]),
    "cases": tuple(_T4_TOTAL.values()),
}
_T4 = TABLE_NAMES["table4"]
_CASE_NAMES = {
    "reviews": (f"table 四 {table4_key(_REVIEW.key, _RESULT_TOTAL.key)}", f"{_T4}{_REVIEW.label}{_RESULT_TOTAL.label}"),
    "suits": (
        f"table 四 {table4_key(_SUIT_DIRECT.key, _RESULT_TOTAL.key)} + {table4_key(_SUIT_AFTER.key, _RESULT_TOTAL.key)}",
        f"{_T4}{SUITS_HEADING}{_RESULT_TOTAL.label}（{_SUIT_DIRECT.label}与{_SUIT_AFTER.label}）",
    ),
    "cases": ("table 四 reviews + lawsuits", f"{_T4}{_REVIEW.label}与{SUITS_HEADING}{_RESULT_TOTAL.label}"),
}

# Table 三's figures of applications, and the name of the one compared.
_T3_TOTAL = next(c for c in TABLE3_COLUMNS if c.key == "total")
_NEW_RECEIVED, _CARRIED_OVER, _HANDLED = (
    cell_path("table3", row, _T3_TOTAL.key) for row in ("new_received", "carried_over", "total")
)
_NEW_RECEIVED_LABEL = next(r.label for r in FORMAT_2021.table3_rows if r.key == "new_received")
_NEW_RECEIVED_ZH = f"{TABLE_NAMES['table3']}{short_label(_NEW_RECEIVED_LABEL)}{_T3_TOTAL.label}"


def target(report: Report, topic: str) -> Target | None:
    """The table readings a topic is compared with; None when the table has no number for it."""
    if topic == "applications":
        return _applications_target(report)
    if topic in _NORMATIVE_CELLS:
        return _normative_target(report, topic)
    cells = _CASE_CELLS[topic]
    value = _sum(report, cells)
    return None if value is None else Target(cells, *_CASE_NAMES[topic], (value,), value)


def _applications_target(report: Report) -> Target | None:
    new = report.number(_NEW_RECEIVED)
    if new is None:
        return None
    carried = report.number(_CARRIED_OVER)
    handled = report.number(_HANDLED)
    with_carried = None if carried is None else new + carried
    readings = tuple(v for v in (new, with_carried, handled) if v is not None)
    also = [
        f"{name} {_fmt(v)}" for name, v in (("with carried-over", with_carried), ("handled", handled)) if v is not None
    ]
    also_zh = [f"{name}{_fmt(v)}" for name, v in (("含上年结转", with_carried), ("办理总计", handled)) if v is not None]
    return Target(
        (_NEW_RECEIVED,),
        "table 三 new_received.total",
        _NEW_RECEIVED_ZH,
        readings,
        new,
        ", ".join(also),
        "，".join(also_zh),
    )


def _normative_target(report: Report, topic: str) -> Target | None:
    present = [(c, v) for c in _NORMATIVE_CELLS[topic] if (v := report.number(c)) is not None]
    if not present:
        return None
    first = parse_cell_path(present[0][0]).key
    also = ", ".join(f"{parse_cell_path(c).key} {_fmt(v)}" for c, v in present[1:])
    also_zh = "，".join(f"{_CELL_ZH.get(c, c)}{_fmt(v)}" for c, v in present[1:])
    cells = tuple(c for c, _ in present)
    readings = tuple(v for _, v in present)
    return Target(cells, f"table 二 {first}", "表二" + _NORMATIVE_ZH[topic], readings, present[0][1], also, also_zh)


def _fmt(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _mismatch(report: Report, topic: str, group: list[Figure]) -> Finding | None:
    """A finding when no figure of the topic agrees with any reading of the table."""
    goal = target(report, topic)
    if goal is None or any(f.value in goal.readings for f in group):
        return None
    figure = group[0]
    also = f" ({goal.also})" if goal.also else ""
    also_zh = f"（{goal.also_zh}）" if goal.also_zh else ""
    return Finding(
        "NARRATIVE-MATCH",
        WARNING,
        goal.cells,
        f"the narrative ({figure.section}) says “{figure.phrase}” ({figure.value}), but {goal.what} is "
        f"{_fmt(goal.expected)}{also}",
        f"正文（{SECTION_BY_KEY[figure.section].title}）称“{figure.phrase}”（{figure.value}），但{goal.what_zh}为"
        f"{_fmt(goal.expected)}{also_zh}",
        _fmt(goal.expected),
        str(figure.value),
    )


@rule(
    "NARRATIVE-MATCH",
    WARNING,
    "Narrative figure differs from the table",
    "正文数字与表格不一致",
    "Figures the narrative states in a recognisable phrase — applications received (共收到政府信息公开申请33件), "
    "normative documents, administrative reviews and lawsuits — are compared with tables 二, 三 and 四. The "
    "reading of prose is deliberately narrow: a warning means a figure was read with confidence and differs.",
)
def narrative_match(context: Context) -> Iterable[Finding]:
    report = context.report
    by_topic: dict[str, list[Figure]] = {}
    for figure in figures(report):
        by_topic.setdefault(figure.topic, []).append(figure)
    for topic, group in by_topic.items():
        if (finding := _mismatch(report, topic, group)) is not None:
            yield finding


# --- NARRATIVE-COPY -------------------------------------------------------------------------------

COPY_THRESHOLD = 0.85  # Dice coefficient of 4-character shingles, digits masked
MIN_SECTION = 30  # characters; shorter sections ("无") say too little to be a copy
SHINGLE = 4
_DIGITS = re.compile(r"\d+(?:\.\d+)?|[〇○零一二三四五六七八九]{4}")
_SPACE = re.compile(r"\s+")


def comparable(text: str) -> str:
    """A section as compared across years: NFKC, no whitespace, every number (and a year spelled
    二〇二四) replaced by one placeholder, so new years and counts do not hide a copy."""
    return _DIGITS.sub("#", _SPACE.sub("", nfkc(text)))


def shingles(text: str) -> set[str]:
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def similarity(a: str, b: str) -> float:
    """Share of 4-character sequences two comparable texts have in common (Dice: 2|A∩B|/(|A|+|B|)).
    It follows difflib's ratio within a few points on report text (copy with 8% of it rewritten:
    0.875 vs 0.911; half rewritten: 0.56 vs 0.61) in linear time: about 1 ms for two
    3,000-character sections, where difflib without auto-junk takes up to 50 ms on unrelated ones."""
    x, y = shingles(a), shingles(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


@rule(
    "NARRATIVE-COPY",
    WARNING,
    "Narrative copied from last year",
    "正文照搬上年",
    "Each narrative section (overview, problems, other matters) is compared with the same organ's section of the "
    "year before, ignoring numbers and spacing. A section that shares at least 85% of its wording suggests the "
    "report was copied forward with only the year and a few figures changed.",
    needs_history=True,
)
def narrative_copy(context: Context) -> Iterable[Finding]:
    report, previous = context.report, context.previous
    if previous is None or (report.year is not None and previous.year is not None and previous.year >= report.year):
        return
    for section in NARRATIVE_SECTIONS:
        now = comparable(report.sections.get(section, ""))
        before = comparable(previous.sections.get(section, ""))
        if len(now) < MIN_SECTION or len(before) < MIN_SECTION:
            continue
        score = similarity(now, before)
        if score >= COPY_THRESHOLD:
            yield _copy_finding(section, score, previous.year)


def _copy_finding(section: str, score: float, previous_year: int | None) -> Finding:
    percent = f"{score:.0%}"
    year = str(previous_year) if previous_year is not None else "the previous year"
    year_zh = f"{previous_year}年" if previous_year is not None else "上年"
    return Finding(
        "NARRATIVE-COPY",
        WARNING,
        (f"sections.{section}",),
        f"the {section} section is {percent} similar to {year}'s (numbers and spacing ignored): copied forward?",
        f"“{SECTION_BY_KEY[section].title}”部分与{year_zh}报告同一部分的相似度为{percent}（不计数字和空白），疑似照搬上年",
        f"< {COPY_THRESHOLD:.0%}",
        percent,
    )
