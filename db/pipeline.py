"""Import files into the database: find them, read, parse, store, one file at a time.

A bad file never stops a batch: its problem becomes a `FileResult` with status "failed" and
nothing of it is written but a line in the import log.
"""

from __future__ import annotations

import errno
import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from nianbao.db import ideographs
from nianbao.db.checks import ERROR
from nianbao.db.document import Document
from nianbao.db.errors import NianbaoError, ParseError, ReadError
from nianbao.db.filenames import shown
from nianbao.db.limits import MB
from nianbao.db.limits import current as current_limits
from nianbao.db.model import Note, Report
from nianbao.db.parse import UNDECODABLE, parse_document
from nianbao.db.readers import REPORT_SUFFIXES, ocr_images, read_document
from nianbao.db.readers.office import converted_together
from nianbao.db.review import recheck
from nianbao.db.schema import Database
from nianbao.db.store import find_document, log_failure, save_report, sha256
from nianbao.db.wording import plural
from nianbao.db.workers import WorkerPool


@dataclass(frozen=True)
class FileResult:
    path: str
    status: str  # imported, replaced, unchanged, failed
    report_id: int | None = None
    organ: str | None = None
    year: int | None = None
    errors: int = 0  # what the checks found, to review
    warnings: int = 0
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status == "failed"


Progress = Callable[[int, int, str], None]  # (files done, files in all, file in hand)


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
            raise ReadError(f"not a regular file but {_kind(mode)}: only report files are read")
        limits.check_file_size(os.fstat(fd).st_size)
        data = f.read(limits.file_mb * MB + 1)  # at most one byte more than allowed: grown since?
    limits.check_file_size(len(data))
    return data


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def parse_file(path: str | Path) -> Report:
    """Read and parse one file. Raises NianbaoError (or OSError) with the reason."""
    path = Path(path)
    return parse_bytes(read_file(path), path.name, path.parent)[0]


@dataclass(frozen=True)
class Parsed:
    """A file read and parsed in a worker process, for the parent to store: its bytes and the
    report, or the error that stopped it (raised again in the parent, as if parsed there)."""

    data: bytes | None
    report: Report | None = None
    document: Document | None = None
    error: NianbaoError | OSError | None = None

    def bytes(self) -> bytes:
        if self.data is None:
            raise self.error or OSError("not read")
        return self.data

    def result(self) -> tuple[Report, Document]:
        if self.report is None or self.document is None:
            raise self.error or NianbaoError("not parsed")
        return self.report, self.document


def read_and_parse(path: Path) -> Parsed:
    """The worker's part of an import: read and parse one file; no database. The document goes
    back without its blocks: storing needs only its form and encoding, and the blocks were most
    of what crossed between the processes."""
    data = None
    try:
        data = read_file(path)
        report, document = parse_bytes(data, path.name, path.parent)
        return Parsed(data, report, replace(document, blocks=[]))
    except (NianbaoError, OSError) as exc:
        return Parsed(data, error=exc)


def import_file(db: Database, path: Path, parsed: Parsed | None = None) -> FileResult:
    """Import one file in one transaction. `parsed`: the file already read and parsed by a worker."""
    name = shown(path)
    data = None
    try:
        data = read_file(path) if parsed is None else parsed.bytes()
        known, report_id = find_document(db, sha256(data))
        if known:
            return FileResult(name, "unchanged", report_id, message="same file already imported")
        report, document = parse_bytes(data, path.name, path.parent) if parsed is None else parsed.result()
        with db.atomic():  # the report and its findings, or nothing
            stored = save_report(db, name, data, document, report)
            if stored.report_id and stored.status != "unchanged":
                found = recheck(db, stored.report_id, parsed=report)
    except NianbaoError as exc:
        log_failure(db, name, data, str(exc))
        return FileResult(name, "failed", message=str(exc))
    except OSError as exc:
        message = f"cannot read: {exc.strerror or exc}"
        log_failure(db, name, data, message)
        return FileResult(name, "failed", message=message)
    if stored.status == "unchanged":
        return FileResult(name, "unchanged", stored.report_id, report.organ, report.year, message=stored.message)
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
    db: Database, paths: Iterable[str | Path], progress: Progress | None = None, workers: int | None = 1
) -> Iterator[FileResult]:
    """Import files one by one, in order. With `workers` > 1, worker processes read and parse
    ahead while this process stores each report in its own transaction, as without them;
    None: `default_workers`."""
    files = report_files(paths)
    workers = default_workers(files) if workers is None else workers
    # In this process, old Word files are converted by one LibreOffice run per batch of them.
    with _parsed_ahead(files, workers) as parsed, converted_together(files if parsed is None else []):
        for done, path in enumerate(files):
            if progress:
                progress(done, len(files), str(path))
            yield import_file(db, path, next(parsed) if parsed is not None else None)
    if progress:
        progress(len(files), len(files), "")


@contextmanager
def _parsed_ahead(files: list[Path], workers: int) -> Iterator[Iterator[Parsed] | None]:
    """The files read and parsed in order by a pool of worker processes, or None for one
    process. Leaving early cancels the rest; Ctrl-C ends the workers at once (db/workers.py)."""
    if workers <= 1 or len(files) <= 1:
        yield None
        return
    workers = min(workers, len(files))
    with WorkerPool(workers) as pool:
        yield _in_order(pool, files, AHEAD_PER_WORKER * workers)


AHEAD_PER_WORKER = 4  # files in hand per worker: enough to keep it busy


def _in_order(pool: ProcessPoolExecutor, files: list[Path], ahead: int) -> Iterator[Parsed]:
    """The files' results in file order, at most `ahead` files given out and not yet taken: when
    the workers outpace storing (text, Word, web pages), results do not pile up in memory as they
    did with `pool.map`, which hands out the whole batch at once."""
    pending: deque[Future[Parsed]] = deque()
    for path in files:
        pending.append(pool.submit(read_and_parse, path))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def summarize(results: list[FileResult]) -> str:
    """One line for a batch, the same in the CLI and the app: "5 files: 5 imported; 4 with
    findings to review"."""
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    detail = ", ".join(f"{n} {status}" for status, n in counts.items())
    warned = sum(1 for r in results if (r.errors or r.warnings) and not r.failed)
    return f"{plural(len(results), 'file')}: {detail or 'nothing to import'}" + (
        f"; {warned} with findings to review" if warned else ""
    )
