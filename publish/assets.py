"""Where the site's templates and static files are.

`site/` holds no Python, so it is not a package of its own: pyproject.toml installs it as package
data at `nianbao/site/`, beside `nianbao/publish/`, which is also where it sits in a checkout (an
editable install maps `nianbao.publish` to `publish/`). Either way it is this package's sibling,
never a folder found from the working directory.
"""

from pathlib import Path

SITE = Path(__file__).resolve().parent.parent / "site"
TEMPLATES = SITE / "templates"
STATIC = SITE / "static"
