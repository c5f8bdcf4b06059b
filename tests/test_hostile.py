"""Hostile report text end to end: a file whose organ and narratives carry script tags,
javascript: links, Markdown links and images, HTML entities, bidirectional and zero-width
characters, Rich markup and a 10,000-character line is imported and published. The site shows it
as text, Datasette returns and shows it as text, the app shows it literally without acting on it.
(tests/test_site.py puts such text straight into a published database; the browser runs it in
tests/browser/test_hostile_browser.py.)"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette
from lxml import html as lxml_html

from nianbao.db import review
from nianbao.db.schema import connect
from nianbao.publish.datasette import DATABASE_FILE, METADATA_FILE
from nianbao.publish.metadata import DATABASE
from nianbao.publish.run import publish
from nianbao.tui.app import NianbaoApp
from nianbao.tui.screens.report import ReportScreen
from tests.helpers import NoticeRecorder
from tests.hostile_text import CODE, HOSTILE_LINES, HOSTILE_LONG, HOSTILE_ORGAN, hostile_report, imported_hostile

INVISIBLE = ("\u202e", "\u202c", "\u200b", "\u200d", "\u2066", "\u2069", "\x1b", "\x07")
MARKUP_ORGAN = "巨鹿县[bold]粗[/bold][link=https://evil.example]链[/link][@click=app.quit]退出[/][/x]\x1b[2J"
SHOWN_ORGAN = MARKUP_ORGAN.removesuffix("\x1b[2J") + "[2J"  # the escape character dropped


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The hostile report imported and published (with `nianbao publish`'s code): out/."""
    folder = tmp_path_factory.mktemp("hostile")
    work, _ = imported_hostile(folder)
    db = connect(work)
    out = publish(db, folder / "out", include_unapproved=True).out
    db.close()
    return out


def test_the_file_keeps_its_hostile_text_through_parsing(tmp_path):
    work, report_id = imported_hostile(tmp_path)
    db = connect(work)
    report = review.load_report(db, report_id)
    assert report.organ == HOSTILE_ORGAN
    for section in ("overview", "problems"):
        text = report.sections[section]
        assert all(line.strip() in text for line in HOSTILE_LINES) and HOSTILE_LONG in text
    db.close()


# --- The site -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"region/{CODE}/2024/index.html", f"region/{CODE}/index.html", "index.html"])
def test_site_pages_show_the_text_and_carry_no_active_content(published, path):
    raw = (published / "site" / path).read_text(encoding="utf-8")
    page = lxml_html.fromstring(raw)
    assert page.xpath("//script | //iframe | //object | //embed") == []
    assert [a for e in page.iter() for a in e.attrib if a.lower().startswith("on")] == []
    urls = [v for e in page.iter() for k, v in e.attrib.items() if k in ("href", "src", "action", "srcset")]
    outside = [u for u in urls if (":" in u.split("/")[0] or u.startswith("//")) and u != "data:,"]  # data:, no icon
    assert urls and outside == []
    assert "evil.example" not in " ".join(urls)
    assert not any(ch in raw for ch in INVISIBLE)
    text = page.text_content()
    if path.startswith("region/"):
        assert "<script>window.__pwned=1</script>" in text  # the organ, shown as text
    if "/2024/" in path:
        assert "[点我](javascript:window.__pwned=1)" in text and "![图](http://evil.example/x.png)" in text
        assert "&lt;b&gt;实体&lt;/b&gt;" in text  # entities as the report printed them
        assert "文字反向 零宽字符" in text and HOSTILE_LONG in text
        assert page.xpath("//main//img") == []


# --- Datasette ----------------------------------------------------------------------------------------


def datasette_get(published: Path, path: str):
    directory = published / "datasette"
    metadata = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))

    async def fetch():
        return await Datasette(immutables=[str(directory / DATABASE_FILE)], metadata=metadata).client.get(path)

    return asyncio.run(fetch())


def test_datasette_json_gives_the_text_as_plain_strings(published):
    conn = sqlite3.connect(published / "datasette" / DATABASE_FILE)
    (report_id,) = conn.execute("SELECT id FROM reports WHERE region_code = ?", [CODE]).fetchone()
    stored = dict(conn.execute("SELECT section, text FROM narratives WHERE report_id = ?", [report_id]).fetchall())
    conn.close()
    rows = datasette_get(published, f"/{DATABASE}/reports.json?_shape=array&id={report_id}").json()
    assert rows[0]["organ"] == HOSTILE_ORGAN
    q = urlencode({"report_id": report_id, "_shape": "array", "_size": "max"})
    served = {r["section"]: r["text"] for r in datasette_get(published, f"/{DATABASE}/narratives.json?{q}").json()}
    assert served == stored and HOSTILE_LONG in served["overview"]


@pytest.mark.parametrize("table", ["reports", "narratives"])
def test_datasette_pages_escape_the_text(published, table):
    response = datasette_get(published, f"/{DATABASE}/{table}?_size=max")
    assert response.status_code == 200
    page = response.text
    assert "<script>window.__pwned" not in page and "onerror=" not in page.replace("onerror=&#34;", "")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert 'href="javascript' not in page.lower() and 'src="x"' not in page


# --- The app ------------------------------------------------------------------------------------------


class RecordingApp(NoticeRecorder, NianbaoApp):
    """The app, keeping the notifications it shows (app.shown)."""


def test_app_shows_hostile_text_literally_and_acts_on_none_of_it(tmp_path):
    """Organs (as parsed, and as corrected by an operator) and narratives with Rich markup in the
    queue, the report screen, the audit trail and a refusal: all shown literally; "[/x]" does not
    crash the app, "[@click=app.quit]" does not quit it; no escape sequence reaches the terminal."""
    work, report_id = imported_hostile(tmp_path)
    db = connect(work)
    review.correct(db, report_id, "organ", MARKUP_ORGAN, "[bold]理由[/bold] [/x]", who="[red]who[/red]")
    db.close()
    app = RecordingApp(str(work))

    async def steps() -> dict:
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            queue = app.screen.query_one("#queue")
            organs = [queue.get_row_at(i)[6].plain for i in range(queue.row_count)]
            queue.move_cursor(row=organs.index(SHOWN_ORGAN))
            await pilot.press("enter")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReportScreen)
            identity = screen.query_one("#identity").content.plain
            narratives = screen.query_one("#narratives").content.plain
            trail = screen.query_one("#audit")
            reasons = [trail.get_row_at(i)[6].plain for i in range(trail.row_count)]
            await pilot.press("3")  # table 三: a cell, then a correction the review refuses
            await pilot.pause()
            await pilot.press("e")
            await pilot.pause()
            await pilot.press(*"[/x]", "tab", *"[b]why", "enter")
            await pilot.pause()
            return {"organs": organs, "identity": identity, "narratives": narratives, "reasons": reasons}

    seen = asyncio.run(steps())
    assert SHOWN_ORGAN in seen["organs"]
    assert seen["identity"].startswith(SHOWN_ORGAN)
    assert "[bold]粗[/bold] [link=https://evil.example]链接[/link] [@click=app.quit]退出[/] [/x]" in seen["narratives"]
    assert "<script>window.__pwned=1</script>" in seen["narratives"] and "终端]0;pwned[2J命令" in seen["narratives"]
    assert not any(ch in seen["narratives"] + seen["identity"] for ch in INVISIBLE)
    assert "[bold]理由[/bold] [/x]" in seen["reasons"]
    assert ("error", "“[/x]”不是数字、不适用标记（/ — 无）或空白") in app.shown


def test_import_screen_shows_hostile_file_names_and_messages_literally(tmp_path):
    """File names are text from outside too: markup in one is shown as written in the results;
    a typed path with "[/x]" in it gets its "no such file" notice without crashing the screen."""
    from tests.app_pilot import Host, start_import, wait_done

    class RecordingHost(NoticeRecorder, Host):
        pass

    inbox = tmp_path / "inbox"
    good = hostile_report(inbox).rename(inbox / "[bold]年报[red].txt")
    bad = inbox / "[@click=app.quit]坏[link=evil.example].txt"
    bad.write_bytes(b"")  # an empty file: failed, its name in the message
    app = RecordingHost(str(tmp_path / "work.db"), str(inbox))

    async def steps() -> list[list[str]]:
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            await start_import(pilot, inbox / "[/x]", typed=False)
            await start_import(pilot, inbox, typed=False)
            await wait_done(pilot)
            table = app.screen.query_one("#results")
            return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]

    shown = asyncio.run(steps())
    assert {row[1] for row in shown} == {good.name, bad.name}
    assert HOSTILE_ORGAN in {cell for row in shown for cell in row}
    assert next(row for row in shown if row[1] == bad.name)[2].startswith("文件是空的")
    assert ("error", f"没有这个文件或文件夹：{inbox / '[/x]'}") in app.shown


# --- The command line -----------------------------------------------------------------------------------


def test_cli_prints_no_terminal_commands_from_report_text(tmp_path):
    """An organ with escape sequences (set the terminal's title, clear the screen), imported,
    corrected, listed and shown: the operator's terminal receives none of them."""
    from click.testing import CliRunner

    from nianbao.tui.cli import cli

    path = hostile_report(tmp_path / "inbox")
    lines = path.read_text("utf-8").split("\n")
    lines[0] = "巨鹿县\x1b]0;pwned\x07\x1b[2J人民政府办公室"
    path.write_text("\n".join(lines), "utf-8")
    db = str(tmp_path / "work.db")
    runner = CliRunner()
    outputs = [runner.invoke(cli, ["--db", db, "import", str(path)], catch_exceptions=False).output]
    correct = ["correct", "1", "organ", MARKUP_ORGAN, "--reason", "原文\x1b[2J"]
    for args in (correct, ["list"], ["show", "1"], ["check", "1"]):
        outputs.append(runner.invoke(cli, ["--db", db, *args], catch_exceptions=False).output)
    assert "巨鹿县]0;pwned[2J人民政府办公室" in outputs[0]
    assert SHOWN_ORGAN in outputs[3]
    for output in outputs:
        assert not any(ch in output for ch in INVISIBLE), output
