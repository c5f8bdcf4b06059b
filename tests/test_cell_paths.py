"""Cell paths, table 四 keys and short labels: one definition in db/format.py, used everywhere."""

from __future__ import annotations

import pytest

from nianbao.db.format import (
    FORMATS,
    TABLE4_FIELDS,
    TABLE4_GROUPS,
    TABLE4_RESULTS,
    CellPath,
    cell_path,
    parse_cell_path,
    short_label,
    table4_key,
)


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
