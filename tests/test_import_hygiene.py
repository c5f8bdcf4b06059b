"""db/ and publish/ never import the UI toolkit: they must stay usable from the CLI, the app and
scripts alike. (click is not checked: sqlite-utils itself imports it.)"""

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "modules",
    [
        "db.pipeline, db.parse, db.store, db.schema, db.readers, db.format, db.review, db.checks, db.regions",
        "db.readers.pdf, db.readers.docx, db.readers.html",
        "publish.run, publish.database, publish.datasette, publish.static_site",
    ],
)
def test_no_ui_toolkit_imported(modules):
    code = f"import sys, {modules}; print(','.join(m for m in ('textual', 'rich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
