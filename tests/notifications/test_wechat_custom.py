"""WeChat customer-service messages: answers after the 5-second window, only within 48 hours of the follower's
last message (45015 after that: failed, with the platform's reason, and never retried)."""

from __future__ import annotations

import pytest

from tests.notifications.media import PNG, inline, md5
from tests.sandbox_support import journal

CUSTOM_SEND = "/wechat/cgi-bin/message/custom/send"
OPENID = "oCustomFollower0000000000001"
WINDOW = 48 * 3600


def wrote(control, openid: str = OPENID, hours_ago: float = 0.0) -> None:
    """The follower wrote to the account ``hours_ago`` (on the sandbox's clock)."""
    now = control.get("/clock").json()["now"]
    control.post("/wechat/interactions", json={"openid": openid, "at": now - hours_ago * 3600})


@pytest.mark.parametrize("message", [
    {"msgtype": "text", "text": {"content": "您的工单已处理 / your ticket is done"}},
    {"msgtype": "news", "news": {"articles": [{"title": "Release notes", "description": "v2",
                                               "url": "https://example.com/notes", "picurl": "https://example.com/p.png"}]}},
    {"msgtype": "msgmenu", "msgmenu": {"head_content": "满意吗？", "list": [{"id": "101", "content": "满意"},
                                                                       {"id": "102", "content": "不满意"}]}},
])
def test_a_customer_service_message_within_the_window_is_sent_as_given(message, post, worker, settled, control):
    wrote(control, hours_ago=47)
    accepted = post({"channel": "wechat_custom", "message": {"touser": OPENID, **message}})
    assert accepted.status_code == 202, accepted.text
    assert settled(accepted.json["id"])["status"] == "sent"
    [entry] = journal(control, CUSTOM_SEND)
    assert entry["json"] == {"touser": OPENID, **message}


def test_outside_the_48_hour_window_the_send_fails_for_good_with_the_platforms_reason(post, worker, settled, control):
    wrote(control, hours_ago=WINDOW / 3600 + 1)
    accepted = post({"channel": "wechat_custom", "message": {"touser": OPENID, "msgtype": "text",
                                                             "text": {"content": "too late"}}})
    record = settled(accepted.json["id"])
    assert record["status"] == "failed"
    assert record["errcode"] == 45015 and "out of time limit" in record["lastError"]
    assert record["attempts"] == 1 and len(journal(control, CUSTOM_SEND)) == 1  # no retry can reopen the window


def test_a_follower_who_never_wrote_cannot_be_messaged(post, worker, settled, control):
    accepted = post({"channel": "wechat_custom", "message": {"touser": "oNeverWrote00000000000000001",
                                                             "msgtype": "text", "text": {"content": "hi"}}})
    assert settled(accepted.json["id"])["status"] == "failed"


def test_an_image_is_uploaded_as_temporary_media_first(post, worker, settled, control):
    wrote(control)
    image = {"media": inline(PNG, "chart.png", "image/png")}
    accepted = post({"channel": "wechat_custom", "message": {"touser": OPENID, "msgtype": "image", "image": image}})
    assert settled(accepted.json["id"])["status"] == "sent"
    [upload] = journal(control, "/wechat/cgi-bin/media/upload")
    assert upload["query"]["type"] == "image" and upload["files"]["media"]["md5"] == md5(PNG)
    [send] = journal(control, CUSTOM_SEND)
    assert send["json"]["image"] == {"media_id": upload["response"]["media_id"]}


@pytest.mark.parametrize(("message", "field"), [
    ({"msgtype": "news", "news": {"articles": [{"title": "a", "url": "https://e.com/a"},
                                               {"title": "b", "url": "https://e.com/b"}]}},
     "message.news.articles"),
    ({"msgtype": "text", "text": {"content": ""}}, "message.text.content"),
    ({"msgtype": "music", "music": {"musicurl": "https://e.com/a.mp3", "hqmusicurl": "https://e.com/a.mp3"}},
     "message.music"),
    ({"msgtype": "markdown", "markdown": {"content": "x"}}, "message"),
])
def test_a_malformed_customer_service_message_is_a_422_naming_the_field(message, field, post, control):
    refused = post({"channel": "wechat_custom", "message": {"touser": OPENID, **message}})
    assert refused.status_code == 422, refused.text
    fields = [detail["field"] for detail in refused.json["error"]["details"]]
    assert any(f.startswith(field) for f in fields), fields
    assert journal(control, CUSTOM_SEND) == []


def test_a_music_thumbnail_is_uploaded_as_a_thumb(post, worker, settled, control):
    wrote(control)
    music = {"title": "Jingle", "musicurl": "https://example.com/j.mp3", "hqmusicurl": "https://example.com/j.mp3",
             "thumb_media": inline(PNG, "cover.jpg", "image/jpeg")}
    accepted = post({"channel": "wechat_custom", "message": {"touser": OPENID, "msgtype": "music", "music": music}})
    assert settled(accepted.json["id"])["status"] == "sent"
    [upload] = journal(control, "/wechat/cgi-bin/media/upload")
    assert upload["query"]["type"] == "thumb"
    [send] = journal(control, CUSTOM_SEND)
    assert send["json"]["music"]["thumb_media_id"] == upload["response"]["thumb_media_id"]
    assert "thumb_media" not in send["json"]["music"]
