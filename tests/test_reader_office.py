"""Old Word (.doc), WPS (.wps), RTF and OpenDocument (.odt) through LibreOffice: the samples saved
in these forms by LibreOffice import with the values of their text form and name the table cell of
each value; without LibreOffice the line names the package to install; a password-protected,
damaged or never-ending conversion is one line and nothing is written.

The conversions are real (soffice headless); CI installs LibreOffice, so these run there. They
are skipped only on a machine without soffice, saying so."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as WordDocument

from nianbao.db import review
from nianbao.db.errors import ReadError
from nianbao.db.pipeline import import_paths, parse_file
from nianbao.db.readers import REPORT_SUFFIXES, detect_form, office, read_document
from nianbao.db.readers.office import INSTALL
from nianbao.db.schema import connect
from nianbao.tui.cli import cli
from tests.forms import docx, old_word
from tests.helpers import SAMPLE_NAMES, sample_path
from tests.test_reader_docx import assert_same_report

LOCKED = Path(__file__).parent / "data" / "office"
CELL = "table3.new_received.total"  # 003 prints 12 there
OLE_ZEROS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)  # an OLE2 signature and nothing else

needs_soffice = pytest.mark.skipif(
    old_word.soffice() is None, reason="LibreOffice is not installed here (apt-get install libreoffice-writer-nogui)"
)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """made(form, *names): the samples rendered as .docx, then saved as `form` by LibreOffice (one
    soffice start per call), made once per module."""
    folder = tmp_path_factory.mktemp("office")
    (folder / "docx").mkdir()
    done: dict[tuple[str, ...], dict[str, Path]] = {}

    def make(form: str, *names: str) -> dict[str, Path]:
        if (form, *names) not in done:
            sources = [docx_of(name, folder / "docx") for name in names]
            converted = old_word.convert(sources, form, folder / form / "-".join(names))
            done[(form, *names)] = dict(zip(names, converted, strict=True))
        return done[(form, *names)]

    return make


def docx_of(name: str, folder: Path) -> Path:
    """The sample as the tests' .docx (the same bytes each time it is rendered)."""
    return docx.render(parse_file(sample_path(name)), folder / f"{name}.docx")


# --- The samples, converted ----------------------------------------------------------------------


@needs_soffice
@pytest.mark.parametrize("form", ["doc", "wps", "odt", "rtf"])
def test_sample_in_each_form_parses_like_its_text(made, form):
    path = made(form, "003")["003"]
    assert detect_form(path.read_bytes(), path.name) == form
    assert_same_report(parse_file(sample_path("003")), parse_file(path))


@needs_soffice
@pytest.mark.slow
@pytest.mark.parametrize("form", ["doc", "wps"])
def test_every_sample_as_doc_and_wps_parses_like_its_text(made, form):
    paths = made(form, *SAMPLE_NAMES)
    for name in SAMPLE_NAMES:
        assert_same_report(parse_file(sample_path(name)), parse_file(paths[name]))


@needs_soffice
def test_doc_and_wps_import_with_the_table_cell_of_each_value(made, tmp_path):
    """Imported in one batch: the form is recorded, and a value's source is the same table cell
    as in the .docx it was made from."""
    doc, wps = made("doc", "003")["003"], made("wps", "001")["001"]
    with connect(tmp_path / "t.db") as db:
        results = list(import_paths(db, [doc, wps]))
        assert [r.status for r in results] == ["imported", "imported"], [r.message for r in results]
        found = review.cell_source(db, results[0].report_id, CELL)
        forms = [row["form"] for row in db.query("SELECT form FROM documents ORDER BY form")]
    assert forms == ["doc", "wps"]
    assert found.form == "doc" and found.value == 12
    s = found.source
    assert (s.page, s.line, s.bbox) == (None, None, None)
    assert s.describe() == f"表格{s.table + 1}第{s.row + 1}行第{s.col + 1}列"
    source_docx = docx_of("003", tmp_path)
    assert WordDocument(str(source_docx)).tables[s.table].rows[s.row].cells[s.col].text == "12"


def test_folder_import_picks_up_the_new_suffixes():
    assert {".doc", ".wps", ".rtf", ".odt"} <= set(REPORT_SUFFIXES)


def test_forms_are_told_by_their_bytes():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    assert detect_form(ole, "a.doc") == "doc"
    assert detect_form(ole, "a.wps") == "wps"
    assert detect_form(ole, "") == "doc"
    assert detect_form(b"{\\rtf1\\ansi\\ansicpg936 x}", "a.txt") == "rtf"
    odt = b"PK\x03\x04" + bytes(26) + b"mimetypeapplication/vnd.oasis.opendocument.text" + bytes(100)
    assert detect_form(odt, "report.zip") == "odt"
    assert detect_form(b"just text named .doc", "a.doc") == "text"  # never handed to LibreOffice


# --- Refusals: one line, nothing written ----------------------------------------------------------


def without_soffice(monkeypatch, tmp_path: Path) -> None:
    empty = tmp_path / "no-soffice-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.parametrize("name", ["report.doc", "report.wps"])
def test_without_libreoffice_the_line_names_the_package(monkeypatch, tmp_path, name):
    without_soffice(monkeypatch, tmp_path)
    with pytest.raises(ReadError) as caught:
        read_document(OLE_ZEROS, name)
    message = str(caught.value)
    assert "\n" not in message
    assert INSTALL == "apt-get install libreoffice-writer-nogui" and INSTALL in message
    assert (
        f"{Path(name).suffix} 文件须经 LibreOffice 读取，但 LibreOffice 未安装：请安装 libreoffice-writer-nogui"
        in message
    )


def test_without_libreoffice_an_import_fails_that_file_only(monkeypatch, tmp_path):
    without_soffice(monkeypatch, tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "old.doc").write_bytes(OLE_ZEROS)
    (folder / "good.txt").write_bytes(sample_path("001").read_bytes())
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "import", str(folder)])
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if "old.doc" in line]
    assert len(failed) == 1 and "apt-get install libreoffice-writer-nogui" in failed[0]
    assert "Traceback" not in result.output
    with connect(tmp_path / "t.db") as db:
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1


def test_password_protected_docx_is_still_named_without_libreoffice(monkeypatch, tmp_path):
    without_soffice(monkeypatch, tmp_path)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512) + "EncryptedPackage".encode("utf-16-le") + bytes(512)
    with pytest.raises(ReadError, match=r"^该 \.docx 已加密（设有密码）"):
        read_document(data, "locked.docx")


@needs_soffice
@pytest.mark.parametrize("name", ["locked.doc", "locked.odt", "zeros.doc"])
def test_password_protected_or_damaged_is_one_line(name):
    """locked.*: saved by LibreOffice with a password (tests/data/office/make_locked.py)."""
    data = (LOCKED / name).read_bytes() if name.startswith("locked") else OLE_ZEROS
    with pytest.raises(ReadError) as caught:
        read_document(data, name)
    suffix = Path(name).suffix
    assert str(caught.value) == (
        f"LibreOffice 无法打开该 {suffix} 文件：文件设有密码或已损坏（请取消密码，或另存为 .docx 或 PDF）"
    )


@needs_soffice
def test_damaged_doc_in_a_batch_is_one_line_and_nothing_written(made, tmp_path):
    whole = made("doc", "003")["003"].read_bytes()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cut.doc").write_bytes(whole[: len(whole) // 2])
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "import", str(folder)])
    assert result.exit_code == 1
    assert result.output.count("cut.doc") == 1 and "文件设有密码或已损坏" in result.output
    assert "Traceback" not in result.output
    with connect(tmp_path / "t.db") as db:
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 0


def test_a_conversion_over_the_time_limit_is_killed_whole(monkeypatch, tmp_path):
    """A stand-in soffice that never finishes (it starts a child, as soffice starts soffice.bin):
    stopped at NIANBAO_MAX_CONVERT_SECONDS, with its child, and the line names the setting."""
    bin_dir, pid_file = tmp_path / "bin", tmp_path / "child.pid"
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\nwait\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NIANBAO_MAX_CONVERT_SECONDS", "1")
    with pytest.raises(ReadError) as caught:
        read_document(OLE_ZEROS, "slow.doc")
    assert str(caught.value) == (
        "LibreOffice 未能在 1 秒内转换完该 .doc 文件；如确是报告，请调高 NIANBAO_MAX_CONVERT_SECONDS 后再导入"
    )
    assert _gone(int(pid_file.read_text()))


def _gone(pid: int) -> bool:
    """The process has ended (or is a zombie awaiting its reaper); SIGKILL is delivered at once but
    the kernel may take a moment to tear the process down, so this waits a little for it."""
    for _ in range(100):
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


# --- Batches: one LibreOffice run for the files of an import ---------------------------------------


def counting_runs(monkeypatch) -> list[int]:
    """The number of files each LibreOffice run was given, run by run."""
    runs: list[int] = []
    real = office._run

    def run(command, form, seconds=None):
        runs.append(sum(1 for part in command if Path(part).parent.name == "in"))
        return real(command, form, seconds)

    monkeypatch.setattr(office, "_run", run)
    return runs


@needs_soffice
def test_a_batch_of_old_word_files_is_converted_by_one_run(made, monkeypatch, tmp_path):
    paths = [made("doc", "003")["003"], made("wps", "001")["001"], made("odt", "000")["000"], made("rtf", "004")["004"]]
    runs = counting_runs(monkeypatch)
    with connect(tmp_path / "t.db") as db:
        results = list(import_paths(db, paths))
        assert [r.status for r in results] == ["imported"] * 4, [r.message for r in results]
        reports = [review.load_report(db, r.report_id) for r in results]
    assert runs == [4]
    for name, report in zip(["003", "001", "000", "004"], reports, strict=True):
        assert_same_report(parse_file(sample_path(name)), report)


@needs_soffice
def test_a_damaged_file_in_a_batch_fails_alone(made, monkeypatch, tmp_path):
    whole = made("doc", "003")["003"].read_bytes()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.doc").write_bytes(whole)
    (folder / "b-cut.doc").write_bytes(whole[: len(whole) // 2])
    (folder / "c.wps").write_bytes(made("wps", "001")["001"].read_bytes())
    runs = counting_runs(monkeypatch)
    with connect(tmp_path / "t.db") as db:
        results = list(import_paths(db, [folder]))
    assert [r.status for r in results] == ["imported", "failed", "imported"]
    assert results[1].message == (
        "LibreOffice 无法打开该 .doc 文件：文件设有密码或已损坏（请取消密码，或另存为 .docx 或 PDF）"
    )
    assert runs == [3, 1]  # the batch, then the damaged file alone


def test_a_file_that_hangs_a_batch_fails_alone_and_the_others_import(monkeypatch, tmp_path):
    """A stand-in soffice that copies each input's .docx into place and never ends on one file:
    the run is killed at its limit, what it made may be unfinished, so every file is converted
    again alone; only the hanging one fails, with the time limit's line."""
    docx_dir, bin_dir, log = tmp_path / "docx", tmp_path / "bin", tmp_path / "runs.log"
    docx_dir.mkdir()
    bin_dir.mkdir()
    fake = bin_dir / "soffice"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo start >> "{log}"\n'
        'while [ "$1" != "--outdir" ]; do shift; done\n'
        'out="$2"; shift 2; mkdir -p "$out"\n'
        'for f in "$@"; do\n'
        '  if grep -q HANG "$f"; then sleep 300 & wait; fi\n'
        '  src=$(grep -a -o "COPY:[^:]*:" "$f" | cut -d: -f2)\n'
        '  name=$(basename "$f"); cp "$src" "$out/${name%.*}.docx"\n'
        "done\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NIANBAO_MAX_CONVERT_SECONDS", "1")
    monkeypatch.setattr(office, "_MORE_SECONDS", 0)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, sample, hang in (("a.doc", "003", ""), ("b.doc", "000", "HANG"), ("c.doc", "001", "")):
        word = docx_of(sample, docx_dir)
        (folder / name).write_bytes(OLE_ZEROS + f"COPY:{word}:{hang}".encode())
    with connect(tmp_path / "t.db") as db:
        results = list(import_paths(db, [folder]))
    assert [r.status for r in results] == ["imported", "failed", "imported"], [r.message for r in results]
    assert results[1].message == (
        "LibreOffice 未能在 1 秒内转换完该 .doc 文件；如确是报告，请调高 NIANBAO_MAX_CONVERT_SECONDS 后再导入"
    )
    assert (results[0].organ, results[2].organ) == (
        parse_file(sample_path("003")).organ,
        parse_file(sample_path("001")).organ,
    )
    assert len(log.read_text().splitlines()) == 4  # the batch, then each file alone


def test_outside_an_import_a_file_is_converted_alone():
    assert office._batch_converted("soffice", b"anything") is None
