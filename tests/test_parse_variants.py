"""Robustness of the text parser: variants of the bundled samples, built by editing their text,
must parse to the values of the samples' expected JSON (or to exactly the documented change)."""

from __future__ import annotations

import random
import re

import pytest

from nianbao.db.format import FORMAT_2019, FORMAT_2021, NOT_APPLICABLE, TABLE3_COLUMN_KEYS
from nianbao.db.parse.identity import parse_date
from nianbao.db.parse.labels import read_cell
from nianbao.db.parse.report import parse_document
from nianbao.db.parse.sections import outline
from nianbao.db.readers.text import split_blocks
from tests.helpers import SAMPLE_NAMES, expected, sample_bytes

CELL_LAYOUT = "000"  # one cell per line (Word export)
TAB_LAYOUT = "002"  # one row per line, tab-separated (PDF export)
COLUMNS = list(TABLE3_COLUMN_KEYS)


# --- helpers --------------------------------------------------------------------------------------


def text_of(name: str) -> str:
    return sample_bytes(name).decode("utf-8")


def parse(text: str):
    return parse_document(split_blocks(text))


def parsed_json(text: str) -> dict:
    return parse(text).to_json()


def values(j: dict) -> dict:
    """The parts of a report's JSON a variant must leave unchanged."""
    return {
        "organ": j["organ"],
        "year": j["year"],
        "format": j["format"],
        "table2": j["table2"],
        "table3": j["table3"]["rows"],
        "table4": j["table4"],
    }


def want(name: str) -> dict:
    e = expected(name)
    return {
        "organ": e["organ"],
        "year": e["year"],
        "format": e["format"],
        "table2": e["table2"],
        "table3": e["table3"]["rows"],
        "table4": e["table4"],
    }


def note_codes(j: dict) -> list[tuple[str, list[str]]]:
    return [(n["code"], n["cells"]) for n in j["notes"]]


def the_line(lines: list[str], predicate) -> int:
    """Index of the one line satisfying `predicate`."""
    found = [i for i, line in enumerate(lines) if predicate(line)]
    assert len(found) == 1, found
    return found[0]


def field_line(lines: list[str], label: str) -> int:
    """Index of the one tab-separated line that has a field equal to `label`."""
    return the_line(lines, lambda line: "\t" in line and label in [f.strip() for f in line.split("\t")])


def cell_line(lines: list[str], label: str, start: int = 0) -> int:
    """Index of the first one-cell line "\\t<label>" at or after `start`."""
    for i in range(start, len(lines)):
        if lines[i].strip() == label and lines[i].lstrip(" ").startswith("\t"):
            return i
    raise AssertionError(label)


def section_span(lines: list[str], start_heading: str, end_heading: str) -> tuple[int, int]:
    """[start, end) indices of the lines between two section headings."""
    start = the_line(lines, lambda line: line.lstrip("# ").startswith(start_heading))
    end = the_line(lines, lambda line: line.lstrip("# ").startswith(end_heading))
    assert start < end
    return start + 1, end


def table_lines(lines: list[str]) -> list[int]:
    """Indices of the table lines (lines with a tab) of sections 二, 三 and 四."""
    start = the_line(lines, lambda line: "主动公开政府信息情况" in line and "\t" not in line and len(line) < 40)
    end = the_line(lines, lambda line: "存在的主要问题" in line and "\t" not in line and len(line) < 40)
    return [i for i in range(start + 1, end) if "\t" in lines[i]]


def edit_fields(text: str, edit) -> str:
    """Apply `edit(field, kind)` to every tab-separated field of the table lines; keep the tabs."""
    lines = text.split("\n")
    for i in table_lines(lines):
        lines[i] = "\t".join(edit(f, read_cell(f).kind) for f in lines[i].split("\t"))
    return "\n".join(lines)


_WIDE_DIGITS = str.maketrans("0123456789.", "０１２３４５６７８９．")
_NUMBERING = re.compile(r"^(\s*[（(]?\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[)）]?)\s*([、.．])")


def shuffle_label(label: str, rng: random.Random) -> str:
    """The same label as another report might print it: other bracket widths, full-width digits,
    、 for . (or back) after its number, spaces or U+3000 between characters."""
    out = label
    if rng.random() < 0.5:
        out = out.replace("（", "(").replace("）", ")")
    else:
        out = out.replace("(", "（").replace(")", "）")
    if rng.random() < 0.5:
        out = out.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    m = _NUMBERING.match(out)
    if m and rng.random() < 0.8:
        mark = {"、": rng.choice(".．"), ".": "、", "．": "、"}[m.group(2)]
        out = m.group(1) + rng.choice(["", " ", "\u3000"]) + mark + out[m.end() :]
    chars = list(out)
    for _ in range(rng.randint(1, 3)):
        chars.insert(rng.randint(1, max(1, len(chars) - 1)), rng.choice([" ", "\u3000", "  "]))
    return "".join(chars)


def shuffled(text: str, seed: int) -> str:
    rng = random.Random(seed)

    def edit(field: str, kind: str) -> str:
        if kind != "label":
            return field
        new = shuffle_label(field.strip(" \u3000\xa0"), rng)
        assert read_cell(new).kind == "label", (field, new)
        return new

    out = edit_fields(text, edit)
    assert out != text
    return out


def wide_values(text: str) -> str:
    """Every number in the tables written with full-width digits (and full-width point)."""

    def edit(field: str, kind: str) -> str:
        return field.translate(_WIDE_DIGITS) if kind == "number" else field

    out = edit_fields(text, edit)
    assert out != text
    return out


# --- 1. spacing/width shuffle of labels --------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_labels_shuffled_in_spacing_and_width(name, seed):
    variant = shuffled(text_of(name), seed)
    j = parsed_json(variant)
    assert values(j) == want(name)
    assert note_codes(j) == note_codes(parsed_json(text_of(name)))


def test_shuffle_really_changes_the_labels():
    """Guard for the test above: the shuffle edits labels (brackets, widths, 、/., spaces), never values."""
    original = text_of(TAB_LAYOUT).split("\n")
    variant = shuffled(text_of(TAB_LAYOUT), 0).split("\n")
    assert len(original) == len(variant)
    changed = [(a, b) for a, b in zip(original, variant) if a != b]
    assert len(changed) > 30
    for a, b in changed:
        fa, fb = a.split("\t"), b.split("\t")
        assert len(fa) == len(fb)
        for x, y in zip(fa, fb):
            if read_cell(x).kind != "label":
                assert x == y
    joined = "\n".join(variant)
    assert "\u3000" in joined  # ideographic spaces inserted
    assert "第二十条第(" in joined.replace(" ", "").replace("\u3000", "")  # （）→() somewhere
    assert re.search("[０-９]", joined)  # full-width digits in some label
    assert re.search(r"\t[0-9][\s\u3000]*、", joined)  # 1. → 1、 somewhere


# --- 2. full-width digits in values --------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_full_width_digits_in_values(name):
    variant = wide_values(text_of(name))
    assert "０" in variant
    j = parsed_json(variant)
    assert values(j) == want(name)


def test_full_width_decimal_fee():
    # 003 has 行政事业性收费 9669.2526
    variant = wide_values(text_of("003"))
    assert "９６６９．２５２６" in variant
    assert parsed_json(variant)["table2"]["fees_wan"] == pytest.approx(9669.2526)


@pytest.mark.parametrize("name", [CELL_LAYOUT, TAB_LAYOUT])
def test_labels_and_values_both_full_width(name):
    variant = wide_values(shuffled(text_of(name), 7))
    assert values(parsed_json(variant)) == want(name)


# --- 3. labels split across lines (tab layout) -----------------------------------------------------

# (row key, the label as 002 prints it, the part left on the first line)
SPLITS = [
    ("deny_law", "2. 其他法律行政法规禁止公开", "2. 其他法律行政法规"),
    (
        "other_overdue_correction",
        "1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "1. 申请人无正当理由逾期不补正、",
    ),
    (
        "other_overdue_fee",
        "2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "2. 申请人逾期未按收费通知要求",
    ),
    ("reject_confirm", "5. 要求行政机关确认或重新出具已获取信息", "5. 要求行政机关确认或"),
    ("partial", "(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)", "(二) 部分公开 (区分处理的, "),
    ("new_received", "一、本年新收政府信息公开申请数量", "一、本年新收政府信息"),
    ("unable_need_create", "2. 没有现成信息需要另行制作", "2. 没有现成信息"),
]
SPLIT_IDS = [s[0] for s in SPLITS]


def split_label(text: str, label: str, first: str, values_on: str, gap: str = "") -> str:
    """Split the tab row whose label is `label` over two lines: `first` part of the label on the
    first line, the rest on the second; the values on the first line (`values_on="first"`, the
    way sample 003 prints 其他法律行政法规 / 禁止公开) or on the second (`"second"`). The other
    line keeps empty tab fields. `gap` goes between the two lines (a blank line, a page break)."""
    assert label.startswith(first) and label != first
    rest = label[len(first) :]
    lines = text.split("\n")
    i = field_line(lines, label)
    fields = lines[i].split("\t")
    at = [f.strip() for f in fields].index(label)
    lead = [""] * at
    after = fields[at + 1 :]
    blank_after = [""] * len(after)
    if values_on == "first":
        one = "\t".join(lead + [first] + after)
        two = "\t".join(lead + [rest] + blank_after)
    else:
        one = "\t".join(lead + [first] + blank_after)
        two = "\t".join(lead + [rest] + after)
    lines[i : i + 1] = [one, *([gap] if gap else []), two]
    return "\n".join(lines)


@pytest.mark.parametrize("gap", ["", "\f"], ids=["adjacent", "page-break"])
@pytest.mark.parametrize("key, label, first", SPLITS, ids=SPLIT_IDS)
def test_label_split_values_on_first_line(key, label, first, gap):
    variant = split_label(text_of(TAB_LAYOUT), label, first, "first", gap)
    j = parsed_json(variant)
    assert values(j) == want(TAB_LAYOUT)
    assert note_codes(j) == []


@pytest.mark.parametrize("gap", ["", "\f"], ids=["adjacent", "page-break"])
@pytest.mark.parametrize("key, label, first", SPLITS, ids=SPLIT_IDS)
def test_label_split_values_on_second_line(key, label, first, gap):
    variant = split_label(text_of(TAB_LAYOUT), label, first, "second", gap)
    j = parsed_json(variant)
    assert values(j) == want(TAB_LAYOUT)
    assert note_codes(j) == []


@pytest.mark.parametrize("values_on", ["first", "second"])
@pytest.mark.parametrize(
    "label, first",
    [
        # the first part is nearly all of the label (a page break just before the last characters)
        ("2. 其他法律行政法规禁止公开", "2. 其他法律行政法规禁止"),
        ("5. 要求行政机关确认或重新出具已获取信息", "5. 要求行政机关确认或重新出具已获取"),
        # a long label wrapped early in a narrow column
        ("1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "1. 申请人无正当理由逾期"),
        ("2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "2. 申请人逾期未按"),
    ],
    ids=["deny_law-late", "reject_confirm-late", "overdue_correction-early", "overdue_fee-early"],
)
def test_label_split_at_other_points(label, first, values_on):
    variant = split_label(text_of(TAB_LAYOUT), label, first, values_on)
    j = parsed_json(variant)
    assert values(j) == want(TAB_LAYOUT)
    assert note_codes(j) == []


def test_sample_003_split_label_is_read():
    """Guard: 003 itself prints 其他法律行政法规 / page break / 禁止公开, read as row deny_law."""
    j = parsed_json(text_of("003"))
    assert j["table3"]["rows"]["deny_law"] == [0] * 7
    assert "deny_law" not in str(note_codes(j))


# --- 4. header typos -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["001", "002", "004"])
def test_header_typos_change_nothing(name):
    original = text_of(name)
    assert "本年废止件数" in original and "本年制发件数" in original
    variant = original.replace("本年废止件数", "本年度止件数").replace("本年制发件数", "本年制作件数")
    j = parsed_json(variant)
    assert values(j) == want(name)
    assert note_codes(j) == note_codes(parsed_json(original))


def test_header_broken_over_lines_and_typo():
    # 000 already breaks its headers (本年 / 制作件数, 本年废止 / 数量); make it worse: 本年度止 / 件数
    original = text_of(CELL_LAYOUT)
    variant = original.replace("\t本年废止\n数量", "\t本年度止\n件数")
    assert variant != original
    assert values(parsed_json(variant)) == want(CELL_LAYOUT)


# --- 5. blank value cells ------------------------------------------------------------------------


def blank_tab_cell(text: str, label: str, column: int) -> str:
    """Empty the `column`-th value (0 = natural … 6 = total) of a tab row, keeping the tabs."""
    lines = text.split("\n")
    i = field_line(lines, label)
    fields = lines[i].split("\t")
    at = [f.strip() for f in fields].index(label)
    numbers = [k for k in range(at + 1, len(fields)) if read_cell(fields[k]).kind == "number"]
    assert len(numbers) == 7
    fields[numbers[column]] = ""
    lines[i] = "\t".join(fields)
    return "\n".join(lines)


@pytest.mark.parametrize(
    "key, label, column",
    [("carried_forward", "四、结转下年度继续办理", c) for c in range(7)]
    + [("new_received", "一、本年新收政府信息公开申请数量", c) for c in (0, 1, 6)]
    + [("unable_no_info", "1. 本机关不掌握相关政府信息", c) for c in (0, 3, 6)],
    ids=[f"carried_forward-{c}" for c in COLUMNS]
    + [f"new_received-{COLUMNS[c]}" for c in (0, 1, 6)]
    + [f"unable_no_info-{COLUMNS[c]}" for c in (0, 3, 6)],
)
def test_blank_cell_tab_layout(key, label, column):
    variant = blank_tab_cell(text_of(TAB_LAYOUT), label, column)
    j = parsed_json(variant)
    rows = dict(want(TAB_LAYOUT)["table3"])
    row = list(rows[key])
    row[column] = None
    rows[key] = row
    assert j["table3"]["rows"][key] == row
    assert j["table3"]["rows"] == rows
    assert j["table2"] == want(TAB_LAYOUT)["table2"]
    assert j["table4"] == want(TAB_LAYOUT)["table4"]


def value_lines(lines: list[str], label: str) -> list[int]:
    """Indices of the value lines of a one-cell-per-line row, after its label line."""
    i = cell_line(lines, label)
    out = []
    for k in range(i + 1, len(lines)):
        if not lines[k].startswith("\t") or read_cell(lines[k]).kind != "number":
            break
        out.append(k)
    return out


@pytest.mark.parametrize("column", [0, 1, 3, 6], ids=[COLUMNS[c] for c in (0, 1, 3, 6)])
def test_blank_cell_cell_layout(column):
    lines = text_of(CELL_LAYOUT).split("\n")
    cells = value_lines(lines, "一、本年新收政府信息公开申请数量")
    assert len(cells) == 7
    lines[cells[column]] = "\t"
    j = parsed_json("\n".join(lines))
    row = list(want(CELL_LAYOUT)["table3"]["new_received"])
    row[column] = None
    assert j["table3"]["rows"]["new_received"] == row
    rows = dict(want(CELL_LAYOUT)["table3"], new_received=row)
    assert j["table3"]["rows"] == rows


def test_blank_table2_cell_cell_layout():
    # 000: 行政许可's value "\t0" becomes an empty cell "\t"
    lines = text_of(CELL_LAYOUT).split("\n")
    i = cell_line(lines, "行政许可")
    assert lines[i + 1] == "\t0"
    lines[i + 1] = "\t"
    j = parsed_json("\n".join(lines))
    assert j["table2"] == dict(want(CELL_LAYOUT)["table2"], licensing=None)


# --- 6. not-applicable markers -------------------------------------------------------------------


@pytest.mark.parametrize("marker", NOT_APPLICABLE)
def test_marker_in_table2_tab_layout(marker):
    lines = text_of(TAB_LAYOUT).split("\n")
    i = field_line(lines, "行政许可")
    assert lines[i] == "行政许可\t0\t\t"
    lines[i] = f"行政许可\t{marker}\t\t"
    j = parsed_json("\n".join(lines))
    assert j["table2"]["licensing"] == marker
    assert j["table2"] == dict(want(TAB_LAYOUT)["table2"], licensing=marker)
    assert values(j)["table3"] == want(TAB_LAYOUT)["table3"]


@pytest.mark.parametrize("marker", ["/", "—", "无", "不适用"])
def test_marker_in_table2_cell_layout(marker):
    lines = text_of(CELL_LAYOUT).split("\n")
    i = cell_line(lines, "行政处罚")
    assert lines[i + 1] == "\t0"
    lines[i + 1] = f"\t{marker}"
    j = parsed_json("\n".join(lines))
    assert j["table2"] == dict(want(CELL_LAYOUT)["table2"], punishment=marker)


def test_marker_in_table3_cell():
    lines = text_of(TAB_LAYOUT).split("\n")
    i = field_line(lines, "四、结转下年度继续办理")
    assert lines[i] == "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0\t"
    lines[i] = "四、结转下年度继续办理\t\t0\t/\t0\t0\t0\t0\t0\t"
    j = parsed_json("\n".join(lines))
    assert j["table3"]["rows"]["carried_forward"] == [0, "/", 0, 0, 0, 0, 0]
    assert j["table3"]["rows"] == dict(want(TAB_LAYOUT)["table3"], carried_forward=[0, "/", 0, 0, 0, 0, 0])


def test_marker_in_table4():
    lines = text_of(TAB_LAYOUT).split("\n")
    i = the_line(lines, lambda line: line == "2\t0\t0\t0\t2\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0")
    lines[i] = "2\t0\t0\t0\t2\t—\t—\t—\t—\t—\t0\t0\t0\t0\t0"
    j = parsed_json("\n".join(lines))
    want4 = dict(want(TAB_LAYOUT)["table4"])
    for k in ("upheld", "corrected", "other", "pending", "total"):
        want4[f"suit_direct_{k}"] = "—"
    assert j["table4"] == want4


def test_number_with_unit_is_read_and_noted():
    """docs/format.md: "A number with a unit stuck to it (12件) is read as 12 but noted"."""
    lines = text_of(TAB_LAYOUT).split("\n")
    i = field_line(lines, "行政许可")
    lines[i] = "行政许可\t12件\t\t"
    j = parsed_json("\n".join(lines))
    assert j["table2"]["licensing"] == 12
    assert any(n["code"] == "unit-stripped" and n["cells"] == ["table2.licensing"] for n in j["notes"]), j["notes"]


# --- 7. incomplete rows and extra values ---------------------------------------------------------

ROW_LABELS_002 = {
    "new_received": "一、本年新收政府信息公开申请数量",  # trailing tab after its values
    "granted": "(一) 予以公开",  # trailing tab
    "deny_law": "2. 其他法律行政法规禁止公开",  # no trailing tab
    "unable_no_info": "1. 本机关不掌握相关政府信息",  # no trailing tab
    "other_other": "3. 其他",  # trailing tab
    "total": "(七) 总计",  # trailing tab
    "carried_forward": "四、结转下年度继续办理",  # trailing tab
}


def edit_values(text: str, label: str, edit) -> str:
    lines = text.split("\n")
    i = field_line(lines, label)
    fields = lines[i].split("\t")
    at = [f.strip() for f in fields].index(label)
    numbers = [k for k in range(at + 1, len(fields)) if read_cell(fields[k]).kind == "number"]
    assert len(numbers) == 7
    lines[i] = "\t".join(edit(fields, numbers))
    return "\n".join(lines)


def _drop(column: int):
    def edit(fields, numbers):
        return fields[: numbers[column]] + fields[numbers[column] + 1 :]

    return edit


def _extra(fields, numbers):
    return fields[: numbers[3]] + ["0"] + fields[numbers[3] :]


@pytest.mark.parametrize("column", [2, 6], ids=["research", "total"])
@pytest.mark.parametrize("key", ROW_LABELS_002)
def test_row_missing_a_value_is_null_and_noted(key, column):
    variant = edit_values(text_of(TAB_LAYOUT), ROW_LABELS_002[key], _drop(column))
    report = parse(variant)
    j = report.to_json()
    assert j["table3"]["rows"][key] is None
    assert any(n.code == "row-incomplete" and n.cells == (f"table3.{key}.*",) for n in report.notes), report.notes
    others = {k: v for k, v in want(TAB_LAYOUT)["table3"].items() if k != key}
    assert {k: v for k, v in j["table3"]["rows"].items() if k != key} == others
    assert j["table2"] == want(TAB_LAYOUT)["table2"]
    assert j["table4"] == want(TAB_LAYOUT)["table4"]


@pytest.mark.parametrize("key", ROW_LABELS_002)
def test_row_with_an_extra_value_is_null_and_noted(key):
    variant = edit_values(text_of(TAB_LAYOUT), ROW_LABELS_002[key], _extra)
    report = parse(variant)
    j = report.to_json()
    assert j["table3"]["rows"][key] is None
    assert any(n.code == "row-extra-values" and n.cells == (f"table3.{key}.*",) for n in report.notes), report.notes
    others = {k: v for k, v in want(TAB_LAYOUT)["table3"].items() if k != key}
    assert {k: v for k, v in j["table3"]["rows"].items() if k != key} == others


def test_row_missing_last_value_cell_layout():
    """One cell per line: the values present are in order, so the missing one is the last."""
    lines = text_of(CELL_LAYOUT).split("\n")
    cells = value_lines(lines, "一、本年新收政府信息公开申请数量")
    del lines[cells[-1]]
    report = parse("\n".join(lines))
    j = report.to_json()
    assert j["table3"]["rows"]["new_received"] == [2, 0, 0, 0, 0, 0, None]
    assert [(n.code, n.cells) for n in report.notes if n.cells and n.cells[0].startswith("table3")] == [
        ("row-incomplete", ("table3.new_received.total",))
    ]
    assert {k: v for k, v in j["table3"]["rows"].items() if k != "new_received"} == {
        k: v for k, v in want(CELL_LAYOUT)["table3"].items() if k != "new_received"
    }


def test_row_with_extra_value_cell_layout():
    lines = text_of(CELL_LAYOUT).split("\n")
    cells = value_lines(lines, "二、上年结转政府信息公开申请数量")
    lines.insert(cells[-1], "\t0")
    report = parse("\n".join(lines))
    assert report.to_json()["table3"]["rows"]["carried_over"] is None
    assert any(n.code == "row-extra-values" and n.cells == ("table3.carried_over.*",) for n in report.notes)


# --- 8. the 2019 format ---------------------------------------------------------------------------

# (label, values) of a 2019 table 二, with distinct numbers and negative changes.
T2_2019 = [
    ("第二十条第（一）项", []),
    ("信息内容", ["本年新制作数量", "本年新公开数量", "对外公开总数量"]),
    ("规章", [1, 2, 3]),
    ("规范性文件", [4, 5, 6]),
    ("第二十条第（五）项", []),
    ("信息内容", ["上一年项目数量", "本年增/减", "处理决定数量"]),
    ("行政许可", [17, -2, 18]),
    ("其他对外管理服务事项", [19, 3, 20]),
    ("第二十条第（六）项", []),
    ("信息内容", ["上一年项目数量", "本年增/减", "处理决定数量"]),
    ("行政处罚", [21, -4, 22]),
    ("行政强制", [23, 5, 24]),
    ("第二十条第（八）项", []),
    ("信息内容", ["上一年项目数量", "本年增/减"]),
    ("行政事业性收费", [25, -6]),
    ("第二十条第（九）项", []),
    ("信息内容", ["采购项目数量", "采购总金额"]),
    ("政府集中采购", [26, 1234.56]),
]
WANT_2019 = {
    "rules_made": 1,
    "rules_published": 2,
    "rules_public_total": 3,
    "normative_made": 4,
    "normative_published": 5,
    "normative_public_total": 6,
    "licensing_prev_items": 17,
    "licensing_change": -2,
    "licensing": 18,
    "other_services_prev_items": 19,
    "other_services_change": 3,
    "other_services": 20,
    "punishment_prev_items": 21,
    "punishment_change": -4,
    "punishment": 22,
    "enforcement_prev_items": 23,
    "enforcement_change": 5,
    "enforcement": 24,
    "fees_prev_items": 25,
    "fees_change": -6,
    "procurement_items": 26,
    "procurement_wan": 1234.56,
}
OTHER_TOTAL = [3, 0, 1, 0, 0, 2, 6]


def test_want_2019_covers_the_format():
    assert list(WANT_2019) == [f.key for f in FORMAT_2019.table2_fields]


def to_2019_tab(text: str) -> str:
    lines = text.split("\n")
    start, end = section_span(lines, "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况")
    table = [i for i in range(start, end) if "\t" in lines[i]]
    new_t2 = ["\t".join([label, *map(str, vals), *([""] * (3 - len(vals)))]) for label, vals in T2_2019]
    lines[table[0] : table[-1] + 1] = new_t2
    first = field_line(lines, "1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
    last = field_line(lines, "3. 其他")
    assert last == first + 2
    lines[first : last + 1] = ["\t".join(["", "(六) 其他处理", *map(str, OTHER_TOTAL)])]
    title = the_line(lines, lambda line: line.endswith("政府信息公开工作年度报告"))
    lines[title] = lines[title].replace("2024", "2020")
    return "\n".join(lines)


def to_2019_cells(text: str) -> str:
    lines = text.split("\n")
    start, end = section_span(lines, "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况")
    new_t2: list[str] = []
    for label, vals in T2_2019:
        new_t2 += [f"\t{label}", *(f"\t{v}" for v in vals), ""]
    lines[start:end] = new_t2 + [""]
    group = cell_line(lines, "（六）其他处理")
    total = cell_line(lines, "（七）总计", group)
    assert lines[group - 1] == "\t" and lines[total - 1] == "\t"
    lines[group - 1 : total - 1] = ["\t", "\t（六）其他处理", *(f"\t{v}" for v in OTHER_TOTAL), ""]
    title = the_line(lines, lambda line: line.endswith("政府信息公开工作年度报告"))
    lines[title] = lines[title].replace("2024", "2020")
    return "\n".join(lines)


@pytest.mark.parametrize("layout", ["tab", "cells"])
def test_2019_format(layout):
    variant = to_2019_tab(text_of(TAB_LAYOUT)) if layout == "tab" else to_2019_cells(text_of(CELL_LAYOUT))
    name = TAB_LAYOUT if layout == "tab" else CELL_LAYOUT
    report = parse(variant)
    j = report.to_json()
    assert j["format"] == "2019"
    assert j["year"] == 2020
    assert j["organ"] == want(name)["organ"]
    assert j["table2"] == WANT_2019
    for key, value in WANT_2019.items():
        assert j["table2"][key] == value, key
    rows = j["table3"]["rows"]
    assert list(rows) == list(FORMAT_2019.table3_row_keys)
    assert rows["other_total"] == OTHER_TOTAL
    assert not any(k.startswith("other_overdue") for k in rows)
    assert "other_other" not in rows
    for key, value in want(name)["table3"].items():
        if not key.startswith("other_"):
            assert rows[key] == value, key
    assert j["table4"] == want(name)["table4"]
    assert j["notes"] == []


def test_2021_samples_are_2021_format():
    for name in SAMPLE_NAMES:
        assert parse(text_of(name)).format == FORMAT_2021.version


# --- 9. a subtotal column in table 三 ---------------------------------------------------------------


def with_subtotal_tab(text: str, header: str) -> str:
    lines = text.split("\n")
    start, end = section_span(lines, "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况")
    for i in range(start, end):
        fields = lines[i].split("\t")
        stripped = [f.strip() for f in fields]
        if "商业企业" in stripped:
            at = stripped.index("其他")
            fields.insert(at + 1, header)
        else:
            numbers = [k for k, f in enumerate(fields) if read_cell(f).kind == "number"]
            if len(numbers) != 7:
                continue
            subtotal = sum(read_cell(fields[k]).value for k in numbers[1:6])
            fields.insert(numbers[6], str(subtotal))
        lines[i] = "\t".join(fields)
    return "\n".join(lines)


def with_subtotal_cells(text: str, header: str) -> str:
    lines = text.split("\n")
    start, end = section_span(lines, "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况")
    out = lines[:start]
    run: list[str] = []

    def flush():
        if len(run) == 7:
            subtotal = sum(read_cell(c).value for c in run[1:6])
            out.extend(run[:6] + [f"\t{subtotal}", run[6]])
        else:
            out.extend(run)
        run.clear()

    for line in lines[start:end]:
        if line.startswith("\t") and read_cell(line).kind == "number":
            run.append(line)
            continue
        flush()
        out.append(line)
        if line == "\t其他":
            out.append(f"\t{header}")
    flush()
    return "\n".join(out + lines[end:])


@pytest.mark.parametrize("header", ["小计", "法人或其他组织小计"])
@pytest.mark.parametrize("name, layout", [(TAB_LAYOUT, "tab"), ("004", "cells"), (CELL_LAYOUT, "cells")])
def test_subtotal_column(name, layout, header):
    build = with_subtotal_tab if layout == "tab" else with_subtotal_cells
    variant = build(text_of(name), header)
    assert header in variant
    report = parse(variant)
    j = report.to_json()
    assert j["table3"]["columns"] == COLUMNS
    assert j["table3"]["rows"] == want(name)["table3"]
    assert values(j) == want(name)
    assert [n.code for n in report.notes].count("subtotal-column") == 1
    assert [n for n in note_codes(j) if n[0] != "subtotal-column"] == note_codes(parsed_json(text_of(name)))


def test_subtotal_helper_really_adds_a_column():
    variant = with_subtotal_cells(text_of("004"), "小计")
    lines = variant.split("\n")
    cells = value_lines(lines, "一、本年新收政府信息公开申请数量")
    assert [read_cell(lines[k]).value for k in cells] == [7, 0, 0, 0, 4, 0, 4, 11]


# --- 10. table 四 printed one group per row ----------------------------------------------------------

T4_ROWS = [("行政复议", [0, 1, 2, 0, 3]), ("未经复议直接起诉", [4, 5, 6, 7, 22]), ("复议后起诉", [8, 9, 10, 11, 38])]
WANT_T4 = {
    f"{group}_{result}": value
    for group, (_, vals) in zip(("review", "suit_direct", "suit_after_review"), T4_ROWS)
    for result, value in zip(("upheld", "corrected", "other", "pending", "total"), vals)
}


def table4_by_group_tab(text: str, rows) -> str:
    lines = text.split("\n")
    start, end = section_span(lines, "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题")
    table = [i for i in range(start, end) if "\t" in lines[i]]
    new = ["\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计"]
    new += ["\t".join([label, *map(str, vals)]) for label, vals in rows]
    lines[table[0] : table[-1] + 1] = new
    return "\n".join(lines)


def table4_by_group_cells(text: str, rows) -> str:
    lines = text.split("\n")
    start, end = section_span(lines, "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题")
    new = ["\t", "\t结果维持", "\t结果纠正", "\t其他结果", "\t尚未审结", "\t总计", ""]
    for label, vals in rows:
        new += [f"\t{label}", *(f"\t{v}" for v in vals), ""]
    lines[start:end] = new + [""]
    return "\n".join(lines)


@pytest.mark.parametrize("layout", ["tab", "cells"])
def test_table4_one_group_per_row(layout):
    if layout == "tab":
        variant, name = table4_by_group_tab(text_of(TAB_LAYOUT), T4_ROWS), TAB_LAYOUT
    else:
        variant, name = table4_by_group_cells(text_of(CELL_LAYOUT), T4_ROWS), CELL_LAYOUT
    j = parsed_json(variant)
    assert list(j["table4"]) == list(WANT_T4)
    assert j["table4"] == WANT_T4
    assert j["table3"]["rows"] == want(name)["table3"]
    assert not [n for n in j["notes"] if any(c.startswith("table4") for c in n["cells"])]


def test_table4_one_group_per_row_labels_decide_not_order():
    """Rows are found by their labels: printed in another order they still land on their keys."""
    variant = table4_by_group_tab(text_of(TAB_LAYOUT), [T4_ROWS[2], T4_ROWS[0], T4_ROWS[1]])
    assert parsed_json(variant)["table4"] == WANT_T4


def test_table4_one_group_per_row_with_litigation_heading():
    rows = [("行政复议", T4_ROWS[0][1]), ("行政诉讼\t未经复议直接起诉", T4_ROWS[1][1]), ("\t复议后起诉", T4_ROWS[2][1])]
    variant = table4_by_group_tab(text_of(TAB_LAYOUT), rows)
    assert parsed_json(variant)["table4"] == WANT_T4


# --- 11. sections and identity ---------------------------------------------------------------------


def test_sample_004_all_six_sections_found():
    parts = outline(split_blocks(text_of("004")).blocks)
    assert list(parts.sections) == ["overview", "proactive", "requests", "reviews", "problems", "other"]
    assert parts.sections["overview"].heading.text.startswith("1、")
    assert parts.sections["requests"].heading.text.startswith("三、")


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_all_six_sections_found(name):
    parts = outline(split_blocks(text_of(name)).blocks)
    assert set(parts.sections) == {"overview", "proactive", "requests", "reviews", "problems", "other"}


# Text that only the tables print: must not leak into a narrative section.
TABLE_TEXT = ("第二十条第", "本年新收政府信息公开申请数量", "结果维持", "社会公益组织", "本年处理决定数量", "\t")
# The other sections' headings (any numbering): must not be swallowed by a narrative.
OTHER_HEADINGS = re.compile(
    r"(?:^|\n)[#\s]*(?:[一二三四五六]|\d)\s*[、.．]\s*(?:总体情况|工作概述|主动公开政府信息情况|收到和处理政府信息公开申请情况"
    r"|政府信息公开行政复议|存在的主要问题|其他需要报告的事项)"
)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_narratives_clean(name):
    j = parsed_json(text_of(name))
    for key in ("overview", "problems", "other"):
        text = j["sections"][key]
        assert text.strip(), key
        assert "[bookmark" not in text, key
        for piece in TABLE_TEXT:
            assert piece not in text, (key, piece)
        assert not OTHER_HEADINGS.search(text), (key, OTHER_HEADINGS.search(text))
        assert not text.startswith("#"), key
        assert text == text.strip() and "\n\n\n" not in text, key
        for paragraph in text.split("\n\n"):
            # no paragraph made of table numbers (a row of values read as text)
            assert not re.fullmatch(r"[\d\s.,/-]+", paragraph), (key, paragraph)


def test_narrative_sections_by_sample():
    """Spot checks of where each narrative starts and ends."""
    got = {name: parsed_json(text_of(name))["sections"] for name in SAMPLE_NAMES}
    assert got["000_2d2c2c3c79ace67b"]["overview"].startswith("2024年夏县人民政府办公室坚持")
    assert got["000_2d2c2c3c79ace67b"]["overview"].endswith("督促整改。")
    assert got["001_3b3105c610c9a91d"]["problems"].split("\n\n")[1].startswith("下一步，县政府办公室")
    assert got["002_95a52b49f097a896"]["other"].split("\n\n") == [
        "（一）收取政府信息公开信息处理费情况。2024年，温县人民政府办公室未收取过政府信息公开信息处理费。",
        "（二）人大代表建议和政协委员提案办理情况。2024年，温县人民政府办公室未收到人大代表建议和政协委员提案办理。",
        "（三）无其他需要报告的事项。",
    ]
    assert got["004_25c646807846aa41"]["overview"].startswith("2023年，霍城县坚持")
    assert got["004_25c646807846aa41"]["problems"].endswith("落地落实。")


def test_003_paragraph_broken_mid_sentence_is_joined():
    overview = parsed_json(text_of("003"))["sections"]["overview"]
    paragraphs = overview.split("\n\n")
    assert "为指导，认真" in overview
    assert paragraphs[0].startswith("2024 年，交口县人民政府")
    assert paragraphs[0].endswith("有效推进政府信息公开工作。")
    assert "《政务公开组织管理规范》，进一步明确了" in overview
    # sub-headings stay paragraphs of their own, without their Markdown marks
    for heading in (
        "（一）主动公开方面",
        "（二）依申请公开方面",
        "（三）政府信息管理情况",
        "（四）政府信息公开平台建设情况",
        "（五）监督保障方面",
    ):
        assert heading in paragraphs, heading
    assert paragraphs[1] == "（一）主动公开方面"


def test_000_subheadings_are_paragraphs():
    paragraphs = parsed_json(text_of("000"))["sections"]["overview"].split("\n\n")
    assert "（1） 主动公开方面" in paragraphs or "（1）主动公开方面" in paragraphs
    assert "（二）依申请公开方面" in paragraphs
    assert len(paragraphs) == 11


def test_002_problems_keep_two_paragraphs():
    paragraphs = parsed_json(text_of("002"))["sections"]["problems"].split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[1].startswith("改进措施：")


@pytest.mark.parametrize(
    "name, date", [("000", "2025-01-22"), ("001", None), ("002", None), ("003", "2025-01-16"), ("004", "2024-01-31")]
)
def test_published(name, date):
    assert parsed_json(text_of(name))["published"] == date
    assert expected(name)["published"] == date


def test_closing_date_in_chinese_numerals():
    original = text_of("000")
    variant = original.replace("\n2025年1月22日", "\n二〇二五年一月二十二日")
    assert variant != original
    j = parsed_json(variant)
    assert j["published"] == "2025-01-22"
    assert j["sections"]["other"] == "无"


@pytest.mark.parametrize(
    "text, date",
    [
        ("二〇二五年一月二十二日", "2025-01-22"),
        ("二〇二四年十二月三十一日", "2024-12-31"),
        ("二○二五年一月十日", "2025-01-10"),
        ("2025年1月22日", "2025-01-22"),
        ("2025 年 1 月 16 日", "2025-01-16"),
    ],
)
def test_parse_date(text, date):
    assert parse_date(text) == date


def test_closing_date_full_width_digits():
    original = text_of("004")
    variant = original.replace("2024年1月31日", "２０２４年１月３１日")
    assert variant != original
    assert parsed_json(variant)["published"] == "2024-01-31"


@pytest.mark.parametrize(
    "name, organ, date_text",
    [
        ("000", "夏县人民政府办公室", "2025年1月22日"),
        ("003", "交口县人民政府办公室", "2025 年 1 月 16 日"),
        ("004", None, "2024年1月31日"),
    ],
)
def test_closing_lines_not_in_other(name, organ, date_text):
    other = parsed_json(text_of(name))["sections"]["other"]
    assert date_text not in other
    assert date_text.replace(" ", "") not in other.replace(" ", "")
    if organ:
        assert organ not in other
    assert (
        other
        == {
            "000": "无",
            "003": "本机关 2024 年度未收取政府信息公开信息处理费。",
            "004": "本年度政府信息公开申请未产生信息处理费用。",
        }[name]
    )


def test_organ_and_year_of_every_sample():
    for name in SAMPLE_NAMES:
        j = parsed_json(text_of(name))
        assert (j["organ"], j["region"], j["year"]) == (
            expected(name)["organ"],
            expected(name)["region"],
            expected(name)["year"],
        )


# --- 12. provenance ----------------------------------------------------------------------------------


def test_source_line_cell_layout():
    text = text_of(CELL_LAYOUT)
    lines = text.split("\n")
    label = cell_line(lines, "一、本年新收政府信息公开申请数量")
    cells = value_lines(lines, "一、本年新收政府信息公开申请数量")
    assert cells[0] == label + 1 and lines[cells[0]] == "\t2"
    sources = parsed_json(text)["sources"]
    assert sources["table3.new_received.natural"]["line"] == cells[0] + 1  # 1-based
    assert sources["table3.new_received.total"]["line"] == cells[6] + 1
    # a table 二 value and a table 四 value
    licensing = cell_line(lines, "行政许可")
    assert sources["table2.licensing"]["line"] == licensing + 2
    total = the_line(lines, lambda line: line.startswith("四、政府信息公开行政复议"))
    first_value = next(i for i in range(total, len(lines)) if lines[i] == "\t0" and lines[i - 1] == "")
    assert sources["table4.review_upheld"]["line"] == first_value + 1
    assert sources["table4.suit_after_review_total"]["line"] == first_value + 15


def test_source_line_tab_layout():
    text = text_of(TAB_LAYOUT)
    lines = text.split("\n")
    i = field_line(lines, "一、本年新收政府信息公开申请数量")
    fields = lines[i].split("\t")
    sources = parsed_json(text)["sources"]
    src = sources["table3.new_received.natural"]
    assert src["line"] == i + 1
    assert fields[src["col"]] == "33"
    assert src["col"] == 2
    total = sources["table3.new_received.total"]
    assert total["line"] == i + 1 and fields[total["col"]] == "33" and total["col"] == 8
    k = field_line(lines, "行政规范性文件")
    assert sources["table2.normative_in_force"] == {"line": k + 1, "col": 3}
    t4 = the_line(lines, lambda line: line.startswith("2\t0\t0\t0\t2"))
    assert sources["table4.review_total"] == {"line": t4 + 1, "col": 4}


def test_source_line_after_a_split_label():
    """003: values of the row whose label is broken by a page break come from the first line."""
    text = text_of("003")
    lines = text.split("\n")
    i = field_line(lines, "2. 其他法律行政法规")
    assert parsed_json(text)["sources"]["table3.deny_law.natural"]["line"] == i + 1


def test_source_lines_count_crlf_and_page_breaks_like_the_file():
    text = text_of(TAB_LAYOUT)
    lines = text.split("\n")
    i = field_line(lines, "一、本年新收政府信息公开申请数量")
    crlf = text.replace("\n", "\r\n")
    j = parsed_json(crlf)
    assert values(j) == want(TAB_LAYOUT)
    assert j["sources"]["table3.new_received.natural"]["line"] == i + 1


# --- other line-level noise -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_crlf_line_endings(name):
    assert values(parsed_json(text_of(name).replace("\n", "\r\n"))) == want(name)


def test_page_break_inside_table3_tab_layout():
    lines = text_of(TAB_LAYOUT).split("\n")
    i = field_line(lines, "1. 信访举报投诉类申请")
    lines.insert(i, "\f")
    assert values(parsed_json("\n".join(lines))) == want(TAB_LAYOUT)
