"""The Datasette plugin that lets the server keep what an immutable database makes final.

The published database is served immutable (`-i`) and the metadata is read once at start, so
a page's answer depends on its address alone until the server restarts on a new publish.
Rendering is what costs (BENCHMARKS.md, "Datasette under load"): a table page of 100 wide rows
or a canned query of a whole year's counties is 100–700 ms of Jinja, in one Python process that
serves every client. So:

- **Row counts, once.** Each table's row count is taken at start and given to Datasette as its
  inspect data, which Datasette reads for an immutable file instead of a `count(*)` on every
  table page (3 million cells at national scale).
- **Answers, once.** A successful GET answer (200, no cookie set) is kept in memory, by host and
  address, up to MAX_ANSWERS_MB in all (least recently used out first; an answer over
  MAX_ANSWER_MB, a CSV stream of a whole table, is never kept). The same address asked again is
  answered from memory; asked by several clients at once, it is rendered once and the others
  wait for it. A request with a cookie or an Authorization header (a visitor Datasette may
  know: signed in, or holding a CSRF token a page would print) is never answered from memory, nor is anything while a database is mutable, nor a file of a
  static mount (the site's files are swapped by a publish while the server runs).
  `NIANBAO_DATASETTE_CACHE_MB=0` turns the answers off (the benchmark's uncached runs).
- **First pages, warm.** The server's start (or, when where it answers is not known, its first
  request) starts in the background the rendering of the pages a visitor opens first (the
  instance, each database, each table's first page, each canned query with its defaults), one
  after the other, each after WARM_QUIET seconds with no visitor, for the host visitors name
  (served_at, or that first request's): Datasette's first look at a table, the compiling of each
  template and the file's hash are paid there, once (~0.5 s of CPU at 3,000 reports), and those
  pages are then answered from memory. The server answers from its start, as before.

Registered by publish/datasette_limits.py's `main`, beside the limits.
"""

from __future__ import annotations

import asyncio
import os
import time
import urllib.parse
from collections import OrderedDict
from contextlib import suppress
from pathlib import Path
from typing import Any

from datasette import hookimpl

ASGIApp = Any  # an ASGI callable: (scope, receive, send) -> awaitable
MB = 1024 * 1024
MAX_ANSWERS_MB = 64  # all kept answers together; the server's limit is 1 GiB
MAX_ANSWER_MB = 4  # a canned query of 3,000 rows renders ~1.5 MB of HTML
CACHE_VARIABLE = "NIANBAO_DATASETTE_CACHE_MB"
COUNT_TIME_LIMIT_MS = 10_000  # at start only: count(*) of 3 million cells takes ~0.2 s
WARM_PAUSE = 0.01  # seconds the warm-up waits before looking again for a quiet moment
WARM_QUIET = 0.05  # seconds with no visitor before the warm-up renders its next page
CACHE_HEADER = b"x-nianbao-cache"  # hit or miss: what the tests and the benchmark read
# The host and port the server answers at ("127.0.0.1:8001"), as a visitor's Host header names
# them, when publish/datasette_limits.py's `main` knows them from its command line (serve_at).
served_at: bytes | None = None
ANY_ADDRESS = ("", "0.0.0.0", "::")  # visitors name such a server by an address it cannot know


def serve_at(argv: list[str]) -> None:
    """Note where `datasette serve` `argv` answers (Datasette's --host and --port, its defaults
    127.0.0.1 and 8001), so the warm-up can start with the server, before any visitor."""
    global served_at
    options = {"--host": "127.0.0.1", "--port": "8001"}
    for i, arg in enumerate(argv):
        name, equals, value = arg.partition("=")
        if name in options:
            options[name] = value if equals else (argv[i + 1] if i + 1 < len(argv) else "")
    host, port = options["--host"], options["--port"]
    if host in ANY_ADDRESS or "--uds" in argv:
        served_at = None
        return
    served_at = (f"[{host}]:{port}" if ":" in host else f"{host}:{port}").encode("ascii")


@hookimpl
def startup(datasette: Any) -> Any:
    async def count_rows() -> None:
        if datasette.inspect_data:  # --inspect-file given: Datasette's own
            return
        inspected = {}
        for name, db in datasette.databases.items():
            if db.is_mutable or db.is_memory or not db.path:
                continue
            counts = await db.table_counts(limit=COUNT_TIME_LIMIT_MS)
            tables = {table: {"count": count} for table, count in counts.items() if count is not None}
            inspected[name] = _Inspected(Path(db.path), tables)
        datasette.inspect_data = inspected or None

    return count_rows


class _Inspected(dict):
    """One database's inspect data: row counts and size now; its hash (a sha256 of the whole
    file, which Datasette shows at /-/databases.json) only when asked, as without inspect data."""

    def __init__(self, path: Path, tables: dict) -> None:
        super().__init__(tables=tables, size=path.stat().st_size, file=path.name)
        self._path = path

    def __missing__(self, key: str) -> Any:
        if key != "hash":
            raise KeyError(key)
        from datasette.inspect import inspect_hash

        self["hash"] = inspect_hash(self._path)
        return self["hash"]


def cache_budget() -> int:
    """Bytes of answers to keep: MAX_ANSWERS_MB, or the environment's megabytes (0: none)."""
    value = os.environ.get(CACHE_VARIABLE, "").strip()
    if not value:
        return MAX_ANSWERS_MB * MB
    try:
        return max(0, int(float(value) * MB))
    except ValueError:
        raise ValueError(f"{CACHE_VARIABLE} 应为兆字节数（如 64；0 为不保留），而不是 {value!r}") from None


class Answers:
    """Kept answers, least recently used first, within `budget` bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._kept: OrderedDict[tuple, tuple[dict, bytes]] = OrderedDict()
        self.rendering: dict[tuple, asyncio.Event] = {}  # addresses being rendered, for those who wait
        self.visiting = 0  # visitors' requests being answered (the warm-up waits for none)
        self.answered = 0.0  # when the last of them was answered (time.monotonic)

    def quiet(self) -> bool:
        """No visitor is being answered, nor was for WARM_QUIET seconds."""
        return not self.visiting and time.monotonic() - self.answered >= WARM_QUIET

    def get(self, key: tuple) -> tuple[dict, bytes] | None:
        answer = self._kept.get(key)
        if answer is not None:
            self._kept.move_to_end(key)
        return answer

    def put(self, key: tuple, start: dict, body: bytes) -> None:
        if len(body) > min(self.budget, MAX_ANSWER_MB * MB) or key in self._kept:
            return
        self._kept[key] = (start, body)
        self.used += len(body)
        while self.used > self.budget:
            _, (_, dropped) = self._kept.popitem(last=False)
            self.used -= len(dropped)


def cache_key(scope: dict, static: tuple[str, ...]) -> tuple | None:
    """(host, path, query) of a GET that may be answered from memory; None for any other, and
    for the files of a static mount (the site's files change when a publish swaps them in)."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return None
    if (scope.get("path", "") + "/").startswith(static):
        return None
    headers = dict(scope.get("headers") or [])
    if b"authorization" in headers or b"cookie" in headers:
        return None
    return (headers.get(b"host", b""), scope.get("raw_path") or scope.get("path"), scope.get("query_string", b""))


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    answers = Answers(cache_budget())
    static = ("/-/static/", *(f"/{mount}/" for mount, _ in datasette.static_mounts))

    def wrap(app: ASGIApp) -> ASGIApp:
        if answers.budget <= 0:
            return app
        warming: list[asyncio.Task] = []  # the one warm-up

        def warm_from(scope: dict) -> None:
            """Start the warm-up once: at the server's start (its lifespan call) for the address
            it serves at, when known; else at the first request, for that request's host."""
            if warming:
                return
            if scope.get("type") == "lifespan":
                if served_at is None:
                    return
                scope = {
                    "type": "http",
                    "http_version": "1.1",
                    "scheme": "http",
                    "root_path": "",
                    "headers": [(b"host", served_at)],
                }
            elif cache_key(scope, static) is None:
                return
            warming.append(asyncio.create_task(_warm(datasette, answers, answer, scope)))

        async def answer(scope: dict, receive: Any, send: Any) -> None:
            key = cache_key(scope, static)
            if key is None or any(db.is_mutable for db in datasette.databases.values() if not db.is_memory):
                await app(scope, receive, send)
                return
            while key in answers.rendering:  # another client asked first: wait for its answer
                await answers.rendering[key].wait()
            kept = answers.get(key)
            if kept is not None:
                await _replay(send, *kept)
                return
            answers.rendering[key] = done = asyncio.Event()
            try:
                await _render_and_keep(app, scope, receive, send, answers, key)
            finally:
                del answers.rendering[key]
                done.set()

        async def answer_visitor(scope: dict, receive: Any, send: Any) -> None:
            warm_from(scope)
            if scope.get("type") != "http":  # the lifespan call lasts as long as the server
                await answer(scope, receive, send)
                return
            answers.visiting += 1
            try:
                await answer(scope, receive, send)
            finally:
                answers.visiting -= 1
                answers.answered = time.monotonic()

        return answer_visitor

    return wrap


async def first_pages(datasette: Any) -> list[str]:
    """The addresses a visitor opens first: the instance and each database's page, each
    table's first page, each canned query's page with its defaults."""
    paths = [datasette.urls.instance()]
    for name, db in datasette.databases.items():
        if db.is_memory or db.is_mutable:
            continue
        hidden = set(await db.hidden_table_names())
        tables = [t for t in await db.table_names() if t not in hidden]
        canned = await datasette.get_canned_queries(name, None)
        paths.append(datasette.urls.database(name))
        paths += [datasette.urls.table(name, table) for table in tables]
        paths += [datasette.urls.query(name, query) for query in canned]
    return [str(path) for path in paths]


async def _warm(datasette: Any, answers: Answers, answer: ASGIApp, visitor: dict) -> None:
    """Render the first pages, one after the other, as `visitor`'s host would get them, and
    keep them: their first render (with Datasette's first look at each table and the
    compiling of each template) is paid here rather than by visitors who ask at once."""
    host = dict(visitor.get("headers") or []).get(b"host", b"")
    for path in await first_pages(datasette):
        scope = {
            **visitor,
            "method": "GET",
            "path": urllib.parse.unquote(path),
            "raw_path": path.encode("ascii"),
            "query_string": b"",
            "headers": [(b"host", host)] if host else [],
        }
        while not answers.quiet():  # visitors first: a page is warmed while nobody asks
            await asyncio.sleep(WARM_PAUSE)
        with suppress(Exception):  # a page that fails to render here is rendered when asked
            await answer(scope, _no_body, _discard)


async def _no_body() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: dict) -> None:
    return None


async def _replay(send: Any, start: dict, body: bytes) -> None:
    headers = [*start["headers"], (CACHE_HEADER, b"hit")]
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _render_and_keep(app: ASGIApp, scope: dict, receive: Any, send: Any, answers: Answers, key: tuple) -> None:
    """Run the app, passing its answer on as it comes; keep it if it is whole, 200 and sets no cookie."""
    start: dict | None = None
    parts: list[bytes] = []
    size = 0
    keep = True

    async def keeping(message: dict) -> None:
        nonlocal start, size, keep
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _ in message.get("headers", [])}
            keep = message["status"] == 200 and b"set-cookie" not in names
            start = message
            message = {**message, "headers": [*message.get("headers", []), (CACHE_HEADER, b"miss")]}
        elif message["type"] == "http.response.body" and keep:
            body = message.get("body", b"")
            size += len(body)
            keep = size <= MAX_ANSWER_MB * MB
            parts.append(body)
            if keep and not message.get("more_body", False) and start is not None:
                answers.put(key, start, b"".join(parts))
        await send(message)

    await app(scope, receive, keeping)
