"""The store: originals kept, one transaction per report, idempotent re-import, wide views."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from nianbao.db import review, store
from nianbao.db.format import cell_path
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect, schema_version
from tests.helpers import SAMPLE_NAMES, SAMPLES, sample_path

CELLS_PER_REPORT = 10 + 25 * 7 + 15


TABLES = ("documents", "reports", "cells", "narratives", "parse_notes", "findings", "suggestions")


def counts(db) -> dict[str, int]:
    return {t: db[t].count for t in TABLES}


@pytest.fixture
def samples_dir(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in SAMPLES.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    return folder


def test_import_all_samples(db, samples_dir):
    results = list(import_paths(db, [samples_dir]))
    assert [r.status for r in results] == ["imported"] * 5
    assert counts(db) == {
        "documents": 5,
        "reports": 5,
        "cells": 5 * CELLS_PER_REPORT,
        "narratives": 15,
        "parse_notes": 3,
        "findings": 5,  # CELL-MISSING: 000 ×1, 003 ×2, 004 ×1; NARRATIVE-MATCH: 002
        "suggestions": 8,  # 003: the incomplete row (7 cells) and the blank 商业企业 cell
    }


def test_original_file_kept_byte_for_byte(db):
    path = sample_path("003")
    (result,) = import_paths(db, [path])
    row = db.execute("SELECT sha256, content, name, form, encoding FROM documents").fetchone()
    assert row[1] == path.read_bytes()
    assert row[0] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row[2:] == (path.name, "text", "utf-8")
    assert db["reports"].get(result.report_id)["document"] == row[0]


def test_reimport_is_a_no_op(db, samples_dir):
    list(import_paths(db, [samples_dir]))
    before = counts(db)
    again = list(import_paths(db, [samples_dir]))
    assert [r.status for r in again] == ["unchanged"] * 5
    assert all(r.report_id for r in again)
    assert counts(db) == before
    assert db.execute("SELECT count(*) FROM imports WHERE status = 'unchanged'").fetchone()[0] == 0


def test_newer_file_for_same_report_replaces_values_and_keeps_old_file(db, tmp_path):
    original = sample_path("002")
    (first,) = import_paths(db, [original])
    changed = tmp_path / "002-corrected.txt"
    text = original.read_text(encoding="utf-8")
    changed.write_text(text.replace("行政许可\t0", "行政许可\t7"), encoding="utf-8")
    (second,) = import_paths(db, [changed])
    assert second.status == "replaced" and second.report_id == first.report_id
    assert original.name in second.message
    value = db.execute(
        "SELECT value FROM cells WHERE report_id = ? AND row_key = 'licensing'", [first.report_id]
    ).fetchone()[0]
    assert value == 7
    assert db["documents"].count == 2 and db["reports"].count == 1
    assert db["cells"].count == CELLS_PER_REPORT


def test_a_failure_while_writing_leaves_nothing(db, monkeypatch):
    def broken(database, report_id, report):
        database["cells"].insert({"report_id": report_id, "table_name": "table2", "row_key": "x", "column_key": ""})
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_write_contents", broken)
    (result,) = import_paths(db, [sample_path("001")])  # a bug fails the file alone, with one line
    assert result.failed and result.message.startswith("意外错误（程序缺陷）")
    assert counts(db) == dict.fromkeys(TABLES, 0)


VERSIONS = [
    "m001_initial",
    "m002_checks",
    "m003_cell_boxes",
    "m004_publishes",
    "m005_identity_with_place",
    "m006_cell_confidence",
    "m007_publisher",
    "m008_effective_cells",
    "m009_document_lines",
    "m010_report_marks",
]


def old_database(path, stop_before: str, *, samples: bool = True):
    """A database of an older schema holding the samples, as that schema's code wrote them: they
    are imported into a current database beside it and copied over, column by column."""
    from sqlite_utils import Database

    from nianbao.db.schema import migrations

    old = Database(path)
    migrations.apply(old, stop_before=stop_before)
    if samples:
        current = connect(path.with_name("current.db"))
        list(import_paths(current, [sample_path(name) for name in SAMPLE_NAMES]))
        current.close()
        old.execute("ATTACH DATABASE ? AS current", [str(path.with_name("current.db"))])
        for table in old.table_names():
            if table.startswith("_") or table == "format_cells":  # written by the migrations
                continue
            columns = [
                c for c in old[table].columns_dict if c in Database(path.with_name("current.db"))[table].columns_dict
            ]
            old.execute(
                f"INSERT INTO main.{table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM current.{table}"
            )
        old.conn.commit()
        old.execute("DETACH DATABASE current")
    return old


def test_wal_busy_timeout_and_migrations(db_path):
    db = connect(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert schema_version(db) == VERSIONS
    db.close()
    again = connect(db_path)  # opening again applies nothing twice
    assert schema_version(again) == VERSIONS


def test_upgrade_from_first_schema_keeps_reports(db_path):
    from sqlite_utils import Database

    from nianbao.db.schema import migrations

    old = Database(db_path)
    migrations.apply(old, stop_before="m002_checks")
    assert "findings" not in old.table_names()
    old.close()
    # A database of the first schema, written by hand as that version's code did.
    old = Database(db_path)
    old["documents"].insert(
        {"sha256": "x", "name": "a.txt", "size": 1, "form": "text", "content": b"a", "imported_at": "t"}
    )
    old["reports"].insert(
        {"id": 7, "document": "x", "organ": "夏县人民政府办公室", "year": 2024, "format": "2021", "imported_at": "t"}
    )
    old.close()
    upgraded = connect(db_path)
    assert schema_version(upgraded) == VERSIONS
    assert upgraded["reports"].get(7)["organ"] == "夏县人民政府办公室"
    assert {"province", "prefecture", "region_note"} <= set(upgraded["reports"].columns_dict)
    assert {"findings", "suggestions", "corrections", "status_log"} <= set(upgraded.table_names())


def test_upgrade_rebuilding_reports_keeps_every_row_that_refers_to_them(db_path):
    """m005 rebuilds `reports`; with foreign keys on, dropping the old table would have deleted
    every cell, finding and correction by cascade."""
    old = old_database(db_path, "m005_identity_with_place")
    before = {t: old[t].count for t in ("reports", "cells", "findings", "suggestions", "narratives", "status_log")}
    old.close()
    upgraded = connect(db_path)
    assert schema_version(upgraded) == VERSIONS
    assert {t: upgraded[t].count for t in before} == before and before["cells"] >= 1000
    assert upgraded.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert upgraded.execute("PRAGMA foreign_key_check").fetchall() == []
    assert upgraded.execute("SELECT count(*) FROM table3_wide").fetchone()[0] == before["reports"] * 25


def test_offices_of_two_places_with_one_name_are_two_reports(tmp_path, db):
    """朝阳区人民政府办公室 exists in 北京 and in 长春: one name, two reports a year, each with its
    own history. The place, not the name alone, tells them apart."""
    text = sample_path("001").read_text("utf-8")  # 巨鹿县, 河北省邢台市 (130529)
    first = tmp_path / "a.txt"
    first.write_text(text, "utf-8")
    second = tmp_path / "b.txt"
    second.write_text(text + "\n", "utf-8")  # other bytes, the same organ and year
    (a,) = import_paths(db, [first])
    db.execute("UPDATE reports SET region_code = '000000' WHERE id = ?", [a.report_id])  # another place
    db.conn.commit()
    (b,) = import_paths(db, [second])
    assert (a.status, b.status) == ("imported", "imported") and a.report_id != b.report_id
    rows = db.execute("SELECT organ, year, region_code FROM reports ORDER BY id").fetchall()
    assert [r[:2] for r in rows] == [("巨鹿县人民政府办公室", 2024)] * 2
    assert rows[0][2] != rows[1][2]


def test_values_blank_markers_and_sources_stored(db):
    (result,) = import_paths(db, [sample_path("003")])
    row = db.execute(
        "SELECT value, raw, source_line FROM cells WHERE report_id = ? AND table_name = 'table3'"
        " AND row_key = 'carried_forward' AND column_key = 'commercial'",
        [result.report_id],
    ).fetchone()
    assert row[0] is None and row[1] == ""
    lines = sample_path("003").read_text(encoding="utf-8").splitlines()
    assert lines[row[2] - 1].startswith("四、结转下年度继续办理")
    fee = db.execute("SELECT value FROM cells WHERE row_key = 'fees_wan'").fetchone()[0]
    assert fee == pytest.approx(9669.2526)


def test_wide_views(db):
    list(import_paths(db, [sample_path("003"), sample_path("004")]))
    t3 = {(r["organ"], r["row_key"]): r for r in db.query("SELECT * FROM table3_wide")}
    assert len(t3) == 50
    legal = t3[("霍城县人民政府", "new_received")]
    assert (legal["natural"], legal["legal"], legal["total"]) == (7, 4, 11)
    assert t3[("交口县人民政府办公室", "carried_forward")]["commercial"] is None
    t2 = {r["organ"]: r for r in db.query("SELECT * FROM table2_wide")}
    assert t2["交口县人民政府办公室"]["licensing"] == 1939
    assert t2["霍城县人民政府"]["punishment"] is None
    t4 = {r["organ"]: r for r in db.query("SELECT * FROM table4_wide")}
    assert (t4["交口县人民政府办公室"]["review_corrected"], t4["交口县人民政府办公室"]["review_total"]) == (1, 3)


def test_narratives_stored_with_paragraphs(db):
    (result,) = import_paths(db, [sample_path("000")])
    text = dict(db.execute("SELECT section, text FROM narratives WHERE report_id = ?", [result.report_id]).fetchall())
    assert set(text) == {"overview", "problems", "other"}
    assert text["other"] == "无"
    assert "（二）依申请公开方面" in text["overview"].split("\n\n")


# --- effective_cells: what a stored report's cells mean, the one definition ------------------------


def effective(db, report_id: int) -> dict[str, dict]:
    return {r["path"]: r for r in db.query("SELECT * FROM effective_cells WHERE report_id = ?", [report_id])}


def test_effective_cells_are_the_stored_cells_of_the_format_with_sources_described(db):
    from nianbao.db.document import Source

    ids = [r.report_id for r in import_paths(db, [sample_path(n) for n in SAMPLE_NAMES])]
    for report_id in ids:
        cells = effective(db, report_id)
        stored = list(db.query("SELECT * FROM cells WHERE report_id = ?", [report_id]))
        assert len(cells) == len(stored) > 100
        for c in stored:
            row = cells[cell_path(c["table_name"], c["row_key"], c["column_key"])]
            assert (row["value"], row["printed"], row["corrected"]) == (c["value"], c["raw"], 0)
            columns = (c[f"source_{k}"] for k in ("line", "page", "table", "row", "col"))
            assert row["source"] == Source(*columns).describe()
    assert effective(db, ids[1])["table3.total.natural"]["source"].startswith("第")


def test_the_latest_correction_wins_and_the_printed_text_stays(db):
    (report_id,) = [r.report_id for r in import_paths(db, [sample_path("000")])]
    printed = effective(db, report_id)["table3.new_received.natural"]
    review.correct(db, report_id, "table3.new_received.natural", "17", "p.3", who="li")
    review.correct(db, report_id, "table3.new_received.natural", "18", "p.3 again", who="li")
    review.correct(db, report_id, "table3.new_received.other_org", "/", "printed as /", who="li")
    review.correct(db, report_id, "table2.rules_made", "", "not printed", who="li")
    cells = effective(db, report_id)
    cell = cells["table3.new_received.natural"]
    assert (cell["value"], cell["corrected"], cell["text"]) == (18, 1, "18")
    assert (cell["printed"], cell["source"]) == (printed["printed"], printed["source"])
    assert cells["table3.new_received.other_org"]["value"] == "/"
    assert (cells["table2.rules_made"]["value"], cells["table2.rules_made"]["corrected"]) == (None, 1)
    assert cells["table3.total.natural"]["corrected"] == 0


def test_a_short_row_is_filled_blank_and_an_unstored_row_stays_out(db):
    (report_id,) = [r.report_id for r in import_paths(db, [sample_path("002")])]
    with db.atomic():
        db.execute(
            "DELETE FROM cells WHERE report_id = ? AND table_name = 'table3' AND row_key = 'granted'"
            " AND column_key IN ('other_org', 'legal')",
            [report_id],
        )
        db.execute("DELETE FROM cells WHERE report_id = ? AND row_key = 'refused_secret'", [report_id])
        db.execute(
            "INSERT INTO cells (report_id, table_name, row_key, column_key, value) VALUES (?, 'table2', 'x', '', 1)",
            [report_id],
        )
    cells = effective(db, report_id)
    short = cells["table3.granted.other_org"]
    assert (short["value"], short["printed"], short["source"], short["corrected"]) == (None, None, None, 0)
    assert not any(p.startswith("table3.refused_secret.") for p in cells) and "table2.x" not in cells
    review.correct(db, report_id, "table3.granted.other_org", "3", "the annex says 3", who="li")
    short = effective(db, report_id)["table3.granted.other_org"]
    assert (short["value"], short["corrected"], short["source"]) == (3, 1, None)
    assert review.load_report(db, report_id).get("table3.granted.other_org").value == 3


def test_an_identity_correction_leaves_the_cells_as_they_were(db):
    (report_id,) = [r.report_id for r in import_paths(db, [sample_path("000")])]
    before = effective(db, report_id)
    review.correct(db, report_id, "organ", "某某县人民政府办公室", "the cover", who="li")
    review.correct(db, report_id, "year", "2023", "the title", who="li")
    assert effective(db, report_id) == before


@pytest.mark.parametrize(
    "source",
    [
        {"line": 12},
        {"line": 12, "page": 3},
        {"page": 2, "table": 0, "row": 4, "col": 1},
        {"table": 1, "row": 0},
        {"line": 7, "col": 3},
        {},
    ],
)
def test_upgrade_describes_the_stored_sources(db_path, source, monkeypatch):
    """m008 writes each stored cell's place in words from its source columns, as the store now
    writes it with the cell (a few cells at a time here, to go through many chunks)."""
    from nianbao.db import schema
    from nianbao.db.document import Source

    monkeypatch.setattr(schema, "BACKFILL_CHUNK", 7)

    old = old_database(db_path, "m008_effective_cells")
    columns = {f"source_{k}": source.get(k) for k in ("line", "page", "table", "row", "col")}
    old.execute(
        f"UPDATE cells SET {', '.join(f'{c} = ?' for c in columns)} WHERE report_id = 1", list(columns.values())
    )
    old.conn.commit()
    old.close()
    upgraded = connect(db_path)
    (described,) = {c["source"] for c in effective(upgraded, 1).values()}
    assert described == Source(**source).describe()
    assert upgraded.execute("SELECT count(*) FROM cells WHERE source_text IS NULL").fetchone()[0] == 0
    assert upgraded.execute("SELECT count(*) FROM effective_cells").fetchone()[0] == upgraded["cells"].count


def test_format_cells_follow_the_format_when_a_database_is_opened(db_path):
    from nianbao.db.schema import format_cells

    db = connect(db_path)
    with db.atomic():
        db.execute("DELETE FROM format_cells WHERE table_name = 'table4'")
    db.close()
    again = connect(db_path)
    assert again.execute("SELECT * FROM format_cells ORDER BY position").fetchall() == format_cells()


def test_a_text_files_lines_are_stored_and_provenance_reads_them_not_the_file(db):
    (result,) = import_paths(db, [sample_path("003")])
    with db.atomic():  # the original bytes are not read again
        db.execute("UPDATE documents SET content = x'00ff'")
    found = review.cell_source(db, result.report_id, "table3.carried_forward.commercial")
    line = found.source.line
    assert [n for n, _ in found.excerpt] == list(range(line - 2, line + 3))
    assert dict(found.excerpt)[line].startswith("四、结转下年度继续办理")


def test_upgrade_splits_the_lines_of_text_files_imported_before(db_path):
    old_database(db_path, "m009_document_lines").close()
    upgraded = connect(db_path)
    forms = dict(upgraded.execute("SELECT form, count(lines) FROM documents GROUP BY form").fetchall())
    assert forms == {"text": 5}
    found = review.cell_source(upgraded, 4, "table3.carried_forward.commercial")
    assert dict(found.excerpt)[found.source.line].startswith("四、结转下年度继续办理")
