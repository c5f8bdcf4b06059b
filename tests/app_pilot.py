"""Driving the import screen with Pilot: a host app that shows it, a path typed or set, and the
wait for the import to end (shared by the app's import tests and the hostile-text tests)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from textual.app import App
from textual.widgets import Input

from nianbao.tui.screens.importing import ImportScreen


class Host(App):
    """A tiny app that shows the import screen and records the reports it is asked to open."""

    def __init__(self, db_path: str, start: str, processes: int | None = None) -> None:
        super().__init__()
        self.db_path, self.start, self.processes, self.opened = db_path, start, processes, []

    def on_mount(self) -> None:
        self.push_screen(ImportScreen(self.db_path, self.start, self.processes))

    def open_report(self, report_id: int) -> None:
        self.opened.append(report_id)


def run(app: App, steps, size=(120, 36)):
    async def go():
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    return asyncio.run(go())


async def start_import(pilot, folder: Path, typed: bool = True) -> None:
    """Put the folder's path in the path box (typed key by key, or set) and press Enter."""
    box = pilot.app.screen.query_one("#path", Input)
    box.value = "" if typed else str(folder)
    box.focus()
    if typed:
        await pilot.press(*str(folder))
    await pilot.press("enter")
    await pilot.pause()


async def wait_done(pilot, limit: float = 600.0) -> None:
    """Until the import has ended. `limit` only keeps a hung import from hanging the suite: it is
    far beyond any machine's pace, never a speed requirement."""
    screen = pilot.app.screen
    deadline = time.monotonic() + limit
    while screen.importing:
        if time.monotonic() > deadline:
            raise AssertionError("the import did not finish")
        await pilot.pause(0.05)


async def until(pilot, condition, limit: float = 600.0) -> None:
    """Until `condition()` holds, letting the app run. `limit` only keeps a hung app from hanging the
    suite: far beyond any machine's pace, never a speed requirement."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)


class Gate:
    """A stand-in for the pipeline's `import_file` that holds the import at its `at`-th file until
    released, so a test acts while the import is surely under way, whatever the machine's pace.
    `after`: held once that file is imported (its result not yet given), not before. It records the
    threads it ran in."""

    def __init__(self, import_file, at: int, after: bool = False) -> None:
        self.import_file, self.at, self.after, self.calls = import_file, at, after, 0
        self.holding, self.released = threading.Event(), threading.Event()
        self.threads: set[threading.Thread] = set()

    def __call__(self, db, path, parsed=None):
        self.calls += 1
        self.threads.add(threading.current_thread())
        result = self.import_file(db, path, parsed) if self.after else None
        if self.calls == self.at:
            self.holding.set()
            self.released.wait(600)  # a hang guard only
        return result if self.after else self.import_file(db, path, parsed)
