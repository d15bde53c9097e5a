"""``/admin``: the operators' single-page admin, static files served by the ingress (:mod:`ingress.static_site`).

The page asks for an admin key and sends it as the bearer header on every ``/api/v1`` call; nothing is fetched
beyond the ingress (no CDN).
"""

from __future__ import annotations

from pathlib import Path

import falcon

from ingress.static_site import StaticSite

#: The page's files (index.html, app.js, style.css, sections/*.js as native ES modules; no build step).
STATIC_DIR = Path(__file__).parent / "static"
PREFIX = "/admin"

#: The page loads scripts, styles, images and API answers from the ingress only.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
                           "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                           "form-action 'self'")

ADMIN_SITE = StaticSite(PREFIX, STATIC_DIR / "index.html", {"/": STATIC_DIR}, CONTENT_SECURITY_POLICY,
                        cache_control="no-cache")


def install_admin(app: falcon.App) -> None:
    ADMIN_SITE.install(app)
