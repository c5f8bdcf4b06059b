"""File names as a person is shown them: every name printed or stored goes through `shown`.

A name is untrusted text. Bytes that are not UTF-8 (what `unzip` makes of a Windows zip with
Chinese names) arrive from the file system as lone surrogates, which SQLite and the terminal
refuse; a newline or an ESC in a name would forge an output line or command the terminal. Both
are shown escaped (\\xb9, \\n), the rest of the name as it is.
"""

from __future__ import annotations

import os
import unicodedata


def shown(path: str | os.PathLike[str]) -> str:
    """The name with undecodable bytes as \\xNN and control characters as \\n, \\x1b …"""
    text = os.fspath(path)
    if not any(_needs_escape(ch) for ch in text):
        return text
    return "".join(_escape(ch) if _needs_escape(ch) else ch for ch in text)


_BIDI_CONTROLS = frozenset(("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"))


def _needs_escape(ch: str) -> bool:
    """Controls, undecodable bytes and the bidirectional controls that reorder a line."""
    return unicodedata.category(ch) in ("Cc", "Cs") or unicodedata.bidirectional(ch) in _BIDI_CONTROLS


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return ch.encode("unicode_escape").decode("ascii")  # \n, \t, \x1b, \udcxx
