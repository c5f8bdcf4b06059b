"""Reading label and value text: normalize, read_cell, score and best_match (db/parse/labels.py)."""

from __future__ import annotations

import pytest

from nianbao.db.format import (
    NOT_APPLICABLE,
    TABLE2_2021,
    TABLE3_COLUMNS,
    TABLE3_ROWS_2021,
    TABLE4_GROUPS,
)
from nianbao.db.parse.labels import best_match, normalize, read_cell, score
from nianbao.db.parse.tables import MATCH, STRONG

ROWS3 = [(row.key, row.labels) for row in TABLE3_ROWS_2021]
ROWS2 = [(row.label, row.labels) for row in TABLE2_2021]


# --- normalize ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b",
    [
        # the brief's example: full- vs half-width brackets and commas, spaces
        (
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
            "(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)",
        ),
        # full-width digits and full-width full stop in numbering
        ("１．属于国家秘密", "1.属于国家秘密"),
        # 、 versus . after the number, and no numbering at all
        ("1、属于国家秘密", "1.属于国家秘密"),
        ("属于国家秘密", "1.属于国家秘密"),
        # spaces anywhere, half-width and U+3000 ideographic space
        ("属 于 国 家 秘 密", "属于国家秘密"),
        ("属于\u3000国家\u3000秘密", "属于国家秘密"),
        ("\u30001. 属于国家秘密\u3000", "1.属于国家秘密"),
        # quotes “” and "" are dropped
        ("3.危及“三安全一稳定”", '3. 危及"三安全一稳定"'),
        ("3.危及“三安全一稳定”", "危及三安全一稳定"),
        # Chinese numbering: 一、 （三） (3) 1. 1、
        ("一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
        ("一.本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
        ("（三）不予公开", "不予公开"),
        ("(三) 不予公开", "不予公开"),
        ("（ 三 ）不予公开", "不予公开"),
        ("(3)不予公开", "不予公开"),
        ("（３）不予公开", "不予公开"),
        ("1.属于国家秘密", "属于国家秘密"),
        ("1、属于国家秘密", "属于国家秘密"),
        ("１、属于国家秘密", "属于国家秘密"),
        # numbering stacked: a group heading and the row label in one cell
        ("（七）总计", "总计"),
        ("三、本年度办理结果", "本年度办理结果"),
        # a table 二 item heading
        ("第二十条第(一)项", "第二十条第（一）项"),
        ("本年收费金额(单位:万元)", "本年收费金额（单位：万元）"),
    ],
)
def test_normalize_unifies_variants(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    "text, want",
    [
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开(区分处理的,只计这一情形,不计其他情形)"),
        ("一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
        ("（三）不予公开", "不予公开"),
        ("(3)不予公开", "不予公开"),
        ("1.属于国家秘密", "属于国家秘密"),
        ("1、属于国家秘密", "属于国家秘密"),
        ("3.危及“三安全一稳定”", "危及三安全一稳定"),
        ("（七）总计", "总计"),
        ("\u3000总\u3000计 ", "总计"),
    ],
)
def test_normalize_exact_form(text, want):
    assert normalize(text) == want


@pytest.mark.parametrize(
    "a, b",
    [
        ("1.属于国家秘密", "2.其他法律行政法规禁止公开"),
        ("（一）予以公开", "（二）部分公开"),
        ("结果维持", "结果纠正"),
        ("自然人", "商业企业"),
    ],
)
def test_normalize_keeps_different_labels_apart(a, b):
    assert normalize(a) != normalize(b)


def test_normalize_does_not_eat_label_text():
    # numbering is stripped only at the start, and only once per numbering token
    assert normalize("2024年政府信息公开") == "2024年政府信息公开"
    assert normalize("第二十条第（五）项") == "第二十条第(五)项"
    assert normalize("其他") == "其他"


def test_normalize_all_format_labels_are_spacing_and_width_insensitive():
    """Every row/column label of the format compares equal after full-width/spacing edits."""
    labels = [label for _, labels in ROWS3 + ROWS2 for label in labels]
    labels += [c.label for c in TABLE3_COLUMNS] + [g.label for g in TABLE4_GROUPS]
    for label in labels:
        wide = label.translate(_TO_WIDE)
        spaced = "\u3000".join(wide)
        assert normalize(spaced) == normalize(label), label
        assert normalize(" ".join(label.translate(_TO_NARROW))) == normalize(label), label


_TO_WIDE = str.maketrans({**{str(d): chr(0xFF10 + d) for d in range(10)}, "(": "（", ")": "）", ",": "，", ":": "："})
_TO_NARROW = str.maketrans({"（": "(", "）": ")", "，": ",", "：": ":"})


# --- read_cell ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("0", 0),
        (" 12 ", 12),
        ("\u300012\u3000", 12),
        ("\t12", 12),
        ("１２", 12),
        ("1,234", 1234),
        ("1,234,567", 1234567),
        ("-3", -3),
        ("３１１９．０３", 3119.03),
    ],
)
def test_read_cell_integers_and_decimals(text, value):
    reading = read_cell(text)
    assert reading.kind == "number"
    assert reading.value == value
    assert type(reading.value) is type(value)
    assert reading.unit is None


def test_read_cell_decimal_is_float():
    reading = read_cell("9669.2526")
    assert reading.kind == "number"
    assert isinstance(reading.value, float)
    assert reading.value == pytest.approx(9669.2526)
    assert read_cell("0.0").value == 0.0 and isinstance(read_cell("0.0").value, float)


@pytest.mark.parametrize(
    "text, value, unit",
    [("12件", 12, "件"), ("１２件", 12, "件"), ("12 件", 12, "件"), ("3个", 3, "个"), ("1.5万元", 1.5, "万元")],
)
def test_read_cell_number_with_unit(text, value, unit):
    reading = read_cell(text)
    assert (reading.kind, reading.value, reading.unit) == ("number", value, unit)


@pytest.mark.parametrize("marker", ["/", "—", "-", "无", "不适用", "－", "／"])
def test_read_cell_markers_kept_as_written(marker):
    reading = read_cell(marker)
    assert reading.kind == "marker"
    assert reading.value == marker
    # surrounding spaces are not part of what was written
    assert read_cell(f" {marker} ").value == marker


def test_every_format_marker_reads_as_marker():
    for marker in NOT_APPLICABLE:
        assert read_cell(marker).kind == "marker", marker


@pytest.mark.parametrize("text", ["", "  ", "\u3000", " \u3000 ", "\xa0"])
def test_read_cell_blank(text):
    reading = read_cell(text)
    assert reading.kind == "blank"
    assert reading.value is None


@pytest.mark.parametrize(
    "text",
    ["abc", "1.属于国家秘密", "（七）总计", "本年制发件数", "第二十条第（一）项", "2.重复申请", "12件申请", "无法提供"],
)
def test_read_cell_labels(text):
    assert read_cell(text).kind == "label"


# --- score / best_match ---------------------------------------------------------------------------


def _typo(label: str) -> str:
    """The label (normalized) with one character in its middle replaced."""
    text = normalize(label)
    i = len(text) // 2
    return text[:i] + ("某" if text[i] != "某" else "甲") + text[i + 1 :]


@pytest.mark.parametrize(
    "key, label",
    [(row.key, row.label) for row in TABLE3_ROWS_2021 if len(normalize(row.label)) >= 4],
    ids=[row.key for row in TABLE3_ROWS_2021 if len(normalize(row.label)) >= 4],
)
def test_one_character_typo_matches_the_right_row(key, label):
    token = _typo(label)
    assert token != normalize(label)
    got, s = best_match(token, ROWS3)
    assert got == key
    assert s > MATCH


def test_typo_example():
    got, s = best_match(normalize("1.本机关不掌握相关政府信心"), ROWS3)
    assert got == "unable_no_info" and MATCH < s < 1.0


def test_label_cut_by_a_page_break_matches_its_row():
    # sample 003: "2. 其他法律行政法规" / page break / "禁止公开"
    got, s = best_match(normalize("2. 其他法律行政法规"), ROWS3)
    assert got == "deny_law"
    assert s >= MATCH
    assert score(normalize("其他法律行政法规"), normalize("3.其他")) < MATCH


def test_qita_is_other_other_exactly():
    assert best_match(normalize("3.其他"), ROWS3) == ("other_other", 1.0)
    assert best_match(normalize("其他"), ROWS3) == ("other_other", 1.0)


def test_zongji_is_total_exactly():
    assert score(normalize("总计"), normalize("（七）总计")) == 1.0
    assert best_match(normalize("总计"), ROWS3) == ("total", 1.0)
    assert best_match(normalize("(七) 总计"), ROWS3) == ("total", 1.0)


@pytest.mark.parametrize("row", TABLE3_ROWS_2021, ids=[r.key for r in TABLE3_ROWS_2021])
def test_width_and_spacing_variants_score_one(row):
    variant = " ".join(row.label.translate(_TO_NARROW)).replace("．", ".")
    assert score(normalize(variant), normalize(row.label)) == 1.0
    assert best_match(normalize(variant), ROWS3) == (row.key, 1.0)


def test_score_prefix_is_strong_but_not_exact():
    """score() documents that a token which is the start of a label (the rest wrapped onto the
    next line or page) counts as a strong match. That must hold for the first line of a long
    label wrapped in a narrow column too, not only when the first part is over a third of it."""
    full = normalize("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
    assert MATCH <= score(full[:14], full) < 1.0  # 申请人无正当理由逾期不补正、
    assert MATCH <= score(full[:10], full) < 1.0  # 申请人无正当理由逾期
    assert score("", full) == 0.0
    assert score(full, "") == 0.0


def test_score_unrelated_is_low():
    assert score(normalize("结果维持"), normalize("1.属于国家秘密")) < MATCH
    _, s = best_match(normalize("政府集中采购"), ROWS3)
    assert s < MATCH


def test_table2_row_variants():
    assert best_match(normalize("规范性文件"), ROWS2) == ("行政规范性文件", 1.0)
    assert best_match(normalize("行政 规范性 文件"), ROWS2) == ("行政规范性文件", 1.0)
    assert best_match(normalize("行政事业性收费"), ROWS2)[0] == "行政事业性收费"
    got, s = best_match(normalize("行政处罚"), ROWS2)
    assert got == "行政处罚" and s >= STRONG


def test_table4_group_labels():
    groups = [(g.key, g.labels) for g in TABLE4_GROUPS]
    assert best_match(normalize("行政复议"), groups) == ("review", 1.0)
    assert best_match(normalize("未经复议 直接起诉"), groups) == ("suit_direct", 1.0)
    assert best_match(normalize("复议后起诉"), groups) == ("suit_after_review", 1.0)
