"""Worker processes that Ctrl-C does not reach, and that an interruption stops at once.

A terminal sends Ctrl-C (SIGINT) to every process of the foreground group: to an import's or a
publish's worker processes as well as to the command. Each worker then printed its own
traceback, and a pool waiting for workers that had died with work in hand could hang. Here the
workers never see SIGINT (started with it blocked, then ignoring it): the command alone is
interrupted, says so in one line, and ends the workers itself.

A pool may also cap each worker's memory (RLIMIT_DATA, set as the worker starts): a file that
needs more fails with MemoryError in its worker, which the import reports as too large, instead
of taking the machine's memory.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import forkserver, resource_tracker

from nianbao.db.errors import NianbaoError

MEMORY_VAR = "NIANBAO_MAX_WORKER_MEMORY"
DEFAULT_MEMORY_MB = 2048  # a real report parses in well under 200 MB; the 14.5 GB page stops here


def memory_cap() -> int:
    """The memory a parse worker may take, in bytes: $NIANBAO_MAX_WORKER_MEMORY megabytes, or
    2048 (2 GiB)."""
    text = os.environ.get(MEMORY_VAR, "").strip()
    if not text:
        return DEFAULT_MEMORY_MB * 2**20
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise NianbaoError(f"{MEMORY_VAR} 应为正整数（单位 MB），而不是 {text!r}")
    return value * 2**20


_capped: int | None = None  # this process's cap, when it is a capped worker


def capped() -> int | None:
    """The memory cap of this process, in bytes, if it is a worker started with one."""
    return _capped


# Imported once by the fork server, before it forks any worker: the parse of every form, warmed
# by a parse of a sample (db/preload.py), and the main module, which a worker would otherwise
# import again as __mp_main__.
PRELOAD = [
    "__main__",
    "nianbao.db.pipeline",
    "nianbao.db.readers.pdf",
    "nianbao.db.readers.html",
    "nianbao.db.readers.docx",
    "nianbao.db.preload",
]


class WorkerPool(ProcessPoolExecutor):
    """A ProcessPoolExecutor of processes forked from multiprocessing's fork server (never from
    this process: the caller may be the app, with threads). The server starts once per process
    and imports and warms the parsing modules once (`PRELOAD`), so a worker starts in
    milliseconds, ready to parse; a spawned one imported pdfplumber and lxml anew and loaded what
    a first parse needs (~1 s each, in every batch). Leaving its `with` block early cancels what
    has not started; leaving it by an exception (Ctrl-C) also ends the workers' files in hand
    instead of waiting for them. `memory`: each worker's cap in bytes (RLIMIT_DATA), or None."""

    def __init__(
        self,
        workers: int,
        initializer: Callable[..., None] | None = None,
        initargs: tuple = (),
        memory: int | None = None,
    ) -> None:
        _tracker_running()
        with _pools_lock:
            context = _fork_server()
            super().__init__(
                workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(initializer, initargs, memory, dict(os.environ)),
            )
            _live.add(self)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        with _pools_lock:
            _live.discard(self)

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


_server_environment: dict[str, str] | None = None  # os.environ when the fork server started
_live: set[WorkerPool] = set()  # pools not shut down: their workers report through the server
_pools_lock = threading.Lock()


def _fork_server() -> multiprocessing.context.ForkServerContext:
    """The fork server's context, the server started (once per process) with SIGINT blocked:
    the workers it forks inherit the mask, so none sees a Ctrl-C before it ignores SIGINT
    (_start_worker), and the server ignores it too.

    Each worker takes the environment of its pool's creation (_start_worker), as a spawned one
    did. What the server made of the environment when it started (a `sitecustomize` on the
    PYTHONPATH of that time) a forked worker keeps: when the environment has changed since, the
    server is started again, unless a pool is still running (stopping the server would break
    its workers' reports of their ends). Called with `_pools_lock` held."""
    global _server_environment
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # used when the server starts
    environment = dict(os.environ)
    with _ctrl_c_blocked(), _quiet_stderr():
        if _server_environment is not None and environment != _server_environment and not _live:
            # CPython stops its server so in its own tests; typeshed leaves the private method out
            forkserver._forkserver._stop()  # type: ignore[attr-defined]
            _server_environment = None
        forkserver.ensure_running()
    if _server_environment is None:
        _server_environment = environment
    return context


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


def _start_worker(
    initializer: Callable[..., None] | None,
    initargs: tuple,
    memory: int | None = None,
    environment: dict[str, str] | None = None,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # ignored now, so harmless
    if environment is not None and environment != os.environ:  # NIANBAO_MAX_… set for the run
        os.environ.clear()
        os.environ.update(environment)
    if memory is not None:
        _cap_memory(memory)
    if initializer is not None:
        initializer(*initargs)


def _cap_memory(limit: int) -> None:
    """RLIMIT_DATA (the heap and private mappings: what parsing allocates; unlike RLIMIT_AS it
    leaves alone the address space that libraries and thread stacks reserve without using)."""
    global _capped
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    _capped = limit


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """The fork server started with its standard error (and so its workers') on /dev/null. A
    worker forked while Ctrl-C ends the batch finds its pool's semaphores already gone and
    printed multiprocessing's traceback on the operator's terminal (over the app's screen, too).
    Nothing a person needs is lost: a worker's errors come back with its file's result, its
    traceback to the error log (db/errorlog.py), and a worker that dies fails its file."""
    try:
        saved = os.dup(2)
    except OSError:  # no standard error at all: nothing to hide
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@contextmanager
def _ctrl_c_blocked() -> Iterator[None]:
    """SIGINT held back in this thread (and in any process started meanwhile, which inherits
    the mask); one that arrives is delivered when the block ends."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


DASK_MISSING = "Dask 未安装：请安装 pip install 'nianbao[dask]'"


@contextmanager
def dask_executor(address: str) -> Iterator[tuple[Executor, int]]:
    """A Dask distributed cluster's executor and how many tasks it runs at once, for
    `import_paths(executor=…)`: `local` starts a LocalCluster on this machine (a worker process
    per core, one thread each: parsing holds the GIL), anything else is a running scheduler's
    address (tcp://host:8786). The cluster's workers need nianbao installed, not the files:
    the importing process sends their bytes. Raises NianbaoError when it cannot be used."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise NianbaoError(DASK_MISSING) from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        client = Client(cluster if cluster is not None else address, timeout="20s")
    except (OSError, ValueError, TypeError) as exc:
        if cluster is not None:
            cluster.close()
        raise NianbaoError(f"{address}: 无法连接 Dask 集群的调度器（{exc}）") from None
    try:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        yield client.get_executor(), max(threads, 1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
