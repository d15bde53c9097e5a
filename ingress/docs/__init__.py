"""``/docs``: ``/openapi.json`` as a browsable reference (Swagger UI).

Swagger UI's files come from the ``swagger-ui-py`` distribution's own ``static`` directory, served by the
ingress under ``/docs/assets/``: nothing is fetched from a CDN, and the page works offline and behind a firewall.
That directory is the package's data, not its Python API, so the dependency is pinned below its next major
version and a test fetches the two files the page loads.
"""

from __future__ import annotations

from pathlib import Path

import falcon
import swagger_ui

from ingress.auth import Open

#: Swagger UI's files, as the swagger-ui-py package ships them.
ASSETS_DIR = Path(swagger_ui.__file__).parent / "static"
#: Our own page and the script that starts Swagger UI on ``/openapi.json``.
STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/docs"

#: Swagger UI sets inline styles on its elements; scripts and everything else come from the ingress only.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'")


class DocsIndex:
    """``/docs``: the reference page."""

    scope = Open.ANYONE

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.data = (STATIC_DIR / "index.html").read_bytes()


class DocsHeaders:
    """Middleware: the page and its files may use the ingress itself only."""

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        if isinstance(resource, DocsIndex) or req.path.startswith(PREFIX + "/"):
            resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            resp.set_header("X-Content-Type-Options", "nosniff")
            resp.set_header("Referrer-Policy", "no-referrer")


def install_docs(app: falcon.App) -> None:
    app.add_middleware(DocsHeaders())
    app.add_route(PREFIX, DocsIndex())
    app.add_static_route(PREFIX + "/assets", ASSETS_DIR)
    app.add_static_route(PREFIX + "/static", STATIC_DIR)
