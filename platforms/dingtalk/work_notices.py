"""Work notifications (工作通知): messages from the app to members' DingTalk.

Sending is asynchronous: the answer is a ``task_id``, and over-limit sends (the same content to the
same user twice a day, for one) still answer success. Read :meth:`WorkNotices.result` to learn who
actually got the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from platforms._grant import not_configured
from platforms.errors import PermanentError
from platforms.tokens import TokenSource
from platforms.transport import Transport

MAX_USERS = 100
MAX_DEPTS = 20
_BASE = "/topapi/message/corpconversation"


class WorkNotices:
    """``/topapi/message/corpconversation/*``.

    :param agent_id: the app's agent id, sent with every call.
    """

    def __init__(self, transport: Transport, token: TokenSource, agent_id: int | None) -> None:
        self._transport = transport
        self._token = token
        self._agent_id = agent_id

    def send(
        self,
        msg: dict[str, Any],
        userid_list: Sequence[str] | str | None = None,
        dept_id_list: Sequence[str | int] | str | None = None,
        to_all_user: bool = False,
    ) -> int:
        """Queue ``msg`` (``{"msgtype": ..., <type>: {...}}``) for delivery; returns the task_id."""
        users = _joined(userid_list, MAX_USERS, "userid_list")
        depts = _joined(dept_id_list, MAX_DEPTS, "dept_id_list")
        if not (users or depts or to_all_user):
            raise ValueError("name at least one recipient: userid_list, dept_id_list or to_all_user")
        payload: dict[str, Any] = {"agent_id": self._agent(), "msg": msg}
        if users:
            payload["userid_list"] = users
        if depts:
            payload["dept_id_list"] = depts
        if to_all_user:
            payload["to_all_user"] = True
        body = self._call("asyncsend_v2", payload)
        if "task_id" not in body:
            raise PermanentError("dingtalk", None, "asyncsend_v2 answered without a task_id")
        return int(body["task_id"])

    def progress(self, task_id: int) -> dict[str, Any]:
        """``{progress_in_percent, status}``: status 0 queued, 1 sending, 2 done."""
        body = self._call("getsendprogress", {"agent_id": self._agent(), "task_id": task_id})
        return dict(body.get("progress") or {})

    def result(self, task_id: int) -> dict[str, Any]:
        """Per-user outcome: ``invalid_user_id_list``, ``forbidden_user_id_list``, ``failed_user_id_list``,
        ``read_user_id_list``, ``unread_user_id_list``, ... (every field optional)."""
        body = self._call("getsendresult", {"agent_id": self._agent(), "task_id": task_id})
        return dict(body.get("send_result") or {})

    def recall(self, task_id: int) -> None:
        """Withdraw a notification."""
        self._call("recall", {"agent_id": self._agent(), "msg_task_id": task_id})

    def update_status_bar(self, task_id: int, status_value: str, status_bg: str | None = None) -> None:
        """Set the status bar of a sent OA message (``msgtype: oa``): ``status_value`` ("已同意") on the colour
        ``status_bg`` (``0xAARRGGBB``, e.g. ``0xFF78C06E``)."""
        payload: dict[str, Any] = {"agent_id": self._agent(), "task_id": task_id, "status_value": status_value}
        if status_bg:
            payload["status_bg"] = status_bg
        self._call("status_bar/update", payload)

    def _call(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._transport.request("POST", f"{_BASE}/{name}", json=payload, token=self._token)

    def _agent(self) -> int:
        if self._agent_id is None:
            raise not_configured("dingtalk", "dingtalk agent_id")
        return self._agent_id


def _joined(ids: Sequence[str | int] | str | None, limit: int, name: str) -> str:
    if ids is None:
        return ""
    items = ids.split(",") if isinstance(ids, str) else [str(i) for i in ids]
    items = [i.strip() for i in items if str(i).strip()]
    if len(items) > limit:
        raise ValueError(f"{name} takes at most {limit} ids, got {len(items)}")
    return ",".join(items)
