"""Import files into the database: find them, read, parse, store, one file at a time.

A bad file never stops a batch: its problem becomes a `FileResult` with status ImportStatus.FAILED and
nothing of it is written but a line in the import log. So does a bug of nianbao's met on one
file (an unexpected exception, in this process or a worker's): the file fails with one line
naming the error log, where its traceback goes (db/errorlog.py). Faults of the machine (a
locked or full database) still stop the batch: no other file could be stored either.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.db import errorlog
from nianbao.db.checks import ERROR
from nianbao.db.document import Document
from nianbao.db.errors import NianbaoError, ParseError, ReadError
from nianbao.db.filenames import shown
from nianbao.db.limits import MB
from nianbao.db.limits import current as current_limits
from nianbao.db.model import Note, Report
from nianbao.db.parse import ideographs
from nianbao.db.parse.report import UNDECODABLE, parse_document
from nianbao.db.progress import FileStarted, Progress, Started, forwarding, listening, reporting, send_to
from nianbao.db.readers import REPORT_SUFFIXES, ocr_images, read_document
from nianbao.db.readers.office import converted_together
from nianbao.db.review import recheck
from nianbao.db.schema import Database
from nianbao.db.store import find_document, log_failure, save_report, sha256
from nianbao.db.vocabulary import ImportStatus
from nianbao.db.workers import MEMORY_VAR, WorkerPool, capped, memory_cap


@dataclass(frozen=True)
class FileResult:
    path: str
    status: str  # an ImportStatus: imported, replaced, unchanged, failed
    report_id: int | None = None
    organ: str | None = None
    year: int | None = None
    errors: int = 0  # what the checks found, to review
    warnings: int = 0
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status == ImportStatus.FAILED


def report_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files to import: named files as given, folders searched recursively for report files.

    Every entry with a report suffix that is not a folder is taken, whatever it is (a broken link,
    a pipe, a device): reading it says what is wrong, so nothing is skipped without a word. A path
    that cannot even be looked at (a name over the system's limits) is taken as given, for the
    same reason; so is a folder that cannot be listed."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if _is_dir(path):
            out.extend(_files_under(path))
        else:
            out.append(path)
    return out


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # ENAMETOOLONG, EACCES …: reading it will say so
        return False


def _files_under(folder: Path) -> list[Path]:
    """Report files in a folder and its subfolders, hidden ones (.git, .cache) left out, sorted;
    links to folders are not followed (as Path.rglob)."""
    found: list[Path] = []

    def unlistable(error: OSError) -> None:
        found.append(Path(error.filename) if error.filename else folder)

    for top, dirs, names in os.walk(folder, onerror=unlistable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(top, n) for n in names if not n.startswith(".") and Path(n).suffix.lower() in REPORT_SUFFIXES)
    return sorted(found)


IDEOGRAPHS = "ideographs-normalised"  # the code of the note saying how many characters were mapped


def parse_bytes(data: bytes, name: str, folder: Path | None = None) -> tuple[Report, Document]:
    """`folder`: where the file lies (a saved web page's pictures beside it are read from there)."""
    document = read_document(data, name, folder)
    try:
        report = parse_document(document)
    except ParseError as refusal:
        raise ocr_images.with_pictures_named(refusal, document) from None
    report.notes += ocr_images.notes(document)
    mapped = int(document.details.get(ideographs.DETAIL, 0))
    if mapped:
        report.notes.append(Note(IDEOGRAPHS, (), ideographs.note_message(mapped)))
    return report, document


def read_file(path: Path) -> bytes:
    """The file's bytes, never more than the size limit. What is not a regular file (a device
    such as /dev/zero, a pipe, a link to either) is refused unread: its size says nothing, and
    reading it would never end or never start."""
    limits = current_limits()
    if stat.S_ISDIR(os.stat(path).st_mode):
        os.scandir(path).close()  # a folder that cannot be listed says why
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    # O_NONBLOCK: opening a pipe with no writer returns at once instead of waiting for one.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb", buffering=0) as f:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise ReadError(f"不是普通文件，而是{_kind(mode)}：只读取报告文件")
        limits.check_file_size(os.fstat(fd).st_size)
        data = f.read(limits.file_mb * MB + 1)  # at most one byte more than allowed: grown since?
    limits.check_file_size(len(data))
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备"
    if stat.S_ISSOCK(mode):
        return "套接字（socket）"
    return "特殊文件"


def parse_file(path: str | Path) -> Report:
    """Read and parse one file. Raises NianbaoError (or OSError) with the reason."""
    path = Path(path)
    return parse_bytes(read_file(path), path.name, path.parent)[0]


class WorkerFault(Exception):
    """An unexpected exception in a worker process, carried back as its traceback's text (the
    exception itself may not survive pickling)."""

    @property
    def details(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Parsed:
    """A file read and parsed in a worker process, for the parent to store: its bytes and the
    report, or the error that stopped it (raised again in the parent, as if parsed there)."""

    data: bytes | None
    report: Report | None = None
    document: Document | None = None
    error: NianbaoError | OSError | WorkerFault | None = None

    def bytes(self) -> bytes:
        if self.data is None:
            raise self.error or OSError("未读取")
        return self.data

    def result(self) -> tuple[Report, Document]:
        if self.report is None or self.document is None:
            raise self.error or NianbaoError("未解析")
        return self.report, self.document


def read_and_parse(path: Path) -> Parsed:
    """The worker's part of an import: read and parse one file; no database."""
    try:
        data = read_file(path)
    except (NianbaoError, OSError) as exc:
        return Parsed(None, error=exc)
    with forwarding(str(path)):  # its pages, as the importing process asked (progress.py)
        return parse_read(data, path.name, path.parent)


def parse_read(data: bytes, name: str, folder: Path | None = None) -> Parsed:
    """A worker's parse of a file's bytes. The document goes back without its blocks: storing
    needs only its form and encoding, and the blocks were most of what crossed between the
    processes. A bug goes back as its traceback (`WorkerFault`). The bytes go back too, for
    storing (a remote worker's result is all the parent gets). `folder`: where the file lies, for
    a saved page's pictures (a remote worker may not see it: the pictures are then named unread)."""
    try:
        report, document = parse_bytes(data, name, folder)
        return Parsed(data, report, replace(document, blocks=[]))
    except MemoryError:
        return Parsed(data, error=_too_large())
    except (NianbaoError, OSError) as exc:
        return Parsed(data, error=_too_large() if _out_of_memory(exc) else exc)
    except Exception:  # noqa: BLE001 - a bug on one file fails that file alone (import_file)
        return Parsed(data, error=WorkerFault(traceback.format_exc()))


def _too_large() -> ReadError:
    cap = capped()
    limit = f"{cap // 2**20} MB，" if cap else ""
    return ReadError(
        f"文件太大：解析超出内存上限（{limit}{MEMORY_VAR}）；如确是报告，请调高 {MEMORY_VAR}（单位 MB）后再导入"
    )


def _out_of_memory(exc: BaseException) -> bool:
    """A capped worker's error that a MemoryError caused (a reader's own "too large" line): the
    cap is the reason, and the line names it."""
    seen: BaseException | None = exc
    while seen is not None and capped():
        if isinstance(seen, MemoryError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


WORKER_DIED = f"解析进程在这个文件上意外退出，没有结果（文件太大，超出内存上限 {MEMORY_VAR}？）；其他文件照常导入"


def import_file(db: Database, path: Path, parsed: Parsed | None = None) -> FileResult:
    """Import one file in one transaction. `parsed`: the file already read and parsed by a worker."""
    name = shown(path)
    data = None
    try:
        data = read_file(path) if parsed is None else parsed.bytes()
        known, report_id = find_document(db, sha256(data))
        if known:
            return FileResult(name, ImportStatus.UNCHANGED, report_id, message="同一文件已导入过")
        report, document = parse_bytes(data, path.name, path.parent) if parsed is None else parsed.result()
        with db.atomic():  # the report and its findings, or nothing
            stored = save_report(db, name, data, document, report)
            if stored.report_id and stored.status != ImportStatus.UNCHANGED:
                found = recheck(db, stored.report_id)
    except NianbaoError as exc:
        log_failure(db, name, data, str(exc))
        return FileResult(name, ImportStatus.FAILED, message=str(exc))
    except OSError as exc:
        message = f"无法读取（系统：{exc.strerror or exc}）"
        log_failure(db, name, data, message)
        return FileResult(name, ImportStatus.FAILED, message=message)
    except sqlite3.Error:
        raise  # the database's fault (locked, full, damaged): the front ends say so in one line
    except Exception as exc:  # noqa: BLE001 - a bug met on one file must not stop the batch
        details = exc.details if isinstance(exc, WorkerFault) else traceback.format_exc()
        message = errorlog.unexpected_message(errorlog.record(errorlog.database_file(db.conn), name, details))
        log_failure(db, name, data, message)
        return FileResult(name, ImportStatus.FAILED, message=message)
    if stored.status == ImportStatus.UNCHANGED:
        return FileResult(
            name, ImportStatus.UNCHANGED, stored.report_id, report.organ, report.year, message=stored.message
        )
    errors = sum(f.severity == ERROR for f in found)
    message = "; ".join(m for m in [stored.message, *_read_notes(report)] if m)
    return FileResult(
        name, stored.status, stored.report_id, report.organ, report.year, errors, len(found) - errors, message
    )


def _read_notes(report: Report) -> list[str]:
    """Notes about reading the file as a whole (bytes that did not decode), for the file's line:
    they belong to no cell, so no finding carries them."""
    return [note.message for note in report.notes if note.code in (UNDECODABLE, IDEOGRAPHS, ocr_images.NOTE)]


def default_workers(files: list[Path]) -> int:
    """Worker processes pay where parsing outweighs storing: PDFs (~250 ms to read, ~10 ms to
    store); for text, Word and web pages the main process's storing is the bound (BENCHMARKS.md)."""
    return (os.cpu_count() or 1) if any(p.suffix.lower() == ".pdf" for p in files) else 1


def import_paths(
    db: Database,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    workers: int | None = 1,
    executor: Executor | None = None,
) -> Generator[FileResult, None, None]:
    """Import files one by one, in order: the one import loop of the CLI and the app. With
    `workers` > 1, worker processes read and parse ahead while this process stores each report
    in its own transaction, as without them; None: `default_workers`. `executor`: any
    `concurrent.futures.Executor` parses instead (a Dask cluster's, db/workers.py), `workers`
    then saying how many it runs at once; this process reads the files and sends their bytes,
    so its workers need not see the same file system. Closing the iterator between files (a
    cancel) stops the workers; what was stored stays."""
    say = progress or _silent
    files = report_files(paths)
    workers = default_workers(files) if workers is None else workers
    # In this process, old Word files are converted by one LibreOffice run per batch of them.
    with (
        listening(progress) as pages,
        _parsed_ahead(files, workers, executor, pages) as parsed,
        converted_together(files if parsed is None else []),
    ):
        say(Started(len(files), _pool_size(files, workers)))
        for done, path in enumerate(files):
            say(FileStarted(done, len(files), str(path)))
            with reporting(str(path), progress):  # pages read here, without workers
                result = import_file(db, path, next(parsed) if parsed is not None else None)
            yield result


def _silent(event: object) -> None:
    pass


def _pool_size(files: list[Path], workers: int) -> int:
    """The worker processes a batch gets: none (1, this process) for one file."""
    return 1 if workers <= 1 or len(files) <= 1 else min(workers, len(files))


@contextmanager
def _parsed_ahead(
    files: list[Path], workers: int, executor: Executor | None = None, pages: object = None
) -> Iterator[Iterator[Parsed] | None]:
    """The files read and parsed in order by a pool of worker processes (or by `executor`), or
    None for one process; `pages`: where the workers send the pages they read (progress.py).
    Leaving early cancels the rest; Ctrl-C ends the workers at once (db/workers.py). A given
    executor is the caller's to shut down (and to heal: Dask replaces its dead workers itself);
    a pool of ours whose worker died is replaced."""
    size = _pool_size(files, workers)
    if executor is not None:
        yield _in_order(executor, files, AHEAD_PER_WORKER * max(size, 1), send_bytes=True)
        return
    if size <= 1:
        yield None
        return
    cap = memory_cap()
    with ExitStack() as pools:

        def renew() -> Executor:
            return pools.enter_context(WorkerPool(size, send_to, (pages,), memory=cap))

        yield _in_order(renew(), files, AHEAD_PER_WORKER * size, renew=renew)


AHEAD_PER_WORKER = 4  # files in hand per worker: enough to keep it busy


def _in_order(
    pool: Executor,
    files: list[Path],
    ahead: int,
    send_bytes: bool = False,
    renew: Callable[[], Executor] | None = None,
) -> Iterator[Parsed]:
    """The files' results in file order, at most `ahead` files given out and not yet taken: when
    the workers outpace storing (text, Word, web pages), results do not pile up in memory as they
    did with `pool.map`, which hands out the whole batch at once. `send_bytes`: read here, parse
    there.

    A worker that dies (killed for its memory, a crash in a library) breaks a process pool: every
    file in hand fails with it. With `renew`, a new pool takes over, and the files that were in
    hand are parsed again one at a time, so that the one that killed its worker is known and
    fails alone."""
    todo = deque(files)
    pending: deque[tuple[Path, Future[Parsed]]] = deque()
    alone = 0  # files to parse one at a time: suspects of a dead worker
    while todo or pending:
        while todo and len(pending) < (1 if alone else ahead):
            path = todo.popleft()
            pending.append((path, _read_here(pool, path) if send_bytes else pool.submit(read_and_parse, path)))
        path, future = pending.popleft()
        if renew is None or not isinstance(_exception(future), BrokenProcessPool):
            alone = max(alone - 1, 0)
            yield _outcome(future)
            continue
        pool = renew()
        if alone:  # it was parsed alone: it is the one
            alone -= 1
            yield Parsed(None, error=ReadError(WORKER_DIED))
            continue
        suspects = [path, *(p for p, _ in pending)]
        pending.clear()
        todo.extendleft(reversed(suspects))
        alone = len(suspects)


def _exception(future: Future[Parsed]) -> BaseException | None:
    try:
        return future.exception()
    except Exception as exc:  # noqa: BLE001 - cancelled: reported by _outcome
        return exc


def _read_here(pool: Executor, path: Path) -> Future[Parsed]:
    """The file read in this process and parsed by the pool; a file that cannot be read is not
    sent."""
    try:
        data = read_file(path)
    except (NianbaoError, OSError) as exc:
        unread: Future[Parsed] = Future()
        unread.set_result(Parsed(None, error=exc))
        return unread
    return pool.submit(parse_read, data, path.name, path.parent)


def _outcome(future: Future[Parsed]) -> Parsed:
    """A worker's result; what the worker could not even send back (a result that does not
    pickle, a worker that died) becomes the file's own fault, with its traceback."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - one file's fault, stored as such by import_file
        return Parsed(None, error=WorkerFault("".join(traceback.format_exception(exc))))
