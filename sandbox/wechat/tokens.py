"""WeChat access tokens: classic ``/cgi-bin/token`` and ``/cgi-bin/stable_token``."""

from __future__ import annotations

from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState


def check_app(state: SandboxState, appid: Any, secret: Any) -> str:
    """The appid when appid and secret are right; otherwise WeChat's 41002/41004/40013/40125."""
    if not appid:
        raise ErrcodeAnswer(41002, "appid missing")
    if not secret:
        raise ErrcodeAnswer(41004, "appsecret missing")
    known = state.credentials.wechat_apps
    if appid not in known:
        raise ErrcodeAnswer(40013, "invalid appid")
    if known[appid] != secret:
        raise ErrcodeAnswer(40125, "invalid appsecret")
    return str(appid)


def require_token(state: SandboxState, call: Call) -> str:
    """The app that owns the call's ``access_token`` (41001/40001/42001 otherwise)."""
    return state.tokens.check("wechat", call.param("access_token")).app


def classic_token(state: SandboxState, call: Call) -> dict[str, Any]:
    """GET /cgi-bin/token: a new token each time; the previous one dies after the grace period."""
    if call.param("grant_type") != "client_credential":
        raise ErrcodeAnswer(40002, "invalid grant_type")
    app = check_app(state, call.param("appid"), call.param("secret"))
    options = state.options
    token, expires_in = state.tokens.issue_classic(
        "wechat", app, options.token_lifetime_seconds, options.classic_grace_seconds)
    return {"access_token": token, "expires_in": expires_in}


def stable_token(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/stable_token: the same token for its life unless force_refresh (rationed)."""
    body = call.json_object()
    if body.get("grant_type") != "client_credential":
        raise ErrcodeAnswer(40002, "invalid grant_type")
    app = check_app(state, body.get("appid"), body.get("secret"))
    options = state.options
    if body.get("force_refresh") is True:
        token, expires_in = state.tokens.force_refresh_stable(
            app, options.token_lifetime_seconds, options.stable_force_refresh_per_day,
            options.stable_force_refresh_interval_seconds)
    else:
        token, expires_in = state.tokens.issue_stable(
            app, options.token_lifetime_seconds, options.stable_overlap_seconds)
    return {"access_token": token, "expires_in": expires_in}
