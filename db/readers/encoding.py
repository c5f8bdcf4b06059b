"""Decode report text whatever agencies saved it as: UTF-8 (BOM or not), GB18030/GBK, UTF-16.

Order matters (see STACK.md): strict UTF-8, then a UTF-16 BOM or NUL pattern, then strict GB18030
(a superset of GBK and GB2312), and only then charset-normalizer, which on its own calls short
GBK text UTF-16.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from db.errors import ReadError

# Control characters that never appear in a text report (tab, newlines, form feed excepted).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raise ReadError for binary data or undecodable bytes."""
    if not data.strip():
        raise ReadError("the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16)
    if b"\x00" in data:
        raise ReadError("binary data, not a text document")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding), encoding)
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ReadError("cannot tell the text encoding (tried UTF-8, GB18030, UTF-16)")
    return _checked(str(best), best.encoding)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of CJK and ASCII has NULs in every other byte of its ASCII characters."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.2 and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.2 and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> tuple[str, str]:
    try:
        return _checked(data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"invalid {encoding} text at byte {exc.start}") from exc


def _checked(text: str, encoding: str) -> tuple[str, str]:
    text = text.removeprefix("\ufeff")
    sample = text[:20000]
    if len(_CONTROL.findall(sample)) > max(3, len(sample) // 200):
        raise ReadError("binary data, not a text document")
    return text, encoding
