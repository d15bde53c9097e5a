"""``/demo/qr-login``: the seed's front-end flow on one page, served by the ingress with no CDN.

The page applies for a code, shows it (drawn here with segno from what the code encodes, so no request
leaves the machine), long-polls the status, logs in once it is ``ok`` and shows the user. With the sandbox
playing WeChat, ``imbridge sandbox scan --key <key>`` is the phone.
"""

from __future__ import annotations

import io
from importlib import resources

import falcon
import segno

from core.login import QrSessions
from core.runtime import Runtime
from ingress.auth import Open
from ingress.errors import ApiError
from ingress.login.guard import redis_available


class DemoPage:
    scope = Open.ANYONE
    def __init__(self) -> None:
        self.html = resources.files("ingress.login").joinpath("demo_page.html").read_bytes()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = "text/html; charset=utf-8"
        resp.set_header("Cache-Control", "no-store")
        resp.data = self.html


class DemoQrImage:
    scope = Open.ANYONE
    """``GET /demo/qr-login/qr.svg?key=``: the picture of a live key's QR code."""

    def __init__(self, runtime: Runtime) -> None:
        self.sessions = QrSessions(runtime.redis)

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        key = req.get_param("key") or ""
        with redis_available():
            url = self.sessions.url(key)
        if url is None:
            raise ApiError(falcon.HTTP_404, "no live QR code has this key", code="not_found")
        buffer = io.BytesIO()
        segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
        resp.content_type = "image/svg+xml"
        resp.set_header("Cache-Control", "no-store")
        resp.data = buffer.getvalue()
