"""Every screen of the app at 80×24 and at 160×48, compared with the approved SVG snapshots in
__snapshots__/ (pytest-textual-snapshot). After a deliberate change of the look:

    python -m pytest tests/test_app_snapshots.py --snapshot-update

then look at the new SVGs (snapshot_report.html) before committing them. The SVG squeezes CJK
glyphs; alignment is judged in a real terminal (tmux), the snapshot catches what changed.
"""

from __future__ import annotations

import asyncio
import shutil
import time

import pytest
from textual.widgets import DirectoryTree, Input
from textual.widgets._footer import FooterKey

from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect
from nianbao.tui.app import NianbaoApp
from tests.helpers import SAMPLE_NAMES, sample_path

SIZES = {"80x24": (80, 24), "160x48": (160, 48)}
FIXED_TIME = "2026-03-01T09:30:00+08:00"


# The import screen's file tree shows the folder's name: the same name in every test's own folder.
WORKSPACE = "nianbao-snapshots"


@pytest.fixture
def workspace(monkeypatch, tmp_path):
    """The five samples imported, times fixed and shown in China's time zone whatever the machine's,
    the app started in the folder (paths relative)."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    workspace = tmp_path / WORKSPACE
    reports = workspace / "reports"
    reports.mkdir(parents=True)
    for name in SAMPLE_NAMES:
        shutil.copy(sample_path(name), reports)
    monkeypatch.chdir(workspace)
    with connect("nianbao.db") as db:
        list(import_paths(db, sorted(reports.iterdir())))
        db.execute("UPDATE imports SET at = ?", [FIXED_TIME])
        db.conn.commit()
    return workspace


def still(app) -> bool:
    """Workers done (the file tree's loader runs for as long as the tree lives) and every file tree
    showing its folder (it loads in a worker of its own, which may not have started yet)."""
    workers_done = all(w.group == "_loader" or w.is_finished for w in app.workers)
    return workers_done and all(tree.root.children for tree in app.screen.query(DirectoryTree))


async def settle(pilot) -> None:
    """Wait until the screen is still: workers done (the file tree loads in one), no blinking cursor."""
    await pilot.pause()
    deadline = time.monotonic() + 600  # only keeps a hung worker from hanging the suite
    while not still(pilot.app):
        assert time.monotonic() < deadline, "the screen never settled"
        await pilot.pause(0.05)
    await pilot.pause(0.2)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def keys_then(*keys: str, report: int | None = None):
    """A run_before that optionally opens a report, then presses `keys`."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        if report is not None:
            pilot.app.open_report(report)
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


SCENES = {
    "home": keys_then(),
    "import": keys_then("i"),
    "report": keys_then(report=1),  # 000: opens on the blank cell CELL-MISSING flags
    "report-table3": keys_then("2", report=4),  # 003: suggestions shown beside blank cells
    "report-checks": keys_then("5", report=4),
    "correct": keys_then("e", report=1),
    "identity": keys_then("i", report=1),
    "identity-search": keys_then("i", "tab", "tab", "tab", *"吕梁", report=1),  # the best match highlighted
    "publish": keys_then("p"),
    "help": keys_then("f1"),
}


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
@pytest.mark.parametrize("scene", SCENES, ids=list(SCENES))
def test_screen(workspace, snap_compare, scene, size):
    assert snap_compare(NianbaoApp("nianbao.db"), terminal_size=SIZES[size], run_before=SCENES[scene])


@pytest.mark.parametrize("scene", SCENES, ids=list(SCENES))
def test_every_footer_key_fits_80_columns(workspace, scene):
    """At 80×24 no key of the footer is cut off (the command palette's hint may yield its place)."""

    async def go():
        app = NianbaoApp("nianbao.db")
        async with app.run_test(size=SIZES["80x24"]) as pilot:
            await SCENES[scene](pilot)
            shown = next(s for s in reversed(app.screen_stack) if s.query(FooterKey))  # a dialog has none
            return [(str(k.render()).strip(), k.region.right) for k in shown.query(FooterKey) if k.display]

    keys = asyncio.run(go())
    assert keys, "the footer shows the keys"
    assert [label for label, right in keys if right > 80] == []


@pytest.fixture(autouse=True)
def _restore_time_zone():
    yield
    time.tzset()  # monkeypatch has put TZ back by now
