"""The site's search index: Pagefind, run offline from its bundled binary, one bundle per
province, then made byte-stable.

Layout under site/pagefind/ (BUNDLE):
    pagefind-ui.js, pagefind-ui.css   the search box, the same for every bundle
    shards.json                       the bundles, for the search page: key, 省份 names, pages
    <province>/                       Pagefind's bundle of the county and report pages under
                                      region/<county_key>/ whose province_key is <province>
                                      (13 for 河北, "other" for reports not on the map)
One bundle per province keeps each Pagefind run small (memory grows with the pages of a run) and
lets a publish re-index only the provinces it changed. The search page merges the bundles in
the browser (Pagefind's mergeIndex), or loads just one when the visitor picks a province.

Pagefind 1.5.2 writes every file the same from one run to the next except its filter files: each
holds a filter's values (province, year…) in Rust hash-map order, which changes per run, and
so do the hashed names of those files, the language's .pf_meta listing them and
pagefind-entry.json naming that. `stabilise` rewrites exactly these files with the values and
filters sorted and names derived from the content, so that building twice from the same
database gives the same bytes. It reads only the small CBOR subset Pagefind writes, and leaves
any other Pagefind version alone.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Self

from nianbao.publish.untrusted import province_key

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
# Two Pagefind runs at a time (the machine has 2 cores); the largest province peaks near 400 MiB.
WORKERS = 2


class SearchIndexError(RuntimeError):
    """Pagefind failed, or wrote what this module does not understand."""


def build_index(site: Path, provinces: Iterable[str] | None = None) -> None:
    """Index site/region/ into one bundle per province under site/pagefind/.

    provinces=None: every province, from scratch (bundles of provinces gone are removed).
    Otherwise only those provinces are (re)indexed; a province without pages left loses its
    bundle; the other bundles are not touched."""
    counties = counties_by_province(site)
    with Indexer(site, provinces) as indexer:
        for province, names in sorted(counties.items()):
            indexer.add(province, names)


class Indexer:
    """Pagefind runs started bundle by bundle as the pages of each are written (publish/static_site.py),
    WORKERS at a time in threads (each waits on its Pagefind process); leaving the `with` block
    waits for them all, then writes shards.json. `provinces` as for `build_index`: None clears
    every bundle first, a set clears only those (names this module made alone)."""

    def __init__(self, site: Path, provinces: Iterable[str] | None = None, present: Iterable[str] = ()) -> None:
        self.site, self.root = site, site / BUNDLE
        if provinces is None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.wanted: set[str] | None = None
        else:  # only names this module made: a bundle there, pages of it, or pages to come (`present`: bundle names)
            known = set(counties_by_province(site)) | set(provinces_indexed(site)) | set(present)
            self.wanted = set(provinces) & known
            for province in sorted(self.wanted):
                shutil.rmtree(self.root / province, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self._pool = ThreadPoolExecutor(WORKERS)
        self._runs: list[Future] = []

    def wants(self, province: str) -> bool:
        return self.wanted is None or province in self.wanted

    def add(self, province: str, counties: list[str]) -> None:
        """Index this province's counties (their pages are all written) in the background; a
        province without counties left keeps no bundle (removed when the indexer started)."""
        if counties and self.wants(province):
            self._runs.append(self._pool.submit(_index_province, self.site, province, counties))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc_type is not None)
        if exc_type is None:
            for run in self._runs:
                run.result()  # the first failure, in the order the runs were started
            _write_shards(self.root)


def bundle_of(county: str) -> str:
    """The search bundle of a county key (a folder under region/)."""
    return province_key(county)


def provinces_indexed(site: Path) -> list[str]:
    """The provinces that have a bundle under site/pagefind/, sorted."""
    root = site / BUNDLE
    if not root.is_dir():
        return []
    return sorted(path.name for path in root.iterdir() if (path / "pagefind-entry.json").is_file())


def counties_by_province(site: Path) -> dict[str, list[str]]:
    """The county keys (folder names under site/region/) of each province, sorted."""
    folder = site / PAGES
    found: dict[str, list[str]] = {}
    if folder.is_dir():
        for county in sorted(path.name for path in folder.iterdir() if path.is_dir()):
            found.setdefault(bundle_of(county), []).append(county)
    return found


def _index_province(site: Path, province: str, counties: list[str]) -> None:
    glob = f"{PAGES}/{{{','.join(counties)}}}/**/*.html"
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", glob]
    command += ["--output-subdir", f"{BUNDLE}/{province}", "--keep-index-url"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SearchIndexError(
            f"为省份 {province} 建立搜索索引失败（pagefind：{(done.stderr or done.stdout).strip()[-500:]}）"
        )
    bundle = site / BUNDLE / province
    stabilise(bundle)
    for name in UI_FILES:
        (bundle / name).replace(site / BUNDLE / name)  # the same bytes from every run
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)


def _write_shards(root: Path) -> None:
    """shards.json: what the search page offers, read back from the bundles themselves."""
    shards = []
    for province in provinces_indexed(root.parent):
        entry = json.loads((root / province / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages = sum(info["page_count"] for info in entry["languages"].values())
        shards.append({"key": province, "names": _filter_values(root / province, PROVINCE_FILTER), "pages": pages})
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
