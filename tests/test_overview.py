"""The database at a glance and the review queue."""

from __future__ import annotations

from nianbao.db import queries, review
from nianbao.db.overview import QueueFilter, overview, queue
from nianbao.db.pipeline import import_paths
from nianbao.db.vocabulary import Status
from nianbao.publish.run import publish
from tests.helpers import SAMPLE_NAMES, sample_path


def test_overview_and_queue(db, tmp_path):
    assert overview(db).reports == 0 and queue(db) == []
    list(import_paths(db, [sample_path(n) for n in SAMPLE_NAMES]))
    glance = overview(db)
    assert glance.reports == 5 and (glance.errors, glance.warnings) == (4, 1)
    assert glance.by_status == {"needs_review": 3, "ready": 2}
    assert glance.by_year == {2024: 4, 2023: 1}
    assert glance.by_province == {"山西省": 2, "新疆维吾尔自治区": 1, "河北省": 1, "河南省": 1}
    assert glance.last_import is not None and glance.last_publish is None
    rows = queue(db)
    assert [r.region for r in rows] == ["交口县", "夏县", "霍城县", "温县", "巨鹿县"]  # errors, then warnings
    assert (rows[0].errors, rows[0].rules) == (2, ("CELL-MISSING",))
    assert [r.region for r in queue(db, QueueFilter(rule="NARRATIVE-MATCH"))] == ["温县"]
    assert [r.region for r in queue(db, QueueFilter(year=2023))] == ["霍城县"]
    assert [r.region for r in queue(db, QueueFilter(status="ready", province="河北省"))] == ["巨鹿县"]
    review.approve(db, rows[-1].id, who="li")
    publish(db, tmp_path / "out")
    assert overview(db).last_publish is not None and overview(db).by_status["published"] == 1


def test_the_cli_list_is_the_queue_then_the_removed(db):
    """`nianbao list` reads db/queries.listing: the queue's order and counts (one definition),
    with where each report is and its file, the removed reports last."""
    list(import_paths(db, [sample_path(n) for n in SAMPLE_NAMES]))
    removed = queue(db)[0].id
    review.remove(db, removed, "重复的副本", who="li")
    listed = queries.listing(db)
    assert [r.id for r in listed] == [r.id for r in queue(db)] + [removed]
    assert [(r.errors, r.warnings) for r in listed[:-1]] == [(r.errors, r.warnings) for r in queue(db)]
    assert listed[-1].status == Status.REMOVED and listed[-1].region_code == "141130"
    assert {r.file for r in listed} == {sample_path(n).name for n in SAMPLE_NAMES}
    assert queries.active_report_ids(db) == sorted(r.id for r in listed[:-1])
