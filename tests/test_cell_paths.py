"""Cell paths, table 四 keys and short labels: one definition in db/format.py, used everywhere."""

from __future__ import annotations

import pytest

from nianbao.db.format import (
    FORMATS,
    IN_FORCE,
    MADE,
    REPEALED,
    TABLE2_STOCK_ROWS,
    TABLE4_FIELDS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    CellPath,
    cell_path,
    parse_cell_path,
    short_label,
    table4_key,
)
from nianbao.db.vocabulary import cell_name


@pytest.mark.parametrize("version", sorted(FORMATS))
def test_every_cell_path_of_a_report_reads_back_to_its_parts(version: str) -> None:
    spec = FORMATS[version]
    paths = [cell_path("table2", f.key) for f in spec.table2_fields]
    paths += [cell_path("table3", row, c.key) for row in spec.table3_row_keys for c in spec.table3_columns]
    paths += [cell_path("table4", f.key) for f in spec.table4]
    assert len(set(paths)) == len(paths)
    for path in paths:
        assert cell_path(*parse_cell_path(path)) == path
    assert parse_cell_path("table3.granted.natural") == CellPath("table3", "granted", "natural")
    assert parse_cell_path("table3.granted.*") == CellPath("table3", "granted", "*")
    assert parse_cell_path("table2.rules_made") == CellPath("table2", "rules_made", "")


def test_table4_keys_are_group_then_result() -> None:
    assert [f.key for f in TABLE4_FIELDS] == [table4_key(g.key, r.key) for g in TABLE4_GROUPS for r in TABLE4_RESULTS]
    assert table4_key("review", "upheld") == "review_upheld"


@pytest.mark.parametrize(
    ("label", "short"),
    [
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
        ("一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
        ("1.属于国家秘密", "属于国家秘密"),
        ("（七）总计", "总计"),
        ("3.危及“三安全一稳定”", "危及“三安全一稳定”"),
        ("（三）", "（三）"),  # nothing left: the label as it is
    ],
)
def test_short_label(label: str, short: str) -> None:
    assert short_label(label) == short


def test_the_stock_rows_of_table2_are_rules_and_normative_documents() -> None:
    """T2-STOCK and SPLIT-AMBIGUOUS's last-year reading take these rows' cells in column order."""
    assert [row.label for row in TABLE2_STOCK_ROWS] == ["规章", "行政规范性文件"]
    for row in TABLE2_STOCK_ROWS:
        assert [f.column for f in row.fields] == [MADE.label, REPEALED.label, IN_FORCE.label]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("table3.granted.natural", "表三 （一）予以公开 · 自然人"),  # under 三、本年度办理结果: no heading
        ("table3.deny_law.*", "表三 （三）不予公开 2.其他法律行政法规禁止公开"),
        ("table2.licensing", "表二 行政许可"),
        ("table4.suit_after_review_total", "表四 复议后起诉 · 总计"),
        ("table9.nothing", "table9.nothing"),
        ("sections.overview", "sections.overview"),
    ],
)
def test_cell_name_reads_the_path_with_parse_cell_path(path: str, name: str) -> None:
    assert cell_name(path, "2021") == name


@pytest.mark.parametrize(
    ("label", "short"),
    [
        ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（二）部分公开"),
        ("1.属于国家秘密", "1.属于国家秘密"),
        ("本年收费金额（单位：万元）", "本年收费金额"),
    ],
)
def test_short_label_numbered_keeps_the_numbering(label: str, short: str) -> None:
    """The app's narrow rows keep the form's numbering, to be read beside the printed form."""
    assert short_label(label, numbered=True) == short
