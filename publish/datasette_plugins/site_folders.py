"""A Datasette plugin: a folder of a static mount answers with its index.html.

Datasette's `--static` answers 403 for any folder, so `/site/` and every page's folder address
(`/site/county/…/`) would fail while `/site/index.html` works. Static web hosts answer folders with
their index.html; this makes `nianbao serve` do the same. A folder without a trailing slash is
redirected to it, so the page's relative links resolve. Loaded with `--plugins-dir`
(publish/datasette.py), so only the server nianbao starts has it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasette import hookimpl

ASGIApp = Any  # an ASGI callable: (scope, receive, send) -> awaitable


def index_of(root: Path, relative: str) -> Path | None:
    """`root/relative` if it is a folder inside `root`, else None."""
    try:
        folder = (root / relative).resolve()
        folder.relative_to(root.resolve())
    except (OSError, ValueError):
        return None
    return folder if folder.is_dir() else None


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    mounts = [(f"/{mount}/", Path(dirname)) for mount, dirname in datasette.static_mounts]

    def wrap(app: ASGIApp) -> ASGIApp:
        async def folders_answer_with_index(scope: dict, receive: Any, send: Any) -> None:
            path = scope.get("path", "") if scope.get("type") == "http" else ""
            for prefix, root in mounts:
                if not (path + "/").startswith(prefix):
                    continue
                if index_of(root, path[len(prefix) :]) is None:
                    break
                raw = scope.get("raw_path") or path.encode("utf-8")
                if not path.endswith("/"):
                    query = scope.get("query_string", b"")
                    location = raw + b"/" + (b"?" + query if query else b"")
                    await send({"type": "http.response.start", "status": 301, "headers": [(b"location", location)]})
                    await send({"type": "http.response.body", "body": b""})
                    return
                scope = dict(scope, path=path + "index.html", raw_path=raw + b"index.html")
                break
            await app(scope, receive, send)

        return folders_answer_with_index

    return wrap
