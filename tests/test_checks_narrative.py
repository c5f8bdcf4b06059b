"""NARRATIVE-MATCH, NARRATIVE-COPY (db/checks/narrative.py), LATE and PERIOD (db/checks/dates.py):
the five samples, and hand-made reports built by editing a parsed sample."""

from __future__ import annotations

import copy
from functools import cache

import pytest

import nianbao.db.checks.dates  # registers LATE and PERIOD
import nianbao.db.checks.narrative  # noqa: F401  (registers NARRATIVE-MATCH and NARRATIVE-COPY)
from nianbao.db.checks.dates import deadline, is_whole_government, title_years
from nianbao.db.checks.narrative import comparable, figures, similarity
from nianbao.db.checks.registry import RULES, WARNING, Context, Finding
from nianbao.db.model import Report, Value
from nianbao.db.parse.numerals import chinese_number, chinese_year
from nianbao.db.pipeline import parse_file
from tests.helpers import SAMPLE_NAMES, sample_path

OURS = ("NARRATIVE-MATCH", "NARRATIVE-COPY", "LATE", "PERIOD")


@cache
def _parsed(name: str) -> Report:
    return parse_file(sample_path(name))


def sample(name: str) -> Report:
    """A fresh, editable copy of a parsed sample."""
    return copy.deepcopy(_parsed(name))


def run(rule_id: str, report: Report, previous: Report | None = None) -> list[Finding]:
    return list(RULES[rule_id].check(Context(report, previous)))


def set_cell(report: Report, path: str, value) -> None:
    table, _, rest = path.partition(".")
    if table == "table3":
        row, _, column = rest.partition(".")
        columns = [c.key for c in report.spec.table3_columns]
        report.table3[row][columns.index(column)] = Value(value, str(value))
    else:
        (report.table2 if table == "table2" else report.table4)[rest] = Value(value, str(value))


def with_overview(name: str, text: str, **cells) -> Report:
    """Sample `name` with its narrative replaced by `text` and some cells set (table4__review_total=2)."""
    report = sample(name)
    report.sections = {"overview": text, "problems": "", "other": ""}
    for key, value in cells.items():
        set_cell(report, key.replace("__", "."), value)
    return report


def values(report: Report) -> list[tuple[str, int]]:
    return [(f.topic, f.value) for f in figures(report)]


# --- registration ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", OURS)
def test_rules_registered_with_both_languages(rule_id):
    rule = RULES[rule_id]
    assert rule.severity == WARNING
    assert rule.title and rule.title_zh and len(rule.explanation) > 80
    assert any("\u4e00" <= c <= "\u9fff" for c in rule.title_zh)
    assert rule.needs_history == (rule_id == "NARRATIVE-COPY")


# --- the samples ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n[:3] for n in SAMPLE_NAMES])
def test_samples_narrative_match(name):
    findings = run("NARRATIVE-MATCH", sample(name))
    if name == "002":
        assert len(findings) == 1
        (f,) = findings
        assert f.rule == "NARRATIVE-MATCH" and f.severity == WARNING
        assert f.cells[0] == "table2.normative_made"
        assert (f.expected, f.found) == ("5", "4")
        assert "规范性文件，共4件" in f.message and "规范性文件，共4件" in f.message_zh
    else:
        assert findings == []


@pytest.mark.parametrize("name", [n[:3] for n in SAMPLE_NAMES])
@pytest.mark.parametrize("rule_id", ["LATE", "PERIOD"])
def test_samples_not_late_and_period_right(name, rule_id):
    assert run(rule_id, sample(name)) == []


def test_sample_figures_read():
    """What the patterns take from the samples, and what they leave (001's 12 政策性文件, 000's
    规范性文件清理工作会1次, 002's bracketed sub-counts)."""
    assert values(sample("000")) == [("applications", 2)]
    assert values(sample("001")) == [("applications", 11), ("reviews", 0)]
    assert sorted(values(sample("002"))) == [("applications", 33), ("normative", 4)]
    assert values(sample("003")) == [("applications", 12)]
    assert values(sample("004")) == [("applications", 11)]


# --- NARRATIVE-MATCH: applications ----------------------------------------------------------------


def test_applications_disagree():
    report = sample("002")
    set_cell(report, "table3.new_received.total", 30)
    set_cell(report, "table3.total.total", 30)
    findings = [f for f in run("NARRATIVE-MATCH", report) if f.cells == ("table3.new_received.total",)]
    assert len(findings) == 1
    assert (findings[0].expected, findings[0].found) == ("30", "33")
    assert "共收到政府信息公开申请33件" in findings[0].message_zh


def test_applications_new_plus_carried_over_accepted():
    report = sample("002")
    set_cell(report, "table3.new_received.total", 30)
    set_cell(report, "table3.carried_over.total", 3)
    set_cell(report, "table3.total.total", 33)
    assert [f for f in run("NARRATIVE-MATCH", report) if f.cells == ("table3.new_received.total",)] == []


def test_bracketed_sub_counts_not_taken():
    """002: 共收到政府信息公开申请 33 件（其中网上申请 10 件，信函申请 23 件）. With a table of 10, the
    10 in brackets must not be read as agreeing: 33 is the figure, and it differs."""
    report = sample("002")
    set_cell(report, "table3.new_received.total", 10)
    set_cell(report, "table3.total.total", 10)
    findings = [f for f in run("NARRATIVE-MATCH", report) if f.cells == ("table3.new_received.total",)]
    assert [(f.expected, f.found) for f in findings] == [("10", "33")]


@pytest.mark.parametrize(
    "text, value",
    [
        ("2023 年我县共受理政府信息公开申请 12 件。", 12),
        ("全年受理县政府信息公开申请11件，办复率100%。", 11),
        ("全县收到依申请公开11件。", 11),
        ("2023年共收到和办理依申请公开2件。", 2),
        ("全年收到政府信息公开申请十二件。", 12),
        ("全年未收到政府信息公开申请。", 0),
    ],
)
def test_application_phrases(text, value):
    assert values(with_overview("004", text)) == [("applications", value)]


@pytest.mark.parametrize(
    "text",
    [
        "2023年共收到政府信息公开申请20件。",  # another year
        "较上年收到政府信息公开申请12件有所增加。",  # last year
        "通过网上收到政府信息公开申请10件。",  # a channel, a part
        "其中，收到自然人政府信息公开申请5件。",  # a part
    ],
)
def test_application_guards(text):
    assert values(with_overview("002", text)) == []


def test_whole_county_figure_skipped_in_an_office_report():
    text = "全县各部门共收到政府信息公开申请100件。"
    assert values(with_overview("002", text)) == []  # 温县人民政府办公室: the county is not the office
    assert values(with_overview("004", text)) == [("applications", 100)]  # 霍城县人民政府: it is


# --- NARRATIVE-MATCH: normative documents ---------------------------------------------------------


def test_normative_in_force_accepted_when_the_sentence_does_not_say():
    report = sample("002")
    set_cell(report, "table2.normative_in_force", 4)
    assert run("NARRATIVE-MATCH", report) == []


@pytest.mark.parametrize(
    "text, cell, table, fires",
    [
        ("现行有效规范性文件30件。", "table2.normative_in_force", 32, True),
        ("现行有效规范性文件32件。", "table2.normative_in_force", 32, False),
        ("本年度废止规范性文件3件。", "table2.normative_repealed", 0, True),
        ("本年度制发规范性文件5件，废止2件，现行有效30件。", "table2.normative_in_force", 32, True),
        ("发布3件规范性文件。", "table2.normative_made", 3, False),
    ],
)
def test_normative_columns(text, cell, table, fires):
    report = with_overview("002", text, table2__normative_made=5, table2__normative_repealed=2)
    set_cell(report, cell, table)  # 002: normative_in_force 32
    findings = [f for f in run("NARRATIVE-MATCH", report) if f.cells[0] == cell]
    assert bool(findings) == fires, findings


@pytest.mark.parametrize(
    "text, cells, table_zh",
    [
        (
            "全年共收到政府信息公开申请40件。",
            {"table3.new_received.total": 33},
            "表三本年新收政府信息公开申请数量总计为33",
        ),
        ("现行有效规范性文件30件。", {"table2.normative_in_force": 32}, "表二行政规范性文件现行有效件数为32"),
        (
            "本年度制发规范性文件4件。",
            {"table2.normative_made": 5},
            "表二行政规范性文件本年制发件数为5（现行有效件数32）",
        ),
        ("收到行政复议2件。", {"table4.review_total": 0}, "表四行政复议总计为0"),
        (
            "提起行政诉讼1件。",
            {"table4.suit_direct_total": 0, "table4.suit_after_review_total": 0},
            "表四行政诉讼总计（未经复议直接起诉与复议后起诉）为0",
        ),
        ("行政复议和行政诉讼案件3件。", {"table4.review_total": 0}, "表四行政复议与行政诉讼总计为0"),
    ],
)
def test_the_finding_names_the_table_as_the_form_prints_it(text, cells, table_zh):
    """The names come from db/format.py's labels (a row's label without its numbering, a column's
    header), not typed again in the rule."""
    report = with_overview("002", f"（二）依申请公开\n\n{text}")
    for cell, value in cells.items():
        set_cell(report, cell, value)
    (finding,) = run("NARRATIVE-MATCH", report)
    assert f"但{table_zh}" in finding.message_zh, finding.message_zh


@pytest.mark.parametrize(
    "text",
    [
        "召开规范性文件清理工作会1次。",
        "以政府规章、行政规范性文件为重点，督促12件县政府暨县政府办公室政策性文件及时公开发布。",
        "制发规章和规范性文件5件。",
        "开展规范性文件备案审查3件。",
        "规范性文件，共4件需要修改的条款已完成修订。",  # the clause after the comma is not just the count
    ],
)
def test_normative_guards(text):
    assert values(with_overview("002", text)) == []


def test_blank_or_marker_cell_not_compared():
    report = sample("002")
    set_cell(report, "table2.normative_made", None)
    set_cell(report, "table2.normative_in_force", "/")
    assert run("NARRATIVE-MATCH", report) == []


# --- NARRATIVE-MATCH: reviews and lawsuits --------------------------------------------------------

REVIEWS = "（二）依申请公开\n\n全年共收到政府信息公开申请33件，收到行政复议2件。"


def test_reviews_disagree():
    findings = run("NARRATIVE-MATCH", with_overview("002", REVIEWS, table4__review_total=0))
    assert [(f.cells, f.expected, f.found) for f in findings] == [(("table4.review_total",), "0", "2")]


def test_reviews_agree():
    assert run("NARRATIVE-MATCH", with_overview("002", REVIEWS, table4__review_total=2)) == []


def test_lawsuits_in_chinese_numerals():
    text = "因政府信息公开申请被申请行政复议两起，提起行政诉讼一件。"
    report = with_overview("002", text, table4__review_total=2, table4__suit_direct_total=1)
    set_cell(report, "table4.suit_after_review_total", 0)
    assert run("NARRATIVE-MATCH", report) == []
    set_cell(report, "table4.suit_direct_total", 0)
    findings = run("NARRATIVE-MATCH", report)
    assert [(f.cells, f.expected, f.found) for f in findings] == [
        (("table4.suit_direct_total", "table4.suit_after_review_total"), "0", "1")
    ]


def test_no_reviews_means_zero():
    text = "全年未发生因政府信息公开引起的行政复议、行政诉讼。"
    assert values(with_overview("002", text)) == [("reviews", 0), ("suits", 0)]
    findings = run("NARRATIVE-MATCH", with_overview("002", text, table4__review_total=2))
    assert [(f.cells, f.expected, f.found) for f in findings] == [(("table4.review_total",), "2", "0")]
    report = sample("001")  # 全年无行政复议案件
    set_cell(report, "table4.review_total", 1)
    assert [f.found for f in run("NARRATIVE-MATCH", report)] == ["0"]


@pytest.mark.parametrize(
    "text",
    [
        "依申请公开工作中无行政复议被纠错情况。",  # says nothing of the number
        "政府信息公开工作无法满足全部需求，行政复议……",
        "（三）行政复议工作\n\n办理行政复议案件50件。",  # a justice bureau's caseload, not table 四
        "政府信息公开方面，公开行政复议决定书23件。",
        "依申请公开方面，行政复议结果维持2件。",
    ],
)
def test_review_guards(text):
    assert values(with_overview("002", text)) == []


def test_chinese_number():
    assert [chinese_number(t) for t in ("7", "三", "两", "十", "十二", "二十", "二十三", "一百零五")] == [
        7,
        3,
        2,
        10,
        12,
        20,
        23,
        105,
    ]
    assert chinese_number("二〇二四") is None and chinese_number("十十") is None


# --- NARRATIVE-COPY -------------------------------------------------------------------------------


def copied_forward(report: Report) -> Report:
    """Last year's report made from this one: the year and a few numbers changed, nothing else."""
    previous = copy.deepcopy(report)
    previous.year = report.year - 1
    changes = {"2024": "2023", "33": "21", "263": "198", "119": "87", "34": "12"}
    for key, text in previous.sections.items():
        for old, new in changes.items():
            text = text.replace(old, new)
        previous.sections[key] = text
    assert previous.sections["overview"] != report.sections["overview"]
    return previous


def test_copy_fires_on_a_report_copied_forward():
    report = sample("002")
    findings = run("NARRATIVE-COPY", report, copied_forward(report))
    cells = [f.cells for f in findings]
    assert ("sections.overview",) in cells and ("sections.problems",) in cells
    overview = next(f for f in findings if f.cells == ("sections.overview",))
    assert overview.found == "100%" and "100%" in overview.message and "2023" in overview.message


def test_copy_fires_with_some_sentences_edited():
    report = sample("002")
    previous = copied_forward(report)
    previous.sections["overview"] = previous.sections["overview"].replace(
        "本年度未开展社会评议；无政府信息公开责任追究情况。", "本年度开展了一次社会评议，群众满意度较高。"
    )
    findings = [f for f in run("NARRATIVE-COPY", report, previous) if f.cells == ("sections.overview",)]
    assert len(findings) == 1 and 85 <= int(findings[0].found.rstrip("%")) < 100


def test_copy_quiet_for_a_different_text():
    report = sample("002")
    previous = sample("003")  # another organ's words, as a year written afresh
    previous.year = 2023
    assert run("NARRATIVE-COPY", report, previous) == []


def test_copy_quiet_when_half_rewritten():
    report = sample("002")
    previous = copied_forward(report)
    paragraphs = previous.sections["overview"].split("\n\n")
    fresh = sample("003").sections["overview"].split("\n\n")
    half = len(paragraphs) // 2
    previous.sections["overview"] = "\n\n".join(paragraphs[:half] + fresh[half:])
    assert [f for f in run("NARRATIVE-COPY", report, previous) if f.cells == ("sections.overview",)] == []


def test_copy_skips_short_sections():
    report = sample("002")
    report.sections = {"overview": "无", "problems": "本年度无其他需要报告的事项。", "other": "无"}
    previous = copy.deepcopy(report)
    previous.year = 2023
    assert run("NARRATIVE-COPY", report, previous) == []


def test_copy_needs_an_earlier_year():
    report = sample("002")
    assert run("NARRATIVE-COPY", report, None) == []
    same_year = copy.deepcopy(report)
    assert run("NARRATIVE-COPY", report, same_year) == []


def test_similarity_ignores_numbers_and_spacing():
    assert comparable("2024 年收到申请 33 件") == comparable("2023年收到申请 7件")
    assert (
        similarity(comparable("二〇二四年收到申请33件，均已答复。"), comparable("2023年收到申请7件，均已答复。")) == 1.0
    )


def test_similarity_on_long_sections_is_a_symmetric_share():
    """Two 3,000-character sections: the same text is 1.0, the order does not matter, unrelated text
    is low. (Its speed, linear in the length, is a benchmark's business, never a test's.)"""
    texts = [comparable("".join(sample(n).sections.values())) for n in ("000", "001", "002", "003", "004")]
    a = (texts[0] + texts[1] + texts[2])[:3000]
    b = (texts[3] + texts[4] + texts[2])[:3000]
    assert len(a) == len(b) == 3000
    assert similarity(a, a) == 1.0 and similarity(a, b) == similarity(b, a) < 0.85


# --- LATE -----------------------------------------------------------------------------------------


def dated(name: str, year: int, published: str | None) -> Report:
    report = sample(name)
    report.year, report.published = year, published
    return report


def test_late_office():
    findings = run("LATE", dated("000", 2024, "2025-02-01"))  # 夏县人民政府办公室
    assert [(f.cells, f.expected, f.found) for f in findings] == [(("published",), "2025-01-31", "2025-02-01")]
    assert run("LATE", dated("000", 2024, "2025-01-31")) == []


def test_late_whole_government():
    assert run("LATE", dated("004", 2024, "2025-03-31")) == []  # 霍城县人民政府
    findings = run("LATE", dated("004", 2024, "2025-04-01"))
    assert [(f.cells, f.expected, f.found) for f in findings] == [(("published",), "2025-03-31", "2025-04-01")]


@pytest.mark.parametrize("year, published", [(2024, None), (None, "2025-06-01"), (2024, "not a date")])
def test_late_needs_a_date_and_a_year(year, published):
    assert run("LATE", dated("000", year, published)) == []


@pytest.mark.parametrize(
    "organ, region, whole",
    [
        ("霍城县人民政府", "霍城县", True),
        ("霍城县", "霍城县", True),
        ("夏县人民政府办公室", "夏县", False),
        ("夏县教育局", "夏县", False),
        (None, None, False),
    ],
)
def test_whole_government(organ, region, whole):
    report = sample("000")
    report.organ, report.region = organ, region
    assert is_whole_government(report) is whole
    assert deadline(report).month == (3 if whole else 1)


# --- PERIOD ---------------------------------------------------------------------------------------


def with_period(period: str | None, year: int = 2024) -> Report:
    report = sample("000")
    report.year, report.period = year, period
    return report


@pytest.mark.parametrize(
    "period, fires",
    [
        ("2024-01-01/2024-06-30", True),
        ("2023-01-01/2023-12-31", True),
        ("2024-01-01/2024-12-31", False),
        (None, False),
    ],
)
def test_period(period, fires):
    findings = run("PERIOD", with_period(period))
    assert [(f.cells, f.found) for f in findings] == ([(("period",), period)] if fires else [])
    if fires:
        assert findings[0].expected == "2024-01-01/2024-12-31"


def test_title_names_another_year():
    report = with_period("2024-01-01/2024-12-31")
    report.title = "夏县人民政府办公室2023年政府信息公开工作年度报告"
    findings = run("PERIOD", report)
    assert [(f.cells, f.expected, f.found) for f in findings] == [(("title",), "2024", "2023")]
    report.title = "夏县人民政府办公室二〇二四年政府信息公开工作年度报告"
    assert run("PERIOD", report) == []


def test_title_years():
    assert title_years("温县人民政府办公室 2024 年政府信息公开工作年度报告") == [2024]
    assert title_years("二〇二三年度报告") == [2023]


def test_chinese_year():
    assert [chinese_year(t) for t in ("2024", "二〇二四", "二○二五", "十二")] == [2024, 2024, 2025, None]
