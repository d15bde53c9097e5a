"""Pacing per app: a DingTalk group or WeCom app chat takes a robot's pace (``robot-rate-limit`` a window), booked
for the app that sends, so two accounts' apps posting to one chat id never share a window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from config import demo
from core.runtime import Runtime
from models.deliveries import Channel
from tests.accounts.conftest import FAST, HR, SECRET_KEY
from tests.keys import bearer
from tests.sandbox_support import journal
from tests.waiting import wait_for
from workers.notifications.channels import paced_app, pacing_for

GROUP = "/dingtalk/v1.0/robot/groupMessages/send"
WINDOW = 600.0


@pytest.fixture
def runtime(make_settings, database_url, sandbox, redis_client, extra_accounts) -> Iterator[Runtime]:
    """The accounts' deployment where a chat takes one message per ten minutes."""
    settings = make_settings(database_url, sandbox=sandbox.section, security={"secret_key": SECRET_KEY},
                             notifications={**FAST, "robot_rate_limit": 1, "rate_window_seconds": WINDOW},
                             third={"accounts": extra_accounts})
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


def group_message(text: str, account: str | None = None) -> dict:
    body = {"channel": "dingtalk_group", "to": {"group": "cidSharedByTwoApps"},
            "message": {"msgKey": "sampleText", "msgParam": {"content": text}}}
    return {**body, "account": account} if account else body


def test_two_dingtalk_apps_posting_to_one_group_do_not_share_its_window(client, keys, admin, worker, control):
    def post(body: dict) -> str:
        answer = client.simulate_post("/api/v1/notifications", json=body, headers=bearer(keys["notify"]))
        assert answer.status_code == 202, answer.text
        return answer.json["id"]

    def record(delivery_id: str) -> dict:
        return client.simulate_get(f"/api/v1/notifications/{delivery_id}", headers=admin).json

    first = post(group_message("默认应用第一条"))
    wait_for(lambda: record(first)["status"] == "sent", 20)
    other_app = post(group_message("人事应用第一条", "hr"))  # the same chat, another app: its own window
    wait_for(lambda: record(other_app)["status"] == "sent", 20)
    again = post(group_message("默认应用第二条"))  # the default app's window is full: it waits its turn
    waiting = wait_for(lambda: (r := record(again))["nextAttemptAt"] and r, 20)
    assert waiting["status"] != "sent"
    later = datetime.fromisoformat(waiting["nextAttemptAt"]) - datetime.now(UTC)
    assert later > timedelta(seconds=WINDOW / 2)

    robots = [e["json"]["robotCode"] for e in journal(control, GROUP)]
    assert robots == [demo.DINGTALK_APP_KEY, HR["app_key"]]  # each app's own robot, one message each


def test_two_wecom_apps_book_an_app_chat_apart(runtime):
    default, ops = runtime.clients, runtime.clients.for_account("ops")
    payload = {"to": {"chat": "oncall"}}
    keys = {pacing_for(Channel.WECOM_APPCHAT, payload, None, runtime.settings.notifications,
                       paced_app(Channel.WECOM_APPCHAT, clients)).limits[0].key for clients in (default, ops)}
    assert len(keys) == 2, "each app books the chat in its own window"
