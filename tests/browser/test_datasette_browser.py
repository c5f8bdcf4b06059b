"""Datasette in a real browser (system Chromium, headless), served by `datasette serve` on
127.0.0.1 from a published folder: Chinese text columns stay readable (never one character a
line), through the stylesheet the metadata names and Datasette serves itself."""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from nianbao.publish.datasette import DATABASE_FILE, write_metadata
from nianbao.publish.metadata import DATASETTE_CSS_URL
from nianbao.publish.stamp import Stamp
from tests.browser.helpers import Watch
from tests.published import published_samples, serving

DESKTOP = {"width": 1280, "height": 900}
CJK = re.compile(r"[\u4e00-\u9fff]")
PER_LINE = 8  # characters a line, at least, in a cell of Chinese text
# Wide tables with Chinese text columns: reports (organ, title, 19 columns), findings (message_zh), labels.
TABLES = ("reports", "findings", "labels", "corrections")

# Each cell of the page's table: its column, its text, and on how many lines it is drawn (the
# boxes of its text, those less than half a line below the last one counted on its line: a
# smaller <em> beside a link sits a few pixels lower on the same line).
CELLS_JS = """cells => cells.map(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const half = parseFloat(getComputedStyle(td).fontSize) / 2;
    const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
    let lines = 0, last = -Infinity;
    for (const top of tops) {
        if (top > last + half) { lines += 1; last = top; }
    }
    return [td.className, td.textContent.trim(), lines];
})"""


@pytest.fixture(scope="module")
def datasette_url(tmp_path_factory) -> Iterator[str]:
    """The samples' published Datasette folder (database, metadata, stylesheet), really served."""
    folder = tmp_path_factory.mktemp("datasette")
    shutil.copyfile(published_samples(folder / "work"), folder / DATABASE_FILE)
    write_metadata(folder, Stamp("本站编者", "2025-03-01T06:05:00+00:00"))
    with serving(folder, folder.parent / "datasette.log") as base:
        yield base


def squeezed(page: Page) -> list[tuple[str, str, int]]:
    """Cells of Chinese text drawn with fewer than PER_LINE characters a line."""
    cells = page.locator("table.rows-and-columns tbody td").evaluate_all(CELLS_JS)
    assert cells, page.url
    chinese = [(column, text, lines) for column, text, lines in cells if len(CJK.findall(text)) >= PER_LINE]
    assert chinese, f"{page.url}: no cell of Chinese text to measure"
    return [(c, t, lines) for c, t, lines in chinese if lines > math.ceil(len(t) / PER_LINE)]


@pytest.mark.parametrize("table", TABLES)
def test_chinese_columns_keep_eight_characters_a_line(page: Page, watch: Watch, datasette_url, table):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{datasette_url}/nianbao/{table}")
    expect(page.locator("table.rows-and-columns")).to_be_visible()
    assert squeezed(page) == []
    assert f"{datasette_url}{DATASETTE_CSS_URL}" in watch.requests  # from Datasette itself
    watch.assert_clean()


def test_without_the_stylesheet_a_title_is_squeezed(page: Page, datasette_url):
    """What the stylesheet prevents, so the measure above can fail: 19 columns squeeze the
    reports' titles to a character or two a line."""
    page.set_viewport_size(DESKTOP)
    page.route(f"{datasette_url}{DATASETTE_CSS_URL}", lambda route: route.abort())
    page.goto(f"{datasette_url}/nianbao/reports")
    expect(page.locator("table.rows-and-columns")).to_be_visible()
    assert any("col-title" in column for column, _, _ in squeezed(page))


def test_the_footer_says_who_publishes_and_when(page: Page, datasette_url):
    page.goto(f"{datasette_url}/")
    expect(page.locator("footer")).to_contain_text("发布者：本站编者 · 数据更新于 2025-03-01 14:05（北京时间）")
