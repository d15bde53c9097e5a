"""Syncing the whole follower list: every page of user/get walked, everyone fetched 100 at a time, who left marked,
an error midway kept with the progress and gone on from by a retry, a tag's list synced the same way."""

from __future__ import annotations

from tests.sandbox_support import journal

FANS = [f"oFan{n:05d}" for n in range(2500)]
GONE = "oGone00000000000000000000001"
SYNC = "/api/v1/wechat/followers/sync"


def _followers(control, openids: list[str], page_size: int = 1000, non_followers: tuple[str, ...] = ()) -> None:
    control.post("/config", json={"wechat_followers": openids, "wechat_follower_page_size": page_size,
                                  "wechat_non_followers": list(non_followers)}).raise_for_status()


def test_every_page_is_walked_everyone_fetched_and_who_left_is_marked(api, worker, control):
    _followers(control, [*FANS[:3], GONE])
    assert api.run("post", "/api/v1/wechat/followers/fetch", {"openids": [GONE]})["status"] == "succeeded"
    _followers(control, FANS)  # GONE unfollowed: no longer listed
    job = api.run("post", SYNC)
    assert job["status"] == "succeeded", job
    assert job["result"] == {"phase": "done", "pages": 3, "listed": 2500, "total": 2500, "fetched": 2500,
                             "following": 2500, "unsubscribed": 1}
    walked = journal(control, "/cgi-bin/user/get")
    assert [e["query"].get("next_openid") for e in walked] == [None, "oFan00999", "oFan01999", "oFan02499"]
    batches = [[u["openid"] for u in e["json"]["user_list"]] for e in journal(control, "/cgi-bin/user/info/batchget")
               if e["json"]["user_list"][0]["openid"] != GONE]
    assert len(batches) == 25 and all(len(b) == 100 for b in batches) and sorted(o for b in batches for o in b) == FANS
    assert api.get(f"/api/v1/wechat/followers/{GONE}").json["subscribed"] is False
    assert api.get("/api/v1/wechat/followers", params={"subscribed": "true", "limit": 1}).json["total"] == 2500

    again = api.run("post", SYNC)  # safe to run twice: the same rows, nobody else marked
    assert again["status"] == "succeeded" and again["result"]["unsubscribed"] == 0, again
    assert api.get("/api/v1/wechat/followers", params={"subscribed": "true", "limit": 1}).json["total"] == 2500


def test_the_daily_quota_spent_midway_keeps_the_progress_and_a_retry_goes_on(api, worker, control):
    _followers(control, FANS)
    control.post("/faults", json={"pattern": "/wechat/cgi-bin/user/info/batchget", "kind": "errcode",
                                  "errcode": 45009, "errmsg": "reach max api daily quota limit"}).raise_for_status()
    job = api.run("post", SYNC)
    assert job["status"] == "failed" and job["errcode"] == 45009, job
    assert job["result"] == {"phase": "fetch", "pages": 3, "listed": 2500, "total": 2500, "fetched": 0,
                             "following": 0}
    assert len(journal(control, "/cgi-bin/user/get")) == 4
    control.delete("/faults").raise_for_status()
    assert api.post(f"/api/v1/jobs/{job['id']}/retry").status_code == 202
    done = api.job(job["id"])
    assert done["status"] == "succeeded" and done["result"]["fetched"] == 2500, done
    assert len(journal(control, "/cgi-bin/user/get")) == 4  # the list was not walked again


def test_a_tags_followers_are_synced_and_who_lost_the_tag_loses_it_here(api, worker, control, runtime):
    tag_id = api.run("post", "/api/v1/wechat/tags", {"name": "同步"})["result"]["id"]
    trio = FANS[:3]
    assert api.run("post", f"/api/v1/wechat/tags/{tag_id}/members", {"openids": trio})["status"] == "succeeded"
    assert api.run("post", "/api/v1/wechat/followers/fetch", {"openids": trio})["status"] == "succeeded"
    runtime.clients.wechat.followers.untag(tag_id, [trio[2]])  # on WeChat only: the local row still has the tag
    control.post("/config", json={"wechat_follower_page_size": 2}).raise_for_status()
    job = api.run("post", f"/api/v1/wechat/tags/{tag_id}/members/sync")
    assert job["status"] == "succeeded", job
    assert job["result"] == {"tagId": tag_id, "phase": "done", "pages": 1, "listed": 2, "fetched": 2,
                             "following": 2, "untagged": 1}
    assert [e["json"] for e in journal(control, "/cgi-bin/user/tag/get")] == [
        {"tagid": tag_id, "next_openid": ""}, {"tagid": tag_id, "next_openid": trio[1]}]
    tagged = api.get("/api/v1/wechat/followers", params={"tag": tag_id}).json["items"]
    assert sorted(f["openid"] for f in tagged) == trio[:2]
    assert api.get(f"/api/v1/wechat/followers/{trio[2]}").json["subscribed"] is True


def test_one_sync_at_a_time(api):
    first = api.post(SYNC)
    assert first.status_code == 202, first.text
    second = api.post(SYNC, headers={"Accept-Language": "zh-CN"})
    assert second.status_code == 409
    assert second.json["error"]["details"] == [{"field": "jobId", "value": first.json["jobId"]}]
    assert first.json["jobId"] in second.json["error"]["message"] and "粉丝同步" in second.json["error"]["message"]
    tag = api.post("/api/v1/wechat/tags/2/members/sync")  # a tag's sync is one too
    assert tag.status_code == 409 and tag.json["error"]["details"] == second.json["error"]["details"]


def test_a_stopped_sync_overtaken_by_a_newer_one_refuses_to_go_on_rather_than_mark_everyone(api, worker, control):
    _followers(control, FANS[:5], page_size=2)
    control.post("/faults", json={"pattern": "/wechat/cgi-bin/user/info/batchget", "kind": "errcode",
                                  "errcode": 45009, "times": 1}).raise_for_status()
    stopped = api.run("post", SYNC)
    assert stopped["status"] == "failed" and stopped["result"]["listed"] == 5, stopped
    newer = api.run("post", SYNC)
    assert newer["status"] == "succeeded" and newer["result"]["unsubscribed"] == 0, newer
    assert api.post(f"/api/v1/jobs/{stopped['id']}/retry").status_code == 202
    again = api.job(stopped["id"])
    assert again["status"] == "failed" and "newer sync" in again["error"], again
    assert api.get("/api/v1/wechat/followers", params={"subscribed": "true", "limit": 1}).json["total"] == 5
