"""Who published a report, for which year and when: read from its title, front matter and the
organ/date lines it closes with."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.db.document import Block, Paragraph
from nianbao.db.parse.labels import nfkc
from nianbao.db.parse.numerals import chinese_number, chinese_year
from nianbao.db.regions import name_at

_TITLE = re.compile(
    r"^(?P<before>.*?)(?:关于)?(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<after>.*?)"
    r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度)?(?:报告|年报)"
)
# A run of administrative divisions at the start of an organ's name: 山西省吕梁市交口县…
_DIVISION = re.compile(r"[^省市县区旗州盟\s]{1,12}?(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|地区|盟|县|区|旗)")
_ORGAN_END = re.compile(r"(?:人民政府|政府办公室|办公室|办公厅|委员会|局|厅|委|署|院|中心|街道办事处|办事处|政府)$")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*[年.\-/]\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*[月.\-/]\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日?"
)
_PERIOD = re.compile(
    r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起)?\s*(?:至|到|—|-|－|~)\s*"
    r"(?:((?:19|20)\d{2})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_WEBSITE = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:gov\.cn|cn|com|net|org)(?:/[^\s)）\]]*)?", re.IGNORECASE)
_MAX_CLOSING = 40
_MAX_TITLE = 80


@dataclass
class Identity:
    organ: str | None
    region: str | None
    year: int | None
    title: str | None


def find_title(front: list[Block], body: str = "") -> tuple[str | None, str, int | None]:
    """(title as printed, organ named in it, report year) from the front matter: the nearest
    title before the article's opening (`openings`). A title may be printed over two or three
    lines (a long organ name, the year at a line's end); a title that names no organ takes it
    from the lines above it. When the page names several reports (a portal's list of other
    reports around the article), a title is taken only when the text after it (the opening, the
    `body`) names its organ and its year: never another county's or another year's report."""
    lines = [b.text.lstrip("#").strip() for b in front if isinstance(b, Paragraph)]
    several = len(_reports_named(lines)) > 1
    for opening in openings(lines):
        found = _title_at(lines, opening)
        if found is None:
            continue
        title, organ, year, end = _read_title(lines, found)
        if not several or _corroborated(nfkc(organ).replace(" ", ""), year, "\n".join([*lines[end:], body])):
            return title, organ, year
    return None, "", None


def _read_title(lines: list[str], found: tuple[int, int, re.Match[str]]) -> tuple[str, str, int, int]:
    """(title, organ, year, the line after the title) of a title found on the lines."""
    start, end, m = found
    title = "".join(lines[start:end]) if end - start > 1 else lines[start]
    organ = (m.group("before") or m.group("after")).strip()
    if not organ:
        above = _organ_above(lines, start)
        if above:
            organ, title = nfkc("".join(above)).replace(" ", ""), "".join(above) + title
    return title, organ, int(m.group("year")), end


# The article's opening: a portal's line of metadata under the title (发布时间, 来源), the first
# sentence (a line holding one, or starting as openings do).
_OPENING_LINE = re.compile(r"[。；]|^(?:本报告|本年度报告|根据|依据|按照|依照|现将|现公布|现予)")
_META_LINE = re.compile(r"发布时间|发布日期|发文日期|来源[：:]|信息来源")


def openings(lines: list[str]) -> list[int]:
    """Where the article may open, in the order its title is looked for before them: its line of
    metadata, its first sentence, the end of the front matter (the first section's heading)."""
    found = [
        next((i for i, line in enumerate(lines) if pattern.search(line) and not _title_shaped(line)), None)
        for pattern in (_META_LINE, _OPENING_LINE)
    ]
    return list(dict.fromkeys([*(i for i in found if i is not None), len(lines)]))


def _title_at(lines: list[str], opening: int) -> tuple[int, int, re.Match[str]] | None:
    """Where the title is (its first line, the line after its last) and its match: the nearest
    before the opening, a line of its own, else two or three short lines read together; when
    none is before it (a box of metadata above the title), the first of the first lines."""
    before = _title_ending_before(lines, opening)
    if before is not None:
        return before
    return next((t for last in range(min(len(lines), _HEAD)) if (t := _title_ending_at(lines, last))), None)


_HEAD = 8  # a title printed after the opening is one of the first lines


def _title_ending_before(lines: list[str], opening: int) -> tuple[int, int, re.Match[str]] | None:
    for last in range(min(opening, len(lines)) - 1, -1, -1):
        found = _title_ending_at(lines, last)
        if found is not None:
            return found
    return None


def _title_ending_at(lines: list[str], last: int) -> tuple[int, int, re.Match[str]] | None:
    """A title whose last line is `last`: that line alone, else with one or two lines above."""
    for width in (1, 2, 3):
        start = last - width + 1
        if start < 0:
            break
        window = lines[start : last + 1]
        if width > 1 and any(len(line) > _MAX_CLOSING for line in window):
            continue
        m = _title_shaped("".join(window))
        if m and (width == 1 or len(nfkc("".join(window[:-1])).replace(" ", "")) < m.end()):
            return start, last + 1, m
    return None


_SENTENCE_MARK = re.compile(r"[。，；！？]")
# What may follow a title on its line: a date (a portal's list), a note in brackets (（全文）), no words.
_AFTER_TITLE = re.compile(
    r"^(?:[\[［【（(]?(?:19|20)\d{2}[-./年]\d{1,2}[-./月]\d{1,2}日?[\]］】）)]?|[\[［【（(][^\]］】）)]{0,12}[\]］】）)]"
    r"|[^\u4e00-\u9fff]*)$"
)


def _title_shaped(text: str) -> re.Match[str] | None:
    """The match of a report's title, if the line is one: short, no sentence in it, nothing after
    the title but a date (a portal's list prints each report's date beside it)."""
    if len(text) > _MAX_TITLE or _SENTENCE_MARK.search(text):
        return None
    flat = nfkc(text).replace(" ", "")
    m = _TITLE.match(flat)
    rest = flat[m.end() :] if m else ""
    return m if m and (not rest or _AFTER_TITLE.match(rest)) else None


# A report's title as it starts: a name, a year, the start of 政府信息公开 (a line may break there).
_TITLE_START = re.compile(r"(?P<name>[^\s，。；：:、|>]{2,30}?)(?P<year>(?:19|20)\d{2})年度?(?:政|信息公开|政务公开)")


def _reports_named(lines: list[str]) -> set[tuple[str, str]]:
    """The reports (name, year) whose titles the short lines print or start: a portal's list of
    reports, also when its links are broken over lines or interleaved with the article's."""
    out: set[tuple[str, str]] = set()
    for line in lines:
        flat = nfkc(line).replace(" ", "")
        if len(flat) <= _MAX_TITLE and not _SENTENCE_MARK.search(flat):
            out.update((m.group("name"), m.group("year")) for m in _TITLE_START.finditer(flat))
    return out


_YEAR_NAMED = re.compile(r"((?:19|20)\d{2})\s*年")


def _corroborated(organ: str, year: int, text: str) -> bool:
    """The text names the organ, and the year it reports on is `year`: the period it states,
    else the year it names most."""
    flat = nfkc(text).replace(" ", "")
    if not organ or organ not in flat:
        return False
    period = find_period(flat)
    if period:
        return int(period[:4]) == year
    counts: dict[int, int] = {}
    for m in _YEAR_NAMED.finditer(flat):
        counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
    return bool(counts) and counts.get(year, 0) == max(counts.values())


def _organ_above(lines: list[str], start: int) -> list[str]:
    """The organ's name printed on the line or two above a title that names none: a name broken
    at a line end is read whole (its second line starts with no division: 发展和改革委员会)."""
    above: list[str] = []
    for line in reversed(lines[max(0, start - 2) : start]):
        if len(line) > _MAX_CLOSING or _SENTENCE.search(line):
            break
        above.insert(0, line)
        if divisions(nfkc(line).replace(" ", "")):
            break
    return above


_OPENING = re.compile(
    r"(?:本报告由|本年度报告由|现将|现予|现)(?:公布)?(?P<organ>[^，。,；;（(《]{4,40}?)"
    r"(?:根据|依据|按照|依照|结合|编制|制作|负责|(?:19|20)\d{2}\s*年)"
)
_SENTENCE = re.compile(r"[。；！？]")  # a sentence: not an organ's name


def opening_organ(front: list[Block]) -> str | None:
    """The organ the opening sentences name as the report's author: 本报告由淮安市洪泽区人民政府
    办公室根据…编制; 现公布某县人民政府办公室2024年…报告. It often is the office that compiled
    the report for its government, so it names the organ only when neither the title nor the
    signature does."""
    lines = [b.text for b in front if isinstance(b, Paragraph)]
    opening = openings(lines)[0]
    for line in [*lines[:8], *lines[opening : opening + 8]]:
        for m in _OPENING.finditer(nfkc(line).replace(" ", "")):
            organ = m.group("organ")
            if _ORGAN_END.search(organ) and divisions(organ):
                return organ
    return None


def divisions(name: str) -> list[str]:
    """The administrative divisions an organ's name starts with: 交口县人民政府 -> [交口县]. Names
    of the division codes first (郑州市, 象州县, 西盟佤族自治县), then the pattern, for a division
    renamed or merged since."""
    out: list[str] = []
    pos = 0
    while True:
        found = name_at(name, pos)
        if found is None:
            m = _DIVISION.match(name, pos)
            if not m or (out and not _ends_divisions(name, m.end())):
                return out
            found = m.group(0)
        out.append(found)
        pos += len(found)


def _ends_divisions(name: str, end: int) -> bool:
    """After a known division, a name the division codes do not hold is taken for one only when
    a government or a known division follows it: in 南京市江宁区城市管理局 or 沛县经济开发区管理
    委员会 the rest is a department of the county, and the county is the region."""
    rest = name[end:]
    return not rest or rest.startswith(("人民政府", "政府")) or name_at(name, end) is not None


def resolve_identity(
    title_organ: str, signature: str | None, year: int | None, title: str | None, opening: str | None = None
) -> Identity:
    """Settle organ and region: the organ the title names, else the signing organ, else the one
    the opening sentence names (`opening_organ`). A title that names only a place (霍城县2023年…)
    is a report of the whole government: its organ is the signing organ of that place, else
    某县人民政府."""
    organ = title_organ or signature or opening or ""
    places = divisions(organ)
    if organ and "".join(places) == organ:  # the title names a place, not an organ
        if signature and signature.startswith(organ):
            organ = signature
        else:
            organ = f"{organ}人民政府"
    region = places[-1] if places else None
    return Identity(organ or None, region, year, title)


def closing_lines(blocks: list[Block]) -> tuple[list[Block], str | None, str | None]:
    """Split the trailing signature (organ line, date line) off the last section's blocks.
    Returns (the blocks before it, signing organ, ISO date)."""
    rest = _without_furniture(blocks)
    organ = date = None
    while rest and isinstance(rest[-1], Paragraph):
        text = nfkc(rest[-1].text).replace(" ", "")
        if not text:
            rest.pop()
        elif date is None and organ is None and (parsed := parse_date(text)) and _is_only_date(text):
            date = parsed
            rest.pop()
        elif organ is None and len(text) <= _MAX_CLOSING and _ORGAN_END.search(text):
            organ = text
            rest.pop()
        elif organ is None and date is None and (both := _organ_and_date(text)):
            organ, date = both
            rest.pop()
        else:
            break
    return rest, organ, date


# What a government portal prints around an article (its footer carries the site code, the ICP
# licence and the public-security filing by rule; print, close and share links follow the text).
_SITE_CHROME = re.compile(
    r"版权所有|主办单位|主办：|承办：|网站标识码|ICP备|公网安备|打印本页|关闭窗口|分享到|相关文章|相关链接|网站地图|技术支持"
)


_LINKS_HEAD = re.compile(r"^(?:相关文章|相关链接|相关阅读|相关信息|相关新闻|相关报告|相关附件|附件下载|附件[：:])")


def _without_furniture(blocks: list[Block]) -> list[Block]:
    """The blocks without what a portal prints after the report's signature: its footer, print
    and share links (a signature's date printed on their line keeps its own), and the list of
    related reports or attachments under its heading (相关文章, 附件：)."""
    links = _links_after_signature(blocks)
    rest = list(blocks[:links] if links is not None else blocks)
    while rest and isinstance(rest[-1], Paragraph):
        text = rest[-1].text.strip()
        if not text:
            rest.pop()
        elif is_site_chrome(text):
            line = rest.pop()
            kept = _signature_before_chrome(text)
            if kept:
                rest.append(Paragraph(kept, line.source))
        else:
            break
    return rest


def _links_after_signature(blocks: list[Block]) -> int | None:
    """Where a list of links after the signature starts: its heading, when only short lines (link
    titles, file names) or site chrome follow it and the signature's date precedes it."""
    for i in range(len(blocks) - 1, -1, -1):
        block = blocks[i]
        if not isinstance(block, Paragraph):
            return None
        text = nfkc(block.text).replace(" ", "")
        if _LINKS_HEAD.match(text):
            return i if _signed_before(blocks[:i]) else None
        if not is_site_chrome(text) and (len(text) > _MAX_TITLE or _SENTENCE_MARK.search(text)):
            return None
    return None


def _signed_before(blocks: list[Block]) -> bool:
    """The blocks end with the signature's date or the portal's share and print links (the
    article's end, in a report printed unsigned)."""
    last = next((b for b in reversed(blocks) if not isinstance(b, Paragraph) or b.text.strip()), None)
    return isinstance(last, Paragraph) and (is_site_chrome(last.text) or _ends_signature(last.text))


def _ends_signature(text: str) -> bool:
    """A line the signature ends with (`_is_signature`), perhaps with a portal's share and print
    links on the same line."""
    flat = nfkc(text).replace(" ", "")
    return _is_signature(_signature_before_chrome(flat) or flat)


def _is_signature(flat: str) -> bool:
    """The signature's date, perhaps after the organ, or the organ alone when it is undated."""
    if len(flat) <= _MAX_CLOSING and _ORGAN_END.search(flat) and divisions(flat):
        return True
    return bool(parse_date(flat)) and (_is_only_date(flat) or _organ_and_date(flat) is not None)


def _signature_before_chrome(text: str) -> str | None:
    """The signature (date, organ and date, or organ) a browser prints on the line of the
    portal's links after it: 2025年1月22日分享到：微信【打印本页】."""
    m = _SITE_CHROME.search(text)
    head = nfkc(text[: m.start()]).replace(" ", "").rstrip("：:|") if m else ""
    return head if head and _is_signature(head) else None


def is_site_chrome(text: str) -> bool:
    """A line of a portal's page around the report (footer, print and share links), as a
    browser prints it after the report's signature."""
    return len(text) <= 120 and bool(_SITE_CHROME.search(text))


def _organ_and_date(text: str) -> tuple[str, str] | None:
    """A signature on one line: 某县人民政府 2025年1月22日."""
    m = _DATE.search(text)
    if not m or len(text) - m.end() > 1 or len(text) > _MAX_CLOSING:
        return None
    organ, date = text[: m.start()].strip(), parse_date(m.group(0))
    return (organ, date) if date and _ORGAN_END.search(organ) and divisions(organ) else None


def _is_only_date(text: str) -> bool:
    m = _DATE.search(text)
    return m is not None and len(text) - len(m.group(0)) <= 2


def parse_date(text: str) -> str | None:
    """ISO date of a date written 2025年1月22日, 2025-01-22 or 二〇二五年一月二十二日."""
    m = _DATE.search(text)
    if not m:
        return None
    y, mo, d = chinese_year(m.group("y")), chinese_number(m.group("m")), chinese_number(m.group("d"))
    if y is None or mo is None or d is None or not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def find_period(text: str) -> str | None:
    """The statistics period as ISO dates (2024-01-01/2024-12-31), if the report states it."""
    m = _PERIOD.search(nfkc(text))
    if not m:
        return None
    y1, m1, d1, y2, m2, d2 = m.groups()
    return f"{int(y1):04d}-{int(m1):02d}-{int(d1):02d}/{int(y2 or y1):04d}-{int(m2):02d}-{int(d2):02d}"


def find_website(text: str) -> str | None:
    m = _WEBSITE.search(text)
    return m.group(0) if m else None
