"""db/ never imports the UI toolkit: it must stay usable from the CLI, the app and publish alike.
(click is not checked: sqlite-utils itself imports it.)"""

import subprocess
import sys


def test_db_imports_no_ui():
    code = (
        "import sys, db.pipeline, db.parse, db.store, db.schema, db.readers, db.format;"
        "print(','.join(m for m in ('textual', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
