"""The search index's Pagefind services (publish/search_index.py): one process per indexing
thread for all its bundles, started and warmed up before the pages they index are written, each
bundle the bytes a run of the binary writes, and a Pagefind that fails is an error naming the
bundle."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from nianbao.db.schema import connect
from nianbao.publish import database, search_index, static_site
from nianbao.publish.assets import TEMPLATES
from nianbao.publish.static_site import Scope, build_site
from tests.published import published_samples


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    target = folder / "site"
    build_site(published_samples(folder), target)
    return target


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def counting_services(monkeypatch) -> list[object]:
    """The Pagefind services started from now on."""
    started: list[object] = []
    start = search_index.PagefindService.__init__

    def counting(self) -> None:
        started.append(self)
        start(self)

    monkeypatch.setattr(search_index.PagefindService, "__init__", counting)
    return started


def test_every_bundle_is_indexed_by_at_most_one_service_a_thread(site, tmp_path, monkeypatch):
    started = counting_services(monkeypatch)
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    search_index.build_index(copy)
    assert 1 <= len(started) <= search_index.WORKERS < len(search_index.bundles_indexed(copy))
    assert files_of(copy / "pagefind") == files_of(site / "pagefind")  # the same bytes again


def test_a_bundle_is_what_a_run_of_the_binary_writes(site, tmp_path):
    """The service's bundle against `pagefind --site --glob --output-subdir`, both made stable."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    shutil.rmtree(copy / "pagefind")
    bundle = "65/6540"
    command = [*search_index._pagefind(), "--site", str(copy), "--glob", "region/{654023}/**/*.html"]
    subprocess.run(
        [*command, "--output-subdir", f"pagefind/{bundle}", "--keep-index-url"], check=True, capture_output=True
    )
    search_index.stabilise(copy / "pagefind" / bundle)
    ran = {k: v for k, v in files_of(copy / "pagefind" / bundle).items() if k not in search_index.UNUSED}
    ours = files_of(site / "pagefind" / bundle)
    ours |= {name: (site / "pagefind" / name).read_bytes() for name in search_index.UI_FILES}
    assert ran == ours


def test_a_pagefind_that_fails_is_an_error_naming_the_bundle(site, tmp_path, monkeypatch):
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    search_index._pagefind.cache_clear()
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    try:
        with pytest.raises(search_index.SearchIndexError, match="为 65/6540 建立搜索索引失败"):
            search_index.build_index(copy, ["65/6540"])
    finally:
        search_index._pagefind.cache_clear()


def test_services_start_before_the_site_data_is_read_one_a_bundle_to_index(site, tmp_path, monkeypatch):
    """An update of one county: one service, started (and warming up) before the site data is
    read, so it is ready when the county's pages are; a whole site: one an indexing thread."""
    started = counting_services(monkeypatch)
    at_load: list[int] = []
    load = static_site.load
    monkeypatch.setattr(static_site, "load", lambda *args: at_load.append(len(started)) or load(*args))
    published = tmp_path / "nianbao.db"
    shutil.copyfile(site.parent / "nianbao.db", published)
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    build_site(published, copy, scope=Scope({"654023"}, {"65"}))
    assert at_load == [1] and len(started) == 1
    assert files_of(copy / "pagefind") == files_of(site / "pagefind")  # the warm-up left no trace
    build_site(published, tmp_path / "whole")
    assert at_load == [1, 1 + search_index.WORKERS] and len(started) == 1 + search_index.WORKERS


def test_a_site_without_reports_starts_no_service(tmp_path, monkeypatch):
    started = counting_services(monkeypatch)
    db = connect(tmp_path / "work.db")
    published = database.build(db, [], tmp_path / "nianbao.db")
    build_site(published, tmp_path / "site")
    assert started == [] and not search_index.bundles_indexed(tmp_path / "site")


def test_the_warm_up_page_is_in_the_language_of_the_sites_pages():
    """Pagefind picks its word segmenter by <html lang>: the warm-up loads the one the pages need."""
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    site_lang = re.search(r'<html lang="([^"]+)"', base)
    warm_up_lang = re.search(r'<html lang="([^"]+)"', search_index.WARM_UP_PAGE)
    assert site_lang and warm_up_lang and site_lang.group(1) == warm_up_lang.group(1) == "zh-CN"
    assert re.search(r"[\u4e00-\u9fff]", search_index.WARM_UP_PAGE)
