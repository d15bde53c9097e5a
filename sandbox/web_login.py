"""Website sign-in, faked: each provider's sign-in page and the endpoints that exchange its codes.

* WeChat's open platform: ``/wechat-open/connect/qrconnect`` (the page ``open.weixin.qq.com`` shows), then
  ``/wechat/sns/oauth2/access_token`` and ``/wechat/sns/userinfo``;
* WeCom web login: ``/wecom-login/wwlogin/sso/login`` (``login.work.weixin.qq.com``), then
  ``/wecom/cgi-bin/auth/getuserinfo``.

The page stands for the phone: it offers "approve as <user>", which redirects the browser back to the
``redirect_uri`` with a code and the ``state`` it was given. A code works once and for 5 minutes (a second use:
40163 on WeChat, 40029 on WeCom; unknown or old: 40029), and only for the app it was made for. The same user
has one unionid across the open platform's apps; :func:`open_identity` says which ids a user gets.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

import falcon

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.web_login_store import SignInCode, WebLoginStore
from sandbox.wechat.tokens import check_app
from sandbox.wecom.tokens import require_token as require_wecom_token

#: A code's life, as the real platforms give it.
CODE_SECONDS = 300
#: The user's access token (WeChat open platform) lives this long.
USER_TOKEN_SECONDS = 7200


def _store(state: SandboxState) -> WebLoginStore:
    return state.web_logins


def _digest(*parts: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha1("/".join(parts).encode()).digest()).decode()


def open_identity(app_id: str, user: str) -> tuple[str, str]:
    """The ``(openid, unionid)`` the fake open platform gives ``user`` in the website app ``app_id``."""
    return "o" + _digest(app_id, user)[:27], "u" + _digest("union", user)[:27]


def _page(resp: falcon.Response, body: str, status: str = falcon.HTTP_200) -> None:
    resp.status = status
    resp.content_type = "text/html; charset=utf-8"
    resp.text = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>sandbox</title></head><body>{body}' \
                '</body></html>'


def _redirect_ok(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class SignInPage:
    """The provider's sign-in page (GET) and its "approve as" link (GET ``.../approve``)."""

    def __init__(self, state: SandboxState, provider: str) -> None:
        self.state = state
        self.provider = provider

    def _check(self, req: falcon.Request) -> str | None:
        """What is wrong with the request, as the provider's page would say it; None when nothing is."""
        creds = self.state.credentials
        if self.provider == "wechat-open":
            if req.get_param("appid") != creds.open_app_id or not creds.open_app_id:
                return "appid 参数错误 / invalid appid"
            if req.get_param("scope") != "snsapi_login":
                return "scope 参数错误 / invalid scope"
            if req.get_param("response_type") != "code":
                return "response_type 参数错误 / invalid response_type"
        else:
            if req.get_param("appid") != creds.wecom_corp_id or req.get_param("login_type") != "CorpApp":
                return "appid 或 login_type 参数错误 / invalid appid or login_type"
            if req.get_param("agentid") != str(creds.wecom_agent_id):
                return "agentid 参数错误 / invalid agentid"
        if not _redirect_ok(req.get_param("redirect_uri") or ""):
            return "redirect_uri 参数错误 / invalid redirect_uri"
        return None

    def on_get(self, req: falcon.Request, resp: falcon.Response, action: str | None = None) -> None:
        problem = self._check(req)
        if problem:
            _page(resp, f"<p id='error'>{html.escape(problem)}</p>", falcon.HTTP_400)
            return
        if action == "approve":
            self._approve(req, resp)
            return
        query = {name: req.get_param(name) or "" for name in ("appid", "agentid", "login_type", "scope",
                                                              "response_type", "redirect_uri", "state")}
        base = req.path.rstrip("/") + "/approve?"
        links = "".join(f'<li><a class="approve" href="{html.escape(base + urlencode({**query, "user": user}))}">'
                        f"approve as {user} / 以 {user} 身份确认</a></li>" for user in ("alice", "bob"))
        hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                         for name, value in query.items())
        form = (f'<form method="get" action="{html.escape(base[:-1])}">{hidden}<input name="user" required '
                'placeholder="user / 用户"><button>approve / 确认</button></form>')
        _page(resp, f"<h1>sandbox {self.provider} sign-in / 沙箱登录</h1><ul>{links}</ul>{form}")

    def _approve(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = (req.get_param("user") or "").strip()[:64]
        if not user:
            _page(resp, "<p id='error'>user 参数缺失 / user missing</p>", falcon.HTTP_400)
            return
        code = secrets.token_urlsafe(24)
        app = req.get_param("appid") or ""
        with self.state.lock:
            if self.provider == "wechat-open":
                openid, unionid = open_identity(app, user)
                entry = SignInCode(app, openid, unionid, self.state.now() + CODE_SECONDS)
            else:
                entry = SignInCode(app, user, None, self.state.now() + CODE_SECONDS)
            _store(self.state).codes[code] = entry
        target = req.get_param("redirect_uri") or ""
        separator = "&" if "?" in target else "?"
        raise falcon.HTTPFound(f"{target}{separator}{urlencode({'code': code, 'state': req.get_param('state') or ''})}")


def _take_code(state: SandboxState, app: str, code: str | None, used_errcode: int) -> SignInCode:
    store = _store(state)
    if not code:
        raise ErrcodeAnswer(41008, "missing code")
    if code in store.used:
        raise ErrcodeAnswer(used_errcode, "code been used" if used_errcode == 40163 else "invalid code")
    entry = store.codes.get(code)
    if entry is None or entry.app != app or entry.expires_at <= state.now():
        raise ErrcodeAnswer(40029, "invalid code")
    store.used.add(code)
    del store.codes[code]
    return entry


def oauth2_access_token(state: SandboxState, call: Call) -> dict[str, Any]:
    """``GET /sns/oauth2/access_token`` of a website app."""
    app = check_app(state, call.param("appid"), call.param("secret"))
    if app != state.credentials.open_app_id:
        raise ErrcodeAnswer(40013, "invalid appid")
    if call.param("grant_type") != "authorization_code":
        raise ErrcodeAnswer(40002, "invalid grant_type")
    entry = _take_code(state, app, call.param("code"), 40163)
    token = secrets.token_urlsafe(32)
    _store(state).user_tokens[token] = (entry.account, entry.unionid, state.now() + USER_TOKEN_SECONDS)
    answer = {"access_token": token, "expires_in": USER_TOKEN_SECONDS, "refresh_token": secrets.token_urlsafe(32),
              "openid": entry.account, "scope": "snsapi_login"}
    if entry.unionid:
        answer["unionid"] = entry.unionid
    return answer


def userinfo(state: SandboxState, call: Call) -> dict[str, Any]:
    """``GET /sns/userinfo`` with the user's access token."""
    held = _store(state).user_tokens.get(call.param("access_token") or "")
    if held is None or held[2] <= state.now():
        raise ErrcodeAnswer(40001, "invalid credential, access_token is invalid or not latest")
    openid, unionid, _ = held
    if call.param("openid") != openid:
        raise ErrcodeAnswer(40003, "invalid openid")
    answer: dict[str, Any] = {"openid": openid, "nickname": "sandbox user", "sex": 0, "province": "", "city": "",
                              "country": "", "headimgurl": "", "privilege": []}
    if unionid:
        answer["unionid"] = unionid
    return answer


def wecom_getuserinfo(state: SandboxState, call: Call) -> dict[str, Any]:
    """``GET /cgi-bin/auth/getuserinfo``: a web-login code's member."""
    corp = require_wecom_token(state, call)
    entry = _take_code(state, corp, call.param("code"), 40029)
    return {"errcode": 0, "errmsg": "ok", "userid": entry.account}


def add_sign_in_pages(app: falcon.App, state: SandboxState) -> None:
    for provider, path in (("wechat-open", "/wechat-open/connect/qrconnect"),
                           ("wecom", "/wecom-login/wwlogin/sso/login")):
        page = SignInPage(state, provider)
        app.add_route(path, page)
        app.add_route(path + "/{action}", page)
