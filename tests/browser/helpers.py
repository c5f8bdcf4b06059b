"""For the browser tests: the built site served over HTTP on 127.0.0.1 under a prefix (/site/, as
`nianbao serve` serves it), and a record of what pages asked for and complained about."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PREFIX = "site"


HOSTILE_CODE = "130529"  # 巨鹿县's report carries the hostile text in this site


SCREENSHOTS = Path(__file__).parent / "screenshots"
# How long a page may take to show what it is waited for: a hang guard, never a speed requirement.
WAIT_MS = 120_000


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
