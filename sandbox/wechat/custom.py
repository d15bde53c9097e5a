"""Customer-service messages and the 48-hour window.

WeChat takes a customer-service message only within 48 hours of the follower's last message to the account
(a message, a menu click, a scan, a follow): after that, 45015. The sandbox learns of a follower's messages from
``POST /_sandbox/wechat/interactions`` (``imbridge sandbox say`` and ``scan`` post there too), and its clock
(``/_sandbox/clock``) moves the window without waiting two days.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wechat.tokens import require_token

#: How long after a follower's last message the account may still write to them.
WINDOW_SECONDS = 48 * 3600

#: msgtype -> the fields its object must carry (WeChat answers 40003/40007/44002-style errors otherwise).
REQUIRED_FIELDS = {
    "text": ("content",), "image": ("media_id",), "voice": ("media_id",),
    "video": ("media_id", "thumb_media_id"), "music": ("musicurl", "hqmusicurl", "thumb_media_id"),
    "news": ("articles",), "mpnews": ("media_id",), "msgmenu": ("list",),
    "miniprogrampage": ("title", "appid", "pagepath", "thumb_media_id"),
}


def note_interaction(state: SandboxState, openid: str, at: float | None = None) -> None:
    """The follower wrote to the account at ``at`` (now by default): the window opens again."""
    state.wechat.interactions[openid] = state.now() if at is None else at


def _require_window(state: SandboxState, openid: Any) -> str:
    if not isinstance(openid, str) or not openid:
        raise ErrcodeAnswer(40003, "invalid openid")
    if openid in state.options.wechat_non_followers:
        raise ErrcodeAnswer(43004, "require subscribe")
    last = state.wechat.interactions.get(openid)
    if last is None or state.now() - last > WINDOW_SECONDS:
        raise ErrcodeAnswer(45015, "response out of time limit or subscription is canceled")
    return openid


def send(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    body = call.json_object()
    msgtype = body.get("msgtype")
    if msgtype not in REQUIRED_FIELDS:
        raise ErrcodeAnswer(40008, "invalid message type")
    content = body.get(msgtype)
    if not isinstance(content, dict):
        raise ErrcodeAnswer(44002, "empty post data")
    for name in REQUIRED_FIELDS[msgtype]:
        if content.get(name) in (None, "", []):
            raise ErrcodeAnswer(44003 if msgtype == "news" else 40007 if "media_id" in name else 44004,
                                f"invalid {msgtype}.{name}")
    if msgtype in ("image", "voice", "video") and state.media.find("wechat", content["media_id"], state.now()) is None \
            and content["media_id"] not in state.wechat.materials:
        raise ErrcodeAnswer(40007, "invalid media_id")
    if msgtype == "news" and (not isinstance(content["articles"], list) or len(content["articles"]) != 1):
        raise ErrcodeAnswer(45008, "article size out of limit")
    openid = _require_window(state, body.get("touser"))
    state.deliveries.record(time=state.now(), platform="wechat", channel="custom", target=openid,
                            msgtype=msgtype, message=copy.deepcopy(body), delivered=[openid])
    return {"errcode": 0, "errmsg": "ok"}


def typing(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    body = call.json_object()
    if body.get("command") not in ("Typing", "CancelTyping"):
        raise ErrcodeAnswer(40003, "invalid command")
    _require_window(state, body.get("touser"))
    return {"errcode": 0, "errmsg": "ok"}
