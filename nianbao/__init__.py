"""nianbao 年报: annual reports on open government information, from the files agencies publish to
checked data in SQLite, online.

The installed package gathers the repository's folders under one name (pyproject.toml's
`package-dir`): `nianbao.db` is `db/` (readers, parser, store, checks), `nianbao.publish` is
`publish/` (Datasette and the static site), `nianbao.tui` is `tui/` (the CLI and the app), and
`nianbao.site` is `site/` (templates and static files, package data only).
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`nianbao.__version__`, looked up when asked for: importlib.metadata costs every command
    ~25 ms at start-up, and only `--version` wants it."""
    if name != "__version__":
        raise AttributeError(f"module 'nianbao' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nianbao")
    except PackageNotFoundError:  # run from a checkout without installing
        return "0+unknown"
