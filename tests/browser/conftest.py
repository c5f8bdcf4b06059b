"""The built site served over HTTP on 127.0.0.1 under a prefix (/site/, as Datasette serves it),
and a headless system Chromium that records what every page asks for and complains about.

Run apart from the other tests (Playwright in their process breaks the async Textual tests):
    python -m pytest tests/browser -o addopts=""
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from nianbao.publish.static_site import build_site
from tests.browser.helpers import HOSTILE_CODE, PREFIX, WAIT_MS, Watch, serving
from tests.published import make_hostile, published_samples

# Every `expect` waits as long as a busy machine needs (Playwright's default is 5 s).
expect.set_options(timeout=WAIT_MS)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    db = published_samples(tmp_path_factory.mktemp("published"))
    make_hostile(db, HOSTILE_CODE)
    return db


@pytest.fixture(scope="session")
def served(published, tmp_path_factory) -> Iterator[str]:
    """The site's base URL, http://127.0.0.1:PORT/site/."""
    root = tmp_path_factory.mktemp("served")
    build_site(published, root / PREFIX)
    with serving(root) as base:
        yield base


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's browser, but the system Chromium, offline (never `playwright install`)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def watch(page) -> Watch:
    """Record every request, console error, page error, failed response and dialog of `page`."""
    seen = Watch()
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and seen.errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: seen.errors.append(f"page error: {error}"))
    page.on(
        "response", lambda response: response.status >= 400 and seen.errors.append(f"{response.status} {response.url}")
    )
    page.on("requestfailed", lambda request: seen.errors.append(f"failed: {request.url}"))

    def on_dialog(dialog) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen
