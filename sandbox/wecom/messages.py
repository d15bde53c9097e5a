"""WeCom app messages: ``/cgi-bin/message/send`` and ``/cgi-bin/message/recall``.

The unpleasant part is the answer to a partly wrong recipient list: errcode 0 with ``invaliduser`` /
``invalidparty`` / ``invalidtag`` naming who was skipped (81013 only when nobody is left). Messages to a member
beyond the per-minute rate are dropped without a word; only the deliveries log shows it.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState
from sandbox.wecom.tokens import require_token

#: msgtype -> fields its body must carry.
REQUIRED = {"text": ("content",), "image": ("media_id",), "voice": ("media_id",), "video": ("media_id",),
            "file": ("media_id",), "textcard": ("title", "description", "url"), "news": ("articles",),
            "mpnews": ("articles",), "markdown": ("content",), "template_card": ("card_type",)}
MEDIA_TYPES = {"image", "voice", "video", "file"}
CONTENT_LIMIT = 2048
MAX_USERS, MAX_PARTIES, MAX_TAGS = 1000, 100, 100


def _split(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if not isinstance(value, str):
        raise ErrcodeAnswer(40058, "invalid Request Parameter: recipients must be a '|' separated string")
    return [v for v in value.split("|") if v]


def check_content(state: SandboxState, msgtype: str, content: Any) -> None:
    if not isinstance(content, dict):
        raise ErrcodeAnswer(41011 if msgtype == "text" else 40058, f"missing {msgtype}")
    for name in REQUIRED[msgtype]:
        if not content.get(name):
            raise ErrcodeAnswer(44004 if name == "content" else 40058, f"{msgtype}.{name} missing or empty")
    if msgtype in ("text", "markdown") and len(str(content["content"]).encode()) > CONTENT_LIMIT:
        raise ErrcodeAnswer(45002, "content size out of limit")
    if msgtype in MEDIA_TYPES and state.media.find("wecom", content["media_id"], state.now(), "app") is None:
        raise ErrcodeAnswer(40007, "invalid media_id")
    if msgtype in ("news", "mpnews"):
        articles = content["articles"]
        if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
            raise ErrcodeAnswer(45008, "article size out of limit")


def send(state: SandboxState, call: Call) -> dict[str, Any]:
    app = require_token(state, call)
    body = call.json_object()
    options = state.options
    if str(body.get("agentid", "")) != state.credentials.wecom_agent(app):
        raise ErrcodeAnswer(40056, "invalid agentid")
    msgtype = body.get("msgtype")
    if msgtype not in REQUIRED:
        raise ErrcodeAnswer(40008, "invalid message type")
    check_content(state, msgtype, body.get(msgtype))
    users, parties, tags = _split(body.get("touser")), _split(body.get("toparty")), _split(body.get("totag"))
    if len(users) > MAX_USERS or len(parties) > MAX_PARTIES or len(tags) > MAX_TAGS:
        raise ErrcodeAnswer(40031, "invalid user list: too many recipients")
    to_all = users == ["@all"]
    bad_users = [] if to_all else [u for u in users if u in options.wecom_invalid_users]
    bad_parties = [p for p in parties if p in options.wecom_invalid_parties]
    bad_tags = [t for t in tags if t in options.wecom_invalid_tags]
    good_users = users if to_all else [u for u in users if u not in bad_users]
    if not (good_users or len(bad_parties) < len(parties) or len(bad_tags) < len(tags)):
        raise ErrcodeAnswer(81013, "user & party & tag all invalid")

    now = state.now()
    delivered, dropped = [], []
    for user in good_users:
        allowed = to_all or (
            state.member_hourly_limits.hit(user, now, limit=options.wecom_member_hourly_limit,
                                           window=options.wecom_member_hour_seconds)
            and state.member_limits.hit(user, now, limit=options.wecom_member_rate_limit, window=60))
        (delivered if allowed else dropped).append(user)
    msgid = secrets.token_urlsafe(40)
    state.wecom.messages[msgid] = now
    state.deliveries.record(time=now, platform="wecom", channel="app", target=str(body.get("touser") or ""),
                            msgtype=msgtype, message=copy.deepcopy(body), delivered=delivered, dropped=dropped)
    answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
    for name, bad in (("invaliduser", bad_users), ("invalidparty", bad_parties), ("invalidtag", bad_tags)):
        if bad:
            answer[name] = "|".join(bad)
    answer["msgid"] = msgid
    return answer


def recall(state: SandboxState, call: Call) -> dict[str, Any]:
    require_token(state, call)
    msgid = call.json_object().get("msgid")
    sent_at = state.wecom.messages.get(msgid) if isinstance(msgid, str) else None
    if sent_at is None or sent_at < state.now() - 86400:
        raise ErrcodeAnswer(40035, "invalid parameter: unknown or expired msgid")
    state.wecom.messages.pop(msgid, None)
    return {"errcode": 0, "errmsg": "ok"}
