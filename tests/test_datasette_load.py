"""What the server does for its speed under load (issue 18) changes no byte a visitor gets: a canned
query's rows rendered in Python (publish/datasette_render.py) and the first pages kept from the
first request on (publish/datasette_cache.py)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.utils import to_css_class
from jinja2 import DictLoader, Environment
from markupsafe import Markup

from nianbao.publish import datasette_cache, datasette_render
from nianbao.publish.datasette import DATABASE_FILE, METADATA_FILE
from nianbao.publish.datasette_render import ROWS_LOOP, RowsLoader, rows_html
from nianbao.publish.metadata import DATABASE
from tests.helpers import SAMPLE_NAMES, sample_path
from tests.test_datasette import publish_dir

TIMING = re.compile(rb"Queries took [0-9.]+ms")  # the one part of a page that changes each time


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    files = {sample_path(n).name: sample_path(n).read_bytes() for n in SAMPLE_NAMES}
    return publish_dir(tmp_path_factory.mktemp("published"), files)


@contextmanager
def registered(plugin: ModuleType) -> Iterator[None]:
    """`plugin` registered with Datasette for the block (the plugin manager is the process's)."""
    pm.register(plugin)
    try:
        yield
    finally:
        pm.unregister(plugin)


def datasette(directory: Path) -> Datasette:
    metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    return Datasette(immutables=[str(directory / DATABASE_FILE)], metadata=metadata)


def test_rows_render_as_the_template_loop_renders_them():
    env = Environment(loader=DictLoader({"rows": ROWS_LOOP}), autoescape=True)
    env.filters["to_css_class"] = to_css_class
    env.globals["zip"] = zip
    columns = ["id", "名称", "a b", "_x", "<c>"]
    rows = [
        [1, "温县", Markup("&nbsp;"), 2.5, "<script>&'\""],
        [None, "", Markup('<a href="http://x">x</a>'), -0, "a\nb"],
        [3, "short"],  # zip stops at the shorter, as the loop does
    ]
    expected = env.get_template("rows").render(columns=columns, display_rows=rows)
    assert rows_html(columns, rows) == expected
    assert rows_html(columns, []) == ""


QUERIES = {
    "county_history": [{"region_code": "141130"}, {"region_code": ""}],
    "applications_by_county": [{"year": "", "province": ""}, {"year": "2023", "province": "山西省"}],
    "reports_failing_rule": [{"rule": "", "year": ""}, {"rule": "T3-TOTAL", "year": "2024"}],
    "year_carry_breaks": [{"year": ""}],
    "totals_by_province": [{"year": ""}, {"year": "2024"}],
    "search_narratives": [{"q": q} for q in ("依申请公开", "公开", "<b>&'\"", "")],
}


def test_query_pages_are_the_same_bytes_as_datasettes_own(site):
    """Every canned query (with its defaults and with values) and some arbitrary SQL: the page
    with the rows rendered in Python is the page Datasette's own query.html renders."""
    paths = [f"/{DATABASE}/{name}?{urlencode(p)}" for name, choices in QUERIES.items() for p in choices]
    paths += [f"/{DATABASE}/{name}" for name in QUERIES]
    for sql in ("select * from reports", "select null a, '' b, x'00ff' c, 'https://x.cn/<a>' d, 1.5 e"):
        paths.append(f"/{DATABASE}?{urlencode({'sql': sql})}")

    async def pages(ds: Datasette) -> dict[str, bytes]:
        answers = {path: await ds.client.get(path) for path in paths}
        assert {a.status_code for a in answers.values()} == {200}
        return {path: TIMING.sub(b"", a.content) for path, a in answers.items()}

    async def both() -> tuple[dict, dict]:
        ds = datasette(site)
        fast = await pages(ds)
        assert isinstance(ds.jinja_env.loader, RowsLoader)
        assert "nianbao_rows(" in ds.jinja_env.loader.get_source(ds.jinja_env, "query.html")[0]
        ds.jinja_env.loader = ds.jinja_env.loader.loader  # Datasette's own loader and template
        ds.jinja_env.cache.clear()
        return fast, await pages(ds)

    with registered(datasette_render):
        fast, own = asyncio.run(both())
    assert sum(page.count(b"<tr>") for page in fast.values()) > 50
    assert fast == own


@pytest.mark.parametrize("served_at", [None, b"localhost"], ids=["first request", "server start"])
def test_the_first_pages_are_kept_from_the_first_request_on(site, served_at, monkeypatch):
    """The first request renders the first pages in the background, for its host: each is then
    answered from memory, the same bytes as a render. Where the server answers is known (its
    command line): from its start, before any request. (A server's lifespan call, open as long
    as the server runs, is no visitor the warm-up waits for.)"""
    monkeypatch.setattr(datasette_cache, "served_at", served_at)

    async def started() -> dict:
        if not hasattr(started, "sent"):
            started.sent = True  # type: ignore[attr-defined]
            return {"type": "lifespan.startup"}
        await asyncio.Event().wait()  # no shutdown while the test runs
        return {}

    async def _ignored(message: dict) -> None:
        return None

    async def warmed() -> tuple[list[str], dict[str, str], dict[str, bytes]]:
        ds = datasette(site)
        lifespan = asyncio.create_task(ds.client.app({"type": "lifespan"}, started, _ignored))  # as uvicorn does
        await asyncio.sleep(0)  # the lifespan call begins
        if served_at is None:
            assert (await ds.client.get("/-/versions.json")).headers["x-nianbao-cache"] == "miss"
        for _ in range(600):  # the warming task ends (a generous bound, not a timing)
            if len(asyncio.all_tasks()) == 2:  # this one and the lifespan
                break
            await asyncio.sleep(0.1)
        first = await datasette_cache.first_pages(ds)
        answers = {path: await ds.client.get(path) for path in first}
        lifespan.cancel()
        return (
            first,
            {p: a.headers["x-nianbao-cache"] for p, a in answers.items()},
            {p: TIMING.sub(b"", a.content) for p, a in answers.items()},
        )

    with registered(datasette_cache):
        first, cache, kept = asyncio.run(warmed())
    assert first[:2] == ["/", f"/{DATABASE}"]
    assert {f"/{DATABASE}/reports", f"/{DATABASE}/cells", f"/{DATABASE}/applications_by_county"} <= set(first)
    assert set(cache.values()) == {"hit"}

    async def rendered() -> dict[str, bytes]:
        ds = datasette(site)
        return {p: TIMING.sub(b"", (await ds.client.get(p)).content) for p in first}

    assert asyncio.run(rendered()) == kept


@pytest.mark.parametrize(
    ("argv", "served"),
    [
        (["serve", "-i", "nianbao.db", "--host", "127.0.0.1", "--port", "8123"], b"127.0.0.1:8123"),
        (["serve", "nianbao.db"], b"127.0.0.1:8001"),  # Datasette's defaults
        (["serve", "--port=9000", "--host=localhost"], b"localhost:9000"),
        (["serve", "--host", "::1", "--port", "8001"], b"[::1]:8001"),
        (["serve", "--host", "0.0.0.0", "--port", "8001"], None),  # visitors' name for it: unknown
    ],
)
def test_where_the_server_answers(argv, served, monkeypatch):
    monkeypatch.setattr(datasette_cache, "served_at", b"before")
    datasette_cache.serve_at(argv)
    assert datasette_cache.served_at == served
