"""Parse accuracy and rule precision/recall on a generated corpus (benchmarks/corpus.py).

    python benchmarks/accuracy.py --corpus DIR [--verbose]
    python benchmarks/accuracy.py --n 1000 --seed 1 --out DIR [--rate 0.05] [--verbose]

Imports every file of the corpus into a fresh database with db.pipeline, exactly as an operator's
import does (parse, store, run the 14 rules), then compares with DIR/truth.json:
- cells: each of the 185 values of tables 二/三/四 equals the value printed (a blank must come back
  null, never 0; a marker as written); identity: organ, region code, year and date;
- rules: per report and rule, a finding where a defect was injected for that rule is a true
  positive, a finding on a report with no such defect a false positive, a defect without its
  finding a false negative.
Prints Markdown tables; --verbose lists every wrong cell, false positive and false negative.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.corpus import generate
from nianbao.db.checks import RULES
from nianbao.db.format import TABLE3_COLUMN_KEYS
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect

IDENTITY = ("organ", "region_code", "year", "published")


@dataclass
class FormScore:
    reports: int = 0
    failed: int = 0
    cells: int = 0
    wrong: list[str] = field(default_factory=list)
    identity_wrong: list[str] = field(default_factory=list)


@dataclass
class RuleScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    fps: list[str] = field(default_factory=list)
    fns: list[str] = field(default_factory=list)


@dataclass
class Result:
    forms: dict[str, FormScore]
    rules: dict[str, RuleScore]
    seconds: float


def truth_cells(values: dict) -> dict[tuple[str, str, str], object]:
    out: dict[tuple[str, str, str], object] = {("table2", k, ""): v for k, v in values["table2"].items()}
    for row, cells in values["table3"]["rows"].items():
        out |= {("table3", row, c): v for c, v in zip(TABLE3_COLUMN_KEYS, cells, strict=True)}
    return out | {("table4", k, ""): v for k, v in values["table4"].items()}


def same(expected, found) -> bool:
    """Equal values of the same kind: a blank is only equal to a blank, never to 0."""
    if expected is None or found is None:
        return expected is None and found is None
    if isinstance(expected, str) or isinstance(found, str):
        return expected == found
    return float(expected) == float(found)


def form_of(entry: dict) -> str:
    return f"{entry['form']} ({entry['variant']})" if entry["variant"] else entry["form"]


def measure(corpus: Path, db_path: Path) -> Result:
    truth = json.loads((corpus / "truth.json").read_text("utf-8"))["files"]
    db_path.unlink(missing_ok=True)
    db = connect(db_path)
    start = time.perf_counter()
    results = {Path(r.path).name: r for r in import_paths(db, [corpus])}
    seconds = time.perf_counter() - start
    forms: dict[str, FormScore] = defaultdict(FormScore)
    rules = {rule: RuleScore() for rule in RULES}
    for name, entry in sorted(truth.items()):
        score, result = forms[form_of(entry)], results.get(name)
        score.reports += 1
        expected_cells = truth_cells(entry["values"])
        score.cells += len(expected_cells)
        if result is None or result.report_id is None:
            score.failed += 1
            score.wrong.append(f"{name}: not imported ({result.message if result else 'not found'})")
            continue
        _score_cells(db, name, entry, result.report_id, expected_cells, score)
        _score_rules(db, name, entry, result.report_id, rules)
    db.close()
    return Result(dict(forms), rules, seconds)


def _score_cells(db, name: str, entry: dict, report_id: int, expected: dict, score: FormScore) -> None:
    found = {
        (t, r, c): v
        for t, r, c, v in db.execute(
            "SELECT table_name, row_key, column_key, value FROM cells WHERE report_id = ?", [report_id]
        )
    }
    for key, value in expected.items():
        got = found.get(key, "(absent)")
        if not same(value, got):
            score.wrong.append(f"{name}: {'.'.join(p for p in key if p)} = {got!r}, printed {value!r}")
    row = db.execute(f"SELECT {', '.join(IDENTITY)} FROM reports WHERE id = ?", [report_id]).fetchone()
    for key, got in zip(IDENTITY, row, strict=True):
        if got != entry[key]:
            score.identity_wrong.append(f"{name}: {key} = {got!r}, printed {entry[key]!r}")


def _score_rules(db, name: str, entry: dict, report_id: int, rules: dict[str, RuleScore]) -> None:
    findings: dict[str, list[str]] = defaultdict(list)
    for rule, message in db.execute("SELECT rule, message FROM findings WHERE report_id = ?", [report_id]):
        findings[rule].append(message)
    injected = {rule: d["kind"] for d in entry["defects"] for rule in d["rules"]}
    for rule, score in rules.items():
        if rule in injected and rule in findings:
            score.tp += 1
        elif rule in findings:
            score.fp += 1
            score.fps.append(f"{name}: {findings[rule][0]}")
        elif rule in injected:
            score.fn += 1
            detail = next(d for d in entry["defects"] if rule in d["rules"])
            score.fns.append(f"{name}: {injected[rule]} {detail.get('cells')} {detail.get('detail', '')}")


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "—"


def tables(result: Result, verbose: bool = False) -> str:
    lines = [
        "| form | reports | failed | cells | cells wrong | cell accuracy | identity fields wrong |",
        "|---|---|---|---|---|---|---|",
    ]
    for form, s in sorted(result.forms.items()):
        wrong = len(s.wrong) - s.failed
        right = s.cells - wrong - s.failed * (s.cells // max(s.reports, 1))
        lines.append(
            f"| {form} | {s.reports} | {s.failed} | {s.cells} | {wrong} | {_percent(right, s.cells)} "
            f"| {len(s.identity_wrong)} |"
        )
    lines += ["", "| rule | injected | TP | FP | FN | precision | recall |", "|---|---|---|---|---|---|---|"]
    for rule, s in result.rules.items():
        lines.append(
            f"| {rule} | {s.tp + s.fn} | {s.tp} | {s.fp} | {s.fn} | {_percent(s.tp, s.tp + s.fp)} "
            f"| {_percent(s.tp, s.tp + s.fn)} |"
        )
    if verbose:
        for form, s in sorted(result.forms.items()):
            lines += [f"\nwrong in {form}:", *(f"  {w}" for w in s.wrong + s.identity_wrong)]
        for rule, s in result.rules.items():
            lines += [*(f"FP {rule} {m}" for m in s.fps), *(f"FN {rule} {m}" for m in s.fns)]
    return "\n".join(lines)


def defect_counts(corpus: Path) -> Counter:
    files = json.loads((corpus / "truth.json").read_text("utf-8"))["files"]
    return Counter(d["kind"] for f in files.values() for d in f["defects"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="an existing corpus (with truth.json)")
    parser.add_argument("--out", type=Path, help="generate a corpus here first")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--db", type=Path, help="database to create (default: CORPUS/accuracy.db)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    corpus = args.corpus or args.out
    if corpus is None:
        parser.error("give --corpus DIR, or --out DIR to generate one")
    if args.out:
        start = time.perf_counter()
        generate(args.out, args.n, args.seed, args.rate)
        print(f"generated in {time.perf_counter() - start:.0f} s")
    result = measure(corpus, args.db or corpus / "accuracy.db")
    reports = sum(s.reports for s in result.forms.values())
    print(f"{reports} reports imported in {result.seconds:.0f} s ({reports / result.seconds:.1f} reports/s)")
    print("defects injected:", dict(sorted(defect_counts(corpus).items())))
    print(tables(result, args.verbose))


if __name__ == "__main__":
    main()
