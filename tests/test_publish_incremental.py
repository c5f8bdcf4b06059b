"""Publishing again after a few changes: only their counties are built again, the result is the
same as a publish from nothing, and the live site is never written into while that happens."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.publish import changes, database, run
from nianbao.publish.run import publish
from nianbao.tui.cli import cli
from tests.helpers import SAMPLE_NAMES, sample_path
from tests.published import site_of, tables_of, tree

CELL = "table3.new_received.natural"


@pytest.fixture
def samples_db(db):
    ids = [r.report_id for r in import_paths(db, [sample_path(n) for n in SAMPLE_NAMES])]
    return db, dict(zip([n[:3] for n in SAMPLE_NAMES], ids, strict=True))


def assert_same_as_from_nothing(db, out: Path, tmp_path: Path, **options) -> None:
    fresh = publish(db, tmp_path / "fresh", full=True, **options).out
    assert site_of(out) == site_of(fresh)
    assert tables_of(out) == tables_of(fresh)


def live(out: Path) -> Path:
    return (out / ".live").resolve()


def test_a_correction_rebuilds_one_county_and_gives_what_a_full_publish_gives(samples_db, tmp_path):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    first = live(out)
    first_files = tree(first)
    review.correct(db, ids["001"], CELL, "7", "the printed table says 7", who="li")
    done = publish(db, out, include_unapproved=True)
    assert done.changed == 1 and live(out) != first
    page = (out / "site" / "region" / "130529" / "2024" / "index.html").read_text(encoding="utf-8")
    assert "the printed table says 7" in page
    assert tree(first) == first_files  # the previous build, live until the swap, was never written into
    for untouched in ("site/region/140828/2024/index.html", "site/pagefind/41/4108/pagefind-entry.json"):
        assert (live(out) / untouched).stat().st_ino == (first / untouched).stat().st_ino  # linked, not written
    assert (live(out) / "site/pagefind/13/1305/pagefind-entry.json").stat().st_ino != (
        first / "site/pagefind/13/1305/pagefind-entry.json"
    ).stat().st_ino  # 巨鹿县's prefecture (邢台市) indexed again
    assert_same_as_from_nothing(db, out, tmp_path, include_unapproved=True)
    assert len(list((out / ".builds").iterdir())) == 2  # the live build and the one it was made from


def test_a_correction_reindexes_its_prefecture_not_its_province(samples_db, tmp_path):
    """夏县 (bundle 14/1405: 晋城市 to 运城市) and 交口县 (14/1411: 吕梁市) are both in 山西省: a
    correction in 夏县 re-indexes its bundle alone, and a second one starts from the first's build."""
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    bundles = ("site/pagefind/14/1405/pagefind-entry.json", "site/pagefind/14/1411/pagefind-entry.json")
    for n, value in enumerate(("7", "8")):
        before = [(live(out) / path).stat().st_ino for path in bundles]
        review.correct(db, ids["000"], CELL, value, f"correction {n}", who="li")
        publish(db, out, include_unapproved=True)
        after = [(live(out) / path).stat().st_ino for path in bundles]
        assert after[0] != before[0] and after[1] == before[1]  # 夏县's bundle indexed again, 交口县's linked
    assert_same_as_from_nothing(db, out, tmp_path, include_unapproved=True)


def test_nothing_changed_keeps_the_live_build(samples_db, tmp_path):
    db, _ = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    first, before = live(out), tree(live(out))
    done = publish(db, out, include_unapproved=True)
    assert done.changed == 0 and live(out) == first and tree(first) == before


def test_a_report_moved_to_another_county_leaves_its_old_pages_and_file(samples_db, tmp_path):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    assert (out / "site" / "region" / "130529").is_dir() and (
        out / "site" / "sources" / f"130529-2024-{ids['001']}.txt"
    ).is_file()
    review.correct(db, ids["001"], "region_code", "130530", "the report's own seal says 新河县", who="li")
    done = publish(db, out, include_unapproved=True)
    assert done.changed == 1
    assert not (out / "site" / "region" / "130529").exists()
    assert not (out / "site" / "sources" / f"130529-2024-{ids['001']}.txt").exists()
    assert (out / "site" / "sources" / f"130530-2024-{ids['001']}.txt").read_bytes() == sample_path("001").read_bytes()
    assert_same_as_from_nothing(db, out, tmp_path, include_unapproved=True)


def test_approving_a_report_adds_it(samples_db, tmp_path):
    db, ids = samples_db
    review.approve(db, ids["001"], who="li")
    out = publish(db, tmp_path / "out").out
    review.approve(db, ids["002"], override="checked against the PDF", who="li")
    done = publish(db, out)
    assert (done.reports, done.changed) == (2, 1)
    home = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert "region/130529/index.html" in home and "region/410825/index.html" in home
    assert_same_as_from_nothing(db, out, tmp_path)


def test_an_interrupted_update_leaves_the_live_site_whole_and_the_next_one_completes(samples_db, tmp_path, monkeypatch):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    before = site_of(out), tables_of(out)
    review.correct(db, ids["001"], CELL, "7", "the printed table says 7", who="li")
    from nianbao.publish import static_site

    def broken(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C while the county is written again

    monkeypatch.setattr(static_site, "build_site", broken)
    with pytest.raises(KeyboardInterrupt):
        publish(db, out, include_unapproved=True)
    assert (site_of(out), tables_of(out)) == before
    monkeypatch.undo()
    assert publish(db, out, include_unapproved=True).changed == 1
    assert_same_as_from_nothing(db, out, tmp_path, include_unapproved=True)


def test_an_update_copies_the_published_database_while_the_reports_are_read(samples_db, tmp_path, monkeypatch):
    """The live published database is copied into the spare build from the start of a publish
    (beside the reading of the reports, not after it), and is on disk before the changed
    report's rows are written into it."""
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    review.correct(db, ids["001"], CELL, "7", "the printed table says 7", who="li")
    copying, seen = threading.Event(), []
    real_copy, real_reports, real_replace = run._copy_database, database.public_reports, database.replace
    real_fsync = os.fsync

    def copy(live_build, build):
        copying.set()
        return real_copy(live_build, build)

    def reports(*args, **kwargs):
        seen.append(("copy under way while the reports are read", copying.wait(timeout=60)))
        return real_reports(*args, **kwargs)

    def fsync(fd):
        seen.append(("flushed", Path(os.readlink(f"/proc/self/fd/{fd}")).name))
        return real_fsync(fd)

    def replace(db, rows, target, removed):
        seen.append(("rows written", target.name))
        return real_replace(db, rows, target, removed)

    monkeypatch.setattr(run, "_copy_database", copy)
    monkeypatch.setattr(database, "public_reports", reports)
    monkeypatch.setattr(run.os, "fsync", fsync)
    monkeypatch.setattr(database, "replace", replace)
    assert publish(db, out, include_unapproved=True).changed == 1
    assert seen[:3] == [
        ("copy under way while the reports are read", True),
        ("flushed", "nianbao.db"),
        ("rows written", "nianbao.db"),
    ]
    monkeypatch.undo()
    assert_same_as_from_nothing(db, out, tmp_path, include_unapproved=True)


def test_a_copy_that_fails_stops_the_update_and_leaves_the_live_site(samples_db, tmp_path, monkeypatch):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    before = site_of(out), tables_of(out)
    review.correct(db, ids["001"], CELL, "7", "the printed table says 7", who="li")

    def full_disk(source, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(run.shutil, "copyfile", full_disk)
    with pytest.raises(OSError, match="No space left"):
        publish(db, out, include_unapproved=True)
    assert (site_of(out), tables_of(out)) == before
    monkeypatch.undo()
    assert publish(db, out, include_unapproved=True).changed == 1
    assert_same_as_from_nothing(db, out, tmp_path, include_unapproved=True)


def test_another_version_of_the_code_publishes_everything(samples_db, tmp_path, monkeypatch):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    review.correct(db, ids["001"], CELL, "7", "the printed table says 7", who="li")
    monkeypatch.setattr(changes, "fingerprint", lambda include_unapproved, publisher: "another version")
    assert publish(db, out, include_unapproved=True).changed is None
    monkeypatch.undo()
    assert publish(db, out, include_unapproved=False, allow_removals=True).changed is None  # another setting, too


def test_cli_says_what_it_rebuilt_and_full_builds_everything(samples_db, db_path, tmp_path):
    db, ids = samples_db
    argv = ["--db", str(db_path), "publish", "--out", str(tmp_path / "out"), "--include-unapproved"]
    first = CliRunner().invoke(cli, argv)
    assert first.exit_code == 0 and "已发布 5 份报告（5 份未批准，已标注），用时" in first.stdout
    review.correct(db, ids["001"], CELL, "7", "the printed table says 7", who="li")
    again = CliRunner().invoke(cli, argv)
    assert "已发布 5 份报告（5 份未批准，已标注），重建有变化的报告 1 份，用时" in again.stdout
    assert "没有变化，用时" in CliRunner().invoke(cli, argv).stdout
    full = CliRunner().invoke(cli, [*argv, "--full"])
    assert full.exit_code == 0 and "已发布 5 份报告（5 份未批准，已标注），用时" in full.stdout


def test_pages_written_by_worker_processes_are_the_same(samples_db, tmp_path, monkeypatch):
    """A large site's county pages are written by two processes: the same bytes as one."""
    db, _ = samples_db
    one = publish(db, tmp_path / "one", include_unapproved=True).out
    from nianbao.publish import static_site

    monkeypatch.setattr(static_site, "PARALLEL_FROM", 1)
    monkeypatch.setattr(static_site, "WORKERS", 2)
    monkeypatch.setattr(static_site, "CHUNK", 2)
    steps: list[str] = []
    two = publish(db, tmp_path / "two", include_unapproved=True, progress=steps.append).out
    assert "网站：4/5 个县" in steps and "网站：5/5 个县" in steps
    assert tree((one / "site").resolve()) == tree((two / "site").resolve())


def test_successive_updates_bring_the_spare_level_through_what_the_last_one_touched(samples_db, tmp_path):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    files = len(tree((out / "site").resolve()))
    untouched = out / "site" / "region" / "140828" / "2024" / "index.html"
    inode = untouched.stat().st_ino
    linked = []

    def update(report: str, value: str) -> None:
        review.correct(db, ids[report], CELL, value, "the printed table says so", who="li")
        steps: list[str] = []
        assert publish(db, out, include_unapproved=True, progress=steps.append).changed == 1
        (line,) = [s for s in steps if s.startswith("沿用上次发布的文件")]
        linked.append(int(line.split()[1]))

    update("001", "7")  # the spare is the first, full build: every file compared and linked
    update("003", "8")  # the spare is what the first update started from: only its paths
    update("001", "9")
    assert linked[0] == files and max(linked[1:]) < files  # the site-wide files, two counties, the search
    assert untouched.stat().st_ino == inode  # the same file all along, in every build
    assert_same_as_from_nothing(db, out, tmp_path, include_unapproved=True)


def test_home_pages_of_other_years_are_kept_until_the_set_of_years_changes(samples_db, tmp_path):
    db, ids = samples_db
    out = publish(db, tmp_path / "out", include_unapproved=True).out
    year_page = out / "site" / "year" / "2023" / "index.html"  # 2024 is the latest: index.html
    inode = year_page.stat().st_ino
    review.correct(db, ids["001"], CELL, "7", "the printed table says 7", who="li")  # a 2024 report
    publish(db, out, include_unapproved=True)
    assert year_page.stat().st_ino == inode  # 2023's page was not written again
    review.correct(db, ids["001"], "year", "2022", "the title says 2022", who="li")  # a new year appears
    publish(db, out, include_unapproved=True)
    assert (out / "site" / "year" / "2022" / "index.html").is_file()
    assert year_page.stat().st_ino != inode  # its year selector now lists 2022
    assert_same_as_from_nothing(db, out, tmp_path, include_unapproved=True)


def test_two_organs_of_one_county_and_year_keep_their_own_original_files(samples_db, tmp_path):
    """巨鹿县's government office and its education bureau both report for 2024: each original file
    has a path of its own, and an update of one leaves the other's in place."""
    db, ids = samples_db
    bureau = tmp_path / "bureau.txt"
    bureau.write_text(
        sample_path("001").read_text(encoding="utf-8").replace("人民政府办公室", "教育局"), encoding="utf-8"
    )
    (result,) = import_paths(db, [bureau])
    assert result.status != "failed", result.message
    sources = tmp_path / "out" / "site" / "sources"
    publish(db, tmp_path / "out", include_unapproved=True)
    originals = {ids["001"]: sample_path("001"), result.report_id: bureau}
    for report_id, original in originals.items():
        assert (sources / f"130529-2024-{report_id}.txt").read_bytes() == original.read_bytes()
    review.correct(db, result.report_id, CELL, "7", "the printed table says 7", who="li")
    assert publish(db, tmp_path / "out", include_unapproved=True).changed == 1
    for report_id, original in originals.items():
        assert (sources / f"130529-2024-{report_id}.txt").read_bytes() == original.read_bytes()
