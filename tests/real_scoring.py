"""Score a parsed report against a hand-read truth file of tests/data/real (the conventions of
its README): every comparable cell is right, wrong, or silent (wrong and named by no finding).

The same comparison as the corpus's score.py, run in process on the canonical JSON that
`nianbao parse FILE --json` prints (the report and its checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.db.checks import run_checks
from nianbao.db.errors import NianbaoError
from nianbao.db.pipeline import parse_file

REAL = Path(__file__).parent / "data" / "real"
ROWS = [
    "new_received", "carried_over", "granted", "partial", "deny_state_secret", "deny_law", "deny_three_safety",
    "deny_third_party", "deny_internal", "deny_process", "deny_enforcement", "deny_inquiry", "unable_no_info",
    "unable_need_create", "unable_unclear", "reject_complaint", "reject_duplicate", "reject_publication",
    "reject_massive", "reject_confirm", "other_overdue_correction", "other_overdue_fee", "other_other", "total",
    "carried_forward",
]  # fmt: skip
COLS = ["natural", "commercial", "research", "social", "legal", "other_org", "total"]
T2 = [
    "rules_made", "rules_repealed", "rules_in_force", "normative_made", "normative_repealed", "normative_in_force",
    "licensing", "punishment", "enforcement", "fees_wan",
]  # fmt: skip
T4 = [
    f"{g}_{k}"
    for g in ("review", "suit_direct", "suit_after_review")
    for k in ("upheld", "corrected", "other", "pending", "total")
]


@dataclass
class Score:
    name: str
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)
    refused: str | None = None

    @property
    def total(self) -> int:
        return self.right + len(self.wrong)


def pairs() -> list[tuple[Path, Path]]:
    """(raw file, truth file) for every truth file of the corpus."""
    out = []
    for truth in sorted((REAL / "truth").glob("*.json")):
        raw = sorted(p for p in (REAL / "raw").iterdir() if p.stem == truth.stem)
        if raw:
            out.append((raw[0], truth))
    return out


def parsed(path: Path) -> dict | str:
    """The canonical JSON with its checks, as `nianbao parse --json` prints it; the refusal's
    message when the file is refused."""
    try:
        report = parse_file(path)
    except (NianbaoError, OSError) as exc:
        return str(exc)
    return report.to_json() | {"checks": [f.as_json() for f in run_checks(report)]}


def _t4_list(value) -> list:
    if isinstance(value, dict):
        return [value.get(k) for k in T4]
    return list(value or [None] * 15)


def cells(doc: dict, fmt: str) -> dict[str, object]:
    out: dict[str, object] = {}
    if fmt != "2019":
        t2 = doc.get("table2") or {}
        out |= {f"table2.{k}": t2.get(k) for k in T2}
    rows = (doc.get("table3") or {}).get("rows") or {}
    for r in ROWS:
        if fmt == "2019" and r.startswith("other_"):
            continue
        vals = rows.get(r)
        for i, c in enumerate(COLS):
            out[f"table3.{r}.{c}"] = vals[i] if isinstance(vals, list) and i < len(vals) else None
    out |= {f"table4.{k}": v for k, v in zip(T4, _t4_list(doc.get("table4")), strict=True)}
    return out


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return abs(float(a) - float(b)) < 1e-6
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def flagged(path: str, checks: list[dict]) -> bool:
    """Whether a finding names the cell, its row (ROW.*) or its whole table."""
    parts = path.split(".")
    for check in checks:
        for cell in check.get("cells") or []:
            cp = cell.split(".")
            if cp == parts[: len(cp)] and len(cp) < len(parts):
                return True
            if len(cp) == len(parts) and all(x == "*" or x == y for x, y in zip(cp, parts, strict=True)):
                return True
    return False


def uncertain(truth: dict) -> set[str]:
    out = set()
    for key in truth.get("uncertain_cells") or {}:
        if key.endswith(".*"):
            table, row = key.split(".")[:2]
            out.update(f"{table}.{row}.{c}" for c in COLS)
        elif "[" in key:
            base, index = key.rstrip("]").split("[")
            parts = base.split(".")
            out.add(
                f"table4.{T4[int(index)]}" if parts[0] == "table4" else f"{parts[0]}.{parts[-1]}.{COLS[int(index)]}"
            )
        else:
            out.add(key)
    return out


def score(raw: Path, truth_path: Path) -> Score:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    fmt = truth.get("format", "2021")
    got = parsed(raw)
    result = Score(raw.name)
    if isinstance(got, str):
        result.refused = got
        result.wrong = list(cells(truth, fmt))  # every cell wrong, none silent: the operator is told
        return result
    want, have = cells(truth, fmt), cells(got, fmt)
    if fmt == "2019":
        single = (truth.get("table3") or {}).get("other_single_row_2019")
        row = ((got.get("table3") or {}).get("rows") or {}).get("other_total")
        for i, c in enumerate(COLS):
            want[f"table3.other_total.{c}"] = single[i] if single else None
            have[f"table3.other_total.{c}"] = row[i] if isinstance(row, list) and i < len(row) else None
    skip = uncertain(truth)
    for path, value in want.items():
        if path in skip:
            continue
        if same(have.get(path), value):
            result.right += 1
            continue
        result.wrong.append(f"{path}={have.get(path)!r}≠{value!r}")
        if not flagged(path, got.get("checks") or []):
            result.silent.append(path)
    return result
