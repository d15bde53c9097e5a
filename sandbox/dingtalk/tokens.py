"""DingTalk ``/gettoken``: the same token while it lives, its life renewed by each fetch."""

from __future__ import annotations

from typing import Any

from sandbox.call import Call
from sandbox.errors import ErrcodeAnswer
from sandbox.state import SandboxState


def gettoken(state: SandboxState, call: Call) -> dict[str, Any]:
    creds = state.credentials
    app_key = call.param("appkey")
    if not app_key or not creds.dingtalk_app(app_key, call.param("appsecret")):
        raise ErrcodeAnswer(40089, "不合法的corpId或corpSecret")
    token, expires_in = state.tokens.issue_reusable(
        "dingtalk", app_key, state.options.token_lifetime_seconds, extend=True)
    return {"errcode": 0, "access_token": token, "errmsg": "ok", "expires_in": expires_in}


def require_token(state: SandboxState, call: Call) -> str:
    return state.tokens.check("dingtalk", call.param("access_token")).app


def check_agent(state: SandboxState, agent_id: Any, app: str | None = None) -> None:
    """The agent id must be that of the app the call's token belongs to (``app``; None: the default app)."""
    if str(agent_id or "") != state.credentials.dingtalk_agent(app):
        raise ErrcodeAnswer(40056, "不合法的agentId")
