"""The mass-send jobs: send a confirmed draft (once), read its status back, hide its articles.

``wechat.mass.send`` passes the row's ``clientmsgid``: a job retried after a lost answer cannot send twice, and
WeChat's 45065 ("clientmsgid exists") on a retry means the first attempt went through. Every job uses the token of
the row's account.
"""

from __future__ import annotations

from typing import Any

from core import job_kinds
from core.runtime import Runtime
from models.base import utcnow
from models.wechat.mass_sends import MassStatus, WeChatMassSend, clientmsgid, join_stored_report
from platforms.errors import PermanentError
from platforms.wechat import CLIENTMSGID_EXISTS
from workers.jobs.kinds import JobKind, JobRefused, Params


def _load(runtime: Runtime, mass_id: int) -> dict[str, Any]:
    with runtime.database.session() as session:
        row = session.get(WeChatMassSend, mass_id)
        if row is None:
            raise JobRefused(f"mass send {mass_id} is gone")
        return {"account": row.account, "audience": row.audience, "tag_id": row.tag_id, "openids": list(row.openids),
                "message": dict(row.message), "send_ignore_reprint": row.send_ignore_reprint, "msg_id": row.msg_id}


def _send(runtime: Runtime, params: Params) -> dict[str, Any]:
    row = _load(runtime, params["massId"])
    message = {**row["message"], "send_ignore_reprint": 1 if row["send_ignore_reprint"] else 0}
    mass = runtime.clients.wechat_for(row["account"]).mass
    try:
        if row["audience"] == "openids":
            return mass.send_to_openids(row["openids"], message, clientmsgid=clientmsgid(params["massId"]))
        return mass.send_to_all(message, tag_id=row["tag_id"], clientmsgid=clientmsgid(params["massId"]))
    except PermanentError as exc:
        if exc.errcode == CLIENTMSGID_EXISTS:  # an earlier attempt was sent; its answer was lost
            # WeChat names that send's msg_id, so its report can still be joined.
            return {"alreadySent": True, **({"msg_id": exc.ids["msg_id"]} if "msg_id" in exc.ids else {})}
        raise


def _record_send(session: Any, params: Params, answer: dict[str, Any]) -> dict[str, Any]:
    row = session.get(WeChatMassSend, params["massId"])
    if row is not None:
        row.status = MassStatus.SENT.value
        row.sent_at = utcnow()
        if answer.get("msg_id") is not None:
            row.msg_id = str(answer["msg_id"])
        if answer.get("msg_data_id") is not None:
            row.msg_data_id = str(answer["msg_data_id"])
        row.last_error = row.errcode = None
        join_stored_report(session, row)  # WeChat's report may have come before this answer was recorded
    return {"massId": params["massId"], "msgId": answer.get("msg_id"), "alreadySent": bool(answer.get("alreadySent"))}


def _failed_send(session: Any, params: Params, error: str, errcode: int | None) -> None:
    row = session.get(WeChatMassSend, params["massId"])
    if row is not None:
        row.status = MassStatus.FAILED.value
        row.last_error = error
        row.errcode = errcode


def _sent(runtime: Runtime, params: Params) -> tuple[str, int]:
    """The row's account and msg_id."""
    row = _load(runtime, params["massId"])
    if not row["msg_id"]:
        raise JobRefused("the mass send has no msg_id from WeChat (not sent, or sent by an attempt whose answer "
                         "was lost)")
    return row["account"], int(row["msg_id"])


def _get(runtime: Runtime, params: Params) -> dict[str, Any]:
    account, msg_id = _sent(runtime, params)
    return runtime.clients.wechat_for(account).mass.get(msg_id)


def _record_get(session: Any, params: Params, answer: dict[str, Any]) -> dict[str, Any]:
    row = session.get(WeChatMassSend, params["massId"])
    if row is not None:
        row.msg_status = str(answer.get("msg_status") or "")[:32] or None
    return {"massId": params["massId"], "msgStatus": answer.get("msg_status")}


def _delete(runtime: Runtime, params: Params) -> None:
    account, msg_id = _sent(runtime, params)
    runtime.clients.wechat_for(account).mass.delete(msg_id, int(params.get("articleIdx", 0)))


def _record_delete(session: Any, params: Params, answer: None) -> dict[str, Any]:
    row = session.get(WeChatMassSend, params["massId"])
    if row is not None:
        row.msg_status = "DELETE"
    return {"massId": params["massId"], "deleted": True}


KINDS = [
    JobKind(job_kinds.MASS_SEND, _send, _record_send, failed=_failed_send),
    JobKind(job_kinds.MASS_GET, _get, _record_get),
    JobKind(job_kinds.MASS_DELETE, _delete, _record_delete),
]
