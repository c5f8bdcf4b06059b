"""pytest plugin for benchmarks/gate_pdf.py: every PDF the tests hand to the PDF reader is kept,
once, in the folder NIANBAO_GATE_PDFS names (by its sha256), for the gate to read with both engines."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from nianbao.db.readers import pdf

_read = pdf._read


def _kept(data: bytes):
    folder = Path(os.environ["NIANBAO_GATE_PDFS"])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{hashlib.sha256(data).hexdigest()[:16]}.pdf"
    if not target.exists():
        target.write_bytes(data)
    return _read(data)


pdf._read = _kept  # read_pdf looks _read up in the module at each call
