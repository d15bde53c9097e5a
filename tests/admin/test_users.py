"""Users & bindings in a browser: a user is created, a WeChat openid bound to it shows as the follower WeChat
describes (fetched from the binding's row), and an account is unbound."""

from __future__ import annotations

import secrets

import httpx
from playwright.sync_api import expect

USERS = "#section-users"


def test_a_users_wechat_binding_shows_the_follower_and_can_be_unbound(page, imbridge, screenshot):
    suffix = secrets.token_hex(4)
    username, openid = f"zhang{suffix}", f"oUsersBound{suffix}"
    page.goto(page.url.split("#")[0] + "#/users")
    page.click("#add-user")
    dialog = page.locator("dialog.modal")
    dialog.locator("input[name=username]").fill("not a name!")
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("[data-field=username] .field-error")).not_to_be_empty()
    dialog.locator("input[name=username]").fill(username)
    dialog.locator("input[name=displayName]").fill("张三")
    dialog.locator("button[type=submit]").click()
    expect(page.locator(f"{USERS} h1")).to_have_text(f"张三 ({username})")
    expect(page.locator(f"{USERS} .user-bindings")).to_contain_text("No account bound")

    bind = page.locator(f"{USERS} form", has=page.locator("input[name=openid]"))
    bind.locator("select[name=platform]").select_option("wechat")
    bind.locator("input[name=openid]").fill(openid)
    bind.locator("button[type=submit]").click()
    binding = page.locator(f"{USERS} .user-bindings tbody tr", has_text=openid)
    expect(binding).to_contain_text("Official Account (QR login)")
    binding.locator("button:has-text('Fetch from WeChat')").click()
    expect(binding.locator(".follower-line")).to_contain_text("following")
    [user] = httpx.get(f"{imbridge.url}/api/v1/users", params={"q": username}, headers=imbridge.headers).json()["items"]
    detail = httpx.get(f"{imbridge.url}/api/v1/users/{user['id']}", headers=imbridge.headers).json()
    assert detail["bindings"][0]["follower"]["openid"] == openid
    screenshot("users-detail")

    binding.locator("a", has_text="Follower data").click()
    expect(page.locator("dialog.modal")).to_contain_text(openid)
    page.keyboard.press("Escape")
    page.go_back()
    binding.locator("button:has-text('Unbind')").click()
    page.locator("dialog.modal button.danger").click()
    expect(page.locator(f"{USERS} .user-bindings")).to_contain_text("No account bound")
    page.click(f"{USERS} button:has-text('All users')")
    page.fill(f"{USERS} input[name=q]", username)
    page.click(f"{USERS} .users-search button[type=submit]")
    expect(page.locator(f"{USERS} tbody tr")).to_have_count(1)
    expect(page.locator(f"{USERS} tbody tr")).to_contain_text("张三")
