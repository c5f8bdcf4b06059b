"""Generate a corpus of annual reports with known figures and defects injected at known rates.

    python benchmarks/corpus.py --n 1000 --seed 1 --out DIR [--rate 0.05] [--forms text,docx,pdf,html]

Reports are for real counties (unique 县 names and codes from the division data, db/regions.py),
one organ per county (the government office, or the people's government for its whole level),
consecutive years per organ (2021 format, 2021–2025), so carry-over and stock rules can be tested.
Figures are built from the equations of db/checks/arithmetic.py and carry into the next year;
narratives quote them the way the samples do (the phrases db/checks/narrative.py reads). Files are
written in the four forms by the test renderers (tests/forms/: text in both layouts, DOCX, PDF,
HTML in three styles), in roughly equal shares.

DIR/truth.json holds, per file, the values as printed (canonical keys, a blank is null) and the
defects injected, each with the rules it should trigger (none for a defect meant to be invisible
to the rules, such as a label split over a page break, which the parser must simply read through).
The same seed gives the same corpus.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.forms is not installed

from nianbao.db.format import FORMAT_2021, ORG_COLUMN_KEYS, TABLE3_COLUMN_KEYS, TABLE4_GROUPS, TABLE4_RESULTS
from nianbao.db.regions import COUNTY, Division, divisions_named, search_divisions
from tests.forms import docx, html, pdf, text
from tests.forms.layout import RowBreak, report_from_json

APPLICANTS = ("natural", *ORG_COLUMN_KEYS)
NOT_RESULTS = ("new_received", "carried_over", "total", "carried_forward")
RESULTS = tuple(k for k in FORMAT_2021.table3_row_keys if k not in NOT_RESULTS)
RESULT_WEIGHTS = {"granted": 40, "partial": 6, "unable_no_info": 10, "reject_duplicate": 3, "other_other": 3}
YEARS = (2021, 2022, 2023, 2024, 2025)
FORMS = ("text", "docx", "pdf", "html")
VARIANTS = {"text": text.LAYOUTS, "docx": ("",), "pdf": ("", "page-numbers"), "html": html.STYLES}

# Defects: kind -> the rules it should trigger ([] = invisible to the rules by design).
DEFECTS: dict[str, tuple[str, ...]] = {
    "missing_cell": ("CELL-MISSING",),
    "wrong_sum": (),  # T4-SUM, or T3-ROWSUM + T3-TOTAL: decided by the total changed
    "broken_carry": ("YEAR-CARRY",),
    "broken_stock": ("T2-STOCK",),
    "narrative_mismatch": ("NARRATIVE-MATCH",),
    "late": ("LATE",),
    "wrong_period": ("PERIOD",),
    "copied_narrative": ("NARRATIVE-COPY",),
    "split_digits": ("SPLIT-DIGITS", "T3-ROWSUM"),  # + T3-TOTAL or T3-BALANCE, by the row
    "not_a_count": ("CELL-TYPE",),
    "marker": (),  # a not-applicable mark (/) in table 二: kept as written, no rule
    "split_label": (),  # a label of table 三 broken over a page (PDF) or lines (text): parse through
}
NEEDS_PREVIOUS = ("broken_carry", "broken_stock", "copied_narrative")
SPLIT_FORMS = ("text", "pdf")  # forms where a label can break over a page or lines


@dataclass
class Organ:
    division: Division
    whole: bool  # the people's government for its whole level (deadline 31 March), not the office

    @property
    def name(self) -> str:
        return f"{self.division.name}人民政府" + ("" if self.whole else "办公室")


@dataclass
class Entry:
    """One generated report: identity, values as printed, narrative plan, defects and form."""

    organ: Organ
    year: int
    values: dict
    published: str
    period: str
    sections: dict[str, str] = field(default_factory=dict)
    plan: dict = field(default_factory=dict)
    defects: list[dict] = field(default_factory=list)
    form: str = "text"
    variant: str = ""
    split: RowBreak | None = None


def counties(rng: random.Random, n: int) -> list[Division]:
    """`n` counties with a name no other division has, so the name alone places the report."""
    everything = [d for prefix in "123456789" for d in search_divisions(prefix, limit=10**6)]
    unique = [
        d for d in everything if d.level == COUNTY and d.name.endswith("县") and len(divisions_named(d.name)) == 1
    ]
    return rng.sample(unique, min(n, len(unique)))


# --- figures -------------------------------------------------------------------------------------


def _small(rng: random.Random, p: float, top: int) -> int:
    return rng.randint(1, top) if rng.random() < p else 0


def table3(rng: random.Random, carried: dict[str, int]) -> dict[str, list]:
    """Table 三 from applications received and carried over: per column, what was handled is
    spread over the result rows and the rest carried forward; the total column is the row sum."""
    new = {c: int(rng.expovariate(1 / 12)) if c == "natural" else _small(rng, 0.15, 4) for c in APPLICANTS}
    rows = {key: dict.fromkeys(APPLICANTS, 0) for key in FORMAT_2021.table3_row_keys}
    weights = [RESULT_WEIGHTS.get(k, 1) for k in RESULTS]
    for c in APPLICANTS:
        available = new[c] + carried[c]
        forward = rng.randint(0, min(3, available)) if rng.random() < 0.3 else 0
        rows["new_received"][c], rows["carried_over"][c] = new[c], carried[c]
        rows["carried_forward"][c], rows["total"][c] = forward, available - forward
        for key in rng.choices(RESULTS, weights, k=available - forward):
            rows[key][c] += 1
    return {key: [*(row[c] for c in APPLICANTS), sum(row.values())] for key, row in rows.items()}


def table2(rng: random.Random, previous: dict | None) -> dict:
    out: dict = {}
    for kind, start, made_top in (("rules", 3, 1), ("normative", 40, 10)):
        before = previous[f"{kind}_in_force"] if previous else rng.randint(0, start)
        before = before if isinstance(before, int) else rng.randint(0, start)  # a marker or blank last year
        made = rng.randint(0, made_top)
        repealed = rng.randint(0, min(before, 5))
        out |= {f"{kind}_made": made, f"{kind}_repealed": repealed, f"{kind}_in_force": before + made - repealed}
    out["licensing"] = rng.randint(0, 5000)
    out["punishment"] = rng.randint(0, 1500)
    out["enforcement"] = rng.randint(0, 100)
    out["fees_wan"] = round(rng.uniform(0.5, 5000), 2) if rng.random() < 0.5 else 0
    return out


def table4(rng: random.Random) -> dict:
    out = {}
    for group in TABLE4_GROUPS:
        parts = {r.key: _small(rng, 0.2, 3) for r in TABLE4_RESULTS if r.key != "total"}
        out |= {f"{group.key}_{k}": v for k, v in parts.items()} | {f"{group.key}_total": sum(parts.values())}
    return out


def figures(rng: random.Random, previous: Entry | None) -> dict:
    carried = (
        {c: previous.values["table3"]["rows"]["carried_forward"][i] or 0 for i, c in enumerate(APPLICANTS)}
        if previous
        else {c: _small(rng, 0.3, 3) if c == "natural" else 0 for c in APPLICANTS}
    )
    return {
        "table2": table2(rng, previous.values["table2"] if previous else None),
        "table3": {"columns": list(TABLE3_COLUMN_KEYS), "rows": table3(rng, carried)},
        "table4": table4(rng),
    }


# --- narratives ----------------------------------------------------------------------------------

OPENINGS = (
    "坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》",
    "深入学习贯彻党的二十大精神，严格执行政务公开工作各项部署要求",
    "围绕县委县政府中心工作，健全完善政务公开制度，强化公开责任落实",
    "紧扣法治政府建设目标，持续深化政务公开，不断提升公开质量和实效",
)
FILLERS = (
    "全年通过政府门户网站发布各类信息{a}条，其中政务动态{b}条。",
    "政务新媒体发布信息{a}条，转发上级政策措施{b}条。",
    "召开政务公开工作培训会{a}次，参训人员{b}人次。",
    "公开重大建设项目信息{a}条，公共资源配置信息{b}条。",
    "发布政策解读{a}篇，其中图解、视频解读{b}篇。",
    "办理人大代表建议和政协提案{a}件，办复率100%。",
    "更新信息公开目录信息{a}条，专题专栏{b}个。",
    "组织开展政府开放日活动{a}次，邀请群众代表{b}人参加。",
    "回应网民留言{a}件，平均办理时长缩短至{b}个工作日。",
    "对政府网站开展巡检{a}次，整改问题{b}个。",
    "编发政府公报{a}期，刊登规章和规范性文件解读{b}篇。",
    "发布财政预决算信息{a}条，涉及部门{b}个。",
    "建立健全信息发布审核制度，严格执行“三审三校”，确保发布内容准确规范。",
    "加强政务公开专区建设，配备查阅设备{a}台，提供现场查询服务{b}人次。",
    "规范依申请公开办理流程，做好登记、受理、审查、答复等环节工作。",
    "聚焦就业、教育、医疗、养老等民生领域，发布重点领域信息{a}条。",
)
PROBLEMS = (
    "政策解读形式还不够丰富，图解、视频等解读方式运用较少。",
    "部分单位对政务公开工作重视程度不够，信息更新不及时。",
    "政务公开工作人员业务能力有待提升，人员变动较为频繁。",
    "重点领域信息公开不够细化深入，公开内容的实用性有待增强。",
    "基层政务公开标准化规范化建设仍需加强。",
    "依申请公开答复的规范性有待进一步提高。",
    "政务新媒体内容质量参差不齐，互动回应不够及时。",
    "下一步将加强业务培训，以集中培训与个别指导相结合提升队伍能力。",
    "下一步将丰富解读形式，提高政策解读的针对性和可读性。",
    "下一步将加强监督检查，定期通报各单位政务公开工作情况。",
    "下一步将深化重点领域信息公开，进一步扩大公开范围。",
    "下一步将完善依申请公开工作机制，规范答复文书。",
)
OTHERS = (
    "本机关{year}年度未收取信息处理费。",
    "{year}年度本机关未收取政府信息公开信息处理费。",
    "本年度无其他需要报告的事项。",
    "{year}年未收取任何信息处理费用。",
)
APPLICATIONS = (
    "{year}年共收到政府信息公开申请{n}件，均在法定期限内予以答复。",
    "全年受理政府信息公开申请{n}件，均已按时办结。",
    "{year}年，本机关共收到和办理依申请公开{n}件。",
)


def plan(rng: random.Random, last: dict | None) -> dict:
    """Which sentences a report's narrative uses: none of those of `last` year's plan (a report
    not copied forward must not look copied); a report copied forward reuses last year's."""

    def pick(pool: tuple, k: int, key: str) -> list[int]:
        return rng.sample([i for i in range(len(pool)) if not last or i not in last[key]], k)

    return {
        "opening": pick(OPENINGS, 1, "opening"),
        "fillers": pick(FILLERS, 5, "fillers"),
        "applications": rng.randrange(len(APPLICATIONS)),
        "problems": pick(PROBLEMS, 4, "problems"),
        "other": rng.randrange(len(OTHERS)),
    }


def narrative(rng: random.Random, entry: Entry, applications: int | None = None) -> dict[str, str]:
    """Sections 一、五、六 as the samples write them, quoting the printed table figures (or
    `applications` instead, for a narrative that disagrees)."""
    p, year, values = entry.plan, entry.year, entry.values
    t2, rows, t4 = values["table2"], values["table3"]["rows"], values["table4"]

    def number(value, fallback: int = 0) -> int:
        return value if isinstance(value, int) else fallback

    fill = [FILLERS[i].format(a=rng.randint(2, 3000), b=rng.randint(1, 200)) for i in p["fillers"]]
    made, in_force = t2["normative_made"], t2["normative_in_force"]
    documents = [f"全年制发行政规范性文件{made}件"] if isinstance(made, int) else []
    documents += [f"现行有效行政规范性文件{in_force}件"] if isinstance(in_force, int) else []
    proactive = "".join(fill[:3]) + "，".join(documents) + "。"  # a blank cell is not quoted
    received = applications if applications is not None else number((rows["new_received"] or [0] * 7)[6])
    request = (
        "全年未收到政府信息公开申请。"
        if received == 0
        else APPLICATIONS[p["applications"]].format(year=year, n=received)
    )
    reviews = number(t4["review_total"])
    suits = number(t4["suit_direct_total"]) + number(t4["suit_after_review_total"])
    cases = (
        "全年未发生因政府信息公开引起的行政复议、行政诉讼。"
        if reviews == suits == 0
        else f"全年因政府信息公开申请被申请行政复议{reviews}件，被提起行政诉讼{suits}件。"
    )
    overview = "\n\n".join(
        (
            f"{year}年，{entry.organ.name}{OPENINGS[p['opening'][0]]}，政府信息公开工作取得新成效。",
            "（一）主动公开方面",
            proactive,
            "（二）依申请公开方面",
            request + fill[3],
            "（三）行政复议和行政诉讼情况",
            cases + fill[4],
        )
    )
    problems = "".join(PROBLEMS[i] for i in p["problems"])
    return {"overview": overview, "problems": problems, "other": OTHERS[p["other"]].format(year=year)}


# --- defects -------------------------------------------------------------------------------------


def _cells(values: dict) -> list[str]:
    out = [f"table2.{k}" for k in values["table2"]]
    out += [f"table3.{r}.{c}" for r in values["table3"]["rows"] for c in TABLE3_COLUMN_KEYS]
    return out + [f"table4.{k}" for k in values["table4"]]


def _set(values: dict, cell: str, value) -> None:
    table, _, rest = cell.partition(".")
    if table == "table3":
        row, _, column = rest.partition(".")
        values["table3"]["rows"][row][TABLE3_COLUMN_KEYS.index(column)] = value
    else:
        values[table][rest] = value


def _get(values: dict, cell: str):
    table, _, rest = cell.partition(".")
    if table == "table3":
        row, _, column = rest.partition(".")
        return values["table3"]["rows"][row][TABLE3_COLUMN_KEYS.index(column)]
    return values[table][rest]


def _add(values: dict, cells: list[str], n: int) -> None:
    for cell in cells:
        _set(values, cell, _get(values, cell) + n)


def _related(a: str, b: str) -> bool:
    """Two cells that share an equation or a rule's comparison (a table 三 row or column, a table
    四 group, a kind of document in table 二): a blank in one would hide a defect in the other."""
    x, y = a.split("."), b.split(".")
    if x[0] != y[0]:
        return False
    if x[0] == "table3":
        return x[1] == y[1] or x[2:] == y[2:] or "*" in x + y
    return x[1].split("_")[0] == y[1].split("_")[0]


def missing_cell(rng: random.Random, entry: Entry) -> dict | None:
    """A blank cell, away from the cells of the other defects so that it hides none of them."""
    taken = [c for d in entry.defects for c in d["cells"]]
    cell = rng.choice([c for c in _cells(entry.values) if not any(_related(c, t) for t in taken)])
    _set(entry.values, cell, None)
    return {"cells": [cell], "detail": "left blank"}


def wrong_sum(rng: random.Random, entry: Entry) -> dict | None:
    n = rng.randint(1, 9)
    if rng.random() < 0.5:
        cell = f"table4.{rng.choice(TABLE4_GROUPS).key}_total"
        _add(entry.values, [cell], n)
        return {"cells": [cell], "rules": ["T4-SUM"], "detail": f"total +{n}"}
    cell = f"table3.{rng.choice(RESULTS)}.total"
    _add(entry.values, [cell], n)
    return {"cells": [cell], "rules": ["T3-ROWSUM", "T3-TOTAL"], "detail": f"row total +{n}"}


def broken_carry(rng: random.Random, entry: Entry) -> dict | None:
    """Carried over ≠ last year's carried forward; this year's table still balances."""
    n = rng.randint(1, 5)
    cells = [f"table3.{row}.{c}" for row in ("carried_over", "carried_forward") for c in ("natural", "total")]
    _add(entry.values, cells, n)
    return {"cells": cells[:2], "detail": f"carried over +{n} (and carried forward, so the table balances)"}


def broken_stock(rng: random.Random, entry: Entry) -> dict | None:
    n = rng.randint(1, 9)
    _add(entry.values, ["table2.normative_in_force"], n)
    return {"cells": ["table2.normative_in_force"], "detail": f"in force +{n}"}


def split_digits(rng: random.Random, entry: Entry) -> dict | None:
    """A two-digit count printed over its cell and the (zero) next one: 12 → 1 | 2."""
    rows = entry.values["table3"]["rows"]
    taken = {c.split(".")[1] for d in entry.defects for c in d["cells"] if c.startswith("table3.")}
    fits = [
        k for k in ("new_received", *RESULTS, "total") if k not in taken and 10 <= rows[k][0] <= 99 and rows[k][1] == 0
    ]
    if not fits:
        return None
    row = rng.choice(fits)
    digits = str(rows[row][0])
    rows[row][0], rows[row][1] = int(digits[0]), int(digits[1])
    side = {"new_received": ["T3-BALANCE"], "total": ["T3-BALANCE", "T3-TOTAL"]}.get(row, ["T3-TOTAL"])
    return {
        "cells": [f"table3.{row}.natural", f"table3.{row}.commercial"],
        "rules": [*DEFECTS["split_digits"], *side],
        "detail": f"{digits} printed as {digits[0]} | {digits[1]}",
    }


def not_a_count(rng: random.Random, entry: Entry) -> dict | None:
    cell = f"table2.{rng.choice(('licensing', 'punishment', 'enforcement'))}"
    _set(entry.values, cell, _get(entry.values, cell) + 0.5)
    return {"cells": [cell], "detail": "a fractional count"}


def marker(rng: random.Random, entry: Entry) -> dict | None:
    cell = f"table2.{rng.choice(('rules_made', 'rules_repealed', 'rules_in_force'))}"
    _set(entry.values, cell, "/")
    return {"cells": [cell], "detail": "not applicable (/)"}


def late(rng: random.Random, entry: Entry) -> dict | None:
    due = _deadline(entry)
    entry.published = (due + timedelta(days=rng.randint(1, 120))).isoformat()
    return {"cells": ["published"], "detail": f"deadline {due.isoformat()}"}


def wrong_period(rng: random.Random, entry: Entry) -> dict | None:
    month = rng.randint(6, 11)
    entry.period = f"{entry.year}年1月1日至{entry.year}年{month}月30日"
    return {"cells": ["period"], "detail": entry.period}


def split_label(rng: random.Random, entry: Entry) -> dict | None:
    if entry.form not in SPLIT_FORMS:
        return None
    row = rng.choice([r for r in FORMAT_2021.table3_rows if len(r.label) >= 6])
    entry.split = RowBreak(row.label, len(row.label) // 2, rng.random() < 0.5)
    return {"cells": [f"table3.{row.key}.*"], "detail": f"{row.label} broken after {entry.split.at} characters"}


# Table defects, applied before the narrative is written (it quotes the printed table).
TABLE_DEFECTS: dict[str, Callable[[random.Random, Entry], dict | None]] = {
    "broken_carry": broken_carry,
    "broken_stock": broken_stock,
    "wrong_sum": wrong_sum,
    "split_digits": split_digits,
    "not_a_count": not_a_count,
    "marker": marker,
    "late": late,
    "wrong_period": wrong_period,
    "split_label": split_label,
}


def _comparable(previous: Entry | None) -> bool:
    """The previous year's report prints the numbers the cross-year rules compare with."""
    if previous is None:
        return False
    forward = previous.values["table3"]["rows"]["carried_forward"]
    return isinstance(previous.values["table2"]["normative_in_force"], int) and None not in (forward[0], forward[6])


def _deadline(entry: Entry) -> date:
    return date(entry.year + 1, 3 if entry.organ.whole else 1, 31)


def _record(entry: Entry, kind: str, found: dict | None) -> None:
    if found is not None:
        entry.defects.append({"kind": kind, "rules": found.pop("rules", list(DEFECTS[kind])), **found})


# --- the corpus ----------------------------------------------------------------------------------


def entries(n: int, seed: int, rate: float, forms: tuple[str, ...] = FORMS) -> list[Entry]:
    """The reports of the corpus, with figures, narratives and defects, in organ and year order."""
    rng = random.Random(seed)
    out: list[Entry] = []
    places = counties(rng, n)
    for division in places:
        organ = Organ(division, rng.random() < 0.3)
        span = rng.randint(1, len(YEARS))
        first = rng.randint(0, len(YEARS) - span)
        previous = None
        for year in YEARS[first : first + span]:
            if len(out) == n:
                return out
            previous = _entry(rng, len(out), organ, year, previous, rate, forms)
            out.append(previous)
    return out


def _entry(
    rng: random.Random, index: int, organ: Organ, year: int, previous: Entry | None, rate: float, forms
) -> Entry:
    """Report number `index`: forms in turn, and each form's variants in turn (equal shares)."""
    due = date(year + 1, 3 if organ.whole else 1, 31)
    published = (due - timedelta(days=rng.randint(0, 25))).isoformat()
    entry = Entry(organ, year, figures(rng, previous), published, f"{year}年1月1日至{year}年12月31日")
    entry.form, turn = forms[index % len(forms)], index // len(forms)
    entry.variant = VARIANTS[entry.form][turn % len(VARIANTS[entry.form])]
    chosen = [kind for kind in DEFECTS if rng.random() < rate and (kind not in NEEDS_PREVIOUS or _comparable(previous))]
    for kind in chosen:
        if kind in TABLE_DEFECTS:
            _record(entry, kind, TABLE_DEFECTS[kind](rng, entry))
    if "narrative_mismatch" in chosen:  # before the blank, which must not hide what it quotes
        _record(entry, "narrative_mismatch", {"cells": ["table3.new_received.total"]})
    if "missing_cell" in chosen:  # after the others: the blank keeps away from their cells
        _record(entry, "missing_cell", missing_cell(rng, entry))
    copied = "copied_narrative" in chosen
    entry.plan = previous.plan if copied and previous else plan(rng, previous.plan if previous else None)
    if copied and previous:
        _record(entry, "copied_narrative", {"cells": ["sections.*"], "detail": f"from {previous.year}"})
    wrong = _wrong_applications(rng, entry) if "narrative_mismatch" in chosen else None
    if wrong is not None:
        next(d for d in entry.defects if d["kind"] == "narrative_mismatch")["detail"] = f"says {wrong}"
    entry.sections = narrative(rng, entry, applications=wrong)
    return entry


def _wrong_applications(rng: random.Random, entry: Entry) -> int:
    """A count of applications that agrees with no reading of table 三 (new, with carried-over, handled)."""
    rows = entry.values["table3"]["rows"]
    readings = [rows[row][6] for row in ("new_received", "carried_over", "total") if rows[row][6] is not None]
    return sum(readings) + max(readings, default=0) + rng.randint(1, 5)


def report_json(entry: Entry) -> dict:
    """The report as the renderers take it (canonical JSON plus sections and preamble)."""
    organ = entry.organ
    return {
        "organ": organ.name,
        "region": organ.division.name,
        "region_code": organ.division.code,
        "year": entry.year,
        "format": "2021",
        "published": entry.published,
        **copy.deepcopy(entry.values),
        "sections": entry.sections,
        "preamble": (
            f"根据《中华人民共和国政府信息公开条例》规定，现公布{organ.name}{entry.year}年政府信息公开工作年度报告。"
            f"本报告中所列数据的统计期限为{entry.period}。"
        ),
    }


SUFFIX = {"text": ".txt", "docx": ".docx", "pdf": ".pdf", "html": ".html"}


def write(entry: Entry, path: Path) -> Path:
    report = report_from_json(report_json(entry))
    if entry.form == "text":
        return text.render(report, path, layout=entry.variant, split_row=entry.split, page_break=True)
    if entry.form == "docx":
        return docx.render(report, path)
    if entry.form == "pdf":
        return pdf.render(report, path, split_row=entry.split, page_numbers=entry.variant == "page-numbers")
    return html.render(report, path, style=entry.variant)


def file_name(i: int, entry: Entry) -> str:
    return f"{i:04d}_{entry.organ.division.code}_{entry.year}{SUFFIX[entry.form]}"


def truth(entry: Entry) -> dict:
    data = report_json(entry)
    return {
        "form": entry.form,
        "variant": entry.variant,
        **{k: data[k] for k in ("organ", "region", "region_code", "year", "published")},
        "period": entry.period,
        "values": {k: data[k] for k in ("table2", "table3", "table4")},
        "defects": entry.defects,
    }


def generate(out: Path, n: int, seed: int, rate: float, forms: tuple[str, ...] = FORMS) -> dict:
    """Write the corpus and its truth.json into `out`; returns the truth."""
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for i, entry in enumerate(entries(n, seed, rate, forms)):
        name = file_name(i, entry)
        write(entry, out / name)
        files[name] = truth(entry)
    data = {"seed": seed, "n": n, "rate": rate, "forms": list(forms), "defects": DEFECTS, "files": files}
    (out / "truth.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of reports")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.05, help="rate of each defect kind")
    parser.add_argument("--forms", default=",".join(FORMS), help="comma-separated: " + ",".join(FORMS))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    data = generate(args.out, args.n, args.seed, args.rate, tuple(args.forms.split(",")))
    defects = sum(len(f["defects"]) for f in data["files"].values())
    print(f"{len(data['files'])} reports, {defects} defects, in {args.out} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
