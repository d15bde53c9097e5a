"""The followers screen follows the account switcher: followers fetched there are the chosen account's, and the
default account's list does not show them."""

from __future__ import annotations

import secrets

import httpx
import pytest
from playwright.sync_api import expect

from config import demo
from tests.waiting import wait_for

FOLLOWERS = "#section-wechat-followers"


@pytest.fixture
def followers_account(imbridge):
    """Another Official Account added through the API (the sandbox's demo app under another code)."""
    body = {"platform": "wechat", "code": "followers-b", "name": "粉丝账号", "appId": demo.WECHAT_APP_ID,
            "appSecret": demo.WECHAT_APP_SECRET, "apiBaseUrl": f"{imbridge.sandbox_url}/wechat"}
    created = httpx.post(f"{imbridge.url}/api/v1/accounts", json=body, headers=imbridge.headers, timeout=10)
    assert created.status_code == 201, created.text
    yield "followers-b"
    httpx.delete(f"{imbridge.url}/api/v1/accounts/wechat/followers-b", headers=imbridge.headers, timeout=10)


def follower(imbridge, openid: str, account: str | None) -> httpx.Response:
    return httpx.get(f"{imbridge.url}/api/v1/wechat/followers/{openid}",
                     params={"account": account} if account else {}, headers=imbridge.headers, timeout=10)


def fetched_for_default(imbridge, openid: str) -> None:
    accepted = httpx.post(f"{imbridge.url}/api/v1/wechat/followers/fetch", json={"openids": [openid]},
                          headers=imbridge.headers, timeout=10)
    assert accepted.status_code == 202, accepted.text
    wait_for(lambda: follower(imbridge, openid, None).status_code == 200)


def test_followers_fetched_on_the_chosen_account_are_that_accounts(page, imbridge, followers_account):
    openid, theirs = f"oAccountB{secrets.token_hex(4)}", f"oAccountD{secrets.token_hex(4)}"
    fetched_for_default(imbridge, theirs)
    page.goto(page.url.split("#")[0] + "#/wechat-followers")
    switcher = page.locator(f"{FOLLOWERS} select.account-select[data-ready=true]")
    switcher.wait_for()
    switcher.select_option(followers_account)
    page.locator(f"{FOLLOWERS} select.account-select[data-account={followers_account}][data-ready=true]").wait_for()

    fetch = page.locator(f"{FOLLOWERS} form", has=page.locator("input[name=openids]"))
    fetch.locator("input[name=openids]").fill(openid)
    fetch.locator("button[type=submit]").click()
    expect(page.locator(f"{FOLLOWERS} .followers-list tbody tr", has_text=openid)).to_contain_text("following")
    assert follower(imbridge, openid, followers_account).json()["account"] == followers_account
    assert follower(imbridge, openid, None).status_code == 404
    expect(page.locator(f"{FOLLOWERS} .followers-list tbody tr", has_text=theirs)).to_have_count(0)

    page.locator(f"{FOLLOWERS} select.account-select[data-ready=true]").select_option("default")
    page.locator(f"{FOLLOWERS} select.account-select[data-account=default][data-ready=true]").wait_for()
    expect(page.locator(f"{FOLLOWERS} .followers-list tbody tr", has_text=theirs)).to_have_count(1)
    expect(page.locator(f"{FOLLOWERS} .followers-list tbody tr", has_text=openid)).to_have_count(0)


def test_a_link_naming_the_account_opens_the_follower_on_it(page, imbridge, followers_account):
    """A message's sender links to the followers screen of the account the message came to."""
    openid = f"oAccountL{secrets.token_hex(4)}"
    accepted = httpx.post(f"{imbridge.url}/api/v1/wechat/followers/fetch", params={"account": followers_account},
                          json={"openids": [openid]}, headers=imbridge.headers, timeout=10)
    assert accepted.status_code == 202, accepted.text
    wait_for(lambda: follower(imbridge, openid, followers_account).status_code == 200)
    page.goto(page.url.split("#")[0] + f"#/wechat-followers/{openid}?account={followers_account}")
    page.locator(f"{FOLLOWERS} select.account-select[data-account={followers_account}][data-ready=true]").wait_for()
    expect(page.locator("dialog[open]")).to_contain_text(openid)
    expect(page.locator("dialog[open]")).to_contain_text("following")
    assert "account=" not in page.url  # the switcher rules from here on
