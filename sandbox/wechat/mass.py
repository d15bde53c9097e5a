"""Mass sends: to every follower, a tag's, or a list of openids; read back and deleted.

The sandbox checks what WeChat checks: a message type it knows with its field (40008, 44002-style), a tag that
exists (40050), 2..10000 openids (40130), and a ``clientmsgid`` used once (45065 "clientmsgid exist" the second
time, nothing sent; the answer carries the first send's ``msg_id``, as WeChat's does). Every send is recorded in
``/_sandbox/deliveries`` with the followers it reached.

A little later (``wechat_mass_report_delay_seconds``) the sandbox posts the ``MASSSENDJOBFINISH`` event to the
account's server URL, as WeChat does (:mod:`sandbox.pushes`): TotalCount the audience (a tag's members, the openid
list, every follower the sandbox knows), FilterCount those that follow the account, SentCount those reached.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.followers import listed_followers
from sandbox.wechat.tokens import require_token

#: msgtype -> the field its object must carry.
REQUIRED_FIELD = {"mpnews": "media_id", "text": "content", "voice": "media_id", "image": "media_id",
                  "mpvideo": "media_id", "wxcard": "card_id"}
MAX_OPENIDS = 10000


def _message(state: SandboxState, body: dict[str, Any]) -> str:
    msgtype = body.get("msgtype")
    if msgtype not in REQUIRED_FIELD:
        raise ErrcodeAnswer(40008, "invalid message type")
    content = body.get(msgtype)
    if not isinstance(content, dict):
        raise ErrcodeAnswer(44002, "empty post data")
    value = content.get(REQUIRED_FIELD[msgtype])
    if not isinstance(value, str) or not value.strip():
        raise ErrcodeAnswer(44004 if msgtype == "text" else 40007, f"invalid {msgtype}.{REQUIRED_FIELD[msgtype]}")
    if msgtype == "mpnews" and value not in state.wechat.materials and value not in state.wechat.drafts:
        raise ErrcodeAnswer(40007, "invalid media_id")
    return msgtype


#: The FromUserName of WeChat's mass-send reports: the account's mass-send assistant, not a follower.
MASS_HELPER = "mphelper"


def _known_followers(state: SandboxState) -> list[str]:
    """Everyone the follower list names (tag members, remarks, who wrote to it, ``options.wechat_followers``): "all"."""
    return listed_followers(state)


def _report_later(state: SandboxState, msg_id: int, total: int, reached: list[str]) -> None:
    """Post the send's MASSSENDJOBFINISH event to the account's server once the "job" is done."""
    state.pushes.wechat_event(state.options.wechat_server_url, state.options.wechat_mass_report_delay_seconds,
                              "MASSSENDJOBFINISH", MASS_HELPER, MsgID=msg_id, Status="send success",
                              TotalCount=total, FilterCount=len(reached), SentCount=len(reached), ErrorCount=0)


def _record(state: SandboxState, body: dict[str, Any], msgtype: str, target: str, reached: list[str],
            total: int) -> dict[str, Any]:
    clientmsgid = body.get("clientmsgid")
    if clientmsgid and clientmsgid in state.wechat.mass_clientmsgids:  # the answer names the send that went out
        raise ErrcodeAnswer(45065, "clientmsgid exist", msg_id=state.wechat.mass_clientmsgids[clientmsgid])
    state.wechat.next_msgid += 1
    msg_id = state.wechat.next_msgid
    if clientmsgid:
        state.wechat.mass_clientmsgids[clientmsgid] = msg_id
    state.wechat.mass_sends[msg_id] = {"msg_id": msg_id, "msg_status": "SEND_SUCCESS", "target": target,
                                       "sent": len(reached), "total": total}
    state.deliveries.record(time=state.now(), platform="wechat", channel="mass", target=target, msgtype=msgtype,
                            message=copy.deepcopy(body), delivered=reached)
    _report_later(state, msg_id, total, reached)
    answer: dict[str, Any] = {"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id}
    if msgtype in ("mpnews", "mpvideo"):
        answer["msg_data_id"] = msg_id * 10 + 1
    return answer


def sendall(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/message/mass/sendall: to every follower (``is_to_all``) or to one tag's."""
    require_token(state, call)
    body = call.json_object()
    audience = body.get("filter")
    if not isinstance(audience, dict) or not isinstance(audience.get("is_to_all"), bool):
        raise ErrcodeAnswer(40097, "invalid args: filter.is_to_all")
    msgtype = _message(state, body)
    if audience["is_to_all"]:
        everyone = _known_followers(state)
        return _record(state, body, msgtype, "all", everyone, len(everyone))
    tag_id = audience.get("tag_id")
    if not isinstance(tag_id, int) or tag_id not in state.wechat.tags:
        raise ErrcodeAnswer(40050, "invalid tag id")
    members = sorted(state.wechat.tag_members.get(tag_id, set()))
    return _record(state, body, msgtype, f"tag:{tag_id}", members, len(members))


def send(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/message/mass/send: to 2..10000 openids."""
    require_token(state, call)
    body = call.json_object()
    touser = body.get("touser")
    if not isinstance(touser, list) or not all(isinstance(o, str) and o for o in touser):
        raise ErrcodeAnswer(40003, "invalid openid")
    if not 2 <= len(touser) <= MAX_OPENIDS:
        raise ErrcodeAnswer(40130, "invalid openid list size, at least two openid")
    msgtype = _message(state, body)
    reached = [o for o in touser if o not in state.options.wechat_non_followers]
    return _record(state, body, msgtype, f"openids:{len(touser)}", reached, len(touser))


def _known(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    msg_id = call.json_object().get("msg_id")
    sent = state.wechat.mass_sends.get(msg_id) if isinstance(msg_id, int) else None
    if sent is None:
        raise ErrcodeAnswer(40097, "invalid args: msg_id")
    return sent


def get(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/message/mass/get: ``{msg_id, msg_status}``."""
    sent = _known(state, call)
    return {"msg_id": sent["msg_id"], "msg_status": sent["msg_status"]}


def delete(state: SandboxState, call: Call) -> dict[str, Any]:
    """POST /cgi-bin/message/mass/delete: the send's articles are hidden; its status becomes DELETE."""
    _known(state, call)["msg_status"] = "DELETE"
    return {"errcode": 0, "errmsg": "ok"}
