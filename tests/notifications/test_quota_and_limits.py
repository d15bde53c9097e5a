"""Platform limits per channel, end to end through the sandbox: DingTalk 143103/143104 back off, WeCom 45009 is a
minute on the robot and a long cap on the app, and a spent quota (DingTalk 90020 monthly, WeCom app 45009 daily)
fails the notification and raises an alert: a banner on the System status, a ``/metrics`` gauge, a webhook event
(once per quota window, however many sends meet it)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.alerts import CHINA, window_end
from core.runtime import Runtime
from tests.notifications.conftest import FAST, SECRET_KEY, bearer
from tests.waiting import wait_for

TEXT = {"msgtype": "text", "text": {"content": "hi"}}
WORK = {"channel": "dingtalk_work", "to": {"users": ["u1"]}, "message": TEXT}
APP = {"channel": "wecom_app", "to": {"users": ["u1"]}, "message": TEXT}
WECOM_ROBOT = {"channel": "wecom_robot", "robot": "wecom", "message": TEXT}


@pytest.fixture
def runtime(make_settings, database_url, sandbox, control, redis_client, notification_settings) -> Iterator[Runtime]:
    """The suite's runtime, allowed to post webhooks to 127.0.0.1 (where the test's subscriber listens)."""
    host, port = sandbox[0].removeprefix("http://").split(":")
    settings = make_settings(database_url, sandbox={"host": host, "port": int(port)},
                             security={"secret_key": SECRET_KEY}, notifications=notification_settings,
                             webhooks={"allow_networks": ["127.0.0.1/32"], "min_backoff_ms": 10})
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def subscriber(app, keys) -> Iterator[list[dict]]:
    """A webhook subscription for every event, and the bodies it receives."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    created = app.simulate_post("/api/v1/webhooks", json={"name": "ops", "url": url, "events": ["event"]},
                                headers=bearer(keys["admin"]))
    assert created.status_code == 201, created.text
    yield received
    server.shutdown()
    server.server_close()


def fault(control, **rule) -> None:
    control.post("/faults", json=rule).raise_for_status()


def status(app, keys) -> dict:
    result = app.simulate_get("/api/v1/system/status", headers=bearer(keys["admin"]))
    assert result.status_code == 200, result.text
    return result.json


def gauge(app, platform: str, window: str) -> float:
    line = f'imbridge_platform_quota_exhausted{{platform="{platform}",window="{window}"}}'
    text = app.simulate_get("/metrics").text
    return float(next(row for row in text.splitlines() if row.startswith(line)).split()[-1])


def test_a_spent_monthly_quota_fails_and_raises_one_alert(post, worker, settled, control, app, keys, subscriber):
    assert status(app, keys)["alerts"] == [] and gauge(app, "dingtalk", "month") == 0
    fault(control, pattern="*/asyncsend_v2", kind="errcode", errcode=90020,
          errmsg="您的企业本月api调用量已超过限制,调用量:10001次,额度:10000次")
    records = [settled(post(WORK).json["id"]) for _ in range(3)]
    assert all(r["status"] == "failed" and r["errcode"] == 90020 and r["attempts"] == 1 for r in records)

    [alert] = status(app, keys)["alerts"]
    assert (alert["kind"], alert["platform"], alert["window"], alert["errcode"]) == ("quota_exhausted", "dingtalk",
                                                                                      "month", 90020)
    assert "钉钉" in alert["message"]["zh-CN"] and "额度已用完" in alert["message"]["zh-CN"]
    assert "DingTalk" in alert["message"]["en"] and "monthly quota" in alert["message"]["en"]
    until = datetime.fromisoformat(alert["until"]).astimezone(CHINA)
    assert (until.day, until.hour, until.minute) == (1, 0, 0)  # the first of next month, China time
    assert gauge(app, "dingtalk", "month") == 1 and gauge(app, "wechat", "day") == 0

    worker.join()  # the alerts raised after the records were final, and the webhook posts they made
    [event] = subscriber  # three failures, one window: one event
    assert (event["platform"], event["msgType"], event["event"]) == ("imbridge", "event", "quota_exhausted")
    assert event["fields"]["platform"] == "dingtalk" and event["fields"]["errcode"] == "90020"
    assert event["fields"]["window"] == "month" and event["fields"]["until"] == alert["until"]


def test_wecom_app_45009_waits_an_hour_and_raises_the_daily_alert(post, worker, settled, control, app, keys, record,
                                                                  subscriber):
    fault(control, pattern="/wecom/cgi-bin/message/send", kind="errcode", errcode=45009,
          errmsg="api freq out of limit")
    delivery_id = post(APP).json["id"]
    wait_for(lambda: record(delivery_id)["status"] == "retrying")
    seen = record(delivery_id)
    assert [a["outcome"] for a in seen["history"]] == ["throttled"] and seen["failedAttempts"] == 0
    waited = (datetime.fromisoformat(seen["nextAttemptAt"])
              - datetime.fromisoformat(seen["history"][0]["finishedAt"])).total_seconds()
    assert waited >= 3600
    [alert] = status(app, keys)["alerts"]
    assert (alert["platform"], alert["window"]) == ("wecom", "day")
    wait_for(lambda: subscriber)
    assert subscriber[0]["fields"]["platform"] == "wecom"


@pytest.mark.parametrize("notification_settings", [{**FAST, "wecom_robot_penalty_seconds": 0.2}])
def test_wecom_robot_45009_is_the_per_minute_window_and_raises_no_alert(post, robots, worker, settled, control, app,
                                                                       keys):
    fault(control, pattern="/wecom/cgi-bin/webhook/send", kind="errcode", errcode=45009, times=1)
    record = settled(post(WECOM_ROBOT).json["id"])
    assert record["status"] == "sent"
    assert [a["outcome"] for a in record["history"]] == ["throttled", "sent"]
    assert status(app, keys)["alerts"] == []


@pytest.mark.parametrize("code", [143103, 143104])
def test_work_notification_limits_back_off_instead_of_failing(code, post, worker, control, record):
    fault(control, pattern="*/asyncsend_v2", kind="errcode", errcode=code, errmsg="调用太频繁, 请稍后重试")
    delivery_id = post(WORK).json["id"]
    wait_for(lambda: record(delivery_id)["status"] == "retrying")
    seen = record(delivery_id)
    assert [a["outcome"] for a in seen["history"]] == ["throttled"] and seen["errcode"] == code
    waited = (datetime.fromisoformat(seen["nextAttemptAt"])
              - datetime.fromisoformat(seen["history"][0]["finishedAt"])).total_seconds()
    assert waited >= 60


def test_quota_windows_end_at_midnight_and_the_first_of_the_month_china_time():
    late = datetime.fromisoformat("2026-01-31T17:30:00+00:00")  # 01:30 on 1 February in China
    assert window_end("day", late).isoformat() == "2026-02-02T00:00:00+08:00"
    assert window_end("month", late).isoformat() == "2026-03-01T00:00:00+08:00"
    december = datetime.fromisoformat("2026-12-15T03:00:00+00:00")
    assert window_end("month", december).isoformat() == "2027-01-01T00:00:00+08:00"
