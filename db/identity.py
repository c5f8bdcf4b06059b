"""Who published a report, for which year and when: read from its title, front matter and the
organ/date lines it closes with."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao.db.document import Block, Paragraph
from nianbao.db.labels import nfkc
from nianbao.db.numerals import chinese_number, chinese_year
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


def find_title(front: list[Block]) -> tuple[str | None, str, int | None]:
    """(title as printed, organ named in it, report year) from the front matter. A title may be
    printed over two or three lines (a long organ name, the year at a line's end); a title that
    names no organ takes it from the lines above it."""
    lines = [b.text.lstrip("#").strip() for b in front if isinstance(b, Paragraph)]
    found = _title_at(lines)
    if found is None:
        return None, "", None
    start, end, m = found
    title = "".join(lines[start:end]) if end - start > 1 else lines[start]
    organ = (m.group("before") or m.group("after")).strip()
    if not organ:
        above = _organ_above(lines, start)
        if above:
            organ, title = nfkc("".join(above)).replace(" ", ""), "".join(above) + title
    return title, organ, int(m.group("year"))


def _title_at(lines: list[str]) -> tuple[int, int, re.Match[str]] | None:
    """Where the title is (its first line, the line after its last) and its match: a line of
    its own, else two or three short lines read together."""
    head = lines[:8]
    for width in (1, 2, 3):
        for i in range(len(head) - width + 1):
            window = head[i : i + width]
            if width > 1 and any(len(line) > _MAX_CLOSING for line in window):
                continue
            text = "".join(window)
            m = _TITLE.match(nfkc(text).replace(" ", "")) if len(text) <= _MAX_TITLE else None
            if m:
                return i, i + width, m
    return None


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
    for line in lines[:8]:
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
    rest = list(blocks)
    while rest and isinstance(rest[-1], Paragraph) and is_site_chrome(rest[-1].text):
        rest.pop()
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
