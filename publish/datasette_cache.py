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

Registered by publish/datasette_limits.py's `main`, beside the limits.
"""

from __future__ import annotations

import asyncio
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

from datasette import hookimpl

ASGIApp = Any  # an ASGI callable: (scope, receive, send) -> awaitable
MB = 1024 * 1024
MAX_ANSWERS_MB = 64  # all kept answers together; the server's limit is 1 GiB
MAX_ANSWER_MB = 4  # a canned query of 3,000 rows renders ~1.5 MB of HTML
CACHE_VARIABLE = "NIANBAO_DATASETTE_CACHE_MB"
COUNT_TIME_LIMIT_MS = 10_000  # at start only: count(*) of 3 million cells takes ~0.2 s
CACHE_HEADER = b"x-nianbao-cache"  # hit or miss: what the tests and the benchmark read


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

        async def answer_from_memory(scope: dict, receive: Any, send: Any) -> None:
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

        return answer_from_memory

    return wrap


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
