"""WeChat's later report on a template message (TEMPLATESENDJOBFINISH) lands on its notification's record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from models.deliveries import Delivery
from sandbox import callbacks
from tests.waiting import wait_for
from tests.wechat_admin.test_templates import MESSAGES, delivery
from workers.actors.inbound import REPORT_RETRY, apply_template_report

DATA = dict.fromkeys(("first", "keyword1", "keyword2", "remark"), "x")


def report(app, settings, msgid: str, status: str):
    """WeChat posting the event to the portal, signed and encrypted as it does."""
    fields = callbacks.event_fields(settings, "TEMPLATESENDJOBFINISH", "oFollower1", MsgID=msgid, Status=status)
    request = callbacks.build_wechat_callback(settings, fields, safe=True)
    answer = app.simulate_post(callbacks.WECHAT_PORTAL, params=request.params, body=request.body,
                               headers={"Content-Type": "text/xml"})
    assert answer.status_code == 200, answer.text


def sent_template(api) -> dict:
    accepted = api.post(MESSAGES, {"touser": "oFollower1", "template_code": "login", "data": DATA})
    assert accepted.status_code == 202, accepted.text
    record = delivery(api, accepted.json["id"])
    assert record["status"] == "sent"
    return record


@pytest.mark.parametrize(("status", "final"), [("failed:user block", "failed"), ("failed: system failed", "failed"),
                                               ("success", "sent")])
def test_the_report_is_kept_and_a_failure_fails_the_record(app, runtime, api, login_template, status, final):
    record = sent_template(api)
    report(app, runtime.settings, record["answer"]["msgid"], status)

    def reported():
        current = api.get(f"/api/v1/notifications/{record['id']}").json
        return current if "jobStatus" in (current["answer"] or {}) else None

    current = wait_for(reported)
    assert current["status"] == final and current["answer"]["jobStatus"] == status
    assert current["answer"]["msgid"] == record["answer"]["msgid"]
    assert (current["lastError"] or "").endswith(status) if final == "failed" else current["lastError"] is None


def test_a_report_before_the_record_knows_its_msgid_is_applied_later(app, runtime, api, actor_context, worker):
    report(app, runtime.settings, "2000000001", "failed:user block")
    # Recorded as an inbound event, and a second look is scheduled (the send's record may not be written yet).
    wait_for(lambda: runtime.redis.hlen("imbridge-dramatiq:inbound.DQ.msgs") == 1)
    assert api.get("/api/v1/inbound", params={"event": "TEMPLATESENDJOBFINISH"}).json["total"] == 1
    with runtime.database.session() as session:
        late = Delivery(channel="wechat_template", target="oFollower1", msgtype="template", payload={"message": {}},
                        status="sent", answer={"msgid": "2000000001"}, platform_msgid="2000000001")
        session.add(late)
    apply_template_report(actor_context, "2000000001", "failed:user block", datetime.now(UTC).isoformat(), 0)
    current = api.get(f"/api/v1/notifications/{late.id}").json
    assert current["status"] == "failed" and current["answer"]["jobStatus"] == "failed:user block"


def test_a_report_on_a_msgid_nobody_sent_changes_nothing_and_stops_asking(runtime, api, actor_context):
    last = len(REPORT_RETRY.delays) - 1
    apply_template_report(actor_context, "999", "success", datetime.now(UTC).isoformat(), last)
    assert runtime.redis.hlen("imbridge-dramatiq:inbound.DQ.msgs") == 0
    assert api.get("/api/v1/notifications").json["total"] == 0


def test_a_report_that_fails_a_sent_record_is_an_outcome_callbacks_hear_of(runtime, api, actor_context):
    from sqlalchemy import select

    from models import WebhookDelivery, WebhookSubscription

    with runtime.database.session() as session:
        wants = WebhookSubscription(name="ops", url="https://ops.example/outcomes", secret_sealed="-")
        wants.events = ["outcome:failed"]
        deaf = WebhookSubscription(name="crm", url="https://crm.example/outcomes", secret_sealed="-")
        deaf.events = ["outcome:sent", "*"]
        late = Delivery(channel="wechat_template", target="oFollower1", msgtype="template", payload={"message": {}},
                        status="sent", answer={"msgid": "2000000002"}, platform_msgid="2000000002")
        session.add_all([wants, deaf, late])
    apply_template_report(actor_context, "2000000002", "failed:user block", datetime.now(UTC).isoformat(), 0)
    apply_template_report(actor_context, "2000000002", "failed:user block", datetime.now(UTC).isoformat(), 0)
    with runtime.database.session() as session:
        posted = session.execute(select(WebhookDelivery.subscription_id, WebhookDelivery.notification_id,
                                        WebhookDelivery.outcome)).all()
    assert posted == [(wants.id, late.id, "failed")], "once, to the subscription that asked for failures only"
