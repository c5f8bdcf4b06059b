"""Who publishes the data and when it last changed: the line at the foot of every page and in
Datasette's metadata ("发布者：X · 数据更新于 2025-03-01 14:05（北京时间）").

The time is when the data a page shows last changed, not when the publish ran: the newest
import, correction or status change (approval, a re-check) of the reports behind the page
(publish/database.py `UPDATED`; a report marked published changes nothing a reader sees and
does not count). A publish's own time would change every page at every publish, so an update
after one correction would rewrite the whole site, two publishes of the same data would differ,
and the date would tell a reader nothing about the figures. So a county's pages carry the
newest change of that county's reports, a year's home page that of the reports it lists, and
the site-wide pages (methodology, downloads, search) that of every report shown. A report
leaving the site (removed, or no longer approved) does not move the time: what remains has not
changed.

The publisher is named by the operator (`nianbao publish --publisher NAME`); the publish log
remembers it for the next publish into the same folder (publish/run.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from nianbao.db.errors import NianbaoError

DEFAULT_PUBLISHER = "本站编者"
MAX_PUBLISHER = 100  # characters: a name, not a paragraph
BEIJING = timezone(timedelta(hours=8))  # China has one time zone and no daylight saving


def beijing_minute(utc: str | None) -> str:
    """A stored UTC time (2025-03-01T06:05:09.123456+00:00) as Beijing time to the minute:
    2025-03-01 14:05. Empty for None or a time that does not read."""
    if not utc:
        return ""
    try:
        moment = datetime.fromisoformat(utc)
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def newest(times: Iterable[str | None]) -> str | None:
    """The latest of stored times (ISO text in UTC, so they sort as text); None if none."""
    return max((t for t in times if t), default=None)


@dataclass(frozen=True)
class Stamp:
    publisher: str
    updated: str | None  # stored UTC time, or None when no data is shown

    @property
    def text(self) -> str:
        """发布者：X · 数据更新于 2025-03-01 14:05（北京时间）, or without the time when there is none."""
        when = beijing_minute(self.updated)
        return f"发布者：{self.publisher}" + (f" · 数据更新于 {when}（北京时间）" if when else " · 尚无已发布的数据")


class PublisherError(NianbaoError):
    """A publisher's name that cannot stand on every page."""


def checked_publisher(name: str) -> str:
    """The publisher's name as given, trimmed; PublisherError if it is empty, too long or holds a
    control character (it is shown on every page)."""
    name = name.strip()
    if not name:
        raise PublisherError("发布者名称不能为空 the publisher's name is empty")
    if len(name) > MAX_PUBLISHER:
        raise PublisherError(f"发布者名称超过 {MAX_PUBLISHER} 个字 the publisher's name is too long")
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):
        raise PublisherError("发布者名称含控制字符 the publisher's name holds a control character")
    return name
