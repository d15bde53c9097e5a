"""``/docs``: ``/openapi.json`` as a browsable reference (Swagger UI), served by :mod:`ingress.static_site`.

Swagger UI's files come from the ``swagger-ui-py`` distribution's own ``static`` directory, served under
``/docs/assets/``: nothing is fetched from a CDN, and the page works offline and behind a firewall. That directory
is the package's data, not its Python API, so the dependency is pinned below its next major version and a test
fetches the files the page loads.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import falcon

from ingress.static_site import StaticSite


def _package_dir(name: str) -> Path:
    """Where a package is installed, found without importing it (swagger-ui-py's Python side loads Jinja2 and
    glue for other web frameworks: 2 MB in each ingress process for a directory name)."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {name} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


#: Swagger UI's files, as the swagger-ui-py package ships them.
ASSETS_DIR = _package_dir("swagger_ui") / "static"
#: Our own page and the script that starts Swagger UI on ``/openapi.json``.
STATIC_DIR = Path(__file__).parent / "static"

#: Swagger UI sets inline styles on its elements; scripts and everything else come from the ingress only.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'")

DOCS_SITE = StaticSite("/docs", STATIC_DIR / "index.html", {"/assets": ASSETS_DIR, "/static": STATIC_DIR},
                       CONTENT_SECURITY_POLICY)


def install_docs(app: falcon.App) -> None:
    DOCS_SITE.install(app)
