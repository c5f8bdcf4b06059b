"""The built site served over HTTP on 127.0.0.1 under a prefix (/site/, as Datasette serves it),
and a headless system Chromium that records what every page asks for and complains about.

Run apart from the other tests (Playwright in their process breaks the async Textual tests):
    python -m pytest tests/browser -o addopts=""
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from nianbao.publish.static_site import build_site
from tests.test_site import make_hostile, published_samples

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
PREFIX = "site"
HOSTILE_CODE = "130529"  # 巨鹿县's report carries the hostile text in this site
SCREENSHOTS = Path(__file__).parent / "screenshots"


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


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """Serve `root` over HTTP on 127.0.0.1; the URL of root/site/."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{PREFIX}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright's browser, but the system Chromium, offline (never `playwright install`)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@dataclass
class Watch:
    """What pages asked for and what went wrong, for a test to assert on."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Requests to any host but 127.0.0.1 (data: and blob: URLs are not requests to a host)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname != "127.0.0.1"
        ]

    def assert_clean(self) -> None:
        assert self.requests, "no request was recorded"
        assert self.outside() == []
        assert self.errors == []
        assert self.dialogs == []


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
