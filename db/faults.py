"""Faults of the machine, not of a file: a locked, full or damaged database, a disk that is full,
a folder that cannot be written. Each becomes one line in Chinese (the system's own words kept
in brackets) for the CLI and the app, naming the file it concerns; no traceback reaches a user.
"""

from __future__ import annotations

import errno
import sqlite3

from nianbao.db import schema
from nianbao.db.filenames import shown


def describe(exc: OSError | sqlite3.Error, db_path: str | None = None) -> str:
    """`FILE: 问题（系统：problem）` for an OSError (its own file) or an SQLite error (the database's)."""
    if isinstance(exc, sqlite3.Error):
        return f"{shown(db_path or '数据库')}: {_database_problem(exc)}"
    name = exc.filename if exc.filename is not None else db_path
    problem = _OS_PROBLEMS.get(exc.errno or 0)
    detail = exc.strerror or str(exc)
    text = f"{problem}（系统：{detail}）" if problem and detail != problem else problem or detail
    return f"{shown(str(name))}: {text}" if name is not None else text


def _database_problem(exc: sqlite3.Error) -> str:
    message = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in message:
        seconds = round(schema.BUSY_TIMEOUT_MS / 1000, 1)
        return f"数据库被另一个程序锁定（已等待 {seconds} 秒）；什么也没有更改：请等它结束后再试"
    if code == sqlite3.SQLITE_FULL or "disk is full" in message:
        return "磁盘已满；正在进行的这一步什么也没有写入：请腾出空间后再试"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in message or "not a database" in message:
        return f"数据库已损坏或不是数据库（sqlite3：{message}）；请从备份恢复"
    if code == sqlite3.SQLITE_READONLY or "readonly" in message:
        return f"数据库不可写（sqlite3：{message}）"
    if code == sqlite3.SQLITE_CANTOPEN or "unable to open" in message:
        return f"无法打开数据库（sqlite3：{message}）"
    return f"数据库错误（sqlite3：{message}）"


_OS_PROBLEMS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已满",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许",
    errno.EROFS: "只读文件系统",
    errno.ENOTDIR: "不是文件夹",
    errno.ENAMETOOLONG: "名称过长",
    errno.ENOENT: "不存在",
    errno.EISDIR: "是文件夹，不是文件",
}
