"""The database schema, as sqlite-utils migrations, and how to open a database.

Tables: `documents` (original files, bytes and sha256), `reports` (one row per report), `cells`
(every value in long form, with where it came from), `narratives`, `parse_notes`, `imports` (the
import log), `format_cells` (every cell each format has, from db/format.py). The view
`effective_cells` is what a stored report's cells mean, the one definition the review, the checks
and the published database read. Views `table2_wide`, `table3_wide`, `table4_wide` lay the cells
out as people read them; their columns come from db/format.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from nianbao.db.document import Source
from nianbao.db.errors import NianbaoError
from nianbao.db.format import FORMATS, TABLE3_COLUMN_KEYS, cell_path

migrations = Migrations("nianbao")
BUSY_TIMEOUT_MS = 10_000


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose write transactions take the write lock as they begin.

    With a plain (deferred) BEGIN, a transaction that reads before it writes (save_report,
    correct) fails at once with "database is locked" if another process commits in between:
    SQLite cannot wait for that, whatever the busy timeout. BEGIN IMMEDIATE waits its turn."""

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:  # nested: sqlite-utils' savepoint
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            self._undo()
            raise

    def _undo(self) -> None:
        """Roll back, unless the connection is closed already. A Ctrl-C that lands between BEGIN
        and the `with` block leaves this generator suspended; it is collected after the database
        was closed (which undid the transaction), and a rollback then printed a traceback."""
        with suppress(sqlite3.ProgrammingError):
            self.rollback()

    @contextmanager
    def snapshot(self) -> Iterator[Database]:
        """One consistent view of the database for a long read (a publish), however many
        statements it takes, while other processes go on writing. For reading this database
        only: the commit that ends it writes nothing here, but keeps what was written to a
        database attached in it (the published copy, publish/database.py), which is then
        detached. An error rolls everything back."""
        self.conn.execute("BEGIN")
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            self._undo()
            raise
        finally:
            with suppress(sqlite3.ProgrammingError):  # closed already (see _undo): nothing attached
                for (name,) in self.conn.execute("SELECT name FROM pragma_database_list WHERE seq > 1").fetchall():
                    self.conn.execute(f"DETACH DATABASE {name}")


def connect(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (and create or upgrade) a nianbao database. WAL and a busy timeout let the app, the
    CLI and a publish share one file."""
    db = Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    if not db.memory:
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")  # with WAL: no corruption on a crash, fewer fsyncs
    if migrate:
        upgrade(db)
    return db


def upgrade(db: Database) -> None:
    """Create or upgrade the schema. Each step is whole or not there if the process dies: the
    migrations' own table and its unique index too (sqlite-utils makes them in two steps)."""
    if not db[migrations.migrations_table].exists():
        with db.atomic():
            migrations.ensure_migrations_table(db)
    refuse_newer(db)
    if not migrations.pending(db):
        refresh_format_cells(db)
        return
    # A migration may rebuild a table (m005): with foreign keys on, dropping the old one would
    # delete every row that refers to it. The pragma cannot change inside a transaction, so it is
    # set around them; each migration checks the references itself before it commits.
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        migrations.apply(db)
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    refresh_format_cells(db)


def refuse_newer(db: Database) -> None:
    """A database a newer nianbao has migrated is refused, not used: this version would write
    it without knowing what the newer schema means."""
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise NianbaoError(
            f"数据库来自更新版本的 nianbao：其结构已到 {unknown[-1]}，本 nianbao（{_version()}）"
            f"只认识到 {migrations._migrations[-1].name}；请升级 nianbao 后再打开"
        )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nianbao")
    except PackageNotFoundError:
        return "unknown version"


def schema_version(db: Database) -> list[str]:
    return [m.name for m in migrations.applied(db)]


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE documents (
            sha256 TEXT PRIMARY KEY,
            name TEXT NOT NULL,          -- file name as imported
            size INTEGER NOT NULL,
            form TEXT NOT NULL,          -- text, pdf, docx, html: how it was read
            encoding TEXT,               -- text encoding detected, if any
            content BLOB NOT NULL,       -- the original bytes, kept whole
            imported_at TEXT NOT NULL
        );
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            document TEXT NOT NULL REFERENCES documents(sha256),
            organ TEXT,
            region TEXT,
            region_code TEXT,
            year INTEGER,
            format TEXT NOT NULL,        -- 2021 or 2019
            published TEXT,              -- ISO date the report is signed, if it says
            title TEXT,
            period TEXT,                 -- statistics period as stated, ISO start/end
            website TEXT,
            preamble TEXT,
            status TEXT NOT NULL DEFAULT 'imported',
            imported_at TEXT NOT NULL,
            UNIQUE (organ, year)
        );
        CREATE TABLE cells (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            table_name TEXT NOT NULL,    -- table2, table3, table4
            row_key TEXT NOT NULL,
            column_key TEXT NOT NULL,    -- '' for the single-valued tables 二 and 四
            value,                       -- number, or the not-applicable marker as written, or NULL
            raw TEXT,                    -- the cell's text as printed
            source_line INTEGER,         -- where the value is printed: line of the text,
            source_page INTEGER,         -- page (PDF),
            source_table INTEGER,        -- and table, row and cell (PDF, DOCX, HTML)
            source_row INTEGER,
            source_col INTEGER,
            PRIMARY KEY (report_id, table_name, row_key, column_key)
        );
        CREATE TABLE narratives (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            section TEXT NOT NULL,       -- overview, problems, other
            text TEXT NOT NULL,
            source_line INTEGER,
            PRIMARY KEY (report_id, section)
        );
        CREATE TABLE parse_notes (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            cells TEXT NOT NULL,         -- JSON list of cell paths
            message TEXT NOT NULL,
            source_line INTEGER
        );
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL,
            sha256 TEXT,
            status TEXT NOT NULL,        -- imported, replaced, unchanged, failed
            message TEXT,
            report_id INTEGER,
            at TEXT NOT NULL
        );
        CREATE INDEX reports_document ON reports(document);
        CREATE INDEX parse_notes_report ON parse_notes(report_id);
        """
    )
    create_views(db)


@migrations()
def m002_checks(db: sqlite_utils.Database) -> None:
    """Check findings, suggested values, corrections with their audit trail, status changes,
    and where each report sits on the map."""
    db.executescript(
        """
        ALTER TABLE reports ADD COLUMN province TEXT;
        ALTER TABLE reports ADD COLUMN prefecture TEXT;
        ALTER TABLE reports ADD COLUMN region_note TEXT;     -- how the code was decided, or why not
        ALTER TABLE parse_notes ADD COLUMN raw TEXT;         -- JSON: cells of a row that did not fit
        CREATE TABLE findings (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            rule TEXT NOT NULL,          -- FORMAT.md rule id
            severity TEXT NOT NULL,      -- error, warning
            cells TEXT NOT NULL,         -- JSON list of cell paths
            message TEXT NOT NULL,
            message_zh TEXT NOT NULL,
            expected TEXT,
            found TEXT
        );
        CREATE INDEX findings_report ON findings(report_id);
        CREATE INDEX findings_rule ON findings(rule);
        CREATE TABLE suggestions (
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            cell TEXT NOT NULL,
            value NOT NULL,
            rule TEXT NOT NULL,
            derivation TEXT NOT NULL,
            PRIMARY KEY (report_id, cell)
        );
        CREATE TABLE corrections (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            cell TEXT NOT NULL,          -- cell path
            old_value,                   -- the value before (parsed, or the previous correction)
            new_value,
            reason TEXT NOT NULL,
            who TEXT NOT NULL,           -- the operator's OS user
            at TEXT NOT NULL
        );
        CREATE INDEX corrections_report ON corrections(report_id, cell);
        CREATE TABLE status_log (
            id INTEGER PRIMARY KEY,
            report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            reason TEXT,
            who TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX reports_organ_year ON reports(organ, year);
        """
    )


@migrations()
def m003_cell_boxes(db: sqlite_utils.Database) -> None:
    """Where a value sits on a PDF page, so the app can show the operator the spot."""
    db.execute("ALTER TABLE cells ADD COLUMN source_bbox TEXT")  # "x0,top,x1,bottom" in points


@migrations()
def m004_publishes(db: sqlite_utils.Database) -> None:
    """A log of publishes, so the operator sees when the site last went out."""
    db.execute(
        "CREATE TABLE publishes (id INTEGER PRIMARY KEY, at TEXT NOT NULL, out TEXT NOT NULL,"
        " reports INTEGER NOT NULL, unapproved INTEGER NOT NULL, seconds REAL NOT NULL)"
    )


@migrations()
def m005_identity_with_place(db: sqlite_utils.Database) -> None:
    """A report is its organ, its place and its year: two counties' offices can share a name
    (朝阳区人民政府办公室 in 北京 and in 长春). SQLite cannot drop a table's UNIQUE constraint, so the
    table is rebuilt, with its ids, in this migration's transaction."""
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'reports'").fetchone()
    rebuilt = sql.replace("UNIQUE (organ, year)", "UNIQUE (organ, region_code, year)")
    if rebuilt == sql:
        raise RuntimeError("m005: the reports table has no UNIQUE (organ, year) to replace")
    for view in VIEWS:  # they name the table being replaced
        db.execute(f"DROP VIEW IF EXISTS {view}")
    db.execute(rebuilt.replace("CREATE TABLE reports", "CREATE TABLE reports_rebuilt", 1))
    db.execute("INSERT INTO reports_rebuilt SELECT * FROM reports")
    db.execute("DROP TABLE reports")
    db.execute("ALTER TABLE reports_rebuilt RENAME TO reports")
    db.execute("CREATE INDEX reports_document ON reports(document)")
    db.execute("CREATE INDEX reports_organ_year ON reports(organ, year)")
    create_views(db)
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"m005: {len(broken)} rows lost their report")


@migrations()
def m006_cell_confidence(db: sqlite_utils.Database) -> None:
    """How sure OCR was of a value read from a scan, so the checks can name a doubtful one."""
    db.execute("ALTER TABLE cells ADD COLUMN source_confidence REAL")  # 0–1; NULL when not OCR'd


@migrations()
def m007_publisher(db: sqlite_utils.Database) -> None:
    """Who publishes, named on every page of the site; remembered for the next publish."""
    db.execute("ALTER TABLE publishes ADD COLUMN publisher TEXT")


BACKFILL_CHUNK = 100_000  # cells described at a time when m008 upgrades a database


@migrations()
def m008_effective_cells(db: sqlite_utils.Database) -> None:
    """What a stored report's cells mean, in one view (`effective_cells`): the format's cells
    (`format_cells`), the latest correction over the printed value, a short row's missing cells
    blank, and where each value sits as `Source.describe()` words it, written with the cell
    (`cells.source_text`; here rebuilt from the stored source columns)."""
    db.execute("ALTER TABLE cells ADD COLUMN source_text TEXT")  # Source.describe() of the columns
    last = 0
    while chunk := db.execute(  # by rowid, a chunk at a time: 3 M cells would not fit in memory at once
        "SELECT rowid, source_line, source_page, source_table, source_row, source_col FROM cells"
        " WHERE rowid > ? ORDER BY rowid LIMIT ?",
        [last, BACKFILL_CHUNK],
    ).fetchall():
        db.conn.executemany(
            "UPDATE cells SET source_text = ? WHERE rowid = ?",
            [(Source(line, page, table, row, col).describe(), rowid) for rowid, line, page, table, row, col in chunk],
        )
        last = chunk[-1][0]
    db.execute(
        "CREATE TABLE format_cells (format TEXT NOT NULL, table_name TEXT NOT NULL, row_key TEXT NOT NULL,"
        " column_key TEXT NOT NULL, path TEXT NOT NULL, position INTEGER NOT NULL,"
        " PRIMARY KEY (format, table_name, row_key, column_key))"
    )
    _write_format_cells(db)
    db.execute(EFFECTIVE_CELLS)


@migrations()
def m009_document_lines(db: sqlite_utils.Database) -> None:
    """A text file's lines as the reader split them, kept with the file (JSON list), so that
    provenance shows the lines around a value from what was stored, without reading the file
    again. Files imported before: split here once, as the text reader does."""
    from nianbao.db.errors import NianbaoError
    from nianbao.db.readers.encoding import decode
    from nianbao.db.readers.text import split_lines

    db.execute("ALTER TABLE documents ADD COLUMN lines TEXT")
    for digest, content in db.execute("SELECT sha256, content FROM documents WHERE form = 'text'").fetchall():
        try:
            lines = split_lines(decode(content)[0])
        except NianbaoError:  # it was read once; if it no longer decodes, no lines are shown
            continue
        db.execute("UPDATE documents SET lines = ? WHERE sha256 = ?", [json.dumps(lines, ensure_ascii=False), digest])


@migrations()
def m010_report_marks(db: sqlite_utils.Database) -> None:
    """A mark per report (`report_marks`) that changes whenever anything a publish digests of it
    may have changed: its row, its document, its findings, corrections or status log. Kept by
    triggers, so no write is missed, whoever makes it (the review, an import, plain SQL). A
    publish digests again only the reports whose mark differs from the last publish's
    (publish/changes.py). Random, not a counter: a database restored from a backup, or another
    one, never shows a mark the last publish saw with other contents. Reports of older databases
    get a mark here. (A migration that rebuilds one of these tables makes its triggers again.)"""
    db.execute("CREATE TABLE report_marks (report_id INTEGER PRIMARY KEY, mark TEXT NOT NULL)")
    for statement in MARK_TRIGGERS:
        db.execute(statement)
    db.execute(f"INSERT INTO report_marks SELECT id, {NEW_MARK} FROM reports")


NEW_MARK = "lower(hex(randomblob(8)))"


def _mark_triggers() -> list[str]:
    """Triggers that give a report a new mark: after every write to its row, to the rows that
    name it (findings, corrections, status_log), and to its document."""
    out = []
    for table, key in (
        ("reports", "id"),
        ("findings", "report_id"),
        ("corrections", "report_id"),
        ("status_log", "report_id"),
    ):
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            marks = " ".join(f"INSERT OR REPLACE INTO report_marks VALUES ({row}.{key}, {NEW_MARK});" for row in rows)
            out.append(f"CREATE TRIGGER {table}_{event.lower()}_mark AFTER {event} ON {table} BEGIN {marks} END")
    out.append(
        "CREATE TRIGGER documents_update_mark AFTER UPDATE ON documents BEGIN INSERT OR REPLACE INTO report_marks"
        f" SELECT id, {NEW_MARK} FROM reports WHERE document IN (OLD.sha256, NEW.sha256); END"
    )
    return out


MARK_TRIGGERS = _mark_triggers()


# A stored report's cells as the report now reads: every cell of its format that was stored, and
# the missing cells of a table 三 row stored short (blank, no source); a value is the latest
# correction of its path if any (by id), else the value printed. `printed`: the text as printed;
# `text`: as the report now reads (the correction's value as text); `source`: where it sits
# (Source.describe()). A corrected value keeps its place but not OCR's confidence: it is the
# operator's reading. Read it with `WHERE report_id = ?` (or a join on report_id): SQLite
# pushes that into the view, one report at a time.
EFFECTIVE_CELLS = """CREATE VIEW effective_cells AS
SELECT r.id AS report_id, s.table_name, s.row_key, s.column_key, s.path, s.position,
    CASE WHEN k.id IS NULL THEN c.value ELSE k.new_value END AS value,
    c.raw AS printed,
    k.id IS NOT NULL AS corrected,
    CASE WHEN k.id IS NULL THEN coalesce(c.raw, '') ELSE coalesce(CAST(k.new_value AS TEXT), '') END AS text,
    c.source_text AS source,
    c.source_line, c.source_page, c.source_table, c.source_row, c.source_col, c.source_bbox,
    CASE WHEN k.id IS NULL THEN c.source_confidence END AS source_confidence
FROM reports r
JOIN format_cells s ON s.format = r.format
LEFT JOIN cells c ON c.report_id = r.id AND c.table_name = s.table_name AND c.row_key = s.row_key
    AND c.column_key = s.column_key
LEFT JOIN corrections k ON k.id = (SELECT max(id) FROM corrections WHERE report_id = r.id AND cell = s.path)
WHERE c.report_id IS NOT NULL
    OR (s.column_key <> '' AND EXISTS (SELECT 1 FROM cells t WHERE t.report_id = r.id
        AND t.table_name = s.table_name AND t.row_key = s.row_key))"""


def format_cells() -> list[tuple[str, str, str, str, str, int]]:
    """Every cell each format has, in printed order: (format, table, row key, column key, path,
    position); column '' for tables 二 and 四."""
    out: list[tuple[str, str, str, str]] = []
    for name, spec in FORMATS.items():
        out.extend((name, "table2", f.key, "") for f in spec.table2_fields)
        out.extend((name, "table3", row, c.key) for row in spec.table3_row_keys for c in spec.table3_columns)
        out.extend((name, "table4", f.key, "") for f in spec.table4)
    return [(f, t, r, c, cell_path(t, r, c), i) for i, (f, t, r, c) in enumerate(out)]


def _write_format_cells(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM format_cells")
    db.conn.executemany("INSERT INTO format_cells VALUES (?, ?, ?, ?, ?, ?)", format_cells())


def refresh_format_cells(db: Database) -> None:
    """`format_cells` as db/format.py has them now: a nianbao that knows a new label variant or
    row rewrites the table when it opens a database (nothing is written when they agree)."""
    if not db["format_cells"].exists():
        return
    stored = db.execute("SELECT * FROM format_cells ORDER BY position").fetchall()
    if stored != format_cells():
        with db.atomic():
            _write_format_cells(db)


VIEWS = ("table2_wide", "table3_wide", "table4_wide")


def create_views(db: sqlite_utils.Database) -> None:
    """(Re)create the wide views from the format definition."""
    single = {f.key: None for spec in FORMATS.values() for f in spec.table2_fields}
    t4 = {f.key: None for spec in FORMATS.values() for f in spec.table4}
    rows = {key: None for spec in FORMATS.values() for key in spec.table3_row_keys}
    for name, table, keys, match in (
        ("table2_wide", "table2", single, "row_key"),
        ("table4_wide", "table4", t4, "row_key"),
    ):
        columns = ",\n".join(f"  MAX(CASE WHEN c.{match} = '{k}' THEN c.value END) AS {k}" for k in keys)
        db.execute(f"DROP VIEW IF EXISTS {name}")
        db.execute(
            f"CREATE VIEW {name} AS SELECT r.id AS report_id, r.organ, r.region, r.year,\n{columns}\n"
            f"FROM reports r JOIN cells c ON c.report_id = r.id AND c.table_name = '{table}' GROUP BY r.id"
        )
    order = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(rows))
    columns = ",\n".join(f"  MAX(CASE WHEN c.column_key = '{k}' THEN c.value END) AS {k}" for k in TABLE3_COLUMN_KEYS)
    db.execute("DROP VIEW IF EXISTS table3_wide")
    db.execute(
        f"CREATE VIEW table3_wide AS SELECT r.id AS report_id, r.organ, r.region, r.year, c.row_key,\n"
        f"{columns}\nFROM reports r JOIN cells c ON c.report_id = r.id AND c.table_name = 'table3'\n"
        f"GROUP BY r.id, c.row_key ORDER BY r.id, CASE c.row_key {order} END"
    )
