"""Who changed a report's status, and when: the operator's name and the status log, shared by the
checks (which settle a status), the corrections and the workflow.
"""

from __future__ import annotations

import getpass

from nianbao.db.schema import Database
from nianbao.db.store import insert_row, now, update_row
from nianbao.db.vocabulary import Status

OPEN_STATUSES = (Status.IMPORTED, Status.NEEDS_REVIEW, Status.READY)  # the checks settle these


def operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (some containers)
        return "unknown"


def set_status(db: Database, report_id: int, status: Status, reason: str | None, who: str = "nianbao") -> None:
    update_row(db, "reports", report_id, {"status": status})
    insert_row(db, "status_log", {"report_id": report_id, "status": status, "reason": reason, "who": who, "at": now()})
