"""A static site under a path prefix: its index page, its files, and the headers that keep it to its own origin.

The admin page (``/admin``) and the API reference (``/docs``) are both files the ingress serves as they are. The
files hold no data, so they need no API key (the pages send one on their own API calls). Falcon's static route
refuses paths that leave a directory; the headers go on whatever the site answers, whichever spelling of the path
the router took (``//admin`` reaches the page too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import falcon

from ingress.auth import Open


@dataclass(frozen=True)
class StaticSite:
    """``prefix`` answers ``index``; ``prefix + sub`` serves the directory ``dirs[sub]`` ("/" for the root).

    :param content_security_policy: sent with every answer of the site.
    :param cache_control: sent too when given (the admin page is always revalidated).
    """

    prefix: str
    index: Path
    dirs: Mapping[str, Path]
    content_security_policy: str
    cache_control: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=lambda: {
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})

    def install(self, app: falcon.App) -> None:
        app.add_middleware(_SiteHeaders(self))
        app.add_route(self.prefix, _SiteIndex(self.index))
        for sub, directory in self.dirs.items():
            app.add_static_route(self.prefix + sub, directory)

    def owns(self, req: falcon.Request, resource: object) -> bool:
        return (isinstance(resource, _SiteIndex) and resource.page == self.index) or \
            req.path.startswith(self.prefix + "/")


class _SiteIndex:
    """The site's page itself (``/admin`` and ``/admin/``: the app strips trailing slashes)."""

    scope = Open.ANYONE

    def __init__(self, page: Path) -> None:
        self.page = page

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.data = self.page.read_bytes()


class _SiteHeaders:
    """Middleware: the site's answers may only use the ingress itself."""

    def __init__(self, site: StaticSite) -> None:
        self.site = site

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource: object,
                         req_succeeded: bool) -> None:
        if self.site.owns(req, resource):
            resp.set_header("Content-Security-Policy", self.site.content_security_policy)
            for name, value in self.site.extra_headers.items():
                resp.set_header(name, value)
            if self.site.cache_control:
                resp.set_header("Cache-Control", self.site.cache_control)
