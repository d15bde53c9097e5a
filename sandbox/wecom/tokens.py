"""WeCom ``/cgi-bin/gettoken``: the same token until it expires."""

from __future__ import annotations

from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState


def gettoken(state: SandboxState, call: Call) -> dict[str, Any]:
    corpid, secret = call.param("corpid"), call.param("corpsecret")
    creds = state.credentials
    if not corpid:
        raise ErrcodeAnswer(41002, "corpid missing")
    if not secret:
        raise ErrcodeAnswer(41004, "corpsecret missing")
    if not creds.wecom_corp_known(corpid):
        raise ErrcodeAnswer(40013, "invalid corpid")
    app = creds.wecom_app(corpid, secret)
    if app is None:
        raise ErrcodeAnswer(40001, "invalid credential")
    token, expires_in = state.tokens.issue_reusable(
        "wecom", app, state.options.token_lifetime_seconds, extend=False)
    return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": expires_in}


def require_token(state: SandboxState, call: Call) -> str:
    return state.tokens.check("wecom", call.param("access_token")).app
