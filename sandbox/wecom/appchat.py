"""WeCom app chats: ``/cgi-bin/appchat/create`` and ``/cgi-bin/appchat/send``.

A chat has 2 to 2000 members (``userlist``), its owner among them (the first member when none is named); its
``chatid`` is the caller's (1 to 32 letters and digits) or a generated one, and a taken id is refused. Only a
chat the app created can be posted to (86003 otherwise); the message is checked like an app message, and
``agentid`` is not part of it.
"""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wecom.messages import check_content
from sandbox.wecom.tokens import require_token

#: msgtypes a chat takes (no template_card).
CHAT_TYPES = ("text", "image", "voice", "video", "file", "textcard", "news", "mpnews", "markdown")
_CHATID = re.compile(r"[0-9A-Za-z]{1,32}")


def create(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    body = call.json_object()
    users = body.get("userlist")
    if not isinstance(users, list) or not all(isinstance(u, str) and u for u in users):
        raise ErrcodeAnswer(86004, "invalid userlist")
    users = list(dict.fromkeys(users))
    if not 2 <= len(users) <= 2000:
        raise ErrcodeAnswer(86004, "invalid userlist: a chat has 2 to 2000 members")
    invalid = [u for u in users if u in state.options.wecom_invalid_users]
    if invalid:
        raise ErrcodeAnswer(86004, f"invalid userlist: {','.join(invalid)}")
    owner = body.get("owner") or users[0]
    if owner not in users:
        raise ErrcodeAnswer(86005, "invalid owner: not a member")
    chatid = body.get("chatid") or secrets.token_hex(8)
    if not isinstance(chatid, str) or not _CHATID.fullmatch(chatid):
        raise ErrcodeAnswer(86001, "invalid chatid")
    if chatid in state.wecom.chats:
        raise ErrcodeAnswer(86215, "chatid already exists")
    state.wecom.chats[chatid] = users
    return {"errcode": 0, "errmsg": "ok", "chatid": chatid}


def send(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    body = call.json_object()
    chatid = body.get("chatid")
    if not isinstance(chatid, str) or not chatid:
        raise ErrcodeAnswer(86001, "invalid chatid")
    members = state.wecom.chats.get(chatid)
    if members is None:
        raise ErrcodeAnswer(86003, "chat not exists")
    msgtype = body.get("msgtype")
    if msgtype not in CHAT_TYPES:
        raise ErrcodeAnswer(40008, "invalid message type")
    check_content(state, msgtype, body.get(msgtype))
    state.deliveries.record(time=state.now(), platform="wecom", channel="appchat", target=chatid, msgtype=msgtype,
                            message=copy.deepcopy(body.get(msgtype)), delivered=list(members))
    return {"errcode": 0, "errmsg": "ok"}
