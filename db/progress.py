"""What an import says while it runs, for the app and the CLI to show: one callback of events.

`Started` once (how many files, how many processes parse them), `FileStarted` before each file
is stored, in file order, and `PageRead` as a reader finishes each page of a long file (a PDF
of 199 pages takes minutes, a scan's page 15 s): "第 37/199 页". Nothing here prints: the front
ends decide what to show.

Readers call `page_read(n, pages)` and know nothing of who listens. In the importing process
the listener is set around the parse (`reporting`); in a parse worker (another process) the
pages go through a queue given to the worker as it starts (`send_to`), and a thread of the
importing process passes them on (`listening`), in the order each worker read them.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Started:
    """The batch: `total` files found, parsed by `workers` processes (1: the importing one)."""

    total: int
    workers: int


@dataclass(frozen=True)
class FileStarted:
    """The file in hand: `done` files of `total` are done before it."""

    done: int
    total: int
    path: str


@dataclass(frozen=True)
class PageRead:
    """Page `page` of `pages` of the file `path` is read (the file may be ahead of the one in
    hand: workers parse ahead of storing)."""

    path: str
    page: int
    pages: int


Event = Started | FileStarted | PageRead
Progress = Callable[[Event], None]
PageListener = Callable[[int, int], None]

_listener: ContextVar[PageListener | None] = ContextVar("nianbao_page_listener", default=None)


def page_read(page: int, pages: int) -> None:
    """A reader's report: page `page` of `pages` is read."""
    listener = _listener.get()
    if listener is not None:
        listener(page, pages)


@contextmanager
def reporting(path: str, progress: Progress | None) -> Iterator[None]:
    """The pages read meanwhile (in this thread) as `PageRead` events of `path`."""
    if progress is None:
        yield
        return
    token = _listener.set(lambda page, pages: progress(PageRead(path, page, pages)))
    try:
        yield
    finally:
        _listener.reset(token)


# --- Across processes ----------------------------------------------------------------------------

_pipe: Any = None  # a parse worker's writing end of the pipe to the importing process


def send_to(pipe: Any) -> None:
    """A worker's initializer: its pages go down `pipe` (None: nowhere)."""
    global _pipe
    _pipe = pipe


def forwarding(path: str) -> Any:
    """In a worker: the pages read meanwhile go to the importing process, as pages of `path`."""
    pipe = _pipe
    if pipe is None:
        return nullcontext()
    return reporting(path, pipe.send)


@contextmanager
def listening(progress: Progress | None) -> Iterator[Any]:
    """The writing end of a pipe for workers' pages (None without a listener), and a thread
    that passes what arrives on to `progress` until the block ends. A pipe, not a queue: each
    page is one small write, whole however many workers write (under PIPE_BUF), and a worker
    ended in the middle leaves no lock held. Every page sent has been passed on when the block
    ends (after the workers have)."""
    if progress is None:
        yield None
        return
    reader, writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
    thread = threading.Thread(target=_pass_on, args=(reader, progress), name="nianbao-pages", daemon=True)
    thread.start()
    try:
        yield writer
    finally:
        writer.send(None)
        thread.join()
        writer.close()
        reader.close()


def _pass_on(reader: Any, progress: Progress) -> None:
    while (event := reader.recv()) is not None:
        try:
            progress(event)
        except Exception:  # noqa: BLE001, S112 - a listener's fault must not stop the workers' writes
            continue
