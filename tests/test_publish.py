"""Publishing: only what should be public, atomic, deterministic, originals at stable paths."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from nianbao.db import review
from nianbao.db.format import cell_path
from nianbao.db.pipeline import import_paths
from nianbao.publish import run as publish_run
from nianbao.publish.assets import STATIC
from nianbao.publish.run import publish
from nianbao.publish.serving import ServeError, Server, free_port
from nianbao.tui.cli import cli
from tests.helpers import SAMPLE_NAMES, sample_path
from tests.published import files_of


@pytest.fixture
def samples_db(db):
    ids = [r.report_id for r in import_paths(db, [sample_path(n) for n in SAMPLE_NAMES])]
    return db, dict(zip([n[:3] for n in SAMPLE_NAMES], ids, strict=True))


def published_db(out: Path) -> Database:
    return Database(out / "datasette" / "nianbao.db")


def test_only_approved_reports_by_default(samples_db, tmp_path):
    db, ids = samples_db
    review.approve(db, ids["001"], who="li")
    done = publish(db, tmp_path / "out")
    assert (done.reports, done.unapproved) == (1, 0)
    assert [r["organ"] for r in published_db(done.out).query("SELECT organ FROM reports")] == ["巨鹿县人民政府办公室"]
    assert review.report_row(db, ids["001"])["status"] == "published"
    assert (done.site / "sources" / f"130529-2024-{ids['001']}.txt").read_bytes() == sample_path("001").read_bytes()


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

    from nianbao.publish import static_site

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
    assert "已发布 1 份报告，用时" in result.stdout and f"{tmp_path / 'out'}/site/index.html" in result.stdout
    demo = runner.invoke(cli, ["demo", "--out", str(tmp_path / "demo")])
    assert demo.exit_code == 0, demo.output
    assert "已发布 5 份报告（5 份未批准，已标注）" in demo.stdout
    assert (tmp_path / "demo" / "published" / "site" / "index.html").exists()


def test_serve_answers_the_site_and_its_folders_with_their_home_page(samples_db, tmp_path):
    """`nianbao serve` (the app's Server runs the same command): /site/ is the home page, a folder
    address is its index.html, a folder without its slash is sent to it, never a 403."""
    db, _ = samples_db
    done = publish(db, tmp_path / "out", include_unapproved=True)
    server = Server(done.out, port=free_port(8600))
    server.start(timeout=300)  # a hang guard only: startup is slow on a busy machine
    try:
        assert server.site_url.endswith("/site/")
        home = urllib.request.urlopen(server.site_url, timeout=10)
        assert home.status == 200 and home.read() == (done.site / "index.html").read_bytes()
        folder = urllib.request.urlopen(server.site_url + "methodology", timeout=10)  # redirected to …/
        assert folder.url.endswith("/site/methodology/")
        assert folder.read() == (done.site / "methodology" / "index.html").read_bytes()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(server.site_url + "no-such-folder/", timeout=10)
        assert missing.value.code == 404
        assert urllib.request.urlopen(server.datasette_url + "nianbao.json", timeout=10).status == 200
        stylesheet = urllib.request.urlopen(server.datasette_url + "static/datasette.css", timeout=10)
        assert stylesheet.read() == (STATIC / "datasette.css").read_bytes()  # Datasette's, served by itself
    finally:
        server.stop()


def test_table3_rows_keep_their_printed_order(samples_db, tmp_path):
    db, _ = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    rows = [
        r["row_key"]
        for r in published_db(out).query("SELECT row_key FROM table3 WHERE report_id = 1 ORDER BY row_order")
    ]
    assert rows[-3:] == ["other_other", "total", "carried_forward"] and len(set(rows)) == 25


# --- The published database: the effective cells (db/schema.py), copied ------------------------


def corrected_samples(db, ids: dict[str, int]) -> None:
    """Corrections of cells (twice: the latest counts), of a short row's missing cell, and of the
    identity fields."""
    a, b = ids["000"], ids["001"]
    review.correct(db, a, "table3.new_received.natural", "17", "p.3", who="li")
    review.correct(db, a, "table3.new_received.natural", "18", "p.3 again", who="li")
    review.correct(db, a, "organ", "某某县人民政府办公室", "the cover", who="li")
    review.correct(db, a, "published", "2025-01-20", "the cover", who="li")
    review.correct(db, b, "year", "2023", "the title", who="li")
    review.correct(db, b, "region_code", "110105", "the seal", who="li")
    with db.atomic():  # a short row: its last cell never stored
        db.execute(
            "DELETE FROM cells WHERE report_id = ? AND table_name = 'table3' AND row_key = 'granted'"
            " AND column_key = 'other_org'",
            [ids["002"]],
        )
    review.correct(db, ids["002"], "table3.granted.other_org", "3", "cut off in the file; the annex says 3", who="li")


def published_cells(path: Path, report_id: int) -> dict[str, dict]:
    rows = Database(path).query("SELECT * FROM cells WHERE report_id = ?", [report_id])
    return {cell_path(r["table_name"], r["row_key"], r["column_key"]): r for r in rows}


def test_published_cells_are_the_effective_cells(samples_db, tmp_path):
    from nianbao.publish import database

    db, ids = samples_db
    corrected_samples(db, ids)
    target = database.build(db, database.public_reports(db, include_unapproved=True), tmp_path / "p.db")
    columns = ("value", "printed", "corrected", "source")
    for report_id in ids.values():
        effective = db.query("SELECT * FROM effective_cells WHERE report_id = ?", [report_id])
        assert {c["path"]: tuple(c[k] for k in columns) for c in effective} == {
            path: tuple(c[k] for k in columns) for path, c in published_cells(target, report_id).items()
        }
    a = published_cells(target, ids["000"])["table3.new_received.natural"]
    assert (a["value"], a["corrected"]) == (18, 1)
    short = published_cells(target, ids["002"])["table3.granted.other_org"]
    assert (short["value"], short["corrected"], short["source"]) == (3, 1, None)
    rows = {r["id"]: r for r in Database(target)["reports"].rows}
    assert (rows[ids["000"]]["organ"], rows[ids["000"]]["published"]) == ("某某县人民政府办公室", "2025-01-20")
    assert (rows[ids["001"]]["year"], rows[ids["001"]]["region_code"]) == (2023, "110105")
    assert rows[ids["001"]]["source_file"] == f"sources/110105-2023-{ids['001']}.txt"


def table_contents(path: Path) -> dict[str, list]:
    """Every table's rows, sorted, without the ids a replace numbers anew."""
    public = Database(path)
    out = {}
    for table in public.table_names():
        if table.startswith("narratives_fts"):
            continue
        out[table] = sorted(
            (
                tuple((k, repr(v)) for k, v in row.items() if not (k == "id" and table in ("findings", "corrections")))
                for row in public[table].rows
            ),
        )
    found = public.execute(
        "SELECT n.report_id, n.section FROM narratives_fts JOIN narratives n ON n.rowid = narratives_fts.rowid"
        " WHERE narratives_fts MATCH '政府信息公开' ORDER BY 1, 2"
    ).fetchall()
    return {**out, "search": found}


def test_replace_gives_what_a_fresh_build_gives(samples_db, tmp_path):
    from nianbao.publish import database

    db, ids = samples_db
    first = database.build(db, database.public_reports(db, include_unapproved=True), tmp_path / "a.db")
    review.correct(db, ids["000"], "table3.new_received.natural", "17", "p.3", who="li")
    review.correct(db, ids["000"], "organ", "某某县人民政府办公室", "the cover", who="li")
    with db.atomic():
        db.execute("UPDATE reports SET status = 'imported' WHERE id = ?", [ids["002"]])  # withdrawn
    now = [r for r in database.public_reports(db, include_unapproved=True) if r["id"] == ids["000"]]
    database.replace(db, now, first, [ids["002"]])
    with db.atomic():
        db.execute("DELETE FROM reports WHERE id = ?", [ids["002"]])
    fresh = database.build(db, database.public_reports(db, include_unapproved=True), tmp_path / "b.db")
    replaced, expected = table_contents(first), table_contents(fresh)
    assert replaced == expected
    assert ids["002"] not in {r[0][1] for r in replaced["reports"]} and len(expected["reports"]) == 4
    assert Database(first).execute("INSERT INTO narratives_fts (narratives_fts) VALUES ('integrity-check')")


def test_a_build_in_a_snapshot_is_written_when_the_snapshot_ends(samples_db, tmp_path):
    from nianbao.publish import database

    db, _ = samples_db
    with db.snapshot():
        reports = database.public_reports(db, include_unapproved=True)
        target = database.build(db, reports, tmp_path / "p.db")
    assert Database(target).execute("SELECT count(*) FROM reports").fetchone()[0] == 5
    assert "published" not in [r[1] for r in db.execute("PRAGMA database_list")]  # detached


def test_a_build_reads_one_snapshot_while_others_write(samples_db, db_path, tmp_path):
    from nianbao.db.schema import connect
    from nianbao.publish import database

    db, ids = samples_db
    other = connect(db_path)
    with db.snapshot():
        reports = database.public_reports(db, include_unapproved=True)
        review.correct(other, ids["000"], "table3.new_received.natural", "999", "written meanwhile", who="li")
        target = database.build(db, reports, tmp_path / "p.db")
    other.close()
    assert published_cells(target, ids["000"])["table3.new_received.natural"]["value"] != 999
    assert not Database(target)["corrections"].count
    assert review.load_report(db, ids["000"]).get("table3.new_received.natural").value == 999


def test_build_then_replace_in_one_snapshot(samples_db, tmp_path):
    from nianbao.publish import database

    db, ids = samples_db
    with db.snapshot():
        reports = database.public_reports(db, include_unapproved=True)
        target = database.build(db, reports, tmp_path / "p.db")
        database.replace(db, [], target, [ids["004"]])
        with pytest.raises(RuntimeError, match="being published"):
            database.replace(db, [], tmp_path / "other.db", [])
    assert Database(target).execute("SELECT count(*) FROM reports").fetchone()[0] == 4


def test_serve_that_exits_says_why_and_leaves_nothing_open(tmp_path):
    """Datasette exiting at startup (here: no database in the folder) is a one-line error in
    Datasette's own words, and the server is left stopped, its child reaped and its log closed."""
    (tmp_path / "out" / "datasette").mkdir(parents=True)
    server = Server(tmp_path / "out", port=free_port(8650))
    with pytest.raises(ServeError) as exited:
        server.start(timeout=300)  # a hang guard only
    assert str(exited.value).startswith("Datasette 已退出（Datasette：") and "nianbao.db" in str(exited.value)
    assert server.process is None and not server.running


# --- Who publishes, and when the data changed ------------------------------------------------------


def foot(out: Path, path: str) -> str:
    text = (out / "site" / path).read_text(encoding="utf-8")
    (line,) = re.findall(r'<p class="stamp">(.*?)</p>', text)
    return line


def in_beijing(utc: str) -> str:
    return datetime.fromisoformat(utc).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")


def newest_change(db, *report_ids: int) -> str:
    """When these reports last changed as readers see them: import, correction, status (not published)."""
    marks = [db.execute("SELECT imported_at FROM reports WHERE id = ?", [i]).fetchone()[0] for i in report_ids]
    for table, extra in (("corrections", ""), ("status_log", " AND status != 'published'")):
        for i in report_ids:
            (at,) = db.execute(f"SELECT max(at) FROM {table} WHERE report_id = ?{extra}", [i]).fetchone()
            marks.append(at or "")
    return max(marks)


def test_the_publisher_is_named_and_remembered_and_the_time_follows_the_data(samples_db, tmp_path):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True, publisher=" 某县人民政府办公室 ").out
    county = "region/130529/index.html"  # 巨鹿县, sample 001
    assert foot(out, county) == (
        f"发布者：某县人民政府办公室 · 数据更新于 {in_beijing(newest_change(db, ids['001']))}（北京时间）"
    )
    metadata = json.loads((out / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["about"] == foot(out, "methodology/index.html")
    assert in_beijing(newest_change(db, *ids.values())) in metadata["about"]

    review.correct(db, ids["001"], "table3.new_received.natural", "7", "原表为 7", who="li")
    done = publish(db, out, include_unapproved=True)  # an update, no --publisher: the last one stays
    assert done.changed == 1 and done.publisher == "某县人民政府办公室"
    (corrected_at,) = db.execute("SELECT max(at) FROM corrections").fetchone()
    assert f"数据更新于 {in_beijing(corrected_at)}" in foot(out, county)
    assert f"数据更新于 {in_beijing(corrected_at)}" in foot(out, "methodology/index.html")
    other = "region/141130/index.html"  # 交口县: its data did not change, nor does its time
    assert f"数据更新于 {in_beijing(newest_change(db, ids['003']))}" in foot(out, other)

    renamed = publish(db, out, include_unapproved=True, publisher="某市政务公开办")  # every page again
    assert renamed.changed is None and foot(out, other).startswith("发布者：某市政务公开办 · ")
    assert publish(db, tmp_path / "elsewhere", include_unapproved=True).publisher == "本站编者"


def test_being_marked_published_does_not_change_the_time(samples_db, tmp_path):
    db, ids = samples_db
    review.approve(db, ids["001"], who="li")
    first = publish(db, tmp_path / "a")  # 巨鹿县 approved -> published
    assert review.report_row(db, ids["001"])["status"] == "published"
    again = publish(db, tmp_path / "b")
    assert files_of(first.out) == files_of(again.out)


@pytest.mark.parametrize("name", ["", "   ", "名\n字", "长" * 101])
def test_a_publisher_that_cannot_stand_on_every_page_is_refused_in_one_line(samples_db, db_path, tmp_path, name):
    argv = ["--db", str(db_path), "publish", "--out", str(tmp_path / "out"), "--include-unapproved"]
    result = CliRunner().invoke(cli, [*argv, "--publisher", name])
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert result.stderr.startswith("错误：发布者名称") and result.stderr.count("\n") == 1
