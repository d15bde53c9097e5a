"""The enterprise robot (企业内部机器人) on DingTalk's v1.0 API: messages to a group or to members.

Unlike the custom robot (a webhook with its own token), it is the app's robot: calls carry the app's v1.0 token,
``robotCode`` names the robot (an internal app's robot code is its AppKey), and the message is a template
``msgKey`` (``sampleText``, ``sampleMarkdown``, ...) with its ``msgParam`` sent as a JSON *string*.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from platforms.tokens import TokenSource
from platforms.transport import Transport

#: The most users one ``oToMessages/batchSend`` takes.
MAX_USERS = 20


@dataclass(frozen=True)
class BatchSendResult:
    """What ``oToMessages/batchSend`` answered: its query key and the users it did not send to."""

    process_query_key: str
    invalid_user_ids: list[str] = field(default_factory=list)
    flow_controlled_user_ids: list[str] = field(default_factory=list)


class EnterpriseRobot:
    """``/v1.0/robot/*`` through a v1.0-dialect transport and the app's v1.0 token."""

    def __init__(self, transport: Transport, token: TokenSource) -> None:
        self._transport = transport
        self._token = token

    def send_to_group(self, robot_code: str, open_conversation_id: str, msg_key: str,
                      msg_param: dict[str, Any]) -> str:
        """``POST /v1.0/robot/groupMessages/send``; returns the ``processQueryKey``."""
        body = self._transport.request("POST", "/v1.0/robot/groupMessages/send", token=self._token, json={
            "robotCode": robot_code, "openConversationId": open_conversation_id, "msgKey": msg_key,
            "msgParam": _param(msg_param)}, success=("processQueryKey",))
        return str(body["processQueryKey"])

    def send_to_users(self, robot_code: str, user_ids: Sequence[str], msg_key: str,
                      msg_param: dict[str, Any]) -> BatchSendResult:
        """``POST /v1.0/robot/oToMessages/batchSend`` to at most :data:`MAX_USERS` members."""
        users = [str(u) for u in user_ids]
        if not users or len(users) > MAX_USERS:
            raise ValueError(f"user_ids takes 1 to {MAX_USERS} ids, got {len(users)}")
        body = self._transport.request("POST", "/v1.0/robot/oToMessages/batchSend", token=self._token, json={
            "robotCode": robot_code, "userIds": users, "msgKey": msg_key, "msgParam": _param(msg_param)},
            success=("processQueryKey",))
        return BatchSendResult(str(body["processQueryKey"]), list(body.get("invalidStaffIdList") or []),
                               list(body.get("flowControlledStaffIdList") or []))


def _param(msg_param: dict[str, Any]) -> str:
    return json.dumps(msg_param, ensure_ascii=False, separators=(",", ":"))
