"""What a visitor reads is Chinese: the visible text of the methodology page, a county page, the
home page and the search page with a query, on a phone and a desktop, holds no English sentence
(no run of three English words). Proper names, file names, addresses, rule ids and keys may stand
in Chinese text."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import WAIT_MS, Watch

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PAGES = {
    "methodology": "methodology/index.html",
    "county": "region/410825/index.html",  # 温县
    "county-霍城县": "region/654023/index.html",
    "county-交口县": "region/141130/index.html",
    "county-夏县": "region/140828/index.html",
    "home": "index.html",
    "search": "search/index.html?q=霍城县",
}
# Names that stay as they are in Chinese text (a product, a format); a word in capitals (CSV,
# T3-BALANCE), with a digit, or an address or file name (www.xjhc.gov.cn, table3-13.csv) is a
# name or a key too.
NAMES = {"nianbao", "SQLite", "Pagefind", "Datasette", "JavaScript"}
ADDRESS = re.compile(r"(?:[a-z]+://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?|/\S+", re.ASCII)
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|[^A-Za-z\s,.;:!?()'’“”\"/&-]+")
RUN = 3


def english_runs(text: str) -> list[str]:
    """Runs of RUN or more English words (names, keys and addresses aside) in `text`."""
    runs, current = [], []
    for token in WORD.findall(ADDRESS.sub(" · ", text)):
        if re.fullmatch(r"[A-Za-z][A-Za-z'’-]*", token) and not _name(token):
            current.append(token)
            continue
        if len(current) >= RUN:
            runs.append(" ".join(current))
        current = []
    if len(current) >= RUN:
        runs.append(" ".join(current))
    return runs


def _name(word: str) -> bool:
    return word in NAMES or word.isupper() or any(c.isdigit() for c in word)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("空缺（row “行政处罚” has no values）", ["has no values"]),
        ("The narrative states 5, the table 4", ["The narrative states"]),
        ("本省份的表三 CSV、JSON，以及 SQLite 数据库", []),
        ("网址 http://www.xjhc.gov.cn/art/2024/1.html 与 table3-13.csv 下载", []),
        ("T3-BALANCE 与 CELL-MISSING 规则；年报 nianbao", []),
        ("搜索需要启用 JavaScript。", []),
    ],
)
def test_english_runs_are_found_and_names_are_not(text, found):
    assert english_runs(text) == found


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_no_english_sentence_on_the_page(page: Page, watch: Watch, served, name, size):
    page.set_viewport_size(SIZES[size])
    page.goto(served + PAGES[name])
    if name == "search":
        expect(page.locator(".pagefind-ui__result-link").first).to_be_visible(timeout=WAIT_MS)
        expect(page.locator(".pagefind-ui__message")).to_contain_text("霍城县")
    text = page.locator("body").inner_text()  # what is shown: not the collapsed English of the rules
    assert re.search(r"[\u4e00-\u9fff]{20}", text)
    assert english_runs(text) == []
    watch.assert_clean()
