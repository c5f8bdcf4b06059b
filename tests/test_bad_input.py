"""Bad input: every problem file gives the project's own error (or OSError for path problems),
one useful line from the CLI, a `failed` line in a batch that goes on, and nothing in the
database but the import log."""

from __future__ import annotations

import functools
import os
import random
import re
import shutil
import tempfile
import tracemalloc
import zipfile
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from click.testing import CliRunner

from nianbao.db.errors import NianbaoError, ParseError, ReadError
from nianbao.db.limits import MB, Limits
from nianbao.db.pipeline import _in_order, import_paths, parse_file
from nianbao.db.schema import connect
from nianbao.tui.cli import cli
from tests.forms import pdf
from tests.forms.docx import zip_bomb
from tests.forms.html import render_404
from tests.helpers import sample_bytes, sample_path

# A county government work report (政府工作报告): Chinese, numbered headings, but not an annual
# report on open government information.
WORK_REPORT = """\
夏县2025年政府工作报告
——2025年1月10日在夏县第十七届人民代表大会第五次会议上

各位代表：

现在，我代表县人民政府，向大会报告工作，请予审议，并请县政协委员和其他列席人员提出意见。

一、2024年工作回顾

过去的一年，面对复杂严峻的外部环境，全县上下坚持稳中求进工作总基调，经济运行总体平稳、稳中有进。\
全年地区生产总值增长5.2%，一般公共预算收入增长6.1%，城乡居民人均可支配收入分别增长4.8%和6.9%。

（一）产业发展提质增效。新建高标准农田3.2万亩，粮食总产量稳定在25万吨以上。

（二）民生福祉持续改善。城镇新增就业2150人，新建改扩建幼儿园4所，完成老旧小区改造12个。

二、2025年工作安排

2025年是“十四五”规划收官之年。今年经济社会发展的主要预期目标是：地区生产总值增长5.5%左右，\
一般公共预算收入增长6%，城镇新增就业2000人以上，居民收入增长与经济增长同步。

三、全面加强政府自身建设

我们将坚持依法行政，自觉接受县人大及其常委会的法律监督和县政协的民主监督，持续推进政务公开，\
让权力在阳光下运行。

各位代表，新征程上，让我们更加紧密地团结在以习近平同志为核心的党中央周围，真抓实干，奋力谱写夏县高质量发展新篇章！
"""

GOOD = "001"  # 巨鹿县: imports cleanly, without parse notes, so its CLI line says "imported"
GOOD_ORGAN = "巨鹿县人民政府办公室"


@dataclass(frozen=True)
class Case:
    id: str
    name: str  # file name (relative to the folder it is made in)
    error: type[BaseException]  # what parse_file raises
    reason: str  # a fragment the message must contain
    in_folder: bool = True  # a folder import picks it up


def _lines_000() -> list[str]:
    return sample_bytes("000").decode("utf-8").split("\n")


def _heading(lines: list[str], prefix: str) -> int:
    (index,) = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    return index


def _cut_inside_table3() -> str:
    lines = _lines_000()
    start, end = _heading(lines, "三、"), _heading(lines, "四、")
    middle = (start + end) // 2
    assert lines[middle - 1].startswith("\t") or lines[middle].startswith("\t")  # inside the table
    return "\n".join(lines[:middle])


def _cut_after_table2() -> str:
    lines = _lines_000()
    return "\n".join(lines[: _heading(lines, "三、")])


@functools.cache
def _pdf_of_good() -> bytes:
    """The good sample printed as a PDF (rendered once)."""
    with tempfile.TemporaryDirectory() as folder:
        return pdf.render(parse_file(sample_path(GOOD)), Path(folder) / "good.pdf").read_bytes()


def _without_tables() -> str:
    """Sample 001 with every table cell line removed: headings and narratives only."""
    return "\n".join(line for line in sample_bytes(GOOD).decode("utf-8").split("\n") if not line.startswith("\t"))


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"0" * 200
ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"\x00" * 20 + b"[Content_Types].xml" + b"\x00" * 200
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024

CASES = [
    Case("empty", "empty.txt", ReadError, "文件是空的"),
    Case("whitespace", "blank.txt", ReadError, "文件是空的"),
    Case("garbage", "garbage.txt", ReadError, "二进制数据"),
    Case("not-a-report", "work_report.txt", ParseError, "不是政府信息公开工作年度报告"),
    Case("cut-in-table3", "cut_in_table3.txt", ParseError, "报告似乎不完整"),
    Case("cut-after-table2", "cut_after_table2.txt", ParseError, "报告似乎不完整"),
    Case("pdf", "report.pdf", ReadError, "PDF"),
    Case("pdf-named-txt", "really_a_pdf.txt", ReadError, "PDF"),
    Case("zip-named-docx", "report.docx", ReadError, "docx"),
    # .zip is not a report suffix: a folder import skips it (by design, see db/readers
    # REPORT_SUFFIXES); named explicitly it fails.
    Case("zip", "archive.zip", ReadError, "zip", in_folder=False),
    Case("ole2-doc", "old.doc", ReadError, "另存为 .docx 或 PDF"),
    Case("pdf-truncated", "cut.pdf", ReadError, "PDF 文件已损坏或不完整"),
    Case("pdf-encrypted", "locked.pdf", ReadError, "PDF 已加密：请另存一份未加密的副本"),
    Case(
        "pdf-image-only", "scan.pdf", ReadError, "没有文字层"
    ),  # "须先经 OCR 识别", or with the extra "OCR 也未识别出任何文字"
    Case(
        "zip-bomb-docx",
        "bomb.docx",
        ReadError,
        "超过 50 MB 的上限（zip 炸弹？）；如确是报告，请调高 NIANBAO_MAX_UNZIPPED_MB 后再导入",
    ),
    Case(
        "huge-file",
        "huge.txt",
        ReadError,
        "200 MB，超过 50 MB 的上限；如确是报告，请调高 NIANBAO_MAX_FILE_MB 后再导入",
    ),
    Case("portal-404", "nb2024.html", ParseError, "不是政府信息公开工作年度报告"),
    # The probe's PDF (one 14,400-pt page of small text) took 14.5 GB: refused before it is parsed.
    Case(
        "pdf-huge-page",
        "huge_page.pdf",
        ReadError,
        "第 1 页为 14400 × 14400 pt，是 A4 页面的 414 倍，超过 20 个 A4 页面的上限；"
        "如确是报告，请调高 NIANBAO_MAX_PAGE_AREA 后再导入",
    ),
    Case(
        "pdf-dense-page",
        "dense_page.pdf",
        ReadError,
        "个字符的上限；如确是报告，请调高 NIANBAO_MAX_PAGE_CHARS 后再导入",
    ),
    Case("no-tables", "no_tables.txt", ParseError, "表二没有可识别的行"),
    # A folder import that meets a dangling symlink: see test_folder_import_reports_dangling_symlink.
    Case("dangling-symlink", "dangling.txt", OSError, "No such file", in_folder=False),
    Case("missing", "missing.txt", OSError, "No such file", in_folder=False),
    Case("directory", "a_folder", OSError, "directory", in_folder=False),
    # Not regular files: refused unread (the size check sees 0; reading would never end or start).
    Case("link-to-dev-zero", "zero.txt", ReadError, "不是普通文件，而是设备"),
    Case("link-to-dev-urandom", "random.txt", ReadError, "不是普通文件，而是设备"),
    Case("fifo", "pipe.txt", ReadError, "不是普通文件，而是管道（FIFO）"),
    # Over the system's limits: that file fails, the batch goes on.
    Case("name-too-long", "n" * 300 + ".txt", OSError, "File name too long", in_folder=False),
    Case("path-too-long", "d/" * 2100 + "r.txt", OSError, "File name too long", in_folder=False),
]
FOLDER_CASES = [c for c in CASES if c.in_folder]


def make_bad(folder: Path, case: Case) -> Path:
    """Create the bad input of `case` in `folder` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / case.name
    match case.id:
        case "empty":
            path.write_bytes(b"")
        case "whitespace":
            path.write_bytes(b"  \r\n\t\r\n   \n")
        case "garbage":
            path.write_bytes(random.Random(1).randbytes(4096))
        case "not-a-report":
            path.write_text(WORK_REPORT, encoding="utf-8")
        case "cut-in-table3":
            path.write_text(_cut_inside_table3(), encoding="utf-8")
        case "cut-after-table2":
            path.write_text(_cut_after_table2(), encoding="utf-8")
        case "pdf" | "pdf-named-txt":
            path.write_bytes(PDF)
        case "zip-named-docx" | "zip":
            path.write_bytes(ZIP)
        case "ole2-doc":
            path.write_bytes(OLE2)
        case "pdf-truncated":
            path.write_bytes(_pdf_of_good()[: len(_pdf_of_good()) // 2])
        case "pdf-encrypted":
            path.write_bytes(pdf.encrypted("secret"))
        case "pdf-image-only":
            pdf.image_only(path)
        case "zip-bomb-docx":
            path.write_bytes(zip_bomb(Limits().unzipped_mb + 10))
        case "huge-file":
            with path.open("wb") as f:
                f.truncate(200 * MB)  # sparse: costs no disk and no time
        case "portal-404":
            render_404(path)
        case "pdf-huge-page":
            pdf.one_page_of_text(path, 2000, size=(14400, 14400))
        case "pdf-dense-page":
            pdf.one_page_of_text(path, Limits().page_chars + 5000)  # an A4 page of 2-pt letters
        case "no-tables":
            path.write_text(_without_tables(), encoding="utf-8")
        case "dangling-symlink":
            os.symlink(folder / "no_such_target.txt", path)
        case "missing":
            pass
        case "directory":
            path.mkdir()
        case "link-to-dev-zero":
            os.symlink("/dev/zero", path)
        case "link-to-dev-urandom":
            os.symlink("/dev/urandom", path)
        case "fifo":
            os.mkfifo(path)
        case "name-too-long" | "path-too-long":
            pass  # no such file can be made: the name is what fails
        case _:
            raise AssertionError(case.id)
    return path


def make_all_bad(folder: Path) -> dict[str, Path]:
    return {case.id: make_bad(folder, case) for case in FOLDER_CASES}


def copy_good(folder: Path, name: str = GOOD) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(sample_path(name), folder / sample_path(name).name))


def run(args: list[str]):
    return CliRunner().invoke(cli, args, env={"NIANBAO_DB": None}, catch_exceptions=False)


def count(db_file: Path, sql: str, params=()) -> int:
    db = connect(db_file)
    try:
        return db.execute(sql, params).fetchone()[0]
    finally:
        db.close()


def test_cases_are_what_they_claim(tmp_path):
    """The generated inputs really are what the cases say (guards the helpers above)."""
    paths = {case.id: make_bad(tmp_path, case) for case in CASES}
    assert paths["empty"].stat().st_size == 0
    assert paths["dangling-symlink"].is_symlink() and not paths["dangling-symlink"].exists()
    assert paths["directory"].is_dir()
    assert not paths["missing"].exists()
    assert paths["link-to-dev-zero"].is_char_device() and paths["link-to-dev-urandom"].is_char_device()
    assert paths["fifo"].is_fifo()
    assert len(paths["name-too-long"].name.encode()) > 255 and len(bytes(paths["path-too-long"])) > 4096
    text = paths["cut-in-table3"].read_text(encoding="utf-8")
    assert "三、收到和处理政府信息公开申请情况" in text and "四、" not in text
    text = paths["cut-after-table2"].read_text(encoding="utf-8")
    assert "二、主动公开政府信息情况" in text and "三、" not in text
    assert paths["cut-after-table2"].read_text(encoding="utf-8").rstrip().endswith("0")  # last cell of table 二
    cut = paths["pdf-truncated"].read_bytes()
    assert cut.startswith(b"%PDF") and b"%%EOF" not in cut and len(cut) > 5000
    assert b"/Encrypt" in paths["pdf-encrypted"].read_bytes()
    with pdfplumber.open(paths["pdf-image-only"]) as scan:
        assert [len(p.images) for p in scan.pages] == [1] and not scan.pages[0].chars
    bomb = paths["zip-bomb-docx"]
    assert bomb.stat().st_size < MB
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("word/document.xml").file_size == 60 * MB
    assert paths["huge-file"].stat().st_size == 200 * MB
    assert "404" in paths["portal-404"].read_text(encoding="utf-8")
    with pdfplumber.open(paths["pdf-huge-page"]) as huge:
        assert [(p.width, p.height) for p in huge.pages] == [(14400, 14400)]
    with pdfplumber.open(paths["pdf-dense-page"]) as dense:
        assert len(dense.pages) == 1 and dense.pages[0].width < 600
    text = paths["no-tables"].read_text(encoding="utf-8")
    assert "二、主动公开政府信息情况" in text and "六、其他需要报告的事项" in text and "\t" not in text


# --- parse_file ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_parse_file_raises_own_error(tmp_path, case):
    path = make_bad(tmp_path, case)
    with pytest.raises(Exception) as info:
        parse_file(path)
    error = info.value
    assert isinstance(error, (NianbaoError, OSError)), repr(error)
    assert isinstance(error, case.error), repr(error)
    message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    assert case.reason in message


def test_truncated_messages_name_the_missing_sections(tmp_path):
    cut3 = make_bad(tmp_path, next(c for c in CASES if c.id == "cut-in-table3"))
    with pytest.raises(ParseError, match="报告似乎不完整") as info:
        parse_file(cut3)
    assert "四、政府信息公开行政复议、行政诉讼情况" in str(info.value)
    cut2 = make_bad(tmp_path, next(c for c in CASES if c.id == "cut-after-table2"))
    with pytest.raises(ParseError, match="报告似乎不完整") as info:
        parse_file(cut2)
    assert "三、收到和处理政府信息公开申请情况" in str(info.value)
    assert "四、政府信息公开行政复议、行政诉讼情况" in str(info.value)


# --- CLI parse -------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_parse_prints_one_error_line(tmp_path, case):
    path = make_bad(tmp_path, case)
    result = run(["--db", str(tmp_path / "t.db"), "parse", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"错误：{path}: ")
    assert case.reason in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_parse_json_prints_one_error_line(tmp_path, case):
    path = make_bad(tmp_path, case)
    result = run(["--db", str(tmp_path / "t.db"), "parse", str(path), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"错误：{path}: ")


# --- batch import ----------------------------------------------------------------------------------


def _failed_lines(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("失败")]


def _assert_only_good_stored(db_file: Path, bad: dict[str, Path], organs: set[str]) -> None:
    assert count(db_file, "SELECT count(*) FROM reports") == len(organs)
    assert count(db_file, "SELECT count(*) FROM documents") == len(organs)
    assert count(db_file, "SELECT count(*) FROM cells") == 200 * len(organs)
    assert count(db_file, "SELECT count(*) FROM cells WHERE report_id NOT IN (SELECT id FROM reports)") == 0
    db = connect(db_file)
    try:
        assert {r["organ"] for r in db.query("SELECT organ FROM reports")} == organs
        failed = {
            r["path"]: r["message"] for r in db.query("SELECT path, message FROM imports WHERE status = 'failed'")
        }
        assert count(db_file, "SELECT count(*) FROM imports WHERE status = 'imported'") == len(organs)
    finally:
        db.close()
    assert set(failed) == {str(p) for p in bad.values()}
    reasons = {c.id: c.reason for c in CASES}
    for case_id, path in bad.items():
        assert reasons[case_id] in failed[str(path)], (case_id, failed[str(path)])


def test_cli_import_folder_of_bad_files_and_one_good(tmp_path):
    folder = tmp_path / "in"
    bad = make_all_bad(folder)
    make_bad(folder, next(c for c in CASES if c.id == "zip"))  # skipped: not a report suffix
    good = copy_good(folder)
    db_file = tmp_path / "t.db"

    result = run(["--db", str(db_file), "import", str(folder)])

    assert result.exit_code == 1
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    failed = _failed_lines(result.stdout)
    assert len(failed) == len(bad), result.stdout
    reasons = {c.id: c.reason for c in CASES}
    for case_id, path in bad.items():
        (line,) = [line for line in failed if f" {path}: " in line]
        assert reasons[case_id] in line, line
    (good_line,) = [line for line in lines if str(good) in line]
    assert good_line.startswith("已导入 ")
    assert GOOD_ORGAN in good_line and "2024" in good_line
    assert "archive.zip" not in result.stdout
    assert lines[-1] == f"{len(bad) + 1} 个文件：已导入 1，失败 {len(bad)}"  # the good one sorts first
    assert len(lines) == len(bad) + 2  # one line per file and the summary

    _assert_only_good_stored(db_file, bad, {GOOD_ORGAN})


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_cli_import_named_bad_file(tmp_path, case):
    path = make_bad(tmp_path / "in", case)
    db_file = tmp_path / "t.db"
    result = run(["--db", str(db_file), "import", str(path)])
    if case.id == "directory":
        # An empty folder holds nothing to import: that is an error too (exit 1), not a failed file.
        assert result.exit_code == 1
        assert result.stdout.splitlines() == ["0 个文件：没有可导入的文件"]
        return
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    assert lines[0].startswith(f"失败      {path}: ")
    assert case.reason in lines[0]
    assert lines[1] == "1 个文件：失败 1"
    assert count(db_file, "SELECT count(*) FROM reports") == 0
    assert count(db_file, "SELECT count(*) FROM documents") == 0
    assert count(db_file, "SELECT count(*) FROM cells") == 0
    assert count(db_file, "SELECT count(*) FROM imports WHERE status = 'failed' AND path = ?", [str(path)]) == 1


def test_cli_import_bad_file_first_still_imports_the_rest(tmp_path):
    folder = tmp_path / "in"
    bad = make_bad(folder, next(c for c in CASES if c.id == "cut-in-table3"))
    garbage = make_bad(folder, next(c for c in CASES if c.id == "garbage"))
    goods = [copy_good(folder, n) for n in ("001", "002", "003")]
    db_file = tmp_path / "t.db"

    result = run(["--db", str(db_file), "import", str(bad), *map(str, goods), str(garbage)])

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 6, result.stdout
    assert lines[0].startswith(f"失败      {bad}: ") and "报告似乎不完整" in lines[0]
    for line, good in zip(lines[1:4], goods):
        assert str(good) in line
    assert lines[1].startswith("已导入 ") and "巨鹿县人民政府办公室 2024" in lines[1]
    assert lines[2].startswith("有待审核 ") and "温县人民政府办公室 2024（提示 1 个待审核）" in lines[2]
    assert lines[3].startswith("有待审核 ") and "交口县人民政府办公室 2024（错误 2 个待审核）" in lines[3]
    assert lines[4].startswith(f"失败      {garbage}: ") and "二进制数据" in lines[4]
    assert lines[5] == "5 个文件：失败 2，已导入 3；2 个有待审核的问题"
    assert count(db_file, "SELECT count(*) FROM reports") == 3
    assert count(db_file, "SELECT count(*) FROM documents") == 3
    assert count(db_file, "SELECT count(*) FROM cells") == 600


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "two-workers"])
def test_pipeline_bad_file_first_in_folder(tmp_path, db, workers):
    """Through the library: folder order puts the bad files first; the good ones still import,
    also when worker processes parse them (each file its own result, each report one transaction)."""
    folder = tmp_path / "in"
    bad = {case.id: make_bad(folder / "0_bad", case) for case in FOLDER_CASES}
    goods = [copy_good(folder / "1_good", n) for n in ("001", "002")]

    results = list(import_paths(db, [folder], workers=workers))

    assert [r.path for r in results[: len(bad)]] == sorted(str(p) for p in bad.values())
    assert all(r.status == "failed" and r.message for r in results[: len(bad)])
    assert [(r.path, r.status) for r in results[len(bad) :]] == [(str(g), "imported") for g in goods]
    assert [r.organ for r in results[len(bad) :]] == ["巨鹿县人民政府办公室", "温县人民政府办公室"]
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM cells").fetchone()[0] == 400
    failed = db.execute("SELECT count(*) FROM imports WHERE status = 'failed'").fetchone()[0]
    assert failed == len(bad)


def test_failed_file_then_fixed_file_imports(tmp_path, db):
    """A file that failed is not remembered as known: once fixed, it imports."""
    folder = tmp_path / "in"
    path = make_bad(folder, next(c for c in CASES if c.id == "cut-in-table3"))
    (first,) = import_paths(db, [path])
    assert first.status == "failed"
    path.write_bytes(sample_bytes("000"))
    (second,) = import_paths(db, [path])
    assert second.status == "imported"
    assert second.organ == "夏县人民政府办公室"
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1


def test_workers_give_the_results_of_one_process(tmp_path):
    """Parsed in two worker processes or in one: the same results, messages and stored cells."""
    folder = tmp_path / "in"
    make_all_bad(folder / "0_bad")
    for n in ("000", "001", "003"):
        copy_good(folder / "1_good", n)
    stored = {}
    for workers in (1, 2):
        database = connect(tmp_path / f"w{workers}.db")
        results = [
            (r.path, r.status, r.organ, r.errors, r.warnings, r.message)
            for r in import_paths(database, [folder], workers=workers)
        ]
        cells = database.execute("SELECT table_name, row_key, column_key, value FROM cells ORDER BY 1, 2, 3").fetchall()
        stored[workers] = (results, cells)
        database.close()
    assert stored[2] == stored[1]
    assert len(stored[1][1]) == 600


def test_folder_import_reports_dangling_symlink(tmp_path, db):
    """A report file in the folder that cannot be read (a symlink whose target is gone, e.g. an
    unmounted share) must be reported as failed, not skipped without a word."""
    folder = tmp_path / "in"
    link = make_bad(folder, next(c for c in CASES if c.id == "dangling-symlink"))
    good = copy_good(folder)

    results = list(import_paths(db, [folder]))

    assert [(r.path, r.status) for r in results] == [(str(good), "imported"), (str(link), "failed")]
    assert "No such file" in results[1].message
    assert db.execute("SELECT count(*) FROM imports WHERE status = 'failed'").fetchone()[0] == 1


@pytest.mark.parametrize(
    "head",
    [
        b"\xef\xbb\xbf<!DOCTYPE html><html>",
        b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">',
        b"<!-- saved from portal -->\n<html>",
        b"<head><meta charset=utf-8>",
        b"  <meta http-equiv=Content-Type content='text/html; charset=gb2312'>",
    ],
)
def test_html_is_detected_without_a_suffix(head):
    from nianbao.db.readers import detect_form

    assert detect_form(head + b"<body>...</body></html>", "report") == "html"
    assert detect_form("夏县人民政府办公室\n2024年政府信息公开工作年度报告".encode(), "report") == "text"


# --- Limits ----------------------------------------------------------------------------------------


def test_huge_file_is_refused_by_its_size_unread(tmp_path, db):
    """A 200 MB file never enters memory: refused by its size before reading."""
    path = make_bad(tmp_path, next(c for c in CASES if c.id == "huge-file"))
    tracemalloc.start()
    try:
        with pytest.raises(ReadError):
            parse_file(path)
        (result,) = import_paths(db, [path])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.message == ("文件有 200 MB，超过 50 MB 的上限；如确是报告，请调高 NIANBAO_MAX_FILE_MB 后再导入")
    assert peak < 5 * MB


def test_limits_are_settings(monkeypatch):
    assert Limits() == Limits.from_env({}) == Limits(file_mb=50, pages=200, unzipped_mb=50)
    env = {"NIANBAO_MAX_FILE_MB": "300", "NIANBAO_MAX_PAGES": " 5 ", "NIANBAO_MAX_UNZIPPED_MB": ""}
    assert Limits.from_env(env) == Limits(file_mb=300, pages=5, unzipped_mb=50)
    for bad in ("0", "-1", "ten", "1.5"):
        with pytest.raises(NianbaoError, match=f"^NIANBAO_MAX_PAGES 须为正整数，而不是 '{bad}'$"):
            Limits.from_env({"NIANBAO_MAX_PAGES": bad})


def test_raising_a_limit_lets_the_file_in(tmp_path, monkeypatch):
    """What the refusal says to do works: the same file, the limit raised, imports."""
    good = copy_good(tmp_path / "in")
    monkeypatch.setenv("NIANBAO_MAX_FILE_MB", "1")
    huge = tmp_path / "in" / "padded.txt"
    huge.write_bytes(good.read_bytes() + b"\n" + b" " * (2 * MB))  # a report padded to 2 MB
    db_file = tmp_path / "t.db"
    refused = run(["--db", str(db_file), "import", str(huge)])
    assert refused.exit_code == 1
    assert refused.stdout.splitlines()[0] == (
        f"失败      {huge}: 文件有 3 MB，超过 1 MB 的上限；如确是报告，请调高 NIANBAO_MAX_FILE_MB 后再导入"
    )
    monkeypatch.setenv("NIANBAO_MAX_FILE_MB", "3")
    accepted = run(["--db", str(db_file), "import", str(huge)])
    assert accepted.exit_code == 0, accepted.stdout
    assert accepted.stdout.splitlines()[0].startswith(f"已导入    {huge} → 报告 1：{GOOD_ORGAN} 2024")


def test_page_limit(tmp_path, monkeypatch):
    path = tmp_path / "report.pdf"
    path.write_bytes(_pdf_of_good())
    assert parse_file(path).organ == GOOD_ORGAN
    monkeypatch.setenv("NIANBAO_MAX_PAGES", "2")
    with pytest.raises(ReadError) as info:
        parse_file(path)
    assert str(info.value).startswith("PDF 有 ")
    assert str(info.value).endswith(" 页，超过 2 页的上限；如确是报告，请调高 NIANBAO_MAX_PAGES 后再导入")


def test_page_character_limit(tmp_path, monkeypatch):
    """A page of more characters than the limit is refused before pdfminer parses it, naming the
    page, the count and the variable; raised, the same file is read (and judged on its text)."""
    path = pdf.one_page_of_text(tmp_path / "dense.pdf", 2000)
    monkeypatch.setenv("NIANBAO_MAX_PAGE_CHARS", "1000")
    with pytest.raises(ReadError) as info:
        parse_file(path)
    assert re.fullmatch(
        r"第 1 页有 20\d\d 个字符，超过 1000 个字符的上限；如确是报告，请调高 NIANBAO_MAX_PAGE_CHARS 后再导入",
        str(info.value),
    )
    monkeypatch.setenv("NIANBAO_MAX_PAGE_CHARS", "3000")
    with pytest.raises(ParseError, match="不是政府信息公开工作年度报告"):
        parse_file(path)


def test_page_area_limit(tmp_path, monkeypatch):
    path = pdf.one_page_of_text(tmp_path / "long.pdf", 100, size=(595, 842 * 3))
    monkeypatch.setenv("NIANBAO_MAX_PAGE_AREA", "2")
    with pytest.raises(ReadError) as info:
        parse_file(path)
    assert str(info.value) == (
        "第 1 页为 595 × 2526 pt，是 A4 页面的 3 倍，超过 2 个 A4 页面的上限；"
        "如确是报告，请调高 NIANBAO_MAX_PAGE_AREA 后再导入"
    )
    monkeypatch.setenv("NIANBAO_MAX_PAGE_AREA", "3")
    with pytest.raises(ParseError, match="不是政府信息公开工作年度报告"):
        parse_file(path)


def test_a_pdf_pdfium_cannot_open_is_read_as_before(tmp_path, monkeypatch):
    """The page bounds come from pdfium; a file it refuses is no reason to refuse the report."""
    import pypdfium2

    def refuse(*args, **kwargs):
        raise pypdfium2.PdfiumError("cannot open")

    monkeypatch.setattr(pypdfium2, "PdfDocument", refuse)
    monkeypatch.setenv("NIANBAO_MAX_PAGE_CHARS", "1")  # would refuse every page pdfium could count
    path = tmp_path / "report.pdf"
    path.write_bytes(_pdf_of_good())
    assert parse_file(path).organ == GOOD_ORGAN


@pytest.mark.parametrize("where", ["pdfminer", "nianbao"])
def test_running_out_of_memory_is_not_called_damage(tmp_path, monkeypatch, where):
    """The probe's file was refused at 2 GB as "damaged or truncated: MemoryError". Out of memory
    in pdfminer's parsing (pdfplumber wraps it) or in the reader's own work, the reason is the size."""
    from pdfminer.pdfinterp import PDFPageInterpreter

    from nianbao.db.readers import pdf as pdf_reader

    def exhaust(*args, **kwargs):
        raise MemoryError

    if where == "pdfminer":
        monkeypatch.setenv("NIANBAO_PDF_ENGINE", "pdfminer")  # PDFium's case: test_reader_pdf_engines.py
        monkeypatch.setattr(PDFPageInterpreter, "process_page", exhaust)
    else:
        monkeypatch.setattr(pdf_reader, "text_lines", exhaust)
    path = tmp_path / "report.pdf"
    path.write_bytes(_pdf_of_good())
    with pytest.raises(ReadError) as info:
        parse_file(path)
    assert str(info.value) == ("PDF 太大，无法读取：所需内存超出本机允许（某页对报告而言过大或过密？）")


def test_unzipped_limit(tmp_path, monkeypatch):
    path = tmp_path / "bomb.docx"
    path.write_bytes(zip_bomb(3))
    monkeypatch.setenv("NIANBAO_MAX_UNZIPPED_MB", "2")
    with pytest.raises(ReadError, match=r"^\.docx 解压后有 3 MB，超过 2 MB 的上限（zip 炸弹？）"):
        parse_file(path)
    monkeypatch.setenv("NIANBAO_MAX_UNZIPPED_MB", "4")
    with pytest.raises(ReadError, match="XML 格式不正确"):  # inflated and read: zeros are no XML
        parse_file(path)


# --- Files that import, and what the user is told --------------------------------------------------


def _with_year(text: str, year: int) -> str:
    """The report's year changed in its title and its statistics period alike."""
    return text.replace("2024年政府信息公开工作年度报告", f"{year}年政府信息公开工作年度报告", 1).replace(
        "统计期限为2024年1月1日", f"统计期限为{year}年1月1日", 1
    )


@pytest.mark.parametrize(
    ("edit", "finding"),
    [
        (lambda t: _with_year(t, 2099), "报告年度2099年不可能：年度报告只涵盖2008年至"),
        (lambda t: _with_year(t, 2003), "报告年度2003年不可能：年度报告只涵盖2008年至"),
        (
            lambda t: t.rstrip() + f"\n{GOOD_ORGAN}\n2024年6月1日\n",
            "落款日期2024-06-01早于报告年度2024年结束，年度或日期有误",
        ),
    ],
    ids=["future", "before-the-regulation", "dated-before-year-end"],
)
def test_wrong_year_imports_with_an_error_to_review(tmp_path, edit, finding):
    """A wrong year is the report's own content, not a broken file: it is imported (nothing is
    lost) with an IDENTITY error, which blocks approval until the operator corrects it."""
    path = tmp_path / "report.txt"
    path.write_text(edit(sample_bytes(GOOD).decode("utf-8")), encoding="utf-8")
    db_file = tmp_path / "t.db"
    result = run(["--db", str(db_file), "import", str(path)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith(f"有待审核  {path} → 报告 1：{GOOD_ORGAN} ")
    assert "（错误 1 个待审核）" in result.stdout
    checked = run(["--db", str(db_file), "check"])
    assert checked.exit_code == 1
    assert finding in checked.stdout and "IDENTITY" in checked.stdout  # `check` reads in Chinese


def test_duplicate_files_same_bytes_are_unchanged(tmp_path):
    folder = tmp_path / "in"
    first = copy_good(folder)
    second = folder / "copy of the same report.txt"
    second.write_bytes(first.read_bytes())
    db_file = tmp_path / "t.db"
    result = run(["--db", str(db_file), "import", str(first), str(second), str(first)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"已导入    {first} → 报告 1：{GOOD_ORGAN} 2024")
    assert lines[1] == f"未变      {second} → 报告 1 — 同一文件已导入过"
    assert lines[2] == f"未变      {first} → 报告 1 — 同一文件已导入过"
    assert lines[3] == "3 个文件：已导入 1，未变 2"
    assert count(db_file, "SELECT count(*) FROM reports") == 1
    assert count(db_file, "SELECT count(*) FROM documents") == 1


def test_duplicate_report_other_bytes_replaces_and_keeps_the_old_file(tmp_path):
    """The same organ and year from another file (a corrected re-publication): the newer file's
    values replace the report's, the old file stays in `documents`, and the line says which."""
    folder = tmp_path / "in"
    first = copy_good(folder)
    second = folder / "republished.txt"
    second.write_bytes(first.read_bytes().replace("扎实推进".encode(), "稳步推进".encode(), 1))
    db_file = tmp_path / "t.db"
    result = run(["--db", str(db_file), "import", str(first), str(second)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == f"已替换    {second} → 报告 1：{GOOD_ORGAN} 2024 — 取代从 {first.name} 导入的报告"
    assert count(db_file, "SELECT count(*) FROM reports") == 1
    assert count(db_file, "SELECT count(*) FROM documents") == 2
    assert count(db_file, "SELECT count(*) FROM narratives WHERE text LIKE '%稳步推进%'") == 1


HOSTILE_NAME = "$(rm -rf x);'\"&|`touch y`.txt"


def test_file_name_with_shell_metacharacters(tmp_path, monkeypatch):
    """Names are data, never a command: the file imports and its name is printed as it is."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").mkdir()
    path = tmp_path / "in" / HOSTILE_NAME
    path.parent.mkdir()
    path.write_bytes(sample_bytes(GOOD))
    result = run(["--db", "t.db", "import", "in"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"已导入    in/{HOSTILE_NAME} → 报告 1：{GOOD_ORGAN} 2024"
    assert (tmp_path / "x").is_dir() and not (tmp_path / "y").exists()
    assert count(tmp_path / "t.db", "SELECT count(*) FROM documents WHERE name = ?", [HOSTILE_NAME]) == 1
    parsed = run(["parse", str(path)])
    assert parsed.exit_code == 0 and parsed.stdout.startswith(GOOD_ORGAN)


def test_relative_paths_with_dot_dot_are_just_paths(tmp_path, monkeypatch):
    """A path with ../ on the command line names the file it leads to, no more: it is read, and
    recorded as given; a ../ path to nothing fails like any missing file."""
    monkeypatch.chdir(tmp_path)
    copy_good(tmp_path / "in")
    (tmp_path / "work").mkdir()
    name = sample_path(GOOD).name
    result = run(["--db", "t.db", "import", f"work/../in/{name}", "../../../../../../etc/nianbao-no-such-file"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"已导入    work/../in/{name} → 报告 1")
    assert lines[1].startswith("失败      ../../../../../../etc/nianbao-no-such-file: 无法读取（系统：No such file")
    assert result.exit_code == 1


def test_publish_never_writes_outside_its_folder_whatever_the_database_holds(tmp_path):
    """Stored names are untrusted: a region code and a file name made of ../ (a tampered
    database, or a correction gone wrong) name no file outside the output folder."""
    copy_good(tmp_path / "in")
    db_file = tmp_path / "t.db"
    assert run(["--db", str(db_file), "import", str(tmp_path / "in")]).exit_code == 0
    db = connect(db_file)
    with db.conn:
        db.execute("UPDATE reports SET region_code = ?", ["../../../../../../../escaped"])
        db.execute("UPDATE documents SET name = ?", ["../../../../../../../escaped.txt"])
    db.close()
    out = tmp_path / "a" / "b" / "out"
    result = run(["--db", str(db_file), "publish", "--out", str(out), "--include-unapproved"])
    assert result.exit_code == 0, result.output
    written = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in written if "escaped" in p.name]
    assert {p.parts[0] for p in written} <= {"in", "a", "t.db", "t.db-wal", "t.db-shm"}
    assert all(p.parts[:3] == ("a", "b", "out") for p in written if p.parts[0] == "a")
    assert sorted(p.name for p in (out / "site" / "sources").iterdir()) == ["report-1.txt"]


def test_gbk_text_with_a_few_invalid_bytes_imports_with_a_note(tmp_path):
    """A GBK report with two bytes that decode in no encoding (a damaged download): kept, with the
    bytes shown as �, and the import line and the parse notes say where to look."""
    text = sample_bytes(GOOD).decode("utf-8")
    data = text.encode("gbk")
    at = data.index("为奋力开创".encode("gbk"))
    path = tmp_path / "gbk.txt"
    path.write_bytes(data[:at] + b"\x80\xff" + data[at:])
    db_file = tmp_path / "t.db"
    result = run(["--db", str(db_file), "import", str(path)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        f"已导入    {path} → 报告 1：{GOOD_ORGAN} 2024 — 有2个字符无法解码，显示为�，第一个在第6行：请与原文件核对"
    )
    assert count(db_file, "SELECT count(*) FROM narratives WHERE text LIKE '%��为奋力开创%'") == 1
    assert count(db_file, "SELECT count(*) FROM parse_notes WHERE code = 'undecodable'") == 1
    assert count(db_file, "SELECT count(*) FROM documents WHERE encoding = 'gb18030'") == 1


def test_text_with_many_invalid_bytes_is_still_refused(tmp_path):
    """One bad byte in every 200 is not damage but another encoding or binary data: refused, not
    filled with �."""
    data = sample_bytes(GOOD).decode("utf-8").encode("gbk")
    path = tmp_path / "odd.txt"
    path.write_bytes(b"".join(data[i : i + 200] + b"\xff" for i in range(0, len(data), 200)))
    with pytest.raises(ReadError, match="无法确定文本编码"):
        parse_file(path)


def test_invalid_byte_in_a_table_cell_is_no_value(tmp_path):
    """A bad byte stuck to a number (“0�”) does not become 0: the cell keeps its text in its own
    column, which is an error to review (CELL-TYPE), the cells after it keep theirs, and the line
    points at the byte."""
    lines = sample_bytes(GOOD).decode("utf-8").split("\n")
    cell = [i for i, line in enumerate(lines) if line.startswith("\t") and line.strip().isdigit()][5]
    head = "\n".join(lines[: cell + 1]).encode("gbk")
    path = tmp_path / "gbk.txt"
    path.write_bytes(head + b"\xff" + "\n".join(lines).encode("gbk")[len(head) :])
    db_file = tmp_path / "t.db"
    result = run(["--db", str(db_file), "import", str(path)])
    assert result.stdout.splitlines()[0] == (
        f"有待审核  {path} → 报告 1：{GOOD_ORGAN} 2024（错误 1 个待审核）"
        f" — 有1个字符无法解码，显示为�，第一个在第{cell + 1}行第4列：请与原文件核对"
    )
    assert count(db_file, "SELECT count(*) FROM findings WHERE rule = 'CELL-TYPE'") == 1
    assert count(db_file, "SELECT count(*) FROM cells WHERE value = '0\ufffd'") == 1
    assert count(db_file, "SELECT count(*) FROM findings WHERE rule = 'CELL-MISSING'") == 0
    assert count(db_file, "SELECT count(*) FROM cells WHERE value IS NULL") == 0


def test_workers_get_a_few_files_ahead_not_the_whole_batch(tmp_path):
    """Results wait in memory for storing: at most `ahead` files are handed out and not taken."""

    class Pool:
        def __init__(self):
            self.given = self.taken = self.most = 0

        def submit(self, fn, path):
            self.given += 1
            self.most = max(self.most, self.given - self.taken)
            future = Future()
            future.set_result(path)
            return future

    pool = Pool()
    files = [tmp_path / f"{n}.txt" for n in range(20)]
    out = []
    for result in _in_order(pool, files, 3):
        pool.taken += 1
        out.append(result)
    assert out == files
    assert pool.most == 3


# --- Names and files that are not what they seem ----------------------------------------------------


def test_names_that_are_not_utf8_import_shown_escaped(tmp_path):
    """What `unzip` makes of a Windows zip with Chinese names: GBK bytes, not UTF-8. The file
    imports; its name is shown (and logged) with the bytes escaped."""
    folder = tmp_path / os.fsdecode(b"in_\xb9\xfa")  # 国 in GBK
    folder.mkdir()
    name = os.fsdecode(b"\xb9\xfa\xbc\xd2.txt")  # 国家 in GBK
    (folder / name).write_bytes(sample_bytes(GOOD))
    db_file = tmp_path / "t.db"
    result = run(["--db", str(db_file), "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    shown = f"{tmp_path}/in_\\xb9\\xfa/\\xb9\\xfa\\xbc\\xd2.txt"
    assert result.stdout.splitlines() == [f"已导入    {shown} → 报告 1：{GOOD_ORGAN} 2024", "1 个文件：已导入 1"]
    assert count(db_file, "SELECT count(*) FROM imports WHERE path = ? AND status = 'imported'", [shown]) == 1
    assert count(db_file, "SELECT count(*) FROM documents WHERE name = ?", ["\\xb9\\xfa\\xbc\\xd2.txt"]) == 1


def test_a_newline_in_a_name_forges_no_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    forged = folder / "a\nimported  forged.txt → report 99: 伪造 2024\x1b[2K.txt"
    forged.write_bytes(sample_bytes(GOOD))
    result = run(["--db", str(tmp_path / "t.db"), "import", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1] == "1 个文件：已导入 1"
    assert lines[0].startswith(
        f"已导入    {folder}/a\\nimported  forged.txt → report 99: 伪造 2024\\x1b[2K.txt → 报告 1"
    )
    parsed = run(["--db", str(tmp_path / "t.db"), "parse", str(folder / "b\nno such.txt")])
    assert parsed.stderr == f"错误：{folder}/b\\nno such.txt: 不存在（系统：No such file or directory）\n"


@pytest.mark.parametrize("codec", ["hex", "rot13", "base64", "zlib", "bz2", "uu", "no-such-codec"])
def test_html_declaring_a_codec_that_is_not_text_is_read_as_undeclared(tmp_path, codec):
    from tests.forms import html

    page = html.render(parse_file(sample_path(GOOD)), tmp_path / "r.html", style="modern").read_bytes()
    assert page.count(b'charset="utf-8"') == 1
    (tmp_path / "r.html").write_bytes(page.replace(b'charset="utf-8"', f'charset="{codec}"'.encode()))
    assert parse_file(tmp_path / "r.html").organ == GOOD_ORGAN


def test_an_unreadable_named_file_fails_alone(tmp_path, monkeypatch):
    """chmod 000 (simulated: the tests run as root, whom permissions do not stop): that file
    fails with one line, the readable file beside it is imported. click's own check used to
    refuse the whole command with a usage message (exit 2)."""
    good = copy_good(tmp_path / "in")
    locked = tmp_path / "in" / "locked.txt"
    locked.write_bytes(sample_bytes("002"))
    real_access, real_open = os.access, os.open

    def access(path, mode, *args, **kwargs):
        return False if os.fspath(path) == str(locked) else real_access(path, mode, *args, **kwargs)

    def open_(path, flags, *args, **kwargs):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(os, "open", open_)
    result = run(["--db", str(tmp_path / "t.db"), "import", str(locked), str(good)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"失败      {locked}: 无法读取（系统：Permission denied）",
        f"已导入    {good} → 报告 1：{GOOD_ORGAN} 2024",
        "2 个文件：失败 1，已导入 1",
    ]
    parsed = run(["--db", str(tmp_path / "t.db"), "parse", str(locked)])
    assert (parsed.exit_code, parsed.stderr) == (1, f"错误：{locked}: 没有权限（系统：Permission denied）\n")


def _page_with_table(rows: int, cols: int, *, rowspan: bool = False) -> bytes:
    first = "".join(f"<td{' rowspan=0' if rowspan else ''}>{c}</td>" for c in range(cols))
    rest = "<tr><td></td></tr>" if rowspan else "<tr>" + "<td>1</td>" * cols + "</tr>"
    return f"<html><body><table><tr>{first}</tr>{rest * (rows - 1)}</table></body></html>".encode()


def test_a_table_of_more_cells_than_any_report_is_refused(tmp_path, monkeypatch):
    """A web page of a 300×300 table (the probe's 1,500×1,500 took 44 s and 1.6 GB): refused
    before its cells are read, naming the limit and the variable that raises it."""
    path = tmp_path / "big.html"
    path.write_bytes(_page_with_table(300, 300))
    with pytest.raises(ReadError) as info:
        parse_file(path)
    assert str(info.value) == (
        "有一个表格有 90000 个单元格，超过 50000 个单元格的上限；如确是报告，请调高 NIANBAO_MAX_TABLE_CELLS 后再导入"
    )
    monkeypatch.setenv("NIANBAO_MAX_TABLE_CELLS", "100000")
    with pytest.raises(ParseError, match="不是政府信息公开工作年度报告"):  # read, and judged on its text
        parse_file(path)


def test_rowspans_count_toward_the_table_cell_limit(tmp_path, monkeypatch):
    """Cells rowspan carries down count too: 300 <td>s spanning 300 rows are 90,000 cells."""
    monkeypatch.setenv("NIANBAO_MAX_TABLE_CELLS", "1000")
    path = tmp_path / "spans.html"
    path.write_bytes(_page_with_table(300, 300, rowspan=True))
    with pytest.raises(ReadError, match=r"^有一个表格有 \d+ 个单元格，超过 1000 个单元格的上限"):
        parse_file(path)


def test_the_table_cell_limit_holds_for_docx(tmp_path, monkeypatch):
    from tests.forms import docx

    path = docx.render(parse_file(sample_path(GOOD)), tmp_path / "r.docx")
    assert parse_file(path).organ == GOOD_ORGAN
    monkeypatch.setenv("NIANBAO_MAX_TABLE_CELLS", "100")  # table 三 has more
    with pytest.raises(
        ReadError, match=r"^有一个表格有 \d+ 个单元格，超过 100 个单元格的上限；.* NIANBAO_MAX_TABLE_CELLS"
    ):
        parse_file(path)
