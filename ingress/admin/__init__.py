"""``/admin``: the operators' single-page admin, static files served by the ingress.

The files hold no data, so they need no API key: the page asks for an admin key and sends it as the bearer header
on every ``/api/v1`` call. Falcon's static route refuses paths that leave the directory; the headers below keep
the page to its own origin (no CDN, nothing fetched beyond the ingress). They go on whatever the page's resources
answer, whichever spelling of the path the router took to them (``//admin`` reaches the page too).
"""

from __future__ import annotations

from pathlib import Path

import falcon

from ingress.auth import Open

#: The page's files (index.html, app.js, style.css, sections/*.js as native ES modules; no build step).
STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/admin"

#: The page loads scripts, styles, images and API answers from the ingress only.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                           "form-action 'self'")


class AdminIndex:
    """``/admin`` and ``/admin/`` (trailing slashes are stripped by the app): the page itself."""

    scope = Open.ANYONE

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.data = (STATIC_DIR / "index.html").read_bytes()


class AdminHeaders:
    """Middleware: the admin's files are always revalidated and may only use the ingress itself."""

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        if isinstance(resource, AdminIndex) or req.path.startswith(PREFIX + "/"):
            resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            resp.set_header("X-Content-Type-Options", "nosniff")
            resp.set_header("Referrer-Policy", "no-referrer")
            resp.set_header("Cache-Control", "no-cache")


def install_admin(app: falcon.App) -> None:
    app.add_middleware(AdminHeaders())
    app.add_route(PREFIX, AdminIndex())
    app.add_static_route(PREFIX + "/", STATIC_DIR)
