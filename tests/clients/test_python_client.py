"""The Python client (``clients/python``, import ``imbridge_client``) against a running imbridge, as a producer
uses it: builders, idempotent sends, batches, fan-out, waiting, errors, outcome callbacks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from imbridge_client import (
    ApiError,
    Article,
    Client,
    Media,
    Message,
    MpArticle,
    SignatureInvalid,
    WaitTimeout,
    dingtalk_robot,
    dingtalk_work,
    reply_to,
    verify_callback,
    wechat_custom,
    wechat_template,
    wecom_app,
    wecom_robot,
)

from config import demo
from tests.clients.conftest import SECOND_DINGTALK, SECOND_WECOM
from tests.waiting import wait_for

FOLLOWER = "oClientFollower000000000001"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def client(imbridge) -> Iterator[Client]:
    with Client(imbridge.url, imbridge.notify_key) as client:
        yield client


def test_every_builder_makes_a_request_the_server_accepts(client):
    """One notification per channel and message type the API takes; each is accepted and reaches ``sent``."""
    ding, wecom, work, app = (dingtalk_robot("demo-dingtalk"), wecom_robot("demo-wecom"),
                              dingtalk_work(users=["manager01"]), wecom_app(users=["zhangsan"], safe=0))
    media = Media.from_bytes(PNG, "dot.png", "image/png")
    pdf = Media.from_bytes(b"%PDF-1.4\n% a report\n", "report.pdf", "application/pdf")
    amr = Media.from_bytes(b"#!AMR\n" + bytes(32), "note.amr", "audio/amr")
    notifications = [
        ding.text("CPU 91%", at_mobiles=["13800000000"]), ding.markdown("Deploy", "**crm** is live"),
        ding.link("Report", "weekly numbers", "https://example.com/r"),
        ding.action_card("Approve", "leave request", single=("Open", "https://example.com/a")),
        ding.action_card("Vote", "lunch", buttons=[("Noodles", "https://e.com/1"), ("Rice", "https://e.com/2")]),
        ding.feed_card([("Story", "https://example.com/s", "https://example.com/s.png")]),
        wecom.text("hello", mentioned=["zhangsan"]), wecom.markdown("**bold**"), wecom.markdown_v2("# v2"),
        wecom.image(media), wecom.news([Article("Story", "https://example.com/s")]), wecom.file(pdf),
        wecom.template_card({"card_type": "text_notice", "main_title": {"title": "Alert"},
                             "card_action": {"type": 1, "url": "https://example.com"}}),
        work.text("月度报告已生成"), work.markdown("Report", "**done**"), work.image(media), work.file(pdf),
        work.voice(amr, 3), work.link("Report", "weekly", "https://example.com/r", "https://example.com/p.png"),
        work.oa({"text": "OA", "bgcolor": "FFBBBBBB"}, {"content": "approve"}, message_url="https://example.com"),
        work.action_card("Approve", "**leave**", single=("Open", "https://example.com/a")),
        app.text("hi"), app.markdown("**hi**"), app.image(media), app.file(pdf),
        app.video(Media.from_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(16), "clip.mp4", "video/mp4"), "Clip"),
        app.textcard("Leave approved", "2 days", "https://example.com/l", "More"),
        app.news([Article("Story", "https://example.com/s", "desc")]),
        app.voice(amr), app.mpnews([MpArticle("Notice", "<p>body</p>", media, author="ops")]),
        wecom.voice(amr),
        app.template_card({"card_type": "text_notice", "main_title": {"title": "Alert"},
                           "card_action": {"type": 1, "url": "https://example.com"}}),
    ]
    accepted = client.send_batch(notifications)
    assert [a.status for a in accepted] == ["queued"] * len(notifications)
    outcomes = {a.id: client.wait(a.id, timeout=60)["status"] for a in accepted}
    assert set(outcomes.values()) == {"sent"}, [client.get(i) for i, s in outcomes.items() if s != "sent"]


def test_wechat_customer_service_builders_reach_a_follower_who_wrote(client, imbridge):
    control = f"{imbridge.sandbox}/_sandbox"
    now = httpx.get(f"{control}/clock").json()["now"]
    httpx.post(f"{control}/wechat/interactions", json={"openid": FOLLOWER, "at": now}).raise_for_status()
    follower = wechat_custom(FOLLOWER)
    accepted = client.send_batch([
        follower.text("您好，订单已发货"), follower.image(Media.from_bytes(PNG, "dot.png", "image/png")),
        follower.news(Article("Shipped", "https://example.com/o/1")),
        follower.msgmenu([("101", "满意"), ("102", "不满意")], head="这次服务如何？"),
    ])
    assert [client.wait(a.id, timeout=60)["status"] for a in accepted] == ["sent"] * 4
    group = client.send_group([dingtalk_robot("demo-dingtalk"), follower.text("your own words, follower")],
                              Message.text_only("order 1 shipped"))
    assert client.wait_group(group["id"], timeout=60)["status"] == "sent"


def test_a_send_carries_an_idempotency_key_so_a_repeat_sends_once(client):
    notification = dingtalk_robot("demo-dingtalk").text("once only")
    first = client.send(notification, idempotency_key="order-1001-paid")
    again = client.send(notification, idempotency_key="order-1001-paid")
    assert (again.id, again.replayed, first.replayed) == (first.id, True, False)
    assert client.get(first.id)["idempotencyKey"] == "order-1001-paid"
    fresh = client.send(notification)
    assert fresh.id != first.id and client.get(fresh.id)["idempotencyKey"], "a key by default"


def test_a_template_fills_the_text(client, imbridge):
    admin = httpx.post(f"{imbridge.url}/api/v1/notification-templates", json={
        "code": "client-deploy", "name": "Deploy", "content": "${app} is live"},
        headers={"Authorization": f"Bearer {imbridge.admin_key}"})
    assert admin.status_code == 201, admin.text
    sent = client.send(wecom_robot("demo-wecom").markdown("").with_template("client-deploy", {"app": "crm"}))
    record = client.wait(sent.id, timeout=30)
    assert record["status"] == "sent" and record["message"]["markdown"]["content"] == "crm is live"


def test_api_errors_are_exceptions_carrying_the_error_object(client, imbridge):
    with pytest.raises(ApiError) as invalid:
        client.send(dingtalk_robot("no-such-robot").text(""))
    error = invalid.value
    assert error.status == 422 and error.code == "validation_error"
    assert {"robot", "message.text.content"} <= {d["field"] for d in error.details}
    with pytest.raises(ApiError) as missing:
        client.get("00000000-0000-0000-0000-000000000000")
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    with pytest.raises(ApiError) as refused, Client(imbridge.url, "imb_000000000000_wrong") as stranger:
        stranger.send(dingtalk_robot("demo-dingtalk").text("x"))
    assert (refused.value.status, refused.value.code) == (401, "unauthorized")
    with pytest.raises(ApiError) as template:
        client.send(wechat_template("o6_bmjrPTlm6_2sgVt7hMZOPfL2M", {"amount": "9.90"}, template_code="nope"))
    assert "message.template_code" in {d["field"] for d in template.value.details}


def test_a_batch_is_all_or_nothing_and_names_the_bad_item(client):
    with pytest.raises(ApiError) as invalid:
        client.send_batch([dingtalk_robot("demo-dingtalk").text("fine"), wecom_robot("demo-wecom").markdown("")])
    assert invalid.value.status == 422
    assert [d["field"] for d in invalid.value.details] == ["notifications.1.message.markdown.content"]


def test_fan_out_gives_one_group_and_waits_for_every_target(client, imbridge):
    group = client.send_group([dingtalk_robot("demo-dingtalk"), wecom_robot("demo-wecom"),
                               dingtalk_work(users=["manager01"]).text("own words for this one")],
                              Message.markdown("Deploy", "**crm** is live"), idempotency_key="release-7")
    assert group["size"] == 3
    done = client.wait_group(group["id"], timeout=60)
    assert done["status"] == "sent" and [n["status"] for n in done["notifications"]] == ["sent"] * 3
    assert client.send_group([dingtalk_robot("demo-dingtalk")], Message.text_only("x"),
                             idempotency_key="release-7")["id"] == group["id"]


def sent_through(imbridge, path: str, agent_key: str, text: str) -> list[str]:
    """The agent ids of the platform calls on ``path`` that carried ``text``: which app sent it."""
    return [str(e["json"][agent_key]) for e in imbridge.journal(path) if text in json.dumps(e["json"],
                                                                                            ensure_ascii=False)]


def test_a_notification_goes_through_the_account_it_names(client, imbridge):
    accepted = {"hr": client.send(dingtalk_work(users=["manager01"]).text("Python 人事部通知").with_account("hr")),
                "ops": client.send(wecom_app(users=["zhangsan"]).text("Python 运维通知").with_account("ops")),
                "default": client.send(dingtalk_work(users=["manager01"]).text("Python 默认应用通知"))}
    records = {name: client.wait(a.id, timeout=60) for name, a in accepted.items()}
    assert {name: (r["status"], r["account"]) for name, r in records.items()} == {
        "hr": ("sent", "hr"), "ops": ("sent", "ops"), "default": ("sent", "default")}
    work = "/topapi/message/corpconversation/asyncsend_v2"
    assert sent_through(imbridge, work, "agent_id", "Python 人事部通知") == [str(SECOND_DINGTALK["agent_id"])]
    assert sent_through(imbridge, work, "agent_id", "Python 默认应用通知") == [str(demo.DINGTALK_AGENT_ID)]
    app = "/cgi-bin/message/send"
    assert sent_through(imbridge, app, "agentid", "Python 运维通知") == [str(SECOND_WECOM["agent_id"])]


def test_fan_out_targets_name_their_accounts(client, imbridge):
    group = client.send_group([dingtalk_work(users=["manager01"]).text("Python 组里人事部的一份").with_account("hr"),
                               {"channel": "wecom_app", "to": {"users": ["zhangsan"]}, "account": "ops"}],
                              Message.text_only("Python 组里运维的一份"))
    done = client.wait_group(group["id"], timeout=60)
    assert done["status"] == "sent"
    assert [client.get(n["id"])["account"] for n in done["notifications"]] == ["hr", "ops"]
    assert sent_through(imbridge, "/cgi-bin/message/send", "agentid", "Python 组里运维的一份") == [
        str(SECOND_WECOM["agent_id"])]


def test_an_account_the_server_does_not_know_or_a_robot_cannot_use_is_a_422_naming_it(client):
    for notification, why in [(dingtalk_work(users=["manager01"]).text("x").with_account("nobody"),
                               "no ding-talk account has the code 'nobody'"),
                              (wecom_app(users=["zhangsan"]).text("x").with_account("hr"),
                               "no wecom account has the code 'hr'"),
                              (dingtalk_robot("demo-dingtalk").text("x").with_account("hr"), "takes no account")]:
        with pytest.raises(ApiError) as refused:
            client.send(notification)
        assert refused.value.status == 422
        assert any(d["field"] == "account" and why in d["message"] for d in refused.value.details), \
            refused.value.details
    with pytest.raises(ValueError, match="account that received"):
        reply_to(1).text("hi").with_account("hr")


def test_a_reply_is_refused_as_a_fan_out_target_before_anything_is_sent(client):
    with pytest.raises(ValueError, match="fan-out target"):
        client.send_group([dingtalk_robot("demo-dingtalk"), reply_to(1).text("hi")], Message.text_only("x"))


def test_waiting_runs_out_with_what_it_saw_last(client, imbridge):
    faults = f"{imbridge.sandbox}/_sandbox/faults"
    httpx.post(faults, json={"pattern": "/wecom/cgi-bin/message/send", "kind": "timeout", "hold_seconds": 3,
                             "times": 1}).raise_for_status()  # WeCom holds the send: the record stays unfinished
    try:
        accepted = client.send(wecom_app(users=["zhangsan"]).text("slow"))
        with pytest.raises(WaitTimeout) as late:
            client.wait(accepted.id, timeout=0.5)
        assert late.value.last["id"] == accepted.id and late.value.last["status"] not in ("sent", "failed", "dead")
        assert client.wait(accepted.id, timeout=60)["status"] == "sent"
    finally:
        httpx.delete(faults)


class Receiver:
    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/outcomes"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_outcome_callbacks_verify_with_the_clients_helper(client):
    receiver = Receiver()
    try:
        callback = client.subscribe_outcomes("crm", receiver.url, ["sent"])
        assert callback["id"] in [c["id"] for c in client.callbacks()]
        accepted = client.send(dingtalk_robot("demo-dingtalk").text("tell me when it is sent"))
        wait_for(lambda: receiver.received, 30)
        headers, body = receiver.received[0]
        outcome = verify_callback(callback["secret"], headers, body)
        assert (outcome["id"], outcome["status"]) == (accepted.id, "sent")
        with pytest.raises(SignatureInvalid):
            verify_callback(callback["secret"], headers, body.replace(b"sent", b"dead"))
        with pytest.raises(SignatureInvalid):
            verify_callback("whsec_" + "A" * 44, headers, body)
        with pytest.raises(SignatureInvalid):
            verify_callback(callback["secret"], headers, body, now=int(headers["webhook-timestamp"]) + 3600)
        assert json.loads(body)["type"] == "notification.sent"
        client.unsubscribe(callback["id"])
        assert client.callbacks() == []
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_the_group_and_subscription_builders_make_requests_the_server_validates(client):
    """The builders of the channels added last: each request passes the server's validation (a 202, not a 422)."""
    from imbridge_client import applet_subscribe, dingtalk_group, dingtalk_robot_users, wechat_subscribe, wecom_appchat

    group, members = dingtalk_group("cidDemoGroup0001"), dingtalk_robot_users(["manager01", "user02"])
    notifications = [
        group.text("部署完成 / deploy done"), group.markdown("Deploy", "**crm** is live"),
        members.link("Report", "weekly", "https://example.com/r", "https://example.com/p.png"),
        wecom_appchat("chat0001").text("hello"), wecom_appchat("chat0001").markdown("**hi**"),
    ]
    accepted = client.send_batch(notifications)
    assert [a.status for a in accepted] == ["queued"] * len(notifications)
    subscribe = wechat_subscribe("oSub", {"thing1": "打印机"}, template_code="ticket", page="https://e.com")
    assert subscribe.to_request() == {"channel": "wechat_subscribe", "message": {
        "touser": "oSub", "template_code": "ticket", "data": {"thing1": "打印机"}, "page": "https://e.com"}}
    assert applet_subscribe("oApp", {"thing3": "crm"}, template_id="T1", state="trial").to_request()["message"] == {
        "touser": "oApp", "template_id": "T1", "data": {"thing3": "crm"}, "miniprogram_state": "trial"}
    with pytest.raises(TypeError):
        wecom_appchat("chat0001").template_card({"card_type": "text_notice"})
