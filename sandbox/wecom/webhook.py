"""WeCom group robots: ``/cgi-bin/webhook/send`` and ``/cgi-bin/webhook/upload_media``.

No access token: the ``key`` query parameter is the robot (93000 when unknown). 20 messages a minute per robot,
then 45009 until the window frees up. Bodies are checked per msgtype with the real limits: text 2048 bytes,
markdown 4096 bytes (40058 "markdown.content exceed max length 4096"), image base64 whose md5 must match,
news 1..8 articles, file media uploaded by the same robot.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.robots import Robot
from sandbox.state import SandboxState
from sandbox.uploads import MB, UploadErrors, checked_upload, rules

LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
UPLOADS = rules(min_bytes=6, file=("*", 20 * MB), voice=("amr", 2 * MB))
UPLOAD_ERRORS = UploadErrors(bad_type=(40004, "invalid media type"), missing=(44001, "empty media data"),
                             bad_extension=(40005, "invalid file type"), bad_size=(40006, "invalid file size"))


def _robot(state: SandboxState, call: Call) -> Robot:
    robot = state.robots.get("wecom", call.param("key"))
    if robot is None:
        raise ErrcodeAnswer(93000, "invalid webhook url")
    return robot


def _too_long(field: str, limit: int) -> ErrcodeAnswer:
    return ErrcodeAnswer(40058, f"{field} exceed max length {limit}. invalid Request Parameter")


def _check_image(content: dict[str, Any]) -> None:
    try:
        raw = base64.b64decode(content.get("base64") or "", validate=True)
    except (binascii.Error, ValueError):
        raise ErrcodeAnswer(40058, "image.base64 invalid. invalid Request Parameter") from None
    if not raw:
        raise ErrcodeAnswer(40058, "image.base64 missing. invalid Request Parameter")
    if len(raw) > 2 * MB:
        raise ErrcodeAnswer(40009, "invalid image size")
    if hashlib.md5(raw).hexdigest() != str(content.get("md5", "")).lower():
        raise ErrcodeAnswer(301019, "media md5 not match")


def _check_body(state: SandboxState, robot: Robot, body: dict[str, Any]) -> str:
    msgtype = body.get("msgtype")
    content = body.get(msgtype) if isinstance(msgtype, str) else None
    if msgtype not in ("text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"):
        raise ErrcodeAnswer(40008, "invalid message type")
    if not isinstance(content, dict):
        raise ErrcodeAnswer(40058, f"{msgtype} missing. invalid Request Parameter")
    if msgtype in LIMITS:
        text = content.get("content")
        if not isinstance(text, str) or not text:
            raise ErrcodeAnswer(44004, "empty content")
        if len(text.encode()) > LIMITS[msgtype]:
            raise _too_long(f"{msgtype}.content", LIMITS[msgtype])
        for field in ("mentioned_list", "mentioned_mobile_list"):
            if field in content and not isinstance(content[field], list):
                raise ErrcodeAnswer(40058, f"text.{field} must be a list. invalid Request Parameter")
    elif msgtype == "image":
        _check_image(content)
    elif msgtype == "news":
        articles = content.get("articles")
        if not isinstance(articles, list) or not 1 <= len(articles) <= 8:
            raise ErrcodeAnswer(45008, "article size out of limit")
        for i, article in enumerate(articles):
            if not (isinstance(article, dict) and article.get("title") and article.get("url")):
                raise ErrcodeAnswer(40058, f"news.articles[{i}] needs title and url. invalid Request Parameter")
    elif msgtype in ("file", "voice"):
        if state.media.find("wecom", content.get("media_id"), state.now(), f"robot:{robot.token}") is None:
            raise ErrcodeAnswer(40007, "invalid media_id")
    elif msgtype == "template_card" and content.get("card_type") not in ("text_notice", "news_notice"):
        raise ErrcodeAnswer(40058, "template_card.card_type invalid. invalid Request Parameter")
    return msgtype


def send(state: SandboxState, call: Call) -> dict[str, Any]:
    robot = _robot(state, call)
    options = state.options
    if not state.robot_limits.hit(f"wecom:{robot.token}", state.now(), limit=options.robot_rate_limit,
                                  window=options.robot_window_seconds):
        raise ErrcodeAnswer(45009, "api freq out of limit")
    body = call.json_object()
    msgtype = _check_body(state, robot, body)
    state.deliveries.record(time=state.now(), platform="wecom", channel="robot", target=robot.token,
                            msgtype=msgtype, message=copy.deepcopy(body), delivered=[robot.token])
    return {"errcode": 0, "errmsg": "ok"}


def upload_media(state: SandboxState, call: Call) -> dict[str, Any]:
    robot = _robot(state, call)
    media_type = call.param("type")
    file = checked_upload(call, media_type, UPLOADS, UPLOAD_ERRORS)
    item = state.media.add("wecom", f"robot:{robot.token}", str(media_type), file, state.now(),
                           state.options.media_lifetime_seconds)
    return {"errcode": 0, "errmsg": "ok", "type": media_type, "media_id": item.media_id,
            "created_at": str(int(item.created_at))}
