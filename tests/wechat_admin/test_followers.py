"""Followers and tags: fetched and changed through jobs, shown beside inbound messages and user bindings."""

from __future__ import annotations

import pytest

from sandbox import callbacks
from tests.sandbox_support import journal
from tests.waiting import wait_for

ALICE, BOB, GONE = "oAlice000000000000000000001", "oBob00000000000000000000001", "oGone00000000000000000000001"


def test_fetch_stores_what_wechat_answers_including_who_no_longer_follows(api, worker, control):
    control.post("/config", json={"wechat_non_followers": [GONE]})
    job = api.run("post", "/api/v1/wechat/followers/fetch", {"openids": [ALICE, BOB, GONE, ALICE]})
    assert job["status"] == "succeeded", job
    assert job["result"] == {"fetched": 3, "following": 2, "notFollowing": 1}
    [batch] = journal(control, "/cgi-bin/user/info/batchget")
    assert [u["openid"] for u in batch["json"]["user_list"]] == [ALICE, BOB, GONE]
    alice = api.get(f"/api/v1/wechat/followers/{ALICE}").json
    assert alice["subscribed"] is True and alice["language"] == "zh_CN" and alice["unionid"]
    assert api.get(f"/api/v1/wechat/followers/{GONE}").json["subscribed"] is False
    listed = api.get("/api/v1/wechat/followers", params={"subscribed": "true"}).json
    assert {f["openid"] for f in listed["items"]} == {ALICE, BOB} and listed["total"] == 2


def test_tags_created_assigned_and_removed_are_what_wechat_then_lists(api, worker, control):
    created = api.run("post", "/api/v1/wechat/tags", {"name": "VIP客户"})
    assert created["status"] == "succeeded", created
    tag_id = created["result"]["id"]
    assert tag_id >= 100
    tagged = api.run("post", f"/api/v1/wechat/tags/{tag_id}/members", {"openids": [ALICE, BOB]})
    assert tagged["status"] == "succeeded", tagged
    assert api.run("post", "/api/v1/wechat/followers/fetch", {"openids": [ALICE, BOB]})["status"] == "succeeded"
    assert api.run("post", f"/api/v1/wechat/tags/{tag_id}/members/remove", {"openids": [BOB]})["status"] == "succeeded"
    tags = {t["id"]: t for t in api.get("/api/v1/wechat/tags").json["items"]}
    assert tags[tag_id]["name"] == "VIP客户" and tags[tag_id]["count"] == 1
    assert api.get(f"/api/v1/wechat/followers/{ALICE}").json["tags"] == [{"id": tag_id, "name": "VIP客户"}]
    assert api.get(f"/api/v1/wechat/followers/{BOB}").json["tags"] == []
    assert [f["openid"] for f in api.get("/api/v1/wechat/followers", params={"tag": tag_id}).json["items"]] == [ALICE]
    # WeChat says who is tagged: the sandbox's own record agrees
    [untag] = journal(control, "/cgi-bin/tags/members/batchuntagging")
    assert untag["json"] == {"openid_list": [BOB], "tagid": tag_id}
    deleted = api.run("delete", f"/api/v1/wechat/tags/{tag_id}")
    assert deleted["status"] == "succeeded"
    assert api.get(f"/api/v1/wechat/followers/{ALICE}").json["tags"] == []
    assert tag_id not in {t["id"] for t in api.get("/api/v1/wechat/tags").json["items"]}


def test_a_remark_is_set_on_wechat_and_then_shown(api, worker, control):
    api.run("post", "/api/v1/wechat/followers/fetch", {"openids": [ALICE]})
    job = api.run("post", f"/api/v1/wechat/followers/{ALICE}/remark", {"remark": "北京 VIP"})
    assert job["status"] == "succeeded", job
    [remark] = journal(control, "/cgi-bin/user/info/updateremark")
    assert remark["json"] == {"openid": ALICE, "remark": "北京 VIP"}
    assert api.get(f"/api/v1/wechat/followers/{ALICE}").json["remark"] == "北京 VIP"


def test_inbound_messages_show_the_senders_follower_data(api, app, runtime, worker, control):
    api.run("post", "/api/v1/wechat/followers/fetch", {"openids": [ALICE]})
    request = callbacks.build_wechat_callback(runtime.settings, callbacks.text_fields(runtime.settings, "你好", ALICE))
    app.simulate_post(callbacks.WECHAT_PORTAL, params=request.params, body=request.body,
                      headers={"Content-Type": "text/xml"})
    [item] = wait_for(lambda: api.get("/api/v1/inbound", params={"from_user": ALICE}).json["items"])
    assert item["follower"]["openid"] == ALICE and item["follower"]["subscribed"] is True
    assert api.get(f"/api/v1/inbound/{item['id']}").json["follower"]["language"] == "zh_CN"


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("post", "/api/v1/wechat/followers/fetch", {"openids": []}, "openids"),
    ("post", "/api/v1/wechat/followers/fetch", {"openids": ["bad openid!"]}, "openids.0"),
    ("post", f"/api/v1/wechat/followers/{ALICE}/remark", {"remark": "x" * 31}, "remark"),
    ("post", "/api/v1/wechat/followers/not%20an%20openid/remark", {"remark": "x"}, "openid"),
    ("post", "/api/v1/wechat/tags", {"name": ""}, "name"),
    ("post", "/api/v1/wechat/tags", {"name": "x" * 31}, "name"),
    ("post", "/api/v1/wechat/tags/2/members", {"openids": [ALICE]}, "tagId"),
    ("delete", "/api/v1/wechat/tags/1", None, "tagId"),
])
def test_bad_input_is_a_422_naming_the_field_and_starts_no_job(method, path, body, field, api, control):
    result = api.post(path, body) if method == "post" else api.delete(path)
    assert result.status_code == 422, result.text
    assert field in [d["field"] for d in result.json["error"]["details"]]
    assert api.get("/api/v1/jobs").json["items"] == []


def test_an_unfetched_follower_is_a_404(api):
    assert api.get(f"/api/v1/wechat/followers/{ALICE}").status_code == 404
