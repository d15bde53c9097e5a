"""From a login's ``authCode`` to the WeChat account behind it, without the ingress calling WeChat.

* ``weChat``: the code is a QR key; the scan handler stored the scanner's openid under it. The key is read
  first and used up only once the caller has decided to accept it (:meth:`Identities.use`), atomically, so
  an unbound scanner's key survives for the bind flow while a second login with a used key fails.
* ``weChatApplet``: the code is a ``wx.login`` code; a worker exchanges it (``jscode2session``) and hands the
  openid/unionid back through Redis while the request waits, for ``login.applet-wait-seconds`` at most.

An openid is one app's: a QR key's identity is a follower of the Official Account whose pool handed the key out,
a mini-program's of the mini-program ``account`` names (omitted: the default); the binding looked up is that
account's (:mod:`models.users`).

A waiting request holds one of the ingress process's threads, however slow WeChat is; a flood of them would
leave none for the platform callbacks, which must answer within 5 s. So only
``login.max-concurrent-applet-logins`` wait at once in a process; one more is answered 503 ``busy`` at once,
before anything is queued (a non-blocking take of a bounded semaphore, never a wait for a free place).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

import falcon

from config import Settings
from config.settings import DEFAULT_ACCOUNT
from core.accounts import UnknownAccount
from core.login import AppletExchanges, ExchangeAnswer, Provider, QrSessions, QrStatus, WebLogins, WebStatus
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.enqueue import enqueue
from ingress.errors import ApiError
from models.users import BindingPlatform

LoginType = Literal["weChat", "weChatApplet", "weChatOpen", "weCom", "dingTalk"]

#: Permanent jscode2session errcodes with an answer of their own; other refusals are a 401 too.
BLOCKED_USER = 40226
#: Seconds a mini-program login refused for want of a free place is told to wait (a place frees as soon as
#: one waiting login has its answer).
BUSY_RETRY_AFTER = "1"


@dataclass(frozen=True)
class Identity:
    """A WeChat account proven by an auth code; ``qr_key`` is the QR key to use up, for ``weChat``."""

    login_type: str
    platform: BindingPlatform
    openid: str
    unionid: str | None = None
    qr_key: str | None = None
    #: The website sign-in's state to use up (and the browser's nonce), for ``weChatOpen``, ``weCom``, ``dingTalk``.
    web_state: str | None = None
    browser: str | None = None
    #: The Official Account or mini-program the openid belongs to (``third.accounts`` code).
    account: str = DEFAULT_ACCOUNT


_WEB_TYPES = {"weChatOpen": Provider.WECHAT_OPEN, "weCom": Provider.WECOM, "dingTalk": Provider.DINGTALK}
_LOGIN_TYPES = {provider: name for name, provider in _WEB_TYPES.items()}
#: The binding a website sign-in's account is looked up by.
_PLATFORMS = {Provider.WECHAT_OPEN: BindingPlatform.WECHAT_OPEN, Provider.WECOM: BindingPlatform.WECOM,
              Provider.DINGTALK: BindingPlatform.DINGTALK}


def _invalid_state() -> ApiError:
    return ApiError(falcon.HTTP_401, "the sign-in state is unknown, expired or already used: sign in again",
                    code="state_invalid")


def unknown_account(platform: str, code: str) -> ApiError:
    """The failure for an ``account`` no account of ``platform`` has: code ``unknown_account`` naming the field."""
    message = f"no {platform} account has the code '{code}'"
    return ApiError(falcon.HTTP_422, message, code="unknown_account",
                    details=[{"field": "account", "message": message, "type": "not_found", "account": code}])


def _invalid_key() -> ApiError:
    return ApiError(falcon.HTTP_401, "the QR key is unknown, expired or already used: apply for a new code",
                    code="invalid_auth_code")


class Identities:
    """Resolves auth codes for ``/token/login`` and ``/user/third/bind``."""

    def __init__(self, settings: Settings, runtime: Runtime, tasks: Tasks) -> None:
        self.settings = settings
        self.tasks = tasks
        self.accounts = runtime.accounts
        self.sessions = QrSessions(runtime.redis)
        self.exchanges = AppletExchanges(runtime.redis)
        self.web = WebLogins(runtime.redis, settings.login.web_login_seconds)
        self._waiting = threading.BoundedSemaphore(settings.login.max_concurrent_applet_logins)

    def resolve(self, login_type: str, auth_code: str, browser: str | None = None,
                account: str | None = None) -> Identity:
        """What ``auth_code`` proves; ``browser`` is the sign-in cookie's nonce (website sign-in only), ``account``
        the mini-program (``weChatApplet`` only: a QR key knows its account)."""
        if login_type == "weChat":
            return self._qr(auth_code)
        if login_type in _WEB_TYPES:
            return self._web(_WEB_TYPES[login_type], auth_code, browser)
        return self._applet(auth_code, account)

    def use(self, identity: Identity) -> None:
        """Use the QR key (or website sign-in state) up: one login each; 401 when another request was first."""
        if identity.qr_key is not None and not self.sessions.consume(identity.qr_key, identity.openid):
            raise _invalid_key()
        if identity.web_state is not None and self.web.consume(identity.web_state, identity.browser) is None:
            raise _invalid_state()

    def _web(self, provider: Provider, state: str, browser: str | None) -> Identity:
        status = self.web.status(state)
        if status in (WebStatus.NEW, WebStatus.EXCHANGING):
            raise ApiError(falcon.HTTP_409, "the sign-in is not finished: poll /token/web/status until 'ok'",
                           code="web_pending")
        if status is WebStatus.REFUSED:
            raise ApiError(falcon.HTTP_401, f"the provider refused the sign-in code ({self.web.reason(state)}); "
                           "sign in again", code="web_code_refused")
        account = self.web.peek(state, browser)
        if account is None or account.provider is not provider:
            if status is WebStatus.OK and account is None:
                raise ApiError(falcon.HTTP_403, "this sign-in was started in another browser: finish it there",
                               code="other_browser")
            raise _invalid_state()
        return Identity(_LOGIN_TYPES[provider], _PLATFORMS[provider], account.account, account.unionid, web_state=state,
                        browser=browser)

    def _qr(self, key: str) -> Identity:
        scan = self.sessions.scan_of(key)
        if scan is None:
            if self.sessions.status(key) is QrStatus.WAIT:
                raise ApiError(falcon.HTTP_409, "the QR code has not been scanned yet: poll getStatus until 'ok'",
                               code="not_scanned")
            raise _invalid_key()
        openid, account = scan
        return Identity("weChat", BindingPlatform.WECHAT, openid, qr_key=key, account=account)

    def _applet(self, code: str, account: str | None) -> Identity:
        try:
            applet = self.accounts.require("wechat-applet", account).settings
        except UnknownAccount as exc:
            raise unknown_account("wechat-applet", exc.code) from None
        if not applet.configured:
            raise ApiError(falcon.HTTP_422, "mini-program login is not configured: set third.wechat-applet.app-id "
                           "and app-secret", code="not_configured")
        account = account or DEFAULT_ACCOUNT
        wait = self.settings.login.applet_wait_seconds
        if not self._waiting.acquire(blocking=False):
            raise ApiError(falcon.HTTP_503, "too many mini-program logins are waiting for WeChat's answer; retry "
                           "shortly with the same code", code="busy", headers={"Retry-After": BUSY_RETRY_AFTER})
        try:
            exchange_id = self.exchanges.new_id()
            enqueue(self.tasks.exchange_applet_code, exchange_id, code, time.time() + wait, account)
            answer = self.exchanges.wait(exchange_id, wait)
        finally:
            self._waiting.release()
        if answer is None:
            raise ApiError(falcon.HTTP_503, f"WeChat's answer for the mini-program code took over {wait:g}s; "
                           "call wx.login again and retry", code="exchange_timeout", headers={"Retry-After": "1"})
        if not answer.ok:
            raise _refusal(answer)
        assert answer.openid is not None
        return Identity("weChatApplet", BindingPlatform.WECHAT_APPLET, answer.openid, answer.unionid,
                        account=account)


def _refusal(answer: ExchangeAnswer) -> ApiError:
    said = f"{answer.errcode} {answer.errmsg}" if answer.errcode is not None else answer.errmsg or "no openid"
    if answer.retry_later:
        return ApiError(falcon.HTTP_503, f"WeChat is busy ({said}); retry shortly with a new wx.login code",
                        code="platform_busy", headers={"Retry-After": "2"})
    if answer.errcode == BLOCKED_USER:
        return ApiError(falcon.HTTP_403, f"WeChat refused this user's login ({said})", code="user_blocked")
    return ApiError(falcon.HTTP_401, f"WeChat refused the mini-program code ({said}): a wx.login code works once "
                    "and for about 5 minutes; call wx.login again", code="applet_code_refused")
