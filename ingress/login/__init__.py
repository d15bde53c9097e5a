"""Login: WeChat QR-code and mini-program login, login tokens, binding, and the demo page.

* :mod:`ingress.login.qr`: ``applyQrCode`` (from the pool in :mod:`core.login`) and ``getStatus``
  (long-polled through :mod:`ingress.login.watcher`);
* :mod:`ingress.login.session`: ``/token/login`` and ``/token/logout``, on :mod:`ingress.login.tokens`;
* :mod:`ingress.login.identity`: what an ``authCode`` proves, for login and for ``/user/third/bind``
  (:mod:`ingress.login.bind`);
* :mod:`ingress.login.web`: website sign-in with WeChat's open platform and WeCom (``/token/{p}/authorize``,
  ``/token/{p}/callback``, ``/token/web/status``);
* :mod:`ingress.login.demo`: ``/demo/qr-login``.

The five seed paths speak the seed's contract (:mod:`ingress.login.envelope`, :mod:`ingress.login.params`,
:mod:`ingress.login.messages`), so the seed's own front end works against imbridge unchanged.
The scan itself reaches the portal: :mod:`ingress.portals.handlers.login` marks the key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from config import Settings
from core.login import Provider
from core.login.sessions import CHANNEL
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.login.auth import LoginAuth
from ingress.login.bind import ThirdBind
from ingress.login.demo import DemoPage, DemoQrImage
from ingress.login.identity import Identities
from ingress.login.qr import ApplyQrCode, QrCodeStatus
from ingress.login.session import TokenLogin, TokenLogout
from ingress.login.tokens import LoginTokens
from ingress.login.watcher import StatusWatcher
from ingress.login.web import WebAuthorize, WebCallback, WebStatusResource
from ingress.ratelimit import ClientRateLimit

__all__ = ["ENVELOPE_PATHS", "SEED_PATHS", "Login", "build_login"]

#: The seed's login paths: they answer in the seed's envelope (see :class:`ingress.login.envelope.SeedEnvelope`).
SEED_PATHS = ("/token/wechat/qr/applyQrCode", "/token/wechat/qr/getStatus", "/token/login", "/token/logout",
              "/user/third/bind")
#: Website sign-in's status: answers in the seed's envelope like ``getStatus``.
WEB_STATUS_PATH = "/token/web/status"
#: Every path answering in the seed's envelope.
ENVELOPE_PATHS = (*SEED_PATHS, WEB_STATUS_PATH)


@dataclass(frozen=True)
class Login:
    """The login resources of one app, sharing one status watcher (one Redis subscription per process)."""

    apply: ApplyQrCode
    status: QrCodeStatus
    login: TokenLogin
    logout: TokenLogout
    bind: ThirdBind
    demo_page: DemoPage | None
    demo_qr: DemoQrImage | None
    watcher: StatusWatcher
    #: Website sign-in: ``(path, resource)`` of each provider's start and callback, and the status.
    web: tuple[tuple[str, object], ...] = ()

    def routes(self) -> Iterator[tuple[str, object]]:
        """``(path, resource)`` of every login route: the seed's paths, then the demo page's when it is on."""
        yield from zip(SEED_PATHS, (self.apply, self.status, self.login, self.logout, self.bind), strict=True)
        yield from self.web
        if self.demo_page and self.demo_qr:
            yield "/demo/qr-login", self.demo_page
            yield "/demo/qr-login/qr.svg", self.demo_qr


def build_login(settings: Settings, runtime: Runtime, tasks: Tasks) -> Login:
    config = settings.login
    watcher = StatusWatcher(runtime.redis, CHANNEL, config.long_poll_slots)
    tokens = LoginTokens(runtime.redis, config.token_ttl_seconds)
    auth = LoginAuth(tokens, runtime.database)
    identities = Identities(settings, runtime, tasks)
    demo_page = config.demo_page and settings.demo
    client_ip_header = settings.ingress.client_ip_header
    login_limit = ClientRateLimit(runtime.redis, "login", config.login_rate_limit, config.login_rate_window_seconds)
    bind_limit = ClientRateLimit(runtime.redis, "bind", config.bind_rate_limit, config.bind_rate_window_seconds)
    return Login(
        apply=ApplyQrCode(settings, runtime, tasks),
        status=QrCodeStatus(settings, runtime, watcher),
        login=TokenLogin(identities, tokens, runtime.database, login_limit, client_ip_header),
        logout=TokenLogout(auth),
        bind=ThirdBind(auth, identities, runtime.database, bind_limit, client_ip_header),
        demo_page=DemoPage() if demo_page else None,
        demo_qr=DemoQrImage(runtime) if demo_page else None,
        watcher=watcher,
        web=(*((f"/token/{p.value}/authorize", WebAuthorize(settings, runtime, p)) for p in Provider),
             *((f"/token/{p.value}/callback", WebCallback(settings, runtime, tasks, p)) for p in Provider),
             (WEB_STATUS_PATH, WebStatusResource(settings, runtime, watcher))),
    )
