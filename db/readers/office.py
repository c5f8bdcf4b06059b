"""Read old Word (.doc), WPS (.wps), RTF and OpenDocument (.odt) reports through LibreOffice.

LibreOffice (Debian's `libreoffice-writer-nogui`) is a real office suite that opens every one of
these; nianbao asks it, headless, to save the file as .docx and then reads that with the .docx
reader, so the answer is the .docx's answer and provenance names the table cell the same way.

Each conversion runs in a private temporary folder with its own LibreOffice profile
(`-env:UserInstallation`: two soffice processes sharing a profile wait for each other, and a fresh
profile costs some 0.3 s of the 3-4 s a conversion takes), under a time limit
(NIANBAO_MAX_CONVERT_SECONDS), in its own process group so a hung conversion is killed whole.
Nothing is left behind: the folder goes when the conversion ends, whatever happened.

An import batch converts its files together (`converted_together`): starting LibreOffice is
nearly all of a conversion's time, so up to BATCH files go to one soffice run, the first time
one of them is read. A file that fails or times out there fails alone: the files whose .docx
the run did not leave complete are converted one by one, each under its own time limit, and say
what went wrong with them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.db.document import Document
from nianbao.db.errors import ReadError
from nianbao.db.limits import ENV
from nianbao.db.limits import current as current_limits

PACKAGE = "libreoffice-writer-nogui"
INSTALL = f"apt-get install {PACKAGE}"
# The forms LibreOffice reads for nianbao, with the suffix the input is given (it helps LibreOffice
# tell a .wps or an .rtf from the rest) and how a person names the form.
SUFFIX = {"doc": ".doc", "wps": ".wps", "rtf": ".rtf", "odt": ".odt"}
_DOCX_FILTER = "docx:MS Word 2007 XML"


def soffice() -> str | None:
    """The LibreOffice program on PATH, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_office(data: bytes, form: str) -> Document:
    """Read a .doc/.wps/.rtf/.odt file: converted to .docx by LibreOffice, then read as a .docx.
    Raises ReadError (one line) when LibreOffice is missing, times out or cannot open the file."""
    program = soffice()
    if program is None:
        raise ReadError(
            f"{SUFFIX[form]} 文件须经 LibreOffice 读取，但 LibreOffice 未安装：请安装 {PACKAGE}（{INSTALL}），"
            "或把文件另存为 .docx 或 PDF"
        )
    from nianbao.db.readers.docx import read_docx

    converted = _batch_converted(program, data) or convert_to_docx(program, data, form)
    try:
        document = read_docx(converted)
    except ReadError as exc:
        raise ReadError(f"LibreOffice 已转换该 {SUFFIX[form]} 文件，但转换出的 .docx 无法读取：{exc}") from exc
    details = {**document.details, "converted": "LibreOffice → .docx"}
    return Document(blocks=document.blocks, form=form, details=details)


def convert_to_docx(program: str, data: bytes, form: str) -> bytes:
    """The file saved as .docx by LibreOffice headless, in a private folder with its own profile."""
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as folder:
        work = Path(folder)
        source = work / "in" / f"report{SUFFIX[form]}"
        source.parent.mkdir()
        source.write_bytes(data)
        output = work / "out"
        _run(_command(program, work / "profile", source, output), form)
        converted = output / "report.docx"
        if not converted.is_file() or converted.stat().st_size == 0:
            raise ReadError(
                f"LibreOffice 无法打开该 {SUFFIX[form]} 文件：文件设有密码或已损坏（请取消密码，或另存为 .docx 或 PDF）"
            )
        return converted.read_bytes()


def _command(program: str, profile: Path, source: Path, output: Path) -> list[str]:
    return [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nolockcheck",
        "--nodefault",
        "--convert-to",
        _DOCX_FILTER,
        "--outdir",
        str(output),
        str(source),
    ]


def _run(command: list[str], form: str, seconds: float | None = None) -> None:
    """Run LibreOffice in a process group of its own (soffice starts soffice.bin), killed whole
    when it overruns the time limit or when nianbao itself is interrupted."""
    seconds = current_limits().convert_seconds if seconds is None else seconds
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}  # no display, ever
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(command[-1]).parent,
        env=env,
        start_new_session=True,
    )
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        raise ReadError(
            f"LibreOffice 未能在 {seconds:g} 秒内转换完该 {SUFFIX[form]} 文件；"
            f"如确是报告，请调高 {ENV['convert_seconds']} 后再导入"
        ) from None
    finally:
        if process.poll() is None:
            _kill_group(process)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


# --- Batches -------------------------------------------------------------------------------------

BATCH = 20  # files per LibreOffice run: its start is shared, and at most this many .docx are held
_MORE_SECONDS = 10  # each further file of a run adds this to the run's time limit
_OFFICE_FORMS = tuple(SUFFIX)
_local = threading.local()  # the batch of the import running in this thread


@dataclass
class _Batch:
    """The office files of an import not yet converted, and the .docx made for those that were
    (by the sha256 of their bytes), until the next run."""

    pending: list[Path]
    ready: dict[str, bytes] = field(default_factory=dict)


@contextmanager
def converted_together(paths: Sequence[Path]) -> Iterator[None]:
    """Within: the .doc/.wps/.rtf/.odt files among `paths` are converted BATCH at a time, the
    first time one of a batch is read (in this thread)."""
    office = [p for p in paths if p.suffix.lower() in SUFFIX.values()]
    previous = getattr(_local, "batch", None)
    _local.batch = _Batch(office) if office and soffice() else None
    try:
        yield
    finally:
        _local.batch = previous


def _batch_converted(program: str, data: bytes) -> bytes | None:
    """The .docx of `data` from the running import's batch (converting the next batch if needed);
    None outside a batch or when the batch did not convert it (then it is converted alone)."""
    batch: _Batch | None = getattr(_local, "batch", None)
    if batch is None:
        return None
    key = hashlib.sha256(data).hexdigest()
    if key not in batch.ready and batch.pending:
        # Files are read in order: the one in hand heads what is pending, and what the last run
        # made and was not read belongs to files the import skipped (already imported).
        batch.ready = convert_many(program, _take(batch))
    return batch.ready.get(key)  # kept: a copy of the file (the same bytes) may follow


def _take(batch: _Batch) -> list[tuple[str, bytes, str]]:
    """The next files of the batch as (sha256, bytes, form): up to BATCH office files by their
    bytes. A file that cannot be read here is left to the import, which says why."""
    from nianbao.db.readers import detect_form
    from nianbao.db.readers.docx import is_encrypted_ole

    limits = current_limits()
    taken: list[tuple[str, bytes, str]] = []
    while batch.pending and len(taken) < BATCH:
        path = batch.pending.pop(0)
        try:
            limits.check_file_size(path.stat().st_size)
            data = path.read_bytes()
        except (OSError, ReadError):
            continue
        form = detect_form(data, path.name)
        if form in _OFFICE_FORMS and not is_encrypted_ole(data):  # refused unconverted when read
            taken.append((hashlib.sha256(data).hexdigest(), data, form))
    return taken


def convert_many(program: str, files: list[tuple[str, bytes, str]]) -> dict[str, bytes]:
    """Files (key, bytes, form) saved as .docx by one LibreOffice run, by key. A file the run did
    not convert, or may have left unfinished (a run killed at its time limit), is missing: it is
    converted alone when read, so it fails alone."""
    if not files:
        return {}
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as folder:
        work = Path(folder)
        (work / "in").mkdir()
        sources = []
        for n, (_, data, form) in enumerate(files):
            sources.append(work / "in" / f"{n:04d}{SUFFIX[form]}")
            sources[-1].write_bytes(data)
        output = work / "out"
        command = _command(program, work / "profile", sources[0], output)
        command[-1:] = [str(source) for source in sources]
        seconds = current_limits().convert_seconds + _MORE_SECONDS * (len(files) - 1)
        try:
            _run(command, files[0][2], seconds)
            finished = len(files)
        except ReadError:  # killed at the limit: a .docx followed by the next one's is whole
            made = [(output / f"{n:04d}.docx").is_file() for n in range(len(files))]
            finished = max((n for n, is_made in enumerate(made) if is_made), default=0)
        out = {}
        for n, (key, _, _) in enumerate(files[:finished]):
            docx = output / f"{n:04d}.docx"
            if docx.is_file() and docx.stat().st_size > 0:
                out[key] = docx.read_bytes()
        return out
