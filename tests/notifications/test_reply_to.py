"""``replyTo``: a producer answers an inbound message later; imbridge picks the channel and the recipient."""

from __future__ import annotations

import pytest

from sandbox import callbacks
from tests.notifications.conftest import bearer
from tests.sandbox_support import journal
from tests.waiting import wait_for

FOLLOWER = "oReplyFollower00000000000001"


def inbound_id(app, keys, runtime, platform: str, fields: dict) -> int:
    """Post ``fields`` as the platform would and wait for its inbound record; its id."""
    settings = runtime.settings
    if platform == "wechat":
        request, path = callbacks.build_wechat_callback(settings, fields), callbacks.WECHAT_PORTAL
    else:
        request, path = callbacks.build_wecom_callback(settings, fields), callbacks.WECOM_PORTAL
    posted = app.simulate_post(path, params=request.params, body=request.body, headers={"Content-Type": "text/xml"})
    assert posted.status_code == 200, posted.text

    def recorded():
        found = app.simulate_get("/api/v1/inbound", params={"from_user": fields["FromUserName"]},
                                 headers=bearer(keys["admin"])).json["items"]
        return found[0]["id"] if found else None

    return wait_for(recorded)


def test_a_reply_to_a_wechat_follower_is_a_customer_service_message_to_them(app, keys, runtime, post, worker,
                                                                          settled, control):
    settings = runtime.settings
    message_id = inbound_id(app, keys, runtime, "wechat", callbacks.text_fields(settings, "我要退货", FOLLOWER))
    control.post("/wechat/interactions", json={"openid": FOLLOWER})  # WeChat saw the follower write
    accepted = post({"replyTo": message_id, "message": {"msgtype": "text", "text": {"content": "已为您办理退货"}}})
    assert accepted.status_code == 202, accepted.text
    record = settled(accepted.json["id"])
    assert (record["channel"], record["status"], record["target"]) == ("wechat_custom", "sent", FOLLOWER)
    [send] = journal(control, "/wechat/cgi-bin/message/custom/send")
    assert send["json"] == {"touser": FOLLOWER, "msgtype": "text", "text": {"content": "已为您办理退货"}}


def test_a_reply_to_a_wecom_member_is_an_app_message_to_them(app, keys, runtime, post, worker, settled, control):
    settings = runtime.settings
    message_id = inbound_id(app, keys, runtime, "wecom", callbacks.wecom_text_fields(settings, "请假申请", "lisi"))
    accepted = post({"replyTo": message_id, "message": {"msgtype": "text", "text": {"content": "已批准"}}})
    assert accepted.status_code == 202, accepted.text
    record = settled(accepted.json["id"])
    assert (record["channel"], record["status"]) == ("wecom_app", "sent")
    [send] = journal(control, "/wecom/cgi-bin/message/send")
    assert send["json"]["touser"] == "lisi" and send["json"]["text"] == {"content": "已批准"}


@pytest.mark.parametrize(("extra", "field"), [
    ({"replyTo": 999999}, "replyTo"),
    ({"replyTo": "abc"}, "replyTo"),
    ({"replyTo": True}, "replyTo"),
    ({"channel": "wecom_app"}, "channel"),
    ({"message": {"touser": "oSomeoneElse0000000000000001", "msgtype": "text", "text": {"content": "x"}}},
     "message.touser"),
])
def test_a_reply_that_contradicts_its_inbound_message_is_a_422_naming_the_field(extra, field, app, keys, runtime,
                                                                                 worker, post, control):
    message_id = inbound_id(app, keys, runtime, "wechat", callbacks.text_fields(runtime.settings, "hi", FOLLOWER))
    body = {"replyTo": message_id, "message": {"msgtype": "text", "text": {"content": "x"}}, **extra}
    refused = post(body)
    assert refused.status_code == 422, refused.text
    assert [d["field"] for d in refused.json["error"]["details"]] == [field]
    assert journal(control, "/message/custom/send") == []
