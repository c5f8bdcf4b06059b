"""Hostile report text in a real browser, end to end: the file of tests/hostile_text.py (script tags,
javascript: links, Markdown links and images, entities, bidirectional and zero-width characters, a
10,000-character line) imported and published, then its county and report pages opened in headless
Chromium, on the static site and in Datasette. No script of the text runs (it would set
window.__pwned or open a dialog), no javascript: link is clickable, and the long line does not
widen the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from nianbao.db.schema import connect
from nianbao.publish.metadata import DATABASE
from nianbao.publish.run import publish
from tests.browser.helpers import Watch, serving
from tests.hostile_text import CODE, HOSTILE_ORGAN, imported_hostile
from tests.published import serving as datasette_serving

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    work, _ = imported_hostile(folder)
    db = connect(work)
    done = publish(db, folder / "out", include_unapproved=True)
    db.close()
    return done.out


@pytest.fixture(scope="module")
def site(out) -> Iterator[str]:
    with serving(out) as base:  # out/site is the publish's link to its build
        yield base


@pytest.fixture(scope="module")
def datasette(out, tmp_path_factory) -> Iterator[str]:
    with datasette_serving(out / "datasette", tmp_path_factory.mktemp("ds") / "datasette.log") as base:
        yield base


def assert_nothing_ran(page: Page, watch: Watch) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert watch.dialogs == []
    assert page.locator("a[href^='javascript' i], [src^='javascript' i], a[href*='evil.example']").count() == 0
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.protocol)")
    assert set(hrefs) <= {"http:", "https:"}  # resolved: every link leads to a page, never to code


def assert_no_sideways_scroll(page: Page) -> None:
    sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"{page.url} is {sizes[0]}px wide in a {sizes[1]}px window"


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_site_county_and_report_pages_run_nothing_and_keep_their_width(page: Page, watch: Watch, site, size):
    page.set_viewport_size(size)
    for path in (f"region/{CODE}/2024/index.html", f"region/{CODE}/index.html", "index.html"):
        page.goto(site + path)
        page.wait_for_load_state("load")
        assert_nothing_ran(page, watch)
        assert_no_sideways_scroll(page)
    page.goto(site + f"region/{CODE}/2024/index.html")
    expect(page.locator("h1")).to_contain_text(HOSTILE_ORGAN)
    prose = page.locator("section.narrative .prose").first
    expect(prose).to_contain_text("<script>window.__pwned=1</script>")
    expect(prose).to_contain_text("[点我](javascript:window.__pwned=1)")
    assert page.locator("main img").count() == 0
    watch.assert_clean()


@pytest.mark.parametrize("table", ["reports", "narratives"])
def test_datasette_pages_run_nothing(page: Page, watch: Watch, datasette, table):
    page.goto(f"{datasette}/{DATABASE}/{table}?" + urlencode({"_size": "max"}))
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert watch.dialogs == [] and watch.outside() == []
    assert page.locator("a[href^='javascript' i], img[src='x']").count() == 0
    expect(page.locator("table.rows-and-columns")).to_contain_text("<script>window.__pwned=1</script>")
