"""An update digests again only the reports whose mark moved (db/schema.py m010): every way a
report can change moves its mark, so the update picks the change up, and its state is the one a
publish from nothing computes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.publish import changes, database
from nianbao.publish.run import publish
from tests.helpers import SAMPLE_NAMES, sample_path
from tests.published import site_of, tables_of

CELL = "table3.new_received.natural"


@pytest.fixture
def samples_db(db):
    ids = [r.report_id for r in import_paths(db, [sample_path(n) for n in SAMPLE_NAMES])]
    return db, dict(zip([n[:3] for n in SAMPLE_NAMES], ids, strict=True))


def reimport(db, tmp_path: Path, name: str) -> None:
    """The same report from another file (one more line at its end): it replaces the stored one."""
    copy = tmp_path / f"again-{name}.txt"
    copy.write_bytes(sample_path(name).read_bytes() + b"\n")
    (result,) = import_paths(db, [copy])
    assert result.status == "replaced", result.message


def changes_each_way(db, ids: dict[str, int], tmp_path: Path) -> list[tuple[str, object]]:
    """(what, how) for every way a report changes, each a different report where it can be."""
    return [
        ("correction", lambda: review.correct(db, ids["001"], CELL, "7", "原文为 7", who="li")),
        ("accept", lambda: review.accept_suggestions(db, ids["003"], who="li")),
        ("approve", lambda: review.approve(db, ids["002"], who="li")),
        ("identity", lambda: review.correct(db, ids["004"], "organ", "霍城县人民政府办公室", "印章", who="li")),
        ("re-import", lambda: reimport(db, tmp_path, SAMPLE_NAMES[0])),
        ("findings alone", lambda: db.execute("DELETE FROM findings WHERE report_id = ?", [ids["000"]])),
        ("plain SQL", lambda: db.execute("UPDATE reports SET title = '改过的标题' WHERE id = ?", [ids["002"]])),
        ("remove", lambda: review.remove(db, ids["001"], "重复的副本", who="li")),
    ]


def test_every_way_a_report_changes_is_picked_up(samples_db, tmp_path):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True, allow_removals=True).out
    for what, change in changes_each_way(db, ids, tmp_path):
        change()
        db.conn.commit()
        done = publish(db, out, include_unapproved=True, allow_removals=True)
        assert done.changed == 1, what
        kept = changes.read_state((out / ".live").resolve())
        assert kept is not None
        with db.snapshot():
            fresh = changes.current_state(db, database.public_reports(db, True), True, done.publisher)
        assert kept.reports == fresh.reports, what  # the digests kept are those computed from nothing
        assert publish(db, out, include_unapproved=True).changed == 0, what  # and nothing is seen twice
    fresh_out = publish(db, tmp_path / "fresh", include_unapproved=True, full=True).out
    assert site_of(out) == site_of(fresh_out) and tables_of(out) == tables_of(fresh_out)


def test_another_publisher_publishes_everything(samples_db, tmp_path):
    db, _ = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    assert publish(db, out, include_unapproved=True, publisher="某市政务公开办").changed is None


def test_a_database_restored_from_a_backup_is_digested_again(samples_db, tmp_path):
    """Marks are random, not counted: a backup's report, changed after the backup was taken and
    published, never shows the mark the publish saw."""
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    backup = dict(db.execute("SELECT report_id, mark FROM report_marks").fetchall())
    review.correct(db, ids["001"], CELL, "7", "原文为 7", who="li")
    assert publish(db, out, include_unapproved=True).changed == 1
    moved = dict(db.execute("SELECT report_id, mark FROM report_marks").fetchall())
    assert moved[ids["001"]] != backup[ids["001"]]
    assert all(moved[i] == backup[i] for i in ids.values() if i != ids["001"])  # the others kept theirs


def test_a_builds_id_is_read_without_its_reports(samples_db, tmp_path):
    """An update asks the spare build only for its id (the first line of its state); a state cut
    short after that line is still that build's id, but no state to compare with."""
    db, _ = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    build = (out / ".live").resolve()
    state = changes.read_state(build)
    assert state is not None and changes.build_id(build) == state.build
    path = build / changes.STATE_FILE
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0][:-1] + ', "cut": "', encoding="utf-8")
    assert changes.build_id(build) is None and changes.read_state(build) is None  # the line itself cut short
    head = json.dumps({"fingerprint": "f", "build": state.build, "base": None, "touched": None})
    path.write_text(head + '\n{"1": ["cut', encoding="utf-8")
    assert changes.build_id(build) == state.build and changes.read_state(build) is None
