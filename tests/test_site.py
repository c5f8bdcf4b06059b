"""The static site, built from the samples' published database, read back without a browser:
pages at their stable URLs, official tables equal to the database, blanks and corrections marked,
no request to any other host, hostile report text escaped, byte-identical rebuilds.

The builders are in tests/published.py, shared with the browser tests."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html as lxml_html

from nianbao.db.checks.explanations_zh import EXPLANATIONS_ZH
from nianbao.db.format import FORMATS
from nianbao.db.schema import connect
from nianbao.publish import database, search_index
from nianbao.publish.markdown import render_text
from nianbao.publish.static_site import build_site
from tests.published import LONG_LINE, make_hostile, published_samples

CODES = {"夏县": "140828", "巨鹿县": "130529", "温县": "410825", "交口县": "141130", "霍城县": "654023"}
PROVINCES = {"13": "河北省", "14": "山西省", "41": "河南省", "65": "新疆维吾尔自治区"}
BUNDLES = {
    "13/1305": "河北省",
    "14/1405": "山西省",
    "14/1411": "山西省",
    "41/4108": "河南省",
    "65/6540": "新疆维吾尔自治区",
}
PAGES = [
    "index.html",
    "year/2023/index.html",
    "methodology/index.html",
    "downloads/index.html",
    "search/index.html",
    *(f"region/{code}/index.html" for code in CODES.values()),
    *(f"region/{code}/2024/index.html" for code in CODES.values()),
    "region/654023/2023/index.html",
]
# tables split by prefecture (the samples': 河北 邢台 1305, 山西 运城 1408 and 吕梁 1411, 河南 焦作
# 4108, 新疆 伊犁 6540), then national
BY_PROVINCE = ("reports", "table2", "table3", "table4", "cells", "findings", "narratives", "corrections")
NATIONAL = ("rules", "labels")
PREFECTURES = {
    "1305": "河北省 邢台市",
    "1408": "山西省 运城市",
    "1411": "山西省 吕梁市",
    "4108": "河南省 焦作市",
    "6540": "新疆维吾尔自治区 伊犁哈萨克自治州",
}
DOWNLOADS = (*(f"{t}-{p}" for t in BY_PROVINCE for p in PREFECTURES), *NATIONAL)
SVG_NAMESPACES = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "data", "xlink:href", "background")


def C(name: str) -> str:
    """An XPath test for a class (lxml's cssselect needs a package the project does not use)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def page(site: Path, path: str) -> lxml_html.HtmlElement:
    return lxml_html.fromstring((site / path).read_bytes())


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return published_samples(tmp_path_factory.mktemp("published"))


@pytest.fixture(scope="module")
def site(published, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site") / "site"
    messages: list[str] = []
    build_site(published, target, progress=messages.append)
    assert messages and messages[-1] == "网站：搜索索引"
    return target


@pytest.fixture(scope="module")
def hostile_site(published, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "nianbao.db"
    db.write_bytes(published.read_bytes())
    make_hostile(db)
    build_site(db, folder / "site")
    return folder / "site"


def rows(published: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(published)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


# --- Pages and links -----------------------------------------------------------------------------


def test_every_page_exists_at_its_stable_url(site):
    for path in PAGES:
        assert (site / path).is_file(), path
    for name in DOWNLOADS:
        assert (site / f"downloads/{name}.csv").is_file() and (site / f"downloads/{name}.json").is_file()
    for code in CODES.values():
        assert (site / f"region/{code}/chart-applications.svg").is_file()
        assert (site / f"region/{code}/chart-reviews.svg").is_file()
    assert (site / "pagefind/pagefind-ui.js").is_file() and (site / "pagefind/pagefind-ui.css").is_file()
    for bundle in BUNDLES:
        assert (site / f"pagefind/{bundle}/pagefind-entry.json").is_file()
        assert (site / f"pagefind/{bundle}/pagefind.js").is_file()  # each bundle can lead a search
    assert sorted(p.relative_to(site).as_posix() for p in html_files(site)) == sorted(PAGES)


def test_every_page_is_chinese(site):
    for path in html_files(site):
        assert page(site, str(path.relative_to(site))).get("lang") == "zh-CN", path


def test_every_link_is_relative_and_resolves(site):
    """The site may be served under a prefix (/site/): no link starts with / or names a host;
    each points at a file the build wrote (original files under sources/ are the orchestrator's)."""
    for path in html_files(site):
        doc = lxml_html.fromstring(path.read_bytes())
        for element, attribute, link, _ in doc.iterlinks():
            if link == "data:," or link.startswith("#"):
                continue
            assert not re.match(r"^[a-z][a-z0-9+.-]*:|^/", link, re.IGNORECASE), (path, link)
            target = (path.parent / link.split("#")[0].split("?")[0]).resolve()
            if link.split("?")[0].startswith("../" * str(path.relative_to(site)).count("/") + "sources/"):
                assert re.fullmatch(r"sources/\d{6}-\d{4}-\d+\.txt", target.relative_to(site.resolve()).as_posix())
                continue
            assert target.is_file(), (path, link)
            if "#" in link and link.split("#")[1]:
                assert lxml_html.fromstring(target.read_bytes()).get_element_by_id(link.split("#")[1]) is not None


def test_home_shows_national_totals_of_the_year_and_links_every_county(site, published):
    doc = page(site, "index.html")
    assert doc.findtext(".//h1").startswith("2024")
    year_links = {a.text: a.get("href") for a in doc.xpath(f"//nav[{C('years')}]//a")}
    assert year_links == {"2024": "index.html", "2023": "year/2023/index.html"}
    totals = {div.findtext("dt"): div.find("dd").text for div in doc.xpath(f"//dl[{C('totals')}]/div")}
    (received, granted) = rows(
        published,
        "SELECT sum(CASE WHEN row_key = 'new_received' THEN total END), sum(CASE WHEN row_key = 'granted' THEN total END) "
        "FROM table3 JOIN reports r ON r.id = report_id WHERE r.year = 2024",
    )[0]
    assert totals["报告"] == "5" and totals["本年新收政府信息公开申请数量"] == str(received)
    assert totals["本年度办理结果·予以公开"] == str(granted)
    county_links = {a.text: a.get("href") for a in doc.xpath(f"//table[{C('places')}]//th[@scope='row']/a[1]")}
    assert county_links == {name: f"region/{code}/index.html" for name, code in CODES.items()}
    old = page(site, "year/2023/index.html")
    assert [a.text for a in old.xpath(f"//table[{C('places')}]//th[@scope='row']/a[1]")] == ["霍城县"]


def test_county_page_lays_every_year_side_by_side_with_charts(site, published):
    doc = page(site, "region/654023/index.html")
    table = doc.xpath(f"//table[{C('series')}]")[0]
    assert table.find("caption").text == "霍城县历年主要数字"
    assert [a.text for a in table.xpath(".//thead//th/a")] == ["2023年", "2024年"]
    received = table.xpath("./tbody/tr")[0]
    expected = rows(
        published,
        "SELECT total FROM table3 JOIN reports r ON r.id = report_id WHERE region_code = '654023' "
        "AND row_key = 'new_received' ORDER BY r.year",
    )
    assert [td.text or "" for td in received.xpath("./td")] == [str(r[0]) for r in expected]
    images = [img.get("src") for img in doc.xpath(f"//figure[{C('chart')}]//img")]
    assert images == ["../../region/654023/chart-applications.svg", "../../region/654023/chart-reviews.svg"]
    assert all(img.get("alt") for img in doc.xpath(f"//figure[{C('chart')}]//img"))
    (latest,) = rows(published, "SELECT id FROM reports WHERE region_code = '654023' AND year = 2024")[0]
    assert [a.get("href") for a in doc.xpath(f"//ul[{C('reports')}]//a")][:2] == [
        "../../region/654023/2024/index.html",
        f"../../sources/654023-2024-{latest}.txt",
    ]
    assert doc.xpath(f"//section[{C('narrative')}]//*[{C('prose')}]//p")  # the latest report's narratives
    assert doc.xpath(f"//table[{C('findings')}]//a[starts-with(@href, '../../methodology/index.html#')]")


def test_report_page_table3_equals_the_database(site, published):
    """交口县 2024: every value of table 三, in the format's row order and column order."""
    doc = page(site, "region/141130/2024/index.html")
    (report,) = rows(published, "SELECT id, format FROM reports WHERE region_code = '141130'")
    cells = {
        (r["row_key"], r["column_key"]): r["value"]
        for r in rows(published, "SELECT * FROM cells WHERE report_id = ? AND table_name = 'table3'", (report["id"],))
    }
    spec = FORMATS[report["format"]]
    body = doc.xpath("//table[@id='table3']/tbody/tr")
    assert len(body) == len(spec.table3_rows)
    for tr, row in zip(body, spec.table3_rows):
        shown = [td.text or "" for td in tr.xpath("./td")]
        assert shown == [
            "" if cells[row.key, c.key] is None else str(cells[row.key, c.key]) for c in spec.table3_columns
        ]
        assert [td.get("data-cell") for td in tr.xpath("./td")] == [
            f"table3.{row.key}.{c.key}" for c in spec.table3_columns
        ]
    labels = [th.text for th in doc.xpath("//table[@id='table3']/tbody//th")]
    assert labels[:3] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "三、本年度办理结果"]


def test_official_layout_has_caption_scopes_and_merged_cells(site):
    doc = page(site, "region/141130/2024/index.html")
    for name in ("table2", "table3", "table4"):
        table = doc.get_element_by_id(name)
        assert table.find("caption").text
        assert all(th.get("scope") in ("col", "colgroup", "row", "rowgroup") for th in table.iter("th"))
        widths = row_widths(table)
        assert len(set(widths)) == 1, (name, widths)  # every row fills the grid, spans included
    table3 = doc.get_element_by_id("table3")
    assert table3.xpath(".//th[@rowspan='22']")[0].text == "三、本年度办理结果"
    assert table3.xpath(".//thead//th[@colspan='7']")[0].text == "申请人情况"


def row_widths(table) -> list[int]:
    """How many grid columns each row covers, counting the cells that span down into it."""
    covered: set[tuple[int, int]] = set()
    rows_ = list(table.iter("tr"))
    for r, tr in enumerate(rows_):
        column = 0
        for cell in (c for c in tr if c.tag in ("td", "th")):
            while (r, column) in covered:
                column += 1
            span_rows, span_columns = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            covered |= {(r + dr, column + dc) for dr in range(span_rows) for dc in range(span_columns)}
            column += span_columns
    return [sum(1 for (row, _) in covered if row == r) for r in range(len(rows_))]


def test_blank_cell_is_blank_and_marked(site):
    """003 (交口县) printed nothing for carried_forward × commercial: blank, never 0."""
    doc = page(site, "region/141130/2024/index.html")
    (td,) = doc.xpath("//td[@data-cell='table3.carried_forward.commercial']")
    assert (td.text or "") == ""
    assert "blank" in td.get("class").split() and "报告未填写" in td.get("title")
    assert "flagged" in td.get("class").split() and "CELL-MISSING" in td.get("title")
    county = page(site, "region/141130/index.html")
    assert county.xpath(f"//table[{C('series')}]//td[{C('blank')}]") == []  # the totals it lists were printed


def test_corrected_cell_shows_new_value_and_says_what_was_printed(site):
    doc = page(site, "region/140828/2024/index.html")
    (td,) = doc.xpath("//td[@data-cell='table2.normative_in_force']")
    assert td.text == "3" and "corrected" in td.get("class").split()
    assert "报告原为：空白" in td.get("title") and "原文第 2 页写明现行有效 3 件" in td.get("title")
    (row,) = doc.xpath(f"//table[{C('corrections')}]/tbody/tr")
    assert [c.text_content().strip() for c in row][:3] == ["行政规范性文件·现行有效件数", "空白", "3"]


def test_not_applicable_marker_is_shown_as_written(site):
    doc = page(site, "region/654023/2024/index.html")
    (td,) = doc.xpath("//td[@data-cell='table4.suit_after_review_pending']")
    assert td.text == "/" and "marker" in td.get("class").split() and "不适用" in td.get("title")
    county = page(site, "region/654023/index.html")
    suits = county.xpath(f"//table[{C('series')}]/tbody/tr[th='复议后起诉·总计']/td")
    assert [td.text for td in suits] == ["0", "0"]  # the total was printed; only the pending cell is "/"


def test_unreviewed_reports_carry_a_banner(site):
    assert "未经审核" in page(site, "region/141130/2024/index.html").xpath(f"//p[{C('banner')}]")[0].text_content()
    assert page(site, "region/410825/2024/index.html").xpath(f"//p[{C('banner')}]") == []  # 温县 was approved


def test_findings_link_to_their_rule_and_every_rule_has_an_anchor(site, published):
    methodology = page(site, "methodology/index.html")
    for rule in rows(published, "SELECT * FROM rules"):
        section = methodology.get_element_by_id(rule["id"])
        text = section.text_content()
        assert rule["title_zh"] in text and rule["title"] in text and rule["explanation"][:40] in text
        chinese = section.xpath("./p[@class='prose']")[0].text_content()  # Chinese first, English folded
        assert chinese == EXPLANATIONS_ZH[rule["id"]] and section.xpath("./details[@lang='en']")
    doc = page(site, "region/141130/2024/index.html")
    links = [a.get("href") for a in doc.xpath(f"//table[{C('findings')}]//a")]
    assert links == ["../../../methodology/index.html#CELL-MISSING"] * 2
    messages = [td.text_content() for td in doc.xpath(f"//table[{C('findings')}]//td[{C('prose')}]")]
    assert any("可由表内合计推出" in m for m in messages)
    assert not any("table3." in m for m in messages)  # cells named as the form names them, never keys


@pytest.mark.parametrize(
    ("province", "prefecture", "name", "shown"),
    [
        ("上海市", "", "上海市", ""),  # the municipality's own page: 上海市, not 上海市上海市
        ("上海市", "上海市", "浦东新区", "上海市"),
        ("山西省", "吕梁市", "交口县", "山西省吕梁市"),
    ],
)
def test_a_place_never_repeats_a_name(province, prefecture, name, shown):
    from nianbao.publish.static_site import environment

    template = environment().from_string('{% from "_macros.html" import place %}{{ place(p, q, n) }}')
    assert template.render(p=province, q=prefecture, n=name) == shown


def test_narratives_are_paragraphs_of_text(site, published):
    doc = page(site, "region/141130/2024/index.html")
    (text,) = rows(
        published,
        "SELECT n.text FROM narratives n JOIN reports r ON r.id = report_id "
        "WHERE r.region_code = '141130' AND section = 'problems'",
    )
    paragraphs = [p.text_content() for p in doc.xpath(f"//section[{C('narrative')}]")[1].xpath(f".//*[{C('prose')}]/p")]
    assert paragraphs == [p.strip() for p in text[0].split("\n\n") if p.strip()]


def downloaded(site: Path, table: str) -> list[dict]:
    """A table as the downloads hold it: the JSON of every prefecture, or the national file."""
    names = [f"{table}-{p}" for p in PREFECTURES] if table in BY_PROVINCE else [table]
    return [row for name in names for row in json.loads((site / f"downloads/{name}.json").read_text("utf-8"))]


def test_downloads_hold_every_table_and_the_database(site, published):
    for table in (*BY_PROVINCE, *NATIONAL):
        columns = [c[1] for c in rows(published, f"PRAGMA table_info({table})")]
        everything = [dict(zip(columns, r)) for r in rows(published, f"SELECT * FROM {table}")]
        key = lambda row: json.dumps(row, sort_keys=True)
        assert sorted(downloaded(site, table), key=key) == sorted(everything, key=key)
    for name in DOWNLOADS:
        data = json.loads((site / f"downloads/{name}.json").read_text(encoding="utf-8"))
        assert (site / f"downloads/{name}.csv").read_bytes().count(b"\r\n") >= len(data) + 1
    assert {r["region_code"][:4] for r in downloaded(site, "reports")} == set(PREFECTURES)
    assert all(
        r["region_code"].startswith("1408") for r in json.loads((site / "downloads/reports-1408.json").read_text())
    )
    assert (site / "downloads/nianbao.db").read_bytes() == published.read_bytes()
    blank = [
        c for c in downloaded(site, "cells") if c["row_key"] == "carried_forward" and c["column_key"] == "commercial"
    ]
    assert any(c["value"] is None for c in blank)  # null, not 0


def test_the_downloads_page_lists_the_files_of_each_prefecture(site):
    doc = page(site, "downloads/index.html")
    (table,) = doc.xpath(f"//table[{C('by-province')}]")
    header = [th.text_content() for th in table.xpath(".//thead//th")]
    assert header == [
        "地市",
        "报告数",
        "报告reports",
        "表二table2",
        "表三table3",
        "表四table4",
        "单元格cells",
        "检查发现findings",
        "正文narratives",
        "更正corrections",
    ]
    body = table.xpath(".//tbody/tr")
    assert [tr.xpath("./th")[0].text_content() for tr in body] == list(PREFECTURES.values())
    hebei = body[0].xpath("./td")
    assert hebei[0].text_content() == "1"
    links = hebei[5].xpath(".//a")  # cells
    assert [(a.text_content(), a.get("href")) for a in links] == [
        ("CSV", "../downloads/cells-1305.csv"),
        ("JSON", "../downloads/cells-1305.json"),
    ]
    size = (site / "downloads/cells-1305.csv").stat().st_size
    assert hebei[5].xpath(".//small")[0].get("title") == f"{size:,} 字节"
    assert hebei[5].xpath(".//small")[0].text_content().endswith(" KB")
    national = {
        tr.xpath("./th/code")[0].text_content(): tr for tr in doc.xpath(f"//table[not({C('by-province')})]//tbody/tr")
    }
    assert [a.get("href") for a in national["rules"].xpath(".//a")] == [
        "../downloads/rules.csv",
        "../downloads/rules.json",
    ]
    assert national["cells"].xpath("./td")[2].text_content() == "按地市，见下表"
    assert doc.xpath("//a[@href='../downloads/nianbao.db']")


def csv_module(rows: list[tuple], columns: list[str]) -> str:
    """What Python's csv module writes for these rows, formulas guarded: what the CSV must hold."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    guard = ("=", "+", "-", "@", "\t", "\r")
    writer.writerows(
        [f"'{v}" if isinstance(v, str) and len(v) > 1 and v.startswith(guard) else v for v in row] for row in rows
    )
    return "\ufeff" + out.getvalue()


def test_csv_guards_formulas_and_json_keeps_values_exact(tmp_path, published):
    from nianbao.publish.downloads import write_downloads

    db = tmp_path / "nianbao.db"
    db.write_bytes(published.read_bytes())
    conn = sqlite3.connect(db)
    tricky = ["=1+1", "+1", "-x", "@sum", "\tx", "\rx", "=", "-", "a=b", 0.30000000000000004, -3, 1e300, None, ""]
    tricky += ["a,b", 'say "hi"', "two\nlines", "=a,b", ' "', "line\r\nbreak", "中文，逗号", 2.5, 10**15]
    conn.executemany(
        "UPDATE cells SET value = ? WHERE rowid = (SELECT rowid FROM cells WHERE report_id = 1 LIMIT 1 OFFSET ?)",
        [(v, i) for i, v in enumerate(tricky)],
    )
    conn.commit()
    (code,) = conn.execute("SELECT region_code FROM reports WHERE id = 1").fetchone()
    write_downloads(db, conn, tmp_path / "site", provinces={code[:4]})  # report 1's prefecture
    ids = [i for (i,) in conn.execute("SELECT id FROM reports WHERE substr(region_code, 1, 4) = ?", [code[:4]])]
    order = "report_id, table_name, row_key, column_key"
    cells = conn.execute(
        f"SELECT * FROM cells WHERE report_id IN ({','.join(map(str, ids))}) ORDER BY {order}"
    ).fetchall()
    columns = [c[1] for c in conn.execute("PRAGMA table_info(cells)")]
    conn.close()
    written = (tmp_path / f"site/downloads/cells-{code[:4]}.csv").read_bytes().decode("utf-8")
    assert written == csv_module(cells, columns)
    assert "'=1+1" in written and '"\'=a,b"' in written and "0.30000000000000004" in written
    data = json.loads((tmp_path / f"site/downloads/cells-{code[:4]}.json").read_text("utf-8"))
    assert [tuple(d.values()) for d in data] == cells  # exact: 0.30000000000000004, 1e300, "=1+1"
    assert [list(d) for d in data[:1]] == [columns]


# --- Nothing from another host -------------------------------------------------------------------


def test_no_file_refers_to_another_host(site):
    """HTML, CSS, JS and SVG of ours carry no http(s) URL at all (an SVG's xmlns is a name, not a
    request). Pagefind's own bundle carries URLs in strings (translators' credits, a base for URL
    parsing) that are never fetched: its CSS is checked for url()/@import, its requests by the
    browser tests."""
    for path in sorted(site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js", ".svg") or "sources" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "pagefind" in path.relative_to(site).parts:
            if path.suffix == ".css":
                assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", text), path
            continue
        for namespace in SVG_NAMESPACES:
            text = text.replace(f'"{namespace}"', '""')
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE), path
    for path in site.rglob("*.svg"):
        svg = path.read_bytes()
        assert b"<script" not in svg and b"<!--" not in svg and b"href" not in svg, path


def test_the_only_scripts_are_the_search_page_ones(site):
    for path in html_files(site):
        doc = lxml_html.fromstring(path.read_bytes())
        scripts = [s.get("src") for s in doc.iter("script")]
        expected = ["../pagefind/pagefind-ui.js", "../static/search.js"] if path.parent.name == "search" else []
        assert scripts == expected, path
        assert all(not s.text for s in doc.iter("script"))  # nothing inline


def test_search_page_names_counties_one_character_at_a_time(site):
    doc = page(site, "region/410825/index.html")
    assert doc.find(".//main").get("data-pagefind-body") is not None
    (chars,) = doc.xpath(f"//*[{C('pagefind-chars')}]")
    assert chars.text_content() == "〔温 县〕 〔焦 作 市〕" and chars.get("aria-hidden") == "true"
    weights = [(span.text, span.get("data-pagefind-weight")) for span in chars]
    assert weights == [("〔温 县〕", "10"), ("〔焦 作 市〕", "0.5")]  # its own name the heaviest
    assert doc.find(".//h1").get("data-pagefind-weight") == "10"
    report = page(site, "region/410825/2024/index.html")  # found by its own words, and from its county
    assert report.xpath(f"//*[{C('pagefind-chars')}]") == [] and "温 县" not in report.text_content()
    assert doc.xpath("//*[@data-pagefind-filter='省份']")[0].text == "河南省"
    assert [e.get("data-pagefind-filter") for e in doc.xpath(f"//ul[{C('reports')}]/li")] == ["年度:2024"]
    shards = json.loads((site / "pagefind/shards.json").read_text(encoding="utf-8"))
    assert sum(shard["pages"] for shard in shards) == len([p for p in PAGES if p.startswith("region/")])


# --- Who publishes, and when the data changed ------------------------------------------------------

STAMP = re.compile(r"发布者：(.+) · 数据更新于 (\d{4}-\d\d-\d\d \d\d:\d\d)（北京时间）")
# When each report last changed (UTC), set in a copy of the published database: 霍城县 2023 last,
# then 交口县, so pages of different counties and years carry different times.
CHANGED = {
    ("654023", 2023): "2025-03-31T16:30:00.000000+00:00",  # 2025-04-01 00:30 in Beijing
    ("141130", 2024): "2025-03-02T01:05:59.999999+00:00",
}
OTHERS_CHANGED = "2025-01-10T02:00:00.000000+00:00"


@pytest.fixture(scope="module")
def stamped_site(published, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stamped")
    db = folder / "nianbao.db"
    db.write_bytes(published.read_bytes())
    conn = sqlite3.connect(db)
    conn.execute("UPDATE reports SET updated = ?", [OTHERS_CHANGED])
    for (code, year), at in CHANGED.items():
        conn.execute("UPDATE reports SET updated = ? WHERE region_code = ? AND year = ?", [at, code, year])
    conn.commit()
    conn.close()
    build_site(db, folder / "site", publisher="某市政务公开办公室")
    return folder / "site"


def stamp_of(site: Path, path: str) -> tuple[str, str]:
    (foot,) = page(site, path).xpath(f"//footer//p[{C('stamp')}]")
    found = STAMP.fullmatch(foot.text_content())
    assert found, foot.text_content()
    return found[1], found[2]


def test_every_page_says_who_publishes_and_when_its_data_changed(site):
    for path in html_files(site):
        assert stamp_of(site, str(path.relative_to(site)))[0] == "本站编者", path  # the default


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("index.html", "2025-03-02 09:05"),  # 2024: 交口县 the newest of its reports
        ("year/2023/index.html", "2025-04-01 00:30"),  # 2023: 霍城县's one report, in Beijing time
        ("region/654023/index.html", "2025-04-01 00:30"),  # a county: the newest of its reports
        ("region/654023/2024/index.html", "2025-04-01 00:30"),  # its report pages: as the county
        ("region/141130/index.html", "2025-03-02 09:05"),  # to the minute, never rounded up
        ("region/410825/index.html", "2025-01-10 10:00"),
        ("methodology/index.html", "2025-04-01 00:30"),  # site-wide pages: the newest of all
        ("search/index.html", "2025-04-01 00:30"),
        ("downloads/index.html", "2025-04-01 00:30"),
    ],
)
def test_the_time_is_when_the_data_of_the_page_last_changed(stamped_site, path, shown):
    assert stamp_of(stamped_site, path) == ("某市政务公开办公室", shown)


def test_the_stamp_stays_out_of_the_search_index(site):
    doc = page(site, "region/410825/index.html")
    (foot,) = doc.xpath(f"//p[{C('stamp')}]")
    assert foot.xpath("ancestor::*[@data-pagefind-body]") == []


# --- Untrusted text ------------------------------------------------------------------------------


def test_hostile_text_is_escaped_and_makes_no_element(hostile_site):
    report = "region/130529/2024/index.html"
    raw = (hostile_site / report).read_text(encoding="utf-8")
    assert "\u202e" not in raw and "\u200b" not in raw  # reordering and invisible characters removed
    doc = lxml_html.fromstring(raw.encode())
    assert list(doc.iter("script")) == []
    assert [img for img in doc.iter("img")] == []
    for element in doc.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on"), (element.tag, name)
            assert "javascript" not in value.lower() and "evil.example" not in value, (element.tag, name, value)
    text = doc.text_content()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert "[x](javascript:alert(1))" in text and "![img](http://evil.example/x.png)" in text
    assert "&lt;b&gt; &amp;" in text  # entities are shown as written, not decoded
    assert "# 标题" in text and "1. 列表" in text  # Markdown syntax in report text stays text
    assert LONG_LINE in text
    website = doc.xpath(f"//dl[{C('meta')}]/div[dt='网站']/dd")[0]
    assert website.text == "alert(1)" and len(website) == 0  # the scheme dropped, not a link
    assert all("sources" not in (a.get("href") or "") for a in doc.iter("a"))  # a bad source path is no link
    for path in html_files(hostile_site):
        page_text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in page_text and "\u202e" not in page_text, path


def test_markdown_of_report_text_never_makes_links_or_html():
    html = str(render_text("a [x](javascript:alert(1)) ![i](http://e.example/i.png) <b>b</b> <http://e.example>"))
    assert "<a" not in html and "<img" not in html and "<b>" not in html
    assert html == (
        "<p>a [x](javascript:alert(1)) ![i](http://e.example/i.png) &lt;b&gt;b&lt;/b&gt; &lt;http://e.example&gt;</p>\n"
    )
    assert str(render_text("一\n\n    二\n\n\n三")) == "<p>一</p>\n<p>二</p>\n<p>三</p>\n"
    assert str(render_text("")) == ""


def test_a_region_code_that_is_not_a_code_stays_out_of_urls(published, tmp_path):
    db = tmp_path / "nianbao.db"
    db.write_bytes(published.read_bytes())
    conn = sqlite3.connect(db)
    conn.execute("UPDATE reports SET region_code = '../../x' WHERE region_code = '130529'")
    (report_id,) = conn.execute("SELECT id FROM reports WHERE region_code = '../../x'").fetchone()
    conn.commit()
    conn.close()
    build_site(db, tmp_path / "site")
    assert (tmp_path / f"site/region/report-{report_id}/2024/index.html").is_file()
    assert not (tmp_path / "x").exists()
    shards = json.loads((tmp_path / "site/pagefind/shards.json").read_text(encoding="utf-8"))
    assert [(shard["key"], shard["province"], shard["names"]) for shard in shards][-1] == (
        "other/other",
        "other",
        ["河北省"],
    )  # off the map
    assert search_index.bundles_indexed(tmp_path / "site") == [
        "14/1405",
        "14/1411",
        "41/4108",
        "65/6540",
        "other/other",
    ]


def test_two_reports_of_one_county_and_year_both_get_pages(published, tmp_path):
    """The county's government and its office may both report: the second keeps its id in the URL."""
    db = tmp_path / "nianbao.db"
    db.write_bytes(published.read_bytes())
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE reports SET region_code = '141130', region = '交口县', province = '山西省', prefecture = '吕梁市' "
        "WHERE region_code = '140828'"
    )
    ids = [i for (i,) in conn.execute("SELECT id FROM reports WHERE region_code = '141130' ORDER BY id")]
    conn.commit()
    conn.close()
    build_site(db, tmp_path / "site")
    assert (tmp_path / "site/region/141130/2024/index.html").is_file()
    assert (tmp_path / f"site/region/141130/2024-{ids[1]}/index.html").is_file()
    county = page(tmp_path / "site", "region/141130/index.html")
    headers = [a.text for a in county.xpath(f"//table[{C('series')}]//thead//th/a")]
    assert headers == ["2024年（夏县人民政府办公室）", "2024年（交口县人民政府办公室）"]


def test_a_database_without_reports_gives_a_site_without_search(tmp_path):
    db = connect(tmp_path / "work.db")
    database.build(db, [], tmp_path / "nianbao.db")
    db.close()
    build_site(tmp_path / "nianbao.db", tmp_path / "site")
    assert "尚无报告" in (tmp_path / "site/index.html").read_text(encoding="utf-8")
    search = page(tmp_path / "site", "search/index.html")
    assert list(search.iter("script")) == [] and not (tmp_path / "site/pagefind").exists()
    (foot,) = search.xpath(f"//p[{C('stamp')}]")
    assert foot.text_content() == "发布者：本站编者 · 尚无已发布的数据"  # no time without data


# --- Determinism and hygiene ---------------------------------------------------------------------


def test_building_twice_gives_identical_files(published, site, tmp_path):
    """Pagefind's index included: its filter files, written in hash-map order, are stabilised."""
    build_site(published, tmp_path / "again")
    first, second = files_of(site), files_of(tmp_path / "again")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert len([name for name in first if re.fullmatch(r"pagefind/\d\d/\d{4}/filter/.*", name)]) == 3 * len(BUNDLES)


def test_pagefind_filters_are_sorted_and_named_by_content(site):
    bundle = site / "pagefind/65/6540"  # 霍城县: reports of 2023 and 2024
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = search_index._read(bundle / f"pagefind.{entry['languages']['zh-cn']['hash']}.pf_meta")
    filters = meta[search_index.META_FILTERS]
    assert [name for name, _ in filters] == sorted(["年度", "省份", "页面"])
    values = {}
    for name, file_hash in filters:
        filter_name, entries = search_index._read(bundle / f"filter/{file_hash}.pf_filter")
        assert filter_name == name
        values[name] = [value for value, _ in entries]
    assert values["年度"] == ["2023", "2024"]
    assert values["省份"] == ["新疆维吾尔自治区"]


# --- Search bundles, one per prefecture -----------------------------------------------------------


def test_each_prefecture_has_its_own_search_bundle_named_for_the_search_page(site):
    shards = json.loads((site / "pagefind/shards.json").read_text(encoding="utf-8"))
    assert [(shard["key"], shard["province"], shard["names"]) for shard in shards] == [
        (k, k[:2], [v]) for k, v in BUNDLES.items()
    ]
    pages = {shard["key"]: shard["pages"] for shard in shards}
    assert pages == {"13/1305": 2, "14/1405": 2, "14/1411": 2, "41/4108": 2, "65/6540": 3}  # county + report pages
    assert search_index.bundles_indexed(site) == list(BUNDLES)
    assert not (site / "pagefind/13/1305/pagefind-ui.js").exists()  # the search box is kept once


def stamps(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each file's inode, modification time and bytes: a rewrite with the same bytes shows too."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_reindexing_one_prefecture_leaves_the_other_bundles_alone(site, tmp_path):
    """夏县 and 交口县 are both in 山西省, in two bundles (14/1405: 晋城市 to 运城市; 14/1411:
    吕梁市): a change in 夏县 re-indexes its bundle alone."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    before = {bundle: stamps(copy / f"pagefind/{bundle}") for bundle in BUNDLES}
    previous = tmp_path / "previous-shards.json"  # as an incremental build shares the last one's files
    previous.hardlink_to(copy / "pagefind/shards.json")
    listed = previous.read_bytes()
    (copy / "region/140828/2024/index.html").unlink()  # one of 夏县's pages gone
    search_index.build_index(copy, ["14/1405"])
    assert previous.read_bytes() == listed  # the last build's listing is not rewritten in place
    for bundle in ("13/1305", "14/1411", "41/4108", "65/6540"):
        assert stamps(copy / f"pagefind/{bundle}") == before[bundle], bundle
    assert stamps(copy / "pagefind/14/1405") != before["14/1405"]
    shards = json.loads((copy / "pagefind/shards.json").read_text(encoding="utf-8"))
    assert {shard["key"]: shard["pages"] for shard in shards} == {
        "13/1305": 2,
        "14/1405": 1,  # 夏县's county page alone
        "14/1411": 2,
        "41/4108": 2,
        "65/6540": 3,
    }


def test_prefectures_are_packed_into_bundles_of_at_most_forty_counties():
    """By the national division list, so a county's bundle never moves with the data: in code order,
    a bundle takes the next prefecture while it stays within PACK_COUNTIES counties."""
    from nianbao.db.regions import COUNTY, search_divisions
    from nianbao.publish.untrusted import prefecture_key

    bundles: dict[str, list[str]] = {}
    for province in [f"{n}" for n in range(11, 66)]:
        counties = [d.code for d in search_divisions(province, limit=10**6) if d.level == COUNTY]
        for code in counties:
            bundles.setdefault(search_index.bundle_of(code), []).append(code)
    assert len(bundles) == 93  # 338 prefectures
    for name, codes in bundles.items():
        prefectures = sorted({prefecture_key(c) for c in codes})
        assert name.split("/")[1] == prefectures[0] and name.split("/")[0] == codes[0][:2]
        assert len(codes) <= search_index.PACK_COUNTIES or len(prefectures) == 1, name
    assert search_index.packs("14") == {
        **dict.fromkeys(("1401", "1402", "1403", "1404"), "1401"),
        **dict.fromkeys(("1405", "1406", "1407", "1408"), "1405"),
        **dict.fromkeys(("1409", "1410"), "1409"),
        "1411": "1411",
    }
    assert search_index.bundle_of("141130") == "14/1411" and search_index.bundle_of("report-3") == "other/other"


def test_a_prefecture_without_pages_loses_its_bundle(site, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    search_index.build_index(copy, ["..", "../region", "99", "14/../.."])  # no bundles of this site: nothing happens
    assert (copy / "region").is_dir() and search_index.bundles_indexed(copy) == list(BUNDLES)
    shutil.rmtree(copy / "region/654023")  # 霍城县, the only county of 新疆
    search_index.build_index(copy, ["65/6540"])
    assert not (copy / "pagefind/65").exists()  # nor its province's folder
    assert search_index.bundles_indexed(copy) == ["13/1305", "14/1405", "14/1411", "41/4108"]
    shards = json.loads((copy / "pagefind/shards.json").read_text(encoding="utf-8"))
    assert [shard["key"] for shard in shards] == ["13/1305", "14/1405", "14/1411", "41/4108"]
    shutil.rmtree(copy / "region/410825")  # and a full build drops a prefecture gone too
    search_index.build_index(copy)
    assert search_index.bundles_indexed(copy) == ["13/1305", "14/1405", "14/1411"]
    assert (copy / "pagefind/pagefind-ui.js").is_file() and not (copy / "pagefind/41").exists()


def test_publish_does_not_import_the_ui_toolkit():
    code = (
        "import sys, nianbao.publish.static_site; print(','.join(m for m in ('textual', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_downloads_split_as_prefecture_key_names_prefectures(tmp_path, published):
    from nianbao.publish.downloads import write_downloads
    from nianbao.publish.untrusted import prefecture_key

    db = tmp_path / "nianbao.db"
    db.write_bytes(published.read_bytes())
    conn = sqlite3.connect(db)
    ids = [i for (i,) in conn.execute("SELECT id FROM reports ORDER BY id")]
    tricky = ["130529", "１３０５２９", "13052", "1305291", "130529\n", "../x", None][: len(ids)]
    for report_id, code in zip(ids, tricky, strict=False):
        conn.execute("UPDATE reports SET region_code = ? WHERE id = ?", [code, report_id])
    conn.commit()
    datasets, _ = write_downloads(db, conn, tmp_path / "site")
    for report_id, code in zip(ids, tricky, strict=False):
        name = f"reports-{prefecture_key(code)}.json"
        held = json.loads((tmp_path / "site/downloads" / name).read_text("utf-8"))
        assert report_id in [r["id"] for r in held], (code, name)
    keys = [p.key for p in datasets[0].parts]
    assert keys == sorted({prefecture_key(c) for c in tricky}, key=lambda k: (k == "other", k))
    assert [p.name for p in datasets[0].parts][-1] == "未定位地区"
    assert os.stat(tmp_path / "site/downloads/nianbao.db").st_ino == os.stat(db).st_ino  # linked, not copied


def test_downloads_of_some_prefectures_leave_the_others_alone(tmp_path, published):
    from nianbao.publish.downloads import write_downloads

    db = tmp_path / "nianbao.db"
    db.write_bytes(published.read_bytes())
    conn = sqlite3.connect(db)
    write_downloads(db, conn, tmp_path / "site")
    folder = tmp_path / "site/downloads"
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    conn.execute("UPDATE reports SET organ = '改过的机关' WHERE region_code = '130529'")
    for table in ("findings", "corrections", "narratives", "cells", "table2", "table3", "table4"):
        conn.execute(f"DELETE FROM {table} WHERE report_id IN (SELECT id FROM reports WHERE region_code LIKE '41%')")
    conn.execute("DELETE FROM reports WHERE region_code LIKE '41%'")
    conn.commit()
    datasets, _ = write_downloads(db, conn, tmp_path / "site", provinces={"1305", "4108"})
    after = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert not [n for n in after if n.endswith(("-4108.csv", "-4108.json"))]  # 焦作 has no report left
    assert {n for n in after if after[n] != before.get(n)} == {
        *(f"{t}-1305.{s}" for t in BY_PROVINCE for s in ("csv", "json")),
        "nianbao.db",
    }
    assert "改过的机关" in (folder / "reports-1305.csv").read_text("utf-8-sig")
    names = ["河北省 邢台市", "山西省 运城市", "山西省 吕梁市", "新疆维吾尔自治区 伊犁哈萨克自治州"]
    assert [p.name for p in datasets[0].parts] == names
    (cells,) = [d for d in datasets if d.name == "cells"]
    keys = ("1305", "1408", "1411", "6540")
    assert cells.rows == sum(len(json.loads((folder / f"cells-{k}.json").read_text())) for k in keys)
