"""Where the tracebacks of unexpected errors go: nianbao's own bugs, kept for whoever fixes them.

The operator sees one line per failed file; the traceback (a worker process's too, carried back
as text) is appended to a log the operator can find and send: beside the database
(`X.db.errors.log`), or, where that folder cannot be written, `$XDG_STATE_HOME/nianbao/errors.log`
(`~/.local/state/nianbao/errors.log` by default).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from nianbao.db.filenames import shown

SUFFIX = ".errors.log"


def unexpected_message(log: Path | None) -> str:
    """The failed file's line: Chinese first, naming the log."""
    where = str(log) if log is not None else "（错误日志无法写入）"
    return f"意外错误（程序缺陷），详情见 {where}"


def database_file(conn: sqlite3.Connection) -> str | None:
    """The file of a connection's main database; None for one in memory."""
    for _, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or None
    return None


def candidates(db_file: str | Path | None) -> list[Path]:
    """The logs to try, in order: beside the database, then the user's state folder."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    fallback = Path(state) / "nianbao" / "errors.log"
    return ([Path(f"{db_file}{SUFFIX}")] if db_file else []) + [fallback]


def record(db_file: str | Path | None, file_name: str, details: str) -> Path | None:
    """Append one entry (when, which file, the traceback) to the first log that can be written;
    its path, or None when none can."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    entry = f"=== {stamp} · {shown(file_name)}\n{details.rstrip()}\n\n"
    for log in candidates(db_file):
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "a", encoding="utf-8", errors="backslashreplace") as f:
                f.write(entry)
        except OSError:
            continue
        return log
    return None
