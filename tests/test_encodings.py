"""Encodings and line ends: a report re-saved as GBK, GB18030, UTF-8 with BOM or UTF-16 (with or
without BOM), with LF, CRLF or CR line ends, reads to the same report, with the same line numbers."""

from __future__ import annotations

import codecs
import random

import pytest

from nianbao.db.errors import ReadError
from nianbao.db.model import Report
from nianbao.db.pipeline import parse_bytes
from nianbao.db.readers import read_document
from nianbao.db.readers.encoding import decode
from nianbao.db.readers.text import split_lines
from tests.helpers import SAMPLE_NAMES, expected, sample_bytes

KEYS = ("organ", "region", "year", "format", "published", "table2", "table3", "table4")

LINE_ENDS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}

# encoding used to write the bytes -> the name decode() must report for them
ENCODINGS = {
    "gbk": "gb18030",  # GBK bytes are read by the GB18030 superset
    "gb18030": "gb18030",
    "utf-8-sig": "utf-8-sig",
    "utf-16": "utf-16",  # Python writes a BOM (little-endian on this platform)
    "utf-16-le": "utf-16-le",  # no BOM
    "utf-16-be": "utf-16-be",  # no BOM
    "utf-8": "utf-8",
}


def _text(name: str) -> str:
    return sample_bytes(name).decode("utf-8")


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "gbk":
        try:
            return text.encode("gbk")
        except UnicodeEncodeError:
            # Sample 004 (霍城县) contains U+00A0 NO-BREAK SPACE next to numbers in its tables,
            # which GBK cannot hold; for that sample the "gbk" variant is written as GB18030.
            return text.encode("gb18030")
    return text.encode(encoding)


_BASE: dict[str, Report] = {}


def _base(name: str) -> Report:
    """The sample parsed from its bundled UTF-8/LF bytes."""
    if name not in _BASE:
        _BASE[name] = parse_bytes(sample_bytes(name), f"{name}.txt")[0]
    return _BASE[name]


def _check_provenance(report: Report, original: str) -> None:
    """Every cell's source line, counted in the original LF text, holds the cell's raw text."""
    lines = original.split("\n")
    checked = 0
    for table, row, col, value in report.cells():
        if value.source is None or not value.raw:
            continue
        line = lines[value.source.line - 1]
        assert value.raw in line, (table, row, col, value.source, line)
        checked += 1
    assert checked > 50  # the tables' values do carry sources


def test_gbk_fallback_only_for_sample_004():
    """Guard for the comment in _encode: only sample 004 needs the GB18030 stand-in."""
    not_gbk = []
    for name in SAMPLE_NAMES:
        try:
            _text(name).encode("gbk")
        except UnicodeEncodeError:
            not_gbk.append(name[:3])
    assert not_gbk == ["004"]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_utf8_original_matches_expected(name):
    report = _base(name).to_json()
    want = expected(name)
    for key in KEYS:
        assert report[key] == want[key], key
    _check_provenance(_base(name), _text(name))


@pytest.mark.parametrize("line_end", LINE_ENDS, ids=list(LINE_ENDS))
@pytest.mark.parametrize("encoding", ENCODINGS, ids=list(ENCODINGS))
@pytest.mark.parametrize("name", SAMPLE_NAMES, ids=[n[:3] for n in SAMPLE_NAMES])
def test_reencoded_sample_reads_the_same(name, encoding, line_end):
    original = _text(name)
    text = original.replace("\n", LINE_ENDS[line_end])
    data = _encode(text, encoding)

    decoded, encoding_name = decode(data)
    assert encoding_name == ENCODINGS[encoding]
    assert decoded == text  # BOM removed, nothing else changed

    document = read_document(data, f"{name}.txt")
    assert document.encoding == ENCODINGS[encoding]
    report, _ = parse_bytes(data, f"{name}.txt")
    got = report.to_json()
    base = _base(name).to_json()
    want = expected(name)
    for key in KEYS:
        assert got[key] == base[key], key
        assert got[key] == want[key], key
    assert got["sections"] == base["sections"]
    assert got["notes"] == base["notes"]
    # Line numbers do not depend on the encoding or the line ends.
    assert got["sources"] == base["sources"]
    _check_provenance(report, original)


@pytest.mark.parametrize("name", SAMPLE_NAMES, ids=[n[:3] for n in SAMPLE_NAMES])
def test_line_numbers_identical_for_lf_crlf_cr(name):
    original = _text(name)
    sources = {}
    for key, end in LINE_ENDS.items():
        report = parse_bytes(original.replace("\n", end).encode("utf-8"), f"{name}.txt")[0]
        sources[key] = report.to_json()["sources"]
        _check_provenance(report, original)
    assert sources["lf"]
    assert sources["crlf"] == sources["lf"]
    assert sources["cr"] == sources["lf"]


def test_split_lines_counts_every_line_end_once():
    assert split_lines("a\r\nb\rc\nd\fe") == ["a", "b", "c", "d", "e"]
    assert split_lines("a\r\n\r\nb") == ["a", "", "b"]  # CRLF is one break, not two
    assert split_lines("a\n\rb") == ["a", "", "b"]  # LF then CR: two breaks


@pytest.mark.parametrize(
    "text", ["夏县人民政府办公室", "年度报告", "政府信息公开", "温县", "一、总体情况", "霍城县人民政府"]
)
def test_short_gbk_text_is_not_taken_for_utf16(text):
    # charset-normalizer alone calls several of these cp949/big5/utf-16; GB18030 must be tried first.
    assert decode(text.encode("gbk")) == (text, "gb18030")


def test_short_gbk_document_keeps_its_text():
    document = read_document("夏县人民政府办公室\n2024年政府信息公开工作年度报告\n".encode("gbk"), "x.txt")
    assert document.encoding == "gb18030"
    assert [b.text for b in document.blocks] == ["夏县人民政府办公室", "2024年政府信息公开工作年度报告"]


@pytest.mark.parametrize(
    "text",
    [
        "信息内容",
        "行政许可",
        "本年处理决定数量",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    ],
)
def test_utf8_is_preferred_to_gb18030(text):
    # These UTF-8 bytes also decode strictly as GB18030 (to mojibake such as 淇℃伅鍐呭):
    # UTF-8 must be tried first.
    data = text.encode("utf-8")
    assert data.decode("gb18030") != text
    assert decode(data) == (text, "utf-8")


@pytest.mark.parametrize(
    "data",
    [b"", b" ", b"   \r\n\t \n", b"\n\n\f\n"],
    ids=["zero-bytes", "space", "whitespace", "newlines-formfeed"],
)
def test_empty_or_whitespace_is_empty(data):
    with pytest.raises(ReadError, match="文件是空的"):
        decode(data)


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"  \r\n",
        codecs.BOM_UTF16_LE,
        " \r\n".encode("utf-16"),
    ],
    ids=["utf8-bom-only", "utf8-bom-whitespace", "utf16-bom-only", "utf16-whitespace"],
)
def test_bom_and_whitespace_only_is_empty(data):
    """Notepad saves an empty file as a bare BOM: that file is empty too."""
    with pytest.raises(ReadError, match="文件是空的"):
        decode(data)


def test_random_binary_is_rejected():
    data = random.Random(1).randbytes(4096)
    assert b"\x00" in data
    with pytest.raises(ReadError, match="二进制数据"):
        decode(data)


def test_random_binary_without_nuls_is_rejected():
    data = random.Random(1).randbytes(4096).replace(b"\x00", b"\x01")
    with pytest.raises(ReadError):
        decode(data)


@pytest.mark.parametrize(
    "data",
    [
        b"abc\x00def",
        "夏县人民政府办公室\x00年度报告".encode("gbk"),
        "一、总体情况\n".encode() + b"\x00\x00\x00\x00" + "二、主动公开".encode(),
    ],
    ids=["ascii", "gbk", "utf8"],
)
def test_bytes_with_nuls_are_rejected(data):
    with pytest.raises(ReadError, match="二进制数据"):
        decode(data)
