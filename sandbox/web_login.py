"""Website sign-in, faked: each provider's sign-in page and the endpoints that exchange its codes.

* WeChat's open platform: ``/wechat-open/connect/qrconnect`` (the page ``open.weixin.qq.com`` shows), then
  ``/wechat/sns/oauth2/access_token`` and ``/wechat/sns/userinfo``;
* WeCom web login: ``/wecom-login/wwlogin/sso/login`` (``login.work.weixin.qq.com``), then
  ``/wecom/cgi-bin/auth/getuserinfo``;
* DingTalk: ``/dingtalk-login/oauth2/auth`` (``login.dingtalk.com``), then the v1.0 API's
  ``/dingtalk/v1.0/oauth2/userAccessToken`` and ``/dingtalk/v1.0/contact/users/me``.

The page stands for the phone: it offers "approve as <user>", which redirects the browser back to the
``redirect_uri`` with a code (DingTalk names it ``authCode``) and the ``state`` it was given. A code works once
and for 5 minutes (a second use: 40163 on WeChat, 40029 on WeCom; unknown or old: 40029; DingTalk: HTTP 400
``invalidParameter.authCode.notFound`` for all three), and only for the app it was made for. The same user has one
unionid across the open platform's apps (one unionId across DingTalk's); :func:`open_identity` and
:func:`dingtalk_identity` say which ids a user gets.
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
from sandbox.errors import CodeAnswer, ErrcodeAnswer
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


def dingtalk_identity(app_key: str, user: str) -> tuple[str, str]:
    """The ``(openId, unionId)`` the fake DingTalk gives ``user`` signing in to the app ``app_key``."""
    def hexed(*parts: str) -> str:
        return hashlib.sha1("/".join(parts).encode()).hexdigest()[:24]
    return hexed("dingtalk", app_key, user), hexed("dingtalk-union", user)


#: The organisation a DingTalk sign-in with the ``corpid`` scope picks (the user's only one, here).
DINGTALK_CORP_ID = "dingsandbox0000000000000000000001"
#: What each sign-in page takes (and passes on to its "approve as" links).
_QUERY = {"wechat-open": ("appid", "scope", "response_type", "redirect_uri", "state"),
          "wecom": ("appid", "agentid", "login_type", "redirect_uri", "state"),
          "dingtalk": ("client_id", "scope", "response_type", "prompt", "redirect_uri", "state")}


def _page(resp: falcon.Response, body: str, status: str = falcon.HTTP_200) -> None:
    resp.status = status
    resp.content_type = "text/html; charset=utf-8"
    resp.text = f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>sandbox</title></head><body>{body}' \
                '</body></html>'


def _redirect_ok(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _dingtalk_problem(req: falcon.Request, app_key: str | None) -> str | None:
    """What ``login.dingtalk.com/oauth2/auth`` would refuse in the request; None when nothing."""
    if not app_key or req.get_param("client_id") != app_key:
        return "client_id 参数错误 / invalid client_id"
    if req.get_param("response_type") != "code":
        return "response_type 参数错误 / invalid response_type"
    scopes = (req.get_param("scope") or "").split()
    if "openid" not in scopes or not set(scopes) <= {"openid", "corpid"}:
        return "scope 参数错误 (openid, openid corpid) / invalid scope"
    if req.get_param("prompt") != "consent":
        return "prompt 参数错误 / invalid prompt"
    return None


class SignInPage:
    """The provider's sign-in page (GET) and its "approve as" link (GET ``.../approve``)."""

    def __init__(self, state: SandboxState, provider: str) -> None:
        self.state = state
        self.provider = provider

    def _check(self, req: falcon.Request) -> str | None:
        """What is wrong with the request, as the provider's page would say it; None when nothing is."""
        creds = self.state.credentials
        if self.provider == "dingtalk":
            problem = _dingtalk_problem(req, creds.dingtalk_app_key)
            if problem:
                return problem
        elif self.provider == "wechat-open":
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
        query = {name: req.get_param(name) or "" for name in _QUERY[self.provider]}
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
        app = req.get_param("client_id" if self.provider == "dingtalk" else "appid") or ""
        with self.state.lock:
            if self.provider == "wechat-open":
                openid, unionid = open_identity(app, user)
                entry = SignInCode(app, openid, unionid, self.state.now() + CODE_SECONDS)
            elif self.provider == "dingtalk":
                openid, unionid = dingtalk_identity(app, user)
                corp = DINGTALK_CORP_ID if "corpid" in (req.get_param("scope") or "").split() else None
                entry = SignInCode(app, openid, unionid, self.state.now() + CODE_SECONDS, nick=user, corp_id=corp)
            else:
                entry = SignInCode(app, user, None, self.state.now() + CODE_SECONDS)
            _store(self.state).codes[code] = entry
        target = req.get_param("redirect_uri") or ""
        separator = "&" if "?" in target else "?"
        name = "authCode" if self.provider == "dingtalk" else "code"
        raise falcon.HTTPFound(f"{target}{separator}{urlencode({name: code, 'state': req.get_param('state') or ''})}")


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


def _ding_body(call: Call) -> dict[str, Any]:
    if not isinstance(call.body.json, dict):
        raise CodeAnswer(400, "InvalidParameter", "请求体必须是 JSON 对象 / the body must be a JSON object")
    return call.body.json


def dingtalk_user_token(state: SandboxState, call: Call) -> dict[str, Any]:
    """``POST /v1.0/oauth2/userAccessToken {clientId, clientSecret, code, grantType}``: an ``authCode`` for the
    user's token. Only ``grantType: authorization_code`` is faked (a ``refresh_token`` grant is refused)."""
    body, creds = _ding_body(call), state.credentials
    for name in ("clientId", "clientSecret", "code", "grantType"):
        if not isinstance(body.get(name), str) or not body[name]:
            raise CodeAnswer(400, "MissingParameter", f"缺少参数 {name}")
    if body["grantType"] != "authorization_code":
        raise CodeAnswer(400, "InvalidParameter.GrantType", "grantType 不合法 (sandbox: authorization_code only)")
    if body["clientId"] != creds.dingtalk_app_key or body["clientSecret"] != creds.dingtalk_app_secret:
        raise CodeAnswer(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
    try:
        entry = _take_code(state, body["clientId"], body["code"], 40029)
    except ErrcodeAnswer:
        raise CodeAnswer(400, "invalidParameter.authCode.notFound", "不合法的临时授权码") from None
    token = secrets.token_hex(16)
    _store(state).dingtalk_tokens[token] = (entry, state.now() + USER_TOKEN_SECONDS)
    answer: dict[str, Any] = {"accessToken": token, "refreshToken": secrets.token_hex(16),
                              "expireIn": USER_TOKEN_SECONDS}
    if entry.corp_id:
        answer["corpId"] = entry.corp_id
    return answer


def dingtalk_users_me(state: SandboxState, call: Call) -> dict[str, Any]:
    """``GET /v1.0/contact/users/me`` with the *user's* token in ``x-acs-dingtalk-access-token`` (an app token is
    no user's). ``mobile``/``stateCode``/``email`` need permissions the fake app lacks, so they are absent."""
    token = call.header("x-acs-dingtalk-access-token")
    if not token:
        raise CodeAnswer(401, "MissingAuthentication", "缺少 x-acs-dingtalk-access-token")
    held = _store(state).dingtalk_tokens.get(token)
    if held is None or held[1] <= state.now():
        raise CodeAnswer(401, "InvalidAuthentication", "不合法的access_token")
    entry = held[0]
    return {"nick": entry.nick, "unionId": entry.unionid, "openId": entry.account, "avatarUrl": ""}


def add_sign_in_pages(app: falcon.App, state: SandboxState) -> None:
    for provider, path in (("wechat-open", "/wechat-open/connect/qrconnect"),
                           ("wecom", "/wecom-login/wwlogin/sso/login"),
                           ("dingtalk", "/dingtalk-login/oauth2/auth")):
        page = SignInPage(state, provider)
        app.add_route(path, page)
        app.add_route(path + "/{action}", page)
