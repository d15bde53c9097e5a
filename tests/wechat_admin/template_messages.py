"""Template messages as the admin API sends them, shared by the WeChat admin suite's modules."""

from __future__ import annotations

from tests.waiting import wait_for

MESSAGES = "/api/v1/wechat/template-messages"


def delivery(api, delivery_id: str) -> dict:
    def final():
        record = api.get(f"/api/v1/notifications/{delivery_id}").json
        return record if record["status"] in ("sent", "failed", "dead") else None
    return wait_for(final)
