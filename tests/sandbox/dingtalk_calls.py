"""DingTalk work-notification calls on the sandbox's app, shared by the sandbox suite's modules."""

from __future__ import annotations

NOTICE = "/dingtalk/topapi/message/corpconversation"


def notice(settings, users="alice,bob", **msg):
    return {"agent_id": settings.third.ding_talk.agent_id, "userid_list": users,
            "msg": msg or {"msgtype": "text", "text": {"content": "hello"}}}


def topapi(client, path, token, body):
    return client.simulate_post(f"{NOTICE}/{path}", params={"access_token": token}, json=body)
