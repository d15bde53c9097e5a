"""Website sign-in with WeChat's open platform, WeCom web login and DingTalk: start, provider callback, and status.

* ``GET /token/{wechat-open|wecom|dingtalk}/authorize`` makes a state bound to this browser (the HttpOnly,
  SameSite=Lax cookie ``imbridge_signin`` holds a random nonce; Redis holds its hash, see :mod:`core.login.web`)
  and redirects to the provider's sign-in page;
* ``GET /token/{wechat-open|wecom|dingtalk}/callback?code=&state=`` (DingTalk names the code ``authCode``) is
  where the provider sends the browser back: the state is accepted once and only with that browser's cookie; the
  code goes to a worker (the ingress never calls a platform) and the browser gets a page that waits for the
  worker's answer, then logs in with ``POST /token/login?loginType=weChatOpen|weCom|dingTalk&authCode=<state>``;
* ``GET /token/web/status?state=&wait=N`` says ``wait``, ``ok``, ``refused`` or ``expired`` (long-polled as
  ``getStatus``, on the same watcher).

A refused callback changes nothing and shows why, in 简体中文 or English (``Accept-Language``).
"""

from __future__ import annotations

import html
import logging
import re
import time
from importlib import resources
from typing import Any
from urllib.parse import urlencode

import falcon

from config import Settings
from core.login import Claim, Provider, WebLogins, WebStatus
from core.runtime import Runtime
from core.tasks import Tasks
from ingress.auth import Open
from ingress.enqueue import enqueue
from ingress.errors import ApiError
from ingress.login.envelope import FAILURES, answer_schema, succeed
from ingress.login.guard import redis_available
from ingress.login.messages import Code, language, message
from ingress.login.watcher import StatusWatcher

log = logging.getLogger(f"imbridge.{__name__}")

#: The cookie that binds a sign-in to the browser that started it.
COOKIE = "imbridge_signin"
#: What ``/token/login`` takes as ``loginType`` for each provider.
LOGIN_TYPES = {Provider.WECHAT_OPEN: "weChatOpen", Provider.WECOM: "weCom", Provider.DINGTALK: "dingTalk"}
_NAMES = {Provider.WECHAT_OPEN: "third.wechat-open.app-id and app-secret",
          Provider.WECOM: "third.wecom.corp-id, corp-secret and agent-id",
          Provider.DINGTALK: "third.ding-talk.app-key and app-secret"}
#: The callback's query parameter that carries the code: DingTalk says ``authCode`` (``code`` is taken too).
_CODE_PARAMS: dict[Provider, tuple[str, ...]] = {Provider.DINGTALK: ("authCode", "code")}


def _configured(settings: Settings, provider: Provider) -> bool:
    third = settings.third
    if provider is Provider.WECHAT_OPEN:
        return third.wechat_open.configured
    if provider is Provider.DINGTALK:
        return third.ding_talk.configured
    return third.wecom.configured and third.wecom.agent_id is not None


def redirect_uri(settings: Settings, req: falcon.Request, provider: Provider) -> str:
    """Where the provider sends the browser back: ``login.public-url`` (else this request's origin) + callback."""
    base = settings.login.public_url.rstrip("/") or req.prefix
    return f"{base}/token/{provider.value}/callback"


def authorize_url(settings: Settings, provider: Provider, redirect: str, state: str) -> str:
    """The provider's sign-in page for ``state``."""
    if provider is Provider.WECHAT_OPEN:
        query = urlencode({"appid": settings.third.wechat_open.app_id, "redirect_uri": redirect,
                           "response_type": "code", "scope": "snsapi_login", "state": state})
        return f"{settings.third.wechat_open.authorize_url}?{query}#wechat_redirect"
    if provider is Provider.DINGTALK:
        ding = settings.third.ding_talk
        query = urlencode({"redirect_uri": redirect, "response_type": "code", "client_id": ding.app_key,
                           "scope": "openid", "state": state, "prompt": "consent"})
        return f"{ding.login_url}?{query}"
    wecom = settings.third.wecom
    query = urlencode({"login_type": "CorpApp", "appid": wecom.corp_id, "agentid": wecom.agent_id,
                       "redirect_uri": redirect, "state": state})
    return f"{wecom.login_url}?{query}"


def _page(resp: falcon.Response, status: str, body: str) -> None:
    resp.status = status
    resp.content_type = "text/html; charset=utf-8"
    resp.set_header("Cache-Control", "no-store")
    resp.set_header("Referrer-Policy", "no-referrer")
    resp.text = body


def _refusal_page(req: falcon.Request, resp: falcon.Response, status: str, code: Code) -> None:
    lang = language(req.get_header("Accept-Language"))
    text = html.escape(message(code, lang))
    again = "重新登录" if lang == "zh" else "Sign in again"
    _page(resp, status, f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta '
                        f'charset="utf-8"><title>{text}</title></head><body><p id="message" data-code="{code.value}">'
                        f'{text}</p><p><a href="/demo/qr-login">{again}</a></p></body></html>')


class WebAuthorize:
    """``GET /token/{provider}/authorize``: bind a new state to this browser, then off to the provider."""

    scope = Open.ANYONE

    def __init__(self, settings: Settings, runtime: Runtime, provider: Provider) -> None:
        self.settings = settings
        self.provider = provider
        self.logins = WebLogins(runtime.redis, settings.login.web_login_seconds)
        self.openapi: dict[str, Any] = {"get": {
            "summary": f"Start a website sign-in with {provider.value}: sets the HttpOnly cookie {COOKIE} and "
                       "redirects (302) to the provider's sign-in page",
            "security": [], "responses": {"302": "to the provider's sign-in page",
                                          "404": "this provider is not configured"}}}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        if not _configured(self.settings, self.provider):
            raise ApiError(falcon.HTTP_404, f"{self.provider.value} sign-in is not configured: set "
                           f"{_NAMES[self.provider]}", code="not_configured")
        with redis_available():
            state, nonce = self.logins.start(self.provider)
        redirect = redirect_uri(self.settings, req, self.provider)
        resp.set_cookie(COOKIE, nonce, max_age=self.settings.login.web_login_seconds, path="/",
                        secure=redirect.startswith("https://"), http_only=True, same_site="Lax")
        resp.set_header("Cache-Control", "no-store")
        raise falcon.HTTPFound(authorize_url(self.settings, self.provider, redirect, state),
                               headers={"Cache-Control": "no-store"})


class WebCallback:
    """``GET /token/{provider}/callback?code=&state=``: the provider sends the browser back here."""

    scope = Open.ANYONE

    def __init__(self, settings: Settings, runtime: Runtime, tasks: Tasks, provider: Provider) -> None:
        self.tasks = tasks
        self.provider = provider
        self.code_params = _CODE_PARAMS.get(provider, ("code",))
        self.logins = WebLogins(runtime.redis, settings.login.web_login_seconds)
        self.page = resources.files("ingress.login").joinpath("web_wait.html").read_text(encoding="utf-8")
        self.openapi: dict[str, Any] = {"get": {
            "summary": f"Where {provider.value} sends the browser back after sign-in: accepts the state once, "
                       f"from the browser that started it (cookie {COOKIE}), and answers a page that waits for "
                       "the code's exchange and then logs in",
            "security": [], "parameters": [
                {"name": self.code_params[0], "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "state", "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": "the waiting page (HTML)",
                          "400": "an unknown, forged, expired or used state, or no code (HTML, says which)",
                          "403": "the state was started in another browser (HTML)"}}}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        code = next((value for value in map(req.get_param, self.code_params) if value), "")
        state = req.get_param("state") or ""
        if not code:  # the provider sends the browser back without one when the person declines
            log.info("website sign-in callback (%s) without a code: declined (%s)", self.provider,
                     (req.get_param("error") or "no error given")[:100])
            _refusal_page(req, resp, falcon.HTTP_400, Code.WEB_SIGN_IN_DECLINED)
            return
        if len(code) > 512:
            _refusal_page(req, resp, falcon.HTTP_400, Code.WEB_CODE_REFUSED)
            return
        with redis_available():
            claim = self.logins.claim(self.provider, state, req.cookies.get(COOKIE))
            if claim is Claim.CLAIMED:
                enqueue(self.tasks.exchange_web_code, self.provider.value, state, code)
        if claim is Claim.OTHER_BROWSER:
            log.info("website sign-in callback (%s) refused: the state belongs to another browser", self.provider)
            _refusal_page(req, resp, falcon.HTTP_403, Code.OTHER_BROWSER)
        elif claim is not Claim.CLAIMED:
            log.info("website sign-in callback (%s) refused: %s state", self.provider, claim)
            _refusal_page(req, resp, falcon.HTTP_400, Code.STATE_INVALID)
        else:
            _page(resp, falcon.HTTP_200, self.page.replace("{{LOGIN_TYPE}}", LOGIN_TYPES[self.provider]))


_STATUS_ANSWER = answer_schema({"enum": ["wait", "ok", "refused", "expired"]})


class WebStatusResource:
    """``GET /token/web/status?state=&wait=N``: how a website sign-in stands."""

    scope = Open.ANYONE
    openapi: dict[str, Any] = {"get": {
        "summary": "wait | ok | refused | expired for a website sign-in's state (unknown and used ones are "
                   "expired); wait=N holds up to N seconds for a change",
        "security": [], "parameters": [
            {"name": "state", "in": "query", "required": True, "schema": {"type": "string"}},
            {"name": "wait", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 0, "maximum": 25}}],
        "responses": {"200": ("the status", _STATUS_ANSWER), **FAILURES}}}

    def __init__(self, settings: Settings, runtime: Runtime, watcher: StatusWatcher) -> None:
        self.max_wait = settings.login.web_login_wait_seconds
        self.logins = WebLogins(runtime.redis, settings.login.web_login_seconds)
        self.watcher = watcher

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        state = req.get_param("state")
        if not state:
            raise ApiError(falcon.HTTP_422, "state is required", code="validation_error",
                           details=[{"field": "state", "message": "required", "type": "missing"}])
        raw = req.get_param("wait") or "0"
        if not re.fullmatch(r"[0-9]{1,2}", raw) or int(raw) > 25:
            raise ApiError(falcon.HTTP_422, "wait must be a whole number of seconds from 0 to 25",
                           code="validation_error", details=[{"field": "wait", "message": "0 to 25", "type": "range"}])
        wait = min(int(raw), self.max_wait)
        with redis_available():
            status = self.logins.status(state)
            if wait > 0 and status in (WebStatus.NEW, WebStatus.EXCHANGING):
                with self.watcher.slot() as held:
                    if held:
                        status = self._hold(state, wait)
                    else:
                        resp.set_header("Retry-After", "1")
        succeed(resp, "wait" if status in (WebStatus.NEW, WebStatus.EXCHANGING) else status.value)

    def _hold(self, state: str, wait: float) -> WebStatus:
        deadline = time.monotonic() + wait
        with self.watcher.watching(state) as changed:
            status, ttl = self.logins.status_and_ttl(state)
            while status in (WebStatus.NEW, WebStatus.EXCHANGING):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                changed.wait(min(left, ttl + 0.05))
                changed.clear()
                status, ttl = self.logins.status_and_ttl(state)
        return status
