"""Users & bindings in a browser: a user is created, a WeChat openid bound to it shows as the follower WeChat
describes (fetched from the binding's row), and an account is unbound."""

from __future__ import annotations

import secrets

import httpx
from playwright.sync_api import expect

USERS = "#section-users"


def bind(page, platform: str, account: str):
    """Bind ``account`` of ``platform`` with the user screen's form; the bindings table's row for it."""
    form = page.locator(f"{USERS} form", has=page.locator("input[name=openid]"))
    form.locator("select[name=platform]").select_option(platform)
    form.locator("input[name=openid]").fill(account)
    form.locator("button[type=submit]").click()
    return page.locator(f"{USERS} .user-bindings tbody tr", has_text=account)


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

    binding = bind(page, "wechat", openid)
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


def test_a_dingtalk_unionid_is_bound_and_named_in_both_languages(page, imbridge):
    suffix = secrets.token_hex(4)
    created = httpx.post(f"{imbridge.url}/api/v1/users", headers=imbridge.headers,
                         json={"username": f"ding{suffix}", "displayName": "钉钉用户"})
    assert created.status_code == 201, created.text
    union_id = f"dingUnion{suffix}"
    page.goto(page.url.split("#")[0] + f"#/users/{created.json()['id']}")
    expect(bind(page, "dingtalk", union_id)).to_contain_text("DingTalk (website sign-in)")
    page.evaluate("localStorage.setItem('imbridge.locale', 'zh-CN')")
    try:
        page.reload()
        expect(page.locator(f"{USERS} .user-bindings tbody tr", has_text=union_id)).to_contain_text("钉钉（网站登录）")
    finally:
        page.evaluate("localStorage.removeItem('imbridge.locale')")


def test_a_bind_made_while_the_user_is_still_loading_waits_for_it(page, imbridge):
    created = httpx.post(f"{imbridge.url}/api/v1/users", headers=imbridge.headers,
                         json={"username": f"slow{secrets.token_hex(4)}"})
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    union_id = f"dingSlow{secrets.token_hex(4)}"
    # The browser reads the user a second late, as on a slow line; the test's clicks do not wait for it.
    page.evaluate("""(path) => {
        const fetched = window.fetch;
        window.fetch = async (url, init) => {
            if (String(url).endsWith(path)) await new Promise((done) => setTimeout(done, 1000));
            return fetched(url, init);
        };
    }""", f"/api/v1/users/{user_id}")
    page.goto(page.url.split("#")[0] + f"#/users/{user_id}")
    expect(bind(page, "dingtalk", union_id)).to_contain_text("DingTalk (website sign-in)")
    bindings = httpx.get(f"{imbridge.url}/api/v1/users/{user_id}", headers=imbridge.headers).json()["bindings"]
    assert [b["openid"] for b in bindings] == [union_id]
