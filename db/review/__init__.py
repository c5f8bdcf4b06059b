"""Reviewing stored reports, by job: reading them back (`stored`: the effective cells of
db/schema.py), the checks kept up to date (`findings`), corrections of cells and identity with
an audit trail (`corrections`), the status workflow (`workflow`), where a value came from
(`provenance`); `log` names who changed a status, and when.

    imported -> needs_review (errors) | ready (no errors) -> approved -> published

The parsed value of a cell is never overwritten: a correction is a row of its own (old, new,
reason, who, when) and the effective value is the latest correction. Approving a report with
open errors takes an explicit override with a reason.

The public names are imported here: `from nianbao.db import review; review.correct(...)`.
"""

from __future__ import annotations

from nianbao.db.review.corrections import (
    IDENTITY_FIELDS,
    Change,
    IdentityClash,
    accept_suggestions,
    correct,
    read_value,
    record_blanks,
)
from nianbao.db.review.findings import findings, recheck, reviewed_blanks, without_reviewed_blanks
from nianbao.db.review.log import OPEN_STATUSES, operator
from nianbao.db.review.provenance import CellSource, audit_trail, cell_source
from nianbao.db.review.stored import ReviewError, cell_paths, load_report, neighbour, report_row
from nianbao.db.review.workflow import NeedsOverride, approve, approve_many, mark_published, merge, remove

__all__ = [
    "IDENTITY_FIELDS",
    "OPEN_STATUSES",
    "CellSource",
    "Change",
    "IdentityClash",
    "NeedsOverride",
    "ReviewError",
    "accept_suggestions",
    "approve",
    "approve_many",
    "audit_trail",
    "cell_paths",
    "cell_source",
    "correct",
    "findings",
    "load_report",
    "mark_published",
    "merge",
    "neighbour",
    "operator",
    "read_value",
    "recheck",
    "record_blanks",
    "remove",
    "report_row",
    "reviewed_blanks",
    "without_reviewed_blanks",
]
