"""Old Word (.doc), WPS, RTF and OpenDocument fixtures: the samples' .docx saved again by LibreOffice.

LibreOffice cannot write Kingsoft's .wps; a WPS Writer .wps is an OLE2 file in the Word 97 binary
format (a WordDocument stream), which is what LibreOffice's "MS Word 97" filter writes, so the .wps
fixture is that file under a .wps name. All files of one form are converted by one soffice start.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FILTERS = {"doc": "doc:MS Word 97", "odt": "odt:writer8", "rtf": "rtf:Rich Text Format"}
TIMEOUT_S = 300


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(docx_files: list[Path], form: str, folder: Path) -> list[Path]:
    """Each .docx saved as `form` (doc, wps, odt, rtf) in `folder`, named like its .docx."""
    folder.mkdir(parents=True, exist_ok=True)
    target = "doc" if form == "wps" else form
    program = soffice()
    assert program, "LibreOffice (soffice) is needed to make the fixtures"
    with tempfile.TemporaryDirectory(prefix="nianbao-test-soffice-") as profile:
        subprocess.run(
            [
                program,
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--norestore",
                "--nologo",
                "--nolockcheck",
                "--convert-to",
                FILTERS[target],
                "--outdir",
                str(folder),
                *map(str, docx_files),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_S,
            start_new_session=True,
        )
    made = [folder / f"{path.stem}.{target}" for path in docx_files]
    assert all(path.is_file() for path in made), made
    if form == "wps":
        made = [path.rename(path.with_suffix(".wps")) for path in made]
    return made
