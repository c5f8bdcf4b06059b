"""The site's search index: Pagefind, run offline from its bundled binary, one bundle per
prefecture, then made byte-stable. The binary runs as a service (`PagefindService`), one per
indexing thread, building bundle after bundle: its start-up is paid once a publish, not once a
bundle, and a bundle's files are the bytes a run of the binary writes over the same pages.

Layout under site/pagefind/ (BUNDLE):
    pagefind-ui.js, pagefind-ui.css   the search box, the same for every bundle
    shards.json                       the bundles, for the search page: key, province, 省份 names, pages
    <province>/<prefecture>/          Pagefind's bundle of the county and report pages under
                                      region/<county_key>/ of the prefectures packed from that
                                      one (13/1301 for 石家庄市; other/other for reports not on
                                      the map)
One bundle per prefecture, small neighbours packed together (`packs`: at most PACK_COUNTIES
counties; 93 bundles for the country), keeps each bundle's index small (memory and time grow
with its pages: ~5.7 ms of CPU a page) and lets a publish after one correction re-index
one bundle, never a whole province (河北: 1,600 pages, 9 s). Bundles sit in their province's
folder, so a publish's record of what it touched (publish/changes.py: pagefind/<province>)
covers them. The search page merges the bundles in the browser (Pagefind's mergeIndex): all of
them for 全国, a province's when the visitor picks one.

Pagefind 1.5.2 writes every file the same from one run to the next except its filter files: each
holds a filter's values (province, year…) in Rust hash-map order, which changes per run, and
so do the hashed names of those files, the language's .pf_meta listing them and
pagefind-entry.json naming that. `stabilise` rewrites exactly these files with the values and
filters sorted and names derived from the content, so that building twice from the same
database gives the same bytes. It reads only the small CBOR subset Pagefind writes, and leaves
any other Pagefind version alone.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import queue
import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Self

from nianbao.db.regions import COUNTY, search_divisions
from nianbao.publish.fsutil import write_file
from nianbao.publish.untrusted import prefecture_key, province_key

PAGEFIND_VERSION = "1.5.2"
SIGNATURE = b"pagefind_dcd"
BUNDLE = "pagefind"
PAGES = "region"  # only county and report pages are indexed: they carry names and narratives
SHARDS = "shards.json"
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")  # shared by all bundles, kept once in BUNDLE
UNUSED: tuple[str, ...] = ("pagefind-component-ui.css", "pagefind-component-ui.js", "pagefind-highlight.js")
UNUSED += ("pagefind-modular-ui.css", "pagefind-modular-ui.js")
PROVINCE_FILTER = "省份"
META_FILTERS = 3  # position of the [[filter, file hash], …] list in a .pf_meta
# Two bundles indexed at a time, each thread by its own Pagefind service (the machine has 2
# cores); a service stays near ~120 MiB at 3,000 reports (it frees each bundle's index once written).
WORKERS = 2
# County-level divisions a search bundle holds at most (a prefecture with more is a bundle alone):
# 40 counties × 5 years is some 240 pages, ~1.4 s of Pagefind; the country is 93 bundles, which a
# 全国 search merges (338, one per prefecture: 13–15 s and 2,300 requests to a first result).
PACK_COUNTIES = 40
INDEX_CONFIG = {"keep_index_url": True}
# What a service indexes first, to load what the site's pages need (site/templates/base.html's
# language: Pagefind picks its word segmenter by <html lang>).
WARM_UP_PAGE = '<!doctype html><html lang="zh-CN"><body><main><h1>政府信息公开工作年度报告</h1></main></body></html>'


class SearchIndexError(RuntimeError):
    """Pagefind failed, or wrote what this module does not understand."""


def build_index(site: Path, bundles: Iterable[str] | None = None) -> None:
    """Index site/region/ into one bundle per prefecture under site/pagefind/.

    bundles=None: every bundle, from scratch (bundles of prefectures gone are removed).
    Otherwise only those bundles (`bundle_of` names) are (re)indexed; a bundle without pages
    left is removed; the other bundles are not touched."""
    counties = counties_by_bundle(site)
    with Indexer(site, bundles) as indexer:
        for bundle, names in sorted(counties.items()):
            indexer.add(bundle, names)


class Indexer:
    """Bundles indexed as the pages of each are written (publish/static_site.py), WORKERS at a
    time in threads, each thread with its own Pagefind service for all the bundles it indexes;
    leaving the `with` block waits for them all, ends the services, then writes shards.json.
    `bundles` as for `build_index`: None clears every bundle first, a set clears only those
    (names this module made alone); `present`: bundles whose pages are still to come. The
    indexer takes over `services` started ahead (`start_services`: their start-up and warm-up go
    on while the caller reads its data and writes the first pages); a thread without one starts
    its own with its first bundle."""

    def __init__(
        self,
        site: Path,
        bundles: Iterable[str] | None = None,
        present: Iterable[str] = (),
        services: Iterable[PagefindService] = (),
    ) -> None:
        self.site, self.root = site, site / BUNDLE
        if bundles is None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.wanted: set[str] | None = None
        else:  # only names this module made: a bundle there, pages of it, or pages to come (`present`)
            known = set(counties_by_bundle(site)) | set(bundles_indexed(site)) | set(present)
            self.wanted = set(bundles) & known
            for bundle in sorted(self.wanted):
                shutil.rmtree(self.root / bundle, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self._pool = ThreadPoolExecutor(WORKERS)
        self._runs: list[Future] = []
        self._local = threading.local()
        self._services: list[PagefindService] = []
        self._idle: queue.SimpleQueue[PagefindService] = queue.SimpleQueue()
        self._lock = threading.Lock()
        for service in services:
            self._services.append(service)
            self._idle.put(service)

    def wants(self, bundle: str) -> bool:
        return self.wanted is None or bundle in self.wanted

    def add(self, bundle: str, counties: list[str]) -> None:
        """Index this bundle's counties (their pages are all written) in the background; a
        bundle without counties left is not made again (removed when the indexer started)."""
        if counties and self.wants(bundle):
            self._runs.append(self._pool.submit(self._index, bundle, counties))

    def _index(self, bundle: str, counties: list[str]) -> None:
        service = getattr(self._local, "service", None)
        if service is None:
            try:
                service = self._idle.get_nowait()
            except queue.Empty:
                service = self._start()
            self._local.service = service
        _index_bundle(service, self.site, bundle, counties)

    def _start(self) -> PagefindService:
        service = PagefindService()
        with self._lock:
            self._services.append(service)
        return service

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)
        finally:
            for service in self._services:
                service.close()
        if exc_type is None:
            for run in self._runs:
                run.result()  # the first failure, in the order the runs were started
            _write_shards(self.root)


def bundle_of(county: str) -> str:
    """The search bundle of a county key (a folder under region/): <province>/<prefecture>, the
    first prefecture of its pack (`packs`): 13/1301 for 130102; other/other for a report not on
    the map."""
    province, prefecture = province_key(county), prefecture_key(county)
    if province == "other":
        return "other/other"
    return f"{province}/{packs(province).get(prefecture, prefecture)}"


@cache
def packs(province: str) -> dict[str, str]:
    """A province's prefectures packed into search bundles: in code order, each bundle taking the
    next prefecture while it holds at most PACK_COUNTIES county-level divisions, named by its
    first (prefecture key → bundle's prefecture key). Counted in the national division list, not
    in the data published, so a county's bundle never changes with what is published; a
    prefecture unknown there (a code the list lacks) is a bundle of its own."""
    counts = Counter(prefecture_key(d.code) for d in search_divisions(province, limit=10**6) if d.level == COUNTY)
    out: dict[str, str] = {}
    first, size = "", 0
    for prefecture in sorted(counts):
        if not first or size + counts[prefecture] > PACK_COUNTIES:
            first, size = prefecture, 0
        out[prefecture] = first
        size += counts[prefecture]
    return out


def bundles_indexed(site: Path) -> list[str]:
    """The bundles under site/pagefind/, sorted."""
    root = site / BUNDLE
    if not root.is_dir():
        return []
    return sorted(
        f"{path.parent.name}/{path.name}" for path in root.glob("*/*") if (path / "pagefind-entry.json").is_file()
    )


def counties_by_bundle(site: Path) -> dict[str, list[str]]:
    """The county keys (folder names under site/region/) of each bundle, sorted."""
    folder = site / PAGES
    found: dict[str, list[str]] = {}
    if folder.is_dir():
        for county in sorted(path.name for path in folder.iterdir() if path.is_dir()):
            found.setdefault(bundle_of(county), []).append(county)
    return found


def _index_bundle(service: PagefindService, site: Path, bundle: str, counties: list[str]) -> None:
    glob = f"{PAGES}/{{{','.join(counties)}}}/**/*.html"
    folder = site / BUNDLE / bundle
    try:
        files = service.index(site, glob)
    except SearchIndexError as error:
        raise SearchIndexError(f"为 {bundle} 建立搜索索引失败（pagefind：{error}）") from None
    for name, content in files.items():
        if name not in UNUSED:
            write_file(folder / name, content)
    stabilise(folder)
    for name in UI_FILES:
        (folder / name).replace(site / BUNDLE / name)  # the same bytes from every run


@contextmanager
def start_services(count: int) -> Iterator[list[PagefindService]]:
    """`count` Pagefind services (at most WORKERS) started now, for an `Indexer` to take over:
    their start-up and warm-up go on beside the caller's work until the first bundle is ready.
    All are ended on leaving (those an indexer took over are ended already)."""
    services = [PagefindService() for _ in range(min(count, WORKERS))]
    try:
        yield services
    finally:
        for service in services:
            service.close()


class PagefindService:
    """One Pagefind process in service mode (`pagefind --service`), indexing bundle after bundle:
    its start-up (~0.15 s of CPU a run of the binary) is paid once, not once a bundle. Speaks
    Pagefind's service protocol directly, one request at a time: base64 JSON messages, each
    ended by a comma. (Pagefind's Python API speaks it through asyncio, polling for answers
    every 0.1 s: four requests a bundle would each wait up to 0.1 s more.)

    A bundle's files come back in the answer (GetFiles), the bytes a run of the binary writes
    over the same pages, and are written here: the service's own WriteFiles answers before its
    writes are done (tokio's files are written in the background), so a bundle read right
    after could be empty or cut short."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [*_pagefind(), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # notes only (no stemming for zh-cn); errors come as answers
        )
        self._sent, self._unread = 0, b""
        self._warm_up_error: SearchIndexError | None = None
        self._warming = threading.Thread(target=self._warm_up, name="pagefind-warm-up", daemon=True)
        self._warming.start()

    def _warm_up(self) -> None:
        """Index one small page in the site's language, and drop it. Pagefind loads its Chinese
        word segmenter the first time it meets Chinese text (~0.17 s); done here, as the service
        starts, it no longer delays the first bundle (an update's only one). A failure is the
        first bundle's error (`index`)."""
        try:
            index_id = self._ask({"type": "NewIndex", "config": INDEX_CONFIG}, "NewIndex")["index_id"]
            self._ask(
                {"type": "AddFile", "index_id": index_id, "url": "/", "file_contents": WARM_UP_PAGE}, "IndexedFile"
            )
            self._ask({"type": "DeleteIndex", "index_id": index_id}, "DeleteIndex")
        except SearchIndexError as error:
            self._warm_up_error = error

    def index(self, site: Path, glob: str) -> dict[str, bytes]:
        """The bundle of the pages of `site` matching `glob` (as `pagefind --site --glob`): each
        file's path in the bundle and its bytes."""
        self._warming.join()
        if self._warm_up_error is not None:
            raise self._warm_up_error
        index_id = self._ask({"type": "NewIndex", "config": INDEX_CONFIG}, "NewIndex")["index_id"]
        self._ask({"type": "AddDir", "index_id": index_id, "path": str(site), "glob": glob}, "IndexedDir")
        files = self._ask({"type": "GetFiles", "index_id": index_id}, "GetFiles")["files"]
        self._ask({"type": "DeleteIndex", "index_id": index_id}, "DeleteIndex")  # its memory freed
        out = {}
        for file in files:
            name = file["path"]
            if not name or name.startswith("/") or ".." in name.split("/"):
                raise SearchIndexError(f"意外的文件名 {name!r}")
            out[name] = base64.b64decode(file["content"])
        return out

    def close(self) -> None:
        """End the process (it ends when its input does) and wait for it; again: nothing."""
        self._warming.join()
        if self._process.stdin is not None and not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except BrokenPipeError:  # a process that died left a request unsent (its error is raised)
                pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()

    def _ask(self, payload: dict, answer: str) -> dict:
        self._sent += 1
        message = json.dumps({"message_id": self._sent, "payload": payload}).encode("utf-8")
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(base64.b64encode(message) + b",")
            process.stdin.flush()
        except OSError:
            raise SearchIndexError(f"进程已退出（{process.poll()}）") from None
        while b"," not in self._unread:
            chunk = os.read(process.stdout.fileno(), 1 << 16)  # what is there: never waits for more
            if not chunk:
                raise SearchIndexError(f"进程已退出（{process.wait()}）")
            self._unread += chunk
        raw, _, self._unread = self._unread.partition(b",")
        reply = json.loads(base64.b64decode(raw))
        got = reply.get("payload") or {}
        if reply.get("message_id") != self._sent or got.get("type") != answer:
            raise SearchIndexError(str(got.get("message") or got)[-500:])
        return got


@cache
def _pagefind() -> list[str]:
    """The Pagefind binary: its wheel's (pagefind[extended]), as Pagefind's Python API finds it
    (PAGEFIND_BINARY_PATH first)."""
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None or not Path(binary).is_file():
        raise SearchIndexError("找不到 Pagefind 程序（请安装 pagefind[extended]）")
    return [str(binary)]


def _write_shards(root: Path) -> None:
    """shards.json: what the search page offers, read back from the bundles themselves."""
    shards = []
    for bundle in bundles_indexed(root.parent):
        entry = json.loads((root / bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages = sum(info["page_count"] for info in entry["languages"].values())
        names = _filter_values(root / bundle, PROVINCE_FILTER)
        shards.append({"key": bundle, "province": bundle.split("/")[0], "names": names, "pages": pages})
    for province in root.iterdir():  # a province folder left without bundles
        if province.is_dir() and not any(province.iterdir()):
            province.rmdir()
    if not shards:
        shutil.rmtree(root, ignore_errors=True)
        return
    # A new file, never written in place: an incremental build may share its files with the last one.
    fresh = root / f"{SHARDS}.new"
    fresh.write_text(json.dumps(shards, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    fresh.replace(root / SHARDS)


def _filter_values(bundle: Path, name: str) -> list[str]:
    """The values of one filter in a bundle, over its languages, sorted."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    values: set[str] = set()
    for info in entry["languages"].values():
        for filter_name, file_hash in _read(bundle / f"pagefind.{info['hash']}.pf_meta")[META_FILTERS]:
            if filter_name == name:
                values.update(value for value, _ in _read(bundle / "filter" / f"{file_hash}.pf_filter")[1])
    return sorted(values)


def stabilise(bundle: Path) -> None:
    """Sort the filter files' values and the meta's filter list; rename by content."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    if entry.get("version") != PAGEFIND_VERSION:
        return
    for language, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        if meta[0] != PAGEFIND_VERSION or not all(_is_pair(f) for f in meta[META_FILTERS]):
            raise SearchIndexError(f"{meta_path.name}: 不是 Pagefind {PAGEFIND_VERSION} 的格式")
        filters = []
        for name, old in sorted(meta[META_FILTERS]):
            path = bundle / "filter" / f"{old}.pf_filter"
            filter_name, values = _read(path)
            data = _pack([filter_name, sorted(values, key=lambda value: value[0])])
            new = f"{language}_{hashlib.sha256(data).hexdigest()[:7]}"
            path.unlink()
            (bundle / "filter" / f"{new}.pf_filter").write_bytes(data)
            filters.append([name, new])
        meta[META_FILTERS] = filters
        data = _pack(meta)
        info["hash"] = f"{language}_{hashlib.sha256(data).hexdigest()[:13]}"
        meta_path.unlink()
        (bundle / f"pagefind.{info['hash']}.pf_meta").write_bytes(data)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _is_pair(item: object) -> bool:
    return isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)


def _read(path: Path) -> list:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"{path.name} 不是 Pagefind 文件")
    value, end = _decode(data, len(SIGNATURE))
    if end != len(data) or not isinstance(value, list):
        raise SearchIndexError(f"{path.name}: 内容不符合预期")
    return value


def _pack(value: object) -> bytes:
    """Gzipped like Pagefind's own files, with no time stamp."""
    return gzip.compress(SIGNATURE + _encode(value), mtime=0)


# --- The CBOR subset Pagefind writes: unsigned integers, text, byte strings, arrays -------------


def _decode(data: bytes, at: int) -> tuple[object, int]:
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        argument, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        raise SearchIndexError(f"不支持的 CBOR 项 {data[at - 1]:#x}")
    if major == 0:
        return argument, at
    if major in (2, 3):
        raw = data[at : at + argument]
        return (raw.decode("utf-8") if major == 3 else raw), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise SearchIndexError(f"不支持的 CBOR 主类型 {major}")


def _encode(value: object) -> bytes:
    if isinstance(value, bool) or value is None:
        raise SearchIndexError(f"不支持的值 {value!r}")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(v) for v in value)
    raise SearchIndexError(f"不支持的值 {value!r}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise SearchIndexError(f"整数过大：{argument}")
