"""DingTalk's v1.0 API (``api.dingtalk.com``), served under the same ``/dingtalk`` prefix as ``oapi``.

Its own rules, checked here and not by the SDK: the token comes from ``POST /v1.0/oauth2/accessToken`` and travels
in the ``x-acs-dingtalk-access-token`` header (one in the query is not looked at), bodies are JSON with camelCase
names, and failures are HTTP 4xx ``{code, message, requestid}``. The enterprise robot's ``msgParam`` is a JSON
*string* whose fields depend on ``msgKey``.
"""

from __future__ import annotations

import copy
import json
import secrets
from typing import Any

from sandbox.call import Call
from sandbox.errors import CodeAnswer, ErrcodeAnswer
from sandbox.state import SandboxState

TOKEN_HEADER = "x-acs-dingtalk-access-token"

#: msgKey -> fields its msgParam must carry (the enterprise robot's message templates).
MSG_KEYS: dict[str, tuple[str, ...]] = {
    "sampleText": ("content",), "sampleMarkdown": ("title", "text"),
    "sampleLink": ("text", "title", "picUrl", "messageUrl"), "sampleImageMsg": ("photoURL",),
    "sampleActionCard": ("title", "text", "singleTitle", "singleURL"),
}
#: The most users one ``oToMessages/batchSend`` takes.
MAX_USERS = 20


def _body(call: Call) -> dict[str, Any]:
    if not isinstance(call.body.json, dict):
        raise CodeAnswer(400, "InvalidParameter", "请求体必须是 JSON 对象 / the body must be a JSON object")
    return call.body.json


def _missing(name: str) -> CodeAnswer:
    return CodeAnswer(400, "MissingParameter", f"缺少参数 {name}")


def access_token(state: SandboxState, call: Call) -> dict[str, Any]:
    """``POST /v1.0/oauth2/accessToken {appKey, appSecret}`` -> ``{accessToken, expireIn}``."""
    body, creds = _body(call), state.credentials
    if not body.get("appKey"):
        raise _missing("appKey")
    if not creds.dingtalk_app(str(body.get("appKey")), body.get("appSecret")):
        raise CodeAnswer(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
    token, expires_in = state.tokens.issue_reusable(
        "dingtalk", f"v1:{body['appKey']}", state.options.token_lifetime_seconds, extend=True)
    return {"accessToken": token, "expireIn": expires_in}


def require_token(state: SandboxState, call: Call) -> None:
    token = call.header(TOKEN_HEADER)
    if not token:
        raise CodeAnswer(401, "MissingAuthentication", f"缺少 {TOKEN_HEADER}")
    try:
        state.tokens.check("dingtalk", token)
    except ErrcodeAnswer:
        raise CodeAnswer(400, "InvalidAuthentication", "不合法的access_token") from None  # 400, as DingTalk answers


def _robot_message(state: SandboxState, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if body.get("robotCode") not in state.credentials.dingtalk_app_keys():
        raise CodeAnswer(400, "InvalidParameter.RobotCode", "robotCode 不存在或不属于当前应用")
    key = body.get("msgKey")
    if key not in MSG_KEYS:
        raise CodeAnswer(400, "InvalidParameter.MsgKey", f"不支持的 msgKey: {key}")
    raw = body.get("msgParam")
    if not isinstance(raw, str):
        raise CodeAnswer(400, "InvalidParameter.MsgParam", "msgParam 必须是 JSON 字符串")
    try:
        param = json.loads(raw)
    except ValueError:
        raise CodeAnswer(400, "InvalidParameter.MsgParam", "msgParam 不是合法的 JSON") from None
    if not isinstance(param, dict):
        raise CodeAnswer(400, "InvalidParameter.MsgParam", "msgParam 必须是 JSON 对象")
    for name in MSG_KEYS[key]:
        if param.get(name) in (None, ""):
            raise _missing(f"msgParam.{name}")
    return key, param


def group_send(state: SandboxState, call: Call) -> dict[str, Any]:
    """``POST /v1.0/robot/groupMessages/send {robotCode, openConversationId, msgKey, msgParam}``."""
    require_token(state, call)
    body = _body(call)
    group = body.get("openConversationId")
    if not isinstance(group, str) or not group:
        raise _missing("openConversationId")
    key, param = _robot_message(state, body)
    state.deliveries.record(time=state.now(), platform="dingtalk", channel="robot_group", target=group,
                            msgtype=key, message=copy.deepcopy(param), delivered=[group])
    return {"processQueryKey": secrets.token_urlsafe(24)}


def users_send(state: SandboxState, call: Call) -> dict[str, Any]:
    """``POST /v1.0/robot/oToMessages/batchSend {robotCode, userIds[], msgKey, msgParam}``; unknown users are
    answered in ``invalidStaffIdList`` (the send still succeeds)."""
    require_token(state, call)
    body = _body(call)
    users = body.get("userIds")
    if not isinstance(users, list) or not users or not all(isinstance(u, str) and u for u in users):
        raise _missing("userIds")
    if len(users) > MAX_USERS:
        raise CodeAnswer(400, "InvalidParameter.UserIds", f"userIds 最多 {MAX_USERS} 个")
    key, param = _robot_message(state, body)
    invalid = [u for u in users if u in state.options.dingtalk_invalid_users]
    delivered = [u for u in users if u not in invalid]
    state.deliveries.record(time=state.now(), platform="dingtalk", channel="robot_users", target=",".join(users),
                            msgtype=key, message=copy.deepcopy(param), delivered=delivered, dropped=invalid)
    return {"processQueryKey": secrets.token_urlsafe(24), "invalidStaffIdList": invalid,
            "flowControlledStaffIdList": []}
