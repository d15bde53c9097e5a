"""The WeCom app-chat job: create a chat (``appchat/create``); its chatid is the job's result, what the
``wecom_appchat`` channel's ``to.chat`` names."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core import job_kinds
from core.runtime import Runtime
from workers.jobs.kinds import JobKind, Params


def _create(runtime: Runtime, params: Params) -> str:
    return runtime.clients.wecom.appchats.create(params["userlist"], name=params.get("name"),
                                                 owner=params.get("owner"), chatid=params.get("chatid"))


def _record_create(session: Session, params: Params, chatid: str) -> dict[str, Any]:
    return {"chatid": chatid, "members": len(params["userlist"])}


CREATE = JobKind(job_kinds.WECOM_APPCHAT_CREATE, _create, _record_create)
