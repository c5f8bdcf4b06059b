"""Read old Word (.doc), WPS (.wps), RTF and OpenDocument (.odt) reports through LibreOffice.

LibreOffice (Debian's `libreoffice-writer-nogui`) is a real office suite that opens every one of
these; nianbao asks it, headless, to save the file as .docx and then reads that with the .docx
reader, so the answer is the .docx's answer and provenance names the table cell the same way.

Each conversion runs in a private temporary folder with its own LibreOffice profile
(`-env:UserInstallation`: two soffice processes sharing a profile wait for each other, and a fresh
profile costs some 0.3 s of the 3-4 s a conversion takes), under a time limit
(NIANBAO_MAX_CONVERT_SECONDS), in its own process group so a hung conversion is killed whole.
Nothing is left behind: the folder goes when the conversion ends, whatever happened.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from nianbao.db.document import Document
from nianbao.db.errors import ReadError
from nianbao.db.limits import ENV
from nianbao.db.limits import current as current_limits
from nianbao.db.readers.docx import read_docx

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
    converted = convert_to_docx(program, data, form)
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


def _run(command: list[str], form: str) -> None:
    """Run LibreOffice in a process group of its own (soffice starts soffice.bin), killed whole
    when it overruns the time limit or when nianbao itself is interrupted."""
    seconds = current_limits().convert_seconds
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
            f"LibreOffice 未能在 {seconds} 秒内转换完该 {SUFFIX[form]} 文件；"
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
