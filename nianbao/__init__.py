"""nianbao 年报: annual reports on open government information, from the files agencies publish to
checked data in SQLite, online.

The installed package gathers the repository's folders under one name (pyproject.toml's
`package-dir`): `nianbao.db` is `db/` (readers, parser, store, checks), `nianbao.publish` is
`publish/` (Datasette and the static site), `nianbao.tui` is `tui/` (the CLI and the app), and
`nianbao.site` is `site/` (templates and static files, package data only).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nianbao")
except PackageNotFoundError:  # run from a checkout without installing
    __version__ = "0+unknown"
