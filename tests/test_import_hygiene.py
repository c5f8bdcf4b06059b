"""db/ and publish/ never import the UI toolkit: they must stay usable from the CLI, the app and
scripts alike. (click is not checked: sqlite-utils itself imports it.)"""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "modules",
    [
        "nianbao.db.pipeline, nianbao.db.parse.report, nianbao.db.store, nianbao.db.schema, nianbao.db.readers, nianbao.db.format, nianbao.db.review, nianbao.db.checks, nianbao.db.regions",
        "nianbao.db.readers.pdf, nianbao.db.readers.docx, nianbao.db.readers.html",
        "nianbao.publish.run, nianbao.publish.database, nianbao.publish.datasette, nianbao.publish.static_site",
    ],
)
def test_no_ui_toolkit_imported(modules):
    code = f"import sys, {modules}; print(','.join(m for m in ('textual', 'rich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
