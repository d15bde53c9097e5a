"""Mini-program login: ``/sns/jscode2session``.

A ``wx.login`` code works once: the second exchange answers 40029, as does a code past its life. Codes can be
registered through the control API to pin the openid/unionid or to make them fail (40226 high-risk user); an
unregistered code is accepted once, with an openid derived from it. The session_key is random every time.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.tokens import check_app

_ERRMSGS = {40029: "invalid code", 40226: "high risk user", 45011: "api minute-quota reach limit",
            -1: "system error"}


def openid_for(code: str) -> str:
    """A stable, openid-looking (28 characters, starting with ``o``) id for an unregistered code."""
    digest = base64.urlsafe_b64encode(hashlib.sha1(code.encode()).digest()).decode()
    return "o" + digest[:27]


def jscode2session(state: SandboxState, call: Call) -> dict[str, Any]:
    app = check_app(state, call.param("appid"), call.param("secret"))
    if not state.credentials.is_applet(app):
        raise ErrcodeAnswer(40013, "invalid appid")
    if call.param("grant_type") != "authorization_code":
        raise ErrcodeAnswer(40002, "invalid grant_type")
    code = call.param("js_code")
    if not code:
        raise ErrcodeAnswer(41008, "missing code")
    registered = state.wechat.jscodes.get(code)
    if code in state.wechat.used_codes:
        raise ErrcodeAnswer(40029, "invalid code")
    if registered and registered.expires_at is not None and registered.expires_at <= state.now():
        raise ErrcodeAnswer(40029, "invalid code")
    state.wechat.used_codes.add(code)
    if registered and registered.errcode:
        raise ErrcodeAnswer(registered.errcode, _ERRMSGS.get(registered.errcode, "error"))
    answer: dict[str, Any] = {
        "openid": registered.openid if registered else openid_for(code),
        "session_key": base64.b64encode(secrets.token_bytes(16)).decode(),
    }
    if registered and registered.unionid:
        answer["unionid"] = registered.unionid
    return answer
