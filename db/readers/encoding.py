"""Decode report text whatever agencies saved it as: UTF-8 (BOM or not), GB18030/GBK, UTF-16.

Order matters (see STACK.md): strict UTF-8, then a UTF-16 BOM or NUL pattern, then strict GB18030
(a superset of GBK and GB2312), and only then charset-normalizer, which on its own calls short
GBK text UTF-16.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from nianbao.db.errors import ReadError

# Control characters that never appear in a text report (tab, newlines, form feed excepted).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raise ReadError for binary data or undecodable bytes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig")
    if b"\x00" in data:  # never in UTF-8 or GB18030 text; in UTF-16 at every line end
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise ReadError("是二进制数据，不是文本文档：请查明这是什么文件，并把报告存为 PDF、.docx、.html 或 .txt")
        return _checked(utf16[0], utf16[1])
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    nearly = _with_a_few_bad_bytes(data)
    if nearly:
        return _checked(*nearly)
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ReadError("无法确定文本编码（已试 UTF-8、GB18030、UTF-16）")
    return _checked(str(best), best.encoding)


# The replacement character as each encoding writes it, to tell one in the file from one of ours.
_REPLACEMENT = {"utf-8": "\ufffd".encode("utf-8"), "gb18030": "\ufffd".encode("gb18030")}


def _with_a_few_bad_bytes(data: bytes) -> tuple[str, str] | None:
    """UTF-8 or GB18030 text with a few bytes that do not decode (a damaged download, a stray
    byte pasted in), decoded with U+FFFD in their place; the parser notes them, so nothing is
    changed silently. Many bad bytes mean another encoding: None."""
    allowed = max(8, len(data) // 2000)
    best: tuple[int, str, str] | None = None
    for encoding, replacement in _REPLACEMENT.items():
        text = data.decode(encoding, errors="replace")
        bad = text.count("\ufffd") - data.count(replacement)
        if bad <= allowed and (best is None or bad < best[0]):
            best = (bad, text, encoding)
    return (best[1], best[2]) if best else None


# What report text is made of: CJK, ASCII, CJK punctuation and full-width forms.
_PLAUSIBLE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\x20-\x7e\t\r\n\f“”‘’、。·—…\xa0]")


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Decode as UTF-16 of either byte order, keeping the one that reads as report text."""
    if len(data) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        sample = text[:4000]
        if sample and len(_PLAUSIBLE.findall(sample)) >= 0.9 * len(sample):
            return text, encoding
    return None


def _strict(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        return _checked(data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"第 {exc.start} 字节处不是有效的 {encoding} 文本") from exc


def _checked(text: str, encoding: str) -> tuple[str, str]:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ReadError("文件是空的：请从发布机关的网站重新下载")
    sample = text[:20000]
    if len(_CONTROL.findall(sample)) > max(3, len(sample) // 200):
        raise ReadError("是二进制数据，不是文本文档：请查明这是什么文件，并把报告存为 PDF、.docx、.html 或 .txt")
    return text, encoding
