"""Subscription messages: the Official Account's ``bizsend``, the mini-program's ``send``, and their templates.

Which account a call is for comes from its token: the mini-program's (``third.wechat-applet``) lists and sends the
mini-program's templates, any other app the Official Account's. WeChat checks each value against its key's type
(``thing1`` <= 20 characters, ``time2`` a time...): 47003 otherwise; an openid in ``options.wechat_unsubscribed``
did not subscribe (or refused): 43101.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.templates import VALUE_LIMITS
from sandbox.wechat.tokens import require_token

_KEY = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.DATA\s*\}\}")
_TYPED = re.compile(r"^([a-z_]+?)(\d+)$")
_DATE = r"\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?"
_TIME = r"\d{1,2}:\d{2}(?::\d{2})?"
#: Formats per key type, beyond the length limit.
_FORMATS = {
    "time": re.compile(rf"^(?:(?:{_DATE}\s*)?{_TIME})(?:\s*~\s*(?:(?:{_DATE}\s*)?{_TIME}))?$"),
    "date": re.compile(rf"^(?:{_DATE}(?:\s*{_TIME})?)(?:\s*~\s*(?:{_DATE}(?:\s*{_TIME})?))?$"),
    "number": re.compile(r"^-?\d+(?:\.\d+)?$"),
    "letter": re.compile(r"^[A-Za-z]+$"),
    "amount": re.compile(r"^[¥￥$]?\d+(?:\.\d{1,2})?元?$"),
    "phone_number": re.compile(r"^[+\d][\d\-]*$"),
}


def _account(state: SandboxState, call: Call) -> str:
    """``applet`` or ``oa``: whose token the call carries."""
    return "applet" if state.credentials.is_applet(require_token(state, call)) else "oa"


def _templates(state: SandboxState, account: str) -> dict[str, dict[str, Any]]:
    return state.wechat.applet_subscribe_templates if account == "applet" else state.wechat.subscribe_templates


def gettemplate(state: SandboxState, call: Call) -> dict[str, Any]:
    """GET /wxaapi/newtmpl/gettemplate: the account's subscription templates."""
    account = _account(state, call)
    return {"errcode": 0, "errmsg": "ok", "data": [copy.deepcopy(t) for t in _templates(state, account).values()]}


def check_value(key: str, value: str) -> bool:
    match = _TYPED.match(key)
    kind = match.group(1) if match else None
    if kind is None:
        return True
    if not value.strip():
        return False
    limit = VALUE_LIMITS.get(kind)
    if limit is not None and len(value) > limit:
        return False
    pattern = _FORMATS.get(kind)
    return pattern is None or bool(pattern.match(value))


def _send(state: SandboxState, call: Call, account: str) -> dict[str, Any]:
    if _account(state, call) != account:
        raise ErrcodeAnswer(48001, "api unauthorized")
    body = call.json_object()
    openid = body.get("touser")
    if not isinstance(openid, str) or not openid:
        raise ErrcodeAnswer(40003, "invalid openid")
    template = _templates(state, account).get(body.get("template_id"))
    if template is None:
        raise ErrcodeAnswer(40037, "invalid template id")
    data = body.get("data")
    if not isinstance(data, dict):
        raise ErrcodeAnswer(47001, "data format error")
    for key in _KEY.findall(template["content"]):
        entry = data.get(key)
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(value, str) or not check_value(key, value):
            raise ErrcodeAnswer(47003, f"argument invalid! data.{key}.value invalid")
    if account == "applet" and body.get("miniprogram_state", "formal") not in ("developer", "trial", "formal"):
        raise ErrcodeAnswer(40003, "invalid miniprogram_state")
    mini = body.get("miniprogram")
    if mini is not None and not (isinstance(mini, dict) and mini.get("appid") and mini.get("pagepath")):
        raise ErrcodeAnswer(40013, "invalid appid")
    if openid in state.options.wechat_unsubscribed:
        raise ErrcodeAnswer(43101, "user refuse to accept the msg")
    state.deliveries.record(time=state.now(), platform="wechat", channel=f"{account}_subscribe", target=openid,
                            msgtype="subscribe", message=copy.deepcopy(body), delivered=[openid])
    return {"errcode": 0, "errmsg": "ok"}


def bizsend(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/message/subscribe/bizsend: the Official Account's subscription message."""
    return _send(state, call, "oa")


def send(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/message/subscribe/send: the mini-program's subscription message."""
    return _send(state, call, "applet")
