"""Private templates and template messages.

Sending checks what WeChat checks: a known template (40037), a follower (43004), data of the right shape, and
for category templates the per-type value rules (47003 "argument invalid! data.thing1.value invalid"). Classic
templates accept missing keys (they render blank). A repeated ``client_msg_id`` for the same openid sends
nothing new and answers the first msgid.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.tokens import require_token

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.DATA\s*\}\}")
_TYPED_KEY = re.compile(r"^([a-z_]+?)(\d+)$")

#: Longest value, in characters, per category-template key type.
VALUE_LIMITS = {"thing": 20, "character_string": 32, "number": 32, "letter": 32, "symbol": 5,
                "amount": 32, "phrase": 5, "name": 10, "phone_number": 17, "car_number": 8, "const": 20,
                "time": 64, "date": 64}


def template_keys(content: str) -> list[str]:
    return _PLACEHOLDER.findall(content)


def _value_rule(key: str) -> int | None:
    """The length limit of a category-template key (``thing1`` -> 20), None for a classic key."""
    match = _TYPED_KEY.match(key)
    return VALUE_LIMITS.get(match.group(1)) if match else None


def check_data(template: dict[str, Any], data: Any) -> None:
    if not isinstance(data, dict):
        raise ErrcodeAnswer(47001, "data format error")
    for key, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str | int | float):
            raise ErrcodeAnswer(47003, f"argument invalid! data.{key}.value invalid")
    for key in template_keys(template["content"]):
        limit = _value_rule(key)
        if limit is None:
            continue
        value = str(data.get(key, {}).get("value", ""))
        if not value.strip():
            raise ErrcodeAnswer(47003, f"argument invalid! data.{key}.value is empty")
        if len(value) > limit:
            raise ErrcodeAnswer(47003, f"argument invalid! data.{key}.value invalid")


def get_all_private_template(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    return {"template_list": [copy.deepcopy(t) for t in state.wechat.templates.values()]}


def del_private_template(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    template_id = call.json_object().get("template_id")
    if state.wechat.templates.pop(template_id, None) is None:
        raise ErrcodeAnswer(40037, "invalid template_id")
    return {"errcode": 0, "errmsg": "ok"}


def send(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    body = call.json_object()
    openid = body.get("touser")
    if not isinstance(openid, str) or not openid:
        raise ErrcodeAnswer(40003, "invalid openid")
    template = state.wechat.templates.get(body.get("template_id"))
    if template is None:
        raise ErrcodeAnswer(40037, "invalid template_id")
    if openid in state.options.wechat_non_followers:
        raise ErrcodeAnswer(43004, "require subscribe")
    check_data(template, body.get("data"))
    mini = body.get("miniprogram")
    if mini is not None and not (isinstance(mini, dict) and mini.get("appid")):
        raise ErrcodeAnswer(40013, "invalid appid")
    client_msg_id = body.get("client_msg_id")
    if client_msg_id and (openid, client_msg_id) in state.wechat.client_msg_ids:
        return {"errcode": 0, "errmsg": "ok", "msgid": state.wechat.client_msg_ids[(openid, client_msg_id)]}
    state.wechat.next_msgid += 1
    msgid = state.wechat.next_msgid
    if client_msg_id:
        state.wechat.client_msg_ids[(openid, client_msg_id)] = msgid
    state.deliveries.record(time=state.now(), platform="wechat", channel="template", target=openid,
                            msgtype="template", message=copy.deepcopy(body), delivered=[openid])
    return {"errcode": 0, "errmsg": "ok", "msgid": msgid}
