"""Followers and tags in a browser: followers are fetched from WeChat, a tag is created and given to selected
followers, a remark is set, and a message's sender shows as the follower WeChat describes."""

from __future__ import annotations

import secrets

import httpx
from playwright.sync_api import expect

from sandbox import callbacks
from tests.sandbox_support import demo_settings
from tests.waiting import wait_for

FOLLOWERS = "#section-wechat-followers"


def open_followers(page) -> None:
    page.goto(page.url.split("#")[0] + "#/wechat-followers")
    page.locator(f"{FOLLOWERS} h1").wait_for()


def row(page, openid: str):
    return page.locator(f"{FOLLOWERS} .followers-list tbody tr", has_text=openid)


def test_followers_are_fetched_tagged_and_given_a_remark(page, imbridge, screenshot):
    suffix = secrets.token_hex(4)
    first, second = f"oFollowersA{suffix}", f"oFollowersB{suffix}"
    tag = f"VIP客户{suffix}"
    open_followers(page)

    fetch = page.locator(f"{FOLLOWERS} form", has=page.locator("input[name=openids]"))
    fetch.locator("input[name=openids]").fill(f"{first}, not an openid!")
    fetch.locator("button[type=submit]").click()
    expect(fetch.locator("[data-field=openids] .field-error")).not_to_be_empty()  # the API's 422, at the field
    fetch.locator("input[name=openids]").fill(f"{first}, {second}")
    fetch.locator("button[type=submit]").click()
    expect(page.locator(f"{FOLLOWERS} .fetch-result")).to_contain_text("2 fetched: 2 following")
    expect(row(page, first)).to_contain_text("following")
    [batch] = [e for e in imbridge.journal("/cgi-bin/user/info/batchget")
               if [u["openid"] for u in e["json"]["user_list"]] == [first, second]]
    assert batch

    tag_form = page.locator(f"{FOLLOWERS} form", has=page.locator("input[name=name]"))
    tag_form.locator("input[name=name]").fill(tag)
    tag_form.locator("button[type=submit]").click()
    tag_row = page.locator(f"{FOLLOWERS} .tags-list tbody tr", has_text=tag)
    expect(tag_row.locator("td.tag-count")).to_have_text("0")  # its followers
    tag_form.locator("input[name=name]").fill(tag)
    tag_form.locator("button[type=submit]").click()
    expect(tag_form.locator("[data-field=name] .field-error")).to_have_text("A tag already has this name.")

    for openid in (first, second):
        row(page, openid).locator("input[name=select]").check()
    expect(page.locator(f"{FOLLOWERS} .selection-bar")).to_contain_text("2 selected")
    page.select_option(f"{FOLLOWERS} select[name=members-tag]", label=tag)
    page.click(f"{FOLLOWERS} button:has-text('Tag selected')")
    expect(row(page, first).locator(".tag-chip")).to_have_text(tag)
    expect(row(page, second).locator(".tag-chip")).to_have_text(tag)
    expect(tag_row.locator("td.tag-count")).to_have_text("2")
    [tagging] = [e for e in imbridge.journal("/cgi-bin/tags/members/batchtagging")
                 if e["json"]["openid_list"] == [first, second]]
    assert tagging

    row(page, first).locator("button:has-text('Set remark')").click()
    dialog = page.locator("dialog.modal")
    dialog.locator("input[name=remark]").fill("北京 VIP")
    dialog.locator("button[type=submit]").click()
    expect(row(page, first)).to_contain_text("北京 VIP")
    [remark] = [e for e in imbridge.journal("/cgi-bin/user/info/updateremark") if e["json"]["openid"] == first]
    assert remark["json"]["remark"] == "北京 VIP"

    page.click(f"{FOLLOWERS} button:has-text('Clear selection')")
    row(page, second).locator("input[name=select]").check()
    page.click(f"{FOLLOWERS} button:has-text('Untag selected')")
    expect(row(page, second).locator(".tag-chip")).to_have_count(0)
    expect(row(page, first).locator(".tag-chip")).to_have_text(tag)

    page.select_option(f"{FOLLOWERS} select[name=tag]", label=f"{tag} (1)")
    expect(page.locator(f"{FOLLOWERS} .followers-list tbody tr")).to_have_count(1)
    screenshot("wechat-followers")
    row(page, first).locator("td").nth(1).click()
    expect(page.locator("dialog.modal")).to_contain_text("QR code")  # how the sandbox's followers came
    page.locator("dialog.modal a", has_text="Messages and events").click()
    expect(page.locator("#section-inbound input[name=fromUser]")).to_have_value(first)

    open_followers(page)
    known = httpx.get(f"{imbridge.url}/api/v1/wechat/followers", params={"limit": 1},
                      headers=imbridge.headers).json()["total"]
    page.click(f"{FOLLOWERS} button:has-text('Fetch all again')")
    expect(page.locator(f"{FOLLOWERS} .job-progress")).to_contain_text(
        f"Fetch followers 1-{known} of {known}: succeeded")
    page.click(f"{FOLLOWERS} button:has-text('Sync tags from WeChat')")
    expect(page.locator(f"{FOLLOWERS} .job-progress")).to_contain_text("Tag sync: succeeded")
    tag_row.locator("button:has-text('Delete')").click()
    expect(page.locator("dialog.modal")).to_contain_text("The followers who have it (1) lose it")
    page.locator("dialog.modal button.danger").click()
    expect(tag_row).to_have_count(0)
    expect(row(page, first).locator(".tag-chip")).to_have_count(0)
    assert [e for e in imbridge.journal("/cgi-bin/tags/delete") if e["json"]["tag"]["id"] == tagging["json"]["tagid"]]


def test_a_senders_follower_data_is_shown_with_the_message_and_fetched_from_there(page, imbridge, screenshot):
    openid = f"oFollowersInbound{secrets.token_hex(4)}"
    word = secrets.token_hex(4)
    answer = callbacks.say(imbridge.url, demo_settings(), f"follower data {word}", openid)
    assert answer.status_code == 200, answer.text
    wait_for(lambda: httpx.get(f"{imbridge.url}/api/v1/inbound", params={"q": word},
                               headers=imbridge.headers).json()["total"])
    page.goto(page.url.split("#")[0] + f"#/inbound?fromUser={openid}")
    expect(page.locator("#section-inbound tbody tr")).to_have_count(1)
    page.click("#section-inbound tbody tr")
    panel = page.locator(f"dialog.modal .follower-panel[data-openid={openid}]")
    expect(panel).to_contain_text("Not fetched from WeChat yet.")
    panel.locator("button:has-text('Fetch from WeChat')").click()
    expect(panel.locator("dl.kv")).to_contain_text("following")
    expect(panel.locator("dl.kv")).to_contain_text("zh_CN")
    screenshot("inbound-follower")
    page.keyboard.press("Escape")
    page.click("#section-inbound button:has-text('Refresh')")
    expect(page.locator(f"#section-inbound .follower-line[data-openid={openid}]")).to_be_attached()


def test_sync_all_followers_walks_wechats_list_and_shows_what_it_found(page, imbridge):
    fans = [f"oFollowersSync{secrets.token_hex(4)}{n}" for n in range(3)]
    config = f"{imbridge.sandbox_url}/_sandbox/config"
    httpx.post(config, json={"wechat_followers": fans, "wechat_follower_page_size": 2}, timeout=10).raise_for_status()
    try:
        open_followers(page)
        # WeChat refuses midway (48001: the account may not use the API): the sync stops with what it did so far
        httpx.post(f"{imbridge.sandbox_url}/_sandbox/faults", timeout=10, json={
            "pattern": "/wechat/cgi-bin/user/info/batchget", "kind": "errcode", "errcode": 48001,
            "errmsg": "api unauthorized", "times": 1}).raise_for_status()
        page.click(f"{FOLLOWERS} button:has-text('Sync all followers')")
        expect(page.locator(f"{FOLLOWERS} .job-progress")).to_contain_text("Follower sync: failed")
        expect(page.locator(f"{FOLLOWERS} .sync-result")).to_contain_text("Stopped after")
        page.click(f"{FOLLOWERS} .sync-result button:has-text('Go on')")
        expect(page.locator(f"{FOLLOWERS} .job-progress")).to_contain_text("Follower sync: succeeded")
        # the sandbox lists these and whoever else earlier tests had write, be tagged or remarked
        [job] = httpx.get(f"{imbridge.url}/api/v1/jobs", params={"kind": "wechat.followers.sync"},
                          headers=imbridge.headers, timeout=10).json()["items"]
        listed = job["result"]["listed"]
        assert listed >= len(fans) and len(imbridge.journal("/cgi-bin/user/get")) == -(-listed // 2) + 1
        expect(page.locator(f"{FOLLOWERS} .sync-result")).to_contain_text(f"{listed} listed, {listed} fetched")
        for openid in fans:
            expect(row(page, openid)).to_contain_text("following")
    finally:
        httpx.post(config, json={"wechat_followers": [], "wechat_follower_page_size": 10000}, timeout=10)
