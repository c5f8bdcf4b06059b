"""Times as an operator reads them: the database keeps ISO 8601 in UTC, screens show local minutes."""

from __future__ import annotations

from datetime import datetime


def local_time(iso: str | None) -> str:
    """'2026-11-22T21:47:54.07+00:00' → '2026-11-23 05:47' in UTC+8; '—' for none."""
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")
