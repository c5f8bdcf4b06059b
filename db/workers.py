"""Worker processes that Ctrl-C does not reach, and that an interruption stops at once.

A terminal sends Ctrl-C (SIGINT) to every process of the foreground group: to an import's or a
publish's worker processes as well as to the command. Each worker then printed its own
traceback, and a pool waiting for workers that had died with work in hand could hang. Here the
workers never see SIGINT (started with it blocked, then ignoring it): the command alone is
interrupted, says so in one line, and ends the workers itself.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import resource_tracker


class WorkerPool(ProcessPoolExecutor):
    """A ProcessPoolExecutor of spawned processes (not forked: the caller may be the app, with
    threads). Leaving its `with` block early cancels what has not started; leaving it by an
    exception (Ctrl-C) also ends the workers' files in hand instead of waiting for them."""

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> None:
        _tracker_running()
        super().__init__(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(initializer, initargs),
        )

    def submit(self, fn, /, *args, **kwargs) -> Future:
        with _ctrl_c_blocked():  # a worker started here inherits the blocked signal
            return super().submit(fn, *args, **kwargs)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.stop_now()
        self.shutdown(wait=True, cancel_futures=True)

    def stop_now(self) -> None:
        """End the workers now, their files in hand unfinished (the parent stores nothing of them).

        A worker ended while sending its result leaves the pool's reading thread waiting for the
        rest of the message for ever (this process holds a writing end of the pipe too); once the
        workers are gone, closing that end gives the reader an end of file, which the pool takes
        for what it is: workers that died."""
        processes = list((self._processes or {}).values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()
        # The writing end is CPython's private attribute of multiprocessing's SimpleQueue, which
        # typeshed leaves out; its public close() would also close the end the reading thread waits on.
        self._result_queue._writer.close()  # type: ignore[attr-defined]
        self.shutdown(wait=True, cancel_futures=True)


def _tracker_running() -> None:
    """Start multiprocessing's resource tracker (one per process, started by the first spawn)
    with a real stderr. It is handed this process's stderr by descriptor, and inside a Textual
    app `sys.stderr` is Textual's capture, whose fileno() is -1: a first spawn from the app
    failed with "bad value(s) in fds_to_keep" (the app's import ended "导入中断"), and only when
    nothing had spawned in the process before, which made it look flaky."""
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = True  # no descriptor at all: the tracker goes without one, as it should
    if usable:
        resource_tracker.ensure_running()
        return
    captured, sys.stderr = sys.stderr, sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # ignored now, so harmless
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def _ctrl_c_blocked() -> Iterator[None]:
    """SIGINT held back in this thread (and in any process started meanwhile, which inherits
    the mask); one that arrives is delivered when the block ends."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
