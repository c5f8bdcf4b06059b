"""The Datasette side of publishing: metadata.json beside the published database, and the command
that serves both, read-only.

Datasette 0.65 reads titles, descriptions, facets and canned queries from `-m metadata.json`. The
database is opened immutable (`-i`): no write can reach it, whatever SQL a visitor sends.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from nianbao.publish.assets import STATIC
from nianbao.publish.fsutil import write_file
from nianbao.publish.metadata import DATABASE, DATASETTE_CSS, build_metadata
from nianbao.publish.stamp import Stamp

DATABASE_FILE = f"{DATABASE}.db"
# Plugins for the server `nianbao serve` starts: a folder of the site answers with its index.html.
PLUGINS = Path(__file__).resolve().parent / "datasette_plugins"
METADATA_FILE = "metadata.json"
ASSETS = "static"  # the folder of the stylesheet, served at /static/ (metadata.DATASETTE_CSS_URL)

# Settings passed with --setting, each for a reason.
SETTINGS: dict[str, str] = {
    "sql_time_limit_ms": "1500",  # a slow query is cut off instead of holding a thread
    "max_returned_rows": "3000",  # one year's counties (2,845 county-level units) fit in one answer
    "default_allow_sql": "on",  # arbitrary SQL is safe: immutable file, read-only connection, time limit
    "suggest_facets": "off",  # facet suggestions cost a query per column on every table page
    # Rendering rows is what a page costs (Jinja, ~1 ms a wide row): 20 rows a page, as many
    # more as a visitor asks for with ?_size= (up to max_returned_rows).
    "default_page_size": "20",
    # The file is immutable: a browser or proxy may keep an answer 10 minutes (Datasette: 5 s).
    # A new publish restarts the server on a new file; its pages are seen within 10 minutes.
    "default_cache_ttl": "600",
    # A facet is cut off where any query is (Datasette: 200 ms): under load the configured
    # facets (a few thousand rows each) could pass 200 ms, and the page kept without them.
    "facet_time_limit_ms": "1500",
}


def metadata_json(stamp: Stamp | None = None) -> str:
    """The metadata as deterministic JSON text: same data, same bytes."""
    return json.dumps(build_metadata(stamp=stamp), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_metadata(directory: Path, stamp: Stamp | None = None) -> Path:
    """Write `directory/metadata.json` atomically (a reader never sees half a file); with the
    publish's stamp (publisher, when the data last changed) when there is one. The stylesheet
    it names goes beside it, in static/."""
    write_file(Path(directory) / ASSETS / DATASETTE_CSS, (STATIC / DATASETTE_CSS).read_bytes())
    path = Path(directory) / METADATA_FILE
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".metadata-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(metadata_json(stamp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class ServeCommand(NamedTuple):
    """An argv to run in a folder: the database is named relative to it, so Datasette shows
    visitors its name (/-/databases.json), never the server's path."""

    argv: list[str]
    cwd: Path


def serve_command(directory: Path, *, host: str = "127.0.0.1", port: int = 8001) -> ServeCommand:
    """Serving `directory/nianbao.db` with its metadata, immutable, on `host:port`, with the
    limits of publish/datasette_limits.py (Datasette's own command with that plugin)."""
    argv = [sys.executable, "-m", "nianbao.publish.datasette_limits", "serve", "-i", DATABASE_FILE]
    argv += ["-m", METADATA_FILE, "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        argv += ["--setting", name, value]
    if (Path(directory) / ASSETS).is_dir():  # a folder published before the stylesheet has none
        argv += ["--static", f"{ASSETS}:{ASSETS}"]  # named in its folder, as the database is
    return ServeCommand(argv, Path(directory).resolve())


def serve_published_command(out: Path, *, port: int = 8001) -> ServeCommand:
    """Serving a published folder: Datasette at `/`, the static site at `/site/`."""
    out = Path(out).resolve()
    command = serve_command(out / "datasette", port=port)
    site = ["--static", f"site:{out / 'site'}", "--plugins-dir", str(PLUGINS)]  # PLUGINS: /site/ answers
    return ServeCommand([*command.argv, *site], command.cwd)


def served_urls(port: int) -> tuple[str, str]:
    """Where `serve_published_command` answers: Datasette, and the site's home page."""
    return f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port}/site/"
