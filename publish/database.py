"""The published database: a read-only copy of what the public may see, built for reading.

Effective values (corrections applied) with what was printed; reports with their place on the
map; wide tables people can read; narratives with Chinese full-text search; findings; the rules;
corrections without operator names. Nothing else: no original bytes, no local paths, no users.
The Datasette instance serves this file; the static site is built from it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from nianbao.db.checks import RULES
from nianbao.db.format import FORMATS, TABLE3_COLUMN_KEYS, TABLE4_GROUPS, TABLE4_RESULTS, table4_key
from nianbao.db.parse.labels import normalize
from nianbao.db.schema import Database
from nianbao.db.vocabulary import Status
from nianbao.publish.untrusted import region_key

PUBLIC_STATUSES = (Status.APPROVED, Status.PUBLISHED)
FORM_SUFFIX = {
    "text": ".txt",
    "pdf": ".pdf",
    "docx": ".docx",
    "html": ".html",
    **{form: f".{form}" for form in ("doc", "wps", "rtf", "odt")},  # read through LibreOffice
}


def source_file(region_code: str | None, year: int | None, report_id: int, form: str) -> str:
    """The stable path of a report's original file on the site: sources/141130-2024-17.pdf (place,
    year, report id). The id keeps two organs of one county and year apart: they publish a report
    each. Only a 6-digit code and a whole year make the rest of the name: a region code is text an
    operator can correct, and a stored "../../x" must not name a file outside the site."""
    code = region_key(region_code, report_id)
    stem = f"{code}-{year}-{report_id}" if code == region_code and isinstance(year, int) else f"report-{report_id}"
    return f"sources/{stem}{FORM_SUFFIX.get(form, '.bin')}"


def public_reports(db: Database, include_unapproved: bool) -> list[dict]:
    """The reports to publish: approved (and already published) ones, or all of them."""
    # removed reports (tombstones) are never published
    where = (
        "WHERE r.status != ?" if include_unapproved else f"WHERE r.status IN ({', '.join('?' * len(PUBLIC_STATUSES))})"
    )
    params = [Status.REMOVED] if include_unapproved else list(PUBLIC_STATUSES)
    return list(
        db.query(
            f"SELECT r.*, d.form, d.sha256, d.size, {UPDATED} AS updated"
            " FROM reports r JOIN documents d ON d.sha256 = r.document"
            f" {CHANGES} {where} ORDER BY r.region_code, r.year, r.id",
            params,
        )
    )


# When a report last changed as readers see it (publish/stamp.py): its import, its newest
# correction, its newest status change but being marked published (the publish itself). One
# grouped pass over each log, not a lookup per report (status_log has no index by report).
CHANGES = f"""LEFT JOIN (SELECT report_id, max(at) AS at FROM corrections GROUP BY report_id) k ON k.report_id = r.id
    LEFT JOIN (SELECT report_id, max(at) AS at FROM status_log WHERE status != '{Status.PUBLISHED}' GROUP BY report_id) s
        ON s.report_id = r.id"""
UPDATED = "max(r.imported_at, coalesce(k.at, ''), coalesce(s.at, ''))"


def build(db: Database, reports: list[dict], target: Path) -> Path:
    """Write the published copy of `reports` to `target` (a new file) and return its path.

    The copy is filled by SQL on the working connection with `target` attached, so every row is
    read in one transaction: inside `db.snapshot()` it is the snapshot's (and the copy is written
    when the snapshot ends), else one of its own."""
    out = sqlite3.connect(target.resolve())  # absolute: see _attached
    out.executescript(_tables())
    out.close()
    with _attached(db, target):
        _insert(db, reports)
        db.conn.executescript(_indexes())  # after the rows: one sort per index, not 3 M inserts
        db.conn.execute(
            f"INSERT INTO {SCHEMA}.narratives_fts (rowid, text) SELECT rowid, text FROM {SCHEMA}.narratives"
        )
    return target


def replace(db: Database, reports: list[dict], target: Path, remove_ids: Iterable[int]) -> Path:
    """Bring an existing published copy up to date in one transaction: the rows of `reports`
    and of `remove_ids` deleted from every table, then `reports` inserted as `build` does."""
    gone = sorted({*remove_ids, *(r["id"] for r in reports)})
    with _attached(db, target):
        _batch(db, gone)
        db.conn.execute(
            f"INSERT INTO {SCHEMA}.narratives_fts (narratives_fts, rowid, text) SELECT 'delete', rowid, text"
            f" FROM {SCHEMA}.narratives WHERE report_id IN {BATCH}"
        )
        for table in REPORT_TABLES:
            db.conn.execute(f"DELETE FROM {SCHEMA}.{table} WHERE report_id IN {BATCH}")
        db.conn.execute(f"DELETE FROM {SCHEMA}.reports WHERE id IN {BATCH}")
        _insert(db, reports)
        db.conn.execute(
            f"INSERT INTO {SCHEMA}.narratives_fts (rowid, text) SELECT rowid, text FROM {SCHEMA}.narratives"
            f" WHERE report_id IN {BATCH}"
        )
    return target


SCHEMA = "published"  # the published copy's name on the working connection
BATCH = "(SELECT id FROM temp.published_batch)"  # the reports being written
# Every table with a report_id, children before the reports they refer to.
REPORT_TABLES = ("cells", "table2", "table3", "table4", "narratives", "findings", "corrections")


@contextmanager
def _attached(db: Database, target: Path) -> Iterator[None]:
    """`target` attached to the working connection as SCHEMA, in a transaction that reads the
    working database and writes the copy: the caller's snapshot if one is open (the copy is
    committed and detached when it ends), else one of its own."""
    with ExitStack() as stack:
        if not db.conn.in_transaction:
            stack.enter_context(db.snapshot())
        attached = db.conn.execute("SELECT file FROM pragma_database_list WHERE name = ?", [SCHEMA]).fetchone()
        if attached and Path(attached[0]) != target.resolve():  # a second copy in one snapshot
            raise RuntimeError(f"{attached[0]} is being published in this snapshot, not {target}")
        if not attached:  # (detaching waits for the snapshot's end)
            # An absolute path: a relative one beginning "file:" would be read by SQLite as a URI.
            db.conn.execute(f"ATTACH DATABASE ? AS {SCHEMA}", [str(target.resolve())])
        db.conn.execute(f"PRAGMA {SCHEMA}.cache_size = -65536")  # 64 MiB: index builds on 3 M cells
        yield
        db.conn.execute("DROP TABLE IF EXISTS temp.published_batch")


def _batch(db: Database, ids: Iterable[int]) -> None:
    """The ids of the reports being written, in a temporary table the statements join."""
    db.conn.execute("DROP TABLE IF EXISTS temp.published_batch")
    db.conn.execute("CREATE TEMP TABLE published_batch (id INTEGER PRIMARY KEY)")
    db.conn.executemany("INSERT INTO temp.published_batch VALUES (?)", [(i,) for i in ids])


def _insert(db: Database, reports: list[dict]) -> None:
    """`reports` with their cells (corrections applied), wide tables, narratives, findings and
    corrections; the rules and labels once, if the copy has none yet."""
    _batch(db, (r["id"] for r in reports))
    sql = db.conn.execute
    rows = list(_report_rows(reports))
    if rows:
        columns = list(rows[0])
        sql_columns = ", ".join(columns)
        db.conn.executemany(
            f"INSERT INTO {SCHEMA}.reports ({sql_columns}) VALUES ({', '.join('?' * len(columns))})",
            [tuple(r[c] for c in columns) for r in rows],
        )
    if not sql(f"SELECT 1 FROM {SCHEMA}.rules LIMIT 1").fetchone():
        db.conn.executemany(
            f"INSERT INTO {SCHEMA}.rules VALUES (?, ?, ?, ?, ?)",
            [(r.id, r.severity, r.title, r.title_zh, r.explanation) for r in RULES.values()],
        )
        db.conn.executemany(
            f"INSERT INTO {SCHEMA}.labels VALUES (:table_name, :kind, :key, :label, :position)", list(_labels())
        )
    _insert_cells(db)
    _fill_wide(db)
    sql(
        f"INSERT INTO {SCHEMA}.narratives (report_id, section, text) SELECT report_id, section, text"
        f" FROM main.narratives WHERE report_id IN {BATCH} ORDER BY report_id, section"
    )
    sql(
        f"INSERT INTO {SCHEMA}.findings (report_id, rule, severity, cells, message, message_zh, expected, found)"
        " SELECT report_id, rule, severity, cells, message, message_zh, expected, found"
        f" FROM main.findings WHERE report_id IN {BATCH} ORDER BY id"
    )
    # as the public sees them: what was printed, what it is now, why, when; no names
    sql(
        f"INSERT INTO {SCHEMA}.corrections (report_id, cell, printed_value, corrected_value, reason, date)"
        " SELECT report_id, cell, old_value, new_value, reason, substr(at, 1, 10)"
        f" FROM main.corrections WHERE report_id IN {BATCH} ORDER BY id"
    )


def _insert_cells(db: Database) -> None:
    """The batch's cells as `effective_cells` (db/schema.py) says they read, report by report
    (CROSS JOIN: in this order; one report must not scan them all)."""
    db.conn.execute(
        f"""INSERT INTO {SCHEMA}.cells (report_id, table_name, row_key, column_key, value, printed, corrected, source)
        SELECT e.report_id, e.table_name, e.row_key, e.column_key, e.value, e.printed, e.corrected, e.source
        FROM temp.published_batch b CROSS JOIN main.effective_cells e ON e.report_id = b.id"""
    )


def _tables() -> str:
    table2 = sorted({f.key for spec in FORMATS.values() for f in spec.table2_fields})
    table4 = [table4_key(g.key, r.key) for g in TABLE4_GROUPS for r in TABLE4_RESULTS]
    return f"""
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY, organ TEXT, region TEXT, region_code TEXT, province TEXT,
            prefecture TEXT, year INTEGER, format TEXT, published TEXT, title TEXT, period TEXT,
            website TEXT, status TEXT, approved INTEGER, source_file TEXT, source_form TEXT,
            source_sha256 TEXT, source_size INTEGER, updated TEXT
        );
        CREATE TABLE cells (
            report_id INTEGER REFERENCES reports(id), table_name TEXT, row_key TEXT, column_key TEXT,
            value, printed TEXT, corrected INTEGER, source TEXT,
            PRIMARY KEY (report_id, table_name, row_key, column_key)
        );
        CREATE TABLE table2 (report_id INTEGER PRIMARY KEY REFERENCES reports(id), {", ".join(table2)});
        CREATE TABLE table3 (
            report_id INTEGER REFERENCES reports(id), row_key TEXT, row_order INTEGER,
            {", ".join(TABLE3_COLUMN_KEYS)}, PRIMARY KEY (report_id, row_key)
        );
        CREATE TABLE table4 (report_id INTEGER PRIMARY KEY REFERENCES reports(id), {", ".join(table4)});
        CREATE TABLE narratives (report_id INTEGER REFERENCES reports(id), section TEXT, text TEXT,
            PRIMARY KEY (report_id, section));
        CREATE VIRTUAL TABLE narratives_fts USING fts5(text, content='narratives', tokenize='trigram');
        CREATE TABLE findings (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), rule TEXT
            REFERENCES rules(id), severity TEXT, cells TEXT, message TEXT, message_zh TEXT, expected TEXT, found TEXT);
        CREATE TABLE corrections (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), cell TEXT,
            printed_value, corrected_value, reason TEXT, date TEXT);
        CREATE TABLE rules (id TEXT PRIMARY KEY, severity TEXT, title TEXT, title_zh TEXT, explanation TEXT);
        CREATE TABLE labels (table_name TEXT, kind TEXT, key TEXT, label TEXT, position INTEGER,
            PRIMARY KEY (table_name, kind, key));
        """


def _indexes() -> str:
    return f"""
        CREATE INDEX {SCHEMA}.reports_region_year ON reports(region_code, year);
        CREATE INDEX {SCHEMA}.reports_province_year ON reports(province, year);
        CREATE INDEX {SCHEMA}.findings_rule ON findings(rule);
        CREATE INDEX {SCHEMA}.findings_report ON findings(report_id, severity);  -- per-report counts: 15 s -> 23 ms at 30,000 reports
        CREATE INDEX {SCHEMA}.reports_year ON reports(year);
        CREATE INDEX {SCHEMA}.table3_row ON table3(row_key, report_id);
        """


def _report_rows(reports: list[dict]) -> Iterable[dict]:
    for r in reports:
        yield {
            **{k: r[k] for k in ("id", "organ", "region", "region_code", "province", "prefecture", "year")},
            **{k: r[k] for k in ("format", "published", "title", "period", "website")},
            # approved and published read the same: publishing twice must give identical files
            "status": Status.APPROVED if r["status"] in PUBLIC_STATUSES else r["status"],
            "approved": int(r["status"] in PUBLIC_STATUSES),
            "source_file": source_file(r["region_code"], r["year"], r["id"], r["form"]),
            "source_form": r["form"],
            "source_sha256": r["sha256"],
            "source_size": r["size"],
            "updated": r["updated"],
        }


def _labels() -> Iterable[dict]:
    """Chinese labels of every row and column, so SQL users can show what a key means. A key the
    two formats share keeps its 2021 label."""
    seen: dict[tuple[str, str, str], dict] = {}

    def add(table: str, kind: str, key: str, label: str, position: int) -> None:
        seen.setdefault(
            (table, kind, key), {"table_name": table, "kind": kind, "key": key, "label": label, "position": position}
        )

    for spec in (FORMATS["2021"], FORMATS["2019"]):
        for i, row in enumerate(spec.table3_rows):
            add("table3", "row", row.key, normalize(row.label), i)
        for i, column in enumerate(spec.table3_columns):
            add("table3", "column", column.key, column.label, i)
        for i, field in enumerate(spec.table2_fields):
            table2_row = next(r for r in spec.table2 if field in r.fields)
            add("table2", "cell", field.key, f"{table2_row.label}·{field.column}", i)
        for i, field in enumerate(spec.table4):
            add("table4", "cell", field.key, field.column, i)
    return seen.values()


def _fill_wide(db: Database) -> None:
    """Wide tables (real tables, indexed, not views) from the long cells of the batch."""
    for table in ("table2", "table4"):
        columns = [r[1] for r in db.conn.execute(f"PRAGMA {SCHEMA}.table_info({table})") if r[1] != "report_id"]
        select = ", ".join(f"MAX(CASE WHEN row_key = '{c}' THEN value END)" for c in columns)
        db.conn.execute(
            f"INSERT INTO {SCHEMA}.{table} (report_id, {', '.join(columns)}) "
            f"SELECT report_id, {select} FROM {SCHEMA}.cells WHERE table_name = '{table}'"
            f" AND report_id IN {BATCH} GROUP BY report_id"
        )
    order = {key: i for i, key in enumerate(_table3_row_order())}
    select = ", ".join(f"MAX(CASE WHEN column_key = '{c}' THEN value END)" for c in TABLE3_COLUMN_KEYS)
    case = " ".join(f"WHEN '{k}' THEN {i}" for k, i in order.items())
    db.conn.execute(
        f"INSERT INTO {SCHEMA}.table3 (report_id, row_key, row_order, {', '.join(TABLE3_COLUMN_KEYS)}) "
        f"SELECT report_id, row_key, CASE row_key {case} END, {select} FROM {SCHEMA}.cells"
        f" WHERE table_name = 'table3' AND report_id IN {BATCH} GROUP BY report_id, row_key"
    )


def _table3_row_order() -> list[str]:
    """Table 三's rows of both formats in one printed order: a row only the 2019 format has
    (other_total) goes where that format prints it, before the row that follows it there."""
    order = list(FORMATS["2021"].table3_row_keys)
    older = FORMATS["2019"].table3_row_keys
    for i, key in enumerate(older):
        if key not in order:
            order.insert(order.index(older[i + 1]), key)
    return order
