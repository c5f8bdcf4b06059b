"""The rule registry: every consistency rule of docs/format.md, one small function each.

A rule is registered with its id, severity, a title in Chinese and English and an explanation;
the registry drives the checks, the CLI, the site's methodology page and a test that no rule of
docs/format.md is missing. A rule returns findings (rows), never raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from nianbao.db.model import Number, Report
from nianbao.db.vocabulary import Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Suggestion:
    """A value the rules determine for a blank cell, offered to the operator, never written."""

    cell: str
    value: int | float
    rule: str
    derivation: str  # e.g. "T3-TOTAL (natural): 12 − 12 − 0 − … = 0"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    cells: tuple[str, ...]  # cell paths, docs/format.md: table2.KEY, table3.ROW.COLUMN, ROW.*, table4.KEY
    message: str  # English
    message_zh: str  # Chinese
    expected: str | None = None
    found: str | None = None
    suggestions: tuple[Suggestion, ...] = ()

    def as_json(self) -> dict:
        out: dict[str, object] = {
            "id": self.rule,
            "severity": self.severity,
            "cells": list(self.cells),
            "message": self.message,
            "message_zh": self.message_zh,
        }
        if self.expected is not None:
            out["expected"] = self.expected
        if self.found is not None:
            out["found"] = self.found
        if self.suggestions:
            out["suggestions"] = [
                {"cell": s.cell, "value": s.value, "rule": s.rule, "derivation": s.derivation} for s in self.suggestions
            ]
        return out


@dataclass(frozen=True)
class Context:
    """What a rule sees: the report (effective values, corrections applied) and, for the
    cross-year rules, the same organ's report of the year before, if the database has it."""

    report: Report
    previous: Report | None = None

    @cached_property
    def numbers(self) -> dict[str, Number]:
        """The report's numbers by cell path, read once for all the rules (`Report.numbers`)."""
        return self.report.numbers()


Check = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    title_zh: str
    explanation: str  # what the rule checks and why, for the methodology page
    check: Check = field(compare=False)
    needs_history: bool = False  # compares with the previous year's report


RULES: dict[str, Rule] = {}


def rule(
    id: str, severity: str, title: str, title_zh: str, explanation: str, *, needs_history: bool = False
) -> Callable[[Check], Check]:
    """Register a rule function under its docs/format.md id."""

    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"rule {id} registered twice")
        RULES[id] = Rule(id, severity, title, title_zh, explanation, check, needs_history)
        return check

    return register
