"""What a person reads when a file fails, a request is refused or the machine is at fault is
Chinese where it is made (issue 16): each message holds Chinese and no run of three or more English
words. Technical tokens stay as they are (file names, options, packages, codes, the names of the
formats and programs), and so does a library's or the system's own wording, quoted in brackets
after its name: （pdfminer：Unexpected EOF）, （系统：No space left on device）.

The messages are those really produced: every refusal of the bad-input table, the reader and limit
refusals, each review refusal, the machine's faults, the region notes and the publish refusals;
and, so that a new English message cannot slip in unseen, every error raised with a literal
message in the modules that make them (read from their source)."""

from __future__ import annotations

import ast
import errno
import re
import sqlite3
from pathlib import Path

import pytest

from nianbao.db import faults, review
from nianbao.db.errors import NianbaoError
from nianbao.db.limits import MB, Limits
from nianbao.db.pipeline import import_paths, parse_file
from nianbao.db.readers import office as office_reader
from nianbao.db.readers import pdf as pdf_reader
from nianbao.db.readers import read_document
from nianbao.db.readers.docx import read_docx
from nianbao.db.readers.encoding import decode
from nianbao.db.regions import resolve_region
from nianbao.publish.guard import Removals, WouldRemove
from nianbao.publish.serving import Server
from tests.forms.docx import zip_bomb
from tests.helpers import sample_path
from tests.test_bad_input import CASES, OLE2, PDF, ZIP, make_bad

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u3400-\u9fff]")

# Words that are names, not English: formats, programs, units, the codes a person types or looks up.
TECHNICAL = {
    "pdf", "word", "docx", "doc", "wps", "rtf", "odt", "html", "htm", "txt", "xml", "zip", "png", "jpeg",
    "ocr", "unicode", "cid", "utf", "gb", "gbk", "gb18030", "libreoffice", "libxml2", "lxml", "pdfminer",
    "pdfium", "zipfile", "sqlite3", "datasette", "pagefind", "cbor", "fifo", "socket", "pt", "mb", "a4",
    "nianbao", "body", "printf", "fts3_tokenizer", "table3", "total", "natural", "organ", "year",
    "region_code", "published", "utf-8", "utf-16", "w",
}  # fmt: skip
# A library's or the system's own words, quoted after its name in full-width brackets.
QUOTED = re.compile(r"（(?:[A-Za-z][\w.]*|系统)：")
# Commands and options a message tells the operator to run, kept whole.
COMMANDS = re.compile(r"(?:pip|apt-get) install \S+|nianbao (?:merge|remove|publish)\b[^（）；，]*|--[a-z-]+")
WORD = re.compile(r"[A-Za-z][\w'-]*")


def _without_quotes(message: str) -> str:
    """The message with each quoted library or system wording cut out (brackets nest)."""
    while match := QUOTED.search(message):
        depth, end = 1, match.end()
        while end < len(message) and depth:
            depth += {"（": 1, "）": -1}.get(message[end], 0)
            end += 1
        message = message[: match.start()] + message[end:]
    return message


def english_run(message: str) -> str | None:
    """The first run of three or more English words outside the technical tokens, or None."""
    text = COMMANDS.sub(" ", _without_quotes(message))
    text = re.sub(r"\S*[/\\]\S*|[\w-]*(?:\.[\w-]+)+|NIANBAO_\w+", " ", text)  # paths, file and host names
    for segment in re.split(r"[^\x00-\x7f]+", text):  # stretches with no Chinese in them
        run: list[str] = []
        for word in WORD.findall(segment):
            if word.lower() in TECHNICAL:
                run = []
                continue
            run.append(word)
            if len(run) >= 3:
                return " ".join(run)
    return None


def assert_chinese(message: str) -> None:
    assert CJK.search(message), f"no Chinese: {message!r}"
    assert "\n" not in message, f"more than one line: {message!r}"
    run = english_run(message)
    assert run is None, f"English words {run!r} in {message!r}"


# --- The rule itself --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "the PDF is damaged or truncated: Unexpected EOF; download it again",
        "文件是空的 — the file is empty",
        "数据库中没有报告 5 (no report 5 in the database)",
        "PDF 已损坏（see the log for details）",
        "NIANBAO_MAX_FILE_MB must be a positive whole number",
    ],
)
def test_the_rule_catches_english(message):
    with pytest.raises(AssertionError):
        assert_chinese(message)


@pytest.mark.parametrize(
    "message",
    [
        "PDF 文件已损坏或不完整（pdfminer：No /Root object! - Is this really a PDF?）；请重新下载",
        "图片须经 OCR 读取，但 OCR 未安装：pip install 'nianbao[ocr]'",
        "/tmp/x/n.db: 磁盘已满（系统：No space left on device）",
        "报告 2 已是 X：可合并（nianbao merge 1 2 --reason …）或移除（nianbao remove 1 --reason …）",
    ],
)
def test_the_rule_lets_technical_tokens_and_quoted_wording_pass(message):
    assert_chinese(message)


# --- Messages as produced ---------------------------------------------------------------------------


def _message(call) -> str:
    with pytest.raises((NianbaoError, OSError)) as caught:
        call()
    error = caught.value
    return str(error)


@pytest.mark.parametrize("case", [c for c in CASES if issubclass(c.error, NianbaoError)], ids=lambda c: c.id)
def test_every_bad_input_refusal_is_chinese(tmp_path, case):
    path = make_bad(tmp_path, case)
    with pytest.raises(NianbaoError) as caught:
        parse_file(path)
    assert_chinese(str(caught.value))


READER_CASES = {
    "zip": lambda: read_document(ZIP, "archive.zip"),
    "pdf-header-only": lambda: read_document(PDF, "report.pdf"),
    "encrypted-docx": lambda: read_docx(OLE2 + "EncryptedPackage".encode("utf-16-le")),
    "ole-as-docx": lambda: read_docx(OLE2),
    "cut-zip": lambda: read_docx(b"PK\x03\x04" + b"\x00" * 100),
    "bomb": lambda: read_docx(zip_bomb(Limits().unzipped_mb + 10)),
    "bad-utf16": lambda: decode(b"\xff\xfe\x00\xd8"),
    "empty-text": lambda: decode(b"\xef\xbb\xbf  \n"),
    "binary-text": lambda: decode(bytes(range(32)) * 40),
    "bad-image": lambda: read_document(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "scan.png"),
}


@pytest.mark.parametrize("case", READER_CASES)
def test_reader_refusals_are_chinese(case):
    assert_chinese(_message(READER_CASES[case]))


def test_the_pdf_readers_named_refusals_are_chinese():
    for message in (
        pdf_reader.NO_TEXT,
        pdf_reader.ENCRYPTED,
        pdf_reader.DAMAGED,
        pdf_reader.NO_UNICODE,
        pdf_reader.TOO_LARGE,
    ):
        assert_chinese(message)


def test_office_refusal_without_libreoffice_is_chinese(monkeypatch):
    monkeypatch.setattr(office_reader, "soffice", lambda: None)
    assert_chinese(_message(lambda: office_reader.read_office(OLE2, "doc")))


def _raise(error: Exception) -> None:
    raise error


def test_limit_refusals_are_chinese():
    limits = Limits(file_mb=1, pages=2, unzipped_mb=1, table_cells=10, page_chars=10, page_area=1)
    for call in (
        lambda: limits.check_file_size(3 * MB),
        lambda: limits.check_pages(5),
        lambda: limits.check_page_area(1, 2000, 2000),
        lambda: limits.check_page_chars(1, 100),
        lambda: limits.check_table_cells(100),
        lambda: _raise(limits.unzipped_too_large(3 * MB, at_least=True)),
        lambda: Limits.from_env({"NIANBAO_MAX_PAGES": "ten"}),
    ):
        assert_chinese(_message(call))


def test_review_refusals_are_chinese(db):
    keep, stray = (r.report_id for r in import_paths(db, [sample_path("003"), sample_path("001")]))
    assert keep is not None and stray is not None
    messages = [
        _message(lambda: review.load_report(db, 999)),
        _message(lambda: review.correct(db, keep, "table3.total.natural", "1", " ")),
        _message(lambda: review.correct(db, keep, "table9.nothing", "1", "原件")),
        _message(lambda: review.correct(db, keep, "table3.total.natural", "abc", "原件")),
        _message(lambda: review.correct(db, keep, "year", "二〇二四", "原件")),
        _message(lambda: review.correct(db, keep, "region_code", "999999", "原件")),
        _message(lambda: review.correct(db, keep, "published", "someday", "原件")),
        _message(lambda: review.correct(db, keep, "organ", " ", "原件")),
        _message(lambda: review.accept_suggestions(db, keep, ["table3.total.natural"])),
        _message(lambda: review.record_blanks(db, keep, [], " ")),
        _message(lambda: review.record_blanks(db, keep, ["table9.nothing"], "原件空白")),
        _message(lambda: review.record_blanks(db, keep, ["table3.total.natural"], "原件空白")),
        _message(lambda: review.approve(db, keep)),
        _message(lambda: review.remove(db, stray, " ")),
        _message(lambda: review.merge(db, stray, stray, "重复")),
        _message(lambda: review.merge(db, stray, keep, " ")),
        _message(lambda: review.cell_source(db, keep, "table9.nothing")),
    ]
    row = review.report_row(db, keep)
    review.correct(db, stray, "region_code", row["region_code"], "同一县")
    review.correct(db, stray, "year", str(row["year"]), "同一年")
    messages.append(_message(lambda: review.correct(db, stray, "organ", row["organ"], "同一机关")))
    review.remove(db, stray, "重复导入")
    messages.append(_message(lambda: review.approve(db, stray, "已核对")))
    for message in messages:
        assert_chinese(message)


@pytest.mark.parametrize(
    "exc",
    [
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("database or disk is full"),
        sqlite3.DatabaseError("file is not a database"),
        sqlite3.OperationalError("attempt to write a readonly database"),
        sqlite3.OperationalError("unable to open database file"),
        sqlite3.OperationalError("no such table: reports"),
        OSError(errno.ENOSPC, "No space left on device", "/tmp/out/.live"),
        PermissionError(errno.EACCES, "Permission denied", "/tmp/out/x"),
        NotADirectoryError(errno.ENOTDIR, "Not a directory", "/tmp/afile/pub"),
        FileNotFoundError(errno.ENOENT, "No such file or directory", "/proc/nianbao-test"),
    ],
    ids=lambda e: str(e)[:24],
)
def test_machine_faults_are_chinese(exc):
    assert_chinese(faults.describe(exc, "/tmp/n.db"))


@pytest.mark.parametrize(
    "region, clues",
    [
        (None, {}),
        ("火星县", {}),
        ("孝义县", {}),
        ("朝阳区", {}),
        ("朝阳区", {"organ": "北京市朝阳区人民政府"}),
        ("朝阳区", {"text": "吉林省长春市朝阳区"}),
        ("朝阳区", {"website": "http://cy.changchun.gov.cn"}),
        ("鼓楼区", {"organ": "江苏省鼓楼区人民政府"}),
    ],
)
def test_region_notes_are_chinese(region, clues):
    """The note on how a region was placed, or why not: the IDENTITY finding shows it."""
    assert_chinese(resolve_region(region, **clues).reason)


def test_publish_refusals_are_chinese(tmp_path):
    assert_chinese(str(WouldRemove(Removals(7, 0, 7, 0, ["夏县人民政府 2024（报告 1）"], ["山西省夏县"]))))
    with pytest.raises(Exception) as caught:
        Server(tmp_path, port=1).start()
    assert_chinese(str(caught.value))


# --- Every literal message in the modules that make them ---------------------------------------------

SOURCES = [
    "db/errors.py", "db/limits.py", "db/parse/report.py", "db/pipeline.py", "db/review/*.py", "db/parse/identity.py",
    "db/regions.py", "db/filenames.py", "db/parse/crawler.py", "db/faults.py", "db/readers/*.py", "publish/*.py",
]  # fmt: skip
# The errors a person is shown (and RegionMatch, whose reason is shown in the IDENTITY finding).
SHOWN = {
    "NianbaoError", "ReadError", "ParseError", "ReviewError", "NeedsOverride", "IdentityClash", "WouldRemove",
    "ServeError", "SearchIndexError", "FileExistsError", "NotADirectoryError", "RegionMatch",
}  # fmt: skip


def _literal(node: ast.expr) -> str | None:
    """A string argument as written, each placeholder of an f-string as '…'."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values)
    return None


def _written_messages() -> list[tuple[str, int, str]]:
    found = []
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in SHOWN:
                    for arg in node.args:
                        text = _literal(arg)
                        if text and text.strip():
                            found.append((str(path.relative_to(ROOT)), node.lineno, text))
    return found


def test_the_source_scan_sees_the_messages():
    """The scan below reads the modules (guards against a scan that finds nothing)."""
    written = _written_messages()
    assert len(written) > 60
    assert any(path.endswith("readers/docx.py") for path, _, _ in written)
    assert any(path.endswith("publish/serving.py") for path, _, _ in written)


def _english(text: str) -> bool:
    """A run of English words, or English words and no Chinese (placeholders alone are no message)."""
    words = [w for w in WORD.findall(_without_quotes(text)) if w.lower() not in TECHNICAL]
    return english_run(text) is not None or (bool(words) and not CJK.search(text))


def test_every_message_written_in_the_source_is_chinese():
    english = [f"{path}:{line}: {text}" for path, line, text in _written_messages() if _english(text)]
    assert english == []
