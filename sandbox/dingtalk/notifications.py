"""DingTalk work notifications: ``asyncsend_v2``, ``getsendprogress``, ``getsendresult``, ``recall`` and the OA
message's ``status_bar/update``.

Sending only answers a task id; what happened to each user shows up later in getsendresult, and every list there
is optional (empty ones are left out, as the platform does). Invalid, forbidden and failed users come from the
options; the same content to the same user twice in a day lands in ``forbidden_user_id_list`` although the send
said errcode 0. Both JSON and urlencoded bodies are accepted, as /topapi does (``msg`` may be a JSON string).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from sandbox.call import Call
from sandbox.dingtalk.media import usable_media
from sandbox.dingtalk.store import NotificationTask
from sandbox.dingtalk.tokens import check_agent, require_token
from sandbox.errors import ErrcodeAnswer, request_id
from sandbox.state import SandboxState

#: msgtype -> fields its body must carry.
REQUIRED = {"text": ("content",), "image": ("media_id",), "voice": ("media_id", "duration"),
            "file": ("media_id",), "link": ("messageUrl", "picUrl", "title", "text"), "oa": ("head", "body"),
            "markdown": ("title", "text"), "action_card": ("title", "markdown")}
MEDIA_TYPES = {"image", "voice", "file"}
MAX_USERS, MAX_DEPTS = 100, 20
RESULT_LISTS = ("invalid_user_id_list", "forbidden_user_id_list", "failed_user_id_list",
                "read_user_id_list", "unread_user_id_list", "invalid_dept_id_list")


def _missing(name: str) -> ErrcodeAnswer:
    return ErrcodeAnswer(40035, f"缺少参数 {name}")


def _split(value: Any, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, str):
        raise ErrcodeAnswer(40035, f"不合法的参数 {name}")
    return [v for v in value.split(",") if v]


def _message(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ErrcodeAnswer(40035, "不合法的参数 msg") from None
    if not isinstance(raw, dict):
        raise _missing("msg")
    msgtype = raw.get("msgtype")
    if msgtype not in REQUIRED:
        raise ErrcodeAnswer(40035, "不合法的参数 msgtype")
    content = raw.get(msgtype)
    if not isinstance(content, dict):
        raise _missing(f"msg.{msgtype}")
    for name in REQUIRED[msgtype]:
        if content.get(name) in (None, ""):
            raise _missing(f"msg.{msgtype}.{name}")
    if msgtype == "action_card" and not ((content.get("single_title") and content.get("single_url"))
                                         or content.get("btn_json_list")):
        raise _missing("msg.action_card.single_title/single_url or btn_json_list")
    return raw


def asyncsend_v2(state: SandboxState, call: Call) -> dict[str, Any]:
    app = require_token(state, call)
    body = call.fields()
    check_agent(state, body.get("agent_id"), app)
    users = _split(body.get("userid_list"), "userid_list")
    depts = _split(body.get("dept_id_list"), "dept_id_list")
    to_all = str(body.get("to_all_user", "false")).lower() == "true"
    if len(users) > MAX_USERS:
        raise ErrcodeAnswer(40035, f"不合法的参数 userid_list: 超过{MAX_USERS}个")
    if len(depts) > MAX_DEPTS:
        raise ErrcodeAnswer(40035, f"不合法的参数 dept_id_list: 超过{MAX_DEPTS}个")
    if not (users or depts or to_all):
        raise _missing("userid_list or dept_id_list or to_all_user")
    msg = _message(body.get("msg"))
    media = None
    if msg["msgtype"] in MEDIA_TYPES:
        media = usable_media(state, msg[msg["msgtype"]].get("media_id"))
    if media is not None:
        media.uses += 1
    return {"errcode": 0, "errmsg": "ok", "task_id": _create_task(state, users, msg).task_id,
            "request_id": request_id()}


def _create_task(state: SandboxState, users: list[str], msg: dict[str, Any]) -> NotificationTask:
    options, store, now = state.options, state.dingtalk, state.now()
    digest = hashlib.sha1(json.dumps(msg, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    seen_today = store.seen_today(int(now // 86400))
    result: dict[str, list[Any]] = {name: [] for name in RESULT_LISTS}
    for user in dict.fromkeys(users):
        seen = (user, digest)
        if user in options.dingtalk_invalid_users:
            result["invalid_user_id_list"].append(user)
        elif user in options.dingtalk_forbidden_users or (
                options.dingtalk_same_content_once_a_day and seen in seen_today):
            result["forbidden_user_id_list"].append(user)
        elif user in options.dingtalk_failed_users:
            result["failed_user_id_list"].append(user)
        elif user in options.dingtalk_read_users:
            result["read_user_id_list"].append(user)
        else:
            result["unread_user_id_list"].append(user)
        seen_today.add(seen)
    store.next_task_id += 1
    task = NotificationTask(store.next_task_id, now, now + options.dingtalk_task_seconds, result,
                            msgtype=msg["msgtype"])
    store.tasks[task.task_id] = task
    delivered = result["read_user_id_list"] + result["unread_user_id_list"]
    dropped = [u for u in users if u not in delivered]
    state.deliveries.record(time=now, platform="dingtalk", channel="work_notice", target=",".join(users),
                            msgtype=msg["msgtype"], message=copy.deepcopy(msg), delivered=delivered,
                            dropped=dropped)
    return task


def _task(state: SandboxState, body: dict[str, Any], field: str = "task_id",
          app: str | None = None) -> NotificationTask:
    check_agent(state, body.get("agent_id"), app)
    try:
        task = state.dingtalk.tasks.get(int(body.get(field)))
    except (TypeError, ValueError):
        task = None
    if task is None:
        raise ErrcodeAnswer(40035, f"不合法的参数 {field}")
    return task


def getsendprogress(state: SandboxState, call: Call) -> dict[str, Any]:
    task = _task(state, call.fields(), app=require_token(state, call))
    span = task.done_at - task.created_at
    done = 1.0 if span <= 0 else min(max((state.now() - task.created_at) / span, 0.0), 1.0)
    status = 2 if done >= 1.0 else 1
    return {"errcode": 0, "errmsg": "ok", "progress": {"progress_in_percent": int(done * 100), "status": status},
            "request_id": request_id()}


def getsendresult(state: SandboxState, call: Call) -> dict[str, Any]:
    task = _task(state, call.fields(), app=require_token(state, call))
    finished = state.now() >= task.done_at
    send_result = {k: list(v) for k, v in task.result.items() if v and finished}
    return {"errcode": 0, "errmsg": "ok", "send_result": send_result, "request_id": request_id()}


def recall(state: SandboxState, call: Call) -> dict[str, Any]:
    task = _task(state, call.fields(), "msg_task_id", require_token(state, call))
    task.recalled = True
    return {"errcode": 0, "errmsg": "ok", "request_id": request_id()}


#: ``status_bg``: ``0x`` and eight hex digits (alpha, red, green, blue), as the platform documents it.
_COLOUR = re.compile(r"0x[0-9A-Fa-f]{8}")
#: The longest status text the sandbox takes.
MAX_STATUS_VALUE = 20


def status_bar_update(state: SandboxState, call: Call) -> dict[str, Any]:
    """``status_bar/update {agent_id, task_id, status_value, status_bg}``: only on a known task of an OA message."""
    app = require_token(state, call)
    body = call.fields()
    task = _task(state, body, app=app)
    if task.msgtype != "oa":
        raise ErrcodeAnswer(40035, "不合法的参数 task_id: 只有 OA 消息有状态栏")
    value = body.get("status_value")
    if not isinstance(value, str) or not value:
        raise _missing("status_value")
    if len(value) > MAX_STATUS_VALUE:
        raise ErrcodeAnswer(40035, f"不合法的参数 status_value: 超过{MAX_STATUS_VALUE}个字")
    colour = body.get("status_bg")
    if colour is not None and not (isinstance(colour, str) and _COLOUR.fullmatch(colour)):
        raise ErrcodeAnswer(40035, "不合法的参数 status_bg")
    task.status_bar = {"status_value": value, "status_bg": colour or ""}
    state.deliveries.record(time=state.now(), platform="dingtalk", channel="work_notice_status_bar",
                            target=str(task.task_id), msgtype="oa", message=dict(task.status_bar), delivered=[])
    return {"errcode": 0, "errmsg": "ok", "request_id": request_id()}
