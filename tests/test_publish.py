"""Publishing: only what should be public, atomic, deterministic, originals at stable paths."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from db import review
from db.pipeline import import_paths
from publish import run as publish_run
from publish.run import publish
from tests.conftest import SAMPLE_NAMES, sample_path
from tui.cli import cli


@pytest.fixture
def samples_db(db):
    ids = [r.report_id for r in import_paths(db, [sample_path(n) for n in SAMPLE_NAMES])]
    return db, dict(zip([n[:3] for n in SAMPLE_NAMES], ids, strict=True))


def files_of(out: Path) -> dict[str, str]:
    """What readers of a publish see: every file under out/site and out/datasette (through the
    links), with its sha256. The staging area out/.builds is not part of it."""
    return {
        f"{part}/{p.relative_to((out / part).resolve())}": hashlib.sha256(p.read_bytes()).hexdigest()
        for part in ("site", "datasette")
        for p in sorted((out / part).resolve().rglob("*"))
        if p.is_file()
    }


def published_db(out: Path) -> Database:
    return Database(out / "datasette" / "nianbao.db")


def test_only_approved_reports_by_default(samples_db, tmp_path):
    db, ids = samples_db
    review.approve(db, ids["001"], who="li")
    done = publish(db, tmp_path / "out")
    assert (done.reports, done.unapproved) == (1, 0)
    assert [r["organ"] for r in published_db(done.out).query("SELECT organ FROM reports")] == ["巨鹿县人民政府办公室"]
    assert review.report_row(db, ids["001"])["status"] == "published"
    assert (done.site / "sources" / "130529-2024.txt").read_bytes() == sample_path("001").read_bytes()


def test_include_unapproved_marks_them(samples_db, tmp_path):
    db, ids = samples_db
    review.approve(db, ids["001"], who="li")
    done = publish(db, tmp_path / "out", include_unapproved=True)
    assert (done.reports, done.unapproved) == (5, 4)
    approved = dict(published_db(done.out).execute("SELECT region_code, approved FROM reports").fetchall())
    assert approved == {"140828": 0, "130529": 1, "410825": 0, "141130": 0, "654023": 0}
    assert review.report_row(db, ids["003"])["status"] == "needs_review"  # not approved: not published


def test_publishing_twice_gives_identical_files(samples_db, tmp_path):
    db, _ = samples_db
    first = files_of(publish(db, tmp_path / "a", include_unapproved=True).out)
    second = files_of(publish(db, tmp_path / "b", include_unapproved=True).out)
    assert first == second and len(first) > 20
    third = files_of(publish(db, tmp_path / "a", include_unapproved=True).out)  # again, over the old one
    assert third == first


def test_an_interrupted_publish_leaves_the_previous_one_whole(samples_db, tmp_path, monkeypatch):
    db, _ = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    before = files_of(out)

    def broken(*args, **kwargs):
        raise KeyboardInterrupt  # the operator pressed Ctrl-C in the middle of the site

    from publish import static_site

    monkeypatch.setattr(static_site, "build_site", broken)
    with pytest.raises(KeyboardInterrupt):
        publish_run.publish(db, out, include_unapproved=True, full=True)
    assert files_of(out) == before
    monkeypatch.undo()
    publish(db, out, include_unapproved=True)  # the next publish keeps the leftover as its spare
    assert len(list((out / ".builds").iterdir())) == 2


def test_site_and_datasette_switch_together_and_older_links_are_taken_over(samples_db, tmp_path):
    db, _ = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    build = (out / ".live").resolve()
    assert (out / "site").resolve() == build / "site" and (out / "datasette").resolve() == build / "datasette"
    for name in ("site", "datasette"):  # as publishes linked them before out/.live
        (out / name).unlink()
        (out / name).symlink_to(build.relative_to(out) / name)
    (out / ".live").unlink()
    before = files_of(out)
    publish(db, out, include_unapproved=True)
    assert files_of(out) == before
    assert [os.readlink(out / name) for name in ("site", "datasette")] == [".live/site", ".live/datasette"]
    assert sorted(p.name for p in out.iterdir()) == [".builds", ".live", "datasette", "site"]


def test_a_real_directory_in_the_way_is_not_deleted(samples_db, tmp_path):
    db, _ = samples_db
    (tmp_path / "out" / "site").mkdir(parents=True)
    (tmp_path / "out" / "site" / "mine.html").write_text("someone's page")
    with pytest.raises(FileExistsError):
        publish(db, tmp_path / "out", include_unapproved=True)
    assert (tmp_path / "out" / "site" / "mine.html").read_text() == "someone's page"


def test_nothing_private_is_published(samples_db, tmp_path):
    db, ids = samples_db
    review.correct(db, ids["000"], "table2.normative_in_force", "3", "p.2 of the printed report", who="secret-operator")
    review.approve(db, ids["000"], who="secret-operator")
    out = publish(db, tmp_path / "out").out
    public = published_db(out)
    text = " ".join(
        str(value) for table in public.table_names() for row in public[table].rows for value in row.values()
    )
    assert "secret-operator" not in text and str(tmp_path) not in text
    (correction,) = public["corrections"].rows
    assert (correction["printed_value"], correction["corrected_value"]) == (None, 3)
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".csv"):
            content = path.read_text(encoding="utf-8", errors="replace")
            assert "secret-operator" not in content and str(tmp_path) not in content, path


def test_cli_publish_and_demo(tmp_path, db_path):
    runner = CliRunner()
    runner.invoke(cli, ["--db", str(db_path), "import", str(sample_path("001"))])
    runner.invoke(cli, ["--db", str(db_path), "approve", "1"])
    result = runner.invoke(cli, ["--db", str(db_path), "publish", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "published 1 report in" in result.stdout and f"{tmp_path / 'out'}/site/index.html" in result.stdout
    demo = runner.invoke(cli, ["demo", "--out", str(tmp_path / "demo")])
    assert demo.exit_code == 0, demo.output
    assert "published 5 reports (5 not approved, marked as such)" in demo.stdout
    assert (tmp_path / "demo" / "published" / "site" / "index.html").exists()


def test_table3_rows_keep_their_printed_order(samples_db, tmp_path):
    db, _ = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    rows = [
        r["row_key"]
        for r in published_db(out).query("SELECT row_key FROM table3 WHERE report_id = 1 ORDER BY row_order")
    ]
    assert rows[-3:] == ["other_other", "total", "carried_forward"] and len(set(rows)) == 25
