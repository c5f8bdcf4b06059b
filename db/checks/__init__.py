"""Consistency checks (勾稽关系 and the rest): run every registered rule on a report.

from nianbao.db.checks import run_checks, RULES
findings = run_checks(report, previous=last_years_report)
"""

from __future__ import annotations

from nianbao.db.checks import arithmetic, cells, dates, history, identity, narrative  # noqa: F401  (modules register rules)
from nianbao.db.checks.registry import ERROR, RULES, WARNING, Context, Finding, Rule, Suggestion
from nianbao.db.model import Report

__all__ = ["ERROR", "RULES", "WARNING", "Context", "Finding", "Rule", "Suggestion", "run_checks"]


def run_checks(report: Report, previous: Report | None = None) -> list[Finding]:
    """All findings for a report, errors first, in rule order. Rules that compare with the
    previous year run only when `previous` is given."""
    context = Context(report, previous)
    findings = [
        finding
        for rule in RULES.values()
        if previous is not None or not rule.needs_history
        for finding in rule.check(context)
    ]
    return sorted(findings, key=lambda f: f.severity != ERROR)
