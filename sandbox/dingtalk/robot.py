"""DingTalk custom robots: ``/robot/send?access_token=TOKEN[&timestamp=T&sign=S]``.

Checked in the platform's order: the robot (300001/300005), the Content-Type (43004: the robot takes JSON
only), the signature when the robot has a secret (310000 "invalid timestamp" more than an hour off,
"sign not match" for a wrong HMAC, e.g. one URL-encoded twice or not at all), the rate (20 a minute, then 130101
for a 10-minute penalty), the body per msgtype, its size (460101 over 20000 bytes) and the robot's keywords
(310000 "keywords not in content").
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sandbox.call import Call
from sandbox.crypto import dingtalk_robot_sign_matches
from sandbox.errors import ErrcodeAnswer
from sandbox.robots import Robot
from sandbox.state import SandboxState

_MORE = ", more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"

#: msgtype -> fields its body must carry.
REQUIRED: dict[str, tuple[str, ...]] = {
    "text": ("content",), "link": ("title", "text", "messageUrl"), "markdown": ("title", "text"),
    "actionCard": ("title", "text"), "feedCard": ("links",),
}


def _robot(state: SandboxState, call: Call) -> Robot:
    token = call.param("access_token")
    if not token:
        raise ErrcodeAnswer(300001, "access_token is empty")
    robot = state.robots.get("dingtalk", token)
    if robot is None:
        raise ErrcodeAnswer(300005, "token is not exist")
    return robot


def _check_sign(state: SandboxState, robot: Robot, call: Call) -> None:
    if not robot.secret:
        return
    timestamp, sign = call.param("timestamp"), call.param("sign")
    if not timestamp or not timestamp.isdigit():
        raise ErrcodeAnswer(310000, "invalid timestamp" + _MORE)
    now_ms = state.clock.now_ms()
    if abs(now_ms - int(timestamp)) > 3600_000:
        raise ErrcodeAnswer(310000, "invalid timestamp" + _MORE)
    if not sign or not dingtalk_robot_sign_matches(robot.secret, int(timestamp), sign):
        raise ErrcodeAnswer(310000, "sign not match" + _MORE)


def _check_body(body: dict[str, Any]) -> str:
    msgtype = body.get("msgtype")
    if msgtype not in REQUIRED:
        raise ErrcodeAnswer(40035, "缺少参数 msgtype")
    content = body.get(msgtype)
    if not isinstance(content, dict):
        raise ErrcodeAnswer(40035, f"缺少参数 {msgtype}")
    for name in REQUIRED[msgtype]:
        if not content.get(name):
            raise ErrcodeAnswer(40035, f"缺少参数 {msgtype}.{name}")
    if msgtype == "actionCard" and not ((content.get("singleTitle") and content.get("singleURL"))
                                        or (isinstance(content.get("btns"), list) and content["btns"])):
        raise ErrcodeAnswer(40035, "缺少参数 actionCard.singleTitle/singleURL or btns")
    if msgtype == "feedCard" and not isinstance(content["links"], list):
        raise ErrcodeAnswer(40035, "不合法的参数 feedCard.links")
    at = body.get("at")
    if at is not None and not (isinstance(at, dict)
                               and isinstance(at.get("atMobiles", []), list)
                               and isinstance(at.get("atUserIds", []), list)
                               and isinstance(at.get("isAtAll", False), bool)):
        raise ErrcodeAnswer(40035, "不合法的参数 at")
    return msgtype


def _text_of(body: dict[str, Any]) -> str:
    return json.dumps(body.get(body.get("msgtype", ""), {}), ensure_ascii=False)


def send(state: SandboxState, call: Call) -> dict[str, Any]:
    robot = _robot(state, call)
    if not call.content_type.lower().startswith("application/json"):
        raise ErrcodeAnswer(43004, "无效的HTTP HEADER Content-Type")
    _check_sign(state, robot, call)
    options = state.options
    if not state.robot_limits.hit(f"dingtalk:{robot.token}", state.now(), limit=options.robot_rate_limit,
                                  window=options.robot_window_seconds,
                                  penalty=options.dingtalk_robot_penalty_seconds):
        raise ErrcodeAnswer(130101, f"send too fast, exceed {options.robot_rate_limit} times per minute")
    body = call.json_object()
    msgtype = _check_body(body)
    if len(call.body.raw) > options.dingtalk_robot_max_bytes:
        raise ErrcodeAnswer(460101, f"message too long, exceed {options.dingtalk_robot_max_bytes} bytes")
    if robot.keywords and not any(k in _text_of(body) for k in robot.keywords):
        raise ErrcodeAnswer(310000, "keywords not in content" + _MORE)
    state.deliveries.record(time=state.now(), platform="dingtalk", channel="robot", target=robot.token,
                            msgtype=msgtype, message=copy.deepcopy(body), delivered=[robot.token])
    return {"errcode": 0, "errmsg": "ok"}
