"""Hostile report text, for the tests that follow it from a file to the site, Datasette, the app
and the CLI: sample 001 with its organ and two narratives rewritten."""

from __future__ import annotations

from pathlib import Path

from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect
from tests.helpers import sample_path

CODE = "130529"  # 巨鹿县, the county of sample 001

# Report text that must stay text everywhere: on the site, in Datasette, in the app. A script that
# runs sets window.__pwned; Rich/Textual markup that is read as markup styles, links, or crashes
# ("[/x]" closes nothing: MarkupError); escape sequences are terminal commands.
HOSTILE_ORGAN = "巨鹿县[/x]<script>window.__pwned=1</script>"  # an organ line holds 40 characters
HOSTILE_LINES = (
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"><b>粗体</b>',
    "[点我](javascript:window.__pwned=1) ![图](http://evil.example/x.png) <http://evil.example/auto>",
    '<a href="javascript:window.__pwned=1">链接</a> javascript:window.__pwned=1',
    "&lt;b&gt;实体&lt;/b&gt; &amp;amp; &#x3C;script&#x3E; &#106;avascript:",
    "\u202e文字反向\u202c 零\u200b宽\u200d字\u2066符\u2069",
    "[bold]粗[/bold] [link=https://evil.example]链接[/link] [@click=app.quit]退出[/] [/x]",
    "终端\x1b]0;pwned\x07\x1b[2J命令",  # terminal commands: set the title, clear the screen
)
HOSTILE_LONG = "长" * 5_000 + "x" * 5_000  # one 10,000-character line, half of it unbreakable


def hostile_report(folder: Path) -> Path:
    """Sample 001 (巨鹿县) with HOSTILE_ORGAN as its organ line and the hostile lines at the start
    of its overview (一) and problems (五) sections."""
    lines = sample_path("001").read_text("utf-8").split("\n")
    lines[0] = HOSTILE_ORGAN
    for heading in ("五、存在的主要问题及改进情况", "一、总体情况"):
        at = lines.index(heading) + 1
        lines[at:at] = [*HOSTILE_LINES, HOSTILE_LONG]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hostile.txt"
    path.write_text("\n".join(lines), "utf-8")
    return path


def imported_hostile(folder: Path) -> tuple[Path, int]:
    """A work database holding the hostile report (and sample 002 beside it)."""
    db = connect(folder / "work.db")
    results = list(import_paths(db, [hostile_report(folder / "inbox"), sample_path("002")]))
    assert [r.status for r in results] == ["imported", "imported"], [r.message for r in results]
    db.close()
    return folder / "work.db", results[0].report_id
