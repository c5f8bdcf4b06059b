"""The Datasette plugin nianbao serves with: what one public query may take and see.

Arbitrary SQL is open to anyone (read-only, immutable, 1.5 s). The time limit is checked
between SQLite's steps, so a query whose one step allocates gigabytes ran past it:
`length(printf('%.*c', 900000000, 'x'))` for 10 s, `hex(zeroblob(200000000))` for 6 s; six at
once held the server for a minute and took 2.5 GB. Each connection therefore gets:

- SQLITE_LIMIT_LENGTH (a string or blob of at most MAX_LENGTH bytes) and a heap limit for the
  whole process (PRAGMA hard_heap_limit): too big is refused at once ("string or blob too big");
- printf/format refusing a width or precision over MAX_LENGTH before it runs (SQLite repeats
  `%.*c` precision times, and only then sees the string would be too long);
- fts3_tokenizer refused: with one argument it returns a pointer, an address of the server;
- the `file` column of pragma_database_list read as NULL: the server's absolute path.

And Datasette's CSV (of any table or query) gets the site's formula guard (publish/downloads.py):
a text that starts like a spreadsheet formula (=HYPERLINK(…), +SUM, @SUM, -…) gets a leading
apostrophe, so a spreadsheet shows the text as printed instead of running it. The database and
the JSON keep the value exact.

Run as `python -m nianbao.publish.datasette_limits serve …`: Datasette's own command with this
plugin, publish/datasette_cache.py (row counts and answers kept) and publish/datasette_render.py
(a canned query's rows rendered in Python) registered
(publish/datasette.py builds that command).
"""

from __future__ import annotations

import csv
import re
import sqlite3
import sys
import types

from datasette import hookimpl

from nianbao.publish.downloads import FORMULA_START

MB = 1024 * 1024
MAX_LENGTH = 16 * MB  # the longest published value is a few KB (a narrative section)
HEAP_LIMIT = 512 * MB  # SQLite's memory in the whole server, all queries together

# A printf conversion: flags, width (digits or *), precision (. digits or *), size, type.
_CONVERSION = re.compile(r"%([-+ 0#,!]*)(\*|\d+)?(?:\.(\*|\d*))?(?:ll|l)?(.)", re.DOTALL)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT}")
    printf = _bounded_printf()
    for name in ("printf", "format"):
        conn.create_function(name, -1, printf, deterministic=True)
    for arguments in (1, 2):
        conn.create_function("fts3_tokenizer", arguments, _refused)
    conn.set_authorizer(_authorize)


@hookimpl
def startup(datasette) -> None:
    """Datasette's CSV writer, guarded (its CSV views use `csv.writer` of datasette.views.base)."""
    from datasette.views import base

    base.csv = _GUARDED_CSV


def guard_formula(value: object) -> object:
    """As the site's CSVs: a text of two or more characters starting like a formula, apostrophed."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_START):
        return "'" + value
    return value


class _GuardedWriter:
    def __init__(self, writer) -> None:
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([guard_formula(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    def __getattr__(self, name: str):
        return getattr(self._writer, name)


_GUARDED_CSV = types.ModuleType("csv")
_GUARDED_CSV.__dict__.update(csv.__dict__)
setattr(_GUARDED_CSV, "writer", lambda file, *args, **kwargs: _GuardedWriter(csv.writer(file, *args, **kwargs)))  # noqa: B010 - a module attribute mypy cannot see


def _refused(*args: object) -> None:
    raise ValueError("fts3_tokenizer 在此不可用")


def _authorize(action: int, arg1: str | None, arg2: str | None, database: str | None, source: str | None) -> int:
    """Everything Datasette allows, but the files behind the database list read as NULL."""
    if action == sqlite3.SQLITE_READ and arg1 == "pragma_database_list" and arg2 == "file":
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


def _bounded_printf():
    """printf for this connection: sizes checked, then SQLite's own printf on a private
    connection with the same length limit."""
    helper = sqlite3.connect(":memory:", check_same_thread=False)
    helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)

    def printf(*args: object) -> object:
        if not args:
            return None
        if isinstance(args[0], str):
            check_sizes(args[0], args[1:])
        sql = f"SELECT printf({', '.join('?' * len(args))})"
        return helper.execute(sql, args).fetchone()[0]

    return printf


def check_sizes(template: str, args: tuple) -> None:
    """Refuse a width or precision (written, or given by *) over MAX_LENGTH."""
    position = 0
    for match in _CONVERSION.finditer(template):
        _flags, width, precision, kind = match.groups()
        if kind == "%":
            continue
        for size in (width, precision):
            if size == "*":
                value = _number(args[position]) if position < len(args) else 0
                position += 1
            else:
                value = int(size) if size else 0
            if abs(value) > MAX_LENGTH:
                raise ValueError(f"printf：宽度或精度 {value} 超过上限 {MAX_LENGTH}")
        position += 1


def _number(value: object) -> int:
    if not isinstance(value, (str, bytes, int, float)):
        return 0  # NULL or a blob: SQLite reads it as 0
    try:
        return int(float(value))  # SQLite reads a text or real argument as its integer part
    except (TypeError, ValueError, OverflowError):
        return 0


def main() -> None:
    """`datasette` with this plugin registered (by its module's name: run with -m, this file
    is also __main__)."""
    from datasette.cli import cli
    from datasette.plugins import pm

    from nianbao.publish import datasette_cache, datasette_limits, datasette_render

    pm.register(datasette_limits)
    pm.register(datasette_cache)
    pm.register(datasette_render)
    datasette_cache.serve_at(sys.argv[1:])
    cli(prog_name="datasette")


if __name__ == "__main__":
    main()
